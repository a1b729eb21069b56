#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# containerd's checkpoint/restore (CRIU) through the runc shim on top of
# the runtime under test, the same private containerd as containerd.bats
# (see e2e-helpers.bash).  Through go-runc the shim runs
#   <rt> checkpoint --image-path P --work-path W [--file-locks]
#        [--leave-running] ID
#   <rt> restore --image-path P --work-path W --detach --pid-file F
#        -no-subreaper --bundle B ID        (one dash: Go's flag syntax)
# (../shared/design/checkpoint-restore.md §0, §3.3).
#
# CRIU: the one tests/criu-helpers.bash finds (Debian's 3.17 cannot dump
# on newer kernels); the shim and the runtime find it as `criu` in the
# daemon's PATH (ctrd_use_criu).  No working CRIU: every test skips,
# saying why.
#
# The runtime under test is $HYDRA_E2E_RUNTIME, default $HYDRA_RUNC; the
# same file passes with Debian's runc 1.1.5:
#   HYDRA_E2E_RUNTIME=$(command -v runc) bats tests/e2e/containerd-checkpoint.bats

bats_require_minimum_version 1.5.0
load e2e-helpers
load ../criu-helpers

setup_file() {
  e2e_find_criu CTRD_SKIP || return 0
  ctrd_setup_file || return 1
  ctrd_use_criu "$CRIU"
}

teardown_file() {
  ctrd_teardown_file
}

setup() {
  [ -z "${CTRD_SKIP:-}" ] || skip "$CTRD_SKIP"
  HOSTDIR=$BATS_TEST_TMPDIR/host
  mkdir -p "$HOSTDIR"
  COUNT=$HOSTDIR/count
  ID=t$BATS_TEST_NUMBER
  REF=localhost/hydra-e2e/checkpoint-$ID:1
}

# The task, the container and the checkpoint image are removed; nothing
# of the container is left: the runtime's state, its cgroups (the default
# spec's /<namespace>/<id>), a CRIU of this suite.
teardown() {
  [ -z "${CTRD_SKIP:-}" ] || return 0
  [ -S "${CTRD_SOCK:-}" ] || return 0
  local left="" cg
  ctrd_remove "$ID"
  ctrd_ctr images rm --sync "$REF" >/dev/null 2>&1 || true
  ctrd_ctr images ls -q | grep -qxF "$REF" && left="$left image:$REF"
  [ ! -e "$(state_dir "$ID")" ] || left="$left state:$(state_dir "$ID")"
  for cg in $(ctrd_cgroups_of "$CTRD_NS"); do
    [ ! -d "$cg/$ID" ] || left="$left cgroup:$cg/$ID"
  done
  e2e_wait_criu_gone "$CTRD_DIR/bin" 10 || left="$left criu"
  [ -z "$left" ] || { echo "left behind:$left" >&2; return 1; }
}

# The runtime's state directory for container ID (the shim's --root is
# <runc root>/<namespace>).
state_dir() {
  echo "$CTRD_RUNC_ROOT/$CTRD_NS/$1"
}

# rt_status ID: the runtime's `state` of ID (the shim's root), or "gone".
rt_status() {
  local out
  out=$("$CTRD_RUNTIME" --root "$CTRD_RUNC_ROOT/$CTRD_NS" state "$1" 2>/dev/null) || { echo gone; return 0; }
  jq -r .status <<<"$out"
}

rt_pid() {
  "$CTRD_RUNTIME" --root "$CTRD_RUNC_ROOT/$CTRD_NS" state "$1" | jq -r .pid
}

# start_counter: task $ID running $E2E_COUNTER, $HOSTDIR at /host; it
# also leaves a file in its rootfs (the rw layer).  TOKEN is its token.
start_counter() {
  ctrd_run_d "--mount=type=bind,src=$HOSTDIR,dst=/host,options=rbind:rw" "$ID" \
    sh -c "echo rw-layer >/root/marker; $E2E_COUNTER"
  ctrd_wait_status "$ID" RUNNING
  ctrd_wait_file "$COUNT"
  TOKEN=$(e2e_token "$COUNT")
}

# assert_running ID: containerd and the runtime agree: running, same pid,
# a live process in the container's cgroup.
assert_running() {
  local pid
  assert_eq "$(ctrd_task_status "$1")" RUNNING "task status of $1"
  assert_eq "$(rt_status "$1")" running "runtime state of $1"
  pid=$(ctrd_task_pid "$1")
  assert_eq "$(rt_pid "$1")" "$pid" "runtime pid of $1"
  [ -d "/proc/$pid" ] || fail "pid $pid of $1 is not alive"
  assert_match "$(cat "/proc/$pid/cgroup")" "/$CTRD_NS/$1" "cgroups of $pid"
}

# `ctr containers checkpoint --task --rw` (containerd pauses the task,
# the shim checkpoints it leaving it running, containerd resumes it) makes
# a checkpoint image; `ctr containers restore --live --rw` makes the
# container again from it and the shim restores the task: counting on
# from where it was, as pid 1, its rw layer back.
@test "containerd: containers checkpoint --task, containers restore --live: the task runs on" {
  start_counter
  e2e_wait_count_above "$COUNT" 3
  pid=$(ctrd_task_pid "$ID")
  run ctrd_ctr containers checkpoint --task --rw "$ID" "$REF"
  [ "$status" -eq 0 ] || fail "containers checkpoint: $output"
  # Left running (and resumed): the same process, still counting.
  assert_running "$ID"
  assert_eq "$(ctrd_task_pid "$ID")" "$pid" "pid after the checkpoint"
  n=$(e2e_count "$COUNT")
  e2e_wait_count_above "$COUNT" "$n"
  assert_eq "$(e2e_token "$COUNT")" "$TOKEN" "the counter's token (the same process)"
  run -0 ctrd_ctr images ls -q
  assert_match "$output" "(^|"$'\n'")${REF//./\\.}($|"$'\n'")" "images"
  # Gone: task, container, runtime state, process.
  ctrd_remove "$ID"
  assert_eq "$(rt_status "$ID")" gone "runtime state after removal"
  e2e_assert_count_stopped "$COUNT"
  n=$(e2e_count "$COUNT")
  # Back from the image.
  run ctrd_ctr containers restore --live --rw "$ID" "$REF" </dev/null
  [ "$status" -eq 0 ] || fail "containers restore: $output"
  assert_running "$ID"
  [ "$(ctrd_task_pid "$ID")" != "$pid" ] || fail "restored with the removed task's pid $pid"
  e2e_assert_restored_count "$COUNT" "$n" "$TOKEN"
  pid=$(ctrd_task_pid "$ID")
  [ "$(readlink "/proc/$pid/ns/pid")" != "$(readlink /proc/self/ns/pid)" ] || fail "restored into the host's pid namespace"
  # The rw layer came back with --rw.
  run -0 cat "/proc/$pid/root/root/marker"
  assert_eq "$output" rw-layer "the rw layer's file"
  # exec joins the restored task (its pid and mount namespaces).
  run ctrd_exec --exec-id after-restore "$ID" sh -c 'cat /root/marker; readlink /proc/1/ns/pid; readlink /proc/self/ns/time' </dev/null
  [ "$status" -eq 0 ] || fail "exec after restore: $output"
  assert_eq "${lines[0]}" rw-layer "exec's view of the rw layer"
  assert_eq "${lines[1]}" "$(readlink "/proc/$pid/ns/pid")" "exec's pid namespace"
  # hydra-only: CRIU restores the task into a new time namespace and the
  # exec must join it too (runc 1.4, #4696; criu#2610): runc 1.1.5 leaves
  # the exec in the host's.
  if ! e2e_runtime_is_runc "$CTRD_RUNTIME"; then
    assert_eq "${lines[2]}" "$(readlink "/proc/$pid/ns/time")" "exec's time namespace"
  fi
  # It stops like any task.
  run ctrd_ctr task kill -s SIGKILL "$ID"
  ctrd_wait_status "$ID" STOPPED
}

# `ctr tasks checkpoint --image-path P --work-path W`: CRIU's images in P,
# its log and statistics in W (so --work-path was honoured); the task left
# running.  With --exit the checkpoint stops it.
@test "containerd: tasks checkpoint --image-path --work-path [--exit]" {
  start_counter
  pid=$(ctrd_task_pid "$ID")
  run ctrd_ctr tasks checkpoint --image-path "$HOSTDIR/img" --work-path "$HOSTDIR/work" "$ID"
  [ "$status" -eq 0 ] || fail "tasks checkpoint: $output"
  [ -s "$HOSTDIR/img/inventory.img" ] || fail "no inventory.img in the image path: $(ls "$HOSTDIR/img" 2>&1)"
  [ -s "$HOSTDIR/img/pstree.img" ] || fail "no pstree.img in the image path"
  e2e_assert_criu_log "$HOSTDIR/work/dump.log" dump
  [ -s "$HOSTDIR/work/stats-dump" ] || fail "no stats-dump in the work path: $(ls "$HOSTDIR/work")"
  [ ! -e "$HOSTDIR/img/dump.log" ] || fail "dump.log in the image path, not the work path"
  assert_running "$ID"
  assert_eq "$(ctrd_task_pid "$ID")" "$pid" "pid after the checkpoint"
  n=$(e2e_count "$COUNT")
  e2e_wait_count_above "$COUNT" "$n"
  assert_eq "$(e2e_token "$COUNT")" "$TOKEN" "the counter's token (the same process)"
  # --exit: checkpointed, then stopped; the runtime forgot it.
  run ctrd_ctr tasks checkpoint --exit --image-path "$HOSTDIR/img2" --work-path "$HOSTDIR/work2" "$ID"
  [ "$status" -eq 0 ] || fail "tasks checkpoint --exit: $output"
  [ -s "$HOSTDIR/img2/inventory.img" ] || fail "no inventory.img in the image path: $(ls "$HOSTDIR/img2" 2>&1)"
  e2e_assert_criu_log "$HOSTDIR/work2/dump.log" dump
  ctrd_wait_status "$ID" STOPPED
  assert_eq "$(rt_status "$ID")" gone "runtime state after checkpoint --exit"
  e2e_assert_pid_gone "$pid"
  e2e_assert_count_stopped "$COUNT"
}

# The command lines the shim (go-runc) gives the runtime, recorded by a
# wrapper named as --runc-binary: what the runtime has to accept, the
# one-dash -no-subreaper among them.
@test "containerd: the shim's checkpoint and restore command lines" {
  mkdir -p "$BATS_TEST_TMPDIR/bin"
  printf '#!/bin/sh\necho "$*" >>%q\nexec %q "$@"\n' "$BATS_TEST_TMPDIR/args" "$CTRD_RUNTIME" >"$BATS_TEST_TMPDIR/bin/rt"
  chmod +x "$BATS_TEST_TMPDIR/bin/rt"
  run ctrd_ctr run --runc-binary "$BATS_TEST_TMPDIR/bin/rt" --runc-root "$CTRD_RUNC_ROOT" \
    --fifo-dir "$CTRD_DIR/fifo" -d --null-io "$CTRD_IMAGE" "$ID" sleep 1000 </dev/null
  [ "$status" -eq 0 ] || fail "ctr run: $output"
  ctrd_wait_status "$ID" RUNNING
  run ctrd_ctr containers checkpoint --task "$ID" "$REF"
  [ "$status" -eq 0 ] || fail "containers checkpoint: $output"
  ctrd_remove "$ID"
  run ctrd_ctr containers restore --live "$ID" "$REF" </dev/null
  [ "$status" -eq 0 ] || fail "containers restore: $output"
  assert_running "$ID"
  run -0 grep -E " checkpoint --image-path /[^ ]+ --work-path /[^ ]+ .*--leave-running $ID\$" "$BATS_TEST_TMPDIR/args"
  run -0 grep -E " restore --image-path /[^ ]+ --work-path /[^ ]+ .*--detach --pid-file /[^ ]+ .*-no-subreaper --bundle /[^ ]+ $ID\$" "$BATS_TEST_TMPDIR/args"
}
