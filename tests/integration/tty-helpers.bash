# SPDX-License-Identifier: Apache-2.0
# Helpers for suites that use terminals: the console-socket receiver the
# tests build (tests/tools/recvtty.c) and script(1).  Load after helpers.

recvtty_bin() {
  local d
  for d in "${HYDRA_BUILDDIR:-}" "$(dirname "$(readlink -f "$HYDRA_RUNC")")"; do
    [ -n "$d" ] && [ -x "$d/tests/tools/recvtty" ] && { echo "$d/tests/tools/recvtty"; return 0; }
  done
  return 1
}

requires_recvtty() {
  RECVTTY=$(recvtty_bin) || skip "no recvtty (make check builds tests/tools/recvtty)"
}

wait_for_sock() {
  local i
  for ((i = 0; i < 100; i++)); do
    [ -S "$1" ] && return 0
    sleep 0.05
  done
  fail "no socket $1"
}

# start_recvtty [RECVTTY ARGS...]: listen on $SOCK, output in $TTYOUT.
start_recvtty() {
  SOCK="$BATS_TEST_TMPDIR/tty.sock"
  TTYOUT="$BATS_TEST_TMPDIR/tty.out"
  "$RECVTTY" "$@" "$SOCK" >"$TTYOUT" 2>&1 &
  HR_RECVTTY=$!
  wait_for_sock "$SOCK"
}

# wait_recvtty: recvtty ends when the last slave is closed.
wait_recvtty() {
  local rc=0
  timeout 20 tail --pid="$HR_RECVTTY" -f /dev/null || rc=$?
  [ "$rc" -eq 0 ] || fail "recvtty still running: $(cat "$TTYOUT")"
  HR_RECVTTY=""
}

# in_script CMD: run CMD under script(1), i.e. with a terminal on stdio.
in_script() {
  timeout 60 script -qec "$1" /dev/null </dev/null
}

# exec_tty ARGS...: `exec -t ARGS` in the foreground under script(1),
# printing its output and then rc=N.  (ARGS may not contain single quotes.)
exec_tty() {
  local a q=""
  for a in "$@"; do q+=" '$a'"; done
  in_script "'$HYDRA_RUNC' --root '$ROOT' exec -t$q; echo rc=\$?"
}

# assert_exec_tty_owner ID UID:GID: `exec -t -u 1000:1000` into ID sees its
# pty owned by UID:GID (runc's fixStdioPermissions) and exits 0.
assert_exec_tty_owner() {
  local out
  run exec_tty -u 1000:1000 "$1" sh -c 'echo owner=$(stat -c %u:%g $(readlink /proc/self/fd/0))'
  out=${output//$'\r'/}
  echo "$out"
  [[ $out == *"owner=$2"* ]] || fail "pty owner: $out"
  [[ $out == *"rc=0"* ]] || fail "exit status: $out"
}
