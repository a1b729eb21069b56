#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# VM lane, first suite: the guest is a pure cgroup v2 machine and
# hydra-runc runs containers there.

load vm-helpers

setup_file() {
  [ "${HYDRA_VM_LANE:-}" = 1 ] || return 0
  hr_setup_file
}

setup() {
  requires_vm_lane
  requires_root
  hr_setup
}

teardown() {
  hr_teardown
}

@test "the guest mounts cgroup2 at /sys/fs/cgroup and no cgroup v1 hierarchy" {
  assert_eq "$(stat -fc %T /sys/fs/cgroup)" cgroup2fs "fs type of /sys/fs/cgroup"
  # /proc/self/cgroup has the single v2 line only.
  run cat /proc/self/cgroup
  [ "$status" -eq 0 ]
  assert_eq "${#lines[@]}" 1 "lines in /proc/self/cgroup ($output)"
  assert_match "${lines[0]}" '^0::/' "/proc/self/cgroup"
  run awk '$3 == "cgroup" { print }' /proc/self/mounts
  assert_eq "$output" "" "cgroup v1 mounts"
}

@test "the memory and pids controllers are available" {
  local c
  c=" $(cat /sys/fs/cgroup/cgroup.controllers) "
  for want in memory pids cpu io; do
    [[ $c == *" $want "* ]] || fail "controller $want not in cgroup.controllers:$c"
  done
}

@test "the guest runs the Debian kernel the lane booted" {
  assert_eq "$(uname -r)" "$HYDRA_VM_KERNEL_RELEASE" "kernel release"
  [ -d "/lib/modules/$(uname -r)/kernel" ] || fail "no modules for $(uname -r) under /lib/modules"
}

@test "run: a container prints a cgroup v2 /proc/self/cgroup" {
  cfg_sh 'cat /proc/self/cgroup'
  run hr run --bundle "$BUNDLE" "$TAG" </dev/null
  [ "$status" -eq 0 ] || fail "run exited $status: $output"
  assert_eq "${#lines[@]}" 1 "lines of the container's /proc/self/cgroup ($output)"
  assert_match "${lines[0]}" '^0::/' "container's /proc/self/cgroup"
  assert_no_state_dirs
  assert_no_cgroup "$TAG"
}

@test "a created container has its own cgroup v2 directory with memory and pids" {
  requires_cgroup2_support
  cfg_sh 'sleep 300'
  create_container "$TAG"
  local pid dir mine
  pid=$(state_field "$TAG" pid)
  dir=$(cgroup2_dir_of "$pid") || fail "no cgroup2 line in /proc/$pid/cgroup"
  mine=$(cgroup2_dir_of $$)
  [ "$dir" != "$mine" ] || fail "container init is in the caller's cgroup $mine"
  [ -d "$dir" ] || fail "no directory $dir"
  [[ ${dir##*/} == "$TAG" ]] || fail "cgroup $dir is not named after the container $TAG"
  grep -qx "$pid" "$dir/cgroup.procs" || fail "pid $pid not in $dir/cgroup.procs"
  local c
  c=" $(cat "$dir/cgroup.controllers") "
  for want in memory pids; do
    [[ $c == *" $want "* ]] || fail "controller $want not enabled for $dir:$c"
  done
  [ -f "$dir/memory.max" ] && [ -f "$dir/pids.max" ] || fail "no memory.max / pids.max in $dir"
  hr delete --force "$TAG"
  wait_for_pid_gone "$pid"
  assert_no_state_dirs
  assert_no_cgroup "$TAG"
}

@test "the container's namespaces differ from the guest's" {
  cfg_add_ns cgroup
  cfg_sh 'for n in pid mnt uts ipc net cgroup; do echo "$n $(readlink /proc/self/ns/$n)"; done'
  run hr run --bundle "$BUNDLE" "$TAG" </dev/null
  [ "$status" -eq 0 ] || fail "run exited $status: $output"
  assert_eq "${#lines[@]}" 6 "namespace lines ($output)"
  local n link
  while read -r n link; do
    [ -n "$link" ] || fail "container printed no $n namespace"
    [ "$link" != "$(readlink "/proc/self/ns/$n")" ] || fail "container shares the guest's $n namespace ($link)"
  done <<<"$output"
  assert_no_state_dirs
}

@test "exec: the process is born in the container's cgroup (CLONE_INTO_CGROUP), also into a paused one" {
  requires_cgroup2_support
  cfg_sh 'sleep 300'
  create_container "$TAG"
  hr start "$TAG"
  local pid dir epid
  pid=$(state_field "$TAG" pid)
  dir=$(cgroup2_dir_of "$pid") || fail "no cgroup2 line in /proc/$pid/cgroup"
  # the kernel's view of a detached exec'd process
  hr exec -d --pid-file "$BATS_TEST_TMPDIR/exec.pid" "$TAG" sleep 300
  epid=$(cat "$BATS_TEST_TMPDIR/exec.pid")
  assert_eq "$(cgroup2_dir_of "$epid")" "$dir" "cgroup of the exec'd process"
  grep -qx "$epid" "$dir/cgroup.procs" || fail "pid $epid not in $dir/cgroup.procs"
  # a paused container: the process is moved in before GO (not born
  # frozen, which would hang before it reported ready); it runs once resumed
  hr pause "$TAG"
  hr exec -d --ignore-paused --pid-file "$BATS_TEST_TMPDIR/exec2.pid" "$TAG" sleep 300 &
  local hpid=$!
  local i
  for ((i = 0; i < 100; i++)); do [ -s "$BATS_TEST_TMPDIR/exec2.pid" ] && break; sleep 0.1; done
  [ -s "$BATS_TEST_TMPDIR/exec2.pid" ] || fail "exec --ignore-paused wrote no pid file"
  epid=$(cat "$BATS_TEST_TMPDIR/exec2.pid")
  assert_eq "$(cgroup2_dir_of "$epid")" "$dir" "cgroup of the process exec'd while paused"
  hr resume "$TAG"
  wait "$hpid" || fail "exec --ignore-paused failed"
  grep -q sleep "/proc/$epid/cmdline" || fail "the process did not exec after resume"
  hr delete --force "$TAG"
  wait_for_pid_gone "$pid"
  assert_no_cgroup "$TAG"
}

@test "a cgroup mount is the container's own cgroup, read-only, with or without a cgroup namespace" {
  requires_cgroup2_support
  # a sibling of the container's cgroup, which must stay out of sight
  local sib="$HR_CGROUP2/hr-sibling-$$" pid root cg ns
  mkdir -p "$sib"
  cfg '.mounts |= map(select(.destination != "/sys/fs/cgroup"))
       | .mounts += [{"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
                      "options": ["nosuid", "noexec", "nodev"]}]'
  cfg_args sleep 300
  for ns in with without; do
    [ "$ns" = with ] && cfg_add_ns cgroup
    [ "$ns" = without ] && cfg_del_ns cgroup
    create_container "$TAG-$ns"
    pid=$(state_field "$TAG-$ns" pid)
    # Read from here (the guest's cgroup namespace), the mount's root is
    # the container's cgroup, whichever way it was made.
    root=$(awk '$5 == "/sys/fs/cgroup" { print $4 }' "/proc/$pid/mountinfo")
    cg=$(awk -F: '$1 == "0" { print $3 }' "/proc/$pid/cgroup")
    assert_eq "$root" "$cg" "root of the cgroup mount ($ns a cgroup namespace)"
    assert_match "$(awk '$5 == "/sys/fs/cgroup" { print $6 }' "/proc/$pid/mountinfo")" '(^|,)ro(,|$)' \
      "cgroup mount options ($ns a cgroup namespace)"
    [ ! -e "/proc/$pid/root/sys/fs/cgroup/hr-sibling-$$" ] || fail "the sibling cgroup is visible ($ns)"
    [ -e "/proc/$pid/root/sys/fs/cgroup/cgroup.procs" ] || fail "no cgroup.procs in the mount ($ns)"
    hr delete --force "$TAG-$ns"
  done
  rmdir "$sib"
}
