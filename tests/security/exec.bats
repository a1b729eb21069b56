#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# CVE regressions of exec (moved from tests/integration/exec.bats): leaked
# fds, capabilities, --user parsing, and the runtime's own binary as seen
# from inside the container.  Each test ends with the host's side: the
# canary untouched and the runtime binary's sha256 unchanged.

load ../integration/helpers
load ../integration/exec-helpers
load ../integration/tty-helpers
load canary

setup_file() { hr_setup_file; }
setup() {
  hr_setup
  canary_setup
}
teardown() {
  [ -z "${HR_RECVTTY:-}" ] || kill "$HR_RECVTTY" 2>/dev/null || true
  hr_teardown
}

@test "CVE-2022-29162: exec --cap goes to bounding, effective, permitted but never inheritable" {
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
  assert_host_untouched
}

@test "CVE-2026-30892 (crun): exec --user is parsed strictly (no empty gid, names, overflow, extra fields)" {
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
  assert_host_untouched
}

@test "CVE-2019-5736: exec into a created container works (as in runc 1.1) and cannot reach the init's binary" {
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
  # the attack itself: keep an fd on the init's binary, and once start
  # made the init exec (the binary no longer busy) write through it
  cfg_hostdir
  hr delete --force "$TAG"
  create_container "$TAG"
  hr exec -d "$TAG" sh -c '
    exec >/host/result.tmp 2>&1
    if (exec 3</proc/1/exe) 2>/dev/null; then exec 3</proc/1/exe; echo "kept an fd"; else echo "open refused"; fi
    i=0
    while [ $i -lt 200 ] && [ "$(readlink /proc/1/exe)" != /bin/busybox ]; do sleep 0.05; i=$((i + 1)); done
    if [ -e /proc/self/fd/3 ]; then
      (printf pwned 1<>/proc/self/fd/3) 2>/dev/null && echo WROTE-EXE || echo "write refused"
    fi
    mv /host/result.tmp /host/result' </dev/null >/dev/null 2>&1
  wait_for_file "$HOSTDIR/result.tmp" 10
  hr start "$TAG"
  wait_for_file "$HOSTDIR/result" 20 || fail "the attacker did not finish"
  echo "attacker: $(cat "$HOSTDIR/result")"
  [[ $(cat "$HOSTDIR/result") != *WROTE-EXE* ]] || fail "the init's binary was written"
  assert_host_untouched
}

@test "CVE-2024-21626: only stdio and --preserve-fds reach an exec'd process" {
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
  # a host directory the runtime holds open is not reachable from inside
  run --separate-stderr hr exec "$TAG" sh -c '
    for n in 5 6 7 8 9; do echo pwned >/proc/self/fd/$n/escaped 2>/dev/null && echo WROTE-$n
      ls /proc/self/fd/$n/ 2>/dev/null | grep -q canary && echo SAW-$n; done; echo done' \
    5<"$CANARY_DIR" 6<"$CANARY_DIR" 7<"$CANARY" 8<"$CANARY_DIR" 9<"$CANARY_DIR"
  [ "$status" -eq 0 ] || fail "exec: $stderr"
  assert_eq "$output" done "writes through leaked fds"
  assert_host_untouched
}

@test "CVE-2024-21626: exec --cwd through /proc/self/fd (a leaked host fd) is refused" {
  requires_root
  start_sleeper
  local n
  for n in 5 6 7 8; do
    # (a write only where a miss lands in the canary, not in the host's /)
    run --separate-stderr hr exec -e "W=$((n == 8))" --cwd "/proc/self/fd/$n" "$TAG" \
      sh -c 'pwd; ls /; [ "$W" = 0 ] || echo pwned >escaped' 5<"$HOSTDIR" 6</ 7<"$BUNDLE" 8<"$CANARY_DIR"
    [ "$status" -ne 0 ] || [[ $output != *hydra-test-rootfs* && $output == /* ]] ||
      fail "cwd /proc/self/fd/$n: $output"
    if [ "$status" -eq 0 ]; then
      # whatever it did, the cwd is inside the container
      [[ $output != *"$HOSTDIR"* && $output != *"$BUNDLE"* ]] || fail "escaped: $output"
    fi
  done
  [ ! -e "$HOSTDIR/escaped" ] && [ ! -e "$BUNDLE/escaped" ] || fail "a file was written on the host"
  assert_host_untouched
}

@test "CVE-2016-9962, CVE-2019-5736: an exec'd process is not dumpable until execve" {
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
    (printf pwned 1<>/proc/$inner/exe) 2>/dev/null && echo EXE-WRITABLE
    echo checked"
  touch "$go"
  wait "$hpid" || true
  assert_eq "$output" checked "access to the runtime's process from the container"
  assert_host_untouched
}

@test "CVE-2019-5736: a #!/proc/self/exe entry point cannot rewrite the runtime binary" {
  requires_root
  # The attack on a copy of the binary: if it worked, the build stays whole.
  local rt
  rt="$BATS_TEST_TMPDIR/bin/$(basename "$RUNTIME_BIN")"
  mkdir -p "$(dirname "$rt")"
  cp "$RUNTIME_BIN" "$rt"
  RUNTIME_BIN=$rt
  RUNTIME_SUM=$(sha256sum "$rt" | cut -d' ' -f1)
  # The entry point: exec'ing /bin/evil makes the kernel run the exec'ing
  # process's own /proc/self/exe (the runtime, unless it only ever runs a
  # sealed copy) inside the container; the fifo as --log holds it open.
  printf '#!/proc/self/exe --log=/tmp/fifo\n' >"$BUNDLE/rootfs/bin/evil"
  chmod 755 "$BUNDLE/rootfs/bin/evil"
  ln -sf busybox "$BUNDLE/rootfs/bin/mkfifo"
  # The attacker (the init): keep an fd on the exe of any process not
  # running busybox, let it go, then write through the fd.
  cat >"$BUNDLE/rootfs/attack.sh" <<'EOF'
mkfifo /tmp/fifo
echo ready >/host/ready
i=0
while [ $i -lt 200 ]; do
  for p in /proc/[0-9]*; do
    case $p in /proc/1 | /proc/$$) continue ;; esac
    exe=$(readlink $p/exe 2>/dev/null) || continue
    [ "$exe" = /bin/busybox ] && continue
    # (a failed redirection of exec would end the shell: try in a subshell)
    if ! (exec 3<$p/exe) 2>/dev/null; then echo "open $p/exe ($exe) refused"; continue; fi
    exec 3<$p/exe
    echo "kept an fd on $p/exe ($exe)"
    cat /tmp/fifo >/dev/null &
    j=0
    while [ $j -lt 50 ]; do
      if printf pwned 1<>/proc/self/fd/3 2>/dev/null; then echo WROTE-RUNTIME; break 3; fi
      sleep 0.1; j=$((j + 1))
    done
    echo "write refused"
    break 2
  done
  [ -e /host/exec-done ] && { echo "no runtime process seen"; break; }
  sleep 0.05; i=$((i + 1))
done
EOF
  cfg '.root.readonly = false | .mounts += [{"destination": "/tmp", "type": "tmpfs", "source": "tmpfs"}]'
  cfg_hostdir
  cfg_sh 'sh /attack.sh >/host/result.tmp 2>&1; mv /host/result.tmp /host/result; exec sleep 1000'
  timeout 60 "$rt" --root "$ROOT" create --bundle "$BUNDLE" "$TAG" </dev/null >/dev/null 2>&1
  track_pid "$TAG"
  timeout 60 "$rt" --root "$ROOT" start "$TAG"
  wait_for_file "$HOSTDIR/ready" 10
  run timeout 60 "$rt" --root "$ROOT" exec "$TAG" /bin/evil
  echo "exec /bin/evil: status $status: $output"
  touch "$HOSTDIR/exec-done"
  wait_for_file "$HOSTDIR/result" 30 || fail "the attacker did not finish"
  echo "attacker: $(cat "$HOSTDIR/result")"
  [[ $(cat "$HOSTDIR/result") != *WROTE-RUNTIME* ]] || fail "the runtime binary was written"
  assert_host_untouched
  timeout 60 "$rt" --root "$ROOT" delete --force "$TAG"
}
