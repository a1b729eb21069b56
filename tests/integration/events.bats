#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# `events`: runc's stats document from the container's cgroup (v1 files on
# this host; cgroup v2 in tests/vm/events-v2.bats), the interval stream and
# OOM notifications.

load helpers

setup_file() { hr_setup_file; }
setup() { hr_setup; }
teardown() { hr_teardown; }

@test "events --stats: one stats object in runc's shape" {
  requires_root
  cfg_sh 'x=$(seq 1 20000); sleep 1000'
  create_container "$TAG"
  hr start "$TAG"
  sleep 0.5
  run hr events --stats "$TAG"
  [ "$status" -eq 0 ] || fail "events --stats: $output"
  assert_eq "${#lines[@]}" 1 "one line"
  echo "$output" | jq -e . >/dev/null || fail "not JSON: $output"
  assert_eq "$(jq -r .type <<<"$output")" stats "type"
  assert_eq "$(jq -r .id <<<"$output")" "$TAG" "id"
  jq -e '.data.memory.usage.usage > 0' <<<"$output" >/dev/null || fail "memory usage: $output"
  jq -e '.data.memory.usage | has("limit") and has("failcnt")' <<<"$output" >/dev/null || fail "memory.usage fields"
  jq -e '.data.memory.raw | has("rss") or has("anon")' <<<"$output" >/dev/null || fail "memory.raw: $output"
  jq -e '.data.pids.current >= 1' <<<"$output" >/dev/null || fail "pids.current: $output"
  jq -e '.data.cpu.usage.total > 0 and (.data.cpu.usage.percpu | length) >= 1' <<<"$output" >/dev/null ||
    fail "cpu usage: $output"
  jq -e '.data.cpu.usage | has("kernel") and has("user")' <<<"$output" >/dev/null || fail "cpu kernel/user"
  jq -e '.data | has("blkio") and has("hugetlb") and has("cpuset") and has("network_interfaces")' \
    <<<"$output" >/dev/null || fail "sections: $output"
}

@test "events --stats: the memory limit of the config shows" {
  requires_root
  cfg '.linux.resources.memory.limit = 67108864'
  cfg_args sleep 1000
  create_container "$TAG"
  hr start "$TAG"
  run hr events --stats "$TAG"
  [ "$status" -eq 0 ] || fail "events --stats: $output"
  assert_eq "$(jq -r .data.memory.usage.limit <<<"$output")" 67108864 "memory.usage.limit"
}

@test "events: streams one stats object per interval" {
  requires_root
  cfg_args sleep 1000
  create_container "$TAG"
  hr start "$TAG"
  local out="$BATS_TEST_TMPDIR/events.out"
  timeout 3.5 "$HYDRA_RUNC" --root "$ROOT" events --interval 1s "$TAG" >"$out" 2>&1 </dev/null || true
  local n
  n=$(jq -c 'select(.type == "stats")' "$out" | wc -l)
  [ "$n" -ge 2 ] || fail "$n stats objects in 3.5s at 1s: $(cat "$out")"
  [ "$n" -le 4 ] || fail "$n stats objects in 3.5s at 1s"
}

@test "events: ends when the container stops" {
  requires_root
  requires_hydra "runc 1.1 streams until the container's cgroup is removed (delete)"
  cfg_args sleep 2
  create_container "$TAG"
  hr start "$TAG"
  run timeout 10 "$HYDRA_RUNC" --root "$ROOT" events --interval 500ms "$TAG"
  [ "$status" -eq 0 ] || fail "events: status $status: $output"
  [ "${#lines[@]}" -ge 2 ] || fail "stats lines: $output"
}

@test "events: an OOM kill in the container is reported" {
  requires_root
  cfg '.linux.resources.memory.limit = 16777216 | .linux.resources.memory.swap = 16777216'
  # tail keeps a line that never ends: it grows until the OOM killer
  # takes it; the init (sh) lives on.
  cfg_sh 'sleep 1; tail /dev/zero; sleep 1000'
  create_container "$TAG"
  hr start "$TAG"
  local out="$BATS_TEST_TMPDIR/events.out"
  timeout 15 "$HYDRA_RUNC" --root "$ROOT" events --interval 1s "$TAG" >"$out" 2>&1 </dev/null &
  local ev=$! i
  for ((i = 0; i < 150; i++)); do
    grep -q '"type":"oom"' "$out" && break
    sleep 0.1
  done
  kill "$ev" 2>/dev/null || true
  wait "$ev" 2>/dev/null || true
  grep -q '"type":"oom"' "$out" || fail "no oom event: $(cut -c1-300 "$out")"
  assert_eq "$(grep '"type":"oom"' "$out" | head -n1 | jq -c .)" "{\"type\":\"oom\",\"id\":\"$TAG\"}" "oom event"
}

@test "events: a stopped container is refused" {
  requires_root
  cfg_args true
  create_container "$TAG"
  hr start "$TAG"
  local pid i
  for ((i = 0; i < 100; i++)); do
    [ "$(state_field "$TAG" status)" = stopped ] && break
    sleep 0.05
  done
  run hr events --stats "$TAG"
  [ "$status" -ne 0 ] || fail "events on a stopped container succeeded: $output"
  assert_match "$output" "is not running"
}

@test "events: --interval must be positive" {
  requires_root
  cfg_args sleep 1000
  create_container "$TAG"
  run hr events --interval 0s "$TAG"
  [ "$status" -ne 0 ] || fail "interval 0 accepted"
  assert_match "$output" "duration interval must be greater than 0"
}
