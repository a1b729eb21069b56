#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# create / start / run / kill / delete, checked against the kernel's view.

load helpers

setup_file() { hr_setup_file; }
setup() { hr_setup; }
teardown() { hr_teardown; }

# A long-running init that records the signals it gets in /host/signals and
# then lives on (HUP) or exits 143 (TERM).  `wait` returns early on a trapped
# signal, so the traps run at once.
TRAPPING_INIT='trap "echo HUP >> /host/signals" HUP
trap "echo TERM >> /host/signals; exit 143" TERM
echo started > /host/started
while :; do sleep 1 & wait $!; done'

@test "run: hostname comes from config, the process is PID 1" {
  requires_root
  local host_before
  host_before=$(hostname)
  cfg '.hostname = "hydra-lc-test"'
  cfg_sh 'echo "hostname=$(hostname)"; echo "pid=$$"; echo "ppid=$PPID"; cat /.hydra-test-rootfs'
  run hr run --bundle "$BUNDLE" "$TAG"
  echo "$output"
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "hostname=hydra-lc-test" ]
  [ "${lines[1]}" = "pid=1" ]
  [ "${lines[2]}" = "ppid=0" ]
  [ "${lines[3]}" = "hydra-test-rootfs" ]
  assert_eq "$(hostname)" "$host_before" "host hostname after run"
}

@test "run: uid, gid and additionalGids from process.user (id and /proc/self/status)" {
  requires_root
  cfg '.process.user = {"uid": 1000, "gid": 1000, "additionalGids": [10, 2000]}'
  cfg_sh 'id; id -u; id -g; grep -E "^(Uid|Gid|Groups):" /proc/self/status'
  run hr run --bundle "$BUNDLE" "$TAG"
  echo "$output"
  [ "$status" -eq 0 ]
  assert_match "${lines[0]}" '^uid=1000\(hydra\) gid=1000\(hydra\) groups=.*10\(wheel\).*2000\(extra\)' "id"
  [ "${lines[1]}" = 1000 ]
  [ "${lines[2]}" = 1000 ]
  assert_match "$output" $'Uid:\t1000\t1000\t1000\t1000' "Uid line"
  assert_match "$output" $'Gid:\t1000\t1000\t1000\t1000' "Gid line"
  local groups
  groups=$(printf '%s\n' "$output" | awk '/^Groups:/ { $1 = ""; print }' | tr ' ' '\n' | grep . | sort -n | tr '\n' ' ')
  assert_eq "$groups" "10 2000 " "supplementary groups (kernel)"
}

@test "run: uid 0 by default" {
  requires_root
  cfg_sh 'id -u; id -g'
  run hr run --bundle "$BUNDLE" "$TAG"
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = 0 ]
  [ "${lines[1]}" = 0 ]
}

@test "run: exit status of run is the container's exit status" {
  requires_root
  local code
  for code in 42 0 3; do
    cfg_sh "exit $code"
    run hr run --bundle "$BUNDLE" "$TAG-$code"
    assert_eq "$status" "$code" "run exit status for 'exit $code'"
  done
  cfg_args false
  run hr run --bundle "$BUNDLE" "$TAG-false"
  assert_eq "$status" 1 "run exit status for false"
  # run (not --keep) removes the stopped container
  assert_no_state_dirs
}

@test "run: a container killed by SIGKILL makes run exit 137" {
  requires_root
  cfg_args sleep 1000
  hr run --bundle "$BUNDLE" "$TAG" </dev/null >"$BATS_TEST_TMPDIR/out" 2>&1 &
  local bg=$!
  wait_for_status "$TAG" running
  track_pid "$TAG"
  hr kill "$TAG" KILL
  local rc=0
  wait "$bg" || rc=$?
  assert_eq "$rc" 137 "exit status of run"
}

@test "create runs no user code; start does; state created -> running" {
  requires_root
  cfg_hostdir
  cfg_sh 'echo ran > /host/marker; exec sleep 1000'
  create_container "$TAG"
  run hr state "$TAG"
  [ "$status" -eq 0 ]
  local pid
  pid=$(jq -r .pid <<<"$output")
  assert_eq "$(jq -r .status <<<"$output")" created "status after create"
  [ "$pid" -gt 0 ]
  [ -d "/proc/$pid" ] || fail "init pid $pid does not exist after create"
  [ "$(awk '{print $3}' "/proc/$pid/stat")" != Z ] || fail "init $pid is a zombie"
  # give it a chance to (wrongly) run the user's program
  sleep 0.3
  [ ! -e "$HOSTDIR/marker" ] || fail "process.args ran before start"

  hr start "$TAG"
  wait_for_file "$HOSTDIR/marker"
  assert_eq "$(cat "$HOSTDIR/marker")" ran "marker"
  assert_eq "$(state_field "$TAG" status)" running "status after start"
  # exec sleep: the init keeps its pid, now running the user's program
  assert_eq "$(state_field "$TAG" pid)" "$pid" "pid after start"
  assert_eq "$(tr '\0' ' ' <"/proc/$pid/cmdline")" "sleep 1000 " "init cmdline after start"
}

@test "full lifecycle: created, running, stopped (pid 0), deleted" {
  requires_root
  cfg_args sleep 1000
  create_container "$TAG"
  local pid cgroups
  pid=$(state_field "$TAG" pid)
  [ "$pid" -gt 0 ]
  assert_eq "$(state_field "$TAG" status)" created
  cgroups=$(container_cgroup_dirs "$pid")

  hr start "$TAG"
  assert_eq "$(state_field "$TAG" status)" running
  kill -0 "$pid"

  hr kill "$TAG" KILL
  wait_for_status "$TAG" stopped
  assert_eq "$(state_field "$TAG" pid)" 0 "pid of a stopped container"
  wait_for_pid_gone "$pid"

  hr delete "$TAG"
  assert_no_state_dirs
  run --separate-stderr hr state "$TAG"
  [ "$status" -ne 0 ]
  assert_match "$stderr" "does not exist" "state after delete"
  local d
  for d in $cgroups; do
    [ ! -d "$d" ] || fail "cgroup $d left after delete"
  done
}

@test "kill without a signal sends SIGTERM" {
  requires_root
  cfg_hostdir
  cfg_sh "$TRAPPING_INIT"
  create_container "$TAG"
  hr start "$TAG"
  wait_for_file "$HOSTDIR/started"
  hr kill "$TAG"
  wait_for_status "$TAG" stopped
  assert_eq "$(cat "$HOSTDIR/signals")" TERM "signals the init saw"
  assert_eq "$(state_field "$TAG" pid)" 0
}

@test "kill with a named signal delivers it (HUP) and the container keeps running" {
  requires_root
  cfg_hostdir
  cfg_sh "$TRAPPING_INIT"
  create_container "$TAG"
  hr start "$TAG"
  wait_for_file "$HOSTDIR/started"
  hr kill "$TAG" HUP
  wait_for_file "$HOSTDIR/signals"
  assert_eq "$(cat "$HOSTDIR/signals")" HUP
  assert_eq "$(state_field "$TAG" status)" running
  hr kill "$TAG" SIGTERM
  wait_for_status "$TAG" stopped
  assert_eq "$(cat "$HOSTDIR/signals")" $'HUP\nTERM'
}

@test "kill accepts KILL, 9 and SIGKILL" {
  requires_root
  cfg_args sleep 1000
  local sig id pid
  for sig in KILL 9 SIGKILL; do
    id="$TAG-$sig"
    create_container "$id"
    hr start "$id"
    pid=$(state_field "$id" pid)
    hr kill "$id" "$sig"
    wait_for_status "$id" stopped
    assert_eq "$(state_field "$id" pid)" 0 "pid after kill $sig"
    wait_for_pid_gone "$pid"
    hr delete "$id"
  done
  assert_no_state_dirs
}

@test "delete refuses a running container; delete --force kills and removes it" {
  requires_root
  cfg_args sleep 1000
  create_container "$TAG"
  hr start "$TAG"
  local pid cgroups
  pid=$(state_field "$TAG" pid)
  cgroups=$(container_cgroup_dirs "$pid")
  run --separate-stderr hr delete "$TAG"
  [ "$status" -eq 1 ]
  [ -n "$stderr" ]
  assert_eq "$(state_field "$TAG" status)" running "status after refused delete"
  kill -0 "$pid"

  hr delete --force "$TAG"
  wait_for_pid_gone "$pid"
  assert_no_state_dirs
  local d
  for d in $cgroups; do
    [ ! -d "$d" ] || fail "cgroup $d left after delete --force"
  done
}

@test "delete of a created container removes it and its process" {
  requires_root
  cfg_hostdir
  cfg_sh 'echo ran > /host/marker; exec sleep 1000'
  create_container "$TAG"
  local pid
  pid=$(state_field "$TAG" pid)
  hr delete "$TAG"
  wait_for_pid_gone "$pid"
  assert_no_state_dirs
  [ ! -e "$HOSTDIR/marker" ] || fail "user code ran for a deleted, never started container"
}

@test "start of a running container fails and changes nothing" {
  requires_root
  cfg_args sleep 1000
  create_container "$TAG"
  hr start "$TAG"
  local pid
  pid=$(state_field "$TAG" pid)
  run --separate-stderr hr start "$TAG"
  [ "$status" -eq 1 ]
  [ -n "$stderr" ]
  assert_eq "$(state_field "$TAG" status)" running
  assert_eq "$(state_field "$TAG" pid)" "$pid"
}

@test "run --detach returns 0 and leaves the container running" {
  requires_root
  cfg_args sleep 1000
  local rc=0
  hr run --detach --bundle "$BUNDLE" "$TAG" </dev/null >"$BATS_TEST_TMPDIR/out" 2>&1 || rc=$?
  assert_eq "$rc" 0 "exit status of run --detach ($(cat "$BATS_TEST_TMPDIR/out"))"
  track_pid "$TAG"
  assert_eq "$(state_field "$TAG" status)" running
  local pid
  pid=$(state_field "$TAG" pid)
  [ "$pid" -gt 0 ]
  kill -0 "$pid"
  assert_eq "$(tr '\0' ' ' <"/proc/$pid/cmdline")" "sleep 1000 "
}

# The statuses the binary under test reports along create/start/kill/delete
# must be the ones runc reports.
lifecycle_statuses() {
  local bin=$1 root=$2 id=$3 s
  R() { timeout 60 "$bin" --root "$root" "$@"; }
  R create --bundle "$BUNDLE" "$id" </dev/null >/dev/null 2>>"$BATS_TEST_TMPDIR/$id.err" ||
    { echo "create-failed"; return; }
  R state "$id" | jq -r .status
  R start "$id" || echo "start-failed"
  R state "$id" | jq -r .status
  R kill "$id" KILL || echo "kill-failed"
  for ((i = 0; i < 200; i++)); do
    s=$(R state "$id" | jq -r .status)
    [ "$s" = stopped ] && break
    sleep 0.05
  done
  echo "$s"
  R state "$id" | jq -r .pid
  R delete "$id" || echo "delete-failed"
  R state "$id" 2>&1 >/dev/null | grep -o 'does not exist'
}

@test "create/start/kill/delete report the same statuses as runc" {
  requires_root
  local runc_bin
  runc_bin=$(command -v runc) || skip "runc is not installed"
  cfg_args sleep 1000
  local ours theirs
  ours=$(lifecycle_statuses "$HYDRA_RUNC" "$ROOT" "$TAG-a")
  theirs=$(lifecycle_statuses "$runc_bin" "$BATS_TEST_TMPDIR/runc-root" "$TAG-b")
  timeout 30 "$runc_bin" --root "$BATS_TEST_TMPDIR/runc-root" delete --force "$TAG-b" 2>/dev/null || true
  echo "ours:   $(echo $ours)"
  echo "runc's: $(echo $theirs)"
  assert_eq "$(echo $theirs)" "created running stopped 0 does not exist" "runc's own sequence"
  assert_eq "$(echo $ours)" "$(echo $theirs)" "statuses"
}
