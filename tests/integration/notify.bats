#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# NOTIFY_SOCKET (sd_notify(3) relay, runc 1.1's notify_socket.go): with
# NOTIFY_SOCKET in the runtime's environment, create binds the state dir's
# notify directory read-only at /run/notify in the container, with
# NOTIFY_SOCKET=/run/notify/notify.sock in the process's environment;
# start (and run) relays what the container sends to the caller's socket
# and returns once it said READY=1, followed by MAINPID=<init's host pid>.
# tests/tools/notify-recv plays the service manager, tests/tools/notify-send
# (copied into the rootfs) the service.

load helpers
load tty-helpers

setup_file() { hr_setup_file; }
setup() {
  hr_setup
  # sun_path is 108 bytes: not under $BATS_TEST_TMPDIR.
  HOST_SOCK=$(mktemp -u /tmp/hr-notify.XXXXXX)
  RECV_PID=
  RECV_OUT="$BATS_TEST_TMPDIR/recv.out"
  test_tool notify-send
  cp "$TEST_TOOL" "$BUNDLE/rootfs/notify-send"
}
teardown() {
  hr_teardown
  stop_receiver
  rm -f "$HOST_SOCK"
}

# start_recv ADDR: the receiver, bound at ADDR, printing into $RECV_OUT.
start_recv() {
  start_receiver notify-recv "$1" bound
}

# notify_container SCRIPT [ADDR]: a receiver at ADDR ($HOST_SOCK), and
# container $TAG created with NOTIFY_SOCKET=ADDR to run sh -c SCRIPT.
notify_container() {
  NOTIFY_ADDR=${2:-$HOST_SOCK}
  start_recv "$NOTIFY_ADDR"
  cfg_sh "$1"
  NOTIFY_SOCKET=$NOTIFY_ADDR create_container "$TAG"
}

# got LINE: the receiver printed LINE; not_got ERE: no line of it matches.
got() {
  grep -qxF -- "$1" "$RECV_OUT" || fail "receiver did not get '$1'; got: $(cat "$RECV_OUT")"
}
not_got() {
  ! grep -qE -- "$1" "$RECV_OUT" || fail "receiver got /$1/: $(cat "$RECV_OUT")"
}

@test "notify: start waits for READY=1, relays it with the init's host pid as MAINPID" {
  # MAINPID from the container is a pid of its namespace: never relayed.
  notify_container 'sleep 2; /notify-send "STATUS=warming up" MAINPID=1 READY=1; exec sleep 100'
  local pid t0 t1
  pid=$(state_field "$TAG" pid)
  t0=$(date +%s%N)
  NOTIFY_SOCKET=$HOST_SOCK hr start "$TAG"
  t1=$(date +%s%N)
  [ $(((t1 - t0) / 1000000)) -ge 1900 ] || fail "start returned after $(((t1 - t0) / 1000000)) ms, before READY"
  # By the time start returned, READY and MAINPID were sent.
  got "READY=1"
  got "MAINPID=$pid"
  not_got "^MAINPID=1$"
  # READY before MAINPID, as runc sends them.
  assert_eq "$(grep -n -xF READY=1 "$RECV_OUT" | cut -d: -f1)" \
    "$(($(grep -n -xF "MAINPID=$pid" "$RECV_OUT" | cut -d: -f1) - 1))" "READY then MAINPID"
  assert_eq "$(state_field "$TAG" status)" running
}

@test "notify: other lines before READY are relayed too, READY=1 anywhere in a datagram" {
  requires_hydra "runc 1.1 relays READY alone, and only from a datagram that starts with it"
  notify_container '/notify-send "STATUS=warming up" "FDSTORE=1" "MAINPID=1
STATUS=almost
READY=1"; exec sleep 100'
  NOTIFY_SOCKET=$HOST_SOCK hr start "$TAG"
  got "STATUS=warming up"
  got "STATUS=almost"
  got "MAINPID=$(state_field "$TAG" pid)"
  # fd-store requests need fds, which are not relayed; nor is a pid of the container's
  not_got FDSTORE
  not_got "^MAINPID=1$"
}

@test "notify: the notify directory is bound read-only at /run/notify, NOTIFY_SOCKET points in it" {
  notify_container '/notify-send READY=1; exec sleep 100'
  local pid mi opts
  pid=$(state_field "$TAG" pid)
  mi=$(cat "/proc/$pid/mountinfo")
  opts=$(mnt_opts "$mi" /run/notify)
  [ -n "$opts" ] || fail "no mount at /run/notify: $mi"
  assert_match ",$opts," ",ro," "/run/notify options"
  assert_match ",$opts," ",nosuid," "/run/notify options"
  assert_match ",$opts," ",noexec," "/run/notify options"
  # the source is the container's own notify directory in the state dir
  printf '%s\n' "$mi" | awk '$5 == "/run/notify" { print $4 }' | grep -q "/$TAG/notify\$" ||
    fail "source of /run/notify: $(printf '%s\n' "$mi" | grep /run/notify)"
  NOTIFY_SOCKET=$HOST_SOCK hr start "$TAG"
  # (read once the process runs: until then environ is the runtime's)
  tr '\0' '\n' <"/proc/$pid/environ" | grep -qxF NOTIFY_SOCKET=/run/notify/notify.sock ||
    fail "env: $(tr '\0' ' ' <"/proc/$pid/environ")"
  # the socket start bound is there, inside that directory, for the container
  [ -S "/proc/$pid/root/run/notify/notify.sock" ] || fail "no socket at /run/notify/notify.sock"
}

@test "notify: a container that never notifies keeps start waiting" {
  notify_container 'exec sleep 100'
  run -124 env NOTIFY_SOCKET="$HOST_SOCK" timeout 3 "$HYDRA_RUNC" --root "$ROOT" start "$TAG"
  assert_eq "$(state_field "$TAG" status)" running
  not_got READY
  hr delete --force "$TAG"
  assert_no_state_dirs
}

@test "notify: a container that exits before READY does not hang start" {
  notify_container 'sleep 1; exit 3'
  # runc's start returns without error once the init is gone
  run env NOTIFY_SOCKET="$HOST_SOCK" timeout 10 "$HYDRA_RUNC" --root "$ROOT" start "$TAG"
  [ "$status" -eq 0 ] || fail "start: $status: $output"
  not_got READY
  wait_for_status "$TAG" stopped
}

@test "notify: an abstract NOTIFY_SOCKET address" {
  local name="@hr-notify-$TAG-$RANDOM"
  notify_container '/notify-send READY=1; exec sleep 100' "$name"
  NOTIFY_SOCKET=$name hr start "$TAG"
  got READY=1
  got "MAINPID=$(state_field "$TAG" pid)"
}

@test "notify: run -d returns after READY, MAINPID is the init's" {
  start_recv "$HOST_SOCK"
  cfg_sh 'sleep 1; /notify-send READY=1; exec sleep 100'
  NOTIFY_SOCKET=$HOST_SOCK hr run -d --bundle "$BUNDLE" "$TAG" </dev/null >/dev/null 2>&1
  track_pid "$TAG"
  got READY=1
  got "MAINPID=$(state_field "$TAG" pid)"
}

@test "notify: run in the foreground reports its own pid as MAINPID" {
  start_recv "$HOST_SOCK"
  cfg_sh '/notify-send READY=1; sleep 1; exit 7'
  local pid rc=0
  NOTIFY_SOCKET=$HOST_SOCK "$HYDRA_RUNC" --root "$ROOT" run --bundle "$BUNDLE" "$TAG" </dev/null >/dev/null 2>&1 &
  pid=$!
  wait "$pid" || rc=$?
  assert_eq "$rc" 7 "run's exit status"
  got READY=1
  got "MAINPID=$pid"
  assert_no_state_dirs
}

@test "notify: run -t in the foreground proxies the pty while it waits for READY" {
  # more output than a pty holds before READY: it must be read meanwhile
  start_recv "$HOST_SOCK"
  cfg '.process.terminal = true'
  cfg_sh 'head -c 300000 /dev/zero | tr "\0" x; echo; /notify-send READY=1; exit 4'
  run in_script "NOTIFY_SOCKET='$HOST_SOCK' '$HYDRA_RUNC' --root '$ROOT' run --bundle '$BUNDLE' '$TAG' >/dev/null; echo rc=\$?"
  [[ $output == *"rc=4"* ]] || fail "run -t: $output"
  got READY=1
  grep -q '^MAINPID=[0-9]*$' "$RECV_OUT" || fail "no MAINPID: $(cat "$RECV_OUT")"
}

@test "notify: nothing is left after delete" {
  notify_container '/notify-send READY=1; exec sleep 100'
  NOTIFY_SOCKET=$HOST_SOCK hr start "$TAG"
  [ -S "$ROOT/$TAG/notify/notify.sock" ] || fail "no notify socket in the state dir"
  hr delete --force "$TAG"
  assert_no_state_dirs
  assert_no_cgroup "$TAG"
  ! grep -q "$ROOT/$TAG/notify" /proc/self/mountinfo || fail "notify mount left on the host"
}

@test "notify: without NOTIFY_SOCKET there is no notify mount nor variable" {
  cfg_args sleep 100
  env -u NOTIFY_SOCKET "$HYDRA_RUNC" --root "$ROOT" create --bundle "$BUNDLE" "$TAG" </dev/null >/dev/null 2>&1
  track_pid "$TAG"
  local pid
  pid=$(state_field "$TAG" pid)
  ! grep -q " /run/notify " "/proc/$pid/mountinfo" || fail "/run/notify mounted"
  ! tr '\0' '\n' <"/proc/$pid/environ" | grep -q ^NOTIFY_SOCKET= || fail "NOTIFY_SOCKET set"
  [ ! -e "$ROOT/$TAG/notify" ] || fail "notify dir made"
}

@test "notify: a NOTIFY_SOCKET nobody listens on fails start before the container runs" {
  requires_hydra "runc starts the container, then fails to connect"
  cfg_args sleep 100
  NOTIFY_SOCKET=$HOST_SOCK create_container "$TAG"
  run -1 env NOTIFY_SOCKET="$HOST_SOCK" "$HYDRA_RUNC" --root "$ROOT" start "$TAG"
  assert_match "$output" "connect to NOTIFY_SOCKET"
  assert_eq "$(state_field "$TAG" status)" created
}

@test "notify: in a user namespace, the container's non-root user can notify" {
  cfg_add_ns user
  cfg '.linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
     | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
     | .process.user = {"uid": 1000, "gid": 1000}'
  chown -R 100000:100000 "$BUNDLE/rootfs"
  chmod o+x "$BATS_RUN_TMPDIR" "$BATS_RUN_TMPDIR/test" "$BATS_TEST_TMPDIR" "$BUNDLE" 2>/dev/null || true
  notify_container '/notify-send READY=1; exec sleep 100'
  NOTIFY_SOCKET=$HOST_SOCK hr start "$TAG"
  got READY=1
  got "MAINPID=$(state_field "$TAG" pid)"
}

@test "notify: a create that fails leaves no notify directory behind" {
  start_recv "$HOST_SOCK"
  cfg_args /no/such/binary
  run ! env NOTIFY_SOCKET="$HOST_SOCK" "$HYDRA_RUNC" --root "$ROOT" create --bundle "$BUNDLE" "$TAG" </dev/null
  assert_no_state_dirs
}
