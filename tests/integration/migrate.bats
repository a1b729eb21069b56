#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Live migration (issue 14): `migrate` on host A, `migrate-receive` on host B,
# two network namespaces of this machine (migrate-helpers.bash).  Checked
# from the kernel's side: the target's init, its cgroup and its memory, the
# source's state and cgroup gone, the client's TCP connection, what is left
# under both roots.

load helpers
load ../criu-helpers
load checkpoint-helpers
load migrate-helpers

@test "migrate: topology check: checkpoint on A, restore on B (own bundle, own cgroup) keeps a TCP connection" {
  local pid
  mg_start_server 3
  hrA checkpoint --tcp-established --image-path "$IMG" --work-path "$WORK" "$TAG" ||
    { cp_log_errors "$WORK/dump.log"; fail "checkpoint on A"; }
  hrB restore -d --tcp-established --bundle "$BUNDLE_B" --image-path "$IMG" --work-path "$WORK" "$TAG" \
    </dev/null >/dev/null 2>"$BATS_TEST_TMPDIR/restore.err" ||
    { cp_log_errors "$WORK/restore.log"; fail "restore on B: $(cat "$BATS_TEST_TMPDIR/restore.err")"; }
  pid=$(mg_running "$ROOT_B" "$TAG")
  mg_assert_cgroup "$pid" "$MG_CG_B"
  mg_talk 4
  assert_eq "$(mg_conn)" "$MG_CONN" "the client's connection"
  run timeout 10 "$HYDRA_RUNC" --root "$ROOT_A" state "$TAG"
  [ "$status" -ne 0 ] || fail "the container is still on A"
  mg_end
}

# mg_assert_source_gone ID PID: nothing of the container is left on host A:
# state fails, no state dir, the old init is dead, no cgroup of A's bundle.
mg_assert_source_gone() {
  run timeout 10 "$HYDRA_RUNC" --root "$ROOT_A" state "$1"
  [ "$status" -ne 0 ] || fail "state $1 still works on host A: $output" || return 1
  [ ! -e "$ROOT_A/$1" ] || fail "state dir $ROOT_A/$1 left" || return 1
  wait_for_pid_gone "$2" 5 || return 1
  local left
  left=$(find /sys/fs/cgroup -mindepth 1 -maxdepth 10 -type d -name "$MG_CG_A" 2>/dev/null)
  [ -z "$left" ] || fail "host A's cgroup left: $left"
}

# mg_assert_migrated ID: both sides succeeded, the target runs the
# container in B's cgroup, thawed, with no image left on B; its pid in
# $MG_PID.  Not called as $(...): only the test's own shell can wait for the
# receiver (a subshell's wait fails once the receiver exits after the fork).
mg_assert_migrated() {
  local pid left
  if [ "$MG_RC" -ne 0 ]; then
    mg_rx_wait 30 || true
    fail "migrate exited $MG_RC: $MG_ERR; migrate-receive exited ${MG_RX_RC:-?}: ${MG_RX_MSG:-}"
    return 1
  fi
  mg_rx_wait || return 1
  [ "$MG_RX_RC" -eq 0 ] || fail "migrate-receive exited $MG_RX_RC: $MG_RX_MSG" || return 1
  pid=$(mg_running "$ROOT_B" "$1") || return 1
  HR_PIDS+=("$pid")
  mg_assert_cgroup "$pid" "$MG_CG_B" || return 1
  mg_assert_thawed "$pid" || return 1
  # the images went to a directory under B's root, removed at the end
  assert_eq "$(mg_root_entries "$ROOT_B")" "$1" "entries under host B's root" || return 1
  left=$(find "$ROOT_B" -name '*.img' | head -3)
  [ -z "$left" ] || fail "images left on host B: $left" || return 1
  left=$(in_ns "$MG_NSB" ss -Hltn)
  [ -z "$left" ] || fail "a listener left in host B: $left" || return 1
  MG_PID=$pid
}

MG_LINE_RE='^migrated ([^ ]+) to ([^ ]+): ([a-z-]+), downtime ([0-9]+) ms, total ([0-9]+) ms, ([0-9]+) round\(s\), ([0-9]+) bytes sent, CRIU frozen ([0-9]+) ms$'

@test "migrate: stop-copy of an idle container: same program and memory on B, nothing left on A" {
  local old pid before after cmd exe
  mg_start_idle
  old=$MG_OLD
  before=$(mg_bump "$old" 2)
  cmd=$(tr '\0' ' ' <"/proc/$old/cmdline")
  exe=$(readlink "/proc/$old/exe")
  mg_receive "$TAG"
  mg_migrate "$TAG"
  mg_assert_migrated "$TAG"
  pid=$MG_PID
  assert_match "$MG_OUT" "$MG_LINE_RE" "migrate's line"
  assert_eq "${BASH_REMATCH[1]} ${BASH_REMATCH[2]} ${BASH_REMATCH[3]}" "$TAG $MG_LISTEN stop-copy" "id, address, mode"
  # the same program, and the counter lives on in its memory: the next
  # signal makes it 3, with the token drawn at its start
  assert_eq "$(tr '\0' ' ' <"/proc/$pid/cmdline")" "$cmd" "the target's init command line"
  assert_eq "$(readlink "/proc/$pid/exe")" "$exe" "the target's init program"
  after=$(mg_bump "$pid" 3)
  assert_eq "${after#* }" "${before#* }" "the token drawn at the container's start"
  assert_eq "$(hrB exec "$TAG" cat /dev/shm/n)" "$after" "exec into the migrated container"
  mg_assert_source_gone "$TAG" "$old"
  mg_end
}

@test "migrate: --tcp-established: the client's connection survives, the counter goes on (1,2,3 then 4)" {
  local pid
  mg_start_server 3
  mg_receive "$TAG"
  mg_migrate "$TAG" --tcp-established
  mg_assert_migrated "$TAG"
  pid=$MG_PID
  mg_talk 4
  mg_talk 5
  # not reset: the client never reconnected (same ports, same process)
  assert_eq "$(mg_conn)" "$MG_CONN" "the client's connection after the migration"
  kill -0 "$MG_CLIENT" || fail "the client exited"
  # the server's end is held by the container's init, on host B's side
  ls -l "/proc/$pid/fd" | grep -q 'socket:' || fail "the migrated init holds no socket"
  assert_eq "$(readlink "/proc/$pid/ns/net")" "net:[$(stat -L -c %i "/run/netns/$MG_NSN")]" "the init's network namespace"
  assert_eq "$(in_ns "$MG_NSN" ss -Htn state established "( sport = :$MG_CTR_PORT )" | wc -l)" 1 "established connections of the server"
  mg_assert_source_gone "$TAG" "$MG_OLD"
  mg_end
}

@test "migrate: --stats-json: mode, integer times, rounds, bytes, as on the line" {
  local old pid f="$BATS_TEST_TMPDIR/stats.json" j
  mg_start_idle
  old=$MG_OLD
  mg_receive "$TAG"
  mg_migrate "$TAG" --stats-json "$f"
  mg_assert_migrated "$TAG"
  pid=$MG_PID
  [ -s "$f" ] || fail "no $f"
  j=$(cat "$f")
  echo "stats: $j" >&2
  jq -e . "$f" >/dev/null || fail "not JSON: $j"
  # the contract's keys (more may follow: the downtime's parts)
  assert_eq "$(jq -r '[("bytes_sent,downtime_ms,frozen_time_ms,mode,rounds,total_ms" | split(","))[] | select(. as $k | $j | has($k) | not)] | join(",")' \
    --argjson j "$j" -n)" "" "keys missing"
  assert_eq "$(jq -r .mode "$f")" stop-copy mode
  assert_eq "$(jq -r '[(.[] | numbers), (.rounds[] | .pages, .bytes)]
                      | all(type == "number" and . == floor and . >= 0)' "$f")" true "all numbers are integers >= 0"
  assert_eq "$(jq -r '[.[] | select(type != "number")] | length' "$f")" 2 "fields that are not numbers (mode, rounds)"
  # the parts of the downtime, where reported, fit in it (each rounded)
  if jq -e 'has("dump_ms")' "$f" >/dev/null; then
    assert_eq "$(jq -r '.dump_ms + .send_ms + .restore_ms <= .downtime_ms + 2' "$f")" true "dump + send + restore <= downtime"
  fi
  assert_eq "$(jq -r '.rounds | type' "$f")" array "rounds"
  # stop-copy: the final dump is the only round
  assert_eq "$(jq -r '.rounds | length' "$f")" 1 "rounds of stop-copy"
  assert_eq "$(jq -r '.rounds[-1] | [keys[]] | join(",")' "$f")" "bytes,pages" "keys of a round"
  assert_eq "$(jq -r '.rounds[-1].pages > 0 and .rounds[-1].bytes > 0' "$f")" true "pages in the final dump"
  assert_eq "$(jq -r '.downtime_ms <= .total_ms' "$f")" true "downtime_ms <= total_ms"
  assert_eq "$(jq -r '.bytes_sent > 0' "$f")" true "bytes_sent > 0"
  assert_eq "$(jq -r '.bytes_sent >= ([.rounds[].bytes] | add)' "$f")" true "bytes_sent covers the rounds' pages"
  # the line says the same
  assert_match "$MG_OUT" "$MG_LINE_RE" "migrate's line"
  assert_eq "${BASH_REMATCH[4]} ${BASH_REMATCH[5]} ${BASH_REMATCH[6]} ${BASH_REMATCH[7]} ${BASH_REMATCH[8]}" \
    "$(jq -r '"\(.downtime_ms) \(.total_ms) \(.rounds | length) \(.bytes_sent) \(.frozen_time_ms)"' "$f")" \
    "the line's numbers against the JSON"
  mg_assert_source_gone "$TAG" "$old"
  mg_end
}

@test "migrate: --sync-rootfs sends the rootfs to a target bundle that has none" {
  local old pid before
  mg_start_idle norootfs
  old=$MG_OLD
  before=$MG_BEFORE
  mg_receive "$TAG"
  mg_migrate "$TAG" --sync-rootfs
  mg_assert_migrated "$TAG"
  pid=$MG_PID
  # B's bundle has the rootfs now, and the container runs on it
  assert_eq "$(cat "$BUNDLE_B/rootfs/.hydra-test-rootfs")" hydra-test-rootfs "the synced rootfs's marker"
  assert_eq "$(cat "/proc/$pid/root/.hydra-test-rootfs")" hydra-test-rootfs "the marker seen by the container"
  [ "$(stat -L -c %d:%i "/proc/$pid/root/bin/busybox")" = "$(stat -c %d:%i "$BUNDLE_B/rootfs/bin/busybox")" ] ||
    fail "the container's /bin/busybox is not the one in B's bundle"
  assert_eq "$(mg_bump "$pid" 2 | cut -d' ' -f2)" "${before#* }" "the token after the migration"
  mg_assert_source_gone "$TAG" "$old"
  mg_end
}

@test "migrate: a CRIU dump that lasts longer than --timeout, on a healthy link, is not a stall" {
  # --timeout is "seconds without progress" (link down, peer stuck): the
  # source dumping a large container is progress, or no container bigger
  # than what CRIU dumps in --timeout seconds could ever move
  mg_cfg_memhog 64
  mg_bundles
  local old pid before f="$BATS_TEST_TMPDIR/stats.json"
  old=$(mg_run_a "$TAG")
  mg_wait_counter "$old" >/dev/null
  before=$(mg_bump "$old" 1)
  # (CRIU takes ~2-3 s for the 64 MiB here)
  mg_receive "$TAG" --timeout 1
  mg_migrate "$TAG" --timeout 1 --stats-json "$f"
  mg_assert_migrated "$TAG"
  pid=$MG_PID
  echo "stats: $(cat "$f")" >&2
  # the premise: the dump did take longer than the timeout
  assert_eq "$(jq -r '.dump_ms > 1000' "$f")" true "the dump took longer than 1 s" 
  assert_eq "$(mg_bump "$pid" 2 | cut -d' ' -f2)" "${before#* }" "the token after the migration"
  assert_eq "$(stat -c %s "/proc/$pid/root/dev/shm/fill")" $((64 << 20)) "the 64 MiB on the target"
  mg_assert_source_gone "$TAG" "$old"
  mg_end
}

# mg_receive_refused REGEX [ARGS...]: migrate-receive of $TAG on host B with
# ARGS (after the defaults: later ones win) exits 1 at once with an error
# matching REGEX, and never listens.
mg_receive_refused() {
  local re=$1
  shift
  # (bounded: a receiver that accepted would listen until killed)
  run --separate-stderr timeout 10 nsenter --net="/run/netns/$MG_NSB" "$HYDRA_RUNC" --root "$ROOT_B" \
    --criu "$CRIU" migrate-receive "$TAG" --bundle "$BUNDLE_B" --listen "$MG_LISTEN" --key "$KEY" "$@"
  echo "migrate-receive $*: $status: $stderr" >&2
  assert_eq "$status" 1 "migrate-receive's exit status" || return 1
  assert_match "$stderr" "$re" "migrate-receive's error" || return 1
  [ -z "$(in_ns "$MG_NSB" ss -Hltn)" ] || fail "a listener in host B"
}

@test "migrate: refusal: a key file readable by others (0644), on either side: message names 0600, nothing made" {
  local old
  mg_start_idle
  old=$MG_OLD
  chmod 644 "$KEY"
  mg_receive_refused 0600
  mg_assert_b_clean
  mg_migrate "$TAG"
  assert_eq "$MG_RC" 1 "migrate's exit status"
  assert_match "$MG_ERR" 0600 "migrate's error"
  mg_assert_source_running "$TAG" "$old"
  assert_eq "$(stat -c %a "$KEY")" 644 "the key file's mode (left as it was)"
  # a key of the right mode but too short is refused too (16..4096 bytes)
  printf 'short' >"$KEY"
  chmod 600 "$KEY"
  mg_migrate "$TAG"
  assert_eq "$MG_RC" 1 "migrate's exit status with a 5-byte key"
  mg_assert_source_running "$TAG" "$old"
  mg_assert_b_clean
  mg_end
}

@test "migrate: refusal: migrate-receive checks key, bundle and id before it listens" {
  mg_cfg_idle
  mg_bundles
  local k="$BATS_TEST_TMPDIR/k"
  head -c 15 /dev/urandom >"$k"
  chmod 600 "$k"
  mg_receive_refused "15 bytes.*16 to 4096" --key "$k"
  head -c 4097 /dev/urandom >"$k"
  mg_receive_refused "4097 bytes.*16 to 4096" --key "$k"
  mkdir "$k.d"
  chmod 700 "$k.d"
  mg_receive_refused "not a regular file" --key "$k.d"
  mg_receive_refused "no-such-key" --key "$BATS_TEST_TMPDIR/no-such-key"
  mg_receive_refused "config.json" --bundle "$BATS_TEST_TMPDIR"
  mg_assert_b_clean
  # an id that exists on B: refused, and that container is left alone
  BUNDLE=$BUNDLE_B cfg_args sleep 1000
  hrB create --bundle "$BUNDLE_B" "$TAG" </dev/null >/dev/null 2>&1 || fail "create on B"
  local st
  st=$(timeout 10 "$HYDRA_RUNC" --root "$ROOT_B" state "$TAG" | jq -r '"\(.status) \(.pid)"')
  mg_receive_refused "exists" --bundle "$BUNDLE_A"
  assert_eq "$(timeout 10 "$HYDRA_RUNC" --root "$ROOT_B" state "$TAG" | jq -r '"\(.status) \(.pid)"')" "$st" \
    "the existing container on B"
  mg_end
}

@test "migrate: over IPv6 ([addr]:port on both sides)" {
  in_ns "$MG_NSA" ip addr add fd31::1/64 dev vA nodad
  in_ns "$MG_NSB" ip addr add fd31::2/64 dev vB nodad
  local old pid before
  mg_start_idle
  old=$MG_OLD
  before=$MG_BEFORE
  MG_LISTEN="[fd31::2]:$MG_PORT"
  mg_receive "$TAG"
  # only that address is bound
  assert_eq "$(in_ns "$MG_NSB" ss -Hltn | awk '{print $4}')" "[fd31::2]:$MG_PORT" "host B's listener"
  mg_migrate "$TAG"
  mg_assert_migrated "$TAG"
  pid=$MG_PID
  assert_match "$MG_OUT" "^migrated $TAG to \[fd31::2\]:$MG_PORT: " "migrate's line"
  assert_eq "$(mg_bump "$pid" 2 | cut -d' ' -f2)" "${before#* }" "the token after the migration"
  mg_assert_source_gone "$TAG" "$old"
  mg_end
}

@test "migrate: refusal: a target bundle without rootfs and no --sync-rootfs: the error names --sync-rootfs" {
  local old
  mg_start_idle norootfs
  old=$MG_OLD
  mg_receive "$TAG"
  mg_migrate "$TAG"
  assert_eq "$MG_RC" 1 "migrate's exit status"
  assert_match "$MG_ERR" "--sync-rootfs" "migrate's error"
  mg_rx_wait
  [ "$MG_RX_RC" -ne 0 ] || fail "migrate-receive succeeded"
  mg_assert_source_running "$TAG" "$old"
  assert_eq "$(mg_bump "$old" 2 | cut -d" " -f2)" "${MG_BEFORE#* }" "the source's token"
  [ ! -e "$BUNDLE_B/rootfs" ] || fail "a rootfs appeared in B's bundle: $(ls "$BUNDLE_B/rootfs" | head -3)"
  mg_assert_b_clean
  mg_end
}

@test "migrate: refusal: an unknown --mode, before anything is sent" {
  local old
  mg_start_idle
  old=$MG_OLD
  mg_receive "$TAG"
  mg_migrate "$TAG" --mode warp
  assert_eq "$MG_RC" 1 "migrate's exit status"
  assert_match "$MG_ERR" "warp" "migrate's error"
  mg_assert_source_running "$TAG" "$old"
  # the target was never talked to: it still waits
  kill -0 "$MG_RX" || fail "migrate-receive exited: $(cat "$MG_RX_ERR")"
  assert_eq "$(in_ns "$MG_NSB" ss -Htn state established | wc -l)" 0 "connections to host B"
  kill "$MG_RX"
  mg_rx_wait 10
  mg_assert_b_clean
  mg_end
}

@test "migrate: refusal: the target waits for another id: both sides fail, the source keeps running" {
  local old other="${TAG}other"
  mg_start_idle
  old=$MG_OLD
  mg_receive "$other"
  mg_migrate "$TAG"
  [ "$MG_RC" -ne 0 ] || fail "migrate succeeded"
  mg_rx_wait
  [ "$MG_RX_RC" -ne 0 ] || fail "migrate-receive succeeded"
  mg_assert_source_running "$TAG" "$old"
  assert_eq "$(mg_bump "$old" 2 | cut -d" " -f2)" "${MG_BEFORE#* }" "the source's token"
  run timeout 10 "$HYDRA_RUNC" --root "$ROOT_B" state "$other"
  [ "$status" -ne 0 ] || fail "the target has a container $other"
  mg_assert_b_clean
  mg_end
}

@test "migrate: pre-copy: without soft-dirty tracking it fails cleanly and the source keeps running" {
  local old pid f="$BATS_TEST_TMPDIR/stats.json"
  mg_start_idle
  old=$MG_OLD
  mg_receive "$TAG"
  mg_migrate "$TAG" --mode pre-copy --max-rounds 3 --stats-json "$f"
  if "$CRIU" check --feature mem_dirty_track >/dev/null 2>&1; then
    # a host with soft-dirty (the VM lane): pre-dump rounds, then the dump
    mg_assert_migrated "$TAG"
    pid=$MG_PID
    assert_eq "$(jq -r .mode "$f")" pre-copy mode
    assert_eq "$(jq -r '.rounds | length >= 2' "$f")" true "1 + pre-dump rounds"
    assert_eq "$(mg_bump "$pid" 2 | cut -d" " -f2)" "${MG_BEFORE#* }" "the token after the migration"
    mg_assert_source_gone "$TAG" "$old"
  else
    assert_eq "$MG_RC" 1 "migrate's exit status"
    assert_match "$MG_ERR" "[Dd]irty" "migrate's error (CRIU's feature check)"
    mg_rx_wait
    [ "$MG_RX_RC" -ne 0 ] || fail "migrate-receive succeeded"
    mg_assert_source_running "$TAG" "$old"
    assert_eq "$(mg_bump "$old" 2 | cut -d" " -f2)" "${MG_BEFORE#* }" "the source's token"
    mg_assert_b_clean
  fi
  mg_end
}

requires_lazy() {
  "$CRIU" check --feature uffd-noncoop >/dev/null 2>&1 || skip "$CRIU: no non-cooperative userfaultfd"
  # CRIU's lazy page server sizes a pipe to 4 MiB (page-pipe.c); this
  # host's default fs.pipe-max-size is 1 MiB (restored in teardown)
  if [ "$(cat /proc/sys/fs/pipe-max-size)" -lt 4194304 ]; then
    mg_pipe_max 4194304
  fi
}

@test "migrate: post-copy (lazy pages over the link): 8 MiB of the shell's memory arrive intact" {
  requires_lazy
  local old pid before
  # 8 MiB of random data in the shell's memory: pages the target must fetch
  mg_start_idle "" 8
  old=$MG_OLD
  before=$MG_BEFORE
  mg_receive "$TAG"
  mg_migrate "$TAG" --mode post-copy
  [ "$MG_RC" -eq 0 ] || fail "post-copy failed: $MG_ERR"
  mg_rx_wait
  [ "$MG_RX_RC" -eq 0 ] || fail "migrate-receive failed: $MG_RX_MSG"
  mg_assert_migrated "$TAG"
  pid=$MG_PID
  assert_match "$MG_OUT" "$MG_LINE_RE" "migrate's line"
  assert_eq "${BASH_REMATCH[3]}" post-copy "the mode on migrate's line"
  assert_eq "$(mg_bump "$pid" 2 | cut -d' ' -f2)" "${before#* }" "the token after the migration"
  mg_assert_source_gone "$TAG" "$old"
  mg_end
}

@test "migrate: post-copy: the target's page relay killed once the container runs there: the source resumes it, the target removes its copy" {
  requires_lazy
  requires_hydra "the page relay is hydra-runc's"
  local old rx_body relay i
  # 64 MiB held in the shell's memory: the lazy transfer takes a while
  mg_start_idle "" 64
  old=$MG_OLD
  mg_receive "$TAG"
  mg_migrate_bg "$TAG" --mode post-copy
  # the container runs on B (restored, pages still coming)
  for ((i = 0; i < 400; i++)); do
    [ "$(hrB state "$TAG" 2>/dev/null | jq -r .status)" = running ] && break
    sleep 0.02
  done
  [ "$i" -lt 400 ] || fail "the container never ran on B: $(cat "$MG_RX_ERR")"
  # the receiver's worker is its child, the relay the worker's hydra-runc child
  rx_body=$(pgrep -P "$MG_RX" -f migrate-receive | head -1)
  relay=$(pgrep -P "$rx_body" -f migrate-receive | head -1)
  [ -n "$relay" ] || fail "no page relay under the receiver $MG_RX"
  kill -9 "$relay"
  mg_tx_wait
  [ "$MG_RC" -ne 0 ] || fail "migrate succeeded though its pages were cut"
  mg_rx_wait
  [ "$MG_RX_RC" -ne 0 ] || fail "migrate-receive succeeded though its pages were cut"
  assert_match "$MG_ERR" "runs here again" "migrate's error"
  mg_assert_source_running "$TAG" "$old" >/dev/null
  assert_eq "$(mg_bump "$old" 2 | cut -d' ' -f2)" "${MG_BEFORE#* }" "the source's token"
  mg_wait_b_clean
  mg_end
}

@test "migrate: refusal: post-copy where fs.pipe-max-size is below CRIU's 4 MiB pipe: named up front, nothing sent" {
  requires_hydra "the check is hydra-runc's"
  mg_has_sys_resource && skip "CAP_SYS_RESOURCE: the pipe limit does not hold for us"
  mg_pipe_max 1048576
  mg_start_idle
  mg_migrate "$TAG" --mode post-copy
  [ "$MG_RC" -ne 0 ] || fail "post-copy accepted"
  assert_match "$MG_ERR" "fs.pipe-max-size" "migrate's error"
  mg_assert_source_running "$TAG" "$MG_OLD" >/dev/null
  mg_end
}

@test "migrate: refusal: --tcp-established with post-copy, before anything is sent" {
  requires_hydra "migrate is hydra-runc's"
  mg_start_idle
  mg_migrate "$TAG" --mode post-copy --tcp-established
  [ "$MG_RC" -ne 0 ] || fail "--tcp-established with post-copy accepted"
  assert_match "$MG_ERR" "tcp-established.*post-copy" "migrate's error"
  mg_assert_source_running "$TAG" "$MG_OLD" >/dev/null
  mg_end
}
