#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The command line of checkpoint and restore, without CRIU: the flags the
# engines pass (and the probes Podman and CRI-O run), and the values runc
# checks, refused with runc's words before anything is created.
#
# Runs against Debian's runc 1.1.5 too (HYDRA_RUNC=$(command -v runc)):
# where runc 1.1 differs (flags it lacks, --manage-cgroups-mode it ignores at
# restore, values it checks only after looking the container up) the case is
# hydra-only.

load helpers

setup_file() { hr_setup_file; }
setup() {
  hr_setup
  # runc makes ./checkpoint (the default image path) before checking its
  # flags: keep that out of the source tree.
  mkdir -p "$BATS_TEST_TMPDIR/cwd"
  cd "$BATS_TEST_TMPDIR/cwd"
  IMG="$BATS_TEST_TMPDIR/img"
}
teardown() { hr_teardown; }

# help_has CMD FLAG...: `CMD --help` exits 0 and lists each FLAG as an option.
help_has() {
  local cmd=$1 f
  shift
  run --separate-stderr "$HYDRA_RUNC" "$cmd" --help
  [ "$status" -eq 0 ] || fail "$cmd --help: status $status: $stderr" || return 1
  for f in "$@"; do
    printf '%s\n' "$output" | grep -qE "^   --$f( value)?(, -[a-z]( value)?)? " ||
      fail "$cmd --help does not list --$f: $output" || return 1
  done
}

# run_failing ARGS...: the runtime under the leak checker, stderr apart.
run_failing() {
  run --separate-stderr hr_leakcheck "$@" </dev/null
  echo "status: $status"
  echo "stdout: $output"
  echo "stderr: $stderr"
}

# not_a_flag_error: the last command got past the flag parser.
not_a_flag_error() {
  [ "$status" -ne 0 ] || fail "succeeded without a checkpoint: $output" || return 1
  [[ $stderr != *"flag provided but not defined"* && $stderr != *"flag needs an argument"* &&
    $stderr != *"invalid value"* && $output != *"Incorrect Usage"* && $stderr != *"No help topic"* ]] ||
    fail "refused by the flag parser: $stderr" || return 1
}

# start_sleeper ID: a running container (pid in $PID).
start_sleeper() {
  cfg_args sleep 1000
  create_container "$1" || return 1
  hr start "$1" || fail "start $1" || return 1
  wait_for_status "$1" running || return 1
  PID=$(state_field "$1" pid)
}

# assert_still_running ID: the container and its init are as they were
# (running, the same pid, not stopped by a freezer or ptrace).
assert_still_running() {
  assert_eq "$(state_field "$1" status)" running "status of $1" || return 1
  assert_eq "$(state_field "$1" pid)" "$PID" "pid of $1" || return 1
  local st
  st=$(awk '/^State:/ { print $2 }' "/proc/$PID/status" 2>/dev/null) || st=""
  [[ $st == S || $st == R ]] || fail "init $PID of $1 is in state '$st'" || return 1
}

@test "checkpoint-cli: checkpoint --help exits 0 and lists runc's flags" {
  help_has checkpoint image-path work-path parent-path leave-running tcp-established ext-unix-sk \
    shell-job lazy-pages status-fd page-server file-locks pre-dump manage-cgroups-mode empty-ns auto-dedup
  [[ $output == *"(default: -1)"* ]] || fail "--status-fd shows no default -1: $output"
  # runc 1.3+ (not in 1.1)
  is_runc || help_has checkpoint tcp-skip-in-flight link-remap
}

@test "checkpoint-cli: restore --help exits 0 and lists runc's flags" {
  help_has restore console-socket image-path work-path tcp-established ext-unix-sk shell-job file-locks \
    manage-cgroups-mode bundle detach pid-file no-subreaper no-pivot empty-ns auto-dedup lazy-pages \
    lsm-profile lsm-mount-context
  printf '%s\n' "$output" | grep -qE '^   --bundle value, -b value ' || fail "no -b: $output"
  printf '%s\n' "$output" | grep -qE '^   --detach, -d ' || fail "no -d: $output"
  # what conmon and Podman pass and runc lacks (crun has --tcp-close)
  is_runc || help_has restore tcp-close no-new-keyring
}

@test "checkpoint-cli: checkpoint and restore are listed by --help" {
  run --separate-stderr "$HYDRA_RUNC" --help
  [ "$status" -eq 0 ]
  printf '%s\n' "$output" | grep -qE '^   checkpoint  ' || fail "no checkpoint in --help: $output"
  printf '%s\n' "$output" | grep -qE '^   restore  ' || fail "no restore in --help: $output"
}

@test "checkpoint-cli: restore --lsm-mount-context without a value says 'flag needs an argument' (Podman's probe)" {
  run hr restore --lsm-mount-context
  [ "$status" -ne 0 ] || fail "exit status 0"
  [[ $output == *"flag needs an argument"* ]] || fail "no 'flag needs an argument': $output"
  [[ $output == *"lsm-mount-context"* ]] || fail "the flag is not named: $output"
  assert_no_state_dirs
  # with a value it is taken (the error is about the container then)
  run_failing restore --lsm-mount-context system_u:object_r:container_file_t:s0 \
    --image-path "$IMG" "$TAG"
  not_a_flag_error
  assert_no_state_dirs
}

@test "checkpoint-cli: restore -no-subreaper (one dash, containerd's shim) gets past the flag parser" {
  # the check can fail: an unknown flag in the same place is refused
  run_failing restore -no-such-flag --image-path "$IMG" "$TAG"
  [[ $stderr == *"flag provided but not defined: -no-such-flag"* ]] || fail "unknown flag not refused: $stderr"

  local f
  for f in -no-subreaper --no-subreaper --no-subreaper=true -d -detach --no-pivot; do
    run_failing restore "$f" --image-path "$IMG" "$TAG"
    not_a_flag_error || return 1
    assert_no_state_dirs || return 1
  done
}

@test "checkpoint-cli: restore takes --tcp-close and --no-new-keyring (Podman, conmon)" {
  requires_hydra "runc 1.5 has neither flag at restore"
  local f
  for f in --tcp-close --no-new-keyring -no-new-keyring; do
    run_failing restore "$f" --image-path "$IMG" "$TAG"
    not_a_flag_error || return 1
    assert_no_state_dirs || return 1
  done
}

@test "checkpoint-cli: restore --manage-cgroups-mode outside soft|full|strict|ignore: runc's message, nothing made" {
  requires_hydra "runc 1.1 ignores --manage-cgroups-mode at restore (fixed in 1.2)"
  run_failing restore --manage-cgroups-mode bogus --image-path "$IMG" "$TAG"
  assert_clean_failure 'invalid manage-cgroups-mode value'
  [ ! -e "$IMG" ] || fail "the image path was made"
  [ -z "$(ls -A .)" ] || fail "something was made in the current directory: $(ls -A .)"
  run_failing restore --manage-cgroups-mode=SOFT --image-path "$IMG" "$TAG"
  assert_clean_failure 'invalid manage-cgroups-mode value'
  # the four modes and the empty value (CRIU's default) get past the check
  local m
  for m in soft full strict ignore ""; do
    run_failing restore --manage-cgroups-mode "$m" --image-path "$IMG" "$TAG"
    [[ $stderr != *"manage-cgroups-mode"* ]] || fail "mode '$m' refused: $stderr" || return 1
    assert_no_state_dirs || return 1
  done
}

@test "checkpoint-cli: restore --empty-ns takes only network, each use checked" {
  run_failing restore --empty-ns pid --image-path "$IMG" "$TAG"
  assert_clean_failure 'namespace .?"pid.?" is not supported'
  run_failing restore --empty-ns network --empty-ns ipc --image-path "$IMG" "$TAG"
  assert_clean_failure 'namespace .?"ipc.?" is not supported'
  run_failing restore --empty-ns network --image-path "$IMG" "$TAG"
  [[ $stderr != *"is not supported"* ]] || fail "network refused: $stderr"
  assert_no_state_dirs
}

@test "checkpoint-cli: checkpoint's bad values are refused before the container is looked up" {
  requires_hydra "runc looks the container up first (\"container does not exist\")"
  run_failing checkpoint --manage-cgroups-mode bogus --image-path "$IMG" "$TAG"
  assert_clean_failure 'invalid manage-cgroups-mode value'
  run_failing checkpoint --empty-ns mnt --image-path "$IMG" "$TAG"
  assert_clean_failure 'namespace "mnt" is not supported'
  local ps
  for ps in foo :80 host: a:b:c '[::1:80' '[::1]80' 'h]:80'; do
    run_failing checkpoint --page-server "$ps" --image-path "$IMG" "$TAG"
    assert_clean_failure '^Use --page-server ADDRESS:PORT to specify page server$' || return 1
  done
  # runc takes 0 (and drops the page server) and wraps large ports
  for ps in host:abc 'host: 80' host:0 host:65536 host:-1 host:0x50; do
    run_failing checkpoint --page-server "$ps" --image-path "$IMG" "$TAG"
    assert_clean_failure '^Invalid port number$' || return 1
  done
  [ ! -e "$IMG" ] || fail "the image path was made"
}

@test "checkpoint-cli: checkpoint --page-server ADDRESS:PORT forms that pass the check" {
  local ps
  for ps in 10.0.0.1:27 '[::1]:27' 'host.example:65535' 'h:+80' ''; do
    run_failing checkpoint --page-server "$ps" --image-path "$IMG" "$TAG"
    not_a_flag_error || return 1
    [[ $stderr != *"page server"* && $stderr != *"port number"* ]] || fail "'$ps' refused: $stderr" || return 1
  done
}

@test "checkpoint-cli: bad values on a running container: runc's words, the container runs on" {
  requires_root
  start_sleeper "$TAG"
  run_failing checkpoint --manage-cgroups-mode bogus --image-path "$IMG" "$TAG"
  [ "$status" -eq 1 ] || fail "status $status"
  # (runc 1.1's words: "Invalid manage cgroups mode")
  local want='invalid manage-cgroups-mode value'
  is_runc && want='Invalid manage cgroups mode'
  [[ $stderr == *"$want"* ]] || fail "stderr: $stderr"
  assert_still_running "$TAG"
  run_failing checkpoint --empty-ns uts --image-path "$IMG" "$TAG"
  [ "$status" -eq 1 ] || fail "status $status"
  [[ $stderr =~ namespace\ .?\"uts.?\"\ is\ not\ supported ]] || fail "stderr: $stderr"
  assert_still_running "$TAG"
  run_failing checkpoint --page-server nohostport --image-path "$IMG" "$TAG"
  [ "$status" -eq 1 ] || fail "status $status"
  [[ $stderr == *"Use --page-server ADDRESS:PORT to specify page server"* ]] || fail "stderr: $stderr"
  assert_still_running "$TAG"
  run_failing checkpoint --page-server host:port --image-path "$IMG" "$TAG"
  [ "$status" -eq 1 ] || fail "status $status"
  [[ $stderr == *"Invalid port number"* ]] || fail "stderr: $stderr"
  assert_still_running "$TAG"
  assert_eq "$(state_dirs)" "$TAG" "state dirs"
  # runc 1.1 makes the image directory before it checks the values
  is_runc || [ ! -e "$IMG" ] || fail "the image path was made"
}

@test "checkpoint-cli: --status-fd takes an integer (Go's message)" {
  run_failing checkpoint --lazy-pages --status-fd abc "$TAG"
  [ "$status" -ne 0 ] || fail "status 0"
  [[ $stderr =~ invalid\ value\ \\?\"abc\\?\"\ for\ flag\ -status-fd ]] || fail "stderr: $stderr"
  assert_no_state_dirs
}

@test "checkpoint-cli: checkpoint and restore take exactly one container id" {
  local c
  for c in checkpoint restore; do
    run_failing "$c"
    assert_clean_failure "\\\\?\"$c\\\\?\" requires exactly 1 argument\\(s\\)" || return 1
    run_failing "$c" "$TAG-a" "$TAG-b"
    assert_clean_failure "\\\\?\"$c\\\\?\" requires exactly 1 argument\\(s\\)" || return 1
  done
}

@test "checkpoint-cli: the engines' command lines get past the flag parser" {
  local b="$BATS_TEST_TMPDIR/bundle-x"
  # Podman (libpod/oci_conmon_common.go): --leave-running may come twice
  run_failing checkpoint --image-path "$b/checkpoint" --work-path "$b" --leave-running --tcp-established \
    --file-locks --leave-running --pre-dump --parent-path ../pre-checkpoint "$TAG"
  not_a_flag_error
  # CRI-O (internal/oci/runtime_oci.go)
  run_failing checkpoint --file-locks --image-path "$b/checkpoint" --work-path "$b" --leave-running "$TAG"
  not_a_flag_error
  # containerd's shim through go-runc (runc.go): checkpoint, lazy variant, restore
  run_failing checkpoint --image-path "$b/img" --work-path "$b/work" --tcp-established --ext-unix-sk \
    --shell-job --file-locks --empty-ns network --empty-ns network --leave-running "$TAG"
  not_a_flag_error
  run_failing checkpoint --image-path "$b/img" --work-path "$b/work" --page-server 127.0.0.1:27 \
    --manage-cgroups-mode soft --lazy-pages --status-fd 3 "$TAG"
  not_a_flag_error
  run_failing restore --image-path "$b/img" --work-path "$b/work" --detach --pid-file "$b/pid" \
    --console-socket "$b/sock" --no-pivot -no-subreaper --bundle "$b" "$TAG"
  not_a_flag_error
  assert_no_state_dirs
  [ ! -e "$b" ] || is_runc || fail "something was made under $b: $(find "$b")"
}

@test "checkpoint-cli: conmon's restore command line gets past the flag parser" {
  requires_hydra "conmon passes --no-new-keyring, which runc's restore lacks"
  local b="$BATS_TEST_TMPDIR/bundle-x"
  # conmon (src/runtime_args.c) with Podman's --runtime-opt flags for a pod
  run_failing restore --bundle "$b" --pid-file "$b/pidfile" --no-pivot --no-new-keyring --detach \
    --image-path "$b/checkpoint" --work-path "$b" --tcp-close --file-locks \
    --lsm-mount-context=system_u:object_r:container_file_t:s0:c1,c2 --lsm-profile=selinux:system_u:system_r:container_t:s0 \
    --console-socket "$b/console.sock" "$TAG"
  not_a_flag_error
  assert_no_state_dirs
  [ ! -e "$b" ] || fail "something was made under $b: $(find "$b")"
}
