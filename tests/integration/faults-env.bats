#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Faults of the environment (issue 6): a full or read-only state root, a
# log file that cannot be opened or written, a missing /run.  Each must
# give a clear error and leave no process, cgroup, mount or half-written
# state behind; state.json of an existing container is replaced whole or
# not at all.  The state root is a small tmpfs of the test's own.

load helpers

setup_file() { hr_setup_file; }
setup() {
  hr_setup
  MNT="$BATS_TEST_TMPDIR/state-fs"
  MNT_MADE=""
}
teardown() {
  # containers first (their state is on the tmpfs), then the tmpfs
  if [ -n "$MNT_MADE" ]; then
    mount -o remount,rw "$MNT" 2>/dev/null || true
    rm -f "$MNT"/fill* 2>/dev/null || true
  fi
  hr_teardown
  if [ -n "$MNT_MADE" ]; then umount "$MNT" 2>/dev/null || umount -l "$MNT" 2>/dev/null || true; fi
}

# state_tmpfs OPTIONS: a tmpfs at $MNT holding the state root $ROOT.
state_tmpfs() {
  mkdir -p "$MNT"
  mount -t tmpfs -o "mode=700,$1" hydra-test-state "$MNT"
  MNT_MADE=yes
  ROOT="$MNT/state"
  mkdir -m 700 "$ROOT"
}

# fill_blocks [KEEP]: fill the tmpfs's data blocks, leaving KEEP pages.
fill_blocks() {
  local keep=${1:-0} total
  total=$(df --output=size -B 4096 "$MNT" | tail -1 | tr -d " ")
  dd if=/dev/zero of="$MNT/fill" bs=4096 count=$((total - keep)) 2>/dev/null || true
  # the rest, whatever accounting rounding left
  if [ "$keep" -eq 0 ]; then dd if=/dev/zero of="$MNT/fill-rest" bs=4096 2>/dev/null || true; fi
  assert_eq "$(df --output=avail -B 4096 "$MNT" | tail -1 | tr -d " ")" "$keep" "free pages on the state tmpfs"
}

# The host's view after a failed command: exit 1, one clear error line, no
# state dir, no leftover process (hr_leakcheck), no cgroup, no new mount.
assert_nothing_left() {
  assert_clean_failure "$1" || return 1
  assert_no_cgroup "$TAG" || return 1
  assert_eq "$(wc -l </proc/self/mountinfo)" "$MOUNTS_BEFORE" "host mount count" || return 1
  # no temporary file of the atomic writes either
  local tmps
  tmps=$(find "$ROOT" -name '*.tmp' 2>/dev/null)
  [ -z "$tmps" ] || fail "temporary files left: $tmps"
}

@test "faults-env: no inode left on the state root: create fails at the state directory, nothing left" {
  requires_root
  state_tmpfs "size=1m,nr_inodes=16"
  local i=0
  while touch "$MNT/fill-$i" 2>/dev/null; do i=$((i + 1)); done
  [ "$i" -gt 0 ] || fail "could not fill the inodes"
  cfg_args sleep 1000
  MOUNTS_BEFORE=$(wc -l </proc/self/mountinfo)
  run --separate-stderr hr_leakcheck create --bundle "$BUNDLE" "$TAG" </dev/null
  assert_nothing_left "$TAG.*[Nn]o space left on device"
  # free an inode or more: the same id works
  rm -f "$MNT"/fill-*
  create_container "$TAG"
  assert_eq "$(state_field "$TAG" status)" created "status once there is room"
}

@test "faults-env: no block left: create fails at the first file write, no directory or temp file left" {
  requires_root
  # a tmpfs directory takes no data block: mkdir succeeds, the write fails
  state_tmpfs "size=256k"
  fill_blocks 0
  cfg_args sleep 1000
  MOUNTS_BEFORE=$(wc -l </proc/self/mountinfo)
  run --separate-stderr hr_leakcheck create --bundle "$BUNDLE" "$TAG" </dev/null
  local re="config.json: No space left on device"
  # (runc 1.1 loses the errno: "unable to store init state: %!w(<nil>)")
  is_runc && re="unable to store init state"
  assert_nothing_left "$re"
  rm -f "$MNT"/fill*
  create_container "$TAG"
  assert_eq "$(state_field "$TAG" status)" created "status once there is room"
}

@test "faults-env: the disk fills at the state.json write, after the init exists: init, cgroup and state undone" {
  requires_root
  requires_hydra "room for exactly hydra-runc's config.json copy, written before state.json (runc's files differ)"
  state_tmpfs "size=256k"
  cfg_args sleep 1000
  # hydra-runc writes config.json (the bundle's bytes) then, once the init
  # exists and its cgroup is made, state.json: leave room for the first only.
  local cfgpages
  cfgpages=$(( ($(wc -c <"$BUNDLE/config.json") + 4095) / 4096 ))
  fill_blocks "$cfgpages"
  MOUNTS_BEFORE=$(wc -l </proc/self/mountinfo)
  run --separate-stderr hr_leakcheck create --bundle "$BUNDLE" "$TAG" </dev/null
  assert_nothing_left "write state.json: No space left on device"
  rm -f "$MNT"/fill*
  create_container "$TAG"
  hr start "$TAG"
  wait_for_status "$TAG" running
}

@test "faults-env: a full disk under an existing container: update fails, start needs no room, state.json stays whole" {
  requires_root
  requires_hydra "runc 1.1 applies update before saving"
  state_tmpfs "size=256k"
  cfg_args sleep 1000
  cfg '.linux.resources.pids = {"limit": 50}'
  create_container "$TAG"
  local dir="$ROOT/$TAG" pid state_sum cfg_sum pidsdir
  pid=$(state_field "$TAG" pid)
  state_sum=$(sha256sum <"$dir/state.json")
  cfg_sum=$(sha256sum <"$dir/config.json")
  pidsdir=$(container_cgroup_dirs "$pid" | grep '/pids/' | head -1)
  fill_blocks 0

  # update: the new config.json does not fit, and the limit is not changed
  run --separate-stderr hr update --pids-limit 20 "$TAG"
  [ "$status" -eq 1 ] || fail "update on a full disk: status $status: $output $stderr"
  assert_match "$stderr" "config.json: No space left on device"
  if [ -n "$pidsdir" ]; then
    assert_eq "$(cat "$pidsdir/pids.max")" 50 "pids.max after the failed update"
  fi
  assert_eq "$(sha256sum <"$dir/config.json")" "$cfg_sum" "config.json after the failed update"

  # nothing half-written, no temporary left; the files still parse
  [ -z "$(find "$ROOT" -name '*.tmp')" ] || fail "temporary files left: $(find "$ROOT" -name '*.tmp')"
  jq -e .id "$dir/state.json" >/dev/null || fail "state.json does not parse"
  hr list -q | grep -qx "$TAG" || fail "list does not show $TAG"

  # pause/resume write no file: they work on the full disk
  hr pause "$TAG"
  assert_eq "$(state_field "$TAG" status)" paused
  hr resume "$TAG"

  # start writes no file: it works on the full disk (as runc's), and
  # state.json is the same file
  hr start "$TAG"
  wait_for_status "$TAG" running
  [ "$(readlink "/proc/$pid/exe")" != "$(readlink -f "$HYDRA_RUNC")" ] || fail "the init still runs the runtime"
  assert_eq "$(sha256sum <"$dir/state.json")" "$state_sum" "state.json after start"

  # with room again the update applies
  rm -f "$MNT"/fill*
  hr update --pids-limit 20 "$TAG"
  [ -z "$pidsdir" ] || assert_eq "$(cat "$pidsdir/pids.max")" 20 "pids.max after the update"
  # delete on a full disk frees, it needs no room
  fill_blocks 0
  hr delete --force "$TAG"
  wait_for_pid_gone "$pid" 5
  assert_no_state_dirs
  assert_no_cgroup "$TAG"
}

@test "faults-env: read-only state root: start fails before the process runs, the container stays created" {
  requires_root
  requires_hydra "runc 1.1 starts the process and then fails to remove its fifo"
  state_tmpfs "size=1m"
  cfg_args sleep 1000
  create_container "$TAG"
  local pid
  pid=$(state_field "$TAG" pid)
  mount -o remount,ro "$MNT"
  run --separate-stderr hr start "$TAG"
  [ "$status" -eq 1 ] || fail "start on a read-only root: status $status: $output $stderr"
  assert_match "$stderr" "[Rr]ead-only file system"
  # the init still waits, in the runtime's code, for a start
  assert_eq "$(readlink "/proc/$pid/exe")" "$(readlink -f "$HYDRA_RUNC")" "the init's binary"
  assert_eq "$(state_field "$TAG" status)" created "status after the failed start"
  # writable again: the same container starts
  mount -o remount,rw "$MNT"
  hr start "$TAG"
  wait_for_status "$TAG" running
}

@test "faults-env: read-only state root: create fails clearly; state, list, ps and kill still work" {
  requires_root
  state_tmpfs "size=1m"
  cfg_args sleep 1000
  create_container "$TAG"
  hr start "$TAG"
  local pid
  pid=$(state_field "$TAG" pid)
  mount -o remount,ro "$MNT"

  cfg_args true
  MOUNTS_BEFORE=$(wc -l </proc/self/mountinfo)
  local other=$TAG
  TAG="$other-2"
  run --separate-stderr hr_leakcheck create --bundle "$BUNDLE" "$TAG" </dev/null
  TAG=$other
  [ "$status" -eq 1 ] || fail "create on a read-only root: status $status"
  assert_match "$stderr" "[Rr]ead-only file system"
  [ -z "$HR_LEAKS" ] || [ ! -s "$HR_LEAKS" ] || fail "processes left: $(cat "$HR_LEAKS")"
  assert_no_cgroup "$TAG-2"
  assert_eq "$(wc -l </proc/self/mountinfo)" "$MOUNTS_BEFORE" "host mount count"
  assert_eq "$(state_dirs)" "$TAG" "state dirs on the read-only root"

  # reading needs no write: state, list and ps work (as in runc)
  assert_eq "$(state_field "$TAG" status)" running "state"
  assert_eq "$(hr list -q)" "$TAG" "list"
  hr ps "$TAG" | grep -q sleep || fail "ps does not show the init"
  # kill writes nothing either
  hr kill "$TAG" KILL
  wait_for_pid_gone "$pid" 5
  assert_eq "$(state_field "$TAG" status)" stopped "state after kill"
  # delete must remove the directory: it fails and says why (runc 1.1
  # logs the error but exits 0, its state left in place)
  run --separate-stderr hr delete "$TAG"
  is_runc || [ "$status" -eq 1 ] || fail "delete on a read-only root: status $status"
  assert_match "$stderr" "[Rr]ead-only file system"
  assert_eq "$(state_dirs)" "$TAG" "state dirs after the failed delete"
  mount -o remount,rw "$MNT"
  hr delete "$TAG"
  assert_no_state_dirs
  assert_no_cgroup "$TAG"
}

@test "faults-env: a log file that cannot be opened stops the command before anything is made" {
  requires_root
  local ro="$BATS_TEST_TMPDIR/ro-dir" log
  mkdir -p "$ro"
  mount -t tmpfs -o ro hydra-test-ro "$ro"
  cfg_args sleep 1000
  MOUNTS_BEFORE=$(wc -l </proc/self/mountinfo)
  for log in "$ro/runtime.log" "$BATS_TEST_TMPDIR" "$BATS_TEST_TMPDIR/no/such/dir/log"; do
    run --separate-stderr hr_leakcheck --log "$log" create --bundle "$BUNDLE" "$TAG" </dev/null
    assert_nothing_left "open $log: ([Rr]ead-only file system|[Ii]s a directory|[Nn]o such file or directory)" || {
      umount "$ro"
      return 1
    }
  done
  umount "$ro"
}

@test "faults-env: a log file whose writes fail: errors still reach stderr, a good create works" {
  requires_root
  [ -c /dev/full ] || skip "no /dev/full"
  cfg_args sleep 1000
  MOUNTS_BEFORE=$(wc -l </proc/self/mountinfo)
  run --separate-stderr hr_leakcheck --log /dev/full create --bundle "$BATS_TEST_TMPDIR/no-bundle" "$TAG" </dev/null
  [ "$status" -eq 1 ] || fail "status $status"
  assert_match "$stderr" "no-bundle.*[Nn]o such file or directory"
  assert_no_state_dirs
  # (runc 1.1 also complains that it cannot write the log)
  hr --log /dev/full create --bundle "$BUNDLE" "$TAG" </dev/null >/dev/null
  track_pid "$TAG"
  assert_eq "$(state_field "$TAG" status)" created
}

@test "faults-env: no state root under /run: the default root is made 0700 and the lifecycle works" {
  requires_root
  command -v unshare >/dev/null || skip "no unshare(1)"
  local def=/run/hydra-runc out="$BATS_TEST_TMPDIR/ns.out" pidf="$BATS_TEST_TMPDIR/ns.pid"
  is_runc && def=/run/runc
  cfg_args sleep 1000
  # A private mount namespace with an empty /run: the host's /run and its
  # state root are not touched (propagation private: nothing leaks out).
  run unshare -m --propagation private bash -c '
    set -e
    mount -t tmpfs -o mode=755 hydra-test-run /run
    rt=$1 b=$2 id=$3 def=$4 pidf=$5
    trap "\"$rt\" delete --force \"$id\" >/dev/null 2>&1 || true" EXIT
    [ ! -e "$def" ]
    "$rt" create --bundle "$b" "$id" </dev/null >/dev/null 2>&1
    stat -c "root-mode %a" "$def"
    "$rt" state "$id" | jq -r .pid >"$pidf"
    "$rt" start "$id"
    "$rt" state "$id" | jq -r "\"status \" + .status"
    "$rt" kill "$id" KILL
    for i in $(seq 100); do [ "$("$rt" state "$id" | jq -r .status)" = stopped ] && break; sleep 0.05; done
    "$rt" delete "$id"
    "$rt" list -q | wc -l | sed "s/^/left /"
  ' _ "$HYDRA_RUNC" "$BUNDLE" "$TAG" "$def" "$pidf"
  [ -s "$pidf" ] && HR_PIDS+=("$(cat "$pidf")")
  [ "$status" -eq 0 ] || fail "lifecycle with an empty /run: $output"
  assert_eq "$output" "root-mode 700
status running
left 0"
  wait_for_pid_gone "$(cat "$pidf")" 5
  assert_no_cgroup "$TAG"
}

@test "faults-env: --root under missing directories is made (0700 each); under a file it fails clearly" {
  requires_root
  local base="$BATS_TEST_TMPDIR/deep"
  ROOT="$base/a/b/state"
  cfg_args true
  create_container "$TAG"
  assert_eq "$(stat -c %a "$base" "$base/a" "$base/a/b" "$ROOT" | tr '\n' ' ')" "700 700 700 700 " \
    "modes of the directories made (runc: MkdirAll 0700)"
  hr delete --force "$TAG"
  ROOT="$BUNDLE/config.json/state"
  run --separate-stderr hr_leakcheck create --bundle "$BUNDLE" "$TAG" </dev/null
  [ "$status" -eq 1 ] || fail "status $status"
  assert_match "$stderr" "config.json.*[Nn]ot a directory"
  assert_no_cgroup "$TAG"
  [ ! -s "$HR_LEAKS" ] || fail "processes left: $(cat "$HR_LEAKS")"
}
