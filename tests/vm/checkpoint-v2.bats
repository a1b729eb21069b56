#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# VM lane: checkpoint and restore through CRIU on a pure cgroup v2 machine,
# with Debian's CRIU 3.17, which works on the guest's 6.1 kernel and has
# soft-dirty memory tracking there (so --pre-dump works; it does not on a
# host whose kernel CRIU 3.17 cannot dump) and lazy pages over a page
# server (CRIU 4.2's fails on the 6.18 host).  Flags as runc 1.1's.  Every
# test checks what the kernel says: the restored process is alive, pid 1 of
# its pid namespace, in the container's cgroup, and its memory came back
# (vm-criu.bash: a token and a counter held in memory only).

load vm-helpers
load vm-criu

setup_file() {
  [ "${HYDRA_VM_LANE:-}" = 1 ] || return 0
  hr_setup_file
}

setup() {
  requires_vm_lane
  requires_root
  hr_setup
  CR_WATCHER=
  CR_BG=()
}

teardown() {
  local p
  [ -z "${CR_WATCHER:-}" ] || kill "$CR_WATCHER" 2>/dev/null || true
  for p in "${CR_BG[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  hr_teardown
}

@test "CRIU in the guest: Debian's 3.17 passes check, has soft-dirty tracking and non-cooperative userfaultfd" {
  hydra_find_criu || fail "no usable CRIU in the lane: $HYDRA_CRIU_WHY"
  assert_eq "$CRIU" /usr/sbin/criu "CRIU the lane provides"
  assert_match "$("$CRIU" --version | sed -n 's/^Version: *//p')" '^3\.17(\.|$)' "CRIU version"
  run "$CRIU" check --feature mem_dirty_track
  [ "$status" -eq 0 ] || fail "criu check --feature mem_dirty_track: $output"
  # what --lazy-pages needs (userfaultfd with fork/remap/unmap events)
  run "$CRIU" check --feature uffd-noncoop
  [ "$status" -eq 0 ] || fail "criu check --feature uffd-noncoop: $output"
}

@test "checkpoint --leave-running: CRIU freezes the v2 cgroup (cgroup.events) and thaws it, the same process runs on" {
  cr_setup
  cr_run "$TAG"
  local pid cg s tok
  pid=$(cr_running_init "$TAG")
  cg=$(cgroup2_dir_of "$pid")
  [ "$cg" != "$(cgroup2_dir_of $$)" ] || fail "the init is in the caller's cgroup $cg"
  s=$(cr_state)
  tok=${s% *}
  cr_watch_events "$cg" "$D/events"
  cr_checkpoint "$TAG" "$D/img" --leave-running
  cr_watch_stop "$D/events"
  grep -q '^event' "$D/events" ||
    fail "the kernel announced no freezer change on $cg/cgroup.events during the checkpoint"
  assert_eq "$(cat "$cg/cgroup.freeze")" 0 "cgroup.freeze after the checkpoint"
  grep -qx 'frozen 0' "$cg/cgroup.events" || fail "$cg/cgroup.events: $(cat "$cg/cgroup.events")"
  assert_eq "$(cr_running_init "$TAG")" "$pid" "init pid after checkpoint --leave-running"
  cr_assert_in_cgroup "$pid" "$cg"
  s=$(cr_state)
  cr_wait_past "$tok" "${s#* }"
  [ -s "$D/img/inventory.img" ] || fail "no inventory.img in the images"
  compgen -G "$D/img/pages-*.img" >/dev/null || fail "no pages-*.img in the images"
}

@test "checkpoint then restore, twice: the restored init is in the container's v2 cgroup with its memory" {
  cr_setup
  cr_run "$TAG"
  local pid cg s tok n round
  pid=$(cr_running_init "$TAG")
  cg=$(cgroup2_dir_of "$pid")
  [[ ${cg##*/} == "$TAG" ]] || fail "cgroup $cg is not named after the container $TAG"
  s=$(cr_state)
  tok=${s% *}
  for round in 1 2; do
    s=$(cr_state)
    n=${s#* }
    cr_cycle "$TAG" "$D/img$round" "$cg"
    pid=$CR_PID
    assert_eq "$(cat "$cg/cgroup.freeze")" 0 "cgroup.freeze after restore $round"
    cr_wait_past "$tok" "$n"
  done
  hr delete --force "$TAG"
  wait_for_pid_gone "$pid"
  assert_no_state_dirs
  assert_no_cgroup "$TAG"
}

@test "checkpoint --pre-dump, then --parent-path ../pre: the final images link to the pre-dump and restore" {
  cr_setup
  cr_run "$TAG"
  local pid cg s tok n pre final
  pid=$(cr_running_init "$TAG")
  cg=$(cgroup2_dir_of "$pid")
  s=$(cr_state)
  tok=${s% *}
  cr_checkpoint "$TAG" "$D/pre" --pre-dump
  # A pre-dump leaves the same process running, thawed.
  assert_eq "$(cr_running_init "$TAG")" "$pid" "init pid after --pre-dump"
  assert_eq "$(cat "$cg/cgroup.freeze")" 0 "cgroup.freeze after --pre-dump"
  s=$(cr_state)
  cr_wait_past "$tok" "${s#* }"
  compgen -G "$D/pre/pages-*.img" >/dev/null || fail "the pre-dump wrote no pages-*.img"

  s=$(cr_state)
  n=${s#* }
  cr_checkpoint "$TAG" "$D/final" --parent-path ../pre
  [ -L "$D/final/parent" ] || fail "no parent symlink in the final images: $(ls "$D/final")"
  assert_eq "$(readlink "$D/final/parent")" ../pre "final/parent"
  [ "$D/final/parent" -ef "$D/pre" ] || fail "final/parent does not lead to the pre-dump"
  # The memory the pre-dump saved and that stayed clean (soft-dirty) is not
  # saved again: the final dump's pages are fewer.
  pre=$(cat "$D"/pre/pages-*.img | wc -c)
  final=$(cat "$D"/final/pages-*.img 2>/dev/null | wc -c)
  [ "$final" -lt "$pre" ] || fail "final pages $final bytes, pre-dump $pre: the parent was not used"
  cr_assert_gone "$TAG" "$pid" "$cg"

  cr_restore "$TAG" "$D/final"
  pid=$(cr_running_init "$TAG")
  cr_assert_in_cgroup "$pid" "$cg"
  cr_wait_past "$tok" "$n"
}

@test "restore --manage-cgroups-mode ignore under a new id: the init lands in the new id's v2 cgroup" {
  # (runc has the mode since 1.2; runc 1.1 refuses it)
  if is_runc && ! "$HYDRA_RUNC" checkpoint --help 2>&1 | grep -q ignore; then
    skip "this runc has no --manage-cgroups-mode ignore (runc 1.2 added it)"
  fi
  cr_setup
  cr_run "$TAG"
  local pid cg s tok n new="${TAG}-new" pid2 cg2
  pid=$(cr_running_init "$TAG")
  cg=$(cgroup2_dir_of "$pid")
  s=$(cr_state)
  tok=${s% *}
  n=${s#* }
  cr_checkpoint "$TAG" "$D/img" --manage-cgroups-mode ignore
  cr_assert_gone "$TAG" "$pid" "$cg"

  cr_restore "$new" "$D/img" --manage-cgroups-mode ignore
  pid2=$(cr_running_init "$new")
  cg2=$(cgroup2_dir_of "$pid2")
  [[ ${cg2##*/} == "$new" ]] || fail "restored init in $cg2, not in a cgroup named after $new"
  cr_assert_in_cgroup "$pid2" "$cg2"
  [ ! -d "$cg" ] || fail "the old cgroup $cg is back"
  if hr state "$TAG" >/dev/null 2>&1; then fail "the old id $TAG is back"; fi
  cr_wait_past "$tok" "$n"
  hr delete --force "$new"
  wait_for_pid_gone "$pid2"
  assert_no_state_dirs
  assert_no_cgroup "$new"
}

@test "checkpoint --lazy-pages --page-server --status-fd, criu lazy-pages, restore --lazy-pages under a new id: memory comes over the page server" {
  # As runc's tests/integration/checkpoint.bats "checkpoint --lazy-pages and
  # restore": the source dumps everything but the memory and serves the
  # pages; `criu lazy-pages` on the destination fetches them for the restored
  # tasks (userfaultfd) and the source's checkpoint ends once all are across.
  cr_setup
  run "$CRIU" check --feature uffd-noncoop
  [ "$status" -eq 0 ] || skip "$CRIU has no non-cooperative userfaultfd here: $output"
  cr_run "$TAG"
  local pid cg s tok n new="${TAG}-lazy" pid2 cg2 port fifo sr sw cpid lpid b="" i rc
  local img=$D/img lwork=$D/img.rwork
  pid=$(cr_running_init "$TAG")
  cg=$(cgroup2_dir_of "$pid")
  s=$(cr_state)
  tok=${s% *}
  mkdir -p "$lwork"
  port=$((27000 + RANDOM % 2000))
  # --status-fd: a FIFO this shell opens read-write (so that opening it
  # does not block, and the read end never sees EOF before the byte).
  fifo=$BATS_TEST_TMPDIR/status
  mkfifo "$fifo"
  exec {sr}<>"$fifo"
  exec {sw}>"$fifo"
  HR_TIMEOUT=180 hr --criu "$CRIU" checkpoint --lazy-pages --page-server "127.0.0.1:$port" --status-fd "$sw" \
    --image-path "$img" --work-path "$img.work" "$TAG" </dev/null >"$img.out" 2>&1 {sr}<&- 3>&- &
  cpid=$!
  CR_BG+=("$cpid")
  exec {sw}>&-
  # one \0 once the page server listens (CRIU's status_ready())
  for ((i = 0; i < 120; i++)); do
    b=$(timeout 1 dd bs=1 count=1 status=none <&"$sr" | od -An -tx1 | tr -d ' \n')
    [ -z "$b" ] || break
    kill -0 "$cpid" 2>/dev/null || break
  done
  exec {sr}<&-
  if [ "$b" != 00 ]; then
    cr_log_errors "$img.work/dump.log"
    fail "status-fd: got '$b', want one 00 byte; checkpoint: $(cat "$img.out")"
  fi
  [ -s "$img/inventory.img" ] || fail "no inventory.img while the pages are being served"
  # the source is still there, held by CRIU (ptrace-stopped) while it
  # serves its memory, and nothing writes the state any more
  assert_eq "$(awk '$1 == "State:" { print $2 }' "/proc/$pid/status" 2>&1)" t \
    "state of the source init $pid while its pages are served"
  cr_assert_still
  s=$(cr_state)
  n=${s#* }

  "$CRIU" lazy-pages --page-server --address 127.0.0.1 --port "$port" \
    -D "$img" -W "$lwork" -o lazy-pages.log -v4 </dev/null >"$D/lazy.out" 2>&1 3>&- &
  lpid=$!
  CR_BG+=("$lpid")
  cr_wait_file "$lwork/lazy-pages.socket" -S 30 || { cr_log_errors "$lwork/lazy-pages.log"; return 1; }
  cr_restore "$new" "$img" --lazy-pages || {
    cr_log_errors "$img.work/dump.log"
    cr_log_errors "$lwork/lazy-pages.log"
    return 1
  }
  # the kernel's view: a running init of the new id, pid 1 of its pid
  # namespace, in the new id's cgroup, going on with the source's token
  # and counter (its memory, fetched through userfaultfd)
  pid2=$(cr_running_init "$new")
  cr_wait_past "$tok" "$n"
  cg2=$(cgroup2_dir_of "$pid2")
  if is_runc && [ "$cg2" = "$cg" ]; then
    # runc 1.1 on cgroup v2 does not get CRIU to restore into the new id's
    # cgroup (checkpoint-restore/criu#1524, found through runc's own lazy
    # migration test): the new init is back in the source's cgroup, which
    # the source's checkpoint then has to leave.
    skip "runc 1.1 restores $new into the source's cgroup $cg on cgroup v2 (criu#1524)"
  fi
  [[ ${cg2##*/} == "$new" ]] || fail "restored init in $cg2, not in a cgroup named after $new"
  cr_assert_in_cgroup "$pid2" "$cg2"

  # every page across: the source's checkpoint ends with 0, the source
  # container is gone (state, process, cgroup), the daemon is done
  timeout 60 tail --pid="$cpid" -f /dev/null || {
    cr_log_errors "$lwork/lazy-pages.log"
    fail "the source checkpoint still serves pages after 60 s"
  }
  rc=0
  wait "$cpid" || rc=$?
  [ "$rc" -eq 0 ] || { cr_log_errors "$img.work/dump.log"; fail "the lazy checkpoint exited $rc: $(cat "$img.out")"; }
  cr_assert_gone "$TAG" "$pid" "$cg"
  timeout 60 tail --pid="$lpid" -f /dev/null || fail "criu lazy-pages still runs after the source ended"
  rc=0
  wait "$lpid" || rc=$?
  [ "$rc" -eq 0 ] || { cr_log_errors "$lwork/lazy-pages.log"; fail "criu lazy-pages exited $rc: $(cat "$D/lazy.out")"; }
  # with no page server left, the restored process still has its memory
  s=$(cr_state)
  cr_wait_past "$tok" "${s#* }"
  assert_eq "$(cr_running_init "$new")" "$pid2" "init of $new after the transfer"

  hr delete --force "$new"
  wait_for_pid_gone "$pid2"
  assert_no_state_dirs
  assert_no_cgroup "$new"
  assert_no_cgroup "$TAG"
}
