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
# Compared by device and inode: for a process in another mount namespace
# readlink(/proc/PID/root) gives the path inside that namespace ("/"), not
# the host path, while the bind mount of the rootfs keeps the directory's
# device and inode.
procs_in_rootfs() {
  local want
  want=$(stat -c '%d:%i' "$BUNDLE/rootfs") || return 1
  stat -L -c '%d:%i %n' /proc/[0-9]*/root 2>/dev/null |
    awk -v w="$want" '$1 == w { split($2, f, "/"); print f[3] }'
  return 0
}

# --- the fault build --------------------------------------------------------
# tests/tools/hydra-runc-faults is hydra-runc with its fault points
# compiled in (src/common/fault.h, docs/architecture.md "Fault points"):
# with HYDRA_FAULT_POINT=NAME the process that reaches point NAME says so
# on stderr and blocks there, so a test can kill -9 the runtime at exactly
# that stage.  No sleeping: the test waits for that line.
FAULT_RUNC=${HYDRA_FAULT_RUNC:-${HYDRA_BUILDDIR:-/nonexistent}/tests/tools/hydra-runc-faults}

requires_fault_build() {
  requires_root
  requires_hydra "the fault points are a test build of hydra-runc"
  [ -x "$FAULT_RUNC" ] || skip "no fault-point build at $FAULT_RUNC ('make check' builds tests/tools/hydra-runc-faults)"
}

# fault_start POINT ARGS...: run the fault build (this test's state root)
# until it reports POINT; sets RT to the runtime's pid.  Bounded: a point
# never reached fails the test.
fault_start() {
  local point=$1 i st
  shift
  FAULT_LOG="$BATS_TEST_TMPDIR/fault-$point.err"
  HYDRA_FAULT_POINT=$point "$FAULT_RUNC" --root "$ROOT" "$@" </dev/null >/dev/null 2>"$FAULT_LOG" &
  RT=$!
  for ((i = 0; i < 600; i++)); do
    grep -qs "fault point $point reached" "$FAULT_LOG" && return 0
    st=$(awk '{print $3}' "/proc/$RT/stat" 2>/dev/null) || st=gone
    [ "$st" = Z ] || [ "$st" = gone ] && break
    sleep 0.05
  done
  kill -9 "$RT" 2>/dev/null || true
  wait "$RT" 2>/dev/null || true
  fail "fault point $point never reached; the runtime said: $(cat "$FAULT_LOG")"
}

# fault_kill: kill -9 the runtime fault_start started, and reap it.
fault_kill() {
  kill -9 "$RT"
  wait "$RT" 2>/dev/null || true
}

# Direct children of PID (the processes create or exec forked).
children_of() {
  # (through cat: mawk gives up at the first process that exited meanwhile;
  # sed: a command name may hold spaces)
  cat /proc/[0-9]*/stat 2>/dev/null | sed -n 's/^\([0-9]*\) (.*) . \([0-9]*\) .*/\1 \2/p' |
    awk -v pp="$1" '$2 == pp { print $1 }'
  return 0
}

# The cgroup directories hydra-runc makes for $TAG (no cgroupsPath in the
# config: the id below our own cgroup, in every hierarchy) that exist now.
tag_cgroup_dirs() {
  local ctrl path base
  while IFS=: read -r _ ctrl path; do
    base=$(cgroup_mount "$ctrl")
    path=${path%/}
    [ -d "$base$path/$TAG" ] && echo "$base$path/$TAG"
  done </proc/self/cgroup
  return 0
}

# Host mounts that mention this test's files (a mount leaked out of the
# container's mount namespace would).
test_mounts() {
  grep -F "$BATS_TEST_TMPDIR" /proc/self/mountinfo || true
}

# wait_all_gone PID...: every PID exits (bounded).
wait_all_gone() {
  local p
  for p in "$@"; do
    wait_for_pid_gone "$p" 10 || return 1
  done
}

# After a create was killed at a fault point: `state` tells the truth,
# `delete --force` removes everything, and the id works again with the
# normal binary.  $1: the pids the stopped create had made (they must die
# with it), $2: the host mounts before.
assert_create_recovers() {
  local pids=$1 mounts_before=$2
  # shellcheck disable=SC2086
  wait_all_gone $pids || fail "processes of the killed create outlived it"
  [ -z "$(procs_in_rootfs)" ] || fail "processes left in the rootfs: $(procs_in_rootfs)"
  # The state dir exists from the first step on: `state` must read it, and
  # nothing of the container runs.
  run hr state "$TAG"
  [ "$status" -eq 0 ] || fail "state after the runtime was killed: status $status: $output"
  assert_eq "$(echo "$output" | jq -r .status)" "stopped" "status after the runtime was killed"
  run hr list -q
  assert_match "$output" "$TAG" "list after the runtime was killed"
  hr delete --force "$TAG"
  assert_no_state_dirs
  assert_eq "$(tag_cgroup_dirs)" "" "cgroup directories left after delete --force"
  assert_eq "$(test_mounts)" "$mounts_before" "host mounts of this test"
  # and the id works again, with the normal binary
  create_container "$TAG"
  assert_eq "$(state_field "$TAG" status)" "created" "re-created container"
  hr start "$TAG"
  assert_eq "$(state_field "$TAG" status)" "running" "re-created container after start"
}

# create_fault POINT INIT: kill -9 create at POINT (the cgroup exists at
# every point); INIT=yes when the init exists by then.
create_fault() {
  local point=$1 init=$2 mounts pids
  cfg_args sleep 1000
  mounts=$(test_mounts)
  fault_start "$point" create --bundle "$BUNDLE" "$TAG"
  [ -n "$(tag_cgroup_dirs)" ] || fail "no cgroup for $TAG at $point"
  pids=$(children_of "$RT")
  if [ "$init" = yes ]; then
    [ -n "$pids" ] || fail "no init at $point"
  else
    assert_eq "$pids" "" "children of create at $point"
  fi
  fault_kill
  assert_create_recovers "$pids" "$mounts"
}

@test "faults: the fault points are in the test build only" {
  requires_fault_build
  ! grep -q HYDRA_FAULT_POINT "$HYDRA_RUNC" || fail "$HYDRA_RUNC reads HYDRA_FAULT_POINT"
  grep -q HYDRA_FAULT_POINT "$FAULT_RUNC" || fail "$FAULT_RUNC has no fault points"
  # Without the variable the fault build is hydra-runc.
  cfg_args sleep 1000
  env -u HYDRA_FAULT_POINT "$FAULT_RUNC" --root "$ROOT" create --bundle "$BUNDLE" "$TAG" </dev/null >/dev/null 2>&1
  track_pid "$TAG"
  assert_eq "$(state_field "$TAG" status)" "created" "status"
}

@test "faults: kill -9 of create before the namespaces are made" {
  requires_fault_build
  create_fault create-before-clone no
}

@test "faults: kill -9 of create after the cgroup is made and joined" {
  requires_fault_build
  create_fault create-after-cgroup yes
}

@test "faults: kill -9 of create after the init's mounts" {
  requires_fault_build
  local init mounts
  cfg_args sleep 1000
  mounts=$(test_mounts)
  fault_start create-after-mounts create --bundle "$BUNDLE" "$TAG"
  # The init stopped after pivot_root: its root is the rootfs.
  init=$(procs_in_rootfs)
  assert_eq "$init" "$(children_of "$RT")" "the init, in the rootfs"
  [ -n "$(tag_cgroup_dirs)" ] || fail "no cgroup for $TAG at create-after-mounts"
  fault_kill
  assert_create_recovers "$init" "$mounts"
}

@test "faults: kill -9 of create just before the created state is written" {
  requires_fault_build
  create_fault create-before-state yes
}

@test "faults: kill -9 of create just after the created state is written" {
  requires_fault_build
  create_fault create-after-state yes
}

@test "faults: an init that dies instead of acknowledging RECORDED fails create, leaving nothing" {
  requires_fault_build
  local init mounts rc=0
  cfg_args sleep 1000
  mounts=$(test_mounts)
  fault_start create-before-ack create --bundle "$BUNDLE" "$TAG"
  init=$(children_of "$RT")
  [ -n "$init" ] || fail "no init at create-before-ack"
  # the end of file that used to count as the acknowledgement
  kill -9 "$init"
  wait "$RT" || rc=$?
  [ "$rc" -ne 0 ] || fail "create succeeded with a dead init: $(cat "$FAULT_LOG")"
  grep -q "did not acknowledge its state record" "$FAULT_LOG" || fail "create said: $(cat "$FAULT_LOG")"
  assert_no_state_dirs
  assert_eq "$(tag_cgroup_dirs)" "" "cgroup directories left"
  assert_eq "$(test_mounts)" "$mounts" "host mounts of this test"
  create_container "$TAG"
  assert_eq "$(state_field "$TAG" status)" "created" "re-created container"
}

# exec_fault POINT: kill -9 `exec` at POINT in a running container: the
# half-made process dies with it, the container runs on untouched, takes
# another exec, and deletes cleanly.
exec_fault() {
  local point=$1 init pids d
  cfg_args sleep 1000
  create_container "$TAG"
  hr start "$TAG"
  init=$(state_field "$TAG" pid)
  fault_start "$point" exec "$TAG" sleep 999
  pids=$(children_of "$RT")
  [ -n "$pids" ] || fail "exec had no child at $point"
  fault_kill
  # shellcheck disable=SC2086
  wait_all_gone $pids || fail "the process exec was making outlived it"
  assert_eq "$(procs_in_rootfs)" "$init" "processes in the rootfs"
  assert_eq "$(state_field "$TAG" status)" "running" "status"
  assert_eq "$(state_field "$TAG" pid)" "$init" "init pid"
  for d in $(tag_cgroup_dirs); do
    assert_eq "$(cat "$d/cgroup.procs")" "$init" "processes in $d"
  done
  run hr exec "$TAG" echo still-here
  [ "$status" -eq 0 ] || fail "exec after the killed exec: status $status: $output"
  assert_eq "$output" "still-here" "exec output"
  hr delete --force "$TAG"
  wait_for_pid_gone "$init" 10 || fail "init $init survived delete --force"
  assert_no_state_dirs
  assert_eq "$(tag_cgroup_dirs)" "" "cgroup directories left after delete --force"
}

@test "faults: kill -9 of exec after joining the namespaces, before the fork" {
  requires_fault_build
  exec_fault exec-after-join
}

@test "faults: kill -9 of exec while the process sets itself up" {
  requires_fault_build
  exec_fault exec-before-ready
}

@test "faults: kill -9 of exec with the process in the cgroup, before GO" {
  requires_fault_build
  exec_fault exec-before-go
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
  if is_runc; then
    # (runc 1.1 leaves this cgroup behind; hydra-runc records it first)
    local d
    for d in $(tag_cgroup_dirs); do rmdir "$d" 2>/dev/null || true; done
  else
    assert_eq "$(tag_cgroup_dirs)" "" "cgroup directories left after delete --force"
  fi
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
