#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Failure at any step leaves nothing behind: after hydra-runc dies or a step
# fails, `state` says something true, `delete --force` cleans up completely
# and the id can be used again.

load helpers

setup_file() { hr_setup_file; }
setup() { hr_setup; }
teardown() { hr_teardown; }

# Processes whose root is this test's rootfs (a leaked init or child).
procs_in_rootfs() {
  local p root
  for p in /proc/[0-9]*; do
    root=$(readlink "$p/root" 2>/dev/null) || continue
    case "$root" in "$BUNDLE/rootfs"*) echo "${p#/proc/}" ;; esac
  done
}

@test "faults: kill -9 of create while a hook runs: nothing left, id reusable" {
  requires_root
  local mark="$BATS_TEST_TMPDIR/hook-started"
  # The hook announces itself, then blocks: a deterministic point inside create.
  cfg '.hooks.createRuntime = [{"path": "/bin/sh", "args": ["sh", "-c", "echo $$ > \($m); exec sleep 60"]}]' --arg m "$mark"
  cfg_args sleep 1000
  "$HYDRA_RUNC" --root "$ROOT" create --bundle "$BUNDLE" "$TAG" </dev/null >/dev/null 2>&1 &
  local rt=$!
  wait_for_file "$mark" 20 || fail "the hook never started"
  kill -9 "$rt"
  wait "$rt" 2>/dev/null || true
  # the init dies with its parent (PR_SET_PDEATHSIG); the hook too
  local i hook
  hook=$(cat "$mark")
  for ((i = 0; i < 100; i++)); do
    [ -z "$(procs_in_rootfs)" ] && ! [ -e "/proc/$hook" ] && break
    sleep 0.05
  done
  [ -z "$(procs_in_rootfs)" ] || fail "processes left in the rootfs: $(procs_in_rootfs)"
  # (runc 1.1 leaves the hook running; hydra-runc gives hooks PDEATHSIG)
  if is_runc; then kill -9 "$hook" 2>/dev/null || true; else
    wait_for_pid_gone "$hook" 1 || fail "the hook (pid $hook) outlived the runtime"
  fi
  # state tells the truth about what is left
  run hr state "$TAG"
  if [ "$status" -eq 0 ]; then
    assert_eq "$(echo "$output" | jq -r .status)" "stopped" "status after the runtime was killed"
  fi
  hr delete --force "$TAG"
  assert_no_state_dirs
  # and the id works again
  cfg 'del(.hooks)'
  create_container "$TAG"
  assert_eq "$(state_field "$TAG" status)" "created" "re-created container"
}

@test "faults: an init that dies during start is reported, not hung on" {
  requires_root
  cfg_args sleep 1000
  create_container "$TAG"
  local pid
  pid=$(state_field "$TAG" pid)
  kill -9 "$pid"
  wait_for_status "$TAG" stopped
  run hr start "$TAG"
  [ "$status" -ne 0 ] || fail "start of a dead container succeeded"
  assert_match "$output" "stopped|dead|not running"
  hr delete "$TAG"
  assert_no_state_dirs
}

@test "faults: exec of a missing binary in create leaves no process, mount or state" {
  requires_root
  cfg_args /no/such/binary
  local before after
  before=$(wc -l </proc/self/mountinfo)
  run hr create --bundle "$BUNDLE" "$TAG"
  [ "$status" -eq 1 ] || fail "create: status $status: $output"
  assert_match "$output" "no such file or directory|No such file or directory|not found"
  after=$(wc -l </proc/self/mountinfo)
  assert_eq "$after" "$before" "host mount count"
  [ -z "$(procs_in_rootfs)" ] || fail "processes left: $(procs_in_rootfs)"
  assert_no_state_dirs
}

@test "faults: delete --force of a running container kills and reaps it" {
  requires_root
  cfg_args sleep 1000
  create_container "$TAG"
  hr start "$TAG"
  local pid
  pid=$(state_field "$TAG" pid)
  run hr delete "$TAG"
  [ "$status" -ne 0 ] || fail "delete of a running container without --force succeeded"
  assert_match "$output" "not stopped|running"
  hr delete --force "$TAG"
  wait_for_pid_gone "$pid" 5 || fail "init $pid still alive"
  assert_no_state_dirs
}
