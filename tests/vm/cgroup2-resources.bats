#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# VM lane: linux.resources and `update` on pure cgroup v2 (memory.max,
# memory.swap.max, cpu.weight from shares, cpu.max, pids.max, io.weight,
# cpuset, unified keys), the OOM killer, pause/resume through cgroup.freeze.

load vm-helpers

setup_file() {
  [ "${HYDRA_VM_LANE:-}" = 1 ] || return 0
  hr_setup_file
}

setup() {
  requires_vm_lane
  requires_root
  hr_setup
}

teardown() {
  hr_teardown
}

# v2 FILE: a file of the container's cgroup ($PID set by start_limited).
v2() { cat "$(cgroup2_dir_of "$PID")/$1"; }

start_limited() {
  cfg_args sleep 1000
  create_container "$TAG"
  PID=$(state_field "$TAG" pid)
}

@test "v2 resources: memory, swap, cpu weight/max, pids after create" {
  cfg '.linux.resources.memory = {"limit": 33554432, "swap": 67108864, "reservation": 16777216}
     | .linux.resources.cpu = {"shares": 1024, "quota": 50000, "period": 100000}
     | .linux.resources.pids = {"limit": 20}'
  start_limited
  assert_eq "$(v2 memory.max)" 33554432 "memory.max"
  assert_eq "$(v2 memory.low)" 16777216 "memory.low"
  if [ -e "$(cgroup2_dir_of "$PID")/memory.swap.max" ]; then
    assert_eq "$(v2 memory.swap.max)" 33554432 "memory.swap.max = swap - limit"
  fi
  assert_eq "$(v2 cpu.weight)" 100 "cpu.weight from shares 1024"
  assert_eq "$(v2 cpu.max)" "50000 100000" "cpu.max"
  assert_eq "$(v2 pids.max)" 20 "pids.max"
}

@test "v2 resources: shares use the quadratic conversion; -1 means max" {
  cfg '.linux.resources.memory = {"limit": -1}
     | .linux.resources.cpu = {"shares": 512, "quota": -1, "period": 200000}
     | .linux.resources.pids = {"limit": 0}'
  start_limited
  assert_eq "$(v2 memory.max)" max "memory.max"
  assert_eq "$(v2 cpu.weight)" 59 "cpu.weight from shares 512"
  assert_eq "$(v2 cpu.max)" "max 200000" "cpu.max"
  assert_eq "$(v2 pids.max)" max "pids.max"
}

@test "v2 resources: io weight, cpuset, unified keys" {
  cfg '.linux.resources.blockIO = {"weight": 500}
     | .linux.resources.cpu = {"cpus": "0", "mems": "0"}
     | .linux.resources.unified = {"memory.high": "50000000", "pids.max": "77"}
     | .linux.resources.pids = {"limit": 5}'
  start_limited
  local d
  d=$(cgroup2_dir_of "$PID")
  if [ -e "$d/io.bfq.weight" ]; then
    assert_match "$(cat "$d/io.bfq.weight")" "500" "io.bfq.weight"
  elif [ -e "$d/io.weight" ]; then
    assert_match "$(cat "$d/io.weight")" "default 4950" "io.weight (blkio 500 converted)"
  fi
  assert_eq "$(v2 cpuset.cpus)" 0 "cpuset.cpus"
  assert_eq "$(v2 cpuset.mems)" 0 "cpuset.mems"
  assert_eq "$(v2 memory.high)" 49999872 "memory.high (page-aligned) from unified"
  assert_eq "$(v2 pids.max)" 77 "unified overrides pids.limit"
}

@test "v2 resources: bad unified keys and realtime are refused cleanly" {
  cfg '.linux.resources.unified = {"../memory.max": "1"}'
  run --separate-stderr hr_leakcheck create --bundle "$BUNDLE" "$TAG"
  assert_clean_failure "must be a file name"
  assert_no_cgroup "$TAG"
  cfg 'del(.linux.resources.unified) | .linux.resources.cpu = {"realtimeRuntime": 1000, "realtimePeriod": 10000}'
  run --separate-stderr hr_leakcheck create --bundle "$BUNDLE" "$TAG"
  assert_clean_failure "realtime"
  assert_no_cgroup "$TAG"
}

@test "v2 update: flags and --resources - change the files and the stored config" {
  cfg '.linux.resources.memory = {"limit": 33554432}
     | .linux.resources.cpu = {"shares": 1024}
     | .linux.resources.pids = {"limit": 20}'
  start_limited
  hr start "$TAG"
  hr update --memory 64m --memory-swap 96m --cpu-share 2048 --cpu-quota 20000 --cpu-period 100000 \
    --pids-limit 30 "$TAG"
  assert_eq "$(v2 memory.max)" 67108864 "memory.max"
  if [ -e "$(cgroup2_dir_of "$PID")/memory.swap.max" ]; then
    assert_eq "$(v2 memory.swap.max)" 33554432 "memory.swap.max"
  fi
  assert_eq "$(v2 cpu.weight)" 174 "cpu.weight from 2048"
  assert_eq "$(v2 cpu.max)" "20000 100000" "cpu.max"
  assert_eq "$(v2 pids.max)" 30 "pids.max"
  echo '{"memory": {"limit": 50331648, "swap": 50331648}, "unified": {"memory.high": "40000000"}}' |
    hr update -r - "$TAG"
  assert_eq "$(v2 memory.max)" 50331648 "memory.max from stdin"
  if [ -e "$(cgroup2_dir_of "$PID")/memory.swap.max" ]; then
    assert_eq "$(v2 memory.swap.max)" 0 "swap == limit: no swap"
  fi
  assert_eq "$(v2 memory.high)" 39997440 "memory.high"
  assert_eq "$(jq -c '.linux.resources | [.memory.limit, .cpu.shares, .pids.limit, .unified["memory.high"]]' \
    "$ROOT/$TAG/config.json")" '[50331648,2048,30,"40000000"]' "stored config"
  run hr update -r - "$TAG" <<<'{"memory": {"limit": 4096, "checkBeforeUpdate": true}}'
  [ "$status" -ne 0 ] || fail "limit below usage accepted"
  assert_match "$output" "below usage"
}

@test "v2 OOM: a process allocating past memory.max is killed (137, oom_kill)" {
  cfg '.linux.resources.memory = {"limit": 16777216, "swap": 16777216}'
  cfg_args dd if=/dev/zero of=/dev/null bs=100M count=1
  create_container "$TAG"
  local pid d
  pid=$(state_field "$TAG" pid)
  d=$(cgroup2_dir_of "$pid")
  hr start "$TAG"
  wait_for_status "$TAG" stopped 30
  assert_match "$(cat "$d/memory.events")" "oom_kill [1-9]" "memory.events"
  hr delete "$TAG"
  run hr run --bundle "$BUNDLE" "$TAG" </dev/null
  assert_eq "$status" 137 "run exit status"
}

@test "v2 pause/resume: cgroup.freeze, cgroup.events, state, exec refused" {
  start_limited
  hr start "$TAG"
  local d
  d=$(cgroup2_dir_of "$PID")
  hr pause "$TAG"
  assert_eq "$(cat "$d/cgroup.freeze")" 1 "cgroup.freeze"
  assert_match "$(cat "$d/cgroup.events")" "frozen 1" "cgroup.events"
  assert_eq "$(state_field "$TAG" status)" paused "state"
  run hr exec "$TAG" true
  [ "$status" -ne 0 ] || fail "exec into a paused container succeeded"
  assert_match "$output" "paused"
  hr resume "$TAG"
  assert_eq "$(cat "$d/cgroup.freeze")" 0 "cgroup.freeze"
  assert_match "$(cat "$d/cgroup.events")" "frozen 0" "cgroup.events"
  assert_eq "$(state_field "$TAG" status)" running "state"
}
