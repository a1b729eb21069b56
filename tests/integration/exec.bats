#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# exec: a new process in a running container, checked from the kernel's side
# (/proc/<pid>/status, /proc/<pid>/ns/*).  The CVE regressions of exec are
# in tests/security/exec.bats.

load helpers
load exec-helpers

setup_file() { hr_setup_file; }
setup() { hr_setup; }
teardown() { hr_teardown; }

@test "exec: output and exit status of the process; 128+N when killed by signal N" {
  requires_root
  start_sleeper
  run --separate-stderr hr exec "$TAG" echo hello from exec
  [ "$status" -eq 0 ]
  assert_eq "$output" "hello from exec"
  run hr exec "$TAG" sh -c 'exit 3'
  assert_eq "$status" 3 "exit status"
  run hr exec "$TAG" sh -c 'kill -9 $$'
  assert_eq "$status" 137 "exit status of a process killed by SIGKILL"
}

@test "exec: a missing executable fails with runc's wording and exit status 255" {
  requires_root
  start_sleeper
  run --separate-stderr hr exec "$TAG" /no/such/binary-xyz
  [ "$status" -eq 255 ]
  run --separate-stderr hr exec "$TAG" no-such-binary-xyz
  [ "$status" -eq 255 ]
  # (runc's log quotes the message: compare around the quotes)
  [[ $stderr == *'exec: '*'no-such-binary-xyz'*'executable file not found in $PATH'* ]] || fail "stderr: $stderr"
}

@test "exec: options end at the container id (-c belongs to sh, not to --cap)" {
  requires_root
  start_sleeper
  run --separate-stderr hr exec "$TAG" sh -c 'echo "$0:$1"' a b
  [ "$status" -eq 0 ]
  assert_eq "$output" "a:b"
}

@test "exec: env defaults to the config's and -e adds; --cwd; -u uid:gid" {
  requires_root
  cfg '.process.env += ["FROMCONFIG=yes"]'
  start_sleeper
  run --separate-stderr hr exec -e FOO=bar -e BAZ=qux --cwd /tmp -u 1000:2000 "$TAG" \
    sh -c 'echo "$FROMCONFIG $FOO $BAZ"; pwd; id -u; id -g'
  [ "$status" -eq 0 ] || fail "exec failed: $stderr"
  assert_eq "${lines[0]}" "yes bar qux" "env"
  assert_eq "${lines[1]}" "/tmp" "cwd"
  assert_eq "${lines[2]}" "1000" "uid"
  assert_eq "${lines[3]}" "2000" "gid"
  # without flags: the config's cwd and user
  run --separate-stderr hr exec "$TAG" sh -c 'pwd; id -u'
  assert_eq "${lines[0]}" "/" "default cwd"
  assert_eq "${lines[1]}" "0" "default uid"
}

@test "exec: -u/-g/--no-new-privs of a detached process as the kernel sees them" {
  requires_root
  start_sleeper
  exec_detached "$BATS_TEST_TMPDIR/pid" -u 1000:2000 -g 10 -g 2000 --no-new-privs "$TAG" sleep 1000
  local pid
  pid=$(cat "$BATS_TEST_TMPDIR/pid")
  HR_PIDS+=("$pid")
  [ -d "/proc/$pid" ] || fail "no process $pid"
  assert_eq "$(status_field "$pid" Uid)" "1000 1000 1000 1000" "Uid"
  assert_eq "$(status_field "$pid" Gid)" "2000 2000 2000 2000" "Gid"
  assert_eq "$(status_field "$pid" Groups | xargs)" "10 2000" "Groups"
  assert_eq "$(status_field "$pid" NoNewPrivs)" 1 "NoNewPrivs"
  # (the kernel shows the path as the process's own mount namespace sees it)
  assert_eq "$(readlink "/proc/$pid/exe")" /bin/busybox "exe"
}

@test "exec: the process is in every namespace of the init, in the container's pid namespace" {
  requires_root
  cfg_add_ns cgroup
  start_sleeper
  exec_detached "$BATS_TEST_TMPDIR/pid" "$TAG" sleep 1000
  local pid init ns
  pid=$(cat "$BATS_TEST_TMPDIR/pid")
  HR_PIDS+=("$pid")
  init=$(state_field "$TAG" pid)
  for ns in pid mnt ipc uts net cgroup user time; do
    [ -e "/proc/$init/ns/$ns" ] || continue
    assert_eq "$(readlink "/proc/$pid/ns/$ns")" "$(readlink "/proc/$init/ns/$ns")" "$ns namespace"
  done
  # NSpid: a host pid and one in the container
  local nspid
  nspid=$(status_field "$pid" NSpid)
  [ "$(wc -w <<<"$nspid")" -eq 2 ] || fail "NSpid: $nspid"
  # same root as the init
  assert_eq "$(stat -L -c %d:%i "/proc/$pid/root")" "$(stat -L -c %d:%i "/proc/$init/root")" "root"
  # and the container sees it
  run --separate-stderr hr exec "$TAG" sh -c "test -d /proc/$(awk '{print $2}' <<<"$nspid")"
  [ "$status" -eq 0 ]
}

@test "exec: -d returns at once, --pid-file gets the host pid" {
  requires_root
  start_sleeper
  local t0 t1 pid
  t0=$(date +%s)
  exec_detached "$BATS_TEST_TMPDIR/pid" "$TAG" sleep 1000
  t1=$(date +%s)
  [ $((t1 - t0)) -lt 10 ] || fail "exec -d took $((t1 - t0))s"
  pid=$(cat "$BATS_TEST_TMPDIR/pid")
  HR_PIDS+=("$pid")
  [[ $pid =~ ^[0-9]+$ ]] || fail "pid file: '$pid'"
  assert_eq "$(tr '\0' ' ' <"/proc/$pid/cmdline")" "sleep 1000 " "cmdline of the pid file's process"
}

@test "exec: a foreground exec forwards signals to the process" {
  requires_root
  start_sleeper
  local out="$BATS_TEST_TMPDIR/out" rc=0 hpid i
  # (not through hr: timeout(1) would report the SIGTERM itself)
  "$HYDRA_RUNC" --root "$ROOT" exec "$TAG" \
    sh -c 'trap "echo got TERM; exit 7" TERM; echo ready; while :; do sleep 0.1; done' \
    </dev/null >"$out" 2>&1 &
  hpid=$!
  for ((i = 0; i < 100; i++)); do
    grep -q ready "$out" 2>/dev/null && break
    sleep 0.1
  done
  grep -q ready "$out" || fail "process did not start: $(cat "$out")"
  kill -TERM "$hpid"
  wait "$hpid" || rc=$?
  assert_eq "$rc" 7 "exit status after SIGTERM"
  grep -q "got TERM" "$out" || fail "no 'got TERM': $(cat "$out")"
}

@test "exec: --process process.json is the whole process" {
  requires_root
  start_sleeper
  cat >"$BATS_TEST_TMPDIR/process.json" <<'EOF'
{"terminal": false, "user": {"uid": 1000, "gid": 1000}, "args": ["sh", "-c", "echo $MARK; pwd; id -u"],
 "env": ["PATH=/bin", "MARK=from-process-json"], "cwd": "/tmp"}
EOF
  run --separate-stderr hr exec -p "$BATS_TEST_TMPDIR/process.json" "$TAG"
  [ "$status" -eq 0 ] || fail "exec -p failed: $stderr"
  assert_eq "${lines[0]}" from-process-json
  assert_eq "${lines[1]}" /tmp
  assert_eq "${lines[2]}" 1000
}

@test "exec: no arguments and no --process is refused" {
  requires_root
  start_sleeper
  run --separate-stderr hr exec "$TAG"
  [ "$status" -eq 255 ]
  [[ $stderr == *"process args cannot be empty"* ]] || fail "stderr: $stderr"
}

@test "exec: into a stopped container fails" {
  requires_root
  cfg_args true
  create_container "$TAG"
  hr start "$TAG"
  wait_for_status "$TAG" stopped
  run --separate-stderr hr exec "$TAG" true
  [ "$status" -ne 0 ]
  [[ $stderr == *"cannot exec in a stopped container"* ]] || fail "stderr: $stderr"
}


# --preserve-fds N passes fds 3..3+N-1 as they are.  When they are all
# sockets hydra-runc also tells the process so, as create does for the init
# (sd_listen_fds(3): LISTEN_FDS=N, LISTEN_PID its own pid); runc's exec
# never does (its runner for exec has no listen fds, exec.go), which is a
# deliberate difference (issue 15, docs/compat.md).
@test "exec: --preserve-fds passes a socket as fd 3, with LISTEN_FDS/LISTEN_PID for the process's own pid" {
  requires_root
  start_sleeper
  local sock="$BATS_TEST_TMPDIR/act.sock" pidfile="$BATS_TEST_TMPDIR/pid" pid ino
  # A listening unix socket as fd 3 of the runtime, LISTEN_FDS=1 for its pid
  # (execv keeps the pid): what systemd hands a socket-activated service.
  timeout 60 "$(python3_bin)" -c '
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1]); s.listen(1)
os.dup2(s.fileno(), 3)
os.environ["LISTEN_FDS"] = "1"; os.environ["LISTEN_PID"] = str(os.getpid())
os.execv(sys.argv[2], sys.argv[2:])' "$sock" "$HYDRA_RUNC" --root "$ROOT" exec -d --pid-file "$pidfile" \
    --preserve-fds 1 "$TAG" sleep 1000 </dev/null >"$BATS_TEST_TMPDIR/out" 2>&1 ||
    fail "exec: $(cat "$BATS_TEST_TMPDIR/out")"
  pid=$(cat "$pidfile")
  HR_PIDS+=("$pid")
  # fd 3 is that socket (the kernel's socket inode, bound at $sock), and no fd above it
  ino=$(readlink "/proc/$pid/fd/3" | sed -n 's/^socket:\[\([0-9]*\)\]$/\1/p')
  [ -n "$ino" ] || fail "fd 3 of the exec'd process: $(readlink "/proc/$pid/fd/3")"
  assert_eq "$(awk -v i="$ino" '$7 == i { print $8 }' /proc/net/unix)" "$sock" "the socket at fd 3"
  [ ! -e "/proc/$pid/fd/4" ] || fail "fd 4 passed: $(readlink "/proc/$pid/fd/4")"
  # its environment (the kernel's view): socket activation for its pid as
  # the container sees it (the last NSpid), not the runtime's variables
  local env nspid
  env=$(tr '\0' '\n' <"/proc/$pid/environ")
  [[ $env == *PATH=* ]] || fail "environ: $env"
  if is_runc; then
    [[ $env != *LISTEN_FDS=* && $env != *LISTEN_PID=* ]] || fail "runc's exec got socket activation: $env"
    return 0
  fi
  nspid=$(awk '/^NSpid:/ { print $NF }' "/proc/$pid/status")
  [ "$nspid" != "$pid" ] || fail "the exec'd process is not in the container's pid namespace"
  assert_eq "$(grep -c '^LISTEN_FDS=' <<<"$env")" 1 "LISTEN_FDS entries"
  assert_eq "$(sed -n 's/^LISTEN_FDS=//p' <<<"$env")" 1 "LISTEN_FDS"
  assert_eq "$(sed -n 's/^LISTEN_PID=//p' <<<"$env")" "$nspid" "LISTEN_PID (the process's pid in the container)"
}

@test "exec: --preserve-fds with a FIFO (not a socket), or LISTEN_FDS in -e: no socket activation added" {
  requires_hydra "runc's exec adds no LISTEN_FDS at all"
  start_sleeper
  local pidfile="$BATS_TEST_TMPDIR/pid" pid env
  # fd 3 a FIFO (opened read-write: no writer to wait for; and no process
  # of ours holding bats' own fd 3)
  mkfifo "$BATS_TEST_TMPDIR/fifo"
  hr exec -d --pid-file "$pidfile" --preserve-fds 1 "$TAG" sleep 1000 3<>"$BATS_TEST_TMPDIR/fifo"
  pid=$(cat "$pidfile")
  HR_PIDS+=("$pid")
  [[ $(readlink "/proc/$pid/fd/3") == "$BATS_TEST_TMPDIR/fifo" ]] || fail "fd 3: $(readlink "/proc/$pid/fd/3")"
  env=$(tr '\0' '\n' <"/proc/$pid/environ")
  [[ $env == *PATH=* && $env != *LISTEN_FDS=* && $env != *LISTEN_PID=* ]] || fail "a pipe got socket activation: $env"
  # the process's own LISTEN_FDS stays as given, and no LISTEN_PID is made up
  rm -f "$pidfile"
  hr exec -d --pid-file "$pidfile" --preserve-fds 1 -e LISTEN_FDS=7 "$TAG" sleep 1001 3<"$BATS_TEST_TMPDIR"
  pid=$(cat "$pidfile")
  HR_PIDS+=("$pid")
  env=$(tr '\0' '\n' <"/proc/$pid/environ")
  assert_eq "$(sed -n 's/^LISTEN_FDS=//p' <<<"$env")" 7 "LISTEN_FDS given with -e"
  [[ $env != *LISTEN_PID=* ]] || fail "LISTEN_PID added: $env"
}
