#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Namespaces: new ones where the config asks, the host's where it does not,
# and joining an existing one by path.

load helpers

setup_file() { hr_setup_file; }
setup() { hr_setup; }
teardown() {
  hr_teardown
  # a process the test started in the host's mount namespace (hr_teardown
  # kills only containers')
  [ -z "${HR_SLEEPER:-}" ] || kill -9 "$HR_SLEEPER" 2>/dev/null || true
}

ns_of() { readlink "/proc/$1/ns/$2"; }

@test "namespaces: a created container has its own pid, mnt, ipc, uts, net and cgroup namespaces" {
  requires_root
  cfg_add_ns cgroup
  cfg_args sleep 1000
  create_container "$TAG"
  local pid ns inside host
  pid=$(state_field "$TAG" pid)
  [ "$pid" -gt 0 ]
  for ns in pid mnt ipc uts net cgroup; do
    inside=$(ns_of "$pid" "$ns")
    host=$(ns_of self "$ns")
    [ -n "$inside" ] || fail "cannot read /proc/$pid/ns/$ns"
    [ "$inside" != "$host" ] || fail "$ns namespace is the host's ($host)"
  done
  # no user namespace in the config: the host's
  assert_eq "$(ns_of "$pid" user)" "$(ns_of self user)" "user namespace"
}

@test "namespaces: a namespace left out of the config is the host's (network)" {
  requires_root
  cfg_del_ns network
  cfg_args sleep 1000
  create_container "$TAG"
  local pid
  pid=$(state_field "$TAG" pid)
  assert_eq "$(ns_of "$pid" net)" "$(ns_of self net)" "net namespace"
  [ "$(ns_of "$pid" uts)" != "$(ns_of self uts)" ] || fail "uts namespace is the host's"
}

@test "namespaces: PID namespace shows only the container's processes" {
  requires_root
  cfg_sh 'echo "pid=$$"; ls -d /proc/[0-9]*'
  run --separate-stderr hr run --bundle "$BUNDLE" "$TAG"
  echo "$output"
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = pid=1 ]
  [ "${lines[1]}" = /proc/1 ]
  # the shell and ls: nothing of the host's
  [ "${#lines[@]}" -le 3 ] || fail "too many processes visible: ${lines[*]}"
}

@test "namespaces: network namespace has only loopback; uts hostname is private" {
  requires_root
  cfg '.hostname = "hydra-ns-test"'
  cfg_sh 'ls /sys/class/net; hostname'
  run --separate-stderr hr run --bundle "$BUNDLE" "$TAG"
  echo "$output"
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = lo ]
  [ "${lines[1]}" = hydra-ns-test ]
  [ "$(hostname)" != hydra-ns-test ]
}

@test "namespaces: join an existing network namespace by path" {
  requires_root
  command -v ip >/dev/null || skip "iproute2 (ip) is not installed"
  local netns="$TAG-net"
  ip netns add "$netns"
  HR_NETNS+=("$netns")
  cfg '.linux.namespaces |= map(if .type == "network" then .path = $p else . end)' \
    --arg p "/var/run/netns/$netns"
  cfg_args sleep 1000
  create_container "$TAG"
  local pid
  pid=$(state_field "$TAG" pid)
  assert_eq "$(stat -L -c %i "/proc/$pid/ns/net")" "$(stat -L -c %i "/var/run/netns/$netns")" "net ns inode"
  [ "$(ns_of "$pid" net)" != "$(ns_of self net)" ]
  # other namespaces are still new
  [ "$(ns_of "$pid" uts)" != "$(ns_of self uts)" ]
}

@test "namespaces: the joined network namespace is what the process sees" {
  requires_root
  command -v ip >/dev/null || skip "iproute2 (ip) is not installed"
  local netns="$TAG-net"
  ip netns add "$netns"
  HR_NETNS+=("$netns")
  # something only this namespace has: a loopback MTU of 12345
  ip netns exec "$netns" ip link set lo mtu 12345
  cfg '.linux.namespaces |= map(if .type == "network" then .path = $p else . end)' \
    --arg p "/var/run/netns/$netns"
  cfg_sh 'readlink /proc/self/ns/net; cat /sys/class/net/lo/mtu'
  run --separate-stderr hr run --bundle "$BUNDLE" "$TAG"
  echo "$output"
  [ "$status" -eq 0 ]
  assert_eq "${lines[0]}" "net:[$(stat -L -c %i "/var/run/netns/$netns")]"
  assert_eq "${lines[1]}" 12345 "MTU of lo inside"
  # deleting the container does not remove the namespace file
  [ -e "/var/run/netns/$netns" ]
}

@test "namespaces: joining a namespace path that does not exist fails cleanly" {
  requires_root
  cfg '.linux.namespaces |= map(if .type == "network" then .path = "/var/run/netns/hydra-no-such-ns" else . end)'
  cfg_args true
  run --separate-stderr hr_leakcheck create --bundle "$BUNDLE" "$TAG" </dev/null
  echo "$stderr"
  assert_clean_failure 'hydra-no-such-ns|no such file|does not exist'
}

@test "namespaces: hostname and domainname are set in a uts namespace joined by path" {
  requires_root
  local sleeper host_name host_dom
  host_name=$(hostname)
  host_dom=$(cat /proc/sys/kernel/domainname)
  # (no fd of bats' kept open: bats waits for whoever holds one)
  unshare --uts sleep 1000 </dev/null >/dev/null 2>&1 3>&- &
  sleeper=$!
  HR_SLEEPER=$sleeper
  # wait until the sleeper is in its own uts namespace
  for _ in $(seq 100); do
    [ "$(ns_of "$sleeper" uts)" != "$(ns_of self uts)" ] && break
    sleep 0.05
  done
  cfg '.linux.namespaces |= map(if .type == "uts" then .path = $p else . end)
       | .hostname = "joined-host" | .domainname = "joined.dom"' --arg p "/proc/$sleeper/ns/uts"
  cfg_args hostname
  run --separate-stderr hr run --bundle "$BUNDLE" "$TAG" </dev/null
  echo "$output $stderr"
  [ "$status" -eq 0 ] || fail "run failed ($status): $stderr"
  assert_eq "$output" joined-host "hostname inside"
  # the namespace the container joined has them; the host's kept its own
  assert_eq "$(nsenter -u -t "$sleeper" hostname)" joined-host "hostname in the joined namespace"
  is_runc || # (runc 1.1 ignores domainname)
    assert_eq "$(nsenter -u -t "$sleeper" cat /proc/sys/kernel/domainname)" joined.dom "domainname there"
  kill "$sleeper" 2>/dev/null || true
  assert_eq "$(hostname)" "$host_name" "host hostname"
  assert_eq "$(cat /proc/sys/kernel/domainname)" "$host_dom" "host domainname"
}

@test "namespaces: hostname without any uts namespace is refused" {
  requires_root
  cfg_del_ns uts
  cfg '.hostname = "no-uts"'
  run --separate-stderr hr_leakcheck create --bundle "$BUNDLE" "$TAG" </dev/null
  assert_clean_failure 'unable to set hostname without a private UTS namespace'
  assert_no_cgroup "$TAG"
  [ "$(hostname)" != no-uts ] || fail "host hostname changed"
}

# in_private_mntns SCRIPT: run SCRIPT (bash) in a private copy of the host's
# mount namespace, so that its mount table holds still while parallel
# tests mount on the host, and a runtime that mounts does not reach it.
in_private_mntns() {
  HR_BIN=$HYDRA_RUNC HR_ROOT=$ROOT HR_BUNDLE=$BUNDLE HR_TAG=$TAG HR_OUT=$BATS_TEST_TMPDIR \
    timeout 120 unshare -m --propagation private bash -c "$1" </dev/null
}

@test "namespaces: without a mount namespace the rootfs is entered with no mount: the mount table is unchanged" {
  requires_root
  requires_hydra "runc 1.1 mounts the rootfs and its mounts on the runtime's mount table, and leaves them"
  cfg_del_ns mount
  cfg '.mounts = [] | .linux.maskedPaths = [] | .linux.readonlyPaths = [] | del(.linux.devices) | .root.readonly = false'
  cfg_args sleep 1000
  in_private_mntns '
    r() { "$HR_BIN" --root "$HR_ROOT" "$@"; }
    cat /proc/self/mountinfo >"$HR_OUT/before"
    readlink /proc/self/ns/mnt >"$HR_OUT/ns"
    r create --bundle "$HR_BUNDLE" "$HR_TAG" >/dev/null 2>"$HR_OUT/create.err" || exit 1
    r start "$HR_TAG" || exit 2
    pid=$(r state "$HR_TAG" | jq -r .pid)
    readlink "/proc/$pid/ns/mnt" >"$HR_OUT/init-ns"
    readlink "/proc/$pid/root" >"$HR_OUT/init-root"
    r exec "$HR_TAG" cat /.hydra-test-rootfs >"$HR_OUT/exec" 2>&1 || exit 3
    cat /proc/self/mountinfo >"$HR_OUT/running"
    r delete --force "$HR_TAG" || exit 4
    cat /proc/self/mountinfo >"$HR_OUT/after"
  ' || fail "step $? failed: $(cat "$BATS_TEST_TMPDIR/create.err" 2>/dev/null)"
  assert_eq "$(cat "$BATS_TEST_TMPDIR/init-ns")" "$(cat "$BATS_TEST_TMPDIR/ns")" "the init's mount namespace"
  assert_eq "$(cat "$BATS_TEST_TMPDIR/init-root")" "$(readlink -f "$BUNDLE/rootfs")" "the init's root"
  assert_eq "$(cat "$BATS_TEST_TMPDIR/exec")" hydra-test-rootfs "exec sees the rootfs"
  diff "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/running" || fail "the mount table changed while it ran"
  diff "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after" || fail "the mount table changed"
  assert_no_state_dirs
}

@test "namespaces: without a mount namespace, a config that needs a mount is refused, the mount table unchanged" {
  requires_root
  cfg_del_ns mount
  cfg_args true
  in_private_mntns '
    cat /proc/self/mountinfo >"$HR_OUT/before"
    "$HR_BIN" --root "$HR_ROOT" create --bundle "$HR_BUNDLE" "$HR_TAG" >/dev/null 2>"$HR_OUT/err" && exit 1
    cat /proc/self/mountinfo >"$HR_OUT/after"
    exit 0
  ' || fail "create without a mount namespace succeeded"
  diff "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after" || fail "the mount table changed"
  # (runc refuses the default maskedPaths; hydra-runc names the first field)
  assert_match "$(cat "$BATS_TEST_TMPDIR/err")" "(mount|MNT) namespace" "error"
  assert_no_state_dirs
  assert_no_cgroup "$TAG"
}
