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
teardown() { hr_teardown; }

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
