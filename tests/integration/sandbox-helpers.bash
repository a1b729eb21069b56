# SPDX-License-Identifier: Apache-2.0
# Shared by the sandbox suites (tests/integration/sandbox*.bats and the VM
# lane's sandbox-v2.bats): a rootfs an agent would have, and bundles made
# from a policy with `spec --policy`.

# The issue's example policy, verbatim (issue 16).
HR_EXAMPLE_POLICY='policy:
  name: restricted-coding
  resource_limits: {max_cpu_cores: 2, max_memory_mb: 4096, max_pids: 512, max_network_mbps: 10}
  access_controls:
    allow_internet: false          # or an allow-list of host:port / CIDR:port
    allow_sudo: false
    writable_paths: ["/workspace", "/tmp"]
    blocked_commands: ["curl", "wget", "nc"]
  audit: {log_level: detailed, monitor_files: true, monitor_network: true}'

# sandbox_setup_file: once per file, after hr_setup_file: the busybox
# rootfs plus what an agent uses: nc, wget and httpd applets (nc and wget
# are busybox itself: multi-call), agent-probe (a TCP client, setuid and
# PROT_EXEC probes), and /usr/bin/curl, a dedicated binary (a copy of
# agent-probe) that the example policy blocks.
sandbox_setup_file() {
  local t=$BATS_FILE_TMPDIR/sandbox-rootfs a
  test_tool agent-probe
  rm -rf "$t"
  cp -a "$HR_ROOTFS_TEMPLATE" "$t"
  mkdir -p "$t/workspace" "$t/usr/bin" "$t/usr/local/bin"
  for a in nc wget httpd cp; do ln -sf busybox "$t/bin/$a"; done
  cp "$TEST_TOOL" "$t/usr/bin/agent-probe"
  cp "$TEST_TOOL" "$t/usr/bin/curl"
  export HR_SANDBOX_ROOTFS=$t
}

# sandbox_bundle POLICY-TEXT: $BUNDLE from `spec --policy` over the agent
# rootfs (the policy is kept in $BUNDLE/policy.yaml).
sandbox_bundle() {
  printf '%s\n' "$1" >"$BUNDLE/policy.yaml"
  rm -rf "$BUNDLE/rootfs" "$BUNDLE/config.json"
  cp -a "$HR_SANDBOX_ROOTFS" "$BUNDLE/rootfs"
  "$HYDRA_RUNC" spec --bundle "$BUNDLE" --policy "$BUNDLE/policy.yaml" ||
    fail "spec --policy failed"
  cfg '.process.terminal = false | .root.path = "rootfs" | .hostname = "sandbox"'
}

# audit_start ID: `events --audit ID` in the background into $AUDIT_OUT.
audit_start() {
  AUDIT_OUT=$BATS_TEST_TMPDIR/audit.jsonl
  hr events --audit "$1" </dev/null >"$AUDIT_OUT" 2>"$AUDIT_OUT.err" 3>&- &
  AUDIT_EVENTS_PID=$!
}

# audit_finish ID: delete the container (that ends the stream) and wait
# for `events --audit` to return.
audit_finish() {
  hr delete --force "$1" || fail "delete failed"
  local i
  for ((i = 0; i < 100; i++)); do
    kill -0 "$AUDIT_EVENTS_PID" 2>/dev/null || break
    sleep 0.1
  done
  ! kill -0 "$AUDIT_EVENTS_PID" 2>/dev/null || fail "events --audit did not end after delete"
  wait "$AUDIT_EVENTS_PID" || fail "events --audit failed: $(cat "$AUDIT_OUT.err")"
}

# audit_has JQ-CONDITION WHAT: a line of $AUDIT_OUT satisfies it.
audit_has() {
  local n
  n=$(jq -c "select($1)" "$AUDIT_OUT" | wc -l)
  [ "$n" -gt 0 ] || fail "no audit line with $1 ($2); stream: $(cat "$AUDIT_OUT")"
}

# The audit process recorded in the state dir (pid), or nothing.
audit_pid_of() {
  local d
  d=$(find "$ROOT" -maxdepth 2 -name audit.pid | head -n1)
  [ -n "$d" ] && cut -d' ' -f1 "$d"
}
