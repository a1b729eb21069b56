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
  hr_teardown
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
