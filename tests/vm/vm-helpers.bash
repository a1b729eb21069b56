# SPDX-License-Identifier: Apache-2.0
# Helpers for the VM-lane suites (tests/vm/*.bats).  Load with
# `load vm-helpers`: it loads tests/integration/helpers.bash (ROOT, BUNDLE,
# cfg*, hr, create_container, assertions...) and adds what only makes sense
# inside the lane's guest.

HR_VM_HELPERS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
load "$HR_VM_HELPERS_DIR/../integration/helpers"

# Skip unless running inside the VM lane's guest (run-vm-lane sets
# HYDRA_VM_LANE=1 there): these suites check a pure cgroup v2 kernel and
# may change the machine they run on.
requires_vm_lane() {
  if [ "${HYDRA_VM_LANE:-}" != 1 ]; then
    skip "VM-lane suite: run it with 'make check-vm' (tests/vm/run-vm-lane)"
  fi
}

# The unified hierarchy's mount point in the guest.
HR_CGROUP2=/sys/fs/cgroup

# cgroup2_dir_of PID: the cgroup2 directory PID is in.
cgroup2_dir_of() {
  local path
  path=$(awk -F: '$1 == "0" && $2 == "" { print $3 }' "/proc/$1/cgroup")
  [ -n "$path" ] || return 1
  echo "$HR_CGROUP2${path%/}"
}

# Skip unless the runtime claims cgroup v2 support (`features`:
# .linux.cgroup.v2); once it does, the test must pass.
requires_cgroup2_support() {
  local v2
  v2=$("$HYDRA_RUNC" features 2>/dev/null | jq -r '.linux.cgroup.v2 // false') || v2=false
  if [ "$v2" != true ]; then
    skip "the runtime does not claim cgroup v2 support (features: .linux.cgroup.v2 = $v2)"
  fi
}

# Skip unless systemd is PID 1 (run-vm-lane boots it for systemd-*.bats).
requires_systemd_pid1() {
  local pid1
  pid1=$(cat /proc/1/comm)
  if [ "$pid1" != systemd ] || ! [ -d /run/systemd/system ]; then
    skip "needs systemd as PID 1 (PID 1 is $pid1): run-vm-lane boots it for tests/vm/systemd-*.bats"
  fi
}

# Units named $1 systemd still has loaded (any state).
units_named() { systemctl list-units --all --no-legend --plain "$1" 2>/dev/null | awk '{ print $1 }'; }
