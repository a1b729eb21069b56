# SPDX-License-Identifier: Apache-2.0
# Helpers for the checkpoint/restore suites (checkpoint*.bats), with their
# setup/teardown hooks.  Load after helpers and ../criu-helpers.
#
# CRIU cannot dump an fd that points outside the container's mount
# namespace (a host file, the host's /dev/null), so the containers here get
# anonymous pipes for stdio, as runc's own tests do: CRIU records them as
# external "pipe:[ino]" descriptors (descriptors.json) and restore wires the
# restoring runtime's stdio in their place.  The test shell keeps both ends.
#
#   $CP_IN_W  -> container stdin      container stdout/stderr -> $CP_OUT_R
#
# The runtime under test always gets `--criu "$CRIU"` (runc 1.1 honours the
# global flag; hydra-runc has it too).

# The bats hooks of every checkpoint*.bats file.
setup_file() { hr_setup_file; }
setup() { cp_setup; }
teardown() { cp_teardown; }

# cp_requires_hydra WHY: requires_hydra, unless HR_CP_NOSKIP=1 (to see runc
# 1.1 really fail the case WHY names).
cp_requires_hydra() {
  [ "${HR_CP_NOSKIP:-}" = 1 ] || requires_hydra "$1"
}

cp_setup() {
  requires_root
  requires_criu
  hr_setup
  IMG="$BATS_TEST_TMPDIR/img"
  WORK="$BATS_TEST_TMPDIR/work"
  CP_BG=()
  mkdir -p "$IMG" "$WORK"
}

cp_teardown() {
  local p m d
  for p in "${CP_BG[@]}"; do
    kill -9 "$p" 2>/dev/null || true
  done
  [ -z "${HR_RECVTTY:-}" ] || kill "$HR_RECVTTY" 2>/dev/null || true
  # what a runtime killed half-way may leave: mounts under the state root
  # (criu-root), then state and cgroups (named after the test's ids)
  if [ -n "${ROOT:-}" ]; then
    for m in $(awk -v r="$ROOT/" 'index($5, r) == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
      umount -l "$m" 2>/dev/null || true
    done
  fi
  hr_teardown
  if [ -n "${TAG:-}" ]; then
    find /sys/fs/cgroup -mindepth 1 -maxdepth 6 -depth -type d -name "$TAG*" 2>/dev/null |
      while read -r d; do rmdir "$d" 2>/dev/null || true; done
  fi
  return 0
}

# cp_pipe RVAR WVAR: an anonymous pipe, its ends as fds in RVAR and WVAR.
cp_pipe() {
  local -n r=$1 w=$2
  local a
  exec {a}<> <(:)
  exec {r}</proc/self/fd/$a {w}>/proc/self/fd/$a {a}>&-
}

# cp_pipes: the container's two pipes (see above).
cp_pipes() {
  cp_pipe CP_IN_R CP_IN_W
  cp_pipe CP_OUT_R CP_OUT_W
}

# cp_run ID [RUN ARGS...]: `run -d` from $BUNDLE with the pipes as stdio.
cp_run() {
  local id=$1 rc=0
  shift
  [ -n "${CP_IN_R:-}" ] || cp_pipes
  hr run -d --bundle "$BUNDLE" "$@" "$id" <&"$CP_IN_R" >&"$CP_OUT_W" 2>&"$CP_OUT_W" || rc=$?
  [ "$rc" -eq 0 ] || fail "run -d $id failed ($rc)" || return 1
  track_pid "$id"
}

# Show the error lines of a CRIU log (as runc >= 1.2 does) for the test log.
cp_log_errors() {
  local f
  for f in "$@"; do
    [ -f "$f" ] && grep -B 5 -i error "$f" | tail -40 >&2
  done
  return 0
}

# cp_checkpoint ID [CHECKPOINT ARGS...]: checkpoint into $IMG, logs in $WORK.
cp_checkpoint() {
  local id=$1 rc=0
  shift
  hr --criu "$CRIU" checkpoint --image-path "$IMG" --work-path "$WORK" "$@" "$id" \
    </dev/null || rc=$?
  if [ "$rc" -ne 0 ]; then
    cp_log_errors "$WORK/dump.log"
    fail "checkpoint $id failed ($rc)"
    return 1
  fi
}

# cp_restore ID [RESTORE ARGS...]: restore -d from $IMG (logs in $WORK) with
# the pipes as stdio.
cp_restore() {
  local id=$1 rc=0
  shift
  hr --criu "$CRIU" restore -d --bundle "$BUNDLE" --image-path "$IMG" --work-path "$WORK" \
    "$@" "$id" <&"$CP_IN_R" >&"$CP_OUT_W" 2>&"$CP_OUT_W" || rc=$?
  if [ "$rc" -ne 0 ]; then
    cp_log_errors "$WORK/restore.log"
    fail "restore $id failed ($rc)"
    return 1
  fi
  track_pid "$id"
}

# cp_restore_fails ID [RESTORE ARGS...]: a restore -d that must fail, run
# under the leak checker; $status, its stderr in $CP_ERR (through a pipe of
# its own: CRIU needs pipes for stdio).
cp_restore_fails() {
  local id=$1 er ew
  shift
  [ -n "${CP_IN_R:-}" ] || cp_pipes
  cp_pipe er ew
  status=0
  HR_TIMEOUT=20 hr_leakcheck --criu "$CRIU" restore -d --bundle "$BUNDLE" --image-path "$IMG" \
    --work-path "$WORK" "$@" "$id" <&"$CP_IN_R" >&"$CP_OUT_W" 2>&"$ew" || status=$?
  exec {ew}>&-
  CP_ERR=$(timeout 2 cat <&"$er")
  exec {er}<&-
  echo "restore failed ($status): $CP_ERR" >&2
  [ "$status" -ne 0 ] || fail "restore $id succeeded" || return 1
  [ "$status" -ne 124 ] || fail "restore $id hung (killed after 20 s)"
}

# The container program most tests use: a counter kept only in the shell's
# memory, bumped for every line read from stdin and echoed with it.
# cfg_counter [EXIT-ON-WORD CODE]: process.args = the counter, marked with
# the test's tag so that its processes can be found (cp_procs) wherever
# they end up; "quit" makes it exit with status 7.
cfg_counter() {
  cfg_sh ": cp-$TAG; $CP_COUNTER"
}
CP_COUNTER='i=0; while read x; do [ "$x" = quit ] && exit 7; i=$((i+1)); echo "n=$i $x"; done'

# cp_procs: pids of the counter's processes (any container of this test).
cp_procs() {
  pgrep -f ": cp-$TAG;" || true
}

# cp_ping WORD: send WORD to the container, print the line it answers.
cp_ping() {
  local line=""
  echo "$1" >&"$CP_IN_W"
  read -r -t 10 -u "$CP_OUT_R" line || fail "no answer to '$1' from the container" || return 1
  echo "$line"
}

# assert_ping WORD N: the counter answers "n=N WORD".
assert_ping() {
  local got
  got=$(cp_ping "$1") || return 1
  assert_eq "$got" "n=$2 $1" "counter answer"
}

# assert_running_init ID: `state` says running with a live pid that is pid 1
# of its own pid namespace, and echoes the pid.
assert_running_init() {
  local id=$1 pid st
  st=$(hr state "$id") || fail "state $id failed" || return 1
  assert_eq "$(jq -r .status <<<"$st")" running "status of $id" || return 1
  pid=$(jq -r .pid <<<"$st")
  [ "${pid:-0}" -gt 0 ] && [ -d "/proc/$pid" ] || fail "state pid $pid is not alive" || return 1
  [ "$(awk '{print $3}' "/proc/$pid/stat")" != Z ] || fail "pid $pid is a zombie" || return 1
  assert_eq "$(awk '/^NSpid:/ {print $NF}' "/proc/$pid/status")" 1 "pid of the init in its namespace" || return 1
  [ "$(readlink "/proc/$pid/ns/pid")" != "$(readlink /proc/self/ns/pid)" ] ||
    fail "pid $pid is in the host's pid namespace" || return 1
  echo "$pid"
}

# assert_gone ID PID: the container is gone (state fails, no state dir, the
# process is dead, no cgroup named after it).
assert_gone() {
  local id=$1 pid=$2
  run hr state "$id"
  [ "$status" -ne 0 ] || fail "state $id still works: $output" || return 1
  [ ! -e "$ROOT/$id" ] || fail "state dir $ROOT/$id left" || return 1
  [ -z "$pid" ] || wait_for_pid_gone "$pid" 5 || return 1
  assert_no_cgroup "$id"
}

# cp_pid_in_ns_of PID ERE: the processes whose command line matches ERE and
# that share PID's pid namespace.
cp_pid_in_ns_of() {
  local p
  for p in $(pgrep -f "$2"); do
    [ "$(readlink "/proc/$p/ns/pid")" = "$(readlink "/proc/$1/ns/pid")" ] && echo "$p"
  done
  return 0
}

# No mount under the state root (the runtime's criu-root and the like).
assert_no_mounts_under_root() {
  local left
  left=$(awk -v r="$ROOT" 'index($5, r) == 1 { print $5 }' /proc/self/mountinfo)
  [ -z "$left" ] || fail "mounts left under $ROOT: $left"
}

# cp_bg CMD...: run CMD in the background (pid in $CP_LAST_BG), killed at
# teardown if still there.  (The explicit <&0: bash gives an asynchronous
# command /dev/null as stdin unless the command itself redirects it.)
cp_bg() {
  "$@" 3>&- <&0 &
  CP_LAST_BG=$!
  CP_BG+=("$CP_LAST_BG")
}
