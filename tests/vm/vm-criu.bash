# SPDX-License-Identifier: Apache-2.0
# Checkpoint/restore in the VM lane (checkpoint-*.bats, systemd-checkpoint*.bats).
# Load after vm-helpers.  The guest runs Debian's CRIU 3.17 (run-vm-lane
# sets HYDRA_CRIU to the guest's /usr/sbin/criu); ../criu-helpers.bash
# checks it works (`criu check`, version) and skips with the reason if not.
#
# The container program: a shell that keeps a random token and a counter in
# its memory only and rewrites them to /tmp/cr-state in the rootfs every
# 0.1 s ("TOKEN N").  CRIU does not save the rootfs, the process's memory
# is what it saves: after a restore the same token with a counter that went
# on from where it was shows the memory came back; a new process would
# start a new token at 1.
#
# Its stdio are anonymous pipes the test shell holds: CRIU cannot dump an
# fd on a host file or the host's /dev/null (not in the container's mount
# namespace); a pipe is external ("pipe:[ino]", runc's descriptors.json)
# and restore hands its own stdio in its place.

load "$HR_VM_HELPERS_DIR/../criu-helpers"

CR_PROG='t=$(cat /proc/sys/kernel/random/uuid); i=0
while :; do i=$((i + 1)); echo "$t $i" >/tmp/cr-state; sleep 0.1; done'

# CR_GLOBAL: global flags for every runtime call here (--systemd-cgroup).
CR_GLOBAL=()

# cr_setup: per-test setup after hr_setup (CRIU found, $CRIU exported; the
# rootfs writable for /tmp/cr-state; $D: images and logs).
cr_setup() {
  requires_criu
  D=$BATS_TEST_TMPDIR/cr
  mkdir -p "$D"
  cfg '.root.readonly = false'
  cfg_sh "$CR_PROG"
}

# cr_pipes: an stdin pipe and an stdout/stderr pipe, both ends kept here
# (CR_IN_W too: the container's stdin never sees EOF while the test runs).
cr_pipes() {
  local a b
  exec {a}<> <(:)
  # shellcheck disable=SC2034
  exec {CR_IN_R}</proc/self/fd/$a {CR_IN_W}>/proc/self/fd/$a {a}>&-
  exec {b}<> <(:)
  exec {CR_OUT_R}</proc/self/fd/$b {CR_OUT_W}>/proc/self/fd/$b {b}>&-
}

# cr_output: what the runtime or the container wrote to the stdout pipe.
cr_output() {
  timeout 1 cat <&"$CR_OUT_R" 2>/dev/null || true
}

# cr_log_errors FILE: CRIU's error lines for the test log.
cr_log_errors() {
  [ -f "$1" ] && grep -B 5 -i 'error' "$1" | tail -n 40 >&2
  return 0
}

# cr_run ID [RUN ARGS...]: run -d from $BUNDLE with the pipes as stdio.
cr_run() {
  local id=$1 rc=0
  shift
  [ -n "${CR_IN_R:-}" ] || cr_pipes
  hr "${CR_GLOBAL[@]}" run -d --bundle "$BUNDLE" "$@" "$id" <&"$CR_IN_R" >&"$CR_OUT_W" 2>&"$CR_OUT_W" || rc=$?
  [ "$rc" -eq 0 ] || fail "run -d $id failed ($rc): $(cr_output)" || return 1
  track_pid "$id"
}

# cr_checkpoint ID IMAGES [CHECKPOINT ARGS...]: logs in IMAGES.work.
cr_checkpoint() {
  local id=$1 img=$2 rc=0
  shift 2
  hr "${CR_GLOBAL[@]}" --criu "$CRIU" checkpoint --image-path "$img" --work-path "$img.work" "$@" "$id" \
    </dev/null >"$img.out" 2>&1 || rc=$?
  if [ "$rc" -ne 0 ]; then
    cr_log_errors "$img.work/dump.log"
    fail "checkpoint $* $id failed ($rc): $(cat "$img.out")"
    return 1
  fi
}

# cr_restore ID IMAGES [RESTORE ARGS...]: restore -d from $BUNDLE with the
# pipes as stdio, logs in IMAGES.rwork.
cr_restore() {
  local id=$1 img=$2 rc=0
  shift 2
  hr "${CR_GLOBAL[@]}" --criu "$CRIU" restore -d --bundle "$BUNDLE" --image-path "$img" --work-path "$img.rwork" \
    "$@" "$id" <&"$CR_IN_R" >&"$CR_OUT_W" 2>&"$CR_OUT_W" || rc=$?
  if [ "$rc" -ne 0 ]; then
    cr_log_errors "$img.rwork/restore.log"
    fail "restore $* $id failed ($rc): $(cr_output)"
    return 1
  fi
  track_pid "$id"
}

# cr_state: "TOKEN N" as the container last wrote it (retries over a
# rewrite in progress).
cr_state() {
  local s="" i
  for ((i = 0; i < 50; i++)); do
    s=$(cat "$BUNDLE/rootfs/tmp/cr-state" 2>/dev/null) || s=""
    [[ $s =~ ^[0-9a-f-]{36}\ [0-9]+$ ]] && { echo "$s"; return 0; }
    sleep 0.1
  done
  fail "no state in $BUNDLE/rootfs/tmp/cr-state (last read: '$s')"
}

# cr_wait_past TOKEN N [SECONDS]: the counter with TOKEN goes past N (the
# container is running and has its memory).
cr_wait_past() {
  local tok=$1 n=$2 secs=${3:-20} s="" i
  for ((i = 0; i < secs * 10; i++)); do
    s=$(cat "$BUNDLE/rootfs/tmp/cr-state" 2>/dev/null) || s=""
    if [[ $s =~ ^([0-9a-f-]{36})\ ([0-9]+)$ ]]; then
      [ "${BASH_REMATCH[1]}" = "$tok" ] ||
        fail "token changed: '$s', want '$tok N' (memory lost: a new process?)" || return 1
      [ "${BASH_REMATCH[2]}" -gt "$n" ] && return 0
    fi
    sleep 0.1
  done
  fail "counter of $tok did not go past $n in ${secs}s (last: '$s')"
}

# cr_wait_file FILE TEST SECONDS: wait until `test TEST FILE` (e.g. -S: a
# socket a daemon makes once it listens).
cr_wait_file() {
  local i
  for ((i = 0; i < $3 * 10; i++)); do
    test "$2" "$1" && return 0
    sleep 0.1
  done
  fail "no $1 after ${3}s"
}

# cr_assert_still: nobody writes the state file any more (the container's
# process is gone).  (It may have been killed between the truncation and
# the write: the content may be empty, but it must not change.)
cr_assert_still() {
  local a b
  a=$(cat "$BUNDLE/rootfs/tmp/cr-state")
  sleep 0.5
  b=$(cat "$BUNDLE/rootfs/tmp/cr-state")
  assert_eq "$b" "$a" "state 0.5 s later, with the container checkpointed"
}

# cr_running_init ID: `state` says running with a live pid, pid 1 of its own
# pid namespace; echoes the pid.
cr_running_init() {
  local id=$1 st pid
  st=$(hr state "$id") || fail "state $id failed" || return 1
  assert_eq "$(jq -r .status <<<"$st")" running "status of $id" || return 1
  pid=$(jq -r .pid <<<"$st")
  [ "${pid:-0}" -gt 0 ] && [ -d "/proc/$pid" ] || fail "state pid $pid is not alive" || return 1
  [ "$(awk '{print $3}' "/proc/$pid/stat")" != Z ] || fail "pid $pid is a zombie" || return 1
  assert_eq "$(awk '/^NSpid:/ { print $NF }' "/proc/$pid/status")" 1 \
    "pid of $id's init in its pid namespace" || return 1
  echo "$pid"
}

# cr_assert_gone ID PID CGDIR: checkpointed without --leave-running: the
# container is gone (state fails, as runc destroys it), its process and
# its cgroup too.
cr_assert_gone() {
  local id=$1 pid=$2 cg=$3
  if hr state "$id" >/dev/null 2>&1; then
    fail "state $id still answers after the checkpoint" || return 1
  fi
  wait_for_pid_gone "$pid" 10 || return 1
  [ ! -d "$cg" ] || fail "cgroup $cg left after the checkpoint"
}

# cr_assert_in_cgroup PID CGDIR: the kernel puts PID in CGDIR (cgroup v2).
cr_assert_in_cgroup() {
  local pid=$1 want=$2 got
  got=$(cgroup2_dir_of "$pid") || fail "no cgroup2 line in /proc/$pid/cgroup" || return 1
  assert_eq "$got" "$want" "cgroup of pid $pid" || return 1
  grep -qx "$pid" "$want/cgroup.procs" || fail "pid $pid not in $want/cgroup.procs"
}

# cr_cycle ID IMAGES CGDIR [CMD...]: checkpoint the running ID into IMAGES
# (it goes: state, process, cgroup; what it wrote stays as it was), run CMD
# while it is away, restore it from IMAGES: a running init, back in CGDIR,
# whose pid is left in $CR_PID.  (Call it directly, not in $(...).)
cr_cycle() {
  local id=$1 img=$2 cg=$3 pid
  shift 3
  pid=$(cr_running_init "$id") || return 1
  cr_checkpoint "$id" "$img" || return 1
  cr_assert_gone "$id" "$pid" "$cg" || return 1
  cr_assert_still || return 1
  if [ $# -gt 0 ]; then "$@" || return 1; fi
  cr_restore "$id" "$img" || return 1
  CR_PID=$(cr_running_init "$id") || return 1
  cr_assert_in_cgroup "$CR_PID" "$cg"
}

# cr_watch_events CGDIR OUT: in the background, one line in OUT per change
# the kernel announces on CGDIR/cgroup.events (inotify IN_MODIFY), with its
# "frozen" value then, until the file OUT.stop exists; returns once the
# watch is set.  CRIU freezes only for as long as it takes to seize the
# tasks (criu/seize.c: freeze, wait for "frozen 1", PTRACE_INTERRUPT each
# task, thaw): too short to be seen by reading cgroup.freeze in a loop, but
# the kernel notifies every frozen transition (and "populated" ones, which
# a container whose init lives throughout does not make).  Its pid is in
# $CR_WATCHER.
cr_watch_events() {
  local cg=$1 out=$2 i
  "$(python3_bin)" -c '
import ctypes, os, select, sys
path, out = sys.argv[1] + "/cgroup.events", sys.argv[2]
libc = ctypes.CDLL(None, use_errno=True)
fd = libc.inotify_init1(os.O_CLOEXEC)
if fd < 0 or libc.inotify_add_watch(fd, path.encode(), 0x2) < 0:  # IN_MODIFY
    sys.exit("inotify on %s: %s" % (path, os.strerror(ctypes.get_errno())))
with open(out, "w", buffering=1) as o:
    o.write("ready\n")
    while not os.path.exists(out + ".stop"):
        if select.select([fd], [], [], 0.1)[0]:
            os.read(fd, 4096)
            with open(path) as f:
                frozen = [l.split()[1] for l in f if l.startswith("frozen ")]
            o.write("event frozen %s\n" % (frozen[0] if frozen else "?"))
' "$cg" "$out" 3>&- &
  CR_WATCHER=$!
  for ((i = 0; i < 100; i++)); do
    grep -qx ready "$out" 2>/dev/null && return 0
    kill -0 "$CR_WATCHER" 2>/dev/null || break
    sleep 0.05
  done
  fail "the cgroup.events watcher did not start"
}

# cr_watch_stop OUT: stop the watcher, wait for it.
cr_watch_stop() {
  touch "$1.stop"
  wait "$CR_WATCHER" || true
  CR_WATCHER=
}
