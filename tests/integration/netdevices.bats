#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# linux.netDevices (runtime-spec 1.3 config-linux.md "Network Devices"):
# host devices moved into the container's network namespace at create,
# renamed per `name`, with their permanent global addresses, and up.
# Each test makes its own veth pair (this host has no dummy driver) with
# names unique to the test, and removes whatever is left of it.

load helpers

setup_file() { hr_setup_file; }

setup() {
  hr_setup
  command -v ip >/dev/null || skip "iproute2 (ip) is not installed"
  # IFNAMSIZ is 16: keep the names short and unique per test and run.
  NA="hv$(($$ % 10000))x${BATS_TEST_NUMBER}a"
  NB="hv$(($$ % 10000))x${BATS_TEST_NUMBER}b"
  NET="10.$((200 + BATS_TEST_NUMBER % 50)).$(($$ % 250)).1"
}

teardown() {
  hr_teardown
  ip link del "$NA" 2>/dev/null || true
  ip link del "$NB" 2>/dev/null || true
}

make_veth() {
  ip link add "$NA" type veth peer name "$NB"
  ip addr add "$NET/24" dev "$NA"
  ip -6 addr add "fd00:$(($$ % 9999))::${BATS_TEST_NUMBER}/64" dev "$NA"
}

host_has() { ip link show dev "$1" >/dev/null 2>&1; }

# create_show_addr DEV: create the container (sleeping), then $output is
# the IPv4 addresses of DEV in its network namespace, seen from the host.
create_show_addr() {
  cfg_args sleep 1000
  create_container "$TAG"
  local pid
  pid=$(state_field "$TAG" pid)
  run nsenter -n -t "$pid" ip -4 -o addr show dev "$1"
  echo "$output"
}

@test "netDevices: the device moves into the container, with its address, up" {
  requires_root
  requires_hydra "runtime-spec 1.3 netDevices (runc 1.1 ignores the field)"
  make_veth
  local mac pid
  mac=$(cat "/sys/class/net/$NA/address")
  cfg '.linux.netDevices = {($d): {}}' --arg d "$NA"
  cfg_args sleep 1000
  create_container "$TAG"
  pid=$(state_field "$TAG" pid)
  # Gone from the host while the container exists; its peer stays.
  ! host_has "$NA" || fail "$NA is still in the host's network namespace"
  host_has "$NB" || fail "peer $NB vanished from the host"
  # In the container's namespace under its own name, with both addresses.
  run nsenter -n -t "$pid" ip -o addr show dev "$NA"
  echo "$output"
  [ "$status" -eq 0 ]
  assert_match "$output" "inet $NET/24 " "IPv4 address inside"
  assert_match "$output" "inet6 fd00:$(($$ % 9999))::${BATS_TEST_NUMBER}/64 " "IPv6 address inside"
  run nsenter -n -t "$pid" ip -o link show dev "$NA"
  assert_match "$output" "<[^>]*\bUP\b" "link flags inside"
  # ... and the container's own view (its sysfs) agrees: same device.
  run hr exec "$TAG" cat "/sys/class/net/$NA/address"
  [ "$status" -eq 0 ]
  assert_eq "$output" "$mac" "MAC seen from inside"
}

@test "netDevices: name renames the device inside the container" {
  requires_root
  requires_hydra "runtime-spec 1.3 netDevices"
  make_veth
  local mac
  mac=$(cat "/sys/class/net/$NA/address")
  cfg '.linux.netDevices = {($d): {"name": "ctr0"}}' --arg d "$NA"
  cfg_sh 'cat /sys/class/net/ctr0/address; cat /sys/class/net/ctr0/operstate; ls /sys/class/net'
  run --separate-stderr hr run --bundle "$BUNDLE" "$TAG"
  echo "$output $stderr"
  [ "$status" -eq 0 ]
  assert_eq "${lines[0]}" "$mac" "MAC of ctr0 inside"
  # A veth whose peer is down reports lowerlayerdown, not down: the
  # device itself was brought up.
  [ "${lines[1]}" != down ] || fail "ctr0 is down inside the container"
  [[ " ${lines[*]:2} " != *" $NA "* ]] || fail "the old name is still there: ${lines[*]:2}"
}

@test "netDevices: the address is on the renamed device (seen from the host side)" {
  requires_root
  requires_hydra "runtime-spec 1.3 netDevices"
  make_veth
  cfg '.linux.netDevices = {($d): {"name": "eth7"}}' --arg d "$NA"
  create_show_addr eth7
  assert_match "$output" "inet $NET/24 " "IPv4 address on eth7"
}

@test "netDevices: a name with %d is a template the kernel expands" {
  requires_root
  requires_hydra "runtime-spec 1.3 netDevices"
  make_veth
  cfg '.linux.netDevices = {($d): {"name": "tpl%d"}}' --arg d "$NA"
  cfg_sh 'ls /sys/class/net'
  run --separate-stderr hr run --bundle "$BUNDLE" "$TAG"
  echo "$output $stderr"
  [ "$status" -eq 0 ]
  [[ " ${lines[*]} " == *" tpl0 "* ]] || fail "no tpl0 inside: ${lines[*]}"
}

@test "netDevices: into the network namespace of a new user namespace" {
  requires_root
  requires_hydra "runtime-spec 1.3 netDevices"
  make_veth
  cfg_add_ns user
  cfg '.linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
     | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
  chown -R 100000:100000 "$BUNDLE/rootfs"
  chmod o+x "$BATS_RUN_TMPDIR" "$BATS_RUN_TMPDIR/test" "$BATS_TEST_TMPDIR" "$BUNDLE" 2>/dev/null || true
  cfg '.linux.netDevices = {($d): {"name": "usr0"}}' --arg d "$NA"
  create_show_addr usr0
  assert_match "$output" "inet $NET/24 " "address in the user-owned network namespace"
}

@test "netDevices: delete does not move the device back (runtime-spec MUST NOT); a veth goes with the namespace" {
  requires_root
  requires_hydra "runtime-spec 1.3 netDevices"
  make_veth
  cfg '.linux.netDevices = {($d): {"name": "ctr0"}}' --arg d "$NA"
  cfg_args sleep 1000
  create_container "$TAG"
  ! host_has "$NA" || fail "$NA still in the host"
  hr delete --force "$TAG"
  # The namespace died with the init: the kernel destroyed the veth
  # (and its peer); nothing came back under either name.
  local i
  for ((i = 0; i < 100; i++)); do
    host_has "$NB" || break
    sleep 0.05
  done
  ! host_has "$NA" || fail "$NA came back"
  ! host_has ctr0 || fail "ctr0 appeared in the host"
  ! host_has "$NB" || fail "peer $NB survived its pair"
}

@test "netDevices: a device that does not exist is refused before anything is created" {
  requires_root
  requires_hydra "runtime-spec 1.3 netDevices"
  cfg '.linux.netDevices = {($d): {}}' --arg d "$NA"
  run --separate-stderr hr_leakcheck create --bundle "$BUNDLE" "$TAG"
  assert_clean_failure "netDevices.*$NA.*(does not exist|No such device)"
  assert_no_cgroup "$TAG"
}

@test "netDevices: refused without a network namespace of the container's own" {
  requires_root
  requires_hydra "runtime-spec 1.3 netDevices"
  make_veth
  cfg_del_ns network
  cfg '.linux.netDevices = {($d): {}}' --arg d "$NA"
  run --separate-stderr hr_leakcheck create --bundle "$BUNDLE" "$TAG"
  assert_clean_failure "netDevices.*network namespace"
  host_has "$NA" || fail "$NA left the host"
  assert_eq "$(ip -4 -o addr show dev "$NA" | awk '{print $4}')" "$NET/24" "address kept"
}

@test "netDevices: refused when the joined network namespace is the runtime's own" {
  requires_root
  requires_hydra "runtime-spec 1.3 netDevices"
  make_veth
  cfg '.linux.namespaces |= map(if .type == "network" then .path = "/proc/self/ns/net" else . end)'
  cfg '.linux.netDevices = {($d): {}}' --arg d "$NA"
  run --separate-stderr hr_leakcheck create --bundle "$BUNDLE" "$TAG"
  assert_clean_failure "netDevices.*network namespace"
  host_has "$NA" || fail "$NA left the host"
}

@test "netDevices: into a joined network namespace" {
  requires_root
  requires_hydra "runtime-spec 1.3 netDevices"
  make_veth
  local netns="$TAG-net"
  ip netns add "$netns"
  HR_NETNS+=("$netns")
  cfg '.linux.namespaces |= map(if .type == "network" then .path = $p else . end)' \
    --arg p "/var/run/netns/$netns"
  cfg '.linux.netDevices = {($d): {"name": "joined0"}}' --arg d "$NA"
  cfg_args sleep 1000
  create_container "$TAG"
  run ip -n "$netns" -4 -o addr show dev joined0
  echo "$output"
  assert_match "$output" "inet $NET/24 " "address in the joined namespace"
  ! host_has "$NA" || fail "$NA still in the host"
}

@test "netDevices: invalid or duplicate names are refused before anything is created" {
  requires_root
  requires_hydra "runtime-spec 1.3 netDevices"
  make_veth
  local bad
  for bad in '{"name": "a/b"}' '{"name": ".."}' '{"name": "0123456789abcdef"}' '{"name": "has space"}'; do
    cfg '.linux.netDevices = {($d): $v}' --arg d "$NA" --argjson v "$bad"
    run --separate-stderr hr_leakcheck create --bundle "$BUNDLE" "$TAG"
    assert_clean_failure "netDevices.*(invalid|name)"
  done
  cfg '.linux.netDevices = {($a): {"name": "same0"}, ($b): {"name": "same0"}}' --arg a "$NA" --arg b "$NB"
  run --separate-stderr hr_leakcheck create --bundle "$BUNDLE" "$TAG"
  assert_clean_failure "netDevices.*same0"
  host_has "$NA" && host_has "$NB" || fail "a device left the host"
}

@test "netDevices: a move that fails half way puts the moved devices back" {
  requires_root
  requires_hydra "runtime-spec 1.3 netDevices"
  make_veth
  # The second device is renamed to `lo`, which the new namespace already
  # has: the kernel refuses that move after the first one was made.
  cfg '.linux.netDevices = {($a): {"name": "first0"}, ($b): {"name": "lo"}}' --arg a "$NA" --arg b "$NB"
  run --separate-stderr hr_leakcheck create --bundle "$BUNDLE" "$TAG"
  assert_clean_failure "netDevices.*$NB"
  host_has "$NA" || fail "$NA was not moved back"
  host_has "$NB" || fail "$NB is gone"
  assert_eq "$(ip -4 -o addr show dev "$NA" | awk '{print $4}')" "$NET/24" "address of $NA after the rollback"
}

@test "netDevices: a create that fails after the move puts the devices back" {
  requires_root
  requires_hydra "runtime-spec 1.3 netDevices"
  make_veth
  cfg '.linux.netDevices = {($d): {"name": "ctr0"}}' --arg d "$NA"
  cfg_args /no/such/binary
  run --separate-stderr hr_leakcheck create --bundle "$BUNDLE" "$TAG"
  assert_clean_failure "no/such/binary"
  host_has "$NA" || fail "$NA was not moved back"
  host_has "$NB" || fail "peer $NB is gone"
  ! host_has ctr0 || fail "ctr0 is in the host"
  assert_eq "$(ip -4 -o addr show dev "$NA" | awk '{print $4}')" "$NET/24" "address of $NA after the rollback"
}

@test "features: netDevices is enabled" {
  requires_hydra "runtime-spec 1.3 netDevices"
  run --separate-stderr "$HYDRA_RUNC" features
  [ "$status" -eq 0 ]
  assert_eq "$(printf '%s\n' "$output" | jq -r '.linux.netDevices.enabled')" true "linux.netDevices.enabled"
}
