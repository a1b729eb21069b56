#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# VM lane, systemd as PID 1 (run-vm-lane boots systemd for this suite as
# for systemd-*.bats): rootless containers on a pure cgroup v2 host with
# cgroup delegation done by systemd itself.  A fresh user
# (tests/rootless-helpers.bash) gets lingering (`loginctl enable-linger`),
# so logind starts user@UID.service, whose cgroup systemd delegates to the
# user (Debian's unit: Delegate=pids memory cpu).  The runtime runs as the
# user in a transient scope of the user's manager (`systemd-run --user
# --scope`, over the user's bus), i.e. inside that delegated subtree.
#
# Checked from the host: the container's cgroup is inside
# user@UID.service and owned by the user, pause/resume through
# cgroup.freeze (cgroup.events "frozen"), delete removes the cgroup, and a
# memory limit lands in memory.max when the memory controller is
# delegated.

load vm-helpers
load ../rootless-helpers

# (the rootfs template only in the lane's guest)
setup_file() { [ "${HYDRA_VM_LANE:-}" != 1 ] || hr_setup_file; }

setup() {
  requires_vm_lane
  requires_root
  requires_systemd_pid1
  rl_requires
  rl_user_create
  TAG="rl$$x${BATS_TEST_NUMBER}"
  ROOT=""
  loginctl enable-linger "$RL_USER" || fail "loginctl enable-linger $RL_USER failed" || return 1
  USER_CG=""
  for ((i = 0; i < 1200; i++)); do
    if [ "$(systemctl is-active "user@$RL_UID.service" 2>/dev/null)" = active ] && [ -S "$RL_XDG/bus" ]; then
      USER_CG=$HR_CGROUP2$(systemctl show -P ControlGroup "user@$RL_UID.service")
      break
    fi
    sleep 0.1
  done
  [ -n "$USER_CG" ] && [ -d "$USER_CG" ] ||
    fail "user@$RL_UID.service not active with a bus after 120 s: $(systemctl status "user@$RL_UID.service" 2>&1 | tail -n 5)" || return 1
  rl_bundle
}

teardown() {
  rl_delete_all
  if [ -n "${RL_USER:-}" ]; then
    loginctl disable-linger "$RL_USER" 2>/dev/null || true
    loginctl terminate-user "$RL_USER" 2>/dev/null || true
    systemctl stop "user@$RL_UID.service" "user-runtime-dir@$RL_UID.service" 2>/dev/null || true
  fi
  rl_user_remove
}

# rlr ARGS...: the runtime as the user, in a transient scope of the user's
# systemd (inside the subtree systemd delegated to the user).
rlr() {
  RL_ENV="DBUS_SESSION_BUS_ADDRESS=unix:path=$RL_XDG/bus" \
    rl_as_user systemd-run --user --scope --quiet --collect -p Delegate=yes -- \
    timeout --kill-after=5 "$HR_TIMEOUT" "$HYDRA_RUNC" "$@"
}

# check_lifecycle ID: start, exec, pause/resume (cgroup.freeze), delete
# of a created counting container whose cgroup is $CG.
check_lifecycle() {
  local id=$1 a i
  run -0 rlr start "$id"
  assert_eq "$(rl_status "$id")" running
  run -0 rlr exec "$id" sh -c 'echo "$(id -u) $(cat /proc/self/uid_map | tr -s " ")"'
  assert_eq "$output" "0  0 $RL_UID 1" "exec: uid and uid_map"
  for ((i = 0; i < 100; i++)); do [ "$(rl_count_of "$PID")" != none ] && break; sleep 0.1; done
  run -0 rlr pause "$id"
  assert_eq "$(rl_status "$id")" paused
  assert_eq "$(cat "$CG/cgroup.freeze")" 1 "$CG/cgroup.freeze"
  for ((i = 0; i < 100; i++)); do grep -qx 'frozen 1' "$CG/cgroup.events" && break; sleep 0.05; done
  run -0 grep -x 'frozen 1' "$CG/cgroup.events"
  a=$(rl_count_of "$PID")
  sleep 1
  assert_eq "$(rl_count_of "$PID")" "$a" "counter while paused"
  run -0 rlr resume "$id"
  assert_eq "$(rl_status "$id")" running
  assert_eq "$(cat "$CG/cgroup.freeze")" 0 "$CG/cgroup.freeze after resume"
  for ((i = 0; i < 100; i++)); do [ "$(rl_count_of "$PID")" != "$a" ] && break; sleep 0.05; done
  [ "$(rl_count_of "$PID")" != "$a" ] || fail "counter still $a after resume"
  run -0 rlr delete --force "$id"
  wait_for_pid_gone "$PID"
  [ ! -d "$CG" ] || fail "cgroup $CG left after delete"
}

@test "rootless v2: default cgroup inside the user's delegated subtree, pause/resume, delete" {
  rl_cfg_counter
  rl_create "$TAG"
  CG=$(cgroup2_dir_of "$PID")
  [[ $CG == "$USER_CG"/* ]] || fail "the container's cgroup $CG is not inside $USER_CG" || return 1
  assert_eq "$(stat -c %u "$CG")" "$RL_UID" "owner of $CG"
  assert_eq "$(awk '{ $1 = $1; print }' "/proc/$PID/uid_map")" "0 $RL_UID 1" "uid_map"
  check_lifecycle "$TAG"
}

@test "rootless v2: cgroupsPath in the delegated subtree, memory.max applied" {
  grep -qw memory "$USER_CG/cgroup.controllers" ||
    skip "memory is not delegated to user@$RL_UID.service (controllers: $(cat "$USER_CG/cgroup.controllers"))"
  # The user's manager enables delegated controllers for its children
  # lazily: the user (owner of the delegated dir) enables memory itself.
  grep -qw memory "$USER_CG/cgroup.subtree_control" ||
    rl_as_user sh -c 'echo +memory >"$0/cgroup.subtree_control"' "$USER_CG" ||
    fail "cannot enable memory in $USER_CG as $RL_USER"
  CG=$USER_CG/hydra-$TAG
  rl_cfg_counter
  cfg '.linux.cgroupsPath = $p | .linux.resources = {"memory": {"limit": 67108864}}' \
    --arg p "${CG#"$HR_CGROUP2"}"
  rl_create "$TAG"
  assert_eq "$(cgroup2_dir_of "$PID")" "$CG" "the container's cgroup"
  assert_eq "$(stat -c %u "$CG")" "$RL_UID" "owner of $CG"
  assert_eq "$(cat "$CG/memory.max")" 67108864 "$CG/memory.max"
  check_lifecycle "$TAG"
}

# Podman rootless on cgroup v2 calls the runtime with --systemd-cgroup: the
# scope must come from the user's own manager (its session bus), in
# user.slice, as runc's rootless systemd manager does.
@test "rootless v2: --systemd-cgroup: a scope of the user's own manager in user.slice, memory.max, pause/resume, delete" {
  grep -qw memory "$USER_CG/cgroup.controllers" ||
    skip "memory is not delegated to user@$RL_UID.service (controllers: $(cat "$USER_CG/cgroup.controllers"))"
  local rc=0 unit="hydra-runc-$TAG.scope"
  rl_cfg_counter
  cfg '.linux.resources = {"memory": {"limit": 67108864}}'
  rlr --systemd-cgroup create --bundle "$BUNDLE" "$TAG" </dev/null >"$BATS_TEST_TMPDIR/c.out" 2>"$BATS_TEST_TMPDIR/c.err" || rc=$?
  [ "$rc" -eq 0 ] || fail "create --systemd-cgroup as $RL_USER failed ($rc): $(cat "$BATS_TEST_TMPDIR/c.err")" || return 1
  PID=$(rlr state "$TAG" | jq -r .pid)
  CG=$(cgroup2_dir_of "$PID")
  assert_eq "$CG" "$USER_CG/user.slice/$unit" "the container's cgroup: a scope of the user's manager"
  assert_eq "$(stat -c %u "$CG")" "$RL_UID" "owner of $CG"
  # the user's manager has the unit; the system's has none of that name
  assert_eq "$(RL_ENV="DBUS_SESSION_BUS_ADDRESS=unix:path=$RL_XDG/bus" rl_as_user systemctl --user is-active "$unit")" active "the unit in the user's manager"
  [ "$(systemctl is-active "$unit" 2>/dev/null)" != active ] || fail "$unit is a unit of the system manager"
  assert_eq "$(cat "$CG/memory.max")" 67108864 "$CG/memory.max"
  check_lifecycle "$TAG"
  [ "$(RL_ENV="DBUS_SESSION_BUS_ADDRESS=unix:path=$RL_XDG/bus" rl_as_user systemctl --user is-active "$unit")" != active ] ||
    fail "$unit still active after delete"
}
