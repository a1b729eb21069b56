#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Seccomp user notification (runtime-spec config-linux.md "Seccomp":
# SCMP_ACT_NOTIFY, listenerPath, listenerMetadata; "The Container Process
# State"): the runtime sends each filtered process's listener fd with the
# container process state to the agent at listenerPath, and keeps no copy.
# tests/tools/seccomp-agent answers: mkdir succeeds without creating
# anything, chmod fails with EPROTONOSUPPORT (93), the rest runs.

load helpers

setup_file() { hr_setup_file; }
setup() {
  hr_setup
  AGENT_DIR="$BATS_TEST_TMPDIR/agent"
  mkdir -p "$AGENT_DIR"
  # sun_path is 108 bytes: not under $BATS_TEST_TMPDIR.
  SOCK=$(mktemp -u /tmp/hr-agent.XXXXXX)
  AGENT_PID=
}
teardown() {
  hr_teardown
  if [ -n "$AGENT_PID" ]; then
    kill "$AGENT_PID" 2>/dev/null || true
    wait "$AGENT_PID" 2>/dev/null || true
  fi
  rm -f "$SOCK"
}

start_agent() {
  local d bin=
  for d in "${HYDRA_BUILDDIR:-}" "$(dirname "$(readlink -f "$HYDRA_RUNC")")" "$HYDRA_SRCDIR"; do
    if [ -n "$d" ] && [ -x "$d/tests/tools/seccomp-agent" ]; then
      bin="$d/tests/tools/seccomp-agent"
      break
    fi
  done
  [ -n "$bin" ] || skip "no tests/tools/seccomp-agent (make check builds it)"
  "$bin" "$SOCK" "$AGENT_DIR" 93 </dev/null >/dev/null 2>"$AGENT_DIR/stderr" 3>&- &
  AGENT_PID=$!
  local i
  for ((i = 0; i < 100; i++)); do
    [ -S "$SOCK" ] && return 0
    sleep 0.05
  done
  fail "agent did not listen: $(cat "$AGENT_DIR/stderr")"
}

# Everything allowed; mkdir and chmod go to the agent.
cfg_notify() {
  cfg '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": $sock,
        "listenerMetadata": "meta data \"quoted\"",
        "architectures": ["SCMP_ARCH_X86_64"],
        "syscalls": [{"names": ["mkdir", "mkdirat", "chmod", "fchmod", "fchmodat", "fchmodat2"],
                      "action": "SCMP_ACT_NOTIFY"}]}' --arg sock "$SOCK"
}

# Number of seccomp listener fds process $1 holds.
notify_fds() {
  local n=0 f
  for f in /proc/"$1"/fd/*; do
    [ "$(readlink "$f" 2>/dev/null)" = "anon_inode:seccomp notify" ] && n=$((n + 1))
  done
  echo "$n"
}

# The container's script: results into /host/out, then "done".
NOTIFY_SCRIPT='mkdir /tmp/x && echo mkdir-ok; test -d /tmp/x || echo not-created;
  chmod 600 /.hydra-test-rootfs; echo "chmod-rc=$?"; echo done'

# check_state FILE PID STATUS INIT-PID: the container process state the agent got.
check_state() {
  local f=$1
  [ -s "$f" ] || fail "agent got no state in $f" || return 1
  assert_eq "$(jq -r .ociVersion "$f")" "$(jq -r .ociVersion "$BUNDLE/config.json")" "ociVersion" || return 1
  assert_eq "$(jq -c .fds "$f")" '["seccompFd"]' "fds" || return 1
  assert_eq "$(jq -r .pid "$f")" "$2" "pid" || return 1
  assert_eq "$(jq -r .metadata "$f")" 'meta data "quoted"' "metadata" || return 1
  assert_eq "$(jq -r .state.id "$f")" "$TAG" "state.id" || return 1
  assert_eq "$(jq -r .state.status "$f")" "$3" "state.status" || return 1
  assert_eq "$(jq -r .state.pid "$f")" "$4" "state.pid" || return 1
  assert_eq "$(jq -r .state.bundle "$f")" "$BUNDLE" "state.bundle"
}

run_notify_container() {
  requires_root
  start_agent
  cfg_notify
  cfg_hostdir
  cfg_sh "{ $NOTIFY_SCRIPT; } >/host/out 2>&1; sleep 1000"
  create_container "$TAG"
  local pid
  pid=$(state_field "$TAG" pid)
  # Delivered during create, before created.
  check_state "$AGENT_DIR/state.1" "$pid" creating "$pid"
  # Only the agent holds the listener: neither the container nor the runtime.
  assert_eq "$(notify_fds "$pid")" 0 "listener fds in the container's init"
  assert_eq "$(notify_fds "$AGENT_PID")" 1 "listener fds in the agent"
  hr start "$TAG"
  wait_for_file "$HOSTDIR/out"
  local i
  for ((i = 0; i < 100; i++)); do
    grep -q done "$HOSTDIR/out" && break
    sleep 0.05
  done
  run cat "$HOSTDIR/out"
  assert_match "$output" "mkdir-ok" "mkdir answered success by the agent"
  assert_match "$output" "not-created"
  assert_match "$output" "chmod-rc=1"
  assert_match "$output" "Protocol not supported" "chmod: the agent's errno"
  # The agent saw the calls on the listener it got with state.1.
  grep -Eq "^1 (83|258) [0-9]+\$" "$AGENT_DIR/log" || fail "no mkdir in: $(cat "$AGENT_DIR/log")"
}

@test "seccomp notify: the agent answers mkdir and chmod; it got the fd and the state" {
  run_notify_container
}

@test "seccomp notify: the same without no_new_privileges (filter loaded before the uid change)" {
  cfg '.process.noNewPrivileges = false'
  run_notify_container
}

# run_notify_exec: exec a process into a started container under cfg_notify;
# the agent must answer its mkdir and chmod on a listener of its own, sent
# with its pid (runc: the exec'd process's pid; the state is the
# container's, running, with the init's pid).
run_notify_exec() {
  start_agent
  cfg_notify
  cfg_args sleep 1000
  create_container "$TAG"
  hr start "$TAG"
  local pid epid
  pid=$(state_field "$TAG" pid)
  run hr exec --pid-file "$BATS_TEST_TMPDIR/exec.pid" "$TAG" sh -c \
    'mkdir /tmp/y && echo mkdir-ok; test -d /tmp/y || echo not-created; chmod 600 /.hydra-test-rootfs 2>&1; echo "chmod-rc=$?"'
  [ "$status" -eq 0 ] || fail "exec: $status: $output; agent: $(cat "$AGENT_DIR/log")" || return 1
  assert_match "$output" "mkdir-ok" || return 1
  assert_match "$output" "not-created" || return 1
  assert_match "$output" "Protocol not supported" || return 1
  epid=$(cat "$BATS_TEST_TMPDIR/exec.pid")
  [ "$epid" != "$pid" ] || fail "exec pid is the init's" || return 1
  check_state "$AGENT_DIR/state.2" "$epid" running "$pid" || return 1
  grep -Eq "^2 (83|258) " "$AGENT_DIR/log" || fail "no mkdir on the exec's listener: $(cat "$AGENT_DIR/log")"
}

@test "seccomp notify: an exec'd process gets its own listener, sent with its pid" {
  requires_root
  requires_hydra "Debian's runc 1.1.5 exec never returns here (its process exits after the agent's first answer)"
  run_notify_exec
}

@test "seccomp notify: exec with no_new_privileges false gets its listener too" {
  requires_root
  requires_hydra "Debian's runc 1.1.5 exec never returns here (its process exits after the agent's first answer)"
  cfg '.process.noNewPrivileges = false'
  run_notify_exec
}

@test "seccomp notify: the runtime keeps no copy of the listener (run in the foreground)" {
  requires_root
  start_agent
  cfg_notify
  cfg_args sleep 1000
  hr run --bundle "$BUNDLE" "$TAG" </dev/null >/dev/null 2>&1 &
  local i p= rt
  for ((i = 0; i < 200; i++)); do
    p=$(state_field "$TAG" pid 2>/dev/null) || p=
    [ -n "$p" ] && [ "$p" -gt 0 ] 2>/dev/null && break
    sleep 0.05
  done
  [ -n "$p" ] || fail "container did not start"
  HR_PIDS+=("$p")
  wait_for_status "$TAG" running
  # The runtime that runs it in the foreground: the init's parent.
  rt=$(awk '{print $4}' "/proc/$p/stat")
  assert_match "$(readlink "/proc/$rt/exe")" "hydra-runc|runc" "the init's parent"
  assert_eq "$(notify_fds "$rt")" 0 "listener fds in the runtime"
  assert_eq "$(notify_fds "$p")" 0 "listener fds in the container's init"
  assert_eq "$(notify_fds "$AGENT_PID")" 1 "listener fds in the agent"
  hr kill "$TAG" KILL
}

@test "seccomp notify: an unreachable listener fails create cleanly, nothing left" {
  requires_root
  requires_hydra "error wording"
  cfg_notify # no agent listens at $SOCK
  run --separate-stderr hr_leakcheck create --bundle "$BUNDLE" "$TAG"
  assert_clean_failure "seccomp agent"
  assert_no_cgroup "$TAG"
}

@test "seccomp notify: a listener that is not a socket fails create cleanly" {
  requires_root
  requires_hydra "error wording"
  : >"$SOCK"
  cfg_notify
  run --separate-stderr hr_leakcheck create --bundle "$BUNDLE" "$TAG"
  assert_clean_failure "seccomp agent"
  assert_no_cgroup "$TAG"
}

@test "seccomp notify: exec fails cleanly when the agent is gone, no process left" {
  requires_root
  start_agent
  cfg_notify
  cfg_args sleep 1000
  create_container "$TAG"
  hr start "$TAG"
  kill "$AGENT_PID"
  wait "$AGENT_PID" 2>/dev/null || true
  AGENT_PID=
  rm -f "$SOCK"
  run hr exec "$TAG" sh -c 'echo ran'
  [ "$status" -ne 0 ] || fail "exec ran without an agent: $output"
  [[ ! $output =~ ran ]] || fail "the process ran: $output"
  # Only the init is left in the container.
  run hr ps --format json "$TAG"
  [ "$status" -eq 0 ] || fail "ps: $output"
  assert_eq "$(echo "$output" | jq length)" 1 "processes in the container"
}

@test "seccomp notify: refused without listenerPath, as default action, and for write" {
  requires_root
  requires_hydra "runc refuses these at different stages, with other words"
  local bad
  for bad in 'del(.linux.seccomp.listenerPath)' \
    '.linux.seccomp.defaultAction = "SCMP_ACT_NOTIFY"' \
    '.linux.seccomp.syscalls[0].names += ["write"]'; do
    cfg_notify
    cfg "$bad"
    run --separate-stderr hr_leakcheck create --bundle "$BUNDLE" "$TAG"
    assert_clean_failure "NOTIFY" || fail "with $bad"
  done
}

@test "seccomp notify: listenerPath without a notify action is ignored" {
  requires_root
  cfg '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "/nonexistent/agent.sock"}'
  cfg_sh 'echo ran'
  run hr run --bundle "$BUNDLE" "$TAG"
  [ "$status" -eq 0 ] || fail "run: $status: $output"
  assert_match "$output" "ran"
}

@test "seccomp notify: features lists SCMP_ACT_NOTIFY and validates against the schema" {
  requires_hydra "runc 1.1's features differ"
  requires_schema_check
  hr features >"$BATS_TEST_TMPDIR/features.json"
  jq -e '.linux.seccomp.actions | index("SCMP_ACT_NOTIFY")' "$BATS_TEST_TMPDIR/features.json" >/dev/null ||
    fail "no SCMP_ACT_NOTIFY in $(jq -c .linux.seccomp.actions "$BATS_TEST_TMPDIR/features.json")"
  run "$HR_SHARED/tools/oci-schema-check" features "$BATS_TEST_TMPDIR/features.json"
  [ "$status" -eq 0 ] || fail "schema: $output"
}
