#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# CVE-2023-25809 class: the container's /sys/fs/cgroup must not be writable
# when the config mounts it read-only (runc mounted it writable for
# rootless containers without a cgroup namespace), and the container must
# not reach the host's cgroup tree through it.

load ../integration/helpers
load canary

setup_file() { hr_setup_file; }
setup() {
  hr_setup
  canary_setup
}
teardown() {
  hr_teardown
  # a parent cgroup a test placed its container under (empty by now)
  [ -z "${HR_ESC_PARENT:-}" ] || rmdir /sys/fs/cgroup/*/"$HR_ESC_PARENT" 2>/dev/null || true
}

@test "CVE-2023-25809: /sys/fs/cgroup is read-only inside, with and without a cgroup namespace" {
  requires_root
  local ns
  for ns in with without; do
    if [ "$ns" = with ]; then cfg_add_ns cgroup; else cfg_del_ns cgroup; fi
    cfg_sh 'for d in /sys/fs/cgroup /sys/fs/cgroup/pids /sys/fs/cgroup/unified; do
              [ -d "$d" ] || continue
              if mkdir "$d/escape" 2>/dev/null; then echo "WRITABLE $d"; fi
            done
            echo 1 > /sys/fs/cgroup/pids/pids.max 2>/dev/null && echo "WROTE pids.max"
            echo done'
    run hr run --bundle "$BUNDLE" "$TAG-$ns"
    [ "$status" -eq 0 ] || fail "run ($ns cgroupns): $output"
    [[ $output == *done* ]] || fail "script did not finish: $output"
    [[ $output != *WRITABLE* && $output != *WROTE* ]] || fail "cgroupfs writable inside ($ns cgroupns): $output"
  done
  # nothing appeared on the host
  ! find /sys/fs/cgroup -maxdepth 4 -name escape 2>/dev/null | grep -q . || fail "a cgroup was created on the host"
  assert_host_untouched
}

@test "CVE-2023-25809: with a cgroup namespace the container sees only its own cgroup" {
  requires_root
  cfg_add_ns cgroup
  cfg_sh 'cat /proc/self/cgroup | grep -v ":/$" || echo ALL-ROOT'
  run hr run --bundle "$BUNDLE" "$TAG"
  [ "$status" -eq 0 ] || fail "run: $output"
  assert_match "$output" "ALL-ROOT"
  assert_host_untouched
}

# The config's cgroup mount without a cgroup namespace, read-write: the
# worst case for what the container can reach through it.
cfg_cgroup_rw_no_ns() {
  cfg_del_ns cgroup
  cfg_cgroup_mount_options nosuid noexec nodev relatime rw
}

@test "cgroup mount: every hierarchy is the container's own cgroup (ro, rw; with and without a cgroup namespace)" {
  requires_root
  local ns mode i=0
  for ns in without with; do
    for mode in ro rw; do
      i=$((i + 1))
      if [ "$ns" = with ]; then cfg_add_ns cgroup; else cfg_del_ns cgroup; fi
      cfg_cgroup_mount_options nosuid noexec nodev relatime "$mode"
      cfg_args sleep 1000
      create_container "$TAG-$i"
      assert_cgroup_mounts_own "$(state_field "$TAG-$i" pid)" "$TAG-$i" "$mode" || fail "($ns cgroupns, $mode)"
      hr delete --force "$TAG-$i"
    done
  done
  assert_host_untouched
}

@test "cgroup mount: read-only when the options say neither ro nor rw" {
  requires_root
  requires_hydra "runc 1.1 mounts it writable without ro"
  cfg_del_ns cgroup
  cfg_cgroup_mount_options nosuid noexec nodev
  cfg_args sleep 1000
  create_container "$TAG"
  assert_cgroup_mounts_own "$(state_field "$TAG" pid)" "$TAG" ro
  assert_eq "$(awk '$5 == "/sys/fs/cgroup" { print substr($6, 1, 2) }' "/proc/$(state_field "$TAG" pid)/mountinfo")" \
    ro "the tmpfs at /sys/fs/cgroup"
  assert_host_untouched
}

@test "cgroup mount: siblings' cgroups and the host's release_agent are out of reach, even mounted rw" {
  requires_root
  # A sibling container, and where its pids cgroup is on the host (the
  # same path inside if the container were given the host's hierarchy).
  cfg_args sleep 1000
  create_container "$TAG-sib"
  local sib
  sib=$(container_cgroup_dirs "$(state_field "$TAG-sib" pid)" | grep '^/sys/fs/cgroup/pids/')
  [ -f "$sib/pids.max" ] || fail "no pids cgroup for the sibling: $sib"
  local before
  before=$(cat "$sib/pids.max")
  local ns
  for ns in without with; do
    cfg_cgroup_rw_no_ns
    [ "$ns" = with ] && cfg_add_ns cgroup
    cfg_sh "for f in /sys/fs/cgroup/*/release_agent /sys/fs/cgroup/*/*/release_agent; do
              [ -e \"\$f\" ] && echo \"RELEASE-AGENT \$f\"
            done
            ls -R /sys/fs/cgroup 2>/dev/null | grep -q -- '$TAG-sib' && echo SIBLING-VISIBLE
            echo 7 > '$sib/pids.max' 2>/dev/null && echo WROTE-SIBLING
            echo done"
    run hr run --bundle "$BUNDLE" "$TAG-$ns"
    [ "$status" -eq 0 ] || fail "run ($ns cgroupns): $output"
    [[ $output == *done* ]] || fail "script did not finish ($ns cgroupns): $output"
    [[ $output != *RELEASE-AGENT* ]] || fail "release_agent reachable ($ns cgroupns): $output"
    [[ $output != *SIBLING* ]] || fail "sibling cgroup reachable ($ns cgroupns): $output"
  done
  assert_eq "$(cat "$sib/pids.max")" "$before" "the sibling's pids.max"
  assert_host_untouched
}

@test "cgroup mount: a process cannot move itself into another devices cgroup to open a denied device" {
  requires_root
  [ -f /sys/fs/cgroup/devices/devices.list ] || skip "no v1 devices hierarchy on this host"
  cfg_cgroup_rw_no_ns
  cfg '.process.capabilities.bounding += ["CAP_MKNOD"]
     | .process.capabilities.effective += ["CAP_MKNOD"]
     | .process.capabilities.permitted += ["CAP_MKNOD"]'
  # The container's parent is a devices cgroup this test owns, which
  # allows every device (a child of the hierarchy's root): the container
  # sits in hr-esc-TAG/ctr with the config's device rules.  Were the mount
  # the host's hierarchy, the parent's cgroup.procs would be at this path
  # inside, and a process could move itself there.
  HR_ESC_PARENT="hr-esc-$TAG"
  cfg '.linux.cgroupsPath = $p' --arg p "/$HR_ESC_PARENT/ctr"
  local parent="/sys/fs/cgroup/devices/$HR_ESC_PARENT"
  # c 1:11 (/dev/kmsg) opened write-only: the device cgroup alone decides,
  # nothing is written.
  cfg_sh "busybox mknod /dev/x c 1 11 || exit 10
          [ -e '$parent/cgroup.procs' ] && echo \$\$ > '$parent/cgroup.procs' 2>/dev/null && echo MOVED
          grep ':devices:' /proc/self/cgroup
          if true > /dev/x; then echo OPEN-OK; fi
          echo done"
  run hr run --bundle "$BUNDLE" "$TAG"
  [ "$status" -eq 0 ] || fail "run: $output"
  [[ $output == *done* ]] || fail "script did not finish: $output"
  [[ $output != *MOVED* && $output != *OPEN-OK* ]] || fail "moved to another devices cgroup, or opened c 1:11: $output"
  assert_match "$output" ":devices:/$HR_ESC_PARENT/ctr"$'\n' "the devices cgroup after the attempts"
  assert_host_untouched
}
