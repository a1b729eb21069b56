#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Sandbox policies (issue 16) lowered into config.json: `spec --policy
# FILE` and the org.hydra-runc.sandbox.policy annotation at create.  The
# checks read the kernel's view of the running container (mountinfo,
# /proc/PID/status, its cgroup files, its network namespace).  Landlock
# and the eBPF programs are tested with their own pieces.

load helpers
load sandbox-helpers

setup_file() { hr_setup_file; }
setup() {
  hr_setup
  requires_hydra "runc has no sandbox policies (docs/compat.md)"
  POLICY="$BATS_TEST_TMPDIR/policy.yaml"
  # The issue's example, as operators write it (sandbox-helpers.bash).
  printf '%s\n' "$HR_EXAMPLE_POLICY" >"$POLICY"
}
teardown() { hr_teardown; }

# The bundle's config.json replaced by `spec --policy`'s, with the test's
# usual process and root.
spec_policy_bundle() {
  rm -f "$BUNDLE/config.json"
  "$HYDRA_RUNC" spec --policy "$POLICY" --bundle "$BUNDLE"
  cfg '.process.terminal = false | .root.path = "rootfs" | .hostname = "hydra-test"'
}

# check_sandbox PID: what the example policy says, as the kernel has it.
check_sandbox() {
  local pid=$1 mi status dir found_mem=no found_pids=no found_cpu=no m
  mi=$(cat "/proc/$pid/mountinfo")
  [[ $(mnt_opts "$mi" /) == ro* ]] || fail "/ is not read-only: $(mnt_opts "$mi" /)" || return 1
  for m in /workspace /tmp; do
    assert_eq "$(mnt_fstype "$mi" "$m")" tmpfs "$m fstype" || return 1
    for o in nosuid nodev noexec rw; do
      [[ ,$(mnt_opts "$mi" "$m"), == *,$o,* ]] || fail "$m options $(mnt_opts "$mi" "$m") lack $o" || return 1
    done
  done
  status=$(cat "/proc/$pid/status")
  assert_eq "$(awk '$1 == "CapEff:" { print $2 }' <<<"$status")" 0000000000000000 CapEff || return 1
  assert_eq "$(awk '$1 == "CapBnd:" { print $2 }' <<<"$status")" 0000000000000000 CapBnd || return 1
  assert_eq "$(awk '$1 == "CapPrm:" { print $2 }' <<<"$status")" 0000000000000000 CapPrm || return 1
  assert_eq "$(awk '$1 == "NoNewPrivs:" { print $2 }' <<<"$status")" 1 NoNewPrivs || return 1
  assert_eq "$(awk '$1 == "Seccomp:" { print $2 }' <<<"$status")" 2 Seccomp || return 1
  while read -r dir; do
    if [ -f "$dir/memory.limit_in_bytes" ]; then
      assert_eq "$(cat "$dir/memory.limit_in_bytes")" 4294967296 memory.limit_in_bytes || return 1
      found_mem=yes
    elif [ -f "$dir/memory.max" ]; then
      assert_eq "$(cat "$dir/memory.max")" 4294967296 memory.max || return 1
      found_mem=yes
    fi
    if [ -f "$dir/pids.max" ]; then
      assert_eq "$(cat "$dir/pids.max")" 512 pids.max || return 1
      found_pids=yes
    fi
    if [ -f "$dir/cpu.cfs_quota_us" ]; then
      assert_eq "$(cat "$dir/cpu.cfs_quota_us") $(cat "$dir/cpu.cfs_period_us")" "200000 100000" "cfs quota" || return 1
      found_cpu=yes
    elif [ -f "$dir/cpu.max" ]; then
      assert_eq "$(cat "$dir/cpu.max")" "200000 100000" cpu.max || return 1
      found_cpu=yes
    fi
  done < <(container_cgroup_dirs "$pid")
  assert_eq "$found_mem $found_pids $found_cpu" "yes yes yes" "memory, pids and cpu limits found" || return 1
  [ "$(readlink "/proc/$pid/ns/net")" != "$(readlink /proc/self/ns/net)" ] ||
    fail "the container shares the host's network namespace" || return 1
  assert_eq "$(awk 'NR > 2 { sub(":", "", $1); print $1 }' "/proc/$pid/net/dev" | tr '\n' ' ')" "lo " \
    "interfaces in the container's network namespace" || return 1
}

# run_sandboxed ID: create and start $BUNDLE running sleep, check it.
run_sandboxed() {
  local id=$1 pid
  cfg_args sleep 1000
  create_container "$id"
  hr start "$id"
  pid=$(state_field "$id" pid)
  check_sandbox "$pid"
}

@test "sandbox-policy: spec --policy writes a valid config with the policy lowered" {
  requires_schema_check
  spec_policy_bundle
  run "$HR_SHARED/tools/oci-schema-check" config "$BUNDLE/config.json"
  echo "$output"
  [ "$status" -eq 0 ]
  local c="$BUNDLE/config.json"
  assert_eq "$(jq -c .root.readonly "$c")" true
  assert_eq "$(jq -c '[.mounts[] | select(.destination == "/workspace" or .destination == "/tmp") | .type]' "$c")" \
    '["tmpfs","tmpfs"]'
  assert_eq "$(jq -c '.process.capabilities | [.[] | length] | add' "$c")" 0
  assert_eq "$(jq -c .linux.seccomp.defaultAction "$c")" '"SCMP_ACT_ERRNO"'
  # the annotation is the policy's canonical JSON (docs/sandbox.md)
  assert_eq "$(jq -r '.annotations["org.hydra-runc.sandbox.policy"] | fromjson | .policy.access_controls.writable_paths | join(",")' "$c")" \
    "/workspace,/tmp"
  # --rootless: the same, plus its user namespace
  mkdir -p "$BATS_TEST_TMPDIR/rl"
  "$HYDRA_RUNC" spec --rootless --policy "$POLICY" --bundle "$BATS_TEST_TMPDIR/rl"
  run "$HR_SHARED/tools/oci-schema-check" config "$BATS_TEST_TMPDIR/rl/config.json"
  [ "$status" -eq 0 ]
  jq -e '.root.readonly and any(.linux.namespaces[]; .type == "user")' "$BATS_TEST_TMPDIR/rl/config.json" >/dev/null
}

@test "sandbox-policy: a container from spec --policy has every rule in the kernel" {
  requires_root
  spec_policy_bundle
  run_sandboxed "$TAG"
  # what the rules mean from inside: / refuses writes, /tmp takes them
  run hr exec "$TAG" sh -c 'touch /x'
  [ "$status" -ne 0 ]
  run hr exec "$TAG" sh -c 'echo hi >/workspace/f && cat /workspace/f'
  [ "$status" -eq 0 ]
  assert_eq "$output" hi
  # a process exec'd later is confined too (the state dir keeps the lowered config)
  run hr exec "$TAG" cat /proc/self/status
  [ "$status" -eq 0 ]
  assert_match "$output" $'Seccomp:[ \t]+2'
  assert_match "$output" $'NoNewPrivs:[ \t]+1'
  assert_match "$output" $'CapBnd:[ \t]+0000000000000000'
}

@test "sandbox-policy: an engine's config with the policy annotation gets the same" {
  requires_root
  # what an engine does: its own config, the policy as JSON in the annotation
  local json
  json=$("$(python3_bin)" -c 'import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))' "$POLICY" 2>/dev/null) ||
    json=$(jq -n '{policy: {name: "restricted-coding",
      resource_limits: {max_cpu_cores: 2, max_memory_mb: 4096, max_pids: 512, max_network_mbps: 10},
      access_controls: {allow_internet: false, allow_sudo: false, writable_paths: ["/workspace", "/tmp"],
                        blocked_commands: ["curl", "wget", "nc"]},
      audit: {log_level: "detailed", monitor_files: true, monitor_network: true}}}')
  cfg_del_ns network
  cfg '.annotations["org.hydra-runc.sandbox.policy"] = $p' --arg p "$json"
  run_sandboxed "$TAG"
  # state carries the canonical policy
  assert_eq "$(hr state "$TAG" | jq -r '.annotations["org.hydra-runc.sandbox.policy"] | fromjson | .policy.name')" \
    restricted-coding
}

@test "sandbox-policy: an engine's stricter limits and its bind mount at a writable path are kept" {
  requires_root
  cfg_del_ns network
  cfg '.linux.resources.pids = {"limit": 100}
     | .linux.resources.memory = {"limit": 268435456}
     | .mounts += [{"destination": "/workspace", "type": "bind", "source": $src, "options": ["rbind", "ro"]}]
     | .annotations["org.hydra-runc.sandbox.policy"] = $p' \
    --arg src "$HOSTDIR" --arg p '{"policy":{"resource_limits":{"max_pids":512,"max_memory_mb":4096},
      "access_controls":{"writable_paths":["/workspace"]}}}'
  cfg_args sleep 1000
  create_container "$TAG"
  hr start "$TAG"
  local pid dir mi
  pid=$(state_field "$TAG" pid)
  while read -r dir; do
    [ -f "$dir/pids.max" ] && assert_eq "$(cat "$dir/pids.max")" 100 pids.max
    [ -f "$dir/memory.limit_in_bytes" ] && assert_eq "$(cat "$dir/memory.limit_in_bytes")" 268435456 memory
  done < <(container_cgroup_dirs "$pid")
  mi=$(cat "/proc/$pid/mountinfo")
  for o in rw nosuid nodev noexec; do
    [[ ,$(mnt_opts "$mi" /workspace), == *,$o,* ]] || fail "/workspace options lack $o: $(mnt_opts "$mi" /workspace)"
  done
  hr exec "$TAG" sh -c 'echo x >/workspace/written'
  assert_eq "$(cat "$HOSTDIR/written")" x "the engine's bind is the writable path"
}

@test "sandbox-policy: bad policies are refused by name, nothing left behind" {
  requires_root
  local p re
  while IFS='|' read -r p re; do
    cfg '.annotations["org.hydra-runc.sandbox.policy"] = $p' --arg p "$p"
    run --separate-stderr hr_leakcheck create --bundle "$BUNDLE" "$TAG" </dev/null
    assert_clean_failure "$re"
    assert_no_cgroup "$TAG"
  done <<'EOF'
{"policy":{"access_controls":{"writable_paths":["/workspace","tmp"]}}}|policy\.access_controls\.writable_paths\[1\]: "tmp" is not an absolute path
{"policy":{"access_controls":{"writable_paths":["/"]}}}|writable_paths\[0\]: "/" would make the whole root filesystem writable
{"policy":{"access_controls":{"blocked_commands":["/usr/bin/curl"]}}}|blocked_commands\[0\]: "/usr/bin/curl" is not a command name
{"policy":{"resource_limits":{"max_pids":-1}}}|policy\.resource_limits\.max_pids: -1 is out of range
{"policy":{"acces_controls":{}}}|policy: unknown key "acces_controls"
{"policy":{"audit":{"log_level":"loud"}}}|policy\.audit\.log_level: "loud" is not none, basic or detailed
{"policy":{"access_controls":{"allow_internet":["example.com"]}}}|allow_internet\[0\]: "example.com" has no port
EOF
}

@test "sandbox-policy: spec --policy refuses a bad file and writes nothing" {
  printf 'policy:\n  access_controls:\n    writable_paths: [/tmp/../etc]\n' >"$POLICY"
  rm -f "$BUNDLE/config.json"
  run --separate-stderr "$HYDRA_RUNC" spec --policy "$POLICY" --bundle "$BUNDLE"
  [ "$status" -eq 1 ]
  assert_match "$stderr" 'writable_paths\[0\]: "/tmp/\.\./etc" is not a clean path'
  [ ! -e "$BUNDLE/config.json" ] || fail "config.json written for a bad policy"
  printf 'a: &x [1]\nb: *x\n' >"$POLICY"
  run --separate-stderr "$HYDRA_RUNC" spec --policy "$POLICY" --bundle "$BUNDLE"
  [ "$status" -eq 1 ]
  assert_match "$stderr" 'anchors are not allowed'
}

@test "sandbox-policy: an agent-style workload runs under the lowered profile; namespaces stay shut" {
  requires_root
  spec_policy_bundle
  cfg_args sleep 1000
  create_container "$TAG"
  hr start "$TAG"
  # shell, tools, files in the writable paths (seccomp's allow-list covers them)
  run hr exec "$TAG" sh -c 'cd /workspace && mkdir d && echo "b a c" | tr " " "\n" | sort >d/f &&
    ln -s d/f l && chmod 600 d/f && wc -l <l && head -n1 l && ls -la / >/dev/null && ps >/dev/null &&
    date >/dev/null && seq 3 | awk "{ s += \$1 } END { print s }" && stat -c %a d/f && rm -r d l && ls'
  echo "$output"
  [ "$status" -eq 0 ]
  assert_eq "$output" $'3\na\n6\n600'
  # a TCP client and server over the container's loopback
  run hr exec "$TAG" sh -c '(busybox nc -l -p 9000 >/tmp/got &) ; sleep 0.5;
    echo hello | busybox nc 127.0.0.1 9000; sleep 0.5; cat /tmp/got'
  echo "$output"
  [ "$status" -eq 0 ]
  assert_match "$output" hello
  # no new namespaces from inside: a user namespace needs no capability,
  # only the seccomp profile refuses it (unshare is not on its list)
  run hr exec "$TAG" busybox unshare -U true
  [ "$status" -ne 0 ]
  assert_match "$output" "Operation not permitted"
  # no way out through the network: no route off loopback
  run hr exec "$TAG" sh -c 'echo x | busybox nc -w 1 192.0.2.1 80'
  [ "$status" -ne 0 ]
}
