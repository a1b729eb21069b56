#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# exec applies every process field create applies (issue 12: one setup
# path): the exec'd process, read from the kernel's side, gets what the
# container's init gets.  The init's own values are process.bats's.

load helpers
load exec-helpers

setup_file() { hr_setup_file; }
setup() { hr_setup; }
teardown() { hr_teardown; }

# exec_pid: exec a detached sleep into $TAG (extra exec flags in "$@"),
# print its host pid.
exec_pid() {
  local pidfile="$BATS_TEST_TMPDIR/exec.pid"
  rm -f "$pidfile"
  exec_detached "$pidfile" "$@" "$TAG" sleep 1000 || return 1
  cat "$pidfile"
}

@test "exec-process: scheduler, ioPriority, execCPUAffinity and personality reach the exec'd process" {
  requires_root
  requires_hydra "runc 1.1 predates these runtime-spec 1.2 fields"
  cfg_sched_attrs
  start_sleeper
  local pid
  pid=$(exec_pid) || fail "exec failed"
  assert_sched_attrs "$pid"
  run --separate-stderr hr exec "$TAG" uname -m
  [ "$status" -eq 0 ] || fail "exec uname: $stderr"
  assert_match "$output" "^i[3-6]86$"
}

@test "exec-process: exec -p process.json with its own scheduler gets it" {
  requires_root
  requires_hydra "runc 1.1 predates process.scheduler"
  start_sleeper
  jq '.process | .args = ["sleep", "1000"] | .scheduler = {"policy": "SCHED_BATCH"}
      | .ioPriority = {"class": "IOPRIO_CLASS_BE", "priority": 6}' "$BUNDLE/config.json" >"$BATS_TEST_TMPDIR/p.json"
  local pidfile="$BATS_TEST_TMPDIR/p.pid"
  hr exec -d --pid-file "$pidfile" -p "$BATS_TEST_TMPDIR/p.json" "$TAG" </dev/null >/dev/null 2>&1 ||
    fail "exec -p failed"
  local pid
  pid=$(cat "$pidfile")
  assert_eq "$(awk '{print $41}' /proc/$pid/stat)" "3" "SCHED_BATCH from process.json"
  run ionice -p "$pid"
  assert_match "$output" "best-effort: prio 6"
}

@test "exec-process: capabilities, no_new_privs, seccomp, rlimits, oomScoreAdj and umask as for the init" {
  requires_root
  # CAP_KILL is bit 5, CAP_NET_RAW 13
  cfg '.process.capabilities = ({"bounding": ["CAP_KILL", "CAP_NET_RAW"]} + ({} | .effective = ["CAP_KILL"]
        | .permitted = .effective | .inheritable = .effective | .ambient = .effective))
     | .process.noNewPrivileges = true
     | .process.user.umask = 63
     | .process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 123, "hard": 456}]
     | .process.oomScoreAdj = 345
     | .linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
                         "syscalls": [{"names": ["mkdirat", "mkdir"], "action": "SCMP_ACT_ERRNO"}]}'
  start_sleeper
  local pid init
  init=$(state_field "$TAG" pid)
  pid=$(exec_pid) || fail "exec failed"
  local f
  for f in CapBnd CapEff CapPrm CapInh CapAmb NoNewPrivs Seccomp; do
    assert_eq "$(status_field "$pid" $f)" "$(status_field "$init" $f)" "$f as the init's"
  done
  assert_eq "$(status_field "$pid" CapBnd)" "0000000000002020" "CapBnd"
  assert_eq "$(status_field "$pid" CapAmb)" "0000000000000020" "CapAmb"
  assert_eq "$(status_field "$pid" NoNewPrivs)" "1" "NoNewPrivs"
  assert_eq "$(status_field "$pid" Seccomp)" "2" "filtered"
  assert_eq "$(awk '/^Max open files/{print $4, $5}' /proc/$pid/limits)" "123 456" "RLIMIT_NOFILE"
  assert_eq "$(cat /proc/$pid/oom_score_adj)" "345" "oom_score_adj"
  run --separate-stderr hr exec "$TAG" sh -c 'umask; mkdir /tmp/x-denied || echo denied'
  # (runc 1.1's exec leaves the caller's umask: docs/compat.md)
  is_runc || assert_eq "${lines[0]}" "0077" "umask"
  assert_eq "${lines[1]}" "denied" "seccomp profile applies"
}

@test "exec-process: --debug prints the exec plan, every step named" {
  requires_root
  requires_hydra "the plan is hydra-runc's"
  cfg '.process.scheduler = {"policy": "SCHED_BATCH"} | .process.noNewPrivileges = true'
  start_sleeper
  run --separate-stderr hr --debug exec "$TAG" true
  [ "$status" -eq 0 ] || fail "exec --debug: $stderr"
  local want step
  for want in open-procfs join-container scheduler chdir lookup-exec setsid capabilities-bounding set-user \
    capabilities no-new-privileges umask report-ready exec; do
    grep -q "exec plan for $TAG: *[0-9]* $want\b" <<<"$stderr" || fail "no step $want in: $stderr"
  done
}
