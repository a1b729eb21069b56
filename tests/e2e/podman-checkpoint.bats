#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Podman's checkpoint/restore (CRIU) on top of the runtime under test, the
# same private Podman as podman.bats (see e2e-helpers.bash).  Podman runs
#   <rt> checkpoint --image-path B/checkpoint --work-path B [--leave-running]
#        [--tcp-established] ID
# itself and the restore through conmon:
#   <rt> restore --bundle B --pid-file P --detach --image-path B/checkpoint
#        --work-path B [--tcp-established] ID
# (../shared/design/checkpoint-restore.md §3.1).
#
# CRIU: the one tests/criu-helpers.bash finds (Debian's 3.17 cannot dump
# on newer kernels); Podman, the runtime and conmon find it as `criu` in
# PATH (podman_use_criu).  No working CRIU: every test skips, saying why.
#
# The runtime under test is $HYDRA_E2E_RUNTIME, default $HYDRA_RUNC; the
# same file passes with Debian's runc 1.1.5 (cases runc 1.1.5 cannot pass
# are marked hydra-only, with the reason):
#   HYDRA_E2E_RUNTIME=$(command -v runc) bats tests/e2e/podman-checkpoint.bats

bats_require_minimum_version 1.5.0
load e2e-helpers
load ../criu-helpers

setup_file() {
  e2e_find_criu PODMAN_SKIP || return 0
  podman_setup_file || return 1
  podman_use_criu "$CRIU"
}

teardown_file() {
  podman_teardown_file
}

setup() {
  [ -z "${PODMAN_SKIP:-}" ] || skip "$PODMAN_SKIP"
  VOL=$BATS_TEST_TMPDIR/vol
  mkdir -p "$VOL"
  COUNT=$VOL/count
  IDS=()
  NETNS=""
  CLIENT_PID=""
  podman_use_runtime hydra
}

# As podman.bats: every container the test made is gone from Podman and
# the runtime, no conmon or cgroup of it is left; and no CRIU is still
# running, no network namespace or client of the test is left.
teardown() {
  [ -z "${PODMAN_SKIP:-}" ] || return 0
  local left
  if [ -n "$CLIENT_PID" ]; then
    kill -KILL "$CLIENT_PID" 2>/dev/null || true
    wait "$CLIENT_PID" 2>/dev/null || true
  fi
  podman_cleanup_containers
  left=$(podman_leftovers "${IDS[@]}")
  e2e_wait_criu_gone "$PODMAN_DIR/criu-bin" 10 || left="$left criu"
  if [ -n "$NETNS" ]; then
    ip netns delete "$NETNS" 2>/dev/null || true
    [ ! -e "/run/netns/$NETNS" ] || left="$left netns:$NETNS"
  fi
  [ -z "$left" ] || { echo "left behind:$left" >&2; return 1; }
  podman_wait_conmons_gone 10
}

pm() {
  podman_cmd "$@"
}

# run_d NAME ARGS...: a detached container with $VOL at /host; sets ID.
run_d() {
  local name=$1
  shift
  ID=$(pm run -d --name "$name" -v "$VOL:/host" "$@" </dev/null) ||
    fail "podman run -d $name failed" || return 1
  IDS+=("$ID")
}

# cr ARGS...: `podman container ARGS` (checkpoint, restore) through bats'
# run, stdout in $output; unless it exits 0, fail with Podman's message
# (which carries the runtime's error).
cr() {
  run --separate-stderr pm container "$@"
  [ "$status" -eq 0 ] || fail "podman container $*: exit $status: $stderr $output"
}

status_of() {
  pm ps -a --filter "name=^$1\$" --format '{{.Status}}'
}

# start_counter NAME [RUN-FLAGS...]: a container running $E2E_COUNTER;
# TOKEN is its token.
start_counter() {
  local name=$1
  shift
  run_d "$name" "$@" "$PODMAN_IMAGE" sh -c "$E2E_COUNTER"
  podman_wait_for "$COUNT"
  TOKEN=$(e2e_token "$COUNT")
}

# assert_up NAME ID: Podman and the runtime say running, and the pid
# Podman reports is the runtime's, a live process.
assert_up() {
  local pid
  run -0 status_of "$1"
  assert_match "$output" '^Up ' "podman ps status of $1"
  assert_eq "$(podman_rt_status "$2")" running "runtime state of $1"
  pid=$(pm inspect --format '{{.State.Pid}}' "$1")
  [ "$pid" -gt 0 ] && [ -d "/proc/$pid" ] || fail "pid '$pid' of $1 is not alive"
  assert_eq "$(timeout 30 "$PODMAN_RT" state "$2" | jq -r .pid)" "$pid" "runtime pid of $1"
}

# assert_checkpointed NAME ID: stopped by the checkpoint, unknown to the
# runtime (runc deletes a container it checkpointed without
# --leave-running), and Podman knows it was checkpointed.
assert_checkpointed() {
  run -0 pm inspect --format '{{.State.Status}} {{.State.Checkpointed}}' "$1"
  assert_eq "$output" "exited true" "podman's state of $1 after checkpoint"
  run -0 status_of "$1"
  assert_match "$output" '^Exited ' "podman ps status of $1"
  assert_eq "$(podman_rt_status "$2")" gone "runtime state of $1 after checkpoint"
}

# --- the scenarios ---------------------------------------------------------

# Checkpoint, then restore the same container: its memory (the count) and
# its pid namespace (pid 1) come back, in a new process.  (--keep: Podman
# leaves CRIU's logs in the work directory.)
scenario_in_place() {
  local before after n
  start_counter cpr
  e2e_wait_count_above "$COUNT" 3
  before=$(pm inspect --format '{{.State.Pid}}' cpr)
  cr checkpoint --keep cpr
  assert_eq "$output" cpr "checkpoint's output"
  assert_checkpointed cpr "$ID"
  e2e_assert_count_stopped "$COUNT"
  e2e_assert_pid_gone "$before"
  n=$(e2e_count "$COUNT")
  work=$(dirname "$(pm inspect --format '{{.State.CheckpointPath}}' cpr)")
  e2e_assert_criu_log "$work/dump.log" dump
  cr restore --keep cpr
  assert_eq "$output" cpr "restore's output"
  assert_up cpr "$ID"
  e2e_assert_criu_log "$work/restore.log" restore
  run -0 pm inspect --format '{{.State.Restored}}' cpr
  assert_eq "$output" true "State.Restored"
  # Counting on from where it stopped, not from 1, still as pid 1.
  e2e_assert_restored_count "$COUNT" "$n" "$TOKEN"
  after=$(pm inspect --format '{{.State.Pid}}' cpr)
  assert_eq "$(tr '\0' ' ' <"/proc/$after/cmdline")" "sh -c $E2E_COUNTER " "cmdline of the restored init"
  [ "$(readlink "/proc/$after/ns/pid")" != "$(readlink /proc/self/ns/pid)" ] || fail "restored into the host's pid namespace"
  # exec joins the restored container.
  run -0 pm exec cpr sh -c 'readlink /proc/1/ns/pid; readlink /proc/self/ns/time'
  assert_eq "${lines[0]}" "$(readlink "/proc/$after/ns/pid")" "exec's pid namespace"
  # hydra-only: CRIU restores into a new time namespace and the exec must
  # join it too (runc 1.4, #4696; criu#2610): runc 1.1.5 leaves the exec
  # in the host's.
  if ! e2e_runtime_is_runc "$PODMAN_RUNTIME"; then
    assert_eq "${lines[1]}" "$(readlink "/proc/$after/ns/time")" "exec's time namespace"
  fi
  # It runs on and stops like any container.
  run -0 pm stop --time 1 cpr
  run -0 pm inspect --format '{{.State.Status}}' cpr
  assert_eq "$output" exited
}

@test "podman[hydra]: checkpoint, restore in place: memory and pid 1 survive, ps says Up" {
  scenario_in_place
}

@test "podman[runc]: checkpoint, restore in place: memory and pid 1 survive, ps says Up" {
  podman_use_runtime runc
  scenario_in_place
}

# --leave-running: the checkpoint is written, the very same process goes
# on counting (runtime state running, same pid), and Podman records the
# checkpoint.
scenario_leave_running() {
  local pid n
  start_counter lr
  pid=$(pm inspect --format '{{.State.Pid}}' lr)
  cr checkpoint --leave-running --keep lr
  assert_up lr "$ID"
  assert_eq "$(pm inspect --format '{{.State.Pid}}' lr)" "$pid" "pid after checkpoint --leave-running"
  n=$(e2e_count "$COUNT")
  e2e_wait_count_above "$COUNT" "$n"
  assert_eq "$(e2e_token "$COUNT")" "$TOKEN" "the counter's token (the same process)"
  # (--keep: Podman leaves the images and CRIU's log in place)
  cpath=$(pm inspect --format '{{.State.CheckpointPath}}' lr)
  [ -s "$cpath/inventory.img" ] || fail "no CRIU images in $cpath: $(ls "$cpath" 2>&1)"
  e2e_assert_criu_log "$(dirname "$cpath")/dump.log" dump
}

@test "podman[hydra]: checkpoint --leave-running: the same process runs on" {
  scenario_leave_running
}

# --export FILE, then --import FILE --name NEW: a second container, with
# its own id and the state the first had at the checkpoint.
scenario_export_import() {
  local orig n cid
  start_counter exp
  orig=$ID
  e2e_wait_count_above "$COUNT" 3
  cr checkpoint --export "$BATS_TEST_TMPDIR/exp.tar.zst" exp
  assert_checkpointed exp "$orig"
  [ -s "$BATS_TEST_TMPDIR/exp.tar.zst" ] || fail "no export"
  # Podman's archive: the CRIU images and Podman's own files.
  run -0 tar -tf "$BATS_TEST_TMPDIR/exp.tar.zst"
  assert_match "$output" '(^|'$'\n'')(\./)?checkpoint/inventory\.img('$'\n''|$)' "the archive's files"
  assert_match "$output" '(^|'$'\n'')(\./)?config\.dump('$'\n''|$)' "the archive's files"
  n=$(e2e_count "$COUNT")
  cr restore --import "$BATS_TEST_TMPDIR/exp.tar.zst" --name exp-copy
  cid=$(pm inspect --format '{{.Id}}' exp-copy)
  IDS+=("$cid")
  [ "$cid" != "$orig" ] || fail "the copy has the original's id"
  assert_up exp-copy "$cid"
  e2e_assert_restored_count "$COUNT" "$n" "$TOKEN"
  # The original stays as the checkpoint left it.
  run -0 pm inspect --format '{{.State.Status}}' exp
  assert_eq "$output" exited "the original after the import"
  assert_eq "$(podman_rt_status "$orig")" gone "the original in the runtime"
}

@test "podman[hydra]: checkpoint --export, restore --import --name: a running copy" {
  scenario_export_import
}

@test "podman[runc]: checkpoint --export, restore --import --name: a running copy" {
  podman_use_runtime runc
  scenario_export_import
}

# --print-stats: Podman reads CRIU's stats-dump and stats-restore from the
# work directory it passed (--work-path), so they are there only if the
# runtime honoured it.
@test "podman[hydra]: checkpoint and restore --print-stats show CRIU's statistics" {
  start_counter st
  cr checkpoint --print-stats st
  jq -e . <<<"$output" >/dev/null || fail "not JSON: $output"
  run -0 jq -r '.container_statistics[0].criu_statistics | "\(.frozen_time) \(.pages_written)"' <<<"$output"
  read -r frozen pages <<<"$output"
  [ "$frozen" -gt 0 ] 2>/dev/null || fail "frozen_time '$frozen'"
  [ "$pages" -gt 0 ] 2>/dev/null || fail "pages_written '$pages'"
  cr restore --print-stats st
  run -0 jq -r '.container_statistics[0].criu_statistics | "\(.restore_time) \(.pages_restored)"' <<<"$output"
  read -r rtime pages <<<"$output"
  [ "$rtime" -gt 0 ] 2>/dev/null || fail "restore_time '$rtime'"
  [ "$pages" -gt 0 ] 2>/dev/null || fail "pages_restored '$pages'"
  assert_up st "$ID"
}

# --tcp-established: a TCP server in the container and a client on the
# host side, over one connection from start to end.  The container's
# network namespace is one the test made (--network ns:PATH; containers.conf
# has netns = "none", no bridge), which the client joins with
# `ip netns exec`.  The server answers each line with its
# count (kept in memory) and pid.
#
# client_start: connect, then for n = 1, 2, 3: wait for $VOL/go<n>, send
# "ping<n>", write the answer to $VOL/reply<n>.
client_start() {
  # shellcheck disable=SC2016
  ip netns exec "$NETNS" bash -c '
    for ((i = 0; i < 100; i++)); do exec 5<>/dev/tcp/127.0.0.1/7777 && break; sleep 0.1; done 2>/dev/null
    for n in 1 2 3; do
      while [ ! -e "$1/go$n" ]; do sleep 0.05; done
      echo "ping$n" >&5
      read -r -t 20 reply <&5 || exit 1
      echo "$reply" >"$1/reply$n"
    done' client "$VOL" </dev/null >"$VOL/client.out" 2>&1 3>&- &
  CLIENT_PID=$!
}

# ping N: the server's answer to the client's Nth line (10 s).
ping() {
  touch "$VOL/go$1"
  podman_wait_for "$VOL/reply$1" 10 || fail "no answer to ping$1 (client: $(cat "$VOL/client.out"))" || return 1
  cat "$VOL/reply$1"
}

@test "podman[hydra]: checkpoint/restore --tcp-established keeps a connection open" {
  NETNS=hydra-e2ecp-$$-$BATS_TEST_NUMBER
  ip netns add "$NETNS"
  ip -n "$NETNS" link set lo up
  printf '#!/bin/sh\ni=0\nwhile read -r l; do i=$((i+1)); echo "$l $i $$"; done\n' >"$VOL/srv.sh"
  chmod +x "$VOL/srv.sh"
  run_d tcp --network "ns:/run/netns/$NETNS" "$PODMAN_IMAGE" nc -l -p 7777 -e /host/srv.sh
  # The container is in that namespace.
  pid=$(pm inspect --format '{{.State.Pid}}' tcp)
  assert_eq "$(readlink "/proc/$pid/ns/net")" "$(ip netns exec "$NETNS" readlink /proc/self/ns/net)" "the container's netns"
  client_start
  run -0 ping 1
  assert_eq "$output" "ping1 1 1"
  # Without --tcp-established CRIU refuses the established connection; the
  # container (left running) and the connection are unharmed.
  # (Podman removes CRIU's log, which says "Connected TCP socket, consider
  # using --tcp-established", whatever the outcome.)
  run ! pm container checkpoint --leave-running tcp
  assert_up tcp "$ID"
  run -0 ping 2
  assert_eq "$output" "ping2 2 1"
  cr checkpoint --tcp-established tcp
  assert_checkpointed tcp "$ID"
  cr restore --tcp-established tcp
  assert_up tcp "$ID"
  # The same connection, the same server process (count and pid).
  run -0 ping 3
  assert_eq "$output" "ping3 3 1"
  wait "$CLIENT_PID" || fail "client failed: $(cat "$VOL/client.out")"
  CLIENT_PID=""
}

# The command lines Podman (checkpoint) and conmon (restore) give the
# runtime, recorded by a wrapper declared as the runtime: what the runtime
# has to accept.  Podman first probes `checkpoint --help`.
@test "podman[hydra]: the checkpoint and restore command lines" {
  mkdir -p "$BATS_TEST_TMPDIR/bin"
  printf '#!/bin/sh\necho "$*" >>%q\nexec %q "$@"\n' "$BATS_TEST_TMPDIR/args" "$PODMAN_RUNTIME" >"$BATS_TEST_TMPDIR/bin/hydra-runc"
  chmod +x "$BATS_TEST_TMPDIR/bin/hydra-runc"
  sed "s|^hydra = .*|hydra = [\"$BATS_TEST_TMPDIR/bin/hydra-runc\"]|" "$CONTAINERS_CONF" >"$BATS_TEST_TMPDIR/containers.conf"
  export CONTAINERS_CONF=$BATS_TEST_TMPDIR/containers.conf
  run_d args "$PODMAN_IMAGE" sleep 1000
  cr checkpoint args
  cr restore args
  assert_up args "$ID"
  run -0 grep -E '^checkpoint --help$' "$BATS_TEST_TMPDIR/args"
  # (Podman runs checkpoint itself, without --log; conmon adds it to restore)
  run -0 grep -E "^checkpoint --image-path /[^ ]+/checkpoint --work-path /[^ ]+ $ID\$" "$BATS_TEST_TMPDIR/args"
  run -0 grep -E "^--log-format=json --log /[^ ]+ restore --bundle /[^ ]+ --pid-file /[^ ]+ --detach --image-path /[^ ]+/checkpoint --work-path /[^ ]+ $ID\$" "$BATS_TEST_TMPDIR/args"
}

# A container with a terminal (-t): CRIU hands the restored terminal's
# master to the runtime (orphan-pts-master), which passes it on through
# conmon's --console-socket.  The restored process still has its terminal
# (the same /dev/pts/N inside) and Podman still reads it: `podman logs`
# shows what it prints after the restore.
@test "podman[hydra]: checkpoint, restore of a container with a terminal" {
  run_d tty -t "$PODMAN_IMAGE" sh -c 'tty >/host/tty; i=0; while :; do i=$((i+1)); echo "tick $i"; echo $i >/host/count.new; mv /host/count.new /host/count; sleep 0.1; done'
  podman_wait_for "$COUNT"
  podman_wait_for "$VOL/tty"
  assert_match "$(cat "$VOL/tty")" '^/dev/pts/[0-9]+$' "the container's terminal"
  cr checkpoint tty
  assert_checkpointed tty "$ID"
  cr restore tty
  assert_up tty "$ID"
  n=$(cat "$COUNT")
  for ((i = 0; i < 100; i++)); do
    [ "$(cat "$COUNT")" -gt $((n + 3)) ] && break
    sleep 0.05
  done
  [ "$(cat "$COUNT")" -gt $((n + 3)) ] || fail "not counting after the restore"
  pid=$(pm inspect --format '{{.State.Pid}}' tty)
  assert_eq "$(readlink "/proc/$pid/fd/1")" "$(cat "$VOL/tty")" "the restored process's stdout"
  run -0 pm logs tty
  assert_match "$output" "tick $((n + 2))" "podman logs after the restore"
}

# A restore that fails (the archive lacks CRIU's process tree): Podman
# reports the error, the container does not run, and nothing of the
# attempt is left (teardown: runtime state, cgroups, conmon, CRIU).
@test "podman[hydra]: restore --import of a broken checkpoint fails, leaves nothing" {
  start_counter brk
  cr checkpoint --export "$BATS_TEST_TMPDIR/brk.tar.zst" brk
  mkdir "$BATS_TEST_TMPDIR/brk"
  tar -C "$BATS_TEST_TMPDIR/brk" -xf "$BATS_TEST_TMPDIR/brk.tar.zst"
  rm "$BATS_TEST_TMPDIR/brk/checkpoint/pstree.img" || fail "no pstree.img in the archive"
  (cd "$BATS_TEST_TMPDIR/brk" && tar -cf ../brk.tar -- *)
  run ! pm container restore --import "$BATS_TEST_TMPDIR/brk.tar" --name brk-copy
  # (the runtime's failure, not Podman's own refusal of the archive)
  assert_match "$output" 'OCI runtime error' "podman's error"
  # Podman keeps the copy as created (its id is how teardown looks for
  # leftovers); it does not run, and the runtime has no state for it.
  cid=$(pm inspect --format '{{.Id}}' brk-copy) || fail "podman forgot brk-copy"
  IDS+=("$cid")
  run -0 pm inspect --format '{{.State.Status}}' brk-copy
  assert_eq "$output" created "podman's state of the broken restore"
  assert_eq "$(podman_rt_status "$cid")" gone "runtime state of the broken restore"
  e2e_assert_count_stopped "$COUNT"
}
