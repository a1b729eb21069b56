#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The container's mount table and /dev, as the kernel shows them inside.

load helpers

setup_file() { hr_setup_file; }
setup() { hr_setup; }
teardown() { hr_teardown; }

# run the container with `cat /proc/self/mountinfo`; sets $MOUNTINFO
container_mountinfo() {
  cfg_args cat /proc/self/mountinfo
  run --separate-stderr hr run --bundle "$BUNDLE" "$TAG"
  [ "$status" -eq 0 ] || fail "run failed ($status): $stderr"
  MOUNTINFO=$output
  echo "$MOUNTINFO"
}

@test "mounts: /proc, /dev, /dev/pts, /dev/shm, /dev/mqueue, /sys have the right types" {
  requires_root
  container_mountinfo
  assert_eq "$(mnt_fstype "$MOUNTINFO" /proc)" proc "/proc"
  assert_eq "$(mnt_fstype "$MOUNTINFO" /dev)" tmpfs "/dev"
  assert_eq "$(mnt_fstype "$MOUNTINFO" /dev/pts)" devpts "/dev/pts"
  assert_eq "$(mnt_fstype "$MOUNTINFO" /dev/shm)" tmpfs "/dev/shm"
  assert_eq "$(mnt_fstype "$MOUNTINFO" /dev/mqueue)" mqueue "/dev/mqueue"
  assert_eq "$(mnt_fstype "$MOUNTINFO" /sys)" sysfs "/sys"
}

@test "mounts: /sys is read-only, /dev is nosuid, /dev/pts is noexec" {
  requires_root
  container_mountinfo
  assert_match ",$(mnt_opts "$MOUNTINFO" /sys)," ',ro,' "/sys mount options"
  assert_match ",$(mnt_opts "$MOUNTINFO" /dev)," ',nosuid,' "/dev mount options"
  assert_match ",$(mnt_opts "$MOUNTINFO" /dev/pts)," ',noexec,' "/dev/pts mount options"
  # and the kernel refuses writes there
  cfg_sh 'if mkdir /sys/hydra-test 2>/dev/null; then echo writable; else echo read-only; fi'
  run hr run --bundle "$BUNDLE" "$TAG-w"
  [ "$status" -eq 0 ]
  assert_eq "$output" read-only "/sys"
}

@test "mounts: a read-only /dev is made so once /dev/pts and the devices are in it (runc's finalizeRootfs)" {
  requires_root
  cfg '(.mounts[] | select(.destination == "/dev") | .options) += ["ro"] | .process.terminal = false'
  container_mountinfo
  assert_match ",$(mnt_opts "$MOUNTINFO" /dev)," ',ro,' "/dev mount options"
  assert_eq "$(mnt_fstype "$MOUNTINFO" /dev/pts)" devpts "/dev/pts"
  assert_eq "$(mnt_fstype "$MOUNTINFO" /dev/shm)" tmpfs "/dev/shm"
  # the submounts keep their own options: /dev/shm stays writable
  ! [[ ",$(mnt_opts "$MOUNTINFO" /dev/shm)," == *,ro,* ]] || fail "/dev/shm became read-only"
  cfg_sh 'test -c /dev/null && test -L /dev/ptmx && test -c /dev/pts/ptmx || exit 3
          echo x >/dev/null || exit 4
          if touch /dev/new 2>/dev/null; then echo writable; else echo read-only; fi
          echo y >/dev/shm/f && echo shm-ok'
  run --separate-stderr hr run --bundle "$BUNDLE" "$TAG-w"
  [ "$status" -eq 0 ] || fail "status $status: $output $stderr"
  assert_eq "$output" "read-only
shm-ok" "/dev"
}

@test "mounts: the root is the bundle's rootfs, the host's root is not visible" {
  requires_root
  container_mountinfo
  local host_root_dev
  host_root_dev=$(awk '$5 == "/" { d = $3 } END { print d }' /proc/self/mountinfo)
  # the "/" mount inside shows a subtree (our rootfs), never a filesystem's root
  local root_line
  root_line=$(printf '%s\n' "$MOUNTINFO" | awk '$5 == "/"' | tail -n1)
  [ -n "$root_line" ] || fail "no / mount inside"
  [ "$(awk '{print $4}' <<<"$root_line")" != / ] || fail "/ inside is the root of a filesystem: $root_line"
  # no mount of the host's root filesystem root anywhere inside
  if printf '%s\n' "$MOUNTINFO" | awk -v d="$host_root_dev" '$3 == d && $4 == "/"' | grep -q .; then
    fail "the host's root filesystem is mounted inside"
  fi
  cfg_sh 'cat /.hydra-test-rootfs; ls /etc; test -e /usr && echo "has /usr"; true'
  run hr run --bundle "$BUNDLE" "$TAG-ls"
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = hydra-test-rootfs ]
  [[ $output != *"has /usr"* ]] || fail "the host's /usr is visible"
  [[ $output != *os-release* ]] || fail "the host's /etc is visible"
}

@test "mounts: root.readonly makes / read-only; /tmp-like mounts stay writable" {
  requires_root
  cfg '.root.readonly = true
     | .mounts += [{"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev"]}]'
  cfg_sh 'touch /x 2>/dev/null && echo root-writable; touch /tmp/x && echo tmp-writable'
  run hr run --bundle "$BUNDLE" "$TAG"
  echo "$output"
  [ "$status" -eq 0 ]
  assert_eq "$output" tmp-writable
  [ ! -e "$BUNDLE/rootfs/x" ]
}

@test "mounts: a bind mount from the config shows the host directory" {
  requires_root
  cfg_hostdir
  echo "from the host" >"$HOSTDIR/in"
  cfg_sh 'cat /host/in; echo "from the container" > /host/out'
  run hr run --bundle "$BUNDLE" "$TAG"
  [ "$status" -eq 0 ]
  assert_eq "$output" "from the host"
  assert_eq "$(cat "$HOSTDIR/out")" "from the container"
  # and the bind mount did not leak into the host's mount table
  ! grep -q " $BUNDLE/rootfs/host " /proc/self/mountinfo
}

@test "devices: /dev/null, zero, full, random, urandom, tty are char devices with the right numbers" {
  requires_root
  cfg_sh 'for d in null zero full random urandom tty; do stat -c "%n %F %t:%T" /dev/$d; done'
  run --separate-stderr hr run --bundle "$BUNDLE" "$TAG"
  echo "$output"
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "/dev/null character special file 1:3" ]
  [ "${lines[1]}" = "/dev/zero character special file 1:5" ]
  [ "${lines[2]}" = "/dev/full character special file 1:7" ]
  [ "${lines[3]}" = "/dev/random character special file 1:8" ]
  [ "${lines[4]}" = "/dev/urandom character special file 1:9" ]
  [ "${lines[5]}" = "/dev/tty character special file 5:0" ]
}

@test "devices: they work (read zeros, write to null, full is full)" {
  requires_root
  cfg_sh 'echo x > /dev/null && echo null-ok
          head -c 8 /dev/zero | wc -c
          head -c 16 /dev/urandom | wc -c
          if echo x > /dev/full 2>/dev/null; then echo full-accepted; else echo full-refused; fi'
  run --separate-stderr hr run --bundle "$BUNDLE" "$TAG"
  echo "$output"
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = null-ok ]
  [ "$(echo ${lines[1]})" = 8 ]
  [ "$(echo ${lines[2]})" = 16 ]
  [ "${lines[3]}" = full-refused ]
}

@test "devices: /dev/fd, /dev/stdin, /dev/stdout, /dev/stderr, /dev/ptmx symlinks" {
  requires_root
  cfg_sh 'for l in fd stdin stdout stderr ptmx; do echo "$l -> $(readlink /dev/$l)"; done; ls /dev/fd/ >/dev/null && echo fd-ok'
  run --separate-stderr hr run --bundle "$BUNDLE" "$TAG"
  echo "$output"
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "fd -> /proc/self/fd" ]
  [ "${lines[1]}" = "stdin -> /proc/self/fd/0" ]
  [ "${lines[2]}" = "stdout -> /proc/self/fd/1" ]
  [ "${lines[3]}" = "stderr -> /proc/self/fd/2" ]
  [ "${lines[4]}" = "ptmx -> pts/ptmx" ]
  [ "${lines[5]}" = fd-ok ]
}

@test "devices: /dev is private: no host devices such as the host's disks" {
  requires_root
  cfg_args ls /dev
  run --separate-stderr hr run --bundle "$BUNDLE" "$TAG"
  [ "$status" -eq 0 ]
  local host_disk
  for host_disk in $(ls /sys/block); do
    [[ " $(echo $output) " != *" $host_disk "* ]] || fail "host device /dev/$host_disk visible inside"
  done
  [[ " $(echo $output) " == *" null "* ]]
}
