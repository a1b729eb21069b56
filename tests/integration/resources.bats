#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# linux.resources and `update` on this host (cgroup v1 controllers, hybrid
# unified mount): the values the kernel shows in the container's v1 files
# after create and after update, the OOM killer at the memory limit.
# cgroup v2 files are covered by the VM lane (tests/vm/cgroup2-resources.bats).

load helpers

setup_file() { hr_setup_file; }
setup() { hr_setup; }
teardown() { hr_teardown; }

# dir_of PID CONTROLLER: the v1 directory of PID in that hierarchy.
dir_of() {
  local path
  path=$(awk -F: -v c="$2" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' "/proc/$1/cgroup")
  [ -n "$path" ] || return 1
  local base=/sys/fs/cgroup/$2
  [ -d "$base" ] || base=/sys/fs/cgroup/$(awk -F: -v c="$2" '$2 ~ c { print $2 }' "/proc/$1/cgroup")
  echo "$base${path%/}"
}

# cgv PID CONTROLLER FILE: value of a cgroup file of the container.
cgv() {
  local d
  d=$(dir_of "$1" "$2") || return 1
  cat "$d/$3"
}

requires_controller() {
  grep -qE "^[0-9]+:([^:]*,)?$1(,[^:]*)?:" /proc/self/cgroup && [ -d "/sys/fs/cgroup/$1" ] ||
    skip "no v1 $1 hierarchy on this host"
}

base_limits() {
  cfg '.linux.resources.memory = {"limit": 33554432, "reservation": 25165824, "swap": 67108864}
     | .linux.resources.cpu = {"shares": 512, "quota": 50000, "period": 100000, "cpus": "0", "mems": "0"}
     | .linux.resources.pids = {"limit": 20}'
}

@test "resources: memory, cpu, cpuset and pids limits are in place after create" {
  requires_root
  requires_controller memory
  base_limits
  cfg_args sleep 1000
  create_container "$TAG"
  local pid
  pid=$(state_field "$TAG" pid)
  assert_eq "$(cgv "$pid" memory memory.limit_in_bytes)" 33554432 "memory.limit_in_bytes"
  assert_eq "$(cgv "$pid" memory memory.soft_limit_in_bytes)" 25165824 "memory.soft_limit_in_bytes"
  if [ -e "$(dir_of "$pid" memory)/memory.memsw.limit_in_bytes" ]; then
    assert_eq "$(cgv "$pid" memory memory.memsw.limit_in_bytes)" 67108864 "memsw"
  fi
  assert_eq "$(cgv "$pid" cpu cpu.shares)" 512 "cpu.shares"
  assert_eq "$(cgv "$pid" cpu cpu.cfs_quota_us)" 50000 "cfs_quota_us"
  assert_eq "$(cgv "$pid" cpu cpu.cfs_period_us)" 100000 "cfs_period_us"
  assert_eq "$(cgv "$pid" cpuset cpuset.cpus)" 0 "cpuset.cpus"
  assert_eq "$(cgv "$pid" pids pids.max)" 20 "pids.max"
}

@test "resources: swappiness, disableOOMKiller, unlimited pids" {
  requires_root
  requires_controller memory
  cfg '.linux.resources.memory = {"limit": 33554432, "swappiness": 10, "disableOOMKiller": true}
     | .linux.resources.pids = {"limit": -1}'
  cfg_args sleep 1000
  create_container "$TAG"
  local pid
  pid=$(state_field "$TAG" pid)
  assert_eq "$(cgv "$pid" memory memory.swappiness)" 10 "memory.swappiness"
  assert_match "$(cgv "$pid" memory memory.oom_control)" "oom_kill_disable 1" "memory.oom_control"
  assert_eq "$(cgv "$pid" pids pids.max)" max "pids.max"
}

@test "resources: a bad limit fails create cleanly, naming the file" {
  requires_root
  requires_hydra "runc's message differs; hydra names the cgroup file and value"
  cfg '.linux.resources.cpu = {"cpus": "4096"}'
  run --separate-stderr hr_leakcheck create --bundle "$BUNDLE" "$TAG"
  assert_clean_failure "cpuset.cpus"
  assert_no_cgroup "$TAG"
}

@test "update: runc's flags change the cgroup files (memory units, cpu, pids)" {
  requires_root
  requires_controller memory
  base_limits
  cfg_args sleep 1000
  create_container "$TAG"
  hr start "$TAG"
  local pid
  pid=$(state_field "$TAG" pid)
  hr update --memory 64m --memory-swap 128m --memory-reservation 32m --cpu-share 1024 \
    --cpu-period 200000 --cpu-quota 100000 --pids-limit 50 "$TAG"
  assert_eq "$(cgv "$pid" memory memory.limit_in_bytes)" 67108864 "memory.limit_in_bytes"
  assert_eq "$(cgv "$pid" memory memory.soft_limit_in_bytes)" 33554432 "soft limit"
  if [ -e "$(dir_of "$pid" memory)/memory.memsw.limit_in_bytes" ]; then
    assert_eq "$(cgv "$pid" memory memory.memsw.limit_in_bytes)" 134217728 "memsw (raised before the limit)"
  fi
  assert_eq "$(cgv "$pid" cpu cpu.shares)" 1024 "cpu.shares"
  assert_eq "$(cgv "$pid" cpu cpu.cfs_period_us)" 200000 "cfs_period_us"
  assert_eq "$(cgv "$pid" cpu cpu.cfs_quota_us)" 100000 "cfs_quota_us"
  assert_eq "$(cgv "$pid" pids pids.max)" 50 "pids.max"
  # lowering both again works too (limit before memsw)
  hr update --memory 16m --memory-swap 20m "$TAG"
  assert_eq "$(cgv "$pid" memory memory.limit_in_bytes)" 16777216 "lowered limit"
  # flags not given are unchanged
  assert_eq "$(cgv "$pid" cpu cpu.shares)" 1024 "cpu.shares untouched"
  assert_eq "$(cgv "$pid" pids pids.max)" 50 "pids.max untouched"
}

@test "update: --resources FILE and --resources - (stdin); the stored config follows" {
  requires_root
  requires_controller memory
  base_limits
  cfg_args sleep 1000
  create_container "$TAG"
  local pid
  pid=$(state_field "$TAG" pid)
  echo '{"memory": {"limit": 50331648, "swap": 100663296}, "cpu": {"shares": 300, "cpus": "0-1"}}' \
    >"$BATS_TEST_TMPDIR/r.json"
  hr update --resources "$BATS_TEST_TMPDIR/r.json" "$TAG"
  assert_eq "$(cgv "$pid" memory memory.limit_in_bytes)" 50331648 "limit from file"
  assert_eq "$(cgv "$pid" cpu cpu.shares)" 300 "shares from file"
  assert_eq "$(cgv "$pid" cpuset cpuset.cpus)" "$(cat /sys/fs/cgroup/cpuset/cpuset.cpus)" "cpuset.cpus 0-1"
  echo '{"pids": {"limit": 33}, "cpu": {"quota": 20000}}' | hr update -r - "$TAG"
  assert_eq "$(cgv "$pid" pids pids.max)" 33 "pids from stdin"
  assert_eq "$(cgv "$pid" cpu cpu.cfs_quota_us)" 20000 "quota from stdin"
  assert_eq "$(cgv "$pid" cpu cpu.shares)" 300 "shares kept"
  if ! is_runc; then
    local stored
    stored=$(jq -c '.linux.resources | [.memory.limit, .cpu.shares, .cpu.quota, .cpu.cpus, .pids.limit]' \
      "$ROOT/$TAG/config.json")
    assert_eq "$stored" '[50331648,300,20000,"0-1",33]' "stored config"
  fi
}

@test "update: a bad document or value is refused before anything changes" {
  requires_root
  requires_controller memory
  base_limits
  cfg_args sleep 1000
  create_container "$TAG"
  local pid
  pid=$(state_field "$TAG" pid)
  run hr update --memory 10x "$TAG"
  [ "$status" -ne 0 ] || fail "bad memory unit accepted"
  assert_match "$output" "invalid value for memory"
  run hr update -r - "$TAG" <<<'{"memory": {"limit": "big"}}'
  [ "$status" -ne 0 ] || fail "bad document accepted"
  run hr update --l3-cache-schema "L3:0=f" "$TAG"
  [ "$status" -ne 0 ] || fail "l3 cache schema accepted"
  assert_match "$output" "l3 cache schema is not enabled"
  assert_eq "$(cgv "$pid" memory memory.limit_in_bytes)" 33554432 "limit unchanged"
}

@test "update: unified is refused on a v1/hybrid host" {
  requires_root
  cfg_args sleep 1000
  create_container "$TAG"
  run hr update -r - "$TAG" <<<'{"unified": {"memory.high": "1000000"}}'
  [ "$status" -ne 0 ] || fail "unified accepted on cgroup v1"
  assert_match "$output" "unified"
}

@test "update: a stopped container is refused" {
  requires_root
  cfg_args true
  create_container "$TAG"
  hr start "$TAG"
  wait_for_status "$TAG" stopped
  run hr update --pids-limit 10 "$TAG"
  [ "$status" -ne 0 ] || fail "update of a stopped container succeeded"
  assert_match "$output" "not running"
}

@test "update: checkBeforeUpdate refuses a limit below current usage" {
  requires_root
  requires_controller memory
  requires_hydra "checkBeforeUpdate is runtime-spec 1.1 (runc 1.2)"
  cfg_args sleep 1000
  create_container "$TAG"
  run hr update -r - "$TAG" <<<'{"memory": {"limit": 4096, "checkBeforeUpdate": true}}'
  [ "$status" -ne 0 ] || fail "limit below usage accepted"
  assert_match "$output" "below usage"
}

@test "resources: blkio weight when the host has a weight file" {
  requires_root
  requires_controller blkio
  [ -e /sys/fs/cgroup/blkio/blkio.weight ] || [ -e /sys/fs/cgroup/blkio/blkio.bfq.weight ] ||
    skip "no blkio.weight (no CFQ/BFQ)"
  cfg '.linux.resources.blockIO = {"weight": 300}'
  cfg_args sleep 1000
  create_container "$TAG"
  local pid d
  pid=$(state_field "$TAG" pid)
  d=$(dir_of "$pid" blkio)
  if [ -e "$d/blkio.weight" ]; then assert_eq "$(cat "$d/blkio.weight")" 300 "blkio.weight"
  else assert_match "$(cat "$d/blkio.bfq.weight")" "300" "blkio.bfq.weight"; fi
}

@test "resources: blkio throttle" {
  requires_root
  requires_controller blkio
  local dev
  dev=$(lsblk -dno MAJ:MIN 2>/dev/null | head -1 | tr -d ' ')
  [ -n "$dev" ] || skip "no block device"
  cfg '.linux.resources.blockIO = {"throttleReadBpsDevice": [{"major": ($maj|tonumber), "minor": ($min|tonumber), "rate": 1048576}]}' \
    --arg maj "${dev%%:*}" --arg min "${dev##*:}"
  cfg_args sleep 1000
  create_container "$TAG"
  local pid
  pid=$(state_field "$TAG" pid)
  assert_match "$(cgv "$pid" blkio blkio.throttle.read_bps_device)" "^$dev 1048576" "read_bps_device"
}

@test "resources: hugetlb limit when a page size and the controller exist" {
  requires_root
  local size d pid
  size=$(ls /sys/kernel/mm/hugepages 2>/dev/null | head -1 | sed 's/hugepages-//; s/kB//')
  [ -n "$size" ] || skip "no huge page sizes"
  [ "$size" -ge 1048576 ] && size="$((size / 1048576))GB" || size="$((size / 1024))MB"
  cfg '.linux.resources.hugepageLimits = [{"pageSize": $s, "limit": 0}]' --arg s "$size"
  cfg_args sleep 1000
  if ! [ -d /sys/fs/cgroup/hugetlb ] && ! grep -qw hugetlb /sys/fs/cgroup/unified/cgroup.subtree_control 2>/dev/null; then
    # No hugetlb for the container's cgroup: refused (runc: "cannot set
    # hugetlb limit: container could not join or create cgroup").
    run --separate-stderr hr_leakcheck create --bundle "$BUNDLE" "$TAG"
    assert_clean_failure "hugetlb"
    assert_no_cgroup "$TAG"
    return 0
  fi
  create_container "$TAG"
  pid=$(state_field "$TAG" pid)
  if d=$(dir_of "$pid" hugetlb 2>/dev/null) && [ -e "$d/hugetlb.$size.limit_in_bytes" ]; then
    assert_eq "$(cat "$d/hugetlb.$size.limit_in_bytes")" 0 "hugetlb.$size.limit_in_bytes"
  else
    assert_eq "$(cat "/sys/fs/cgroup/unified/$TAG/hugetlb.$size.max")" 0 "hugetlb.$size.max"
  fi
}

@test "resources: net_cls classid" {
  requires_root
  requires_controller net_cls
  cfg '.linux.resources.network = {"classID": 1048577}'
  cfg_args sleep 1000
  create_container "$TAG"
  local pid
  pid=$(state_field "$TAG" pid)
  assert_eq "$(cgv "$pid" net_cls net_cls.classid)" 1048577 "net_cls.classid"
}

@test "resources: a process allocating past the memory limit is OOM-killed" {
  requires_root
  requires_controller memory
  cfg '.linux.resources.memory = {"limit": 16777216, "swap": 16777216}'
  # dd's 100M buffer is touched as it reads /dev/zero into it
  cfg_args dd if=/dev/zero of=/dev/null bs=100M count=1
  create_container "$TAG"
  local pid d
  pid=$(state_field "$TAG" pid)
  d=$(dir_of "$pid" memory)
  hr start "$TAG"
  wait_for_status "$TAG" stopped 30
  assert_match "$(cat "$d/memory.oom_control")" "oom_kill [1-9]" "memory.oom_control oom_kill"
}

@test "resources: run reports 137 for an OOM-killed init" {
  requires_root
  requires_controller memory
  cfg '.linux.resources.memory = {"limit": 16777216, "swap": 16777216}'
  cfg_args dd if=/dev/zero of=/dev/null bs=100M count=1
  run hr run --bundle "$BUNDLE" "$TAG" </dev/null
  assert_eq "$status" 137 "exit status"
}
