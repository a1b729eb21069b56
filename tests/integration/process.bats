#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Process attributes (runtime-spec config.md "Process", config-linux.md
# "Sysctl", "Personality"), read back from the kernel's view of the
# container's process: /proc/<pid>/status, limits, oom_score_adj, sched.

load helpers

setup_file() { hr_setup_file; }
setup() { hr_setup; }
teardown() { hr_teardown; }

# Create a container running `sleep`, start it, print its host pid.
started_pid() {
  cfg_args sleep 1000
  create_container "$TAG" || return 1
  hr start "$TAG" || return 1
  state_field "$TAG" pid
}

status_field() { awk -v k="$2:" '$1 == k { $1 = ""; sub(/^ /, ""); print }' "/proc/$1/status"; }

@test "process: capabilities, no_new_privs and ids as configured" {
  requires_root
  cfg '.process.capabilities = {"bounding": ["CAP_KILL", "CAP_CHOWN", "CAP_NET_RAW"],
                                "effective": ["CAP_KILL", "CAP_CHOWN"],
                                "permitted": ["CAP_KILL", "CAP_CHOWN"],
                                "inheritable": ["CAP_CHOWN"],
                                "ambient": ["CAP_CHOWN"]}
     | .process.noNewPrivileges = true
     | .process.user = {"uid": 0, "gid": 10, "additionalGids": [2000, 1000]}'
  local pid
  pid=$(started_pid)
  # CAP_CHOWN is bit 0, CAP_KILL 5, CAP_NET_RAW 13
  assert_eq "$(status_field "$pid" CapBnd)" "0000000000002021" "CapBnd"
  assert_eq "$(status_field "$pid" CapEff)" "0000000000000021" "CapEff"
  assert_eq "$(status_field "$pid" CapPrm)" "0000000000000021" "CapPrm"
  assert_eq "$(status_field "$pid" CapInh)" "0000000000000001" "CapInh"
  assert_eq "$(status_field "$pid" CapAmb)" "0000000000000001" "CapAmb"
  assert_eq "$(status_field "$pid" NoNewPrivs)" "1" "NoNewPrivs"
  assert_eq "$(status_field "$pid" Gid | awk '{print $1}')" "10" "gid"
  assert_eq "$(status_field "$pid" Groups | xargs)" "1000 2000" "groups"
}

@test "process: an unknown capability is ignored with a warning in the log, as runc does" {
  requires_root
  cfg '.process.capabilities = {"bounding": ["CAP_KILL", "CAP_FOO_NEW"], "effective": ["CAP_FOO_NEW", "CAP_KILL"],
                                "permitted": ["CAP_KILL", "CAP_FOO_NEW"], "inheritable": ["CAP_FOO_NEW"],
                                "ambient": ["CAP_FOO_NEW"]}'
  cfg_args sleep 1000
  hr --log "$BATS_TEST_TMPDIR/log" create --bundle "$BUNDLE" "$TAG" </dev/null >/dev/null 2>&1 ||
    fail "create failed: $(cat "$BATS_TEST_TMPDIR/log")"
  track_pid "$TAG"
  grep -q 'unknown.*capabilit.*CAP_FOO_NEW' "$BATS_TEST_TMPDIR/log" ||
    fail "no warning in the log: $(cat "$BATS_TEST_TMPDIR/log")"
  local pid
  pid=$(state_field "$TAG" pid)
  # CAP_KILL is bit 5; nothing else
  assert_eq "$(status_field "$pid" CapBnd)" "0000000000000020" "CapBnd"
  assert_eq "$(status_field "$pid" CapEff)" "0000000000000020" "CapEff"
  assert_eq "$(status_field "$pid" CapPrm)" "0000000000000020" "CapPrm"
  assert_eq "$(status_field "$pid" CapInh)" "0000000000000000" "CapInh"
  assert_eq "$(status_field "$pid" CapAmb)" "0000000000000000" "CapAmb"
}

@test "process: a malformed capability name is refused" {
  requires_root
  requires_hydra "runc 1.1 ignores any name it does not know"
  local c
  for c in "KILL" "CAP_KILL;" "CAP_"; do
    cfg '.process.capabilities.bounding = ["CAP_KILL", $c]' --arg c "$c"
    run --separate-stderr hr_leakcheck create --bundle "$BUNDLE" "$TAG" </dev/null
    assert_clean_failure "process.capabilities.bounding: unknown capability \`${c//;/.}\`"
    assert_no_cgroup "$TAG"
  done
}

# home_of UID [ENV-JSON]: HOME the container's process gets as UID.
home_of() {
  cfg '.process.user = {"uid": ($u | tonumber), "gid": 0} | .process.env = ($e | fromjson)' \
    --arg u "$1" --arg e "${2:-[\"PATH=/bin\"]}"
  cfg_sh 'echo "HOME=${HOME-unset}"'
  run --separate-stderr hr run --bundle "$BUNDLE" "$TAG-$1" </dev/null
  [ "$status" -eq 0 ] || fail "run as $1 failed: $stderr"
}

@test "process: HOME comes from the container's /etc/passwd when env has none, / without an entry" {
  requires_root
  home_of 1000
  assert_eq "$output" HOME=/home/hydra "uid 1000 (hydra in the rootfs's passwd)"
  home_of 0
  assert_eq "$output" HOME=/root "uid 0"
  home_of 4242
  assert_eq "$output" HOME=/ "uid without a passwd entry"
  home_of 1000 '["PATH=/bin", "HOME=/custom"]'
  assert_eq "$output" HOME=/custom "HOME from process.env is kept"
  # runc treats an empty HOME as unset
  home_of 1000 '["PATH=/bin", "HOME="]'
  assert_eq "$output" HOME=/home/hydra "empty HOME replaced"
}

@test "process: HOME from a hostile /etc/passwd: its symlink stays in the rootfs, a FIFO is not read" {
  requires_root
  # an absolute symlink: resolved in the rootfs, not on the host
  printf 'root:x:0:0::/from-the-rootfs:/bin/sh\n' >"$BUNDLE/rootfs/hostile-pw"
  ln -sf /hostile-pw "$BUNDLE/rootfs/etc/passwd"
  home_of 0
  assert_eq "$output" HOME=/from-the-rootfs "passwd through an absolute symlink"
  is_runc && return 0 # (runc 1.1 blocks opening a FIFO there)
  rm "$BUNDLE/rootfs/etc/passwd"
  mkfifo "$BUNDLE/rootfs/etc/passwd"
  home_of 0
  assert_eq "$output" HOME=/ "passwd that is a FIFO"
}

@test "process: exec sets HOME the same way" {
  requires_root
  cfg '.process.env = ["PATH=/bin"]'
  cfg_args sleep 1000
  create_container "$TAG"
  hr start "$TAG"
  run --separate-stderr hr exec --user 1000:1000 "$TAG" sh -c 'echo "$HOME"'
  assert_eq "$output" /home/hydra "exec as 1000"
  run --separate-stderr hr exec --user 4242 "$TAG" sh -c 'echo "$HOME"'
  assert_eq "$output" / "exec as a uid without an entry"
  run --separate-stderr hr exec --env HOME=/mine "$TAG" sh -c 'echo "$HOME"'
  assert_eq "$output" /mine "exec --env HOME kept"
}

@test "process: rlimits and oomScoreAdj" {
  requires_root
  cfg '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 123, "hard": 456},
                           {"type": "RLIMIT_NPROC", "soft": 77, "hard": 88}]
     | .process.oomScoreAdj = 345'
  local pid
  pid=$(started_pid)
  assert_eq "$(awk '/^Max open files/{print $4, $5}' /proc/$pid/limits)" "123 456" "RLIMIT_NOFILE"
  assert_eq "$(awk '/^Max processes/{print $3, $4}' /proc/$pid/limits)" "77 88" "RLIMIT_NPROC"
  assert_eq "$(cat /proc/$pid/oom_score_adj)" "345" "oom_score_adj"
}

@test "process: umask, cwd and env" {
  requires_root
  cfg '.process.user.umask = 63 | .process.cwd = "/tmp/work" | .process.env += ["HYDRA_X=y z"]'
  cfg_sh 'umask; pwd; echo "$HYDRA_X"'
  run hr run --bundle "$BUNDLE" "$TAG"
  [ "$status" -eq 0 ] || fail "run: $output"
  assert_eq "${lines[0]}" "0077" "umask"
  assert_eq "${lines[1]}" "/tmp/work" "cwd (created inside the rootfs)"
  assert_eq "${lines[2]}" "y z" "env"
}

@test "process: sysctl lands in the container's namespaces only" {
  requires_root
  cfg '.linux.sysctl = {"net.ipv4.ip_forward": "1", "kernel.shmmax": "123456789"}'
  local pid host_fwd
  host_fwd=$(cat /proc/sys/net/ipv4/ip_forward)
  pid=$(started_pid)
  assert_eq "$(nsenter -t "$pid" -n cat /proc/sys/net/ipv4/ip_forward)" "1" "ip_forward inside"
  assert_eq "$(nsenter -t "$pid" -i cat /proc/sys/kernel/shmmax)" "123456789" "shmmax inside"
  assert_eq "$(cat /proc/sys/net/ipv4/ip_forward)" "$host_fwd" "host ip_forward untouched"
}

@test "process: domainname is set in the container's uts namespace" {
  requires_root
  requires_hydra "runc 1.1 ignores domainname"
  cfg '.domainname = "example.test"'
  local pid
  pid=$(started_pid)
  assert_eq "$(nsenter -t "$pid" -u domainname)" "example.test" "domainname"
  assert_eq "$(nsenter -t "$pid" -u hostname)" "hydra-test" "hostname"
}

@test "process: scheduler, ioPriority, execCPUAffinity, personality" {
  requires_root
  requires_hydra "runc 1.1 predates these runtime-spec 1.2 fields"
  cfg_sched_attrs
  local pid
  pid=$(started_pid)
  assert_sched_attrs "$pid"
}

@test "process: each container gets its own session keyring" {
  requires_root
  local pid
  pid=$(started_pid)
  # the init's session keyring is named after the container (runc's behaviour)
  grep -Eq " keyring +_ses\\.$TAG: " /proc/keys || fail "no session keyring named $TAG in /proc/keys"
}

@test "process: --no-new-keyring keeps the caller's session keyring" {
  requires_root
  cfg_args sleep 1000
  create_container "$TAG" --no-new-keyring
  ! grep -Eq " keyring +_ses\\.$TAG: " /proc/keys || fail "a keyring named $TAG exists"
}

@test "process: --preserve-fds passes exactly fds 3.. to the container" {
  requires_root
  cfg_sh 'ls /proc/self/fd | sort -n | tr "\n" " "; echo; cat <&3; cat <&4'
  echo three >"$BATS_TEST_TMPDIR/f3"
  echo four >"$BATS_TEST_TMPDIR/f4"
  run hr run --preserve-fds 2 --bundle "$BUNDLE" "$TAG" 3<"$BATS_TEST_TMPDIR/f3" 4<"$BATS_TEST_TMPDIR/f4" 5</dev/null
  [ "$status" -eq 0 ] || fail "run: $output"
  # ls itself holds one more fd for the directory it lists
  assert_match "${lines[0]}" "^0 1 2 3 4 [0-9]+ ?$"
  assert_eq "${lines[1]}" "three" "fd 3"
  assert_eq "${lines[2]}" "four" "fd 4"
}

@test "process: socket activation fds (LISTEN_FDS) reach the container" {
  requires_root
  cfg_sh 'echo "$LISTEN_FDS $LISTEN_PID"; cat <&3'
  echo activated >"$BATS_TEST_TMPDIR/f3"
  # LISTEN_PID must be the runtime's own pid: exec it from a shell that sets it
  run timeout 60 bash -c 'export LISTEN_FDS=1 LISTEN_PID=$$; exec "$0" --root "$1" run --bundle "$2" "$3"' \
    "$HYDRA_RUNC" "$ROOT" "$BUNDLE" "$TAG" 3<"$BATS_TEST_TMPDIR/f3"
  [ "$status" -eq 0 ] || fail "run: $output"
  assert_eq "${lines[0]}" "1 1" "LISTEN_FDS and LISTEN_PID"
  assert_eq "${lines[1]}" "activated" "fd 3"
}

@test "process: LISTEN_FDS is the init's only, not a default for exec (as runc)" {
  requires_root
  cfg_args sleep 1000
  echo activated >"$BATS_TEST_TMPDIR/f3"
  # (the detached container keeps its stdio: not bats' pipe)
  timeout 60 bash -c 'export LISTEN_FDS=1 LISTEN_PID=$$; exec "$0" --root "$1" run -d --bundle "$2" "$3"' \
    "$HYDRA_RUNC" "$ROOT" "$BUNDLE" "$TAG" 3<"$BATS_TEST_TMPDIR/f3" </dev/null >"$BATS_TEST_TMPDIR/out" 2>&1 ||
    fail "run -d: $(cat "$BATS_TEST_TMPDIR/out")"
  local pid
  pid=$(state_field "$TAG" pid)
  # the init got them (the kernel's view of its environment)...
  tr '\0' '\n' <"/proc/$pid/environ" | grep -qx 'LISTEN_FDS=1' || fail "init has no LISTEN_FDS"
  # ...a process exec'd later gets the config's env, without them
  run --separate-stderr hr exec "$TAG" env
  [ "$status" -eq 0 ] || fail "exec: $stderr"
  [[ $output == *PATH=* ]] || fail "exec env: $output"
  [[ $output != *LISTEN_FDS* && $output != *LISTEN_PID* ]] || fail "exec inherited socket activation: $output"
}

@test "process: stdio that is the host's /dev/null becomes the container's /dev/null (runc reOpenDevNull)" {
  requires_root
  # create_container gives the init the host's /dev/null as stdin; runc
  # reopens it from the container's /dev, so that no fd of the container
  # names a file outside it (CRIU cannot dump one: "Can't lookup mount").
  local pid host_dev ctr_dev i
  pid=$(started_pid)
  host_dev=$(stat -c '%d:%i' /dev/null)
  ctr_dev=$(stat -Lc '%d:%i' "/proc/$pid/root/dev/null")
  [ "$host_dev" != "$ctr_dev" ] || fail "the container's /dev/null is the host's: nothing to tell apart"
  assert_eq "$(stat -Lc '%t:%T' "/proc/$pid/fd/0")" "1:3" "fd 0 is a null device"
  assert_eq "$(stat -Lc '%d:%i' "/proc/$pid/fd/0")" "$ctr_dev" "fd 0 is the container's /dev/null"
  # fds that were something else stay what they were (create's log files)
  for i in 1 2; do
    assert_match "$(readlink "/proc/$pid/fd/$i")" "^$BATS_TEST_TMPDIR/create-" "fd $i"
  done
}
