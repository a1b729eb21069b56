#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# VM lane: `events` from cgroup v2 files (memory.current/stat/events,
# cpu.stat, pids.*), the interval stream, and OOM kills (memory.events
# oom_kill, watched with inotify).

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

@test "events --stats (v2): memory, pids and cpu of a running container" {
  cfg '.linux.resources.memory.limit = 67108864 | .linux.resources.pids.limit = 100'
  cfg_sh 'x=$(seq 1 20000); sleep 1000'
  create_container "$TAG"
  hr start "$TAG"
  sleep 1
  run hr events --stats "$TAG"
  [ "$status" -eq 0 ] || fail "events --stats: $output"
  assert_eq "${#lines[@]}" 1 "one line"
  assert_eq "$(jq -r '.type + " " + .id' <<<"$output")" "stats $TAG" "type and id"
  jq -e '.data.memory.usage.usage > 0' <<<"$output" >/dev/null || fail "memory usage: $output"
  assert_eq "$(jq -r .data.memory.usage.limit <<<"$output")" 67108864 "memory limit"
  jq -e '.data.memory.raw | has("anon") and has("file")' <<<"$output" >/dev/null || fail "memory.raw: $output"
  jq -e '.data.pids.current >= 1 and .data.pids.limit == 100' <<<"$output" >/dev/null || fail "pids: $output"
  jq -e '.data.cpu.usage.total > 0 and (.data.cpu.usage | has("kernel") and has("user"))' <<<"$output" \
    >/dev/null || fail "cpu: $output"
}

@test "events (v2): streams one stats object per interval" {
  cfg_args sleep 1000
  create_container "$TAG"
  hr start "$TAG"
  local out="$BATS_TEST_TMPDIR/events.out" n
  timeout 4.5 "$HYDRA_RUNC" --root "$ROOT" events --interval 1s "$TAG" >"$out" 2>&1 </dev/null || true
  n=$(jq -c 'select(.type == "stats")' "$out" | wc -l)
  [ "$n" -ge 2 ] || fail "$n stats objects in 4.5s at 1s: $(cut -c1-200 "$out")"
}

@test "events (v2): an OOM kill in the container is reported" {
  cfg '.linux.resources.memory.limit = 16777216 | .linux.resources.memory.swap = 16777216'
  cfg_sh 'sleep 2; tail /dev/zero; sleep 1000'
  create_container "$TAG"
  hr start "$TAG"
  local out="$BATS_TEST_TMPDIR/events.out" ev i
  timeout 60 "$HYDRA_RUNC" --root "$ROOT" events --interval 5s "$TAG" >"$out" 2>&1 </dev/null &
  ev=$!
  for ((i = 0; i < 500; i++)); do
    grep -q '"type":"oom"' "$out" && break
    sleep 0.1
  done
  kill "$ev" 2>/dev/null || true
  wait "$ev" 2>/dev/null || true
  grep -q '"type":"oom"' "$out" || fail "no oom event: $(cut -c1-300 "$out")"
  assert_eq "$(grep '"type":"oom"' "$out" | head -n1 | jq -c .)" "{\"type\":\"oom\",\"id\":\"$TAG\"}" "oom event"
}
