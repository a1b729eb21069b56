#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# VM lane, systemd as PID 1: checkpoint and restore of a container whose
# cgroup is a systemd scope (--systemd-cgroup; the default cgroupsPath
# ":<prefix>:<id>" is /system.slice/<prefix>-<id>.scope).  CRIU as in
# checkpoint-v2.bats (vm-criu.bash).

load vm-helpers
load vm-criu

setup_file() {
  [ "${HYDRA_VM_LANE:-}" = 1 ] || return 0
  hr_setup_file
}

setup() {
  requires_vm_lane
  requires_root
  requires_systemd_pid1
  hr_setup
  if is_runc; then PREFIX=runc; else PREFIX=hydra-runc; fi
  UNIT="$PREFIX-$TAG.scope"
  # shellcheck disable=SC2034 # (vm-criu.bash's runtime calls use it)
  CR_GLOBAL=(--systemd-cgroup)
}

teardown() {
  hr_teardown
}

# wait_unit_gone UNIT: systemd forgets the scope once its cgroup is empty
# and the runtime stopped it (bounded).
wait_unit_gone() {
  local i
  for ((i = 0; i < 100; i++)); do
    [ -z "$(units_named "$1")" ] && return 0
    sleep 0.1
  done
  fail "unit $1 still loaded: $(systemctl list-units --all --no-legend --plain "$1")"
}

@test "systemd driver: checkpoint and restore, twice: the restored init is in the active scope with its memory" {
  cr_setup
  cr_run "$TAG"
  local pid s tok n round cg=/sys/fs/cgroup/system.slice/$UNIT
  pid=$(cr_running_init "$TAG")
  cr_assert_in_cgroup "$pid" "$cg"
  systemctl is-active -q "$UNIT" || fail "$UNIT is not active after run"
  s=$(cr_state)
  tok=${s% *}
  for round in 1 2; do
    s=$(cr_state)
    n=${s#* }
    # (while it is away systemd forgets its scope)
    cr_cycle "$TAG" "$D/img$round" "$cg" wait_unit_gone "$UNIT"
    pid=$CR_PID
    # systemd has the scope again, with the restored init in it.
    systemctl is-active -q "$UNIT" || fail "$UNIT is not active after restore $round"
    assert_eq "$(systemctl show -p ControlGroup --value "$UNIT")" "/system.slice/$UNIT" "ControlGroup of $UNIT"
    cr_wait_past "$tok" "$n"
  done
  hr delete --force "$TAG"
  wait_for_pid_gone "$pid"
  wait_unit_gone "$UNIT"
  [ ! -e "$cg" ] || fail "$cg left after delete"
  assert_no_state_dirs
}
