#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Faults of the container's processes (issue 6): a fork bomb under a pids
# limit, an init that ignores SIGTERM, an init that dies before start, a
# hook that hangs or cannot be executed.  Each is handled as runc handles
# it, and afterwards no process, cgroup, mount or state is left.
# (faults.bats kills the runtime itself; hooks.bats has the hook errors'
# wording.)

load helpers

setup_file() { hr_setup_file; }
setup() { hr_setup; }
teardown() { hr_teardown; }

# pids_dir PID: the container's v1 pids cgroup directory.
pids_dir() {
  container_cgroup_dirs "$1" | grep '/pids/' | head -1
}

requires_pids_v1() {
  [ -f /sys/fs/cgroup/pids/pids.max ] || [ -d /sys/fs/cgroup/pids ] ||
    skip "no v1 pids hierarchy (the cgroup v2 lane is tests/vm)"
}

# All of the container's processes are gone and so is everything it had.
assert_container_gone() {
  local pid=$1 dir=$2
  wait_for_pid_gone "$pid" 10 || return 1
  hr delete --force "$TAG" 2>/dev/null || true
  assert_no_state_dirs || return 1
  [ -z "$dir" ] || [ ! -d "$dir" ] || fail "cgroup $dir left behind (procs: $(cat "$dir/cgroup.procs" 2>/dev/null))" || return 1
  assert_no_cgroup "$TAG"
}

# A fork bomb of 10k attempts, bounded: busybox awk's system() returns -1
# when fork fails and the loop goes on (a shell would exit at the first).
# The sleepers must not hold the test's output pipe.
FORK_BOMB='BEGIN { for (i = 0; i < 10000; i++) { if (system("sleep 1000 </dev/null >/dev/null 2>&1 &") == 0) ok++; else failed++ }
                   print "ok " ok + 0 " failed " failed + 0 }'

start_bomb_target() {
  cfg '.linux.resources.pids = {"limit": 64}'
  cfg_args sleep 1000
  create_container "$TAG"
  hr start "$TAG"
  PID=$(state_field "$TAG" pid)
  PIDS_DIR=$(pids_dir "$PID")
  [ -n "$PIDS_DIR" ] || fail "no pids cgroup for the init $PID"
}

run_bomb() {
  run --separate-stderr hr exec "$TAG" awk "$FORK_BOMB"
  echo "bomb: status $status, $output"
  [ "$status" -eq 0 ] || fail "the bomb's awk did not finish: $stderr" || return 1
  local ok failed
  read -r _ ok _ failed <<<"$output"
  # the limit held: at most 64 - init - awk sleepers, and most tries failed
  [ "$ok" -le 62 ] || fail "$ok forks succeeded under a limit of 64" || return 1
  [ "$failed" -gt 0 ] || fail "no fork failed" || return 1
  # the kernel's side: the limit is in place, was hit, and holds
  assert_eq "$(cat "$PIDS_DIR/pids.max")" 64 "pids.max" || return 1
  local current events
  current=$(cat "$PIDS_DIR/pids.current")
  [ "$current" -le 64 ] || fail "pids.current $current" || return 1
  events=$(awk '$1 == "max" { print $2 }' "$PIDS_DIR/pids.events")
  [ "${events:-0}" -gt 0 ] || fail "pids.events shows no refused fork" || return 1
  [ "$(wc -l <"$PIDS_DIR/cgroup.procs")" -le 64 ] || fail "more than 64 processes in the cgroup"
}

@test "faults-process: 10k forks under pids.limit 64 are refused; kill KILL and delete remove every process" {
  requires_root
  requires_pids_v1
  start_bomb_target
  run_bomb
  # the container still answers, and the init runs
  assert_eq "$(state_field "$TAG" status)" running
  [ "$(wc -l <"$PIDS_DIR/cgroup.procs")" -gt 10 ] || fail "the sleepers are not there"
  hr kill "$TAG" KILL
  wait_for_status "$TAG" stopped
  # the init was pid 1 of its namespace: its end kills the rest
  local i
  for ((i = 0; i < 100; i++)); do
    [ -z "$(cat "$PIDS_DIR/cgroup.procs")" ] && break
    sleep 0.05
  done
  [ -z "$(cat "$PIDS_DIR/cgroup.procs")" ] || fail "processes left: $(cat "$PIDS_DIR/cgroup.procs")"
  hr delete "$TAG"
  assert_container_gone "$PID" "$PIDS_DIR"
}

@test "faults-process: a fork-bombed container is removed whole by delete --force" {
  requires_root
  requires_pids_v1
  start_bomb_target
  run_bomb
  hr delete --force "$TAG"
  assert_container_gone "$PID" "$PIDS_DIR"
}

# An init that ignores SIGTERM (inherited over exec), with one child that
# does not (started before the trap).
start_term_ignorer() {
  cfg_sh "sleep 1000 & trap '' TERM; exec sleep 1001"
  create_container "$TAG"
  hr start "$TAG"
  PID=$(state_field "$TAG" pid)
  local i
  for ((i = 0; i < 100; i++)); do
    CHILD=$(cat "/proc/$PID/task/$PID/children" 2>/dev/null | awk '{ print $1 }')
    [ -n "$CHILD" ] && [ "$(cat "/proc/$PID/cmdline" | tr '\0' ' ')" = "sleep 1001 " ] && break
    sleep 0.05
  done
  [ -n "$CHILD" ] || fail "the init has no child"
  HR_PIDS+=("$CHILD")
  # the kernel's view: TERM (bit 15) is ignored by the init only
  local ign
  ign=$(awk '$1 == "SigIgn:" { print $2 }' "/proc/$PID/status")
  (( (16#$ign >> 14) & 1 )) || fail "the init does not ignore SIGTERM (SigIgn $ign)"
  ign=$(awk '$1 == "SigIgn:" { print $2 }' "/proc/$CHILD/status")
  ! (( (16#$ign >> 14) & 1 )) || fail "the child ignores SIGTERM too"
  DIRS=$(container_cgroup_dirs "$PID")
}

alive() {
  [ -e "/proc/$1" ] && [ "$(awk '{ print $3 }' "/proc/$1/stat")" != Z ]
}

@test "faults-process: an init that ignores SIGTERM survives kill, not kill KILL" {
  requires_root
  start_term_ignorer
  hr kill "$TAG"
  # an ignored signal is discarded when sent; the pause only gives a
  # wrongly dying init the time to show it
  sleep 0.5
  alive "$PID" || fail "the init died of SIGTERM"
  assert_eq "$(state_field "$TAG" status)" running "status after kill TERM"
  hr kill "$TAG" KILL
  wait_for_status "$TAG" stopped
  wait_for_pid_gone "$CHILD" 5 || fail "the child outlived the init"
  hr delete "$TAG"
  local d
  for d in $DIRS; do [ ! -d "$d" ] || fail "cgroup $d left"; done
  assert_container_gone "$PID" ""
}

@test "faults-process: kill --all TERM reaches the children, the init stays; delete --force ends it" {
  requires_root
  start_term_ignorer
  hr kill --all "$TAG" TERM
  wait_for_pid_gone "$CHILD" 5 || fail "kill --all TERM did not reach the child"
  sleep 0.5
  alive "$PID" || fail "the init died of SIGTERM"
  hr delete --force "$TAG"
  local d
  for d in $DIRS; do [ ! -d "$d" ] || fail "cgroup $d left"; done
  assert_container_gone "$PID" ""
}

@test "faults-process: an init killed before start: start fails, no process, cgroup or mount left" {
  requires_root
  cfg_args sleep 1000
  local before
  before=$(wc -l </proc/self/mountinfo)
  create_container "$TAG"
  local pid dirs d
  pid=$(state_field "$TAG" pid)
  dirs=$(container_cgroup_dirs "$pid")
  [ -n "$dirs" ] || fail "no cgroup for the init"
  kill -9 "$pid"
  wait_for_pid_gone "$pid" 5
  run --separate-stderr hr_leakcheck start "$TAG"
  [ "$status" -eq 1 ] || fail "start of a dead container: status $status"
  assert_match "$stderr" "stopped|dead|not running"
  [ ! -s "$HR_LEAKS" ] || fail "start left processes: $(cat "$HR_LEAKS")"
  hr delete "$TAG"
  for d in $dirs; do [ ! -d "$d" ] || fail "cgroup $d left"; done
  assert_no_state_dirs
  assert_eq "$(wc -l </proc/self/mountinfo)" "$before" "host mount count"
}

@test "faults-process: a hook past its timeout: the hook and the init are killed, nothing left" {
  requires_root
  local mark="$BATS_TEST_TMPDIR/hook-pid" before
  cfg '.hooks.createRuntime = [{"path": "/bin/sh", "args": ["sh", "-c", "echo $$ > \($m); exec sleep 60"], "timeout": 1}]' \
    --arg m "$mark"
  cfg_args sleep 1000
  before=$(wc -l </proc/self/mountinfo)
  run --separate-stderr hr_leakcheck create --bundle "$BUNDLE" "$TAG" </dev/null
  assert_clean_failure "timeout|did not finish"
  [ -s "$mark" ] || fail "the hook never ran"
  wait_for_pid_gone "$(cat "$mark")" 5 || fail "the hook outlived its timeout"
  assert_no_cgroup "$TAG"
  assert_eq "$(wc -l </proc/self/mountinfo)" "$before" "host mount count"
}

@test "faults-process: a hook that exists but is not executable (or is a directory) fails create, nothing left" {
  requires_root
  local hook="$BATS_TEST_TMPDIR/not-exec.sh" before path
  printf '#!/bin/sh\ntouch %s/ran\n' "$BATS_TEST_TMPDIR" >"$hook"
  chmod 644 "$hook"
  cfg_args sleep 1000
  before=$(wc -l </proc/self/mountinfo)
  for path in "$hook" "$BATS_TEST_TMPDIR"; do
    cfg '.hooks.createRuntime = [{"path": $p}]' --arg p "$path"
    run --separate-stderr hr_leakcheck create --bundle "$BUNDLE" "$TAG" </dev/null
    assert_clean_failure "$path.*([Pp]ermission denied|[Ii]s a directory)"
    assert_no_cgroup "$TAG"
  done
  [ ! -e "$BATS_TEST_TMPDIR/ran" ] || fail "the hook ran"
  assert_eq "$(wc -l </proc/self/mountinfo)" "$before" "host mount count"
}
