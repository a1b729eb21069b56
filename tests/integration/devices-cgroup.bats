#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The device cgroup on this host (v1 devices controller): the config's
# rules plus runc's default allowed devices, later rules winning.  cgroup v2
# (eBPF) is covered by tests/vm/devices-ebpf.bats.

load helpers

setup_file() { hr_setup_file; }
setup() { hr_setup; }
teardown() { hr_teardown; }

requires_cgroup_v1_devices() {
  [ -f /sys/fs/cgroup/devices/devices.list ] || skip "no v1 devices hierarchy on this host"
}

devices_list() {
  local pid
  pid=$(state_field "$1" pid)
  cat "/sys/fs/cgroup/devices$(awk -F: '$2 == "devices" { print $3 }' "/proc/$pid/cgroup")/devices.list"
}

# The process may mknod (runc's defaults allow "m" on every device) and
# opens c 1:11 (/dev/kmsg) write-only: that open checks nothing but the
# device cgroup, and nothing is written.
cfg_mknod_probe() {
  cfg '.process.capabilities.bounding += ["CAP_MKNOD"]
     | .process.capabilities.effective += ["CAP_MKNOD"]
     | .process.capabilities.permitted += ["CAP_MKNOD"]'
  cfg_sh 'busybox mknod /dev/x c 1 11 || exit 10
          true > /dev/null || exit 11
          if true > /dev/x; then echo OPEN-OK; fi'
}

@test "devices: runc's default allowlist, exactly (deny all + defaults)" {
  requires_root
  requires_cgroup_v1_devices
  cfg_args sleep 1000
  create_container "$TAG"
  run devices_list "$TAG"
  local want
  want=$(printf '%s\n' 'b *:* m' 'c *:* m' 'c 1:3 rwm' 'c 1:5 rwm' 'c 1:7 rwm' 'c 1:8 rwm' 'c 1:9 rwm' \
    'c 10:200 rwm' 'c 136:* rwm' 'c 5:0 rwm' 'c 5:2 rwm' | sort)
  assert_eq "$(sort <<<"$output")" "$want" "devices.list"
}

@test "devices: a config without linux.resources still gets deny-all plus the defaults" {
  requires_root
  requires_cgroup_v1_devices
  cfg 'del(.linux.resources)'
  cfg_args sleep 1000
  create_container "$TAG"
  run devices_list "$TAG"
  [[ $output != *"a *:* rwm"* ]] || fail "allow-all device cgroup: $output"
  assert_match "$output" "c 1:3 rwm"
}

@test "devices: a device outside the allowlist cannot be opened (EPERM), /dev/null can" {
  requires_root
  requires_cgroup_v1_devices
  cfg_mknod_probe
  run hr run --bundle "$BUNDLE" "$TAG" </dev/null
  [ "$status" -eq 0 ] || fail "run exited $status: $output"
  assert_match "$output" "Operation not permitted"
  [[ $output != *OPEN-OK* ]] || fail "c 1:11 opened: $output"
}

@test "devices: an explicitly allowed device can be opened" {
  requires_root
  requires_cgroup_v1_devices
  cfg '.linux.resources.devices += [{"allow": true, "type": "c", "major": 1, "minor": 11, "access": "w"}]'
  cfg_mknod_probe
  run hr run --bundle "$BUNDLE" "$TAG" </dev/null
  [ "$status" -eq 0 ] || fail "run exited $status: $output"
  assert_match "$output" "OPEN-OK"
}

@test "devices: a later rule overrides an earlier one" {
  requires_root
  requires_cgroup_v1_devices
  cfg '.linux.resources.devices += [{"allow": true, "type": "c", "major": 1, "minor": 11, "access": "rw"},
                                    {"allow": false, "type": "c", "major": 1, "minor": 11, "access": "w"}]'
  cfg_mknod_probe
  run hr run --bundle "$BUNDLE" "$TAG" </dev/null
  [ "$status" -eq 0 ] || fail "run exited $status: $output"
  [[ $output != *OPEN-OK* ]] || fail "c 1:11 opened for writing after deny w: $output"
}

@test "devices: allow all" {
  requires_root
  requires_cgroup_v1_devices
  cfg '.linux.resources.devices = [{"allow": true, "access": "rwm"}]'
  cfg_args sleep 1000
  create_container "$TAG"
  assert_eq "$(devices_list "$TAG")" "a *:* rwm" "devices.list"
}

@test "devices: a hole in a wildcard rule is refused, not silently ignored" {
  requires_root
  requires_cgroup_v1_devices
  cfg '.linux.resources.devices += [{"allow": true, "type": "c", "major": 1, "access": "rw"},
                                    {"allow": false, "type": "c", "major": 1, "minor": 11, "access": "w"}]'
  cfg_args true
  run hr run --bundle "$BUNDLE" "$TAG" </dev/null
  [ "$status" -ne 0 ] || fail "run succeeded: $output"
  assert_match "$output" "wildcard"
}

@test "devices: an access with other letters keeps its r, w, m (runc: \"rwa\" is rw)" {
  requires_root
  requires_cgroup_v1_devices
  # runc's own update.bats denies "rwa"; runc keeps r, w, m and ignores
  # the rest.
  cfg '.linux.resources.devices += [{"allow": true, "type": "c", "major": 1, "minor": 11, "access": "rwa"},
                                    {"allow": true, "type": "c", "major": 1, "minor": 12, "access": "rwm"},
                                    {"allow": false, "type": "c", "major": 1, "minor": 12, "access": "wa"}]'
  cfg_args sleep 1000
  create_container "$TAG"
  run devices_list "$TAG"
  assert_match "$output" "(^|"$'\n'")c 1:11 rw("$'\n'"|$)" "c 1:11 allowed rwa"
  assert_match "$output" "(^|"$'\n'")c 1:12 rm("$'\n'"|$)" "c 1:12 after allow rwm, deny wa"
}

@test "devices: an access with none of r, w, m is refused and leaves nothing" {
  requires_root
  requires_hydra "runc fails it later, with another message"
  cfg '.linux.resources.devices += [{"allow": true, "type": "c", "major": 1, "minor": 11, "access": "a"}]'
  run --separate-stderr hr_leakcheck create --bundle "$BUNDLE" "$TAG"
  assert_clean_failure 'linux\.resources\.devices\[1\]\.access: invalid device access "a"'
  assert_no_cgroup "$TAG"
}
