#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Agent sandboxes (issue 16, docs/sandbox.md): the issue's example policy
# runs an agent's workload with every rule enforced by the kernel and
# every action in the audit stream; each rule is tried from inside, the
# denied attempt must fail and be reported, the allowed one must work and
# be reported.

load helpers
load sandbox-helpers

setup_file() {
  requires_root
  hr_setup_file
  sandbox_setup_file
}

setup() {
  requires_root
  requires_hydra
  hr_setup
  AUDIT_EVENTS_PID=
  HR_CLEAN_DIRS=()
}

teardown() {
  [ -z "${AUDIT_EVENTS_PID:-}" ] || kill "$AUDIT_EVENTS_PID" 2>/dev/null || true
  hr_teardown
  local d
  for d in "${HR_CLEAN_DIRS[@]}"; do rm -rf "$d"; done
}

# What the agent does: a shell, busybox tools, a TCP client; each line
# says what happened to it.
WORKLOAD='
mkdir -p /tmp/www && echo page > /tmp/www/index.html
httpd -f -p 127.0.0.1:8080 -h /tmp/www & web=$!
/bin/ls / >/dev/null && echo LS-OK
echo code > /workspace/main.c && echo more >> /workspace/main.c && rm /workspace/main.c && echo WS-OK
if (echo x > /etc/evil) 2>/dev/null; then echo ETC-WROTE; else echo ETC-DENIED; fi
cp /bin/busybox /workspace/bb
/workspace/bb true 2>/dev/null; echo "COPY=$?"
agent-probe mmap-exec /workspace/bb
nc 127.0.0.1 8080 </dev/null; echo "NC=$?"
busybox wget -q -O- http://127.0.0.1:8080/; echo "WGET=$?"
ln -s /bin/busybox /tmp/nc; /tmp/nc 127.0.0.1 8080 </dev/null; echo "NCLINK=$?"
curl 2>/dev/null; echo "CURL=$?"
cp /usr/bin/curl /workspace/c; /workspace/c 2>/dev/null; echo "CURLCOPY=$?"
echo "MEMFD=$(agent-probe memfd-exec /bin/busybox nc 127.0.0.1 8080 </dev/null 2>&1 | tail -n1)"
sleep 0.3
agent-probe connect 127.0.0.1 8080 "GET /index.html HTTP/1.0

"
agent-probe connect 10.99.0.1 80
agent-probe udp 10.99.0.1 53
agent-probe setuid 1234
kill $web
'

@test "sandbox: the issue's policy runs an agent workload, every rule enforced and on record" {
  sandbox_bundle "$HR_EXAMPLE_POLICY"
  cfg_sh "$WORKLOAD"
  create_container "$TAG" || fail "create failed"
  audit_start "$TAG"
  # Every rule enforced on this kernel (Landlock ABI >= 6, BPF LSM).
  local report
  report=$(cat "$ROOT"/*/sandbox.json)
  assert_eq "$(jq -c '.not_enforced' <<<"$report")" "[]" "rules not enforced: $report"
  jq -e '.enforced[] | select(.rule == "executable_paths" and .mechanism == "ebpf exec guard (memfd)")' <<<"$report" >/dev/null \
    || fail "the memfd rule is not in the report: $report"
  hr start "$TAG" || fail "start failed"
  wait_for_status "$TAG" stopped 60
  audit_finish "$TAG"
  # The container inherited create's stdout (create_container's log).
  local out
  out=$(cat "$BATS_TEST_TMPDIR/create-$TAG.out")
  [[ $out == *LS-OK* ]] || fail "ls did not run: $out"
  [[ $out == *WS-OK* ]] || fail "writing the workspace failed: $out"
  [[ $out == *ETC-DENIED* ]] || fail "/etc was written: $out"
  [[ $out == *COPY=126* ]] || fail "a copy of busybox in /workspace ran: $out"
  [[ $out == *"mmap: EPERM"* ]] || fail "PROT_EXEC map of a workspace file allowed: $out"
  [[ $out == *NC=137* ]] || fail "nc (a busybox applet) was not stopped: $out"
  [[ $out == *WGET=137* ]] || fail "busybox wget was not stopped: $out"
  [[ $out == *NCLINK=137* ]] || fail "a symlink named nc was not stopped: $out"
  [[ $out == *CURL=126* ]] || fail "curl (dedicated binary) ran: $out"
  [[ $out == *CURLCOPY=126* ]] || fail "a copy of curl ran: $out"
  # busybox copied into a memfd: no path for Landlock, no noexec mount,
  # another inode than the blocked file; the guard stops it (EPERM with
  # the BPF LSM, SIGKILL before it ran without)
  [[ $out == *"MEMFD=execveat: EPERM"* || $out == *"MEMFD=killed: SIGKILL"* ]] || fail "busybox nc ran from a memfd: $out"
  [[ $out == *page* ]] || fail "the loopback TCP client got no page: $out"
  [[ $out == *"connect: EPERM"* ]] || fail "connect to 10.99.0.1 not denied: $out"
  [[ $out == *"sendto: EPERM"* ]] || fail "UDP to 10.99.0.1 not denied: $out"
  [[ $out == *"setuid: EPERM"* ]] || fail "setuid allowed: $out"

  # The stream of the first (detached) run: every action.
  [ "$(head -n1 "$AUDIT_OUT" | jq -r .type)" = sandbox ] || fail "first line is not the report: $(head -n1 "$AUDIT_OUT")"
  [ "$(tail -n1 "$AUDIT_OUT" | jq -r .type)" = audit-end ] || fail "last line is not audit-end"
  # (busybox runs some applets without execve: /bin/ls by path does exec)
  audit_has '.type == "exec" and .path == "/bin/ls" and .argv[1] == "/" and .pid > 0' "exec of ls with argv"
  audit_has '.type == "exit" and .comm == "nc" and .exit_code == 137 and .signal == 9' "nc killed"
  # .pid: as the container sees it, also for a process that never exec'd
  # (busybox's shell forks its applets and subshells without execve)
  audit_has '.type == "file" and .op == "create" and .path == "/workspace/main.c" and .pid > 0' "file create"
  audit_has '.type == "file" and .op == "modify" and .path == "/workspace/main.c" and .pid > 0' "file modify"
  audit_has '.type == "file" and .op == "delete" and .path == "/workspace/main.c" and .pid > 0' "file delete"
  audit_has '.type == "violation" and .rule == "writable_paths" and (.path | test("/etc/evil")) and .pid > 0' "write to /etc"
  audit_has '.type == "violation" and .rule == "executable_paths" and (.path | test("/workspace/bb")) and .pid > 0' "exec of a copy"
  audit_has '.type == "violation" and .rule == "blocked_commands" and (.what | test("nc")) and .pid > 0' "nc"
  audit_has '.type == "violation" and .rule == "blocked_commands" and (.what | test("wget")) and .pid > 0' "busybox wget"
  audit_has '.type == "violation" and .rule == "blocked_commands" and (.path // "" | test("curl")) and .pid > 0' "curl"
  audit_has '.type == "violation" and .rule == "executable_paths" and (.what == "exec of an in-memory file (memfd), denied" or .what == "exec of an in-memory file (memfd), killed before it ran") and .syscall == "execveat" and .pid > 0' "busybox in a memfd"
  audit_has '.type == "connect" and .address == "127.0.0.1" and .port == 8080 and .allowed' "loopback connect"
  audit_has '.type == "connect" and .address == "10.99.0.1" and .port == 80 and (.allowed | not)' "denied connect"
  audit_has '.type == "connect" and .address == "10.99.0.1" and .port == 53 and (.allowed | not)' "denied UDP"
  audit_has '.type == "privilege" and .syscall == "setuid" and .id == 1234 and (.allowed | not) and .pid > 0' "setuid"
  audit_has '.type == "violation" and .rule == "allow_sudo" and .pid > 0' "setuid as a violation"
}

@test "sandbox: the policy's standard part is in the kernel's view of the container" {
  sandbox_bundle "$HR_EXAMPLE_POLICY"
  cfg_args sleep 100
  create_container "$TAG"
  hr start "$TAG"
  local pid i
  pid=$(state_field "$TAG" pid)
  # (seccomp and Landlock are the last steps before the exec of sleep)
  for ((i = 0; i < 50; i++)); do [ "$(cat "/proc/$pid/comm")" = sleep ] && break; sleep 0.1; done
  grep -q '^CapEff:	0000000000000000' "/proc/$pid/status" || fail "capabilities left: $(grep Cap "/proc/$pid/status")"
  grep -q '^NoNewPrivs:	1' "/proc/$pid/status" || fail "no_new_privs not set"
  grep -q '^Seccomp:	2' "/proc/$pid/status" || fail "no seccomp filter"
  local mi
  mi=$(cat "/proc/$pid/mountinfo")
  [[ $(mnt_opts "$mi" /) == *ro* ]] || fail "/ is not read-only"
  assert_eq "$(mnt_fstype "$mi" /workspace)" tmpfs "/workspace"
  [[ $(mnt_opts "$mi" /workspace) == *noexec* ]] || fail "/workspace is not noexec: $(mnt_opts "$mi" /workspace)"
  [[ $(mnt_opts "$mi" /tmp) == *noexec* ]] || fail "/tmp is not noexec"
  [ "$(readlink "/proc/$pid/ns/net")" != "$(readlink /proc/self/ns/net)" ] || fail "no network namespace"
  assert_eq "$(ls "/proc/$pid/root/sys/class/net" 2>/dev/null | tr '\n' ' ')" "lo " "interfaces"
  # Landlock: the init is in a domain (its own status says so on 6.18 only
  # through behaviour: an exec'd shell cannot write /etc even as root).
  run hr exec "$TAG" sh -c 'echo x > /etc/x; echo rc=$?'
  [[ $output == *rc=1* ]] || fail "exec'd process wrote /etc: $output"
  run hr exec "$TAG" nc 127.0.0.1 1
  [ "$status" -eq 137 ] || fail "exec'd nc not stopped: $status $output"
}

@test "sandbox: an engine's config with the policy annotation is lowered and enforced the same" {
  printf '%s\n' "$HR_EXAMPLE_POLICY" >"$BUNDLE/policy.yaml"
  rm -rf "$BUNDLE/rootfs"
  cp -a "$HR_SANDBOX_ROOTFS" "$BUNDLE/rootfs"
  cfg '.annotations["org.hydra-runc.sandbox.policy"] = $p' --rawfile p "$BUNDLE/policy.yaml"
  cfg_sh 'if (echo x > /etc/evil) 2>/dev/null; then echo ETC-WROTE; fi; nc 127.0.0.1 1; echo "NC=$?"; grep CapEff /proc/self/status'
  run hr run --bundle "$BUNDLE" "$TAG" </dev/null
  [ "$status" -eq 0 ] || fail "run exited $status: $output"
  [[ $output != *ETC-WROTE* ]] || fail "/etc written: $output"
  [[ $output == *NC=137* ]] || fail "nc not stopped: $output"
  [[ $output == *"CapEff:	0000000000000000"* ]] || fail "capabilities kept: $output"
}

@test "sandbox: the audit process outlives create, cannot be stopped from inside, and delete reaps it" {
  sandbox_bundle "$HR_EXAMPLE_POLICY"
  cfg_sh 'kill -9 -1; sleep 100'
  create_container "$TAG"
  local ap
  ap=$(audit_pid_of)
  [ -n "$ap" ] && [ -d "/proc/$ap" ] || fail "no audit process after create"
  assert_eq "$(cat "/proc/$ap/comm")" hydra-audit "audit process name"
  local pid
  pid=$(state_field "$TAG" pid)
  [ "$(readlink "/proc/$ap/ns/pid")" != "$(readlink "/proc/$pid/ns/pid")" ] || fail "audit process in the container's pid namespace"
  ! grep -qx "$(sed -n 's/^0::/0::/p' "/proc/$pid/cgroup")" "/proc/$ap/cgroup" || fail "audit process in the container's cgroup"
  audit_start "$TAG"
  hr start "$TAG"
  sleep 1
  [ -d "/proc/$ap" ] || fail "kill -9 -1 inside stopped the audit process"
  # Follows live: the exec of sleep is there while the container runs.
  local i
  for ((i = 0; i < 50; i++)); do
    jq -c 'select(.type == "exec" and .argv[0] == "sleep")' "$AUDIT_OUT" 2>/dev/null | grep -q . && break
    sleep 0.1
  done
  jq -c 'select(.type == "exec" and .argv[0] == "sleep")' "$AUDIT_OUT" | grep -q . || fail "live stream has no exec of sleep: $(cat "$AUDIT_OUT")"
  audit_finish "$TAG"
  # Exited (its parent, the reaper above create, reaps it: gone or a zombie).
  [ ! -d "/proc/$ap" ] || [ "$(awk '{print $3}' "/proc/$ap/stat" 2>/dev/null)" = Z ] ||
    [ ! -d "/proc/$ap" ] || fail "audit process $ap still running after delete"
  assert_no_state_dirs
}

@test "sandbox: the audit stream also goes to the policy's file, rotated" {
  # (audit.file must be beneath /var/log/hydra-runc: the audit process is root)
  local logdir=/var/log/hydra-runc/$TAG
  mkdir -p "$logdir"
  HR_CLEAN_DIRS+=("$logdir")
  sandbox_bundle "$(printf '%s\n' "$HR_EXAMPLE_POLICY" | sed "s|monitor_network: true}|monitor_network: true, file: $logdir/a.jsonl, max_size_mb: 1, max_files: 2}|")"
  # ~1.5 MB of exec records: 1500 execs with a 900-byte argument.
  cfg_sh 'pad=$(printf "%0900d" 0); i=0; while [ $i -lt 1500 ]; do /bin/true "$pad"; i=$((i+1)); done'
  run hr run --bundle "$BUNDLE" "$TAG" </dev/null
  [ "$status" -eq 0 ] || fail "run exited $status: $output"
  [ -s "$logdir/a.jsonl.1" ] || fail "not rotated: $(ls -l "$logdir")"
  [ ! -e "$logdir/a.jsonl.3" ] || fail "more than max_files kept"
  [ "$(stat -c %s "$logdir/a.jsonl")" -le 1048576 ] || fail "live file past the limit"
  local n
  n=$(cat "$logdir"/a.jsonl* | jq -c 'select(.type == "exec" and .path == "/bin/true")' | wc -l)
  [ "$n" -ge 1000 ] || fail "only $n exec records of 1500 in the kept files"
}

@test "sandbox: require all refuses a container where a rule is not enforced; best-effort says which" {
  local ns=hrsb$$
  ip netns add "$ns"
  HR_NETNS+=("$ns")
  sandbox_bundle "$(printf '%s\n' "$HR_EXAMPLE_POLICY" | sed 's/  name: restricted-coding/  name: restricted-coding\n  require: all/')"
  cfg '.linux.namespaces |= map(if .type == "network" then .path = $p else . end)' --arg p "/run/netns/$ns"
  run --separate-stderr hr_leakcheck create --bundle "$BUNDLE" "$TAG"
  assert_clean_failure 'requires every rule enforced: allow_internet'
  assert_no_cgroup "$TAG"
  # best-effort: it runs, with a warning naming the rule; eBPF still denies.
  sandbox_bundle "$HR_EXAMPLE_POLICY"
  cfg '.linux.namespaces |= map(if .type == "network" then .path = $p else . end)' --arg p "/run/netns/$ns"
  cfg_args agent-probe connect 10.99.0.1 80
  run --separate-stderr hr run --bundle "$BUNDLE" "$TAG" </dev/null
  [[ $stderr == *"allow_internet is not enforced by network namespace"* ]] || fail "no warning: $stderr"
  [[ $output == *"connect: EPERM"* ]] || fail "connect not denied: $output"
}

@test "sandbox: an allow-list lets only the listed destinations through, and the bandwidth is limited" {
  local ns=hrsba$$ host=hrsbh$$
  ip netns add "$ns"; HR_NETNS+=("$ns")
  ip netns add "$host"; HR_NETNS+=("$host")
  ip link add "v$$a" netns "$ns" type veth peer name "v$$b" netns "$host"
  ip -n "$ns" addr add 10.77.0.2/24 dev "v$$a"; ip -n "$ns" link set "v$$a" up; ip -n "$ns" link set lo up
  ip -n "$host" addr add 10.77.0.1/24 dev "v$$b"; ip -n "$host" link set "v$$b" up
  ip -n "$host" addr add 10.77.0.3/24 dev "v$$b"
  # Two listeners on the host side: 8080 (listed) and 9090 (not).
  local srv='import socket,sys
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", int(sys.argv[1]))); s.listen(8); print("up", flush=True)
while True:
    c, _ = s.accept(); c.sendall(sys.argv[2].encode() + b"\n"); c.close()'
  ip netns exec "$host" python3 -c "$srv" 8080 listed >"$BATS_TEST_TMPDIR/l1" 2>&1 3>&- &
  local l1=$!
  ip netns exec "$host" python3 -c "$srv" 9090 unlisted >"$BATS_TEST_TMPDIR/l2" 2>&1 3>&- &
  local l2=$!
  wait_for_file "$BATS_TEST_TMPDIR/l1" 5; wait_for_file "$BATS_TEST_TMPDIR/l2" 5
  sandbox_bundle "$(printf '%s\n' "$HR_EXAMPLE_POLICY" | sed 's/allow_internet: false .*/allow_internet: ["10.77.0.1:8080"]/')"
  cfg '.linux.namespaces |= map(if .type == "network" then .path = $p else . end)' --arg p "/run/netns/$ns"
  cfg_sh 'agent-probe connect 10.77.0.1 8080 hi; agent-probe connect 10.77.0.1 9090 hi; agent-probe connect 10.77.0.3 8080 hi'
  run hr run --bundle "$BUNDLE" "$TAG" </dev/null
  kill "$l1" "$l2" 2>/dev/null || true
  [[ $output == *listed* ]] || fail "the listed destination was not reached: $output"
  [[ $output != *unlisted* ]] || fail "the unlisted port was reached: $output"
  # 9090: Landlock's TCP rule (EACCES) stops it before eBPF; 10.77.0.3: eBPF (EPERM).
  [ "$(grep -cE 'connect: (EPERM|EACCES)' <<<"$output")" -eq 2 ] || fail "want two denied connects: $output"
  # tc on the container's interface: 10 Mbit/s.
  tc -n "$ns" qdisc show dev "v$$a" | grep -q 'tbf.*rate 10Mbit' || fail "no tbf qdisc: $(tc -n "$ns" qdisc show dev "v$$a")"
}

@test "sandbox: checkpoint of a sandboxed container is refused, and the container keeps running" {
  sandbox_bundle "$HR_EXAMPLE_POLICY"
  cfg_args sleep 100
  create_container "$TAG"
  hr start "$TAG"
  run --separate-stderr hr checkpoint --image-path "$BATS_TEST_TMPDIR/img" "$TAG"
  [ "$status" -ne 0 ] || fail "checkpoint of a sandbox succeeded"
  [[ $stderr == *"checkpoint and restore of a sandboxed container"*"not supported"* ]] || fail "stderr: $stderr"
  assert_eq "$(state_field "$TAG" status)" running "status after the refused checkpoint"
  [ ! -e "$BATS_TEST_TMPDIR/img/inventory.img" ] || fail "images written"
}
