#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# VM lane: the device cgroup on pure cgroup v2 is an eBPF program
# (BPF_PROG_TYPE_CGROUP_DEVICE) generated from the rules: deny by default,
# runc's default devices, explicit allows, and replacement of the program.

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

# The process may mknod (runc's defaults allow "m" on every device); it
# opens c 1:11 (/dev/kmsg) write-only, which checks nothing but the device
# cgroup, and writes nothing.
cfg_mknod_caps() {
  cfg '.process.capabilities.bounding += ["CAP_MKNOD"]
     | .process.capabilities.effective += ["CAP_MKNOD"]
     | .process.capabilities.permitted += ["CAP_MKNOD"]'
}
PROBE='busybox mknod /dev/x c 1 11 || exit 10
       true > /dev/null || exit 11
       if true > /dev/x; then echo OPEN-OK; fi'

@test "devices (eBPF): deny by default: mknod works, open gives EPERM, /dev/null works" {
  cfg_mknod_caps
  cfg_sh "$PROBE"
  run hr run --bundle "$BUNDLE" "$TAG" </dev/null
  [ "$status" -eq 0 ] || fail "run exited $status: $output"
  assert_match "$output" "Operation not permitted"
  [[ $output != *OPEN-OK* ]] || fail "c 1:11 opened: $output"
}

@test "devices (eBPF): an explicitly allowed device can be opened" {
  cfg '.linux.resources.devices += [{"allow": true, "type": "c", "major": 1, "minor": 11, "access": "w"}]'
  cfg_mknod_caps
  cfg_sh "$PROBE"
  run hr run --bundle "$BUNDLE" "$TAG" </dev/null
  [ "$status" -eq 0 ] || fail "run exited $status: $output"
  assert_match "$output" "OPEN-OK"
}

@test "devices (eBPF): a later rule overrides an earlier one; allow all" {
  cfg '.linux.resources.devices += [{"allow": true, "type": "c", "major": 1, "minor": 11, "access": "rw"},
                                    {"allow": false, "type": "c", "major": 1, "minor": 11, "access": "w"}]'
  cfg_mknod_caps
  cfg_sh "$PROBE"
  run hr run --bundle "$BUNDLE" "$TAG" </dev/null
  [ "$status" -eq 0 ] || fail "run exited $status: $output"
  [[ $output != *OPEN-OK* ]] || fail "c 1:11 opened for writing after deny w: $output"

  cfg '.linux.resources.devices = [{"allow": true, "access": "rwm"}]'
  run hr run --bundle "$BUNDLE" "${TAG}b" </dev/null
  [ "$status" -eq 0 ] || fail "run exited $status: $output"
  assert_match "$output" "OPEN-OK"
}

@test "devices (eBPF): new rules on the cgroup replace the program of a running container" {
  # Two containers in one cgroup (same cgroupsPath): the second create
  # attaches its program and detaches the first one's, so the first
  # container, still running, gets the new rules.
  requires_hydra "relies on a second container joining an existing cgroup"
  local cgp="/hydra-devtest-$TAG"
  cfg '.linux.cgroupsPath = $p' --arg p "$cgp"
  cfg_mknod_caps
  cfg_args sleep 1000
  create_container "$TAG"
  hr start "$TAG"
  run hr exec "$TAG" sh -c "$PROBE"
  [[ $output != *OPEN-OK* ]] || fail "before: c 1:11 opened: $output"
  assert_match "$output" "Operation not permitted"

  cfg '.linux.resources.devices += [{"allow": true, "type": "c", "major": 1, "minor": 11, "access": "w"}]'
  create_container "${TAG}b"
  run hr exec "$TAG" sh -c 'if true > /dev/x; then echo OPEN-OK; fi'
  assert_match "$output" "OPEN-OK"
  hr delete --force "${TAG}b"
  hr delete --force "$TAG"
  rmdir "$HR_CGROUP2$cgp" 2>/dev/null || true
}
