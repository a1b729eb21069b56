#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The container's cgroup on this host (v1 controllers + hybrid unified
# mount): where it is made, that every process is in it, pause/resume
# through the freezer, and that nothing is left after delete.  cgroup v2
# is covered by the VM lane (tests/vm).

load helpers

setup_file() { hr_setup_file; }
setup() { hr_setup; }
teardown() {
  # (a cgroup a test made: thawed first, so that nothing waits on it)
  remove_precreated "$BATS_TEST_TMPDIR/precreated"
  hr_teardown
  # pod-style parents the tests made at the hierarchy roots
  rmdir /sys/fs/cgroup/*/"hr-pod-$TAG"-*/ctr /sys/fs/cgroup/*/"hr-pod-$TAG"-* 2>/dev/null || true
  # cgroups a test made by path, in case the runtime left them (innermost
  # first; rmdir removes only empty ones)
  local d i
  for d in "${HR_CGROUP_DIRS[@]}"; do
    for i in 1 2 3 4 5 6 7 8 9 10; do
      rmdir /sys/fs/cgroup/*/"$d" /sys/fs/cgroup/"$d" 2>/dev/null
      compgen -G "/sys/fs/cgroup/*/$d" >/dev/null || break
      sleep 0.1
    done
  done
}

# cgroup path of pid $1 in hierarchy $2 ("memory", "freezer", "" = unified)
cg_of() { awk -F: -v c="$2" '$2 == c { print $3 }' "/proc/$1/cgroup"; }
own_cg() { cg_of self "$1"; }

@test "cgroups: the init is in a cgroup named after the container in every hierarchy" {
  requires_root
  cfg_args sleep 1000
  create_container "$TAG"
  local pid h own want
  pid=$(state_field "$TAG" pid)
  for h in memory pids freezer cpu devices ""; do
    grep -q ":$h:" /proc/self/cgroup || continue
    own=$(own_cg "$h")
    # runc's default: the container id, below the runtime's own cgroup
    want="${own%/}/$TAG"
    assert_eq "$(cg_of "$pid" "$h")" "$want" "cgroup of the init in '${h:-unified}'"
  done
  [ -d "/sys/fs/cgroup/freezer/$TAG" ] || fail "no freezer cgroup directory"
  grep -qx "$pid" "/sys/fs/cgroup/freezer/$TAG/cgroup.procs" || fail "init not in freezer cgroup.procs"
}

@test "cgroups: an absolute cgroupsPath is taken from the hierarchy root" {
  requires_root
  cfg '.linux.cgroupsPath = $p' --arg p "/hydra-test/$TAG/inner"
  cfg_args sleep 1000
  create_container "$TAG"
  local pid
  pid=$(state_field "$TAG" pid)
  assert_eq "$(cg_of "$pid" pids)" "/hydra-test/$TAG/inner" "pids cgroup"
  assert_eq "$(cg_of "$pid" memory)" "/hydra-test/$TAG/inner" "memory cgroup"
  hr delete --force "$TAG"
  [ ! -d "/sys/fs/cgroup/pids/hydra-test/$TAG/inner" ] || fail "cgroup left behind"
  rmdir "/sys/fs/cgroup"/*/hydra-test/"$TAG" "/sys/fs/cgroup"/*/hydra-test 2>/dev/null || true
}

@test "cgroups: inside its cgroup namespace the container sees its cgroup as /" {
  requires_root
  cfg_add_ns cgroup
  cfg_sh 'cat /proc/self/cgroup; ls /sys/fs/cgroup/pids'
  run hr run --bundle "$BUNDLE" "$TAG"
  [ "$status" -eq 0 ] || fail "run: $output"
  assert_match "$output" ":pids:/$"$'\n'
  assert_match "$output" "pids.max"
}

@test "cgroups: exec'd processes join the container's cgroup" {
  requires_root
  cfg_args sleep 1000
  create_container "$TAG"
  hr start "$TAG"
  hr exec -d --pid-file "$BATS_TEST_TMPDIR/exec.pid" "$TAG" sleep 999
  local epid
  epid=$(cat "$BATS_TEST_TMPDIR/exec.pid")
  grep -qx "$epid" "/sys/fs/cgroup/pids/$TAG/cgroup.procs" || fail "exec pid $epid not in the container's pids cgroup"
  run hr ps --format json "$TAG"
  assert_eq "$(echo "$output" | jq -c 'sort')" "$(jq -cn --argjson a "$(state_field "$TAG" pid)" --argjson b "$epid" '[$a,$b]|sort')" "ps json"
}

@test "cgroups: pause freezes every process, resume thaws, state says so" {
  requires_root
  cfg_args sleep 1000
  create_container "$TAG"
  hr start "$TAG"
  hr pause "$TAG"
  assert_eq "$(cat "/sys/fs/cgroup/freezer/$TAG/freezer.state")" "FROZEN" "freezer.state"
  assert_eq "$(state_field "$TAG" status)" "paused" "state"
  assert_match "$(hr list)" "$TAG +[0-9]+ +paused"
  run hr exec "$TAG" true
  [ "$status" -ne 0 ] || fail "exec into a paused container succeeded"
  assert_match "$output" "paused"
  hr resume "$TAG"
  assert_eq "$(cat "/sys/fs/cgroup/freezer/$TAG/freezer.state")" "THAWED" "freezer.state"
  assert_eq "$(state_field "$TAG" status)" "running" "state"
  run hr resume "$TAG"
  [ "$status" -ne 0 ] || fail "resume of a running container succeeded"
}

@test "cgroups: a paused container can be killed and force-deleted" {
  requires_root
  cfg_args sleep 1000
  create_container "$TAG"
  hr start "$TAG"
  local pid
  pid=$(state_field "$TAG" pid)
  hr pause "$TAG"
  hr delete --force "$TAG"
  wait_for_pid_gone "$pid" 5
  assert_no_cgroup "$TAG"
  assert_no_state_dirs
}

@test "cgroups: kill --all reaches processes outside the container's pid namespace" {
  requires_root
  cfg_del_ns pid
  cfg_sh 'sleep 1000 & sleep 1000 & wait'
  create_container "$TAG"
  hr start "$TAG"
  local i n=0
  for ((i = 0; i < 100; i++)); do
    n=$(wc -l <"/sys/fs/cgroup/pids/$TAG/cgroup.procs")
    [ "$n" -ge 3 ] && break
    sleep 0.05
  done
  [ "$n" -ge 3 ] || fail "expected 3 processes in the cgroup, got $n"
  hr kill --all "$TAG" KILL
  for ((i = 0; i < 100; i++)); do
    n=$(wc -l <"/sys/fs/cgroup/pids/$TAG/cgroup.procs")
    [ "$n" -eq 0 ] && break
    sleep 0.05
  done
  assert_eq "$n" 0 "processes left in the cgroup"
}

@test "cgroups: a cgroupsPath with .. is cleaned lexically: nothing made above it, delete removes it" {
  requires_root
  local pid h want own
  HR_CGROUP_DIRS=("hydra-test/$TAG-a" "hydra-test/$TAG-b" hydra-test)
  # absolute: ".." stays inside the hierarchy, "a" is never made
  cfg '.linux.cgroupsPath = $p' --arg p "/../hydra-test/$TAG-a/../$TAG-b"
  cfg_args sleep 1000
  create_container "$TAG"
  pid=$(state_field "$TAG" pid)
  for h in pids memory; do
    assert_eq "$(cg_of "$pid" $h)" "/hydra-test/$TAG-b" "$h cgroup"
    [ ! -e "/sys/fs/cgroup/$h/hydra-test/$TAG-a" ] || fail "$h: hydra-test/$TAG-a was made"
  done
  hr delete --force "$TAG"
  wait_for_pid_gone "$pid"
  assert_no_state_dirs
  for h in /sys/fs/cgroup/*/; do
    [ ! -d "$h/hydra-test/$TAG-b" ] || fail "cgroup left behind: $h/hydra-test/$TAG-b"
  done

  # relative: ".." cannot climb above the runtime's own cgroup
  HR_CGROUP_DIRS=()
  cfg '.linux.cgroupsPath = $p' --arg p "../../$TAG-c/./x/.."
  create_container "$TAG"
  pid=$(state_field "$TAG" pid)
  for h in pids memory; do
    own=$(own_cg $h)
    want="${own%/}/$TAG-c"
    HR_CGROUP_DIRS+=("${want#/}")
    assert_eq "$(cg_of "$pid" $h)" "$want" "$h cgroup"
  done
  hr delete --force "$TAG"
  wait_for_pid_gone "$pid"
  assert_no_state_dirs
  assert_no_cgroup "$TAG-c"
}

# (A cgroupsPath that cleans to no cgroup of its own, "/", ".", "a/..", is
# refused before anything exists: tests/unit/test-cgroups.c.  It is not
# tried here: a runtime that accepts it kills every process of that cgroup,
# the hierarchy's root or the test runner's, when it cleans up.)

@test "cgroups: delete removes the cgroup in every hierarchy" {
  requires_root
  cfg_args sleep 1000
  create_container "$TAG"
  hr start "$TAG"
  hr kill "$TAG" KILL
  wait_for_status "$TAG" stopped
  hr delete "$TAG"
  assert_no_cgroup "$TAG"
}

@test "cgroups: --systemd-cgroup without systemd as PID 1 fails with one line and leaves nothing" {
  requires_root
  requires_hydra "runc's error is its D-Bus connection failure"
  [ -d /run/systemd/system ] && skip "systemd is PID 1 here: tests/vm/systemd-cgroup.bats covers the driver"
  cfg_args sleep 1000
  run --separate-stderr hr_leakcheck --systemd-cgroup run --bundle "$BUNDLE" "$TAG" </dev/null
  assert_clean_failure 'systemd is not running as PID 1'
  assert_no_cgroup "$TAG"
  assert_no_cgroup "hydra-runc-$TAG.scope"
}

@test "cgroups: kill KILL of a paused container stops it" {
  requires_root
  cfg_args sleep 1000
  create_container "$TAG"
  hr start "$TAG"
  local pid
  pid=$(state_field "$TAG" pid)
  hr pause "$TAG"
  hr kill "$TAG" KILL
  wait_for_pid_gone "$pid" 5 || fail "init of a paused container survived SIGKILL"
  wait_for_status "$TAG" stopped
}

@test "cgroups: exec --cgroup runs in an existing sub-cgroup and cannot leave the container's" {
  requires_root
  requires_hydra "runc 1.1 has no exec --cgroup"
  cfg_args sleep 1000
  create_container "$TAG"
  hr start "$TAG"
  local d
  for d in /sys/fs/cgroup/*/"$TAG" /sys/fs/cgroup/memory/*/*/"$TAG"; do
    [ -d "$d" ] || continue
    mkdir -p "$d/sub"
    # a v1 cpuset cgroup accepts tasks only once it has cpus and mems
    if [ -f "$d/cpuset.cpus" ]; then
      cat "$d/cpuset.cpus" >"$d/sub/cpuset.cpus"
      cat "$d/cpuset.mems" >"$d/sub/cpuset.mems"
    fi
  done
  hr exec -d --cgroup sub --pid-file "$BATS_TEST_TMPDIR/p" "$TAG" sleep 999
  local epid
  epid=$(cat "$BATS_TEST_TMPDIR/p")
  assert_match "$(awk -F: '$2 == "pids" { print $3 }' /proc/$epid/cgroup)" "/$TAG/sub$"
  for bad in ../x /abs a/../../x missing; do
    run hr exec --cgroup "$bad" "$TAG" true
    [ "$status" -ne 0 ] || fail "exec --cgroup $bad succeeded"
  done
  kill -9 "$epid"
  wait_for_pid_gone "$epid" 5
  for d in /sys/fs/cgroup/*/"$TAG"/sub /sys/fs/cgroup/memory/*/*/"$TAG"/sub; do
    [ -d "$d" ] && rmdir "$d" 2>/dev/null || true
  done
}

@test "cgroups: a pod-style parent cpuset (new, or found empty) gets its parent's cpus and mems; update works" {
  requires_root
  [ -f /sys/fs/cgroup/cpuset/cpuset.cpus ] || skip "no v1 cpuset hierarchy on this host"
  local kind pod
  for kind in new empty; do
    pod=/sys/fs/cgroup/cpuset/hr-pod-$TAG-$kind
    # A pod's cgroup made with a plain mkdir (as another tool would): a
    # v1 cpuset starts with no cpus and mems, and takes no task (ENOSPC).
    [ "$kind" = empty ] && mkdir "$pod"
    cfg '.linux.cgroupsPath = $p' --arg p "/hr-pod-$TAG-$kind/ctr"
    cfg_args sleep 1000
    create_container "$TAG-$kind" || fail "create with a $kind pod cgroup"
    assert_eq "$(cat "$pod/cpuset.cpus")" "$(cat /sys/fs/cgroup/cpuset/cpuset.cpus)" "$kind pod cpuset.cpus"
    assert_eq "$(cat "$pod/cpuset.mems")" "$(cat /sys/fs/cgroup/cpuset/cpuset.mems)" "$kind pod cpuset.mems"
    assert_eq "$(cat "$pod/ctr/cpuset.cpus")" "$(cat /sys/fs/cgroup/cpuset/cpuset.cpus)" "$kind container cpuset.cpus"
    grep -qx "$(state_field "$TAG-$kind" pid)" "$pod/ctr/cgroup.procs" || fail "init not in $pod/ctr"
    hr update --cpuset-cpus 0 "$TAG-$kind"
    assert_eq "$(cat "$pod/ctr/cpuset.cpus")" 0 "$kind container cpuset.cpus after update"
    hr delete --force "$TAG-$kind"
  done
}

# A cgroup made before the container, named $1 below this test's own
# cgroup in every hierarchy (cpusets filled); prints its directories.
precreate_cgroup() {
  local hier ctrl path base d
  while IFS=: read -r hier ctrl path; do
    base=$(cgroup_mount "$ctrl")
    [ -d "$base" ] || continue
    d=$base${path%/}/$1
    mkdir "$d"
    if [ -f "$d/cpuset.cpus" ]; then
      cat "$base${path%/}/cpuset.cpus" >"$d/cpuset.cpus"
      cat "$base${path%/}/cpuset.mems" >"$d/cpuset.mems"
    fi
    echo "$d"
  done </proc/self/cgroup
}

# Thaw, empty and remove the directories listed in file $1.
remove_precreated() {
  local d p
  [ -f "$1" ] || return 0
  while read -r d; do
    [ -f "$d/freezer.state" ] && echo THAWED >"$d/freezer.state"
  done <"$1"
  while read -r d; do
    for p in $(cat "$d/cgroup.procs" 2>/dev/null); do kill -9 "$p" 2>/dev/null || true; done
  done <"$1"
  while read -r d; do
    for _ in 1 2 3 4 5 6 7 8 9 10; do rmdir "$d" 2>/dev/null && break; [ -d "$d" ] || break; sleep 0.2; done
  done <"$1"
}

@test "cgroups: a pre-existing frozen cgroup is refused, not joined; it survives the create and delete" {
  requires_root
  [ -d /sys/fs/cgroup/freezer ] || skip "no v1 freezer hierarchy on this host"
  local list="$BATS_TEST_TMPDIR/precreated"
  precreate_cgroup "frz-$TAG" >"$list"
  local fz
  fz=$(grep '^/sys/fs/cgroup/freezer/' "$list")
  echo FROZEN >"$fz/freezer.state"
  cfg '.linux.cgroupsPath = $p' --arg p "frz-$TAG"
  cfg_args true
  # (no `run`, no leak checker: on a runtime that joins the frozen cgroup
  # the init cannot even die until it is thawed, below)
  local st=0 out
  HR_TIMEOUT=15 hr create --bundle "$BUNDLE" "$TAG" </dev/null >"$BATS_TEST_TMPDIR/out" 2>&1 || st=$?
  out=$(cat "$BATS_TEST_TMPDIR/out")
  if [ "$st" -ne 1 ]; then
    remove_precreated "$list"
    fail "create into a frozen cgroup: status $st (124: it hung), output: $out"
  fi
  assert_match "$out" "container's cgroup unexpectedly frozen" || { remove_precreated "$list"; return 1; }
  assert_no_state_dirs || { remove_precreated "$list"; return 1; }
  [ -z "$(cat "$fz/cgroup.procs")" ] || { remove_precreated "$list"; fail "a process was left in the frozen cgroup"; }
  run hr delete --force "$TAG"
  local d gone=""
  while read -r d; do [ -d "$d" ] || gone+=" $d"; done <"$list"
  assert_eq "$(cat "$fz/freezer.state")" FROZEN "the pre-existing cgroup's freezer.state" || gone+=" (thawed)"
  remove_precreated "$list"
  [ -z "$gone" ] || fail "a cgroup the runtime did not create was removed:$gone"
}

@test "cgroups: a failed create leaves a pre-existing cgroup in place" {
  requires_root
  requires_hydra "runc removes the cgroup of a failed create even when it found it"
  local list="$BATS_TEST_TMPDIR/precreated"
  precreate_cgroup "pre-$TAG" >"$list"
  cfg '.linux.cgroupsPath = $p' --arg p "pre-$TAG"
  cfg_args /no/such/binary
  local st=0 d gone=""
  hr create --bundle "$BUNDLE" "$TAG" </dev/null >/dev/null 2>&1 || st=$?
  while read -r d; do [ -d "$d" ] || gone+=" $d"; done <"$list"
  remove_precreated "$list"
  [ "$st" -eq 1 ] || fail "create of a missing binary: status $st"
  [ -z "$gone" ] || fail "a cgroup the runtime did not create was removed:$gone"
}

@test "cgroups: joining a cgroup that already has processes warns, as runc" {
  requires_root
  local list="$BATS_TEST_TMPDIR/precreated"
  precreate_cgroup "busy-$TAG" >"$list"
  sleep 1000 &
  local sp=$!
  local d
  while read -r d; do echo "$sp" >"$d/cgroup.procs"; done <"$list"
  cfg '.linux.cgroupsPath = $p' --arg p "busy-$TAG"
  cfg_args sleep 1000
  local st=0 err
  hr create --bundle "$BUNDLE" "$TAG" </dev/null >/dev/null 2>"$BATS_TEST_TMPDIR/err" || st=$?
  err=$(cat "$BATS_TEST_TMPDIR/err")
  kill -9 "$sp"
  wait "$sp" 2>/dev/null || true
  track_pid "$TAG"
  hr delete --force "$TAG" || true
  remove_precreated "$list"
  [ "$st" -eq 0 ] || fail "create: status $st: $err"
  assert_match "$err" "container's cgroup is not empty: 1 process\(es\) found"
}
