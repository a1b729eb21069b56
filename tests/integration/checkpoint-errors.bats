#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# checkpoint / restore (issue 13) when things go wrong: bad flags, corrupt
# or missing images, no CRIU, the runtime killed half-way.  A failed
# checkpoint leaves the container as it was; a failed restore leaves
# nothing (no state dir, process, cgroup or mount); a killed runtime leaves
# a container that runs or can be deleted, never something in between.

load helpers
load ../criu-helpers
load checkpoint-helpers

# assert_untouched ID PID N: the container still runs as PID, is not left
# frozen, and its counter answers with N.
assert_untouched() {
  assert_eq "$(assert_running_init "$1")" "$2" "init pid" || return 1
  assert_match "$(awk '{print $3}' "/proc/$2/stat")" '^[RS]$' "the init's state (not frozen)" || return 1
  assert_ping "u$3" "$3"
}

# assert_nothing_left: no state dir, no counter process, no cgroup named
# after the test's containers, no mount under the state root.
assert_nothing_left() {
  assert_no_state_dirs || return 1
  [ -z "$(cp_procs)" ] || fail "processes left: $(cp_procs | xargs -r ps -o pid,stat,args -p)" || return 1
  assert_no_cgroup "$TAG" || return 1
  assert_no_mounts_under_root
}

@test "checkpoint-errors: --parent-path absolute or missing is refused, the container runs on" {
  cfg_counter
  cp_run "$TAG"
  local pid
  pid=$(assert_running_init "$TAG")
  run --separate-stderr hr --criu "$CRIU" checkpoint --image-path "$IMG" --work-path "$WORK" \
    --parent-path /abs "$TAG"
  [ "$status" -ne 0 ] || fail "an absolute --parent-path was accepted"
  [[ $stderr == *"--parent-path must be relative"* ]] || fail "stderr: $stderr"
  assert_untouched "$TAG" "$pid" 1
  run --separate-stderr hr --criu "$CRIU" checkpoint --image-path "$IMG" --work-path "$WORK" \
    --parent-path ../no-such-parent "$TAG"
  [ "$status" -ne 0 ] || fail "a missing --parent-path was accepted"
  [[ $stderr == *"invalid --parent-path"* ]] || fail "stderr: $stderr"
  assert_untouched "$TAG" "$pid" 2
}

# cp_corrupt_restore HOW: checkpoint the counter, spoil the images (HOW:
# garble-pstree, empty-pages), restore: an error, nothing left.
cp_corrupt_restore() {
  cfg_counter
  cp_run "$TAG"
  assert_ping a 1
  cp_checkpoint "$TAG"
  case $1 in
    garble-pstree)
      # the same garbage every time (random bytes make CRIU fail in
      # random ways): 64 bytes of 0xff after the magic
      head -c 64 /dev/zero | tr '\0' '\377' |
        dd of="$IMG/pstree.img" bs=1 seek=8 conv=notrunc status=none ;;
    empty-pages)
      ls "$IMG"/pages-*.img >/dev/null || fail "no pages image"
      truncate -s 0 "$IMG"/pages-*.img ;;
  esac
  cp_restore_fails "$TAG" || return 1
  [ -n "$CP_ERR" ] || fail "no error message" || return 1
  # clear means it says CRIU failed, or that the image is bad (hydra-runc
  # checks the memory images before CRIU runs: with a short pages image
  # CRIU's restorer spins forever); runc 1.1 only says "read unixpacket
  # @->@: EOF" when CRIU dies on the images: not held to this
  is_runc || [[ $CP_ERR == *criu* || $CP_ERR == *CRIU* || $CP_ERR == *"checkpoint image"* ]] ||
    fail "the error says neither CRIU nor the image: $CP_ERR" || return 1
  [ ! -s "$HR_LEAKS" ] || fail "processes left behind: $(cat "$HR_LEAKS")" || return 1
  assert_nothing_left
}

@test "checkpoint-errors: a garbled process tree image: restore fails with an error and leaves nothing" {
  cp_corrupt_restore garble-pstree
}

@test "checkpoint-errors: emptied memory images: restore fails with an error and leaves nothing" {
  # runc 1.1 gap (seen with 1.1.5): when CRIU fails this late (after the
  # restored tasks exist) runc prints the error and then never exits.
  cp_requires_hydra "runc 1.1 hangs after CRIU fails a restore late (emptied pages images)"
  cp_corrupt_restore empty-pages
}

@test "checkpoint-errors: restore from a missing image dir fails and leaves nothing" {
  cfg_counter
  IMG="$BATS_TEST_TMPDIR/no-such-images"
  cp_restore_fails "$TAG"
  # (runc 1.1: "open <image path>/descriptors.json: no such file or directory")
  [[ $CP_ERR == *no-such-images* ]] || fail "the error does not name the image path: $CP_ERR"
  [ ! -s "$HR_LEAKS" ] || fail "processes left behind: $(cat "$HR_LEAKS")"
  assert_nothing_left
}

@test "checkpoint-errors: --criu /nonexistent: checkpoint fails clearly, the container runs on; restore leaves nothing" {
  cfg_counter
  cp_run "$TAG"
  local pid
  pid=$(assert_running_init "$TAG")
  run --separate-stderr hr --criu /nonexistent/criu checkpoint --image-path "$IMG" --work-path "$WORK" "$TAG"
  [ "$status" -ne 0 ] || fail "checkpoint without a CRIU binary succeeded"
  [[ $stderr == *criu* || $stderr == *CRIU* ]] || fail "the error does not say what is missing: $stderr"
  assert_untouched "$TAG" "$pid" 1
  # a real checkpoint, then a restore with no CRIU
  cp_checkpoint "$TAG"
  CRIU=/nonexistent/criu cp_restore_fails "$TAG"
  [[ $CP_ERR == *criu* || $CP_ERR == *CRIU* ]] || fail "the error does not say what is missing: $CP_ERR"
  [ ! -s "$HR_LEAKS" ] || fail "processes left behind: $(cat "$HR_LEAKS")"
  assert_nothing_left
}

# cp_wait_unused DIR: until no process holds a file under DIR open (CRIU
# finishing on its own after the runtime died), at most 10 s.
cp_wait_unused() {
  local i
  for ((i = 0; i < 200; i++)); do
    [ -z "$(find /proc/[0-9]*/fd -lname "$1/*" 2>/dev/null | head -n 1)" ] && return 0
    sleep 0.05
  done
  fail "files under $1 still open: $(find /proc/[0-9]*/fd -lname "$1/*" 2>/dev/null | head -n 3)"
}

# cp_kill_runtime_at LOG ARGS...: run the runtime (--criu) with ARGS in the
# background, stdio on the pipes; kill -9 it once $WORK/LOG (CRIU's log)
# appears, then let CRIU finish on its own.
cp_kill_runtime_at() {
  local log=$1 rt
  shift
  "$HYDRA_RUNC" --root "$ROOT" --criu "$CRIU" "$@" \
    <&"$CP_IN_R" >&"$CP_OUT_W" 2>&"$CP_OUT_W" 3>&- &
  rt=$!
  CP_BG+=("$rt")
  wait_for_file "$WORK/$log" 20
  kill -9 "$rt"
  wait "$rt" 2>/dev/null || true
  cp_wait_unused "$WORK"
}

# assert_running_or_deletable ID N: after the runtime was killed, ID either
# runs (its counter answers N, not frozen) or is not running; either way
# `delete --force` succeeds and leaves nothing.
assert_running_or_deletable() {
  local st pid
  st=$(hr state "$1" 2>/dev/null | jq -r .status) || st=""
  echo "after the kill: status '${st:-(no state)}'" >&2
  if [ "$st" = running ]; then
    pid=$(assert_running_init "$1") || return 1
    assert_match "$(awk '{print $3}' "/proc/$pid/stat")" '^[RS]$' "state of a 'running' init" || return 1
    assert_ping "k$2" "$2" || return 1
  fi
  if [ -n "$st" ] || [ -e "$ROOT/$1" ]; then
    hr delete --force "$1" || fail "delete --force after the kill failed" || return 1
  fi
  assert_nothing_left
}

@test "checkpoint-errors: the runtime killed (-9) during checkpoint leaves a running or deletable container" {
  cfg_counter
  cp_run "$TAG"
  assert_ping a 1
  cp_kill_runtime_at dump.log checkpoint --image-path "$IMG" --work-path "$WORK" "$TAG"
  assert_running_or_deletable "$TAG" 2
}

@test "checkpoint-errors: the runtime killed (-9) during restore leaves a running or deletable container" {
  # runc 1.1 gap (seen with 1.1.5): after a kill -9 during restore it keeps
  # <state>/criu-root mounted, so `delete --force` fails ("device or
  # resource busy") and the state dir and cgroups stay.
  cp_requires_hydra "runc 1.1 leaves criu-root mounted after a killed restore; delete --force fails"
  cfg_counter
  cp_run "$TAG"
  assert_ping a 1
  cp_checkpoint "$TAG"
  cp_kill_runtime_at restore.log restore -d --bundle "$BUNDLE" --image-path "$IMG" --work-path "$WORK" "$TAG"
  track_pid "$TAG"
  assert_running_or_deletable "$TAG" 2
}

@test "checkpoint-errors: a CRIU older than 3.15 is refused by version, the container runs on" {
  requires_hydra "runc 1.1 accepts any CRIU from 3.0 on"
  command -v python3 >/dev/null || skip "no python3 for the fake criu"
  # A fake `criu swrk 3` that answers the VERSION request as CRIU 3.14.0
  # would (criu_resp{type VERSION, success, version{major 3, minor 14}},
  # hand-encoded) and then hangs up.
  local fake="$BATS_TEST_TMPDIR/criu-3.14"
  cat >"$fake" <<'PY'
#!/usr/bin/env python3
import socket, sys
s = socket.socket(fileno=int(sys.argv[2]))
s.recv(65536)
s.send(bytes([0x08, 0x0a, 0x10, 0x01, 0x52, 0x04, 0x08, 0x03, 0x10, 0x0e]))
s.recv(65536)
PY
  chmod +x "$fake"
  cfg_counter
  cp_run "$TAG"
  local pid
  pid=$(assert_running_init "$TAG")
  assert_ping a 1
  run --separate-stderr hr --criu "$fake" checkpoint --image-path "$IMG" --work-path "$WORK" "$TAG"
  [ "$status" -ne 0 ] || fail "checkpoint with CRIU 3.14 succeeded"
  [[ $stderr == *"version 3.14.0"*"3.15 or newer"* ]] || fail "stderr: $stderr"
  assert_untouched "$TAG" "$pid" 2
  [ -z "$(ls -A "$IMG")" ] || fail "the image directory got files: $(ls "$IMG")"
}

@test "checkpoint-errors: a container with a user namespace is refused, and runs on" {
  # CRIU dumps it, but its restored tasks read the images before their id
  # maps exist (EACCES on 0600 images): a checkpoint that cannot be
  # restored must not destroy the container.
  requires_hydra "runc 1.1 checkpoints it (destroying it) and then cannot restore it"
  cfg_counter
  cfg_add_ns user
  cfg '.linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
     | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
  # (as userns.bats: the mapped root must reach the rootfs)
  chown -R 100000:100000 "$BUNDLE/rootfs"
  chmod o+x "$BATS_RUN_TMPDIR" "$BATS_RUN_TMPDIR/test" "$BATS_TEST_TMPDIR" "$BUNDLE" 2>/dev/null || true
  cp_run "$TAG"
  local pid
  pid=$(assert_running_init "$TAG")
  assert_ping a 1
  run --separate-stderr hr --criu "$CRIU" checkpoint --image-path "$IMG" --work-path "$WORK" "$TAG"
  [ "$status" -ne 0 ] || fail "checkpoint of a user-namespace container succeeded"
  [[ $stderr == *"user namespace"*"not supported"* ]] || fail "stderr: $stderr"
  assert_untouched "$TAG" "$pid" 2
  [ -z "$(ls -A "$IMG")" ] || fail "the image directory got files: $(ls "$IMG")"
  # and restore refuses the config before anything exists
  run --separate-stderr hr --criu "$CRIU" restore -d --bundle "$BUNDLE" --image-path "$IMG" "${TAG}r"
  [ "$status" -ne 0 ] || fail "restore of a user-namespace config succeeded"
  [[ $stderr == *"user namespace"* ]] || fail "restore stderr: $stderr"
  [ ! -e "$ROOT/${TAG}r" ] || fail "restore left a state dir"
}
