#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# containerd on top of the runtime under test: a private containerd (own
# config, root, state and socket under a temp dir), an image built locally
# by make-image.sh and imported with `ctr images import`, containers run by
# `ctr run --runc-binary RUNTIME` through the runc shim
# (io.containerd.runc.v2), as containerd users and Kubernetes do.
#
# The runtime under test is $HYDRA_E2E_RUNTIME, default $HYDRA_RUNC; the
# same file passes with Debian's runc:
#   HYDRA_E2E_RUNTIME=$(command -v runc) bats tests/e2e/containerd.bats
# Also checks the CRI configuration shipped in contrib/ (containerd,
# CRI-O, the Kubernetes RuntimeClass).

bats_require_minimum_version 1.5.0
load e2e-helpers
load ../integration/sandbox-helpers

setup_file() {
  ctrd_setup_file
}

teardown_file() {
  ctrd_teardown_file
}

setup() {
  [ -z "${CTRD_SKIP:-}" ] || skip "$CTRD_SKIP"
  HOSTDIR=$BATS_TEST_TMPDIR/host
  mkdir -p "$HOSTDIR"
  ID=t$BATS_TEST_NUMBER
}

teardown() {
  # (a sandbox test's `events --audit`, when it failed before its end)
  [ -z "${E2E_EVENTS_PID:-}" ] || kill "$E2E_EVENTS_PID" 2>/dev/null || true
  [ -n "${CTRD_SKIP:-}" ] || ! [ -S "${CTRD_SOCK:-}" ] || ctrd_remove "$ID"
}

assert_not_match() {
  ! [[ $1 =~ $2 ]] || fail "${3:-value}: '$1' matches /$2/"
}

# assert_contains STRING SUBSTRING [WHAT]
assert_contains() {
  [[ $1 == *"$2"* ]] || fail "${3:-value}: '$1' does not contain '$2'"
}

# The bind mount of $HOSTDIR at /host, for ctr run.
host_mount() {
  echo "--mount=type=bind,src=$HOSTDIR,dst=/host,options=rbind:rw"
}

# The runtime's state directory for container ID (the shim's --root is
# <runc root>/<namespace>).
state_dir() {
  echo "$CTRD_RUNC_ROOT/$CTRD_NS/$1"
}

@test "containerd: private daemon is up, image imported and unpacked" {
  run ctrd_ctr version
  [ "$status" -eq 0 ] || fail "ctr version: $output"
  run ctrd_ctr plugins ls
  [ "$status" -eq 0 ]
  # CRI off for these tests; the snapshotter in use loaded.
  assert_not_match "$output" $'io\\.containerd\\.grpc\\.v1[[:space:]]+cri[[:space:]]'
  assert_match "$output" "io\\.containerd\\.snapshotter\\.v1[[:space:]]+${CONTAINERD_SNAPSHOTTER}[[:space:]].*ok"
  run ctrd_ctr images ls -q
  [ "$status" -eq 0 ]
  assert_eq "$output" "$CTRD_IMAGE" "images"
  run ctrd_ctr images check
  assert_match "$output" "complete"
  run ctrd_ctr snapshots --snapshotter "$CONTAINERD_SNAPSHOTTER" ls
  [ "$status" -eq 0 ]
  assert_match "$output" "Committed"
}

@test "containerd: run --rm prints the container's output and passes its exit status" {
  run ctrd_run --rm "$ID" sh -c 'cat /etc/hydra-e2e-image; echo "pid=$$"; echo "path=$PATH"' </dev/null
  [ "$status" -eq 0 ] || fail "ctr run: $output"
  assert_match "$output" "hydra-e2e-image"
  assert_match "$output" "pid=1"
  # The image config's Env reached the process.
  assert_match "$output" "path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
  run ctrd_run --rm "$ID" sh -c 'echo to-stderr >&2; exit 3' </dev/null
  assert_eq "$status" 3 "exit status of ctr run"
  assert_match "$output" "to-stderr"
  run ctrd_run --rm "$ID" false </dev/null
  assert_eq "$status" 1 "exit status of ctr run false"
  # --rm removed the container, the task and the runtime's state.
  run ctrd_ctr containers ls -q
  assert_eq "$output" "" "containers left"
  [ ! -e "$(state_dir "$ID")" ] || fail "runtime state left: $(state_dir "$ID")"
}

@test "containerd: run -d; task ls RUNNING; the runtime's state agrees" {
  ctrd_run_d "$ID" sleep 1000
  ctrd_wait_status "$ID" RUNNING
  pid=$(ctrd_task_pid "$ID")
  [ "$pid" -gt 1 ]
  # The shim keeps the runtime's state under --root <runc root>/<namespace>.
  [ -d "$(state_dir "$ID")" ] || fail "no state dir $(state_dir "$ID"): $(ls -R "$CTRD_RUNC_ROOT")"
  run "$CTRD_RUNTIME" --root "$CTRD_RUNC_ROOT/$CTRD_NS" state "$ID"
  [ "$status" -eq 0 ] || fail "state: $output"
  assert_eq "$(jq -r .status <<<"$output")" running "runtime state status"
  assert_eq "$(jq -r .pid <<<"$output")" "$pid" "runtime state pid"
  run "$CTRD_RUNTIME" --root "$CTRD_RUNC_ROOT/$CTRD_NS" list -q
  assert_match "$output" "(^|$'\n')$ID($|$'\n')"
  # The init is sleep, in its own pid namespace, in the cgroup the default
  # spec names (/<namespace>/<id>).
  assert_eq "$(cat "/proc/$pid/comm")" sleep "init's comm"
  [ "$(readlink "/proc/$pid/ns/pid")" != "$(readlink /proc/self/ns/pid)" ] || fail "no new pid namespace"
  assert_match "$(cat "/proc/$pid/cgroup")" "/$CTRD_NS/$ID"
}

@test "containerd: task exec --exec-id: output, exit status, same namespaces" {
  ctrd_run_d "$ID" sleep 1000
  ctrd_wait_status "$ID" RUNNING
  pid=$(ctrd_task_pid "$ID")
  run ctrd_exec --exec-id e1 "$ID" sh -c 'echo in-exec; cat /etc/hydra-e2e-image; readlink /proc/1/ns/pid; readlink /proc/self/ns/mnt' </dev/null
  [ "$status" -eq 0 ] || fail "task exec: $output"
  assert_match "$output" "in-exec"
  assert_match "$output" "hydra-e2e-image"
  assert_contains "$output" "$(readlink "/proc/$pid/ns/pid")" "exec's pid namespace"
  assert_contains "$output" "$(readlink "/proc/$pid/ns/mnt")" "exec's mount namespace"
  run ctrd_exec --exec-id e2 --cwd /etc "$ID" sh -c 'pwd; exit 7' </dev/null
  assert_eq "$status" 7 "exit status of task exec"
  assert_eq "$output" /etc "cwd of exec"
  run ctrd_exec --exec-id e3 --user 1000 "$ID" id -u </dev/null
  [ "$status" -eq 0 ] || fail "task exec --user: $output"
  assert_eq "$output" 1000 "uid of exec --user 1000"
  # A failing exec reports the runtime's error, the task goes on.
  run ctrd_exec --exec-id e4 "$ID" no-such-cmd </dev/null
  [ "$status" -ne 0 ]
  assert_match "$output" "executable file not found in \\\$PATH"
  assert_eq "$(ctrd_task_status "$ID")" RUNNING "status after failed exec"
}

@test "containerd: task exec -t gets a terminal" {
  ctrd_run_d "$ID" sleep 1000
  ctrd_wait_status "$ID" RUNNING
  run ctrd_in_tty "$(ctrd_ctr_cmdline task exec --fifo-dir "$CTRD_DIR/fifo" -t --exec-id tty1 "$ID" sh -c 'test -t 0 && test -t 1 && echo "tty=$(tty)"; exit 6')"
  assert_eq "$status" 6 "exit status of task exec -t"
  assert_match "$output" "tty=/dev/pts/[0-9]+"
}

@test "containerd: run -t gets a terminal" {
  run ctrd_in_tty "$(ctrd_ctr_cmdline run --runc-binary "$CTRD_RUNTIME" --runc-root "$CTRD_RUNC_ROOT" --fifo-dir "$CTRD_DIR/fifo" --rm -t "$CTRD_IMAGE" "$ID" sh -c 'test -t 0 && test -t 1 && echo "tty=$(tty)"; exit 4')"
  assert_eq "$status" 4 "exit status of run -t"
  assert_match "$output" "tty=/dev/pts/[0-9]+"
  run ctrd_ctr containers ls -q
  assert_eq "$output" "" "containers left"
}

@test "containerd: task ps lists the init and an exec'd process" {
  ctrd_run_d "$ID" sleep 1000
  ctrd_wait_status "$ID" RUNNING
  pid=$(ctrd_task_pid "$ID")
  ctrd_exec -d --exec-id bg "$ID" sleep 999 </dev/null >/dev/null 2>&1
  local i pids=""
  for ((i = 0; i < 100; i++)); do
    pids=$(ctrd_ctr task ps "$ID" | awk 'NR > 1 { print $1 }' | sort -n | tr '\n' ' ')
    [ "$(wc -w <<<"$pids")" -ge 2 ] && break
    sleep 0.05
  done
  [ "$(wc -w <<<"$pids")" -eq 2 ] || fail "task ps: want 2 pids, got '$pids'"
  assert_match " $pids" " $pid "
  for p in $pids; do
    [ "$p" = "$pid" ] && continue
    assert_eq "$(cat "/proc/$p/comm")" sleep "exec'd process"
  done
}

@test "containerd: task pause freezes (PAUSED), resume thaws (RUNNING)" {
  ctrd_run_d "$(host_mount)" "$ID" sh -c 'i=0; while :; do i=$((i+1)); echo $i > /host/tick; sleep 0.05; done'
  ctrd_wait_status "$ID" RUNNING
  ctrd_wait_file "$HOSTDIR/tick"
  run ctrd_ctr task pause "$ID"
  [ "$status" -eq 0 ] || fail "task pause: $output"
  assert_eq "$(ctrd_task_status "$ID")" PAUSED "status after pause"
  sleep 0.3
  a=$(cat "$HOSTDIR/tick")
  sleep 0.5
  b=$(cat "$HOSTDIR/tick")
  assert_eq "$b" "$a" "tick while paused"
  run ctrd_ctr task resume "$ID"
  [ "$status" -eq 0 ] || fail "task resume: $output"
  assert_eq "$(ctrd_task_status "$ID")" RUNNING "status after resume"
  local i
  for ((i = 0; i < 100; i++)); do
    [ "$(cat "$HOSTDIR/tick")" != "$b" ] && break
    sleep 0.05
  done
  [ "$(cat "$HOSTDIR/tick")" != "$b" ] || fail "no tick after resume"
}

@test "containerd: task kill SIGTERM reaches the trap; task delete reports exit and cleans up" {
  ctrd_run_d "$(host_mount)" "$ID" sh -c 'trap "echo got-term > /host/marker; exit 0" TERM; echo ready > /host/ready; while :; do sleep 0.1; done'
  ctrd_wait_status "$ID" RUNNING
  ctrd_wait_file "$HOSTDIR/ready"
  pid=$(ctrd_task_pid "$ID")
  run ctrd_ctr task kill -s SIGTERM "$ID"
  [ "$status" -eq 0 ] || fail "task kill: $output"
  ctrd_wait_file "$HOSTDIR/marker"
  assert_eq "$(cat "$HOSTDIR/marker")" got-term "marker"
  ctrd_wait_status "$ID" STOPPED
  run ctrd_ctr task delete "$ID"
  [ "$status" -eq 0 ] || fail "task delete: $output"
  # Exit status 0: ctr warns only on non-zero.
  [[ $output != *"non-zero exit code"* ]] || fail "task delete: $output"
  run ctrd_ctr task ls -q
  assert_eq "$output" "" "tasks after delete"
  [ ! -e "$(state_dir "$ID")" ] || fail "runtime state left: $(state_dir "$ID")"
  [ -z "$(find /sys/fs/cgroup -mindepth 2 -maxdepth 3 -type d -path "*/$CTRD_NS/$ID")" ] ||
    fail "cgroup left: $(find /sys/fs/cgroup -mindepth 2 -maxdepth 3 -type d -path "*/$CTRD_NS/$ID")"
  [ ! -e "/proc/$pid" ] || [ "$(awk '{print $3}' "/proc/$pid/stat")" = Z ] || fail "init $pid still alive"
  run ctrd_ctr containers rm "$ID"
  [ "$status" -eq 0 ] || fail "containers rm: $output"
}

@test "containerd: task kill SIGKILL stops a task that ignores SIGTERM (exit 137)" {
  ctrd_run_d "$(host_mount)" "$ID" sh -c 'trap "" TERM; echo ready > /host/ready; while :; do sleep 0.1; done'
  ctrd_wait_status "$ID" RUNNING
  ctrd_wait_file "$HOSTDIR/ready"
  ctrd_ctr task kill -s SIGTERM "$ID"
  sleep 0.5
  assert_eq "$(ctrd_task_status "$ID")" RUNNING "status after ignored SIGTERM"
  run ctrd_ctr task kill -s SIGKILL "$ID"
  [ "$status" -eq 0 ] || fail "task kill: $output"
  ctrd_wait_status "$ID" STOPPED
  run ctrd_ctr task delete "$ID"
  [ "$status" -eq 0 ] || fail "task delete: $output"
  assert_match "$output" "exit code 137"
  [ ! -e "$(state_dir "$ID")" ] || fail "runtime state left"
}

@test "containerd: run --memory-limit --cpus: the runtime sets the container's cgroup limits" {
  ctrd_run_d --memory-limit=67108864 --cpus=0.5 "$ID" sleep 1000
  ctrd_wait_status "$ID" RUNNING
  pid=$(ctrd_task_pid "$ID")
  local mem cpu
  if [ -d /sys/fs/cgroup/memory ]; then
    mem=/sys/fs/cgroup/memory/$CTRD_NS/$ID
    assert_eq "$(cat "$mem/memory.limit_in_bytes")" 67108864 "memory.limit_in_bytes"
    cpu=/sys/fs/cgroup/cpu/$CTRD_NS/$ID
    assert_eq "$(cat "$cpu/cpu.cfs_quota_us") $(cat "$cpu/cpu.cfs_period_us")" "50000 100000" "cfs quota/period"
    grep -qx "$pid" "$mem/cgroup.procs" || fail "init $pid not in $mem"
  else
    mem=/sys/fs/cgroup/$CTRD_NS/$ID
    assert_eq "$(cat "$mem/memory.max")" 67108864 "memory.max"
    assert_eq "$(cat "$mem/cpu.max")" "50000 100000" "cpu.max"
    grep -qx "$pid" "$mem/cgroup.procs" || fail "init $pid not in $mem"
  fi
  # What ctr task metrics reads back (the shim reads the cgroup itself).
  run ctrd_ctr task metrics "$ID"
  [ "$status" -eq 0 ] || fail "task metrics: $output"
  assert_match "$output" "memory\.(limit_in_bytes|max)[[:space:]]+67108864"
}

@test "containerd: run --seccomp installs containerd's default seccomp profile" {
  if "$CTRD_RUNTIME" features 2>/dev/null | jq -e '.linux.seccomp.enabled == false' >/dev/null; then
    skip "the runtime under test reports seccomp.enabled=false in 'features'"
  fi
  run ctrd_run --rm --seccomp "$ID" sh -c 'grep ^Seccomp /proc/self/status; if unshare -U true; then echo unshare-allowed; fi' </dev/null
  [ "$status" -eq 0 ] || fail "ctr run --seccomp: $output"
  assert_match "$output" "Seccomp:[[:space:]]+2"
  assert_not_match "$output" "unshare-allowed" "unshare(CLONE_NEWUSER) under the default profile"
}

@test "containerd: a missing executable surfaces the runtime's error through ctr" {
  run ctrd_run --rm "$ID" no-such-program </dev/null
  [ "$status" -ne 0 ] || fail "ctr run of a missing program succeeded: $output"
  # The shim reads the last error of the runtime's JSON log.
  assert_match "$output" "OCI runtime create failed"
  assert_match "$output" "exec: \"no-such-program\": executable file not found in \\\$PATH"
  run ctrd_run --rm "$ID" /no/such/program </dev/null
  [ "$status" -ne 0 ] || fail "ctr run of a missing path succeeded: $output"
  assert_match "$output" "OCI runtime create failed"
  assert_match "$output" "/no/such/program"
  assert_match "$output" "[Nn]o such file or directory"
  # Nothing left: no task, no runtime state, no container init.
  run ctrd_ctr task ls -q
  assert_eq "$output" "" "tasks left"
  [ ! -e "$(state_dir "$ID")" ] || fail "runtime state left"
}

@test "containerd: the shim runs the runtime with --root <root>/<ns> --log <bundle>/log.json --log-format json" {
  # A recording wrapper in front of the runtime (argv only; it execs it).
  cat >"$BATS_TEST_TMPDIR/rt" <<EOF
#!/bin/bash
printf '%s\n' "\$*" >>"$BATS_TEST_TMPDIR/argv"
exec "$CTRD_RUNTIME" "\$@"
EOF
  chmod +x "$BATS_TEST_TMPDIR/rt"
  ctrd_ctr run -d --null-io --runc-binary "$BATS_TEST_TMPDIR/rt" --runc-root "$CTRD_RUNC_ROOT" \
    "$CTRD_IMAGE" "$ID" sleep 1000 </dev/null >/dev/null
  ctrd_wait_status "$ID" RUNNING
  bundle=$CTRD_DIR/state/io.containerd.runtime.v2.task/$CTRD_NS/$ID
  [ -f "$bundle/config.json" ] || fail "no bundle at $bundle"
  ctrd_exec --exec-id x "$ID" true </dev/null
  ctrd_ctr task kill -s SIGKILL "$ID"
  ctrd_wait_status "$ID" STOPPED
  ctrd_ctr task delete "$ID" >/dev/null 2>&1 || true
  run cat "$BATS_TEST_TMPDIR/argv"
  local line n=0 want="--root $CTRD_RUNC_ROOT/$CTRD_NS --log $bundle/log.json --log-format json"
  while IFS= read -r line; do
    [[ $line == "$want "* ]] || fail "runtime command line without '$want': $line"
    n=$((n + 1))
  done <"$BATS_TEST_TMPDIR/argv"
  for cmd in create start exec kill delete; do
    assert_match "$output" "--log-format json $cmd " "the shim's runtime commands"
  done
  [ "$n" -ge 5 ]
}

@test "containerd: the runtime installed as 'runc' in containerd's PATH is used without --runc-binary" {
  # A private install: a copy named runc, first in the daemon's PATH (see
  # ctrd_start_daemon).  go-runc parses `runc --version` only when its first
  # line starts with "runc version "; hydra-runc says so when named runc.
  cp "$CTRD_RUNTIME" "$CTRD_DIR/bin/runc"
  run "$CTRD_DIR/bin/runc" --version
  [ "$status" -eq 0 ]
  assert_match "${lines[0]}" "^runc version [^ ]+"
  pid=$(cat "$CTRD_PIDFILE")
  daemon_path=$(tr '\0' '\n' <"/proc/$pid/environ" | sed -n 's/^PATH=//p')
  assert_eq "$(PATH=$daemon_path command -v runc)" "$CTRD_DIR/bin/runc" "runc in containerd's PATH"
  # Exec'ing the copy updates its atime (relatime: atime older than mtime).
  touch -a -d @0 "$CTRD_DIR/bin/runc"
  run ctrd_ctr run --rm --runc-root "$CTRD_RUNC_ROOT" --fifo-dir "$CTRD_DIR/fifo" \
    "$CTRD_IMAGE" "$ID" sh -c 'echo via-path; exit 2' </dev/null
  atime=$(stat -c %X "$CTRD_DIR/bin/runc")
  rm -f "$CTRD_DIR/bin/runc"
  assert_eq "$status" 2 "exit status"
  assert_match "$output" "via-path"
  if [[ ,$(findmnt -no OPTIONS -T "$CTRD_DIR"), != *,noatime,* ]]; then
    [ "$atime" -gt 0 ] || fail "the shim did not run $CTRD_DIR/bin/runc"
  fi
  run ctrd_run --rm "$ID" true </dev/null
  [ "$status" -eq 0 ] || fail "run after removing the copy: $output"
}

@test "contrib/containerd: the CRI snippet declares runtime hydra (runc shim, BinaryName)" {
  local snippet=$BATS_TEST_DIRNAME/../../contrib/containerd/hydra-runtime.toml
  [ -f "$snippet" ]
  run /usr/bin/python3 - "$snippet" <<'EOF'
import sys, tomllib
with open(sys.argv[1], "rb") as f:
    c = tomllib.load(f)
assert c["version"] == 2, c.get("version")
cri = c["plugins"]["io.containerd.grpc.v1.cri"]["containerd"]
h = cri["runtimes"]["hydra"]
assert h["runtime_type"] == "io.containerd.runc.v2", h
assert h["options"]["BinaryName"] == "/usr/local/bin/hydra-runc", h
# The default runtime must stay declared, or the CRI plugin refuses to load.
assert cri.get("default_runtime_name", "runc") in cri["runtimes"], cri
print("ok")
EOF
  [ "$status" -eq 0 ] || fail "$output"
  # containerd merges it (imports) into its configuration.
  local d=$CTRD_DIR/cri
  mkdir -p "$d"
  ctrd_write_config "$d/config.toml" "$d" cri <<<"imports = [\"$(cd "$(dirname "$snippet")" && pwd)/hydra-runtime.toml\"]"
  run containerd --config "$d/config.toml" config dump
  [ "$status" -eq 0 ] || fail "config dump: $output"
  assert_match "$output" '\[plugins\."io\.containerd\.grpc\.v1\.cri"\.containerd\.runtimes\.hydra\]'
  dump=$output
  run /usr/bin/python3 -c '
import sys, tomllib
c = tomllib.loads(sys.stdin.read())
h = c["plugins"]["io.containerd.grpc.v1.cri"]["containerd"]["runtimes"]["hydra"]
print(h["runtime_type"], h["options"]["BinaryName"])' <<<"$dump"
  [ "$status" -eq 0 ] || fail "$output"
  assert_eq "$output" "io.containerd.runc.v2 /usr/local/bin/hydra-runc" "dumped hydra runtime"
  # A containerd started with it loads the CRI plugin (no kubelet needed)
  # with the hydra runtime.
  ctrd_start_daemon "$d/config.toml" "$d/containerd.log" "$d/containerd.pid" "$d/containerd.sock"
  run timeout 30 ctr --address "$d/containerd.sock" plugins ls
  ctrd_stop_daemon "$d/containerd.pid"
  [ "$status" -eq 0 ] || fail "plugins ls: $output"
  assert_match "$output" $'io\\.containerd\\.grpc\\.v1[[:space:]]+cri[[:space:]]+[^\n]*[[:space:]]ok'
  grep -q 'Start cri plugin with config' "$d/containerd.log" || fail "no CRI start in the log: $(tail -n 20 "$d/containerd.log")"
  assert_match "$(grep 'Start cri plugin with config' "$d/containerd.log")" \
    'hydra:\{Type:io\.containerd\.runc\.v2 [^}]*BinaryName:/usr/local/bin/hydra-runc'
  [ -z "$(ctrd_mounts_under "$d")" ] || fail "mounts left under $d"
  rm -rf "$d"
}

@test "contrib/crio: 10-hydra.conf is TOML declaring crio.runtime.runtimes.hydra" {
  run /usr/bin/python3 - "$BATS_TEST_DIRNAME/../../contrib/crio/10-hydra.conf" <<'EOF'
import sys, tomllib
with open(sys.argv[1], "rb") as f:
    c = tomllib.load(f)
h = c["crio"]["runtime"]["runtimes"]["hydra"]
assert h["runtime_path"] == "/usr/local/bin/hydra-runc", h
assert h["runtime_type"] == "oci", h
assert h["runtime_root"].startswith("/"), h
assert set(c) == {"crio"} and set(c["crio"]) == {"runtime"}, c
print("ok")
EOF
  [ "$status" -eq 0 ] || fail "$output"
}

@test "contrib/kubernetes: runtimeclass.yaml is a node.k8s.io/v1 RuntimeClass with handler hydra" {
  run /usr/bin/python3 - "$BATS_TEST_DIRNAME/../../contrib/kubernetes/runtimeclass.yaml" <<'EOF'
import re, sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d is not None]
assert len(docs) == 1, docs
rc = docs[0]
assert rc["apiVersion"] == "node.k8s.io/v1", rc
assert rc["kind"] == "RuntimeClass", rc
name = rc["metadata"]["name"]
# metadata.name: a DNS subdomain; handler: a DNS label (Kubernetes validation).
assert re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*", name) and len(name) <= 253, name
h = rc["handler"]
assert re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", h) and len(h) <= 63, h
assert h == "hydra", h
print("ok")
EOF
  [ "$status" -eq 0 ] || fail "$output"
}

# --- agent sandboxes (issue 16, docs/sandbox.md) ---------------------------
#
# An engine passes a policy to the runtime in the annotation
# org.hydra-runc.sandbox.policy: here `ctr run --annotation KEY=VALUE`
# (one argument, split at its first `=`; ctr's flag takes the value
# whole, newlines and commas too) with the issue's example policy, its
# YAML as is, through the runc shim.  The workload's findings come back
# through the engine's bind mount at /workspace (a writable path; the
# policy keeps the mount).

# sandbox_run [CTR-RUN-FLAGS...]: the workload as task $ID, detached;
# waits for its findings.
sandbox_run() {
  if e2e_runtime_is_runc "$CTRD_RUNTIME"; then
    skip "the runtime under test is runc: the policy annotation is hydra-runc's"
  fi
  ctrd_run_d "$@" "--mount=type=bind,src=$HOSTDIR,dst=/workspace,options=rbind:rw" \
    "$ID" sh -c "$E2E_SANDBOX_WORKLOAD"
  ctrd_wait_status "$ID" RUNNING
  ctrd_wait_file "$HOSTDIR/result" 30
}

@test "containerd: sandbox: run --annotation with the issue's policy: enforced, on record, no audit process after task rm" {
  sandbox_run "--annotation=$E2E_POLICY_KEY=$HR_EXAMPLE_POLICY"
  # ctr put the annotation in the container's spec whole.
  run -0 ctrd_ctr containers info "$ID"
  assert_eq "$(jq -r --arg k "$E2E_POLICY_KEY" '.Spec.annotations[$k]' <<<"$output")" "$HR_EXAMPLE_POLICY" "the annotation in the spec"
  local root=$CTRD_RUNC_ROOT/$CTRD_NS sd
  sd=$(state_dir "$ID")
  e2e_events_start "$CTRD_RUNTIME" "$root" "$ID"

  # Inside: what the workload found.
  e2e_assert_sandboxed "$HOSTDIR/result"
  # The host's view of the init.
  pid=$(ctrd_task_pid "$ID")
  e2e_assert_sandbox_kernel_view "$pid"
  # `ctr task exec` gets the same rules.
  run ctrd_exec --exec-id nc "$ID" nc 127.0.0.1 1 </dev/null
  assert_eq "$status" 137 "exit status of an exec'd nc"
  run ctrd_exec --exec-id etc "$ID" touch /etc/by-exec </dev/null
  assert_eq "$status" 1 "exit status of an exec'd write to /etc"

  e2e_assert_audit_running "$ID" "$sd"

  # task kill, task rm (the runtime's delete stops the audit process and
  # so ends the stream), container rm.
  run -0 ctrd_ctr task kill -s SIGKILL "$ID"
  ctrd_wait_status "$ID" STOPPED
  run -0 ctrd_ctr task rm "$ID"
  run -0 ctrd_ctr containers rm "$ID"
  e2e_assert_audit_ended "$ID" "$sd"
}

@test "containerd: sandbox: the same workload without the annotation is not confined (the checks can fail)" {
  sandbox_run
  e2e_assert_not_sandboxed "$HOSTDIR/result"
  e2e_assert_no_audit "$ID" "$(state_dir "$ID")"
}

@test "containerd: teardown stops the daemon and leaves no mount, task or cgroup" {
  ctrd_run_d "$ID" sleep 1000
  ctrd_wait_status "$ID" RUNNING
  [ -n "$(ctrd_mounts_under "$CTRD_DIR")" ] || [ "$CONTAINERD_SNAPSHOTTER" = native ] ||
    fail "no rootfs mount under $CTRD_DIR while a container runs"
  pid=$(cat "$CTRD_PIDFILE")
  ctrd_teardown_file
  [ ! -e "/proc/$pid" ] || fail "containerd ($pid) still running"
  run ctrd_mounts_under "$CTRD_DIR"
  assert_eq "$output" "" "mounts left"
  [ ! -e "$CTRD_DIR" ] || fail "$CTRD_DIR left"
  run ctrd_cgroups_of "$CTRD_NS"
  assert_eq "$output" "" "cgroups left"
  run pgrep -f "containerd-shim-runc-v2 -namespace $CTRD_NS "
  assert_eq "$output" "" "shims left"
}
