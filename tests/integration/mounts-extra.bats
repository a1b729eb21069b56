#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Mount features of runtime-spec 1.3.0 (config.md "Mounts", config-linux.md
# "Rootfs Mount Propagation", "Devices", "Masked/Readonly Paths"), checked
# in the kernel's view: /proc/self/mountinfo inside, stat of nodes.

load helpers

setup_file() { hr_setup_file; }
setup() {
  hr_setup
  HR_HOST_MOUNTS=()
}
teardown() {
  hr_teardown
  local i
  # host mounts the test made, innermost first
  for ((i = ${#HR_HOST_MOUNTS[@]} - 1; i >= 0; i--)); do
    umount -l "${HR_HOST_MOUNTS[i]}" 2>/dev/null || true
  done
}

# host_mount ARGS... MOUNTPOINT: mount(8) on the host, undone in teardown.
host_mount() {
  mount "$@" && HR_HOST_MOUNTS+=("${@: -1}")
}

# mountinfo line of the topmost mount at $2 in text $1
mnt_line() {
  printf '%s\n' "$1" | awk -v mp="$2" '$5 == mp { last = $0 } END { print last }'
}
# optional fields (shared:N master:N unbindable...) of that line
mnt_optional() {
  mnt_line "$1" "$2" | awk '{ s = ""; for (i = 7; i <= NF && $i != "-"; i++) s = s " " $i; print s }'
}

run_ok() {
  run --separate-stderr hr run --bundle "$BUNDLE" "$@"
  echo "$output"
  [ "$status" -eq 0 ] || fail "run failed ($status): $stderr"
}

@test "mount options: every option in features.mountOptions is accepted by the kernel" {
  requires_root
  requires_hydra "runc 1.1.5 lists options (defaults, ...) it hands to tmpfs as data"
  local opts o nmounts=0
  opts=$("$HYDRA_RUNC" features | jq -r '.mountOptions[]')
  for o in $opts; do
    case $o in
      bind | rbind | idmap | ridmap) continue ;; # need a source / mappings: tested below
    esac
    cfg '.mounts += [{"destination": ("/opt/" + $o), "type": "tmpfs", "source": "tmpfs",
                      "options": [$o]}]' --arg o "$o"
    nmounts=$((nmounts + 1))
  done
  [ "$nmounts" -gt 40 ] || fail "only $nmounts options listed"
  cfg_sh 'ls /opt | wc -l'
  run_ok "$TAG"
  assert_eq "$(echo $output)" "$nmounts" "mounts made"
}

@test "mount options: nosuid,nodev,noexec,ro,noatime and fs data land in mountinfo" {
  requires_root
  cfg '.mounts += [{"destination": "/t", "type": "tmpfs", "source": "tmpfs",
                    "options": ["nosuid", "nodev", "noexec", "ro", "noatime", "mode=700", "size=1m"]}]'
  cfg_sh 'cat /proc/self/mountinfo; stat -c "%a" /t'
  run_ok "$TAG"
  local o
  o=$(mnt_opts "$output" /t)
  assert_match ",$o," ',ro,' "/t"
  assert_match ",$o," ',nosuid,' "/t"
  assert_match ",$o," ',nodev,' "/t"
  assert_match ",$o," ',noexec,' "/t"
  assert_match ",$o," ',noatime,' "/t"
  assert_eq "${lines[-1]}" 700 "mode of /t"
  assert_match "$(mnt_line "$output" /t)" 'size=1024k' "tmpfs size"
}

@test "mount options: rro on an rbind makes every submount read-only; ro only the top" {
  requires_root
  mkdir -p "$HOSTDIR/sub"
  host_mount -t tmpfs tmpfs "$HOSTDIR/sub"
  cfg '.mounts += [{"destination": "/rro", "type": "bind", "source": $s, "options": ["rbind", "rro"]},
                   {"destination": "/ro", "type": "bind", "source": $s, "options": ["rbind", "ro"]}]' \
    --arg s "$HOSTDIR"
  cfg_sh 'cat /proc/self/mountinfo
          touch /rro/sub/x 2>/dev/null && echo rro-sub-writable
          touch /ro/sub/y 2>/dev/null && echo ro-sub-writable; true'
  run_ok "$TAG"
  assert_match ",$(mnt_opts "$output" /rro)," ',ro,' "/rro"
  assert_match ",$(mnt_opts "$output" /rro/sub)," ',ro,' "/rro/sub"
  assert_match ",$(mnt_opts "$output" /ro)," ',ro,' "/ro"
  assert_match ",$(mnt_opts "$output" /ro/sub)," ',rw,' "/ro/sub (plain ro is not recursive)"
  [[ $output != *rro-sub-writable* ]] || fail "a submount of an rro mount is writable"
  [[ $output == *ro-sub-writable* ]] || fail "a submount of a plain ro rbind should stay writable"
  [ ! -e "$HOSTDIR/sub/x" ]
}

@test "mount propagation: shared, slave, private, unbindable per mount (mountinfo optional fields)" {
  requires_root
  host_mount --bind "$HOSTDIR" "$HOSTDIR"
  mount --make-shared "$HOSTDIR"
  local host_group
  host_group=$(awk -v mp="$HOSTDIR" '$5 == mp { for (i = 7; $i != "-"; i++) if ($i ~ /^shared:/) print substr($i, 8) }' \
    /proc/self/mountinfo | tail -n1)
  [ -n "$host_group" ] || fail "host mount is not shared"
  local p
  for p in shared rshared slave rslave private rprivate unbindable runbindable none; do
    if [ $p = none ]; then
      cfg '.mounts += [{"destination": "/p/none", "type": "bind", "source": $s, "options": ["rbind"]}]' --arg s "$HOSTDIR"
    else
      cfg '.mounts += [{"destination": ("/p/" + $p), "type": "bind", "source": $s, "options": ["rbind", $p]}]' \
        --arg s "$HOSTDIR" --arg p $p
    fi
  done
  cfg_args cat /proc/self/mountinfo
  run_ok "$TAG"
  assert_match "$(mnt_optional "$output" /p/shared)" ' shared:[0-9]+' "shared"
  assert_match "$(mnt_optional "$output" /p/rshared)" ' shared:[0-9]+' "rshared"
  assert_eq "$(mnt_optional "$output" /p/slave)" " master:$host_group" "slave"
  assert_eq "$(mnt_optional "$output" /p/rslave)" " master:$host_group" "rslave"
  assert_eq "$(mnt_optional "$output" /p/private)" "" "private"
  assert_eq "$(mnt_optional "$output" /p/rprivate)" "" "rprivate"
  assert_eq "$(mnt_optional "$output" /p/unbindable)" " unbindable" "unbindable"
  assert_eq "$(mnt_optional "$output" /p/runbindable)" " unbindable" "runbindable"
  # runc's default: the container's copy is a slave of the host's mount
  assert_eq "$(mnt_optional "$output" /p/none)" " master:$host_group" "default"
}

@test "mount propagation: a host mount under a slave volume reaches the running container" {
  requires_root
  host_mount --bind "$HOSTDIR" "$HOSTDIR"
  mount --make-shared "$HOSTDIR"
  mkdir -p "$HOSTDIR/late"
  cfg '.mounts += [{"destination": "/vol", "type": "bind", "source": $s, "options": ["rbind", "rslave"]}]' \
    --arg s "$HOSTDIR"
  cfg_args sleep 1000
  create_container "$TAG"
  host_mount -t tmpfs -o size=1m late "$HOSTDIR/late"
  local pid
  pid=$(state_field "$TAG" pid)
  grep -q ' /vol/late .* - tmpfs late ' "/proc/$pid/mountinfo" || fail "host mount did not propagate: $(cat /proc/$pid/mountinfo)"
}

@test "rootfsPropagation: shared, slave, private, unbindable on the container's /" {
  requires_root
  requires_hydra "runc 1.1.5 leaves / private with rootfsPropagation shared (1.2 applies it after pivot_root)"
  local p want
  for p in shared slave private unbindable; do
    cfg '.linux.rootfsPropagation = $p' --arg p $p
    cfg_args cat /proc/self/mountinfo
    run_ok "$TAG-$p"
    case $p in
      shared) assert_match "$(mnt_optional "$output" /)" '^ shared:[0-9]+$' "/ with $p" ;;
      unbindable) assert_eq "$(mnt_optional "$output" /)" " unbindable" "/ with $p" ;;
      *) [[ "$(mnt_optional "$output" /)" != *shared:* ]] || fail "/ is shared with rootfsPropagation $p" ;;
    esac
  done
  # and nothing of it reached the host's mount table
  ! grep -q " $BUNDLE/rootfs" /proc/self/mountinfo
}

@test "rootfsPropagation: rshared, rslave, rprivate, runbindable reach the mounts under /" {
  requires_root
  requires_hydra "runc 1.1.5 leaves / private with rshared and fails runbindable (binding the rootfs)"
  # A shared mount under the rootfs: "r" forms act on it too, plain ones do not.
  host_mount -t tmpfs hr-vol "$BUNDLE/rootfs/tmp"
  mount --make-shared "$BUNDLE/rootfs/tmp"
  local p root tmp
  for p in rshared rslave rprivate runbindable; do
    cfg '.linux.rootfsPropagation = $p' --arg p $p
    cfg_args cat /proc/self/mountinfo
    run_ok "$TAG-$p"
    root=$(mnt_optional "$output" /)
    tmp=$(mnt_optional "$output" /tmp)
    case $p in
      rshared)
        assert_match "$root" '^ shared:[0-9]+$' "/ with $p"
        assert_match "$tmp" '^ shared:[0-9]+' "/tmp with $p" ;;
      rslave)
        [[ $root != *shared:* ]] || fail "/ is shared with $p: $root"
        # a slave of the host's peer group: host mounts reach it, its never the host
        assert_match "$tmp" '^ master:[0-9]+$' "/tmp with $p" ;;
      rprivate)
        assert_eq "$root" "" "/ with $p"
        assert_eq "$tmp" "" "/tmp with $p" ;;
      runbindable)
        assert_eq "$root" " unbindable" "/ with $p"
        assert_eq "$tmp" " unbindable" "/tmp with $p" ;;
    esac
  done
  ! grep -q " $BUNDLE/rootfs " /proc/self/mountinfo || fail "rootfs bind leaked to the host"
}

@test "rootfsPropagation shared: pivot_root works even when the rootfs's parent mount is shared" {
  requires_root
  requires_hydra "runc 1.1.5 leaves / private with rootfsPropagation shared"
  host_mount --bind "$BUNDLE" "$BUNDLE"
  mount --make-shared "$BUNDLE"
  cfg '.linux.rootfsPropagation = "shared"'
  cfg_args cat /proc/self/mountinfo
  run_ok "$TAG"
  assert_match "$(mnt_optional "$output" /)" '^ shared:[0-9]+$' "/"
  # the rootfs bind did not propagate into the host's namespace
  ! grep -q " $BUNDLE/rootfs " /proc/self/mountinfo || fail "rootfs bind leaked to the host"
}

@test "--no-pivot: MS_MOVE + chroot into the rootfs" {
  requires_root
  cfg_sh 'cat /.hydra-test-rootfs; test -e /usr && echo has-usr; cat /proc/self/mountinfo; true'
  run --separate-stderr hr run --no-pivot --bundle "$BUNDLE" "$TAG"
  echo "$output"
  [ "$status" -eq 0 ] || fail "run --no-pivot failed: $stderr"
  assert_eq "${lines[0]}" hydra-test-rootfs
  [[ $output != *has-usr* ]] || fail "host root visible"
  assert_eq "$(mnt_fstype "$output" /proc)" proc "/proc"
}

@test "idmapped mounts: uidMappings/gidMappings show host uid X as the mapped uid" {
  requires_root
  requires_hydra "runc 1.1 has no idmapped mounts"
  assert_eq "$("$HYDRA_RUNC" features | jq -r '.linux.mountExtensions.idmap.enabled')" true "features idmap"
  echo data >"$HOSTDIR/f"
  chown 1000:1001 "$HOSTDIR/f"
  mkdir -p "$HOSTDIR/sub"
  host_mount -t tmpfs tmpfs "$HOSTDIR/sub"
  echo x >"$HOSTDIR/sub/g"
  chown 1000:1001 "$HOSTDIR/sub/g"
  cfg '.mounts += [
      {"destination": "/idm", "type": "bind", "source": $s, "options": ["rbind", "idmap"],
       "uidMappings": [{"containerID": 1000, "hostID": 3000, "size": 10}],
       "gidMappings": [{"containerID": 1001, "hostID": 4001, "size": 1}]},
      {"destination": "/ridm", "type": "bind", "source": $s, "options": ["rbind", "ridmap"],
       "uidMappings": [{"containerID": 1000, "hostID": 3000, "size": 10}],
       "gidMappings": [{"containerID": 1001, "hostID": 4001, "size": 1}]},
      {"destination": "/plain", "type": "bind", "source": $s, "options": ["bind"]}]' --arg s "$HOSTDIR"
  cfg_sh 'stat -c "%u:%g" /idm/f /ridm/f /ridm/sub/g /plain/f; grep " /idm " /proc/self/mountinfo'
  run_ok "$TAG"
  assert_eq "${lines[0]}" 3000:4001 "idmapped file"
  assert_eq "${lines[1]}" 3000:4001 "ridmap top"
  assert_eq "${lines[2]}" 3000:4001 "ridmap submount"
  assert_eq "${lines[3]}" 1000:1001 "plain bind"
  assert_match "${lines[4]}" 'idmapped' "mountinfo of /idm"
  # the host's view is unchanged
  assert_eq "$(stat -c %u:%g "$HOSTDIR/f")" 1000:1001
}

@test "idmapped mounts: idmap without mappings is refused with a clear error" {
  requires_root
  requires_hydra "runc 1.1 has no idmapped mounts"
  cfg '.mounts += [{"destination": "/idm", "type": "bind", "source": $s, "options": ["bind", "idmap"]}]' \
    --arg s "$HOSTDIR"
  run --separate-stderr hr_leakcheck run --bundle "$BUNDLE" "$TAG"
  assert_clean_failure 'uidMappings and gidMappings'
}

@test "tmpcopyup: a tmpfs over /etc starts with the rootfs's /etc; writes stay in the tmpfs" {
  requires_root
  mkdir -p "$BUNDLE/rootfs/etc/sub"
  echo deep >"$BUNDLE/rootfs/etc/sub/file"
  chmod 640 "$BUNDLE/rootfs/etc/sub/file"
  ln -s /etc/passwd "$BUNDLE/rootfs/etc/link"
  cfg '.mounts += [{"destination": "/etc", "type": "tmpfs", "source": "tmpfs", "options": ["tmpcopyup", "mode=755"]}]'
  cfg_sh 'grep -c hydra /etc/passwd; cat /etc/sub/file; stat -c %a /etc/sub/file; readlink /etc/link
          echo new > /etc/new; grep " /etc " /proc/self/mountinfo'
  run_ok "$TAG"
  assert_eq "${lines[0]}" 1 "passwd lines with hydra"
  assert_eq "${lines[1]}" deep
  assert_eq "${lines[2]}" 640
  assert_eq "${lines[3]}" /etc/passwd
  assert_match "${lines[4]}" ' - tmpfs ' "/etc is a tmpfs"
  [ ! -e "$BUNDLE/rootfs/etc/new" ] || fail "write reached the rootfs"
}

@test "overlay: lowerdir/upperdir/workdir, writes land in upperdir" {
  requires_root
  mkdir -p "$HOSTDIR"/{l1,l2,upper,work}
  echo one >"$HOSTDIR/l1/a"
  echo two >"$HOSTDIR/l2/b"
  cfg '.mounts += [{"destination": "/ov", "type": "overlay", "source": "overlay",
                    "options": [("lowerdir=" + $d + "/l1:" + $d + "/l2"), ("upperdir=" + $d + "/upper"),
                                ("workdir=" + $d + "/work")]}]' --arg d "$HOSTDIR"
  cfg_sh 'cat /ov/a /ov/b; echo three > /ov/c; grep " /ov " /proc/self/mountinfo'
  run_ok "$TAG"
  assert_eq "${lines[0]}" one
  assert_eq "${lines[1]}" two
  assert_match "${lines[2]}" ' - overlay overlay ' "/ov"
  assert_eq "$(cat "$HOSTDIR/upper/c")" three
}

@test "mount destination: a symlink in the rootfs is resolved inside the rootfs (SecureJoin)" {
  requires_root
  mkdir -p "$BUNDLE/rootfs/real"
  ln -s /real/data "$BUNDLE/rootfs/data"      # dangling: made inside the rootfs
  ln -s ../../../../real "$BUNDLE/rootfs/up"  # climbs: stops at the rootfs
  echo hi >"$HOSTDIR/in"
  cfg '.mounts += [{"destination": "/data", "type": "bind", "source": $s, "options": ["bind"]},
                   {"destination": "/up/x", "type": "tmpfs", "source": "tmpfs"}]' --arg s "$HOSTDIR"
  cfg_sh 'cat /real/data/in; grep -c " /real/x " /proc/self/mountinfo'
  run_ok "$TAG"
  assert_eq "${lines[0]}" hi
  assert_eq "${lines[1]}" 1
  [ -d "$BUNDLE/rootfs/real/data" ] && [ -d "$BUNDLE/rootfs/real/x" ]
}

@test "mount destination: a magic link (/proc/self/root) is refused" {
  requires_root
  requires_hydra "runc 1.1 follows it"
  cfg '.mounts += [{"destination": "/proc/self/root/tmp/x", "type": "tmpfs", "source": "tmpfs"}]'
  run --separate-stderr hr_leakcheck run --bundle "$BUNDLE" "$TAG"
  assert_clean_failure 'magic link|Too many levels'
}

@test "devices: linux.devices with type, major, minor, fileMode, uid, gid" {
  requires_root
  cfg '.linux.devices = [
      {"path": "/dev/hr-char", "type": "c", "major": 1, "minor": 5, "fileMode": 432, "uid": 1000, "gid": 1001},
      {"path": "/dev/sub/hr-block", "type": "b", "major": 7, "minor": 200, "fileMode": 384},
      {"path": "/dev/hr-fifo", "type": "p", "fileMode": 420},
      {"path": "/dev/hr-u", "type": "u", "major": 1, "minor": 3}]'
  cfg_sh 'for d in /dev/hr-char /dev/sub/hr-block /dev/hr-fifo /dev/hr-u; do stat -c "%n %F %t:%T %a %u:%g" $d; done
          head -c 3 /dev/hr-u | wc -c'
  run_ok "$TAG"
  assert_eq "${lines[0]}" "/dev/hr-char character special file 1:5 660 1000:1001"
  assert_eq "${lines[1]}" "/dev/sub/hr-block block special file 7:c8 600 0:0"
  assert_eq "${lines[2]}" "/dev/hr-fifo fifo 0:0 644 0:0"
  assert_eq "${lines[3]}" "/dev/hr-u character special file 1:3 666 0:0"
  assert_eq "$(echo ${lines[4]})" 0 "read from the null device"
}

@test "devices: no /dev/console without a terminal" {
  requires_root
  cfg_sh 'test -e /dev/console && echo console || echo none'
  run_ok "$TAG"
  assert_eq "$output" none
}

@test "maskedPaths: a file is the null device, a directory an empty read-only tmpfs; readonlyPaths are read-only" {
  requires_root
  mkdir -p "$BUNDLE/rootfs/secret-dir"
  echo secret >"$BUNDLE/rootfs/secret-dir/s"
  echo secret >"$BUNDLE/rootfs/secret-file"
  mkdir -p "$BUNDLE/rootfs/ro-dir"
  cfg '.linux.maskedPaths += ["/secret-file", "/secret-dir", "/does/not/exist"]
     | .linux.readonlyPaths += ["/ro-dir", "/not/there"]'
  cfg_sh 'stat -c "%F %t:%T" /secret-file; cat /secret-file; ls -A /secret-dir | wc -l
          touch /secret-dir/x 2>/dev/null && echo masked-dir-writable
          touch /ro-dir/x 2>/dev/null && echo ro-dir-writable
          grep " /secret-dir " /proc/self/mountinfo; grep " /ro-dir " /proc/self/mountinfo
          echo 1 > /proc/sys/kernel/sysrq 2>/dev/null && echo proc-sys-writable; true'
  run_ok "$TAG"
  assert_eq "${lines[0]}" "character special file 1:3"
  assert_eq "$(echo ${lines[1]})" 0 "entries in the masked dir"
  [[ $output != *writable* ]] || fail "a masked or read-only path is writable"
  assert_match "$(mnt_line "$output" /secret-dir)" ' ro,.* - tmpfs ' "/secret-dir"
  assert_match "$(mnt_opts "$output" /ro-dir)" '^ro' "/ro-dir"
  assert_eq "$(cat "$BUNDLE/rootfs/secret-file")" secret
}
