#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# VM lane: sandboxes on a kernel that cannot do everything (issue 16).
# Debian's 6.1 has Landlock ABI 2 (no TCP rules, no scoping); .ci/run
# boots it twice: with its default LSMs (landlock and bpf) and with
# `lsm=lockdown,yama` (neither).  The sandbox must enforce what it can,
# say what it cannot, and refuse under `require: all`.

load vm-helpers
load ../integration/sandbox-helpers

setup_file() {
  [ "${HYDRA_VM_LANE:-}" = 1 ] || return 0
  hr_setup_file
  sandbox_setup_file
}

setup() {
  requires_vm_lane
  requires_root
  hr_setup
  AUDIT_EVENTS_PID=
}

teardown() {
  [ -z "${AUDIT_EVENTS_PID:-}" ] || kill "$AUDIT_EVENTS_PID" 2>/dev/null || true
  hr_teardown
}

lsms() {
  [ -r /sys/kernel/security/lsm ] || mount -t securityfs securityfs /sys/kernel/security 2>/dev/null || true
  cat /sys/kernel/security/lsm 2>/dev/null
}
has_lsm() { [[ ,$(lsms), == *,$1,* ]]; }

@test "sandbox (6.1): best-effort enforces what the kernel has and reports the rest" {
  sandbox_bundle "$HR_EXAMPLE_POLICY"
  cfg_sh 'if (echo x > /etc/evil) 2>/dev/null; then echo ETC-WROTE; fi
          cp /bin/busybox /workspace/bb; /workspace/bb true 2>/dev/null; echo "COPY=$?"
          nc 127.0.0.1 1 </dev/null; echo "NC=$?"
          agent-probe connect 10.99.0.1 80'
  create_container "$TAG" 2>"$BATS_TEST_TMPDIR/create.err" || fail "create failed"
  local report
  report=$(cat "$ROOT"/*/sandbox.json)
  echo "# lsm: $(lsms); report: $report" >&3
  # Never silent: what 6.1 lacks is named.
  jq -c '.not_enforced[] | select(.rule == "scoping" and (.mechanism | test("landlock")))' <<<"$report" | grep -q . ||
    fail "scoping (Landlock ABI 6) not reported missing: $report"
  if ! has_lsm landlock; then
    jq -c '.not_enforced[] | select(.rule == "writable_paths" and (.mechanism | test("landlock")))' <<<"$report" | grep -q . ||
      fail "no Landlock, but not reported: $report"
  fi
  if ! has_lsm bpf; then
    jq -c '.enforced[] | select(.rule == "audit.monitor_files" and (.mechanism | test("tracepoint")))' <<<"$report" | grep -q . ||
      fail "without BPF LSM, file events should come from tracepoints: $report"
  fi
  audit_start "$TAG"
  hr start "$TAG"
  wait_for_status "$TAG" stopped 120
  audit_finish "$TAG"
  local out
  out=$(cat "$BATS_TEST_TMPDIR/create-$TAG.out")
  [[ $out != *ETC-WROTE* ]] || fail "/etc written: $out"
  [[ $out == *COPY=126* ]] || fail "a copy in /workspace ran: $out"
  [[ $out == *NC=137* ]] || fail "nc not stopped by the eBPF guard: $out"
  [[ $out == *"connect: EPERM"* ]] || fail "connect not denied: $out"
  audit_has '.type == "exec" and .argv[0] == "nc"' "exec of nc"
  audit_has '.type == "violation" and .rule == "blocked_commands"' "nc stopped"
  audit_has '.type == "connect" and (.allowed | not)' "denied connect"
}

@test "sandbox (6.1): require all refuses, naming what is missing, and leaves nothing" {
  sandbox_bundle "$(printf '%s\n' "$HR_EXAMPLE_POLICY" | sed 's/  name: restricted-coding/  name: restricted-coding\n  require: all/')"
  cfg_args true
  run --separate-stderr hr_leakcheck create --bundle "$BUNDLE" "$TAG"
  assert_clean_failure 'requires every rule enforced: .* is not'
  assert_no_cgroup "$TAG"
}
