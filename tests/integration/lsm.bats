#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# LSM fields: process.apparmorProfile, process.selinuxLabel,
# linux.mountLabel (create), exec --apparmor / --process-label and
# exec -p process.json.  Each is applied where the host runs that module
# and refused, naming the field, where it does not; never ignored.  This
# host runs neither, so the refusal is what is checked (the tests skip
# where the module is enabled).

load helpers
load exec-helpers

setup_file() { hr_setup_file; }
setup() { hr_setup; }
teardown() { hr_teardown; }

lsm_active() {
  grep -qw "$1" /sys/kernel/security/lsm 2>/dev/null
}

requires_no_selinux() {
  ! lsm_active selinux && ! [ -e /sys/fs/selinux/enforce ] || skip "SELinux is enabled on this host"
}

requires_no_apparmor() {
  ! lsm_active apparmor || skip "AppArmor is enabled on this host"
}

# create_refused ERE: create of $BUNDLE fails before anything exists, with
# one error line matching ERE, no state dir, no cgroup, no process left.
# (runc refuses too, in its own words: only the refusal is checked there.)
create_refused() {
  local re=$1
  is_runc && re=.
  run --separate-stderr hr_leakcheck create --bundle "$BUNDLE" "$TAG" </dev/null
  assert_clean_failure "$re"
  assert_no_cgroup "$TAG"
}

@test "lsm: process.selinuxLabel without SELinux: create is refused, naming the field, nothing left" {
  requires_root
  requires_no_selinux
  cfg '.process.selinuxLabel = "system_u:system_r:container_t:s0:c1,c2"'
  create_refused 'process\.selinuxLabel .*SELinux is not enabled'
}

@test "lsm: linux.mountLabel without SELinux: create is refused, naming the field, nothing left" {
  requires_root
  requires_no_selinux
  cfg '.linux.mountLabel = "system_u:object_r:container_file_t:s0:c1,c2"'
  create_refused 'linux\.mountLabel .*SELinux is not enabled'
}

@test "lsm: process.apparmorProfile without AppArmor: create is refused, naming the field, nothing left" {
  requires_root
  requires_no_apparmor
  cfg '.process.apparmorProfile = "hydra-test-profile"'
  create_refused 'process\.apparmorProfile .*AppArmor is not enabled'
}

@test "lsm: a config without labels (or with empty ones) still runs" {
  requires_root
  cfg '.process.apparmorProfile = "" | .process.selinuxLabel = "" | .linux.mountLabel = ""'
  cfg_args echo ran
  run --separate-stderr hr run --bundle "$BUNDLE" "$TAG"
  [ "$status" -eq 0 ] || fail "run failed: $stderr"
  assert_eq "$output" ran
}

# exec_refused ERE ARGS...: exec ARGS fails with one error line matching
# ERE; the command (which would print RAN) never runs, no process is left
# and the container is still running.
exec_refused() {
  local re=$1
  shift
  is_runc && re=.
  run --separate-stderr hr_leakcheck exec "$@"
  [ "$status" -ne 0 ] || fail "exec succeeded: $output"
  [[ $output != *RAN* ]] || fail "the process ran: $output"
  [[ $stderr =~ $re ]] || fail "stderr '$stderr' does not match /$re/"
  [ ! -s "$HR_LEAKS" ] || fail "processes left behind: $(cat "$HR_LEAKS")"
  assert_eq "$(state_field "$TAG" status)" running "container status"
}

@test "lsm: exec --process-label and --apparmor without the module are refused, naming the flag" {
  requires_root
  requires_no_selinux
  requires_no_apparmor
  start_sleeper
  exec_refused '--process-label .*SELinux is not enabled' --process-label "system_u:system_r:container_t:s0" "$TAG" echo RAN
  exec_refused '--apparmor .*AppArmor is not enabled' --apparmor hydra-test-profile "$TAG" echo RAN
  # without them exec works
  run hr exec "$TAG" echo RAN
  [ "$status" -eq 0 ] && assert_eq "$output" RAN
}

@test "lsm: exec -p process.json with selinuxLabel or apparmorProfile is refused, naming the field" {
  requires_root
  requires_no_selinux
  requires_no_apparmor
  start_sleeper
  local pj="$BATS_TEST_TMPDIR/process.json"
  jq -n '{args: ["echo", "RAN"], cwd: "/", env: ["PATH=/bin"], selinuxLabel: "system_u:system_r:container_t:s0"}' >"$pj"
  exec_refused 'process\.selinuxLabel .*SELinux is not enabled' -p "$pj" "$TAG"
  jq -n '{args: ["echo", "RAN"], cwd: "/", env: ["PATH=/bin"], apparmorProfile: "hydra-test-profile"}' >"$pj"
  exec_refused 'process\.apparmorProfile .*AppArmor is not enabled' -p "$pj" "$TAG"
  jq -n '{args: ["echo", "RAN"], cwd: "/", env: ["PATH=/bin"]}' >"$pj"
  run hr exec -p "$pj" "$TAG"
  [ "$status" -eq 0 ] && assert_eq "$output" RAN
}
