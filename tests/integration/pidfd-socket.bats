#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# --pidfd-socket PATH (runc 1.2) on create, run and exec: the runtime
# connects to the unix stream socket at PATH and sends a pidfd of the
# container's init (payload "standard") or of the exec'd process
# ("setns") with SCM_RIGHTS.  tests/tools/pidfd-recv checks the fd is a
# pidfd of that process (its fdinfo's Pid:) and polls it until the
# process exits.  Debian's runc is 1.1, which has no such flag.

load helpers
load exec-helpers

setup_file() { hr_setup_file; }
setup() {
  hr_setup
  requires_hydra "--pidfd-socket is runc 1.2's, the reference runc is 1.1"
  # sun_path is 108 bytes: not under $BATS_TEST_TMPDIR.
  SOCK=$(mktemp -u /tmp/hr-pidfd.XXXXXX)
  RECV_PID=
  RECV_OUT="$BATS_TEST_TMPDIR/recv.out"
}
teardown() {
  hr_teardown
  stop_receiver
  rm -f "$SOCK"
}

start_recv() {
  start_receiver pidfd-recv "$SOCK" listening
}

# recv_field NAME: what the receiver printed as NAME=...
recv_field() {
  sed -n "s/^$1=//p" "$RECV_OUT"
}

# assert_pidfd_of PID PAYLOAD: the receiver holds a pidfd of host pid PID,
# sent with PAYLOAD, and the process still runs (no "exited" yet).
assert_pidfd_of() {
  local i
  for ((i = 0; i < 100; i++)); do
    [ -n "$(recv_field pid)" ] && break
    sleep 0.05
  done
  assert_eq "$(recv_field payload)" "$2" "payload"
  assert_match "$(recv_field link)" "pidfd" "the fd's link"
  assert_eq "$(recv_field pid)" "$1" "the pidfd's Pid:"
  ! grep -qx exited "$RECV_OUT" || fail "receiver saw an exit already: $(cat "$RECV_OUT")"
}

# assert_exit_seen: the receiver's poll on the pidfd returned.
assert_exit_seen() {
  local i
  for ((i = 0; i < 200; i++)); do
    grep -qx exited "$RECV_OUT" && return 0
    sleep 0.05
  done
  fail "receiver did not see the process exit: $(cat "$RECV_OUT")"
}

@test "pidfd-socket: create sends a pidfd of the init, which reports its exit" {
  start_recv
  cfg_args sleep 1000
  create_container "$TAG" --pidfd-socket "$SOCK"
  local pid
  pid=$(state_field "$TAG" pid)
  assert_pidfd_of "$pid" standard
  hr start "$TAG"
  sleep 0.2
  ! grep -qx exited "$RECV_OUT" || fail "exit reported while the container runs"
  hr kill "$TAG" KILL
  assert_exit_seen
}

@test "pidfd-socket: run -d sends a pidfd of the init" {
  start_recv
  cfg_args sleep 1000
  hr run -d --pidfd-socket "$SOCK" --bundle "$BUNDLE" "$TAG" </dev/null >/dev/null 2>&1
  track_pid "$TAG"
  assert_pidfd_of "$(state_field "$TAG" pid)" standard
  hr kill "$TAG" KILL
  assert_exit_seen
}

@test "pidfd-socket: exec sends a pidfd of the exec'd process, not of the init" {
  start_sleeper
  start_recv
  local pid
  hr exec -d --pid-file "$BATS_TEST_TMPDIR/pid" --pidfd-socket "$SOCK" "$TAG" sleep 1000 </dev/null >/dev/null 2>&1
  pid=$(cat "$BATS_TEST_TMPDIR/pid")
  HR_PIDS+=("$pid")
  [ "$pid" != "$(state_field "$TAG" pid)" ] || fail "exec's pid is the init's"
  assert_pidfd_of "$pid" setns
  kill -9 "$pid"
  assert_exit_seen
  assert_eq "$(state_field "$TAG" status)" running "the container after its exec'd process died"
}

@test "pidfd-socket: create with a socket nobody listens on fails, nothing left" {
  cfg_args sleep 1000
  run --separate-stderr hr_leakcheck create --pidfd-socket "$SOCK" --bundle "$BUNDLE" "$TAG" </dev/null
  assert_clean_failure "pidfd-socket.*$SOCK"
  assert_no_cgroup "$TAG"
}

@test "pidfd-socket: run with a socket nobody listens on fails, nothing left" {
  cfg_args sleep 1000
  run --separate-stderr hr_leakcheck run -d --pidfd-socket "$SOCK" --bundle "$BUNDLE" "$TAG" </dev/null
  assert_clean_failure "pidfd-socket.*$SOCK"
  assert_no_cgroup "$TAG"
}

@test "pidfd-socket: exec with a socket nobody listens on fails before the process exists" {
  start_sleeper
  local before after
  before=$(hr ps "$TAG" | wc -l)
  run --separate-stderr hr_leakcheck exec --pidfd-socket "$SOCK" "$TAG" sleep 1000 </dev/null
  [ "$status" -eq 255 ] || fail "exec: $status: $stderr"
  assert_match "$stderr" "pidfd-socket.*$SOCK"
  [ ! -s "$HR_LEAKS" ] || fail "processes left behind: $(cat "$HR_LEAKS")"
  after=$(hr ps "$TAG" | wc -l)
  assert_eq "$after" "$before" "processes in the container"
}
