#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# exec: a new process in a running container, checked from the kernel's side
# (/proc/<pid>/status, /proc/<pid>/ns/*), and the CVE regressions of exec.

load helpers

setup_file() { hr_setup_file; }
setup() { hr_setup; }
teardown() {
  [ -z "${HR_RECVTTY:-}" ] || kill "$HR_RECVTTY" 2>/dev/null || true
  hr_teardown
}

load tty-helpers

start_sleeper() {
  cfg_args sleep 1000
  create_container "$TAG"
  hr start "$TAG"
  wait_for_status "$TAG" running
}

# exec_detached PIDFILE ARGS...: exec -d, no stdio tied to the test.
exec_detached() {
  local pidfile=$1
  shift
  hr exec -d --pid-file "$pidfile" "$@" </dev/null >/dev/null 2>&1
}

# status_field PID FIELD: a line of /proc/PID/status without its name.
status_field() {
  awk -v f="$2:" '$1 == f { $1 = ""; sub(/^ +/, ""); print }' "/proc/$1/status"
}

# has_cap HEXMASK BIT
has_cap() {
  (( (16#$1 >> $2) & 1 ))
}

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

@test "exec: --cap goes to bounding, effective, permitted but never inheritable (CVE-2022-29162)" {
  requires_root
  start_sleeper
  exec_detached "$BATS_TEST_TMPDIR/pid" --cap CAP_SYS_TIME --cap CAP_SYS_NICE "$TAG" sleep 1000
  local pid bit set
  pid=$(cat "$BATS_TEST_TMPDIR/pid")
  HR_PIDS+=("$pid")
  for bit in 25 23; do # CAP_SYS_TIME, CAP_SYS_NICE
    for set in CapBnd CapPrm CapEff; do
      has_cap "$(status_field "$pid" $set)" $bit || fail "capability $bit missing from $set"
    done
    ! has_cap "$(status_field "$pid" CapInh)" $bit || fail "capability $bit in CapInh"
  done
  # the init did not get them
  local init
  init=$(state_field "$TAG" pid)
  ! has_cap "$(status_field "$init" CapBnd)" 25 || fail "the init's bounding set changed"
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

@test "exec: --user is parsed strictly (no empty gid, names, overflow, extra fields)" {
  requires_root
  start_sleeper
  local u
  for u in "1:" "abc" "1:2:3" ":1" "-1" "1 " "0x10"; do
    run --separate-stderr hr exec -u "$u" "$TAG" id -u
    [ "$status" -ne 0 ] || fail "-u '$u' was accepted: $output"
    [ -z "$output" ] || fail "-u '$u' ran the process: $output"
  done
  # runc 1.1 truncates this one to uid 1215752191
  if ! is_runc; then
    for u in 99999999999 4294967295 1:99999999999; do
      run --separate-stderr hr exec -u "$u" "$TAG" id -u
      [ "$status" -eq 255 ] || fail "-u '$u' was accepted: $output"
      [ -z "$output" ] || fail "-u '$u' ran the process: $output"
    done
    # the largest uid there is
    run --separate-stderr hr exec -u 4294967294 "$TAG" id -u
    [ "$status" -eq 0 ]
    assert_eq "$output" 4294967294
  fi
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

@test "exec: into a created container works (as in runc 1.1) and cannot reach the init's binary" {
  requires_root
  cfg_args sleep 1000
  create_container "$TAG"
  # the init still runs the runtime's code, waiting for start: its exe must
  # not be reachable from inside (CVE-2019-5736).  (runc 1.1's init runs a
  # sealed memfd copy of runc, readable but harmless: only the exec is
  # checked there.)
  run --separate-stderr hr exec "$TAG" sh -c 'cat /proc/1/exe >/dev/null 2>&1 && echo READABLE; echo done'
  [ "$status" -eq 0 ] || fail "exec into created container failed: $stderr"
  if ! is_runc; then
    assert_eq "$output" done
  fi
}

@test "exec: only stdio and --preserve-fds reach the process (CVE-2024-21626)" {
  requires_root
  start_sleeper
  # the runtime gets extra fds 5 and 6 from us: none may reach the container
  run --separate-stderr hr exec "$TAG" sh -c 'ls /proc/$$/fd; true' 5</etc/passwd 6<"$BUNDLE"
  [ "$status" -eq 0 ]
  assert_eq "$(echo $output)" "0 1 2" "fds of the exec'd process"
  run --separate-stderr hr exec --preserve-fds 2 "$TAG" sh -c 'ls /proc/$$/fd; cat <&3; true' \
    3<"$BUNDLE/rootfs/.hydra-test-rootfs" 4</dev/null 5</etc/passwd
  [ "$status" -eq 0 ]
  assert_eq "$(echo $output)" "0 1 2 3 4 hydra-test-rootfs" "fds with --preserve-fds 2"
}

@test "exec: --cwd through /proc/self/fd (a leaked host fd) is refused (CVE-2024-21626)" {
  requires_root
  start_sleeper
  local n
  for n in 5 6 7; do
    run --separate-stderr hr exec --cwd "/proc/self/fd/$n" "$TAG" sh -c 'pwd; ls /' 5<"$HOSTDIR" 6</ 7<"$BUNDLE"
    [ "$status" -ne 0 ] || [[ $output != *hydra-test-rootfs* && $output == /* ]] ||
      fail "cwd /proc/self/fd/$n: $output"
    if [ "$status" -eq 0 ]; then
      # whatever it did, the cwd is inside the container
      [[ $output != *"$HOSTDIR"* && $output != *"$BUNDLE"* ]] || fail "escaped: $output"
    fi
  done
}

@test "exec: the process is not dumpable until execve (CVE-2016-9962, CVE-2019-5736)" {
  requires_root
  # runc connects to the console socket before it starts the process: the
  # pause point below exists only in hydra-runc's order.
  requires_hydra "pauses between joining the container and execve"
  RECVTTY=$(recvtty_bin) || skip "no recvtty (make check builds tests/tools/recvtty)"
  start_sleeper
  local sock="$BATS_TEST_TMPDIR/tty.sock" go="$BATS_TEST_TMPDIR/go" init hpid cpid="" p i
  init=$(state_field "$TAG" pid)
  # recvtty holds its backlog full until $go exists: the runtime blocks
  # connecting to it, after the process joined the container and before
  # its execve.
  "$RECVTTY" -w "$go" "$sock" >/dev/null 2>&1 &
  HR_RECVTTY=$!
  wait_for_sock "$sock"
  hr exec -d -t --console-socket "$sock" "$TAG" sleep 1000 </dev/null >/dev/null 2>&1 &
  hpid=$!
  # find the waiting process: in the container's pid namespace, not yet sleep
  for ((i = 0; i < 100; i++)); do
    for p in $(ls /proc | grep -E '^[0-9]+$'); do
      [ "$p" != "$init" ] || continue
      [ "$(readlink "/proc/$p/ns/pid" 2>/dev/null)" = "$(readlink "/proc/$init/ns/pid")" ] || continue
      [ "$(readlink "/proc/$p/exe" 2>/dev/null)" = "$(readlink -f "$HYDRA_RUNC")" ] || continue
      cpid=$p
    done
    [ -z "$cpid" ] || break
    sleep 0.1
  done
  [ -n "$cpid" ] || { touch "$go"; fail "no pending exec process found"; }
  local inner
  inner=$(awk '$1 == "NSpid:" { print $3 }' "/proc/$cpid/status")
  assert_eq "$(readlink "/proc/$cpid/exe")" "$(readlink -f "$HYDRA_RUNC")" "the pending process runs the runtime"
  # from inside the container: neither open its exe, nor read its maps or fds
  run --separate-stderr hr exec "$TAG" sh -c "
    cat /proc/$inner/exe >/dev/null 2>&1 && echo EXE-READABLE
    readlink /proc/$inner/exe >/dev/null 2>&1 && echo EXE-LINK-READABLE
    ls -l /proc/$inner/fd/ 2>/dev/null | grep -q -- '->' && echo FD-LINKS-READABLE
    cat /proc/$inner/environ >/dev/null 2>&1 && echo ENVIRON-READABLE
    echo checked"
  touch "$go"
  wait "$hpid" || true
  assert_eq "$output" checked "access to the runtime's process from the container"
}
