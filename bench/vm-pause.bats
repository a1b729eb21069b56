#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Not a test (nothing is asserted about time): `make bench-vm` runs this in
# the VM lane's guest (pure cgroup v2, tests/vm/run-vm-lane) to measure
# pause+resume for hydra-runc, runc and crun side by side, interleaved, 25
# rounds, and prints the medians.  Under TCG emulation every command is
# slow; compare the runtimes with each other, not with the host.
load ../tests/vm/vm-helpers
setup() { requires_vm_lane; requires_root; hr_setup; }
teardown() {
  for rt in runc crun; do
    for id in $($rt --root "$ROOT-$rt" list -q 2>/dev/null); do $rt --root "$ROOT-$rt" delete -f "$id"; done
  done
  hr_teardown
}
@test "pause+resume on cgroup v2: hydra-runc, runc, crun" {
  cfg_args sleep 1000
  cfg '.ociVersion = "1.0.2-dev"'
  hr run -d --bundle "$BUNDLE" "$TAG-h" </dev/null >/dev/null 2>&1
  runc --root "$ROOT-runc" run -d --bundle "$BUNDLE" "$TAG-r" </dev/null >/dev/null 2>&1
  crun --root "$ROOT-crun" run -d --bundle "$BUNDLE" "$TAG-c" </dev/null >/dev/null 2>&1
  T=$BATS_TEST_DIRNAME/timeit
  [ -x "$T" ] || skip "build bench/timeit first (make bench/timeit)"
  printf '%s --root %s pause %s\n%s --root %s resume %s\n' "$HYDRA_RUNC" "$ROOT" "$TAG-h" "$HYDRA_RUNC" "$ROOT" "$TAG-h" > "$BATS_TEST_TMPDIR/h"
  printf '%s --root %s pause %s\n%s --root %s resume %s\n' "$(command -v runc)" "$ROOT-runc" "$TAG-r" "$(command -v runc)" "$ROOT-runc" "$TAG-r" > "$BATS_TEST_TMPDIR/r"
  printf '%s --root %s pause %s\n%s --root %s resume %s\n' "$(command -v crun)" "$ROOT-crun" "$TAG-c" "$(command -v crun)" "$ROOT-crun" "$TAG-c" > "$BATS_TEST_TMPDIR/c"
  for i in $(seq 1 25); do
    for k in h r c; do echo "$k $($T -f "$BATS_TEST_TMPDIR/$k")" >> "$BATS_TEST_TMPDIR/out"; done
  done
  local k name
  for k in h r c; do
    case $k in h) name=hydra-runc ;; r) name=runc ;; c) name=crun ;; esac
    echo "# pause+resume, $name: $(awk -v k=$k '$1==k && $2=="ok" {print $3}' "$BATS_TEST_TMPDIR/out" | sort -n |
      awk '{a[NR]=$1} END {printf "n=%d min=%s median=%s max=%s ms", NR, a[1], a[int((NR+1)/2)], a[NR]}'); failed: $(awk -v k=$k '$1==k && $2!="ok"' "$BATS_TEST_TMPDIR/out" | wc -l)" >&3
  done
}
