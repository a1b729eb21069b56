#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Rootless Podman on top of the runtime under test: Debian's podman (4.3)
# run by a fresh unprivileged user (tests/rootless-helpers.bash), with its
# own storage (~/.config/containers/storage.conf: overlay, graphroot in
# its home, runroot in its XDG_RUNTIME_DIR), containers.conf with the
# cgroupfs manager, the file events logger and no network (netns "none";
# no systemd), and the image of tests/e2e/make-image.sh brought in with
# `podman load` as the user.  The runtime is given as `--runtime
# ~/bin/runc`, a symlink named runc to the runtime under test (the name
# Podman and go-runc know: --log-format=json --log FILE).
#
# Podman runs the runtime inside its own user namespace (container root =
# the user, 1..65536 = its subordinate range, set up with newuidmap), with
# euid 0 there, no --root (the runtime's default, under XDG_RUNTIME_DIR),
# no --rootless and no --systemd-cgroup.  On a cgroup v1 or hybrid host
# rootless Podman runs containers without cgroups and refuses pause; the
# pause scenarios then skip, saying so.
#
# The runtime under test is $HYDRA_E2E_RUNTIME, default $HYDRA_RUNC; the
# file passes with Debian's runc:
#   HYDRA_E2E_RUNTIME=$(command -v runc) bats tests/e2e/podman-rootless.bats
# (Debian's crun 1.8 refuses rootless containers on a hybrid host.)

bats_require_minimum_version 1.5.0
load e2e-helpers
load ../rootless-helpers

: "${PODMAN_TIMEOUT:=60}"

setup_file() {
  if [ "$(id -u)" -ne 0 ]; then
    export RLP_SKIP="needs root (creates the user that runs Podman)"
    return 0
  fi
  local t
  # (CI machines start bare: Podman as podman.bats installs it, and the
  # setuid id-mapping helpers)
  podman_install || return 1
  PATH=$PATH:/usr/sbin:/sbin command -v newuidmap >/dev/null ||
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=300 uidmap >/dev/null 2>&1 || true
  for t in podman conmon newuidmap newgidmap setpriv useradd; do
    PATH=$PATH:/usr/sbin:/sbin command -v "$t" >/dev/null || {
      export RLP_SKIP="no $t (apt-get install podman uidmap)"
      return 0
    }
  done
  export RL_STATE_FILE=$BATS_FILE_TMPDIR/rootless-user.state
  RLP_RUNTIME=$(podman_runtime) || return 1
  export RLP_RUNTIME
  rl_user_create || return 1
  if ! rl_as_user test -x "$RLP_RUNTIME"; then
    export RLP_SKIP="$RLP_RUNTIME is not executable by an unprivileged user"
    rl_user_remove
    return 0
  fi
  # Pure cgroup v2: a delegated cgroup Podman (cgroupfs manager) can use.
  if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
    rl_delegate || return 1
  fi
  mkdir -p "$RL_HOME/bin" "$RL_HOME/.config/containers"
  ln -s "$RLP_RUNTIME" "$RL_HOME/bin/runc"
  cat >"$RL_HOME/.config/containers/storage.conf" <<TOML
[storage]
driver = "${PODMAN_STORAGE_DRIVER:-overlay}"
graphroot = "$RL_HOME/storage"
runroot = "$RL_XDG/containers"
TOML
  cat >"$RL_HOME/.config/containers/containers.conf" <<TOML
[containers]
netns = "none"
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
TOML
  "$BATS_TEST_DIRNAME/make-image.sh" "$RL_HOME/image.tar" latest || return 1
  chown -R "$RL_UID:$RL_GID" "$RL_HOME"
  rl_as_user timeout 120 podman load -i image.tar >"$BATS_FILE_TMPDIR/load.log" 2>&1 || {
    echo "podman load as $RL_USER failed: $(cat "$BATS_FILE_TMPDIR/load.log")" >&2
    return 1
  }
  rl_as_user podman tag localhost/latest:latest "$PODMAN_IMAGE" || return 1
}

teardown_file() {
  [ -z "${RLP_SKIP:-}" ] || return 0
  [ -n "${RL_USER:-}" ] && rl_as_user timeout 60 podman system reset --force >/dev/null 2>&1
  local left
  # Podman's mounts live in its own mount namespace: none on the host.
  left=$(awk -v d="${RL_HOME:-/nonexistent}" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo)
  rl_user_remove || return 1
  [ -z "$left" ] || { echo "mounts left on the host: $left" >&2; return 1; }
}

setup() {
  [ -z "${RLP_SKIP:-}" ] || skip "$RLP_SKIP"
  VOL=$RL_HOME/vol-$BATS_TEST_NUMBER
  install -d -o "$RL_UID" -g "$RL_GID" "$VOL"
  RT=$RL_HOME/bin/runc
  IDS=()
}

# Every container is gone from Podman and from the runtime.
teardown() {
  [ -z "${RLP_SKIP:-}" ] || return 0
  local id left=""
  pm rm --all --force --time 0 >/dev/null 2>&1 || true
  for id in "${IDS[@]}"; do
    [ "$(rt_status "$id")" = gone ] || left="$left state:$id"
  done
  rm -rf "$VOL"
  [ -z "$left" ] || { echo "left behind:$left" >&2; return 1; }
}

# pm ARGS...: podman as the user with the runtime under test (bounded).
pm() {
  rl_as_user timeout --kill-after=5 "$PODMAN_TIMEOUT" podman --runtime "$RT" "$@" 3>&-
}

# rt_status ID: the runtime's own view (its default root, inside Podman's
# user namespace, as Podman runs it), or "gone".
rt_status() {
  local out
  out=$(rl_as_user timeout 30 podman unshare "$RT" state "$1" 2>/dev/null) || { echo gone; return 0; }
  printf '%s\n' "$out" | jq -r .status
}

idmap() {
  awk '{ $1 = $1; print }' "/proc/$1/$2" | tr '\n' '|'
}

# Pause needs the container's cgroup: rootless Podman has none on v1.
requires_rootless_cgroups() {
  local v
  v=$(pm info --format '{{.Host.CgroupsVersion}}')
  [ "$v" = v2 ] || skip "rootless Podman runs containers without cgroups on cgroup $v (it refuses pause)"
}

@test "podman rootless: the user's Podman, the runtime under test" {
  run -0 pm info --format '{{.Host.Security.Rootless}}|{{.Host.OCIRuntime.Path}}|{{.Host.CgroupManager}}|{{.Host.EventLogger}}'
  assert_eq "$output" "true|$RT|cgroupfs|file"
  run -0 pm images --format '{{.Repository}}:{{.Tag}}'
  assert_match "$output" "$PODMAN_IMAGE"
}

@test "podman rootless: run --rm: output, user namespace, no network" {
  run -0 pm run --rm --cidfile "$RL_HOME/cid-$BATS_TEST_NUMBER" "$PODMAN_IMAGE" \
    sh -c 'echo "hello from $(cat /etc/hydra-e2e-image) pid $$ uid $(id -u)"; tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "; cat /proc/self/uid_map'
  assert_eq "${lines[0]}" "hello from hydra-e2e-image pid 1 uid 0"
  assert_eq "${lines[1]}" lo "network devices (netns none)"
  assert_match "${lines[2]}" "^ +0 +$RL_UID +1$" "uid_map line 1"
  assert_match "${lines[3]}" "^ +1 +$RL_SUBUID +65536$" "uid_map line 2"
  IDS+=("$(cat "$RL_HOME/cid-$BATS_TEST_NUMBER")")
  run -0 pm ps -aq
  assert_eq "$output" ""
  assert_eq "$(rt_status "${IDS[0]}")" gone
}

@test "podman rootless: exit codes" {
  podman_exit_codes
}

@test "podman rootless: run -d, ps, inspect, the kernel's view" {
  podman_run_d up sh -c 'echo $$ >/host/pid; exec sleep 1000'
  podman_wait_for "$VOL/pid"
  run -0 podman_status_of up
  assert_match "$output" '^Up ' "podman ps status"
  assert_eq "$(rt_status "$ID")" running "runtime state"
  pid=$(pm inspect --format '{{.State.Pid}}' up)
  assert_eq "$(tr '\0' ' ' <"/proc/$pid/cmdline")" "sleep 1000 " "cmdline of $pid"
  # Podman's user namespace: root is the user, the rest its range.
  assert_eq "$(idmap "$pid" uid_map)" "0 $RL_UID 1|1 $RL_SUBUID 65536|" "uid_map"
  assert_eq "$(idmap "$pid" gid_map)" "0 $RL_GID 1|1 $RL_SUBGID 65536|" "gid_map"
  assert_eq "$(awk '$1 == "Uid:" { print $2 }' "/proc/$pid/status")" "$RL_UID" "host uid of the init"
  [ "$(readlink "/proc/$pid/ns/user")" != "$(readlink /proc/1/ns/user)" ] || fail "init in the host's user namespace"
  [ "$(readlink "/proc/$pid/ns/pid")" != "$(readlink /proc/1/ns/pid)" ] || fail "init in the host's pid namespace"
  # (the volume is the user's: written by container root)
  assert_eq "$(stat -c %u "$VOL/pid")" "$RL_UID" "owner of a file the container wrote"
}

@test "podman rootless: exec, env/user/workdir, exit code, error" {
  podman_run_d ex sh -c 'echo "main $$" >/tmp/main; exec sleep 1000'
  run -0 pm exec ex sh -c 'cat /tmp/main; echo "pid1=$(cat /proc/1/cmdline | tr "\0" " ")"'
  assert_eq "${lines[0]}" "main 1"
  assert_eq "${lines[1]}" "pid1=sleep 1000 "
  run -5 pm exec ex sh -c 'echo to-stderr >&2; exit 5'
  assert_eq "$output" to-stderr
  run -0 pm exec -e E2E_VAR=hello -w /etc ex sh -c 'echo "$E2E_VAR $(pwd) $(id -u)"'
  assert_eq "$output" "hello /etc 0"
  podman_run_d exu sh -c 'exec sleep 1000'
  pm exec -d --user 65534 exu sleep 999 || fail "exec -d --user 65534"
  for ((i = 0; i < 100; i++)); do
    p=$(pgrep -u $((RL_SUBUID + 65533)) -f 'sleep 999' | head -n1) && [ -n "$p" ] && break
    sleep 0.05
  done
  [ -n "$p" ] || fail "no process of host uid $((RL_SUBUID + 65533)) (container uid 65534)"
  run -127 --separate-stderr pm exec ex /no/such/command
  assert_match "$stderr" '/no/such/command.*[Nn]o such file or directory' "podman's error"
  run -0 podman_status_of ex
  assert_match "$output" '^Up '
}

@test "podman rootless: run with env, user, workdir" {
  run -0 pm run --rm -e E2E_VAR=v1 --user 65534:65534 -w /tmp "$PODMAN_IMAGE" sh -c 'echo "$E2E_VAR $(id -u):$(id -g) $(pwd)"'
  assert_eq "$output" "v1 65534:65534 /tmp"
}

@test "podman rootless: --read-only" {
  run -0 pm run --rm --read-only "$PODMAN_IMAGE" sh -c 'touch /tmp/x && echo tmp-ok; touch /etc/x 2>&1 || echo etc-ro'
  assert_eq "${lines[0]}" tmp-ok "tmpfs /tmp"
  assert_match "${lines[1]}" 'Read-only file system' "the root"
  assert_eq "${lines[2]}" etc-ro
}

@test "podman rootless: stop runs the SIGTERM trap; kill -> 137" {
  podman_run_d st sh -c 'trap "echo got-TERM >/host/stopped; exit 0" TERM; echo ready >/host/ready; while :; do sleep 0.1; done'
  podman_wait_for "$VOL/ready"
  start=$SECONDS
  run -0 pm stop --time 20 st
  [ $((SECONDS - start)) -lt 10 ] || fail "stop took $((SECONDS - start))s"
  assert_eq "$(cat "$VOL/stopped" 2>/dev/null)" got-TERM
  run -0 pm inspect --format '{{.State.Status}} {{.State.ExitCode}}' st
  assert_eq "$output" "exited 0"
  podman_run_d kw sleep 1000
  pid=$(pm inspect --format '{{.State.Pid}}' kw)
  run -0 pm kill kw
  run -0 pm wait kw
  assert_eq "$output" 137
  e2e_assert_pid_gone "$pid"
}

@test "podman rootless: rm -f of a running container; a second run" {
  podman_run_d rmf sleep 1000
  pid=$(pm inspect --format '{{.State.Pid}}' rmf)
  run -0 pm rm -f --time 2 rmf
  run ! pm container exists rmf
  assert_eq "$(rt_status "$ID")" gone "runtime state after rm -f"
  e2e_assert_pid_gone "$pid"
  # The same name again, and two at once.
  podman_run_d rmf sleep 1000
  podman_run_d second sleep 1000
  run -0 pm ps --format '{{.Names}}'
  assert_eq "$(sort <<<"$output" | tr '\n' ' ')" "rmf second "
}

@test "podman rootless: missing command -> 127 with the runtime's error" {
  run -127 --separate-stderr pm run --rm "$PODMAN_IMAGE" /no/such/command
  assert_match "$stderr" '/no/such/command' "podman's error"
  run -0 pm ps -aq
  assert_eq "$output" ""
}

@test "podman rootless: pause/unpause" {
  requires_rootless_cgroups
  podman_run_d pz sh -c 'i=0; while :; do i=$((i+1)); echo $i >/host/count.new; mv /host/count.new /host/count; sleep 0.1; done'
  podman_wait_for "$VOL/count"
  run -0 pm pause pz
  assert_eq "$(podman_status_of pz)" Paused
  assert_eq "$(rt_status "$ID")" paused
  a=$(cat "$VOL/count")
  sleep 0.6
  assert_eq "$(cat "$VOL/count")" "$a" "counter while paused"
  run -0 pm unpause pz
  assert_eq "$(rt_status "$ID")" running
  for ((i = 0; i < 40; i++)); do [ "$(cat "$VOL/count")" != "$a" ] && break; sleep 0.05; done
  [ "$(cat "$VOL/count")" != "$a" ] || fail "counter still $a after unpause"
}

# What Podman passes to the runtime (printed as TAP comments for the
# record): create with --log-format=json --log FILE, no --root (the
# runtime's default root, under XDG_RUNTIME_DIR), no --rootless, no
# --systemd-cgroup; and the runtime sees euid 0 in a user namespace and
# XDG_RUNTIME_DIR.
@test "podman rootless: the runtime's command lines and environment" {
  mkdir -p "$RL_HOME/wrap"
  printf '#!/bin/sh\necho "$*" >>%q\n{ id -u; cat /proc/self/uid_map; env; } >%q\nexec %q "$@"\n' \
    "$RL_HOME/wrap/args" "$RL_HOME/wrap/env" "$RLP_RUNTIME" >"$RL_HOME/wrap/runc"
  chmod +x "$RL_HOME/wrap/runc"
  chown -R "$RL_UID:$RL_GID" "$RL_HOME/wrap"
  RT=$RL_HOME/wrap/runc
  run -0 pm run --rm "$PODMAN_IMAGE" echo logged
  assert_eq "$output" logged
  sed 's/^/# runtime args: /' "$RL_HOME/wrap/args" >&3
  run -0 grep -E '^--log-format=json --log /[^ ]+ create --bundle /[^ ]+ --pid-file /[^ ]+ [0-9a-f]{64}$' "$RL_HOME/wrap/args"
  run -0 grep -E '^start [0-9a-f]{64}$' "$RL_HOME/wrap/args"
  run -0 grep -E '^delete --force [0-9a-f]{64}$' "$RL_HOME/wrap/args"
  run ! grep -E -- '--root|--rootless|--systemd-cgroup' "$RL_HOME/wrap/args"
  assert_eq "$(head -n1 "$RL_HOME/wrap/env")" 0 "the runtime's euid (in Podman's user namespace)"
  assert_match "$(sed -n 2p "$RL_HOME/wrap/env")" "^ +0 +$RL_UID +1$" "the runtime's uid_map"
  run -0 grep -x "XDG_RUNTIME_DIR=$RL_XDG" "$RL_HOME/wrap/env"
}
