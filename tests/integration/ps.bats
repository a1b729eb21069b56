#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# ps: the container's processes (host pids), as JSON or as ps(1)'s table.

load helpers

setup_file() { hr_setup_file; }
setup() { hr_setup; }
teardown() { hr_teardown; }

start_sleeper() {
  cfg_args sleep 1000
  create_container "$TAG"
  hr start "$TAG"
  wait_for_status "$TAG" running
}

@test "ps: --format json lists the host pids of the init and of exec'd processes" {
  requires_root
  start_sleeper
  hr exec -d --pid-file "$BATS_TEST_TMPDIR/pid" "$TAG" sleep 999 </dev/null >/dev/null 2>&1
  local init epid
  init=$(state_field "$TAG" pid)
  epid=$(cat "$BATS_TEST_TMPDIR/pid")
  HR_PIDS+=("$epid")
  run --separate-stderr hr ps --format json "$TAG"
  [ "$status" -eq 0 ] || fail "ps failed: $stderr"
  jq -e 'type == "array"' <<<"$output" >/dev/null || fail "not a JSON array: $output"
  assert_eq "$(jq -c 'sort' <<<"$output")" "$(jq -cn --argjson a "$init" --argjson b "$epid" '[$a, $b] | sort')" "pids"
  run --separate-stderr hr ps -f json "$TAG"
  [ "$status" -eq 0 ]
  assert_eq "$(jq length <<<"$output")" 2
}

@test "ps: the default table is ps -ef's header and the container's lines only" {
  requires_root
  start_sleeper
  local init
  init=$(state_field "$TAG" pid)
  run --separate-stderr hr ps "$TAG"
  [ "$status" -eq 0 ] || fail "ps failed: $stderr"
  echo "$output"
  [[ ${lines[0]} =~ ^UID\ +PID\ +PPID ]] || fail "header: ${lines[0]}"
  assert_eq "${#lines[@]}" 2 "lines (header + the init)"
  assert_eq "$(awk '{print $2}' <<<"${lines[1]}")" "$init" "pid column"
  [[ ${lines[1]} == *"sleep 1000"* ]] || fail "line: ${lines[1]}"
}

@test "ps: ps options after the id are passed to ps" {
  requires_root
  start_sleeper
  local init
  init=$(state_field "$TAG" pid)
  run --separate-stderr hr ps "$TAG" -o pid,comm
  [ "$status" -eq 0 ] || fail "ps failed: $stderr"
  assert_eq "$(echo ${lines[0]})" "PID COMMAND"
  assert_eq "$(echo ${lines[1]})" "$init sleep"
  # no PID column: runc's error
  run --separate-stderr hr ps "$TAG" -o comm
  [ "$status" -ne 0 ]
  [[ $stderr == *"couldn't find PID field in ps output"* ]] || fail "stderr: $stderr"
}

@test "ps: an unknown container fails" {
  requires_root
  mkdir -p "$ROOT"
  run --separate-stderr hr ps "$TAG-nope"
  [ "$status" -ne 0 ]
  [[ $stderr == *"does not exist"* ]] || fail "stderr: $stderr"
}

@test "ps and kill --all of a stopped container reach what its cgroup still holds, as runc's" {
  requires_root
  # Sharing our pid namespace, the init's child outlives it, in the cgroup.
  cfg_del_ns pid
  cfg_sh 'sleep 1001 & exec sleep 1000'
  create_container "$TAG"
  hr start "$TAG"
  local init child i
  init=$(state_field "$TAG" pid)
  for ((i = 0; i < 100; i++)); do
    child=$(cat "/proc/$init/task/$init/children" 2>/dev/null | tr -d ' ')
    [ -n "$child" ] && break
    sleep 0.05
  done
  [ -n "$child" ] || fail "the init has no child"
  HR_PIDS+=("$child")
  hr kill "$TAG" KILL
  wait_for_status "$TAG" stopped
  [ -e "/proc/$child" ] || fail "the child died with the init"
  # runc 1.1: no "container not running"; ps shows what is left
  run --separate-stderr hr ps --format json "$TAG"
  [ "$status" -eq 0 ] || fail "ps --format json of a stopped container: $status: $stderr"
  assert_eq "$(jq -c . <<<"$output")" "[$child]" "ps --format json"
  run --separate-stderr hr kill --all "$TAG" 0
  [ "$status" -eq 0 ] || fail "kill --all SIG 0 of a stopped container: $status: $stderr"
  run --separate-stderr hr kill -a "$TAG" KILL
  [ "$status" -eq 0 ] || fail "kill -a KILL of a stopped container: $status: $stderr"
  wait_for_pid_gone "$child" 5 || fail "kill --all did not kill the leftover child $child"
  # nothing left: the header alone, or null
  run --separate-stderr hr ps "$TAG"
  [ "$status" -eq 0 ] || fail "ps of a stopped container: $status: $stderr"
  assert_eq "${#lines[@]}" 1 "lines of ps (the header only): $output"
  assert_match "${lines[0]}" "^UID +PID +PPID" "ps header"
  run --separate-stderr hr ps --format json "$TAG"
  assert_eq "$output" "null" "ps --format json with nothing left"
  # the init alone still answers "not running"
  run --separate-stderr hr kill "$TAG" 0
  [ "$status" -eq 1 ] || fail "kill SIG 0 of a stopped container: $status"
  assert_match "$stderr" "container not running"
}
