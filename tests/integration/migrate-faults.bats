#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Live migration (issue 14) when something goes wrong on the way: a wrong
# key, the target killed, the link cut, the target's disk full.  Each must
# leave the SOURCE container running (same init, thawed, its memory
# intact) and nothing behind on either host (migrate-helpers.bash).

load helpers
load ../criu-helpers
load checkpoint-helpers
load migrate-helpers

# mg_source_survived ID PID BEFORE: the source runs on A as PID, thawed, and
# its counter goes on from BEFORE ("COUNT TOKEN") with the same token.
mg_source_survived() {
  local line
  # nothing here kills the source's processes: one killed by a signal
  # crashed (its supervisor may have taken the container back, still a bug)
  [[ $MG_ERR != *"killed by signal"* ]] || fail "the source's migration process crashed: $MG_ERR" || return 1
  mg_assert_source_running "$1" "$2" >/dev/null || return 1
  line=$(mg_bump "$2" $((${3%% *} + 1))) || return 1
  assert_eq "${line#* }" "${3#* }" "the source's token"
}

# mg_assert_prompt T0 T1: the source gave up within 10 s of the target's
# death at T0 (T1: migrate's end; date +%s): a dead target says so, or its
# connection goes; the source must not sit out the default --timeout (30 s)
# with its container frozen.
mg_assert_prompt() {
  local secs=$(($2 - $1))
  echo "migrate ended $secs s after the target was killed" >&2
  [ "$secs" -le 10 ] || fail "migrate ended $secs s after the target was killed" || return 1
  # and its error says what happened, not a stall that did not happen
  if [[ $MG_ERR =~ no\ progress\ for\ ([0-9]+)\ ms ]] && [ "${BASH_REMATCH[1]}" -gt $(((secs + 1) * 1000)) ]; then
    fail "the error claims ${BASH_REMATCH[1]} ms without progress, migrate ended $secs s after the kill: $MG_ERR"
  fi
}

# mg_start_big [MIB [RATE]]: a container holding MIB (64) MiB in its
# /dev/shm, the link from A throttled (mg_throttle RATE) so that its
# transfer takes seconds; echoes "PID BEFORE".
mg_start_big() {
  mg_cfg_memhog "${1:-64}"
  mg_bundles
  local old before
  old=$(mg_run_a "$TAG") || return 1
  # (the counter's first line is written once the 64 MiB are)
  mg_wait_counter "$old" >/dev/null || return 1
  before=$(mg_bump "$old" 1) || return 1
  mg_throttle "${2:-}" || return 1
  echo "$old $before"
}

@test "migrate-faults: a wrong key: both sides fail, the target says authentication failed" {
  local old before
  mg_start_idle
  old=$MG_OLD
  before=$MG_BEFORE
  mg_key "$BATS_TEST_TMPDIR/other-key"
  mg_receive "$TAG" --key "$BATS_TEST_TMPDIR/other-key"
  mg_migrate "$TAG"
  [ "$MG_RC" -ne 0 ] || fail "migrate succeeded with the wrong key"
  mg_rx_wait 30
  [ "$MG_RX_RC" -ne 0 ] || fail "migrate-receive succeeded with the wrong key"
  assert_match "$MG_RX_MSG" "authentication failed" "migrate-receive's error"
  mg_source_survived "$TAG" "$old" "$before"
  mg_assert_b_clean
  mg_end
}

@test "migrate-faults: the target killed (SIGKILL) mid-transfer" {
  local s old before t0 t1
  s=$(mg_start_big)
  read -r old before <<<"$s"
  mg_receive "$TAG"
  mg_migrate_bg "$TAG"
  mg_wait_transfer 4
  kill -9 "$MG_RX"
  t0=$(date +%s)
  mg_rx_wait 10
  mg_tx_wait 60
  t1=$(date +%s)
  [ "$MG_RC" -ne 0 ] || fail "migrate succeeded though the target was killed"
  mg_source_survived "$TAG" "$old" "$before"
  # the process killed is the command's (its supervisor); the migration
  # child it leaves removes what it made (the work directory)
  mg_wait_b_clean
  mg_end
  mg_assert_prompt "$t0" "$t1"
}

@test "migrate-faults: the target stops reading (SIGSTOP) mid-transfer: the source gives up after --timeout" {
  local s old before p
  s=$(mg_start_big)
  read -r old before <<<"$s"
  mg_receive "$TAG"
  mg_migrate_bg "$TAG" --timeout 2
  mg_wait_transfer 4
  # every process of the receiver (the command and its migration child)
  for p in $(ip netns pids "$MG_NSB"); do kill -STOP "$p"; done
  mg_tx_wait 30
  for p in $(ip netns pids "$MG_NSB"); do kill -CONT "$p"; done
  [ "$MG_RC" -ne 0 ] || fail "migrate succeeded though the target stopped"
  mg_source_survived "$TAG" "$old" "$before"
  # the target, woken, finds the source gone within its own --timeout (30 s)
  mg_rx_wait 45
  [ "$MG_RX_RC" -ne 0 ] || fail "migrate-receive succeeded"
  mg_wait_b_clean
  mg_end
}

@test "migrate-faults: the link cut mid-transfer (--timeout 3 on both sides)" {
  local s old before t0 t1
  # (16 MiB: CRIU's dump, before the first byte goes out, stays well within
  # the 3 s; at 40 Mbit/s the transfer then takes ~3.5 s)
  s=$(mg_start_big 16 40mbit)
  read -r old before <<<"$s"
  mg_receive "$TAG" --timeout 3
  mg_migrate_bg "$TAG" --timeout 3
  mg_wait_transfer 2
  in_ns "$MG_NSA" ip link set vA down
  t0=$(date +%s)
  mg_rx_wait 30
  mg_tx_wait 30
  t1=$(date +%s)
  echo "both sides done $((t1 - t0)) s after the cut" >&2
  [ "$MG_RC" -ne 0 ] || fail "migrate succeeded over a cut link"
  [ "$MG_RX_RC" -ne 0 ] || fail "migrate-receive succeeded over a cut link"
  mg_source_survived "$TAG" "$old" "$before"
  mg_assert_b_clean
  mg_end
}

@test "migrate-faults: the target's disk is full (its root on a 1 MiB tmpfs)" {
  local s old before
  s=$(mg_start_big)
  read -r old before <<<"$s"
  in_ns "$MG_NSA" tc qdisc del dev vA root
  mount -t tmpfs -o size=1m,mode=0700 "mg-$TAG" "$ROOT_B"
  MG_MOUNTS+=("$ROOT_B")
  mg_receive "$TAG"
  mg_migrate "$TAG"
  [ "$MG_RC" -ne 0 ] || fail "migrate succeeded to a full disk"
  mg_rx_wait 30
  [ "$MG_RX_RC" -ne 0 ] || fail "migrate-receive succeeded on a full disk"
  assert_match "$MG_RX_MSG" "[Nn]o space|ENOSPC" "migrate-receive's error"
  mg_source_survived "$TAG" "$old" "$before"
  mg_assert_b_clean
  # everything it wrote is gone from the tmpfs, not only the names
  assert_eq "$(df --output=used -k "$ROOT_B" | tail -1 | tr -d ' ')" 0 "kB used on B's root"
  mg_end
}

@test "migrate-faults: --tcp-established, the target killed mid-transfer: the source comes back and the connection goes on" {
  local pid t0 t1
  mg_start_server 2 64
  mg_throttle
  mg_receive "$TAG"
  mg_migrate_bg "$TAG" --tcp-established
  mg_wait_transfer 4
  kill -9 "$MG_RX"
  t0=$(date +%s)
  mg_rx_wait 10
  mg_tx_wait 60
  t1=$(date +%s)
  [ "$MG_RC" -ne 0 ] || fail "migrate succeeded though the target was killed"
  [[ $MG_ERR != *"killed by signal"* ]] || fail "the source's migration process crashed: $MG_ERR"
  # the dump has happened: the source is restored locally from its images
  # (a new init pid is allowed), with the client's connection
  pid=$(mg_assert_source_running "$TAG")
  HR_PIDS+=("$pid")
  mg_talk 3
  assert_eq "$(mg_conn)" "$MG_CONN" "the client's connection"
  kill -0 "$MG_CLIENT" || fail "the client exited"
  mg_wait_b_clean
  mg_end
  mg_assert_prompt "$t0" "$t1"
}
