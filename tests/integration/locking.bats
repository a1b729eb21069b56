#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The per-container lock (src/lib/state/state.h "Locking") is never held while a
# hook runs: readers and kill do not wait for a slow hook, a hook may call
# back into the runtime, and delete --force stops a hung one.  runc takes
# no lock over hooks for state or kill either.

load helpers

setup_file() { hr_setup_file; }
setup() {
  hr_setup
  MARK="$BATS_TEST_TMPDIR/hook-started"
}
teardown() { hr_teardown; }

# now_ms: monotonic-enough wall clock in milliseconds.
now_ms() {
  echo $(($(date +%s%N) / 1000000))
}

# fast MAX_MS CMD...: CMD (through `hr`) finishes within MAX_MS; its
# output is in $FAST_OUT.
fast() {
  local max=$1 t0 t1 rc=0
  shift
  t0=$(now_ms)
  FAST_OUT=$(timeout 20 "$HYDRA_RUNC" --root "$ROOT" "$@" 2>&1 </dev/null) || rc=$?
  t1=$(now_ms)
  [ "$rc" -eq 0 ] || fail "'$*' failed ($rc): $FAST_OUT" || return 1
  [ $((t1 - t0)) -le "$max" ] || fail "'$*' took $((t1 - t0)) ms (limit $max ms)"
}

# A hook that announces itself (its pid in $MARK), then sleeps $1.
cfg_sleep_hook() {
  cfg '.hooks[$s] = [{"path": "/bin/sh", "args": ["sh", "-c", "echo $$ > \($m); exec sleep \($t)"]}]' \
    --arg s "$1" --arg m "$MARK" --arg t "$2"
}

@test "locking: state, list, ps, events, kill and delete do not wait for a createRuntime hook" {
  requires_root
  requires_hydra "runc 1.1 says 'container does not exist' until its create hooks are done"
  cfg_sleep_hook createRuntime 6
  cfg_args sleep 1000
  hr create --bundle "$BUNDLE" "$TAG" </dev/null >/dev/null 2>"$BATS_TEST_TMPDIR/create.err" &
  local rt=$!
  wait_for_file "$MARK" 20 || fail "the hook never started"
  fast 1000 state "$TAG"
  local pid
  pid=$(echo "$FAST_OUT" | jq -r .pid)
  # the init exists while the hooks run: its pid is on record
  assert_eq "$(echo "$FAST_OUT" | jq -r .status)" "creating" "status while createRuntime runs"
  [ -e "/proc/$pid" ] || fail "state names pid $pid, which does not exist"
  fast 1000 list
  assert_match "$FAST_OUT" "$TAG" "list while createRuntime runs"
  fast 1000 list --format json
  fast 1000 ps "$TAG"
  fast 1000 events --stats "$TAG"
  fast 1000 kill "$TAG" KILL
  # the init is gone long before the hook ends
  wait_for_pid_gone "$pid" 2 || fail "kill KILL did not kill the init"
  local hook
  hook=$(cat "$MARK")
  # delete (no --force: it is stopped) does not wait for the hook either:
  # it stops the create, and the hook with it
  assert_eq "$(state_field "$TAG" status)" stopped "status once the init is killed"
  fast 2000 delete "$TAG"
  wait_for_pid_gone "$hook" 2 || fail "the hook (pid $hook) outlived delete"
  wait "$rt" && fail "create succeeded after its init was killed"
  assert_no_state_dirs
  assert_no_cgroup "$TAG"
}

@test "locking: state, list, ps, events, kill and delete do not wait for a poststart hook" {
  requires_root
  requires_hydra "runc 1.1 runs poststart hooks at create, not after start as runtime.md says"
  cfg_sleep_hook poststart 6
  cfg_args sleep 1000
  create_container "$TAG"
  hr start "$TAG" </dev/null >/dev/null 2>&1 &
  local st=$!
  wait_for_file "$MARK" 20 || fail "the poststart hook never started"
  fast 1000 state "$TAG"
  assert_eq "$(echo "$FAST_OUT" | jq -r .status)" "running" "status while poststart runs"
  local pid
  pid=$(echo "$FAST_OUT" | jq -r .pid)
  fast 1000 list
  assert_match "$FAST_OUT" "$TAG.*running" "list while poststart runs"
  fast 1000 ps "$TAG"
  assert_match "$FAST_OUT" "sleep" "ps while poststart runs"
  fast 1000 events --stats "$TAG"
  fast 1000 kill "$TAG" KILL
  wait_for_pid_gone "$pid" 2 || fail "kill KILL did not kill the init"
  fast 1000 delete "$TAG"
  assert_no_state_dirs
  assert_no_cgroup "$TAG"
  wait "$st" || true
}

@test "locking: hooks that call back into the runtime do not deadlock" {
  requires_root
  local out="$BATS_TEST_TMPDIR/out" s
  mkdir -p "$out"
  # Each hook asks the runtime for this container's state and saves it.
  for s in createRuntime createContainer poststart; do
    cfg '.hooks[$s] = [{"path": "/bin/sh", "args": ["sh", "-c",
           "cat >/dev/null; \($rt) --root \($root) state \($id) > \($out)/\($s) 2>&1; \($rt) --root \($root) list > \($out)/\($s).list 2>&1"]}]' \
      --arg s "$s" --arg rt "$HYDRA_RUNC" --arg root "$ROOT" --arg id "$TAG" --arg out "$out"
  done
  cfg_args sleep 1000
  local rc=0
  timeout 20 "$HYDRA_RUNC" --root "$ROOT" create --bundle "$BUNDLE" "$TAG" </dev/null >/dev/null 2>&1 || rc=$?
  [ "$rc" -eq 0 ] || fail "create with hooks calling state: status $rc (124: deadlock)"
  timeout 20 "$HYDRA_RUNC" --root "$ROOT" start "$TAG" </dev/null >/dev/null 2>&1 || rc=$?
  [ "$rc" -eq 0 ] || fail "start with a poststart hook calling state: status $rc (124: deadlock)"
  # (runc 1.1 knows no container before its create hooks are done, and
  # runs poststart hooks among them)
  local stages="createRuntime createContainer poststart"
  is_runc && stages=""
  for s in $stages; do
    assert_eq "$(jq -r .id "$out/$s" 2>/dev/null)" "$TAG" "state from the $s hook ($(cat "$out/$s"))"
    assert_match "$(cat "$out/$s.list")" "$TAG" "list from the $s hook"
  done
  if ! is_runc; then
    assert_eq "$(jq -r .status "$out/poststart")" "running" "status seen by poststart"
    assert_eq "$(jq -r .status "$out/createRuntime")" "creating" "status seen by createRuntime"
  fi
  hr delete --force "$TAG"
  assert_no_state_dirs
}

@test "locking: delete --force during a hung createRuntime hook kills it and leaves nothing" {
  requires_root
  requires_hydra "runc 1.1 cannot delete a container whose create is still running"
  cfg_sleep_hook createRuntime 1000
  cfg_args sleep 1000
  hr create --bundle "$BUNDLE" "$TAG" </dev/null >/dev/null 2>&1 &
  local rt=$! hook init
  wait_for_file "$MARK" 20 || fail "the hook never started"
  hook=$(cat "$MARK")
  init=$(state_field "$TAG" pid)
  [ -e "/proc/$init" ] || fail "no init (pid $init) while the hook runs"
  fast 3000 delete --force "$TAG"
  # the create, its hook and the init are gone; nothing is left
  wait_for_pid_gone "$rt" 2 || fail "create (pid $rt) outlived delete --force"
  wait "$rt" 2>/dev/null || true
  wait_for_pid_gone "$hook" 2 || fail "the hook (pid $hook) outlived delete --force"
  wait_for_pid_gone "$init" 2 || fail "the init (pid $init) outlived delete --force"
  assert_no_state_dirs
  assert_no_cgroup "$TAG"
  # and the id works again
  cfg 'del(.hooks)'
  create_container "$TAG"
  assert_eq "$(state_field "$TAG" status)" "created" "re-created container"
}

@test "locking: delete without --force, start and exec refuse a container being created" {
  requires_root
  requires_hydra "hydra-runc reports the creating status"
  cfg_sleep_hook createRuntime 1000
  cfg_args sleep 1000
  hr create --bundle "$BUNDLE" "$TAG" </dev/null >/dev/null 2>&1 &
  local rt=$!
  wait_for_file "$MARK" 20 || fail "the hook never started"
  run hr delete "$TAG"
  [ "$status" -ne 0 ] || fail "delete of a container being created succeeded"
  assert_match "$output" "not stopped: creating"
  run hr start "$TAG"
  [ "$status" -ne 0 ] || fail "start of a container being created succeeded"
  run hr exec "$TAG" true
  [ "$status" -ne 0 ] || fail "exec in a container being created succeeded"
  assert_match "$output" "being created"
  hr delete --force "$TAG"
  wait "$rt" 2>/dev/null || true
  assert_no_state_dirs
}

@test "locking: delete --force during a hung createContainer hook kills it and leaves nothing" {
  requires_root
  requires_hydra "runc 1.1 cannot delete a container whose create is still running"
  # (the init runs this one, in the container's namespaces and cgroup)
  cfg_sleep_hook createContainer 1000
  cfg_args sleep 1000
  hr create --bundle "$BUNDLE" "$TAG" </dev/null >/dev/null 2>&1 &
  local rt=$! init
  wait_for_file "$MARK" 20 || fail "the hook never started"
  init=$(state_field "$TAG" pid)
  assert_eq "$(state_field "$TAG" status)" creating "status while createContainer runs"
  fast 3000 delete --force "$TAG"
  wait_for_pid_gone "$rt" 2 || fail "create (pid $rt) outlived delete --force"
  wait "$rt" 2>/dev/null || true
  wait_for_pid_gone "$init" 2 || fail "the init (pid $init) outlived delete --force"
  # the hook was in the container's cgroup: its removal means it is gone
  assert_no_state_dirs
  assert_no_cgroup "$TAG"
}
