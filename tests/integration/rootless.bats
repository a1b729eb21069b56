#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Rootless: the runtime run by an unprivileged user (a fresh one per test,
# tests/rootless-helpers.bash), on `spec --rootless` (a user namespace
# mapping only the caller's uid/gid) and a rootfs the user owns, with the
# default state root $XDG_RUNTIME_DIR/<runtime>.  Checked from the host:
# the init's uid_map and credentials, its namespaces, the state dir, the
# mounts of device nodes, the cgroups made (none without delegation; inside
# the delegated directory with it), newuidmap for wider mappings.
#
# The suite runs as root (to make the user) and skips, saying why, when not
# root or without newuidmap/newgidmap (Debian's uidmap).  It also runs
# against Debian's runc and crun (HYDRA_RUNC=$(command -v crun)), which
# skip the checks of hydra-runc's own messages.

load helpers
load ../rootless-helpers

setup_file() {
  [ "$(id -u)" -eq 0 ] || return 0
  hr_setup_file
}

setup() {
  requires_root
  rl_requires
  rl_user_create
  TAG="rl$$x${BATS_TEST_NUMBER}"
  ROOT=""   # (hr_teardown: nothing of root's)
  rl_bundle
  case $(rl_runtime_name) in
    hydra) RL_STATE=$RL_XDG/hydra-runc ;;
    *) RL_STATE=$RL_XDG/$(rl_runtime_name) ;;
  esac
}

teardown() {
  rl_delete_all
  [ -z "${ROOTS_ROOT:-}" ] || { ROOT=$ROOTS_ROOT hr_teardown; }
  rl_user_remove
}

# rl_runtime_name: hydra, runc or crun (what the binary under test is).
rl_runtime_name() {
  if is_runc; then
    echo runc
  elif "$HYDRA_RUNC" --version 2>/dev/null | head -n1 | grep -q '^crun version'; then
    echo crun
  else
    echo hydra
  fi
}

# Skip the checks of hydra-runc's own messages for another runtime.
requires_hydra_msg() {
  [ "$(rl_runtime_name)" = hydra ] || skip "hydra-runc's message, binary under test is $(rl_runtime_name): $1"
}

# rlr ARGS...: the runtime under test as the user, default state root.
rlr() {
  rl_as_user timeout --kill-after=5 "$HR_TIMEOUT" "$HYDRA_RUNC" "$@"
}

# One line of /proc/PID/uid_map (or gid_map) with its spacing squeezed.
idmap() {
  awk '{ $1 = $1; print }' "/proc/$1/$2"
}

# Field N (1 = real ... 4 = filesystem) of the Uid:/Gid: line of PID.
cred() {
  awk -v k="$2:" -v n="$3" '$1 == k { print $(n + 1) }' "/proc/$1/status"
}

# The cgroup directories of PID, one per hierarchy, as host paths.
cgroups_of() {
  local h c p
  while IFS=: read -r h c p; do
    if [ -z "$c" ]; then
      echo "$(rl_cgroup2_mount)$p"
    else
      echo "$(cgroup_mount "$c")$p"
    fi
  done <"/proc/$1/cgroup"
}

@test "rootless: create/start/state/exec/kill/delete, the kernel's view" {
  id=$TAG
  rl_create "$id"
  assert_eq "$(rl_status "$id")" created
  # One mapping: container root is the user, nothing else.
  assert_eq "$(idmap "$PID" uid_map)" "0 $RL_UID 1" "uid_map of the init"
  assert_eq "$(idmap "$PID" gid_map)" "0 $RL_GID 1" "gid_map of the init"
  for n in 1 2 3 4; do
    assert_eq "$(cred "$PID" Uid $n)" "$RL_UID" "Uid field $n"
    assert_eq "$(cred "$PID" Gid $n)" "$RL_GID" "Gid field $n"
  done
  [ "$(readlink "/proc/$PID/ns/user")" != "$(readlink /proc/1/ns/user)" ] || fail "init in the host's user namespace"
  [ "$(readlink "/proc/$PID/ns/mnt")" != "$(readlink /proc/1/ns/mnt)" ] || fail "init in the host's mount namespace"
  # State: the user's XDG_RUNTIME_DIR, owned by the user.
  [ -d "$RL_STATE/$id" ] || fail "no state dir $RL_STATE/$id; under $RL_XDG: $(find "$RL_XDG" -maxdepth 2)"
  assert_eq "$(stat -c %u "$RL_STATE/$id")" "$RL_UID" "owner of the state dir"
  assert_eq "$(stat -c %u "$RL_STATE")" "$RL_UID" "owner of the state root"
  run -0 rlr start "$id"
  assert_eq "$(rl_status "$id")" running
  assert_eq "$(tr '\0' ' ' <"/proc/$PID/cmdline")" "sleep 1000 " "init's command"
  run -0 rlr exec "$id" sh -c 'echo "$(id -u) $(id -g) $$"; cat /proc/self/uid_map'
  assert_eq "${lines[0]%% *}" 0 "uid inside"
  assert_match "${lines[1]}" "^ +0 +$RL_UID +1$" "uid_map seen inside"
  run -0 rlr kill "$id" KILL
  wait_for_pid_gone "$PID"
  for ((i = 0; i < 100; i++)); do
    [ "$(rl_status "$id")" = stopped ] && break
    sleep 0.05
  done
  assert_eq "$(rl_status "$id")" stopped
  run -0 rlr delete "$id"
  [ ! -e "$RL_STATE/$id" ] || fail "state dir $RL_STATE/$id left after delete"
  run -0 rlr list -q
  assert_eq "$output" ""
}

@test "rootless: run passes output and exit code" {
  cfg_sh 'echo "uid=$(id -u) host=$(cat /.hydra-test-rootfs)"; exit 3'
  run -3 rlr run --bundle "$BUNDLE" "$TAG" </dev/null
  assert_match "$output" "uid=0 host=hydra-test-rootfs"
  run -0 rlr list -q
  assert_eq "$output" ""
  [ -z "$(rl_pids)" ] || fail "processes left: $(rl_pids)"
}

@test "rootless: list shows only the user's own containers" {
  rl_create "$TAG-a"
  rl_create "$TAG-b"
  # A container of root's at the same time, with root's own state root.
  ROOTS_ROOT=$BATS_TEST_TMPDIR/root-state
  ROOT=$ROOTS_ROOT
  BUNDLE=$BATS_TEST_TMPDIR/rootbundle
  mkdir -p "$BUNDLE" && cp -a "$HR_ROOTFS_TEMPLATE" "$BUNDLE/rootfs"
  (cd "$BUNDLE" && "$HYDRA_RUNC" spec)
  cfg '.process.terminal = false | .process.args = ["sleep", "1000"] | .root.path = "rootfs"'
  create_container "$TAG-root"
  run -0 rlr list -q
  assert_eq "$(sort <<<"$output" | tr '\n' ' ')" "$TAG-a $TAG-b " "the user's list"
  run -0 rlr list --format json
  assert_eq "$(jq -r '.[].id' <<<"$output" | sort | tr '\n' ' ')" "$TAG-a $TAG-b " "the user's list (json)"
  # The user's state root is its own, not root's.
  run ! rl_as_user "$HYDRA_RUNC" --root "$ROOTS_ROOT" state "$TAG-root"
}

@test "rootless: a network namespace has loopback only, up" {
  cfg_add_ns network
  cfg_sh 'busybox ip -o link show | cut -d: -f2 | tr -d " " | tr "\n" " "; echo; busybox ip link show lo; tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "'
  # (stdout only: hydra-runc's warning about cgroups goes to stderr)
  run --separate-stderr rlr run --bundle "$BUNDLE" "$TAG" </dev/null
  [ "$status" -eq 0 ] || fail "run failed ($status): $stderr" || return 1
  assert_eq "${lines[0]}" "lo " "links inside"
  assert_match "${lines[1]}" "<LOOPBACK,UP" "lo is up"
  assert_eq "${lines[3]}" lo "/proc/net/dev inside"
  [ "${#lines[@]}" -eq 4 ] || fail "more than lo in /proc/net/dev: $output"
  # (and a namespace of its own, not the host's)
  cfg '.process.args = ["sleep", "1000"]'
  rl_create "$TAG-n"
  [ "$(readlink "/proc/$PID/ns/net")" != "$(readlink /proc/1/ns/net)" ] || fail "container in the host's network namespace"
}

@test "rootless: device nodes are bind mounts of the host's" {
  rl_create "$TAG"
  mi=$(cat "/proc/$PID/mountinfo")
  for d in null zero full random urandom tty; do
    line=$(awk -v mp="/dev/$d" '$5 == mp' <<<"$mi" | tail -n1)
    [ -n "$line" ] || fail "no mount at /dev/$d in the container: $(grep ' /dev' <<<"$mi")" || return 1
    # A bind mount: its root is the host's node (/null of devtmpfs, or
    # /dev/null of the host's root filesystem).
    root=$(awk '{ print $4 }' <<<"$line")
    assert_match "$root" "^(/dev)?/$d\$" "root of the mount at /dev/$d"
    host=$(stat -c '%t:%T' "/dev/$d")
    assert_eq "$(stat -c '%t:%T' "/proc/$PID/root/dev/$d")" "$host" "device number of /dev/$d"
  done
  run -0 rlr start "$TAG"
  run -0 --separate-stderr rlr exec "$TAG" sh -c 'echo x >/dev/null && head -c 4 /dev/zero | wc -c'
  assert_eq "$output" 4
}

@test "rootless: without delegation no cgroup is made, with a warning" {
  rl_create "$TAG"
  assert_no_cgroup "$TAG"
  # The init is still in the cgroups the user started the runtime in.
  mine=$(rl_as_user cat /proc/self/cgroup | sort)
  assert_eq "$(sort "/proc/$PID/cgroup")" "$mine" "the init's cgroups"
  run -0 rlr start "$TAG"
  run -0 rlr delete --force "$TAG"
  assert_no_cgroup "$TAG"
  requires_hydra_msg "the warning"
  grep -qi 'cgroup' "$BATS_TEST_TMPDIR/$TAG.err" || fail "no cgroup warning on create's stderr: $(cat "$BATS_TEST_TMPDIR/$TAG.err")"
  grep -qi 'warn' "$BATS_TEST_TMPDIR/$TAG.err" || fail "not a warning: $(cat "$BATS_TEST_TMPDIR/$TAG.err")"
}

@test "rootless: delegated cgroups: the container's cgroup is inside, pause/resume, delete removes it" {
  rl_delegate freezer
  rl_cfg_counter
  rl_create "$TAG"
  run -0 rlr start "$TAG"
  cg2=$RL_CG2_DIR
  mapfile -t cgs < <(cgroups_of "$PID")
  inside=()
  for c in "${cgs[@]}"; do
    if [[ $c == "$RL_CG2_DIR"/?* ]] || { [ -n "$RL_FREEZER_DIR" ] && [[ $c == "$RL_FREEZER_DIR"/?* ]]; }; then
      inside+=("$c")
    fi
  done
  [ ${#inside[@]} -gt 0 ] || fail "the init's cgroups are not below the delegated dirs: ${cgs[*]}" || return 1
  for c in "${inside[@]}"; do
    assert_eq "$(stat -c %u "$c")" "$RL_UID" "owner of $c"
  done
  # hydra-runc uses the delegated cgroup2 dir too (runc 1.1 leaves the
  # unified hierarchy of a hybrid host alone: docs/compat.md).
  if [ "$(rl_runtime_name)" = hydra ]; then
    [[ " ${inside[*]} " == *" $RL_CG2_DIR/"* ]] || fail "the init's cgroup2 cgroup is not below $RL_CG2_DIR: ${cgs[*]}"
  fi
  for ((i = 0; i < 50; i++)); do [ "$(rl_count_of "$PID")" != none ] && break; sleep 0.1; done
  run -0 rlr pause "$TAG"
  assert_eq "$(rl_status "$TAG")" paused
  frozen=no
  for c in "${inside[@]}"; do
    [ -f "$c/cgroup.freeze" ] && [ "$(cat "$c/cgroup.freeze")" = 1 ] && frozen=yes
    [ -f "$c/freezer.state" ] && [ "$(cat "$c/freezer.state")" = FROZEN ] && frozen=yes
  done
  assert_eq "$frozen" yes "cgroup.freeze or freezer.state of ${inside[*]}"
  # The v1 freezer's frozen tasks show as D (TASK_FROZEN); cgroup.freeze
  # parks them in the signal path (S): only the v1 case tells.
  if [ -n "$RL_FREEZER_DIR" ] && [[ " ${inside[*]} " == *" $RL_FREEZER_DIR/"* ]] &&
    [ "$(cat "$(printf '%s\n' "${inside[@]}" | grep -F "$RL_FREEZER_DIR/")/freezer.state")" = FROZEN ]; then
    assert_eq "$(awk '$1 == "State:" { print $2 }' "/proc/$PID/status")" D "the init's state in a frozen v1 freezer"
  fi
  a=$(rl_count_of "$PID")
  sleep 0.6
  assert_eq "$(rl_count_of "$PID")" "$a" "counter while paused"
  run -0 rlr resume "$TAG"
  assert_eq "$(rl_status "$TAG")" running
  for c in "${inside[@]}"; do
    [ ! -f "$c/cgroup.freeze" ] || assert_eq "$(cat "$c/cgroup.freeze")" 0 "$c/cgroup.freeze after resume"
    [ ! -f "$c/freezer.state" ] || assert_eq "$(cat "$c/freezer.state")" THAWED "$c/freezer.state after resume"
  done
  for ((i = 0; i < 40; i++)); do [ "$(rl_count_of "$PID")" != "$a" ] && break; sleep 0.05; done
  [ "$(rl_count_of "$PID")" != "$a" ] || fail "counter still $a after resume"
  run -0 rlr delete --force "$TAG"
  wait_for_pid_gone "$PID"
  for c in "${inside[@]}"; do
    [ ! -d "$c" ] || fail "cgroup $c left after delete"
  done
  assert_no_cgroup "$TAG"
}

@test "rootless: a memory limit without a cgroup fails and leaves nothing" {
  [ "$(rl_runtime_name)" != crun ] || skip "crun ignores cgroup limits it cannot apply as a rootless user on cgroup v1"
  cfg '.linux.resources = {"memory": {"limit": 67108864}}'
  run --separate-stderr rlr run --bundle "$BUNDLE" "$TAG" </dev/null
  [ "$status" -ne 0 ] || fail "run with a memory limit and no cgroup succeeded: $output"
  assert_match "$stderr" "cannot set memory limit: container could not join or create cgroup"
  run -0 rlr list -q
  assert_eq "$output" ""
  [ -z "$(ls -A "$RL_STATE" 2>/dev/null)" ] || fail "state left: $(ls -A "$RL_STATE")"
  [ -z "$(rl_pids)" ] || fail "processes left: $(rl_pids)"
  assert_no_cgroup "$TAG"
}

# cfg_subid_maps UIDHOST GIDHOST SIZE: container 0 -> the user, 1..SIZE ->
# the host ranges starting at UIDHOST / GIDHOST.
cfg_subid_maps() {
  cfg '.linux.uidMappings = [{"containerID": 0, "hostID": $u, "size": 1},
                             {"containerID": 1, "hostID": $su, "size": $n}]
     | .linux.gidMappings = [{"containerID": 0, "hostID": $g, "size": 1},
                             {"containerID": 1, "hostID": $sg, "size": $n}]' \
    --argjson u "$RL_UID" --argjson g "$RL_GID" --argjson su "$1" --argjson sg "$2" --argjson n "$3"
}

@test "rootless: mappings beyond the caller's own go through newuidmap/newgidmap" {
  cfg_subid_maps "$RL_SUBUID" "$RL_SUBGID" 65536
  cfg '.process.user = {"uid": 1000, "gid": 1000}'
  rl_create "$TAG"
  assert_eq "$(idmap "$PID" uid_map | tr '\n' '|')" "0 $RL_UID 1|1 $RL_SUBUID 65536|" "uid_map"
  assert_eq "$(idmap "$PID" gid_map | tr '\n' '|')" "0 $RL_GID 1|1 $RL_SUBGID 65536|" "gid_map"
  # Container uid 1000 is host uid SUBUID + 999.
  assert_eq "$(cred "$PID" Uid 1)" $((RL_SUBUID + 999)) "host uid of container uid 1000"
  assert_eq "$(cred "$PID" Gid 1)" $((RL_SUBGID + 999)) "host gid of container gid 1000"
  run -0 rlr start "$TAG"
  # (-d with stdio away from bats: the process outlives exec)
  rlr exec -d --user 65534:65534 "$TAG" sleep 999 </dev/null >/dev/null 2>&1 || fail "exec -d --user 65534:65534 failed"
  for ((i = 0; i < 100; i++)); do
    p=$(pgrep -u $((RL_SUBUID + 65533)) -f '^sleep 999$' | head -n1) && [ -n "$p" ] && break
    sleep 0.05
  done
  [ -n "$p" ] || fail "no process of host uid $((RL_SUBUID + 65533)) (container 65534)"
  run -0 rlr delete --force "$TAG"
}

@test "rootless: a mapping outside the user's subordinate range fails cleanly" {
  bad=$((RL_SUBUID + RL_SUBID_COUNT))
  cfg_subid_maps "$bad" "$RL_SUBGID" 10
  run --separate-stderr rlr run --bundle "$BUNDLE" "$TAG" </dev/null
  [ "$status" -ne 0 ] || fail "run with a uid range not in /etc/subuid succeeded"
  assert_match "$stderr" "newuidmap|$bad|uid_map|mapping" "the error names newuidmap or the range"
  run -0 rlr list -q
  assert_eq "$output" ""
  [ -z "$(ls -A "$RL_STATE" 2>/dev/null)" ] || fail "state left: $(ls -A "$RL_STATE")"
  [ -z "$(rl_pids)" ] || fail "processes left: $(rl_pids)"
  assert_no_cgroup "$TAG"
}

@test "rootless: --root the user cannot write: a clear error" {
  # (root's, searchable by all, writable by root only)
  locked=$(mktemp -d /tmp/hrrl-locked.XXXXXX)
  chmod 0755 "$locked"
  run --separate-stderr rl_as_user timeout 60 "$HYDRA_RUNC" --root "$locked/state" run --bundle "$BUNDLE" "$TAG" </dev/null
  [ "$status" -ne 0 ] || fail "run with an unwritable --root succeeded"
  assert_match "$stderr" "$locked/state|[Pp]ermission denied" "the error"
  [ ! -e "$locked/state" ] || fail "$locked/state made"
  rmdir "$locked"
  [ -z "$(rl_pids)" ] || fail "processes left: $(rl_pids)"
}
