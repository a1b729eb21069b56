#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Leak cycles and concurrency: many lifecycles in a row and many commands
# at once leave nothing behind (mounts, cgroups, state dirs, processes),
# hydra-runc's memory stays flat, and state.json is never seen half
# written.  HYDRA_CYCLES (default 1000) and HYDRA_EXEC_CYCLES (200).

load ../integration/helpers

setup_file() { hr_setup_file; }
setup() { hr_setup; }
teardown() { hr_teardown; }

cgroup_dirs_named() { find /sys/fs/cgroup -maxdepth 6 -type d -name "$1*" 2>/dev/null | wc -l; }
zombies() { ps -eo stat= | grep -c '^Z' || true; }
# (the created container inherits stdio: keep it away from any pipe)
max_rss_kb() {
  /usr/bin/time -f %M -o "$BATS_TEST_TMPDIR/rss" "$@" </dev/null >/dev/null 2>&1
  cat "$BATS_TEST_TMPDIR/rss"
}

@test "stress: create/start/kill/delete cycles leave nothing and memory stays flat" {
  requires_root
  [ -x /usr/bin/time ] || skip "needs /usr/bin/time (Debian package time)"
  local n=${HYDRA_CYCLES:-1000} i mounts_before zombies_before rss_first rss_last id
  cfg_args sleep 1000
  mounts_before=$(wc -l </proc/self/mountinfo)
  zombies_before=$(zombies)
  for ((i = 0; i < n; i++)); do
    id="${TAG}c$i"
    hr create --bundle "$BUNDLE" "$id" </dev/null >/dev/null || fail "create $i failed"
    hr start "$id" || fail "start $i failed"
    hr kill "$id" KILL || fail "kill $i failed"
    hr delete --force "$id" || fail "delete $i failed"
    if [ "$i" -eq 10 ]; then
      rss_first=$(max_rss_kb "$HYDRA_RUNC" --root "$ROOT" create --bundle "$BUNDLE" "${TAG}rss")
      hr delete --force "${TAG}rss"
    fi
  done
  rss_last=$(max_rss_kb "$HYDRA_RUNC" --root "$ROOT" create --bundle "$BUNDLE" "${TAG}rss")
  hr delete --force "${TAG}rss"
  assert_eq "$(wc -l </proc/self/mountinfo)" "$mounts_before" "host mount table size"
  assert_eq "$(cgroup_dirs_named "${TAG}c")" 0 "cgroup directories left"
  assert_no_state_dirs
  # killed inits are reaped by whoever adopted them (PID 1 here): give it
  # a moment, then none of them may be left
  for ((i = 0; i < 100; i++)); do
    [ "$(zombies)" -le "$zombies_before" ] && break
    sleep 0.05
  done
  [ "$(zombies)" -le "$zombies_before" ] || fail "zombies: $(zombies), were $zombies_before"
  echo "max RSS of create: cycle 10: ${rss_first} KiB, after $n cycles: ${rss_last} KiB"
  # each command is a new process: its footprint must not grow with the
  # number of containers that came and went
  [ "$rss_last" -le $((rss_first + rss_first / 5 + 256)) ] || fail "RSS grew from $rss_first to $rss_last KiB"
}

# fds_of PID: its open fds and what they are, one per line
fds_of() {
  local f
  for f in /proc/"$1"/fd/*; do echo "${f##*/} $(readlink "$f" | sed 's/[0-9][0-9]*\]$/N]/')"; done
}

@test "stress: exec cycles into one container leave no process and no fd behind" {
  requires_root
  local n=${HYDRA_EXEC_CYCLES:-200} i procs rt init fds_rt fds_init
  cfg_args sleep 1000
  # the container under a foreground `run`: a hydra-runc process that
  # lives as long as the container, whose fds the execs must not change
  "$HYDRA_RUNC" --root "$ROOT" run --bundle "$BUNDLE" "$TAG" </dev/null >"$BATS_TEST_TMPDIR/run.out" 2>&1 &
  rt=$!
  HR_PIDS+=("$rt")
  wait_for_status "$TAG" running
  init=$(state_field "$TAG" pid)
  fds_rt=$(fds_of "$rt")
  fds_init=$(fds_of "$init")
  for ((i = 0; i < n; i++)); do
    run hr exec "$TAG" sh -c "exit $((i % 7))"
    [ "$status" -eq $((i % 7)) ] || fail "exec $i: status $status: $output"
  done
  procs=$(hr ps --format json "$TAG" | jq length)
  assert_eq "$procs" 1 "processes in the container after $n execs"
  assert_eq "$(fds_of "$rt")" "$fds_rt" "fds of the foreground hydra-runc run after $n execs"
  assert_eq "$(fds_of "$init")" "$fds_init" "fds of the container's init after $n execs"
  hr kill "$TAG" KILL
  wait "$rt" || true
  hr delete --force "$TAG" 2>/dev/null || true
  assert_no_state_dirs
  assert_no_cgroup "$TAG"
}

@test "stress: 50 containers created at once, then deleted at once" {
  requires_root
  local i pids=() st
  cfg_args sleep 1000
  for ((i = 0; i < 50; i++)); do
    hr create --bundle "$BUNDLE" "${TAG}p$i" </dev/null >/dev/null 2>"$BATS_TEST_TMPDIR/err$i" &
    pids+=($!)
  done
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || fail "create $i failed: $(cat "$BATS_TEST_TMPDIR/err$i")"
  done
  assert_eq "$(hr list -q | grep -c "^${TAG}p")" 50 "containers listed"
  for ((i = 0; i < 50; i++)); do
    st=$(state_field "${TAG}p$i" status)
    assert_eq "$st" created "status of ${TAG}p$i"
  done
  pids=()
  for ((i = 0; i < 50; i++)); do
    hr delete --force "${TAG}p$i" &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || fail "a parallel delete failed"; done
  assert_no_state_dirs
  assert_eq "$(cgroup_dirs_named "${TAG}p")" 0 "cgroup directories left"
}

@test "stress: racing delete --force, kill, start and state on one id" {
  requires_root
  local round j pids rc out
  cfg_args sleep 1000
  for ((round = 0; round < 5; round++)); do
    create_container "$TAG"
    pids=()
    for ((j = 0; j < 20; j++)); do
      case $((j % 4)) in
        0) hr delete --force "$TAG" >/dev/null 2>&1 & ;;
        1) hr kill "$TAG" KILL >/dev/null 2>&1 & ;;
        2) hr start "$TAG" >/dev/null 2>&1 & ;;
        3) (out=$(hr state "$TAG" 2>/dev/null) && { echo "$out" | jq -e .status >/dev/null || echo CORRUPT; } ) \
             >>"$BATS_TEST_TMPDIR/states" & ;;
      esac
      pids+=($!)
    done
    for p in "${pids[@]}"; do
      rc=0
      wait "$p" || rc=$?
      # every command answers: success or a clean error, never a crash/timeout
      [ "$rc" -le 1 ] || fail "a command died with status $rc"
    done
    ! grep -q CORRUPT "$BATS_TEST_TMPDIR/states" 2>/dev/null || fail "state printed something that is not JSON"
    hr delete --force "$TAG"
    assert_no_state_dirs
    assert_no_cgroup "$TAG"
  done
}
