#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# VM lane, systemd as PID 1 (run-vm-lane boots systemd for systemd-*.bats):
# the systemd cgroup driver, --systemd-cgroup (runc docs/systemd.md).  The
# container's cgroup is a transient scope, "<prefix>-<name>.scope" in a
# slice, from cgroupsPath "slice:prefix:name"; the default is
# ":hydra-runc:<id>" (runc's is ":runc:<id>").

load vm-helpers

setup_file() {
  [ "${HYDRA_VM_LANE:-}" = 1 ] || return 0
  hr_setup_file
}

setup() {
  requires_vm_lane
  requires_root
  requires_systemd_pid1
  hr_setup
  # The id in a unit name: runc's default prefix differs from ours.
  if is_runc; then PREFIX=runc; else PREFIX=hydra-runc; fi
  UNIT="$PREFIX-$TAG.scope"
}

teardown() {
  hr_teardown
}

# cgroup v2 path of pid $1 ("/system.slice/x.scope").
cg_path() { awk -F: '$1 == "0" { print $3 }' "/proc/$1/cgroup"; }

# sd_create ID: `--systemd-cgroup create` from $BUNDLE, assert it worked.
sd_create() {
  local rc=0 log="$BATS_TEST_TMPDIR/create-$1"
  hr --systemd-cgroup create --bundle "$BUNDLE" "$1" </dev/null >"$log.out" 2>"$log.err" || rc=$?
  [ "$rc" -eq 0 ] || fail "--systemd-cgroup create $1 failed ($rc): $(cat "$log.err")"
  track_pid "$1"
}

@test "systemd driver: features claims it" {
  requires_hydra "features of runc 1.1 does not probe systemd"
  run "$HYDRA_RUNC" features
  [ "$status" -eq 0 ] || fail "features exited $status"
  assert_eq "$(jq -r .linux.cgroup.systemd <<<"$output")" true "features .linux.cgroup.systemd"
}

@test "systemd driver: run puts the init in /system.slice/<prefix>-<id>.scope, in its own cgroup namespace" {
  cfg_del_ns cgroup
  cfg_sh 'cat /proc/self/cgroup'
  run hr --systemd-cgroup run --bundle "$BUNDLE" "$TAG" </dev/null
  [ "$status" -eq 0 ] || fail "run exited $status: $output"
  assert_eq "$output" "0::/system.slice/$UNIT" "container's /proc/self/cgroup"
  assert_eq "$(units_named "$UNIT")" "" "units left after run"
  assert_no_state_dirs
  # With a cgroup namespace (made after systemd placed the init) it sees /.
  cfg_add_ns cgroup
  run hr --systemd-cgroup run --bundle "$BUNDLE" "$TAG" </dev/null
  [ "$status" -eq 0 ] || fail "run with a cgroup namespace exited $status: $output"
  assert_eq "$output" "0::/" "container's /proc/self/cgroup in its cgroup namespace"
}

@test "systemd driver: create makes an active scope with the limits; pause works on it; delete removes it" {
  cfg_args sleep 1000
  cfg '.linux.resources = {"memory": {"limit": 67108864}, "pids": {"limit": 77},
                           "cpu": {"shares": 1024, "quota": 50000, "period": 100000}}'
  sd_create "$TAG"
  local pid dir
  pid=$(state_field "$TAG" pid)
  assert_eq "$(cg_path "$pid")" "/system.slice/$UNIT" "cgroup of the init"
  run systemctl status --no-pager "$UNIT"
  [ "$status" -eq 0 ] || fail "systemctl status $UNIT exited $status: $output"
  [[ $output == *"Active: active (running)"* ]] || fail "systemctl status $UNIT: $output"
  [[ $output == *"$pid"* ]] || fail "systemctl status $UNIT does not list the init $pid: $output"
  assert_eq "$(systemctl show -p MemoryMax --value "$UNIT")" 67108864 "MemoryMax"
  assert_eq "$(systemctl show -p TasksMax --value "$UNIT")" 77 "TasksMax"
  assert_eq "$(systemctl show -p CPUQuotaPerSecUSec --value "$UNIT")" 500ms "CPUQuotaPerSecUSec"
  assert_eq "$(systemctl show -p Delegate --value "$UNIT")" yes "Delegate"
  dir=/sys/fs/cgroup/system.slice/$UNIT
  assert_eq "$(cat "$dir/memory.max")" 67108864 "memory.max"
  assert_eq "$(cat "$dir/pids.max")" 77 "pids.max"
  assert_eq "$(cat "$dir/cpu.max")" "50000 100000" "cpu.max"
  # systemd's CPUWeight and the cgroupfs code's cpu.weight agree.
  assert_eq "$(systemctl show -p CPUWeight --value "$UNIT")" "$(cat "$dir/cpu.weight")" "CPUWeight vs cpu.weight"

  hr start "$TAG"
  hr pause "$TAG"
  assert_eq "$(state_field "$TAG" status)" paused "status after pause"
  grep -qx 'frozen 1' "$dir/cgroup.events" || fail "$dir not frozen: $(cat "$dir/cgroup.events")"
  hr resume "$TAG"
  run hr ps "$TAG"
  [ "$status" -eq 0 ] || fail "ps exited $status: $output"
  [[ $output == *sleep* ]] || fail "ps does not show sleep: $output"

  hr delete --force "$TAG"
  wait_for_pid_gone "$pid" 10
  assert_eq "$(units_named "$UNIT")" "" "units left after delete"
  [ ! -e "$dir" ] || fail "$dir left after delete"
  assert_no_state_dirs
}

@test "systemd driver: cgroupsPath slice:prefix:name, nested and root slices" {
  cfg_args sleep 1000
  cfg '.linux.cgroupsPath = $p' --arg p "hydra-test.slice:custom:$TAG"
  sd_create "$TAG"
  local pid
  pid=$(state_field "$TAG" pid)
  # "a-b.slice" is below "a.slice".
  assert_eq "$(cg_path "$pid")" "/hydra.slice/hydra-test.slice/custom-$TAG.scope" "cgroup of the init"
  systemctl is-active -q "custom-$TAG.scope" || fail "custom-$TAG.scope is not active"
  hr delete --force "$TAG"
  assert_eq "$(units_named "custom-$TAG.scope")" "" "units left after delete"

  cfg '.linux.cgroupsPath = $p' --arg p "-:top:$TAG"
  sd_create "$TAG"
  pid=$(state_field "$TAG" pid)
  assert_eq "$(cg_path "$pid")" "/top-$TAG.scope" "cgroup of the init in the root slice"
  hr delete --force "$TAG"
  assert_eq "$(units_named "top-$TAG.scope")" "" "units left after delete"
  assert_no_state_dirs
}

@test "systemd driver: a cgroupsPath not of the form slice:prefix:name is refused, leaving nothing" {
  cfg '.linux.cgroupsPath = "/not/systemd"'
  run --separate-stderr hr_leakcheck --systemd-cgroup create --bundle "$BUNDLE" "$TAG" </dev/null
  assert_clean_failure 'slice:prefix:name'
}
