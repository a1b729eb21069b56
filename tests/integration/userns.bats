#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# User and time namespaces, and the loopback device of a new network
# namespace (runtime-spec config-linux.md "Namespaces", "User namespace
# mappings", "Offset for Time Namespace").

load helpers
load tty-helpers

setup_file() { hr_setup_file; }
setup() { hr_setup; }
teardown() { hr_teardown; }

# A user namespace mapping container 0..65535 to host 100000..165535; the
# rootfs must belong to the mapped root.
cfg_userns() {
  cfg_add_ns user
  cfg '.linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
     | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
  chown -R 100000:100000 "$BUNDLE/rootfs"
  # The mapped root must be able to reach the rootfs (as with runc).
  chmod o+x "$BATS_RUN_TMPDIR" "$BATS_RUN_TMPDIR/test" "$BATS_TEST_TMPDIR" "$BUNDLE" 2>/dev/null || true
}

@test "userns: the init runs in a new user namespace with the configured maps" {
  requires_root
  cfg_userns
  cfg_args sleep 1000
  create_container "$TAG"
  local pid
  pid=$(state_field "$TAG" pid)
  [ "$(readlink /proc/$pid/ns/user)" != "$(readlink /proc/self/ns/user)" ] || fail "user namespace is the host's"
  assert_eq "$(awk '{print $1, $2, $3}' /proc/$pid/uid_map)" "0 100000 65536" "uid_map"
  assert_eq "$(awk '{print $1, $2, $3}' /proc/$pid/gid_map)" "0 100000 65536" "gid_map"
  # host view: the process runs as the mapped uid
  assert_eq "$(awk '/^Uid:/{print $2}' /proc/$pid/status)" "100000" "host uid of the init"
  hr start "$TAG"
}

@test "userns: inside, the process is root of its namespace and sees its files as root's" {
  requires_root
  cfg_userns
  cfg_sh 'id -u; stat -c %u /bin/busybox; grep CapEff /proc/self/status'
  run hr run --bundle "$BUNDLE" "$TAG"
  [ "$status" -eq 0 ] || fail "run failed: $output"
  assert_eq "${lines[0]}" "0" "uid inside"
  assert_eq "${lines[1]}" "0" "owner of the rootfs files inside"
}

@test "userns: a bind source under a directory only host root may search is opened as host root (runc 1.1)" {
  requires_root
  cfg_userns
  # /secret (0700, host root's) holds the source: the mapped root can
  # never search it, the runtime (host root) can.  The source itself and
  # its content are world-readable.
  local secret="$BATS_TEST_TMPDIR/secret"
  mkdir -p "$secret/src"
  echo visible-inside >"$secret/src/file"
  chmod 0700 "$secret"
  chmod 0755 "$secret/src"
  chown 0:0 "$secret"
  cfg '.mounts += [{"destination": "/shared", "type": "bind", "source": $src, "options": ["rbind", "ro"]},
                   {"destination": "/shared-rel", "type": "bind", "source": "secret-rel/src", "options": ["bind"]}]' \
    --arg src "$secret/src"
  # a relative source (from the bundle) under such a directory too
  mkdir -p "$BUNDLE/secret-rel/src"
  echo relative-inside >"$BUNDLE/secret-rel/src/file"
  chmod 0700 "$BUNDLE/secret-rel"
  chmod 0755 "$BUNDLE/secret-rel/src"
  cfg_sh 'cat /shared/file /shared-rel/file; id -u'
  run --separate-stderr hr run --bundle "$BUNDLE" "$TAG"
  [ "$status" -eq 0 ] || fail "run failed ($status): $stderr"
  assert_eq "$output" "visible-inside
relative-inside
0"
  # the kernel's view while it runs: the bind is there, read-only, and the
  # process is the mapped (unprivileged) host uid
  cfg_sh 'cat /proc/self/mountinfo; sleep 1000'
  create_container "$TAG-k"
  local pid
  pid=$(state_field "$TAG-k" pid)
  assert_eq "$(awk '/^Uid:/{print $2}' /proc/$pid/status)" "100000" "host uid of the init"
  assert_match "$(awk '$5 == "/shared" {print $6}' /proc/$pid/mountinfo)" '(^|,)ro(,|$)' "/shared mount options"
  assert_eq "$(cat /proc/$pid/root/shared/file)" visible-inside "/shared seen through the init's root"
}

@test "userns: a missing bind source is refused by name and leaves nothing" {
  requires_root
  requires_hydra "error wording"
  cfg_userns
  cfg '.mounts += [{"destination": "/shared", "type": "bind", "source": "/nonexistent-hydra-src", "options": ["bind"]}]'
  run --separate-stderr hr_leakcheck create --bundle "$BUNDLE" "$TAG" </dev/null
  assert_clean_failure 'bind mount source `/nonexistent-hydra-src`: No such file or directory'
  assert_no_cgroup "$TAG"
}

@test "userns: exec -t -u 1000 gives its pty to the process (created by the namespace's root, not host root)" {
  requires_root
  cfg_userns
  cfg_args sleep 1000
  create_container "$TAG"
  hr start "$TAG"
  assert_exec_tty_owner "$TAG" 1000:5
}

@test "userns: a cgroup mount without a cgroup namespace binds the container's own cgroups" {
  requires_root
  # A new cgroupfs instance is refused in a user namespace (EPERM): runc
  # binds the container's directories of the host's hierarchies.
  cfg_userns
  cfg_del_ns cgroup
  cfg_args sleep 1000
  create_container "$TAG"
  local pid
  pid=$(state_field "$TAG" pid)
  assert_cgroup_mounts_own "$pid" "$TAG" ro
  hr exec "$TAG" cat /sys/fs/cgroup/pids/pids.max >"$BATS_TEST_TMPDIR/pids.max"
  assert_eq "$(cat "$BATS_TEST_TMPDIR/pids.max")" "$(cat "$(container_cgroup_dirs "$pid" | grep '^/sys/fs/cgroup/pids/')/pids.max")" \
    "pids.max read inside"
}

@test "userns: a new user namespace without mappings is refused and leaves nothing" {
  requires_root
  requires_hydra "error wording"
  cfg_add_ns user
  run hr create --bundle "$BUNDLE" "$TAG"
  [ "$status" -eq 1 ] || fail "create: status $status"
  assert_match "$output" "uidMappings"
  assert_no_state_dirs
}

@test "timens: timeOffsets move the container's monotonic and boottime clocks" {
  requires_root
  requires_hydra "runc 1.1 has no time namespaces"
  cfg_add_ns time
  cfg '.linux.timeOffsets = {"boottime": {"secs": 864000, "nanosecs": 0}, "monotonic": {"secs": 432000}}'
  cfg_args sleep 1000
  create_container "$TAG"
  local pid up_host up_in
  pid=$(state_field "$TAG" pid)
  [ "$(readlink /proc/$pid/ns/time)" != "$(readlink /proc/self/ns/time)" ] || fail "time namespace is the host's"
  local offs
  offs=$(awk '{print $1, $2, $3}' /proc/$pid/timens_offsets | tr '\n' ';')
  assert_match "$offs" "monotonic 432000 0"
  assert_match "$offs" "boottime 864000 0"
  hr start "$TAG"
  # /proc/uptime is boottime: inside it is ten days ahead of ours
  up_host=$(cut -d. -f1 /proc/uptime)
  up_in=$(nsenter -t "$pid" -T cat /proc/uptime | cut -d. -f1)
  [ $((up_in - up_host)) -ge 863990 ] || fail "uptime inside $up_in, host $up_host"
}

@test "timens: timeOffsets without a time namespace are refused" {
  requires_root
  requires_hydra "error wording"
  cfg '.linux.timeOffsets = {"boottime": {"secs": 1}}'
  run hr create --bundle "$BUNDLE" "$TAG"
  [ "$status" -eq 1 ] || fail "create: status $status"
  assert_match "$output" "timeOffsets"
  assert_no_state_dirs
}

@test "netns: lo is up in a new network namespace" {
  requires_root
  cfg_sh 'cat /sys/class/net/lo/flags'
  run hr run --bundle "$BUNDLE" "$TAG"
  [ "$status" -eq 0 ] || fail "run failed: $output"
  # IFF_UP is bit 0
  [ $(( $(printf '%d' "$output") & 1 )) -eq 1 ] || fail "lo flags $output: not up"
}
