#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Terminals: process.terminal with --console-socket (received by
# tests/tools/recvtty) and the foreground proxy of `run -t` / `exec -t`
# (driven through script(1)), checked from the kernel's side.

load helpers

setup_file() { hr_setup_file; }
setup() { hr_setup; }
teardown() {
  [ -z "${HR_RECVTTY:-}" ] || kill "$HR_RECVTTY" 2>/dev/null || true
  hr_teardown
}

load tty-helpers

@test "terminal: terminal=true and detached without --console-socket is refused (runc's wording)" {
  requires_root
  cfg '.process.terminal = true'
  run --separate-stderr hr_leakcheck create --bundle "$BUNDLE" "$TAG"
  assert_clean_failure 'cannot allocate tty if .*runc will detach without setting console socket'
  run --separate-stderr hr_leakcheck run -d --bundle "$BUNDLE" "$TAG"
  assert_clean_failure 'cannot allocate tty if .*runc will detach without setting console socket'
}

@test "terminal: --console-socket with terminal=false is refused (runc's wording)" {
  requires_root
  run --separate-stderr hr_leakcheck create --console-socket "$BATS_TEST_TMPDIR/nope.sock" --bundle "$BUNDLE" "$TAG"
  assert_clean_failure 'cannot use console socket if .*runc will not detach or allocate tty'
}

@test "terminal: exec checks the same (-t -d without socket, socket without -t)" {
  requires_root
  cfg_args sleep 1000
  create_container "$TAG"
  hr start "$TAG"
  run --separate-stderr hr exec -t -d "$TAG" true
  [ "$status" -ne 0 ]
  [[ $stderr == *"will detach without setting console socket"* ]] || fail "stderr: $stderr"
  run --separate-stderr hr exec --console-socket "$BATS_TEST_TMPDIR/x.sock" "$TAG" true
  [ "$status" -ne 0 ]
  [[ $stderr == *"cannot use console socket if"*"will not detach or allocate tty"* ]] || fail "stderr: $stderr"
}

@test "terminal: create --console-socket: the init's stdio is a pty of the container's devpts, with consoleSize" {
  requires_root
  requires_recvtty
  cfg '.process.terminal = true | .process.consoleSize = {"height": 33, "width": 101}'
  cfg_sh 'tty; stty size; test -c /dev/console && echo console-ok; sleep 1000'
  start_recvtty -n "$BATS_TEST_TMPDIR/name"
  create_container "$TAG" --console-socket "$SOCK"
  hr start "$TAG"
  local init i
  init=$(state_field "$TAG" pid)
  for ((i = 0; i < 100; i++)); do
    grep -q console-ok "$TTYOUT" && break
    sleep 0.1
  done
  local out
  out=$(tr -d '\r' <"$TTYOUT")
  [[ $out == *"/dev/pts/0"* ]] || fail "tty: $out"
  [[ $out == *"33 101"* ]] || fail "stty size: $out"
  [[ $out == *console-ok* ]] || fail "/dev/console: $out"
  # the kernel's view: fds 0-2 are one pts, the controlling tty of a session
  # the init leads, from the container's devpts instance (not the host's)
  local fd dev0
  dev0=$(stat -L -c %t:%T "/proc/$init/fd/0")
  for fd in 1 2; do
    assert_eq "$(stat -L -c %t:%T "/proc/$init/fd/$fd")" "$dev0" "fd $fd"
  done
  [ "$((16#${dev0%%:*}))" -ge 136 ] && [ "$((16#${dev0%%:*}))" -le 143 ] || fail "fd 0 is not a pts: $dev0"
  local stat_fields
  read -ra stat_fields <<<"$(sed 's/.*) //' "/proc/$init/stat")"
  # after "comm)": state ppid pgrp session tty_nr
  assert_eq "${stat_fields[3]}" "$init" "session id (the init leads its session)"
  [ "${stat_fields[4]}" -ne 0 ] || fail "no controlling terminal"
  assert_eq "$(stat -L -c %d "/proc/$init/fd/0")" "$(stat -L -c %d "/proc/$init/root/dev/pts")" \
    "the pts comes from the container's devpts"
  [ "$(stat -L -c %d "/proc/$init/fd/0")" != "$(stat -c %d /dev/pts)" ] || fail "pty from the host's devpts"
  # /dev/console is the same pts, bind-mounted
  assert_eq "$(stat -L -c %t:%T "/proc/$init/root/dev/console")" "$dev0" "/dev/console"
  # recvtty got a master (a ptmx)
  [[ $(sed -n 2p "$BATS_TEST_TMPDIR/name") == *ptmx ]] || fail "received fd: $(cat "$BATS_TEST_TMPDIR/name")"
}

@test "terminal: recvtty input reaches the process and its output comes back" {
  requires_root
  requires_recvtty
  cfg '.process.terminal = true'
  cfg_sh 'read line; echo "got:$line"'
  start_recvtty -i $'hello-tty\n'
  create_container "$TAG" --console-socket "$SOCK"
  hr start "$TAG"
  wait_recvtty
  grep -q "got:hello-tty" "$TTYOUT" || fail "output: $(cat "$TTYOUT")"
}

@test "terminal: exec -t -d --console-socket gives the process its own pty" {
  requires_root
  requires_recvtty
  cfg_args sleep 1000
  create_container "$TAG"
  hr start "$TAG"
  start_recvtty
  hr exec -t -d --console-socket "$SOCK" --pid-file "$BATS_TEST_TMPDIR/pid" "$TAG" \
    sh -c 'tty; echo exit-now' </dev/null >/dev/null 2>&1
  wait_recvtty
  local out
  out=$(tr -d '\r' <"$TTYOUT")
  [[ $out == *"/dev/pts/"* ]] || fail "tty: $out"
  [[ $out == *exit-now* ]] || fail "output: $out"
}

@test "terminal: run -t in the foreground proxies the pty and returns the exit status" {
  requires_root
  cfg '.process.terminal = true'
  cfg_sh 'tty; stty size; exit 5'
  run in_script "stty rows 24 cols 80; '$HYDRA_RUNC' --root '$ROOT' run --bundle '$BUNDLE' '$TAG'; echo rc=\$?"
  local out=${output//$'\r'/}
  echo "$out"
  [[ $out == *"/dev/pts/0"* ]] || fail "tty: $out"
  [[ $out == *"24 80"* ]] || fail "the pty does not have our terminal's size: $out"
  [[ $out == *"rc=5"* ]] || fail "exit status: $out"
}

@test "terminal: exec -t in the foreground proxies the pty" {
  requires_root
  cfg_args sleep 1000
  create_container "$TAG"
  hr start "$TAG"
  run in_script "stty rows 30 cols 90; '$HYDRA_RUNC' --root '$ROOT' exec -t '$TAG' sh -c 'tty; stty size; exit 6'; echo rc=\$?"
  local out=${output//$'\r'/}
  echo "$out"
  [[ $out == *"/dev/pts/"* ]] || fail "tty: $out"
  [[ $out == *"30 90"* ]] || fail "size: $out"
  [[ $out == *"rc=6"* ]] || fail "exit status: $out"
}

# runc's fixStdioPermissions: the pty is given to the process's uid (the
# group stays devpts's gid=5, "tty"), so that a non-root process can use
# its own terminal.  Seen from inside and from the kernel (stat of the fd).
@test "terminal: create gives the pty to process.user.uid (runc: uid changed, gid kept)" {
  requires_root
  requires_recvtty
  cfg '.process.terminal = true | .process.user = {"uid": 1000, "gid": 1000}'
  cfg_sh 'echo "owner=$(stat -c %u:%g $(readlink /proc/self/fd/0))"; sleep 1000'
  start_recvtty
  create_container "$TAG" --console-socket "$SOCK"
  hr start "$TAG"
  local init i
  init=$(state_field "$TAG" pid)
  for ((i = 0; i < 100; i++)); do
    grep -q "owner=" "$TTYOUT" && break
    sleep 0.1
  done
  local out
  out=$(tr -d '\r' <"$TTYOUT")
  [[ $out == *"owner=1000:5"* ]] || fail "pty owner seen inside: $out"
  assert_eq "$(stat -L -c %u:%g "/proc/$init/fd/0")" "1000:5" "pty owner (host view)"
}

@test "terminal: exec -t -u 1000 gives its pty to uid 1000" {
  requires_root
  cfg_args sleep 1000
  create_container "$TAG"
  hr start "$TAG"
  assert_exec_tty_owner "$TAG" 1000:5
}
