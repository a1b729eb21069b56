#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Podman on top of the runtime under test: Debian's podman (4.3) with its
# own containers.conf (contrib/podman/containers.conf, paths substituted),
# storage.conf, --root, --runroot and --tmpdir under a temp dir, and an
# image made locally (a busybox-static rootfs tarball, `podman import`).
#
# Every scenario runs twice: with the runtime as declared in
# containers.conf ([engine.runtimes] hydra = [...], runtime = "hydra") and
# as `--runtime DIR/runc` (a symlink named runc, the name Podman and
# go-runc know: --log-format=json --log FILE, `--version` parsing).
#
# The runtime under test is $HYDRA_E2E_RUNTIME, default $HYDRA_RUNC; the
# same file passes with Debian's runc:
#   HYDRA_E2E_RUNTIME=$(command -v runc) bats tests/e2e/podman.bats

bats_require_minimum_version 1.5.0
load e2e-helpers
load ../integration/sandbox-helpers

setup_file() {
  podman_setup_file
}

teardown_file() {
  podman_teardown_file
}

setup() {
  [ -z "${PODMAN_SKIP:-}" ] || skip "$PODMAN_SKIP"
  VOL=$BATS_TEST_TMPDIR/vol
  mkdir -p "$VOL"
  IDS=()
  podman_use_runtime hydra
}

# Every container the test made is gone from Podman and from the runtime
# (Podman's cleanup ran `delete --force ID`, without --root), and no
# conmon, cgroup or audit process of it is left.
teardown() {
  [ -z "${PODMAN_SKIP:-}" ] || return 0
  # (a sandbox test's `events --audit`, when it failed before its end)
  [ -z "${E2E_EVENTS_PID:-}" ] || kill "$E2E_EVENTS_PID" 2>/dev/null || true
  local left
  podman_cleanup_containers
  left=$(podman_leftovers "${IDS[@]}")
  [ -z "$left" ] || { echo "left behind:$left" >&2; return 1; }
  podman_wait_conmons_gone 10
}

# pm ARGS...: podman for this test (see podman_cmd).
pm() {
  podman_cmd "$@"
}

# counter_value: the number the counting container last wrote.
counter_value() {
  cat "$VOL/count" 2>/dev/null || echo none
}

# --- the scenarios (each runs once per way of naming the runtime) ----------

scenario_run_rm_echo() {
  run -0 pm run --rm --cidfile "$BATS_TEST_TMPDIR/cid" "$PODMAN_IMAGE" \
    sh -c 'echo "hello from $(cat /etc/hydra-e2e-image) pid $$"'
  assert_eq "$output" "hello from hydra-e2e-podman pid 1"
  IDS+=("$(cat "$BATS_TEST_TMPDIR/cid")")
  # --rm: gone from Podman and (delete --force) from the runtime.
  run -0 pm ps -aq
  assert_eq "$output" ""
  assert_eq "$(podman_rt_status "${IDS[0]}")" gone
}

scenario_run_d_ps() {
  podman_run_d up sh -c 'echo $$ >/host/pid; exec sleep 1000'
  podman_wait_for "$VOL/pid"
  run -0 podman_status_of up
  assert_match "$output" '^Up ' "podman ps status"
  run -0 pm ps --no-trunc --format '{{.ID}} {{.Names}} {{.Status}}'
  assert_match "$output" "^$ID up Up " "podman ps"
  # The runtime agrees, and the pid Podman reports is the container's init.
  assert_eq "$(podman_rt_status "$ID")" running "runtime state"
  pid=$(pm inspect --format '{{.State.Pid}}' up)
  assert_eq "$(timeout 30 "$PODMAN_RT" state "$ID" | jq -r .pid)" "$pid" "runtime pid"
  assert_eq "$(tr '\0' ' ' <"/proc/$pid/cmdline")" "sleep 1000 " "cmdline of $pid"
  [ "$(readlink "/proc/$pid/ns/pid")" != "$(readlink /proc/self/ns/pid)" ] || fail "same pid ns as the host"
  [ "$(readlink "/proc/$pid/ns/mnt")" != "$(readlink /proc/self/ns/mnt)" ] || fail "same mount ns as the host"
}

scenario_exec() {
  podman_run_d ex sh -c 'echo "main $$ $(hostname)" >/tmp/main; exec sleep 1000'
  run -0 pm exec ex sh -c 'cat /tmp/main; echo "exec pid1=$(cat /proc/1/cmdline | tr "\0" " ")"'
  assert_eq "${lines[0]}" "main 1 ${ID:0:12}" "what the main process wrote"
  assert_eq "${lines[1]}" "exec pid1=sleep 1000 " "pid 1 seen by exec"
  run -5 pm exec ex sh -c 'echo to-stderr >&2; exit 5'
  assert_eq "$output" "to-stderr"
  run -0 pm exec -e E2E_VAR=hello -w /etc ex sh -c 'echo "$E2E_VAR $(pwd) $(id -u)"'
  assert_eq "$output" "hello /etc 0"
  run -0 pm exec --user 65534 ex id -u
  assert_eq "$output" 65534
  # The runtime's exec error reaches Podman (its --log file when named runc).
  run -127 --separate-stderr pm exec ex /no/such/command
  assert_match "$stderr" '/no/such/command.*[Nn]o such file or directory' "podman's error"
  run -0 podman_status_of ex
  assert_match "$output" '^Up ' "status after a failed exec"
}

scenario_exec_t() {
  podman_run_d ext sleep 1000
  run -0 podman_in_tty "$(podman_cmdline exec -t ext sh -c 'tty; test -t 0 && test -t 1 && echo on-a-tty')"
  assert_match "${lines[0]}" '^/dev/pts/[0-9]+$' "tty in exec -t"
  assert_eq "${lines[1]}" on-a-tty
  run -4 podman_in_tty "$(podman_cmdline exec -t ext sh -c 'exit 4')"
  # Without -t: no terminal.
  run -0 pm exec ext sh -c 'test -t 1 || echo no-tty'
  assert_eq "$output" no-tty
}

# A container that counts into /host/count every 0.1s.
start_counter() {
  podman_run_d "$1" sh -c 'i=0; while :; do i=$((i+1)); echo $i >/host/count.new; mv /host/count.new /host/count; sleep 0.1; done'
  podman_wait_for "$VOL/count"
}

scenario_pause() {
  start_counter pz
  run -0 pm pause pz
  run -0 podman_status_of pz
  assert_eq "$output" Paused "podman ps status"
  assert_eq "$(podman_rt_status "$ID")" paused "runtime state"
  run -0 pm inspect --format '{{.State.Status}}' pz
  assert_eq "$output" paused
  # Frozen: the counter stands still.
  a=$(counter_value)
  sleep 0.6
  assert_eq "$(counter_value)" "$a" "counter while paused"
  # A paused container takes no exec.
  run ! pm exec pz true
}

scenario_unpause() {
  start_counter uz
  run -0 pm pause uz
  a=$(counter_value)
  run -0 pm unpause uz
  run -0 podman_status_of uz
  assert_match "$output" '^Up ' "podman ps status"
  assert_eq "$(podman_rt_status "$ID")" running "runtime state"
  for ((i = 0; i < 40; i++)); do
    [ "$(counter_value)" != "$a" ] && break
    sleep 0.05
  done
  [ "$(counter_value)" != "$a" ] || fail "counter still $a after unpause"
  run -0 pm exec uz echo alive
  assert_eq "$output" alive
}

scenario_stop() {
  podman_run_d st sh -c 'trap "echo got-TERM >/host/stopped; exit 0" TERM; echo ready >/host/ready; while :; do sleep 0.1; done'
  podman_wait_for "$VOL/ready"
  start=$SECONDS
  run -0 pm stop --time 20 st
  # Stopped by the trap (SIGTERM), long before the 20 s SIGKILL fallback.
  [ $((SECONDS - start)) -lt 10 ] || fail "stop took $((SECONDS - start))s"
  assert_eq "$(cat "$VOL/stopped" 2>/dev/null)" got-TERM "the trap's marker"
  run -0 pm inspect --format '{{.State.Status}} {{.State.ExitCode}}' st
  assert_eq "$output" "exited 0"
  run -0 podman_status_of st
  assert_match "$output" '^Exited \(0\)' "podman ps status"
}

scenario_kill_wait() {
  podman_run_d kw sh -c 'trap "echo TERM >/host/term" TERM; echo ready >/host/ready; while :; do sleep 0.1; done'
  podman_wait_for "$VOL/ready"
  pid=$(pm inspect --format '{{.State.Pid}}' kw)
  run -0 pm kill kw
  run -0 pm wait kw
  assert_eq "$output" 137 "exit code after kill (SIGKILL)"
  [ ! -e "$VOL/term" ] || fail "SIGKILL ran the TERM trap"
  [ ! -e "/proc/$pid" ] || [ "$(awk '{print $3}' "/proc/$pid/stat")" = Z ] || fail "pid $pid still alive"
  run -0 pm inspect --format '{{.State.Status}} {{.State.ExitCode}}' kw
  assert_eq "$output" "exited 137"
  # A signal by name reaches the trap.
  podman_run_d ks sh -c 'trap "echo USR1 >/host/usr1; exit 9" USR1; while :; do sleep 0.1; done'
  run -0 pm kill --signal USR1 ks
  run -0 pm wait ks
  assert_eq "$output" 9
  assert_eq "$(cat "$VOL/usr1")" USR1
}

scenario_rm() {
  podman_run_d rmme sh -c 'exit 0'
  run -0 pm wait rmme
  merged=$(pm inspect --format '{{.GraphDriver.Data.MergedDir}}' rmme)
  run -0 pm rm rmme
  run ! pm container exists rmme
  assert_eq "$(podman_rt_status "$ID")" gone "runtime state after rm"
  run -0 pm ps -aq
  assert_eq "$output" ""
  [ -z "$merged" ] || ! grep -qF " $merged " /proc/self/mountinfo || fail "rootfs still mounted at $merged"
}

scenario_rm_f() {
  podman_run_d rmf sleep 1000
  pid=$(pm inspect --format '{{.State.Pid}}' rmf)
  assert_eq "$(podman_rt_status "$ID")" running
  run -0 pm rm -f --time 2 rmf
  run ! pm container exists rmf
  assert_eq "$(podman_rt_status "$ID")" gone "runtime state after rm -f"
  for ((i = 0; i < 100; i++)); do
    [ -e "/proc/$pid" ] && [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ] || break
    sleep 0.05
  done
  [ ! -e "/proc/$pid" ] || [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" = Z ] || fail "pid $pid still alive"
}

scenario_run_t() {
  run -0 podman_in_tty "$(podman_cmdline run --rm -t "$PODMAN_IMAGE" sh -c 'tty; test -t 0 && test -t 1 && echo on-a-tty')"
  assert_match "${lines[0]}" '^/dev/(pts/[0-9]+|console)$' "tty in run -t"
  assert_eq "${lines[1]}" on-a-tty
  run -6 podman_in_tty "$(podman_cmdline run --rm -t "$PODMAN_IMAGE" sh -c 'exit 6')"
}

# A command that does not exist: Podman reports the runtime's error
# (through its --log file when the runtime is called runc) and exits 127.
scenario_missing_command() {
  run -127 --separate-stderr pm run --rm "$PODMAN_IMAGE" /no/such/command
  assert_match "$stderr" '/no/such/command' "podman's error"
  assert_match "$stderr" '[Nn]o such file or directory' "podman's error"
  run -0 pm ps -aq
  assert_eq "$output" ""
}

# --- the runtime as Podman sees it -------------------------------------

@test "podman: runtime declared in contrib/podman/containers.conf" {
  run -0 pm info --format '{{.Host.OCIRuntime.Name}}|{{.Host.OCIRuntime.Path}}'
  assert_eq "$output" "hydra|$PODMAN_RUNTIME"
  # The file the tests use is contrib's, only the binary and ulimits changed.
  n=$(wc -l <"$PODMAN_CONF_SRC")
  run -0 diff "$PODMAN_CONF_SRC" <(head -n "$n" "$CONTAINERS_CONF" |
    sed -e "s|\"$PODMAN_RUNTIME\"|\"/usr/local/bin/hydra-runc\"|" \
      -e 's|"nofile=[0-9]*:[0-9]*"|"nofile=20000:20000"|' -e 's|"nproc=[0-9]*:[0-9]*"|"nproc=32768:32768"|')
}

@test "podman: runtime named runc: version detection" {
  podman_use_runtime runc
  run -0 "$PODMAN_RT" --version
  assert_match "${lines[0]}" '^runc version [0-9]' "first line of --version (go-runc)"
  run -0 pm info --format '{{.Host.OCIRuntime.Name}}|{{.Host.OCIRuntime.Path}}|{{.Host.OCIRuntime.Version}}'
  # (Podman names a runtime given by path after the path)
  assert_match "$output" "^$PODMAN_RT\\|$PODMAN_RT\\|runc version [0-9]"
}

# --runtime PATH with a name Podman does not know: no --log-format=json,
# Podman takes the runtime's error from its stderr.
@test "podman: --runtime /path/to/runtime" {
  run -0 pm --runtime "$PODMAN_RUNTIME" run --rm "$PODMAN_IMAGE" echo by-path
  assert_eq "$output" by-path
  run -127 --separate-stderr pm --runtime "$PODMAN_RUNTIME" run --rm "$PODMAN_IMAGE" /no/such/command
  assert_match "$stderr" '/no/such/command.*[Nn]o such file or directory' "podman's error"
}

# wrapper NAME: a script NAME in $BATS_TEST_TMPDIR/bin that records its
# arguments in $BATS_TEST_TMPDIR/args and execs the runtime under test.
wrapper() {
  mkdir -p "$BATS_TEST_TMPDIR/bin"
  printf '#!/bin/sh\necho "$*" >>%q\nexec %q "$@"\n' "$BATS_TEST_TMPDIR/args" "$PODMAN_RUNTIME" >"$BATS_TEST_TMPDIR/bin/$1"
  chmod +x "$BATS_TEST_TMPDIR/bin/$1"
}

# The command lines Podman used: create with --log-format=json --log FILE,
# and its cleanup's `delete --force ID` without --root.
assert_engine_args() {
  run -0 grep -E '^--log-format=json --log /[^ ]+ create --bundle /' "$BATS_TEST_TMPDIR/args"
  run -0 grep -E '^start [0-9a-f]{64}$' "$BATS_TEST_TMPDIR/args"
  run -0 grep -E '^delete --force [0-9a-f]{64}$' "$BATS_TEST_TMPDIR/args"
  run ! grep -E -- '--root' "$BATS_TEST_TMPDIR/args"
}

@test "podman: runtime declared as hydra gets --log-format=json --log FILE" {
  wrapper hydra-runc
  sed "s|^hydra = .*|hydra = [\"$BATS_TEST_TMPDIR/bin/hydra-runc\"]|" "$CONTAINERS_CONF" >"$BATS_TEST_TMPDIR/containers.conf"
  CONTAINERS_CONF=$BATS_TEST_TMPDIR/containers.conf run -0 pm run --rm "$PODMAN_IMAGE" echo logged
  assert_eq "$output" logged
  assert_engine_args
}

@test "podman: runtime named runc gets --log-format=json --log FILE" {
  podman_use_runtime runc
  wrapper runc
  run -0 pm --runtime "$BATS_TEST_TMPDIR/bin/runc" run --rm "$PODMAN_IMAGE" echo logged
  assert_eq "$output" logged
  assert_engine_args
}

# --- the scenarios, runtime as declared (hydra) and named runc -------------

@test "podman[hydra]: run --rm echo" { scenario_run_rm_echo; }
@test "podman[runc]: run --rm echo" { podman_use_runtime runc; scenario_run_rm_echo; }
@test "podman[hydra]: exit code passed through" { podman_exit_codes; }
@test "podman[runc]: exit code passed through" { podman_use_runtime runc; podman_exit_codes; }
@test "podman[hydra]: run -d, ps shows it Up" { scenario_run_d_ps; }
@test "podman[runc]: run -d, ps shows it Up" { podman_use_runtime runc; scenario_run_d_ps; }
@test "podman[hydra]: exec" { scenario_exec; }
@test "podman[runc]: exec" { podman_use_runtime runc; scenario_exec; }
@test "podman[hydra]: exec -t" { scenario_exec_t; }
@test "podman[runc]: exec -t" { podman_use_runtime runc; scenario_exec_t; }
@test "podman[hydra]: pause" { scenario_pause; }
@test "podman[runc]: pause" { podman_use_runtime runc; scenario_pause; }
@test "podman[hydra]: unpause" { scenario_unpause; }
@test "podman[runc]: unpause" { podman_use_runtime runc; scenario_unpause; }
@test "podman[hydra]: stop runs the SIGTERM trap" { scenario_stop; }
@test "podman[runc]: stop runs the SIGTERM trap" { podman_use_runtime runc; scenario_stop; }
@test "podman[hydra]: kill, wait -> 137" { scenario_kill_wait; }
@test "podman[runc]: kill, wait -> 137" { podman_use_runtime runc; scenario_kill_wait; }
@test "podman[hydra]: rm" { scenario_rm; }
@test "podman[runc]: rm" { podman_use_runtime runc; scenario_rm; }
@test "podman[hydra]: rm -f of a running container" { scenario_rm_f; }
@test "podman[runc]: rm -f of a running container" { podman_use_runtime runc; scenario_rm_f; }
@test "podman[hydra]: run -t" { scenario_run_t; }
@test "podman[runc]: run -t" { podman_use_runtime runc; scenario_run_t; }
@test "podman[hydra]: missing command -> 127 with the runtime's error" { scenario_missing_command; }
@test "podman[runc]: missing command -> 127 with the runtime's error" { podman_use_runtime runc; scenario_missing_command; }

# --- agent sandboxes (issue 16, docs/sandbox.md) ---------------------------
#
# An engine passes a policy to the runtime in the annotation
# org.hydra-runc.sandbox.policy: here `podman run --annotation KEY=VALUE`
# with the issue's example policy (its YAML as is, CSV-quoted: see
# podman_annotation), the runtime as declared (hydra).  Podman runs the
# runtime without --root, so the state and the audit stream are under
# the runtime's default root, PODMAN_HYDRA_ROOT.

PODMAN_HYDRA_ROOT=/run/hydra-runc

# podman_annotation KEY VALUE: the argument for `--annotation` that gives
# KEY the value VALUE, whatever it holds.  Podman (4.3) declares
# --annotation a string slice (pflag): each argument is read as one CSV
# record, so a bare value is cut at its first comma (one more annotation
# per piece) and at its first newline (the rest dropped): the issue's
# YAML would arrive as "policy:", and JSON fails ("bare \" in
# non-quoted-field").  As a quoted CSV field (inner quotes doubled) it
# arrives whole.
podman_annotation() {
  local kv="$1=$2"
  printf '"%s"' "${kv//\"/\"\"}"
}

# sandbox_run NAME [PODMAN-RUN-FLAGS...]: the workload, detached, with $VOL
# at /workspace; sets ID, waits for its findings.
sandbox_run() {
  local name=$1
  if e2e_runtime_is_runc "$PODMAN_RUNTIME"; then
    skip "the runtime under test is runc: the policy annotation is hydra-runc's"
  fi
  shift
  ID=$(pm run -d --name "$name" -v "$VOL:/workspace" "$@" "$PODMAN_IMAGE" \
    sh -c "$E2E_SANDBOX_WORKLOAD" </dev/null) || fail "podman run -d $name failed" || return 1
  IDS+=("$ID")
  podman_wait_for "$VOL/result" 30 || fail "no findings; podman logs: $(pm logs "$name" 2>&1)"
}

@test "podman[hydra]: sandbox: run --annotation with the issue's policy: enforced, on record, no audit process after rm" {
  sandbox_run sb --annotation "$(podman_annotation "$E2E_POLICY_KEY" "$HR_EXAMPLE_POLICY")"
  # Podman passed the annotation through whole (newlines, commas, quotes).
  run -0 pm inspect --format "{{index .Config.Annotations \"$E2E_POLICY_KEY\"}}" sb
  assert_eq "$output" "$HR_EXAMPLE_POLICY" "the annotation as Podman recorded it"
  local sd=$PODMAN_HYDRA_ROOT/$ID
  [ -d "$sd" ] || fail "no runtime state at $sd: Podman's runtime root is not $PODMAN_HYDRA_ROOT"
  e2e_events_start "$PODMAN_RUNTIME" "$PODMAN_HYDRA_ROOT" "$ID"

  # Inside: what the workload found.
  e2e_assert_sandboxed "$VOL/result"
  # The host's view of the init.
  pid=$(pm inspect --format '{{.State.Pid}}' sb)
  e2e_assert_sandbox_kernel_view "$pid"
  [ ! -e "$(pm inspect --format '{{.GraphDriver.Data.UpperDir}}' sb)/etc/evil" ] || fail "/etc/evil in the container's upper layer"
  # `podman exec` gets the same rules.
  run -137 pm exec sb nc 127.0.0.1 1
  run -1 pm exec sb touch /etc/by-exec

  e2e_assert_audit_running "$ID" "$sd"

  # podman rm: the runtime's delete stops the audit process, which ends
  # the stream `events --audit` follows.
  run -0 pm rm -f --time 0 sb
  e2e_assert_audit_ended "$ID" "$sd"
}

@test "podman[hydra]: sandbox: the same workload without the annotation is not confined (the checks can fail)" {
  sandbox_run plain
  e2e_assert_not_sandboxed "$VOL/result"
  e2e_assert_no_audit "$ID" "$PODMAN_HYDRA_ROOT/$ID"
}
