#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Hooks (runtime-spec config.md "POSIX-platform Hooks"): each stage runs at
# its point of the lifecycle, in the namespace the spec says, with the
# container's state on stdin; failures abort create or are only logged.

load helpers

setup_file() { hr_setup_file; }
setup() {
  hr_setup
  LOG="$BATS_TEST_TMPDIR/hooks.log"
  HOOK="$BATS_TEST_TMPDIR/hook.sh"
  # Records: stage, the mount namespace it ran in, and the state it read.
  cat >"$HOOK" <<EOF2
#!/bin/sh
printf '%s %s %s\n' "\$1" "\$(readlink /proc/self/ns/mnt)" "\$(cat | tr -d '\n')" >>"$LOG"
[ -z "\$HOOK_FAIL" ] || { echo "hook says no" >&2; exit 3; }
EOF2
  chmod +x "$HOOK"
}
teardown() { hr_teardown; }

# cfg_hook STAGE ARG [extra jq object fields]
cfg_hook() {
  cfg '.hooks[$s] += [{"path": $p, "args": ["hook.sh", $a]} + $extra]' \
    --arg s "$1" --arg p "$HOOK" --arg a "$2" --argjson extra "${3:-{\}}"
}

@test "hooks: every stage runs in order, in the right namespace, with the state" {
  requires_root
  requires_hydra "runc 1.1 runs poststart hooks at create, not after start as runtime.md says"
  for s in prestart createRuntime createContainer poststart poststop; do cfg_hook "$s" "$s"; done
  cfg_args sleep 1000
  local host_mnt
  host_mnt=$(readlink /proc/self/ns/mnt)
  create_container "$TAG"
  local pid
  pid=$(state_field "$TAG" pid)
  # create ran the first three, in this order
  assert_eq "$(cut -d' ' -f1 "$LOG" | tr '\n' ' ')" "prestart createRuntime createContainer " "stages after create"
  # runtime-namespace hooks see the host's mount namespace, createContainer the container's
  assert_eq "$(awk '$1=="createRuntime"{print $2}' "$LOG")" "$host_mnt" "createRuntime mount namespace"
  assert_eq "$(awk '$1=="createContainer"{print $2}' "$LOG")" "$(readlink /proc/$pid/ns/mnt)" "createContainer mount namespace"
  # the state on stdin names this container, its pid, status creating
  local st
  st=$(awk '$1=="createRuntime"{$1="";$2="";print}' "$LOG")
  assert_eq "$(echo "$st" | jq -r .id)" "$TAG" "state.id"
  assert_eq "$(echo "$st" | jq -r .pid)" "$pid" "state.pid"
  assert_eq "$(echo "$st" | jq -r .status)" "creating" "state.status"
  assert_eq "$(echo "$st" | jq -r .bundle)" "$BUNDLE" "state.bundle"
  hr start "$TAG"
  assert_eq "$(awk '$1=="poststart"{$1="";$2="";print}' "$LOG" | jq -r .status)" "running" "poststart state"
  hr kill "$TAG" KILL
  wait_for_status "$TAG" stopped
  hr delete "$TAG"
  assert_eq "$(tail -n1 "$LOG" | cut -d' ' -f1)" "poststop" "poststop ran last"
  assert_eq "$(tail -n1 "$LOG" | cut -d' ' -f3- | jq -r .status)" "stopped" "poststop state"
}

@test "hooks: startContainer runs inside the container after start, before the process" {
  requires_root
  cfg '.hooks.startContainer = [{"path": "/bin/sh", "args": ["sh", "-c", "echo from-hook > /dev/shm/mark"]}]'
  cfg_sh 'cat /dev/shm/mark'
  run hr run --bundle "$BUNDLE" "$TAG"
  [ "$status" -eq 0 ] || fail "run failed: $output"
  assert_eq "$output" "from-hook" "the process saw what the hook wrote in the container"
}

@test "hooks: startContainer hooks run under the container's seccomp filter, with or without no_new_privs" {
  requires_root
  local nnp
  for nnp in true false; do
    # allow everything but mkdir/mkdirat (EPERM), as runc's own hook test
    cfg '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
          "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
          "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}
         | .process.noNewPrivileges = ($nnp == "true") | .root.readonly = false' --arg nnp "$nnp"
    cfg '.hooks.startContainer = [{"path": "/bin/sh", "args": ["sh", "-c",
           "grep ^Seccomp: /proc/self/status > /hook-seccomp; mkdir /hook-made 2>/hook-err; echo $? > /hook-rc"]}]'
    cfg_sh 'cat /hook-rc'
    rm -f "$BUNDLE"/rootfs/hook-*
    rmdir "$BUNDLE/rootfs/hook-made" 2>/dev/null || true
    run hr run --bundle "$BUNDLE" "$TAG-$nnp"
    [ "$status" -eq 0 ] || fail "run (noNewPrivileges $nnp): $output"
    ! [ -d "$BUNDLE/rootfs/hook-made" ] || fail "noNewPrivileges $nnp: the hook's mkdir got through the filter"
    assert_eq "$(cat "$BUNDLE/rootfs/hook-rc")" 1 "noNewPrivileges $nnp: exit status of the hook's mkdir"
    assert_match "$(cat "$BUNDLE/rootfs/hook-err")" "Operation not permitted" "noNewPrivileges $nnp: mkdir error"
    assert_match "$(cat "$BUNDLE/rootfs/hook-seccomp")" "Seccomp:[[:space:]]+2" "noNewPrivileges $nnp: hook's seccomp mode"
  done
}

@test "hooks: createContainer hooks run in the container's root, as runc's" {
  requires_root
  local out="$BATS_TEST_TMPDIR/cwd"
  # (before pivot_root: host paths are still there to write to)
  cfg '.hooks.createContainer = [{"path": "/bin/sh", "args": ["sh", "-c",
         "pwd > \($o).pwd; ls -a > \($o).ls; stat -c %d:%i . > \($o).stat"]}]' --arg o "$out"
  cfg_args true
  create_container "$TAG"
  # the rootfs (bind-mounted onto itself in the container's mount
  # namespace: the same directory), not the bundle
  assert_eq "$(cat "$out.pwd")" "$BUNDLE/rootfs" "createContainer hook's working directory"
  assert_eq "$(cat "$out.stat")" "$(stat -c %d:%i "$BUNDLE/rootfs")" "device:inode of the hook's cwd"
  grep -qx ".hydra-test-rootfs" "$out.ls" || fail "the hook's cwd does not list the rootfs: $(cat "$out.ls")"
}

@test "hooks: a failing createRuntime hook aborts create and leaves nothing behind" {
  requires_root
  cfg_hook createRuntime createRuntime '{"env": ["HOOK_FAIL=1"]}'
  cfg_args sleep 1000
  run hr create --bundle "$BUNDLE" "$TAG"
  [ "$status" -ne 0 ] || fail "create succeeded"
  assert_match "$output" "hook #0"
  assert_match "$output" "hook says no"
  assert_no_state_dirs
  # the init was killed: no process runs in a namespace other than ours with our rootfs
  run hr state "$TAG"
  assert_match "$output" "does not exist"
}

@test "hooks: a failing createContainer hook aborts create" {
  requires_root
  cfg_hook createContainer createContainer '{"env": ["HOOK_FAIL=1"]}'
  run hr create --bundle "$BUNDLE" "$TAG"
  [ "$status" -ne 0 ] || fail "create succeeded"
  assert_match "$output" "hook #0"
  assert_no_state_dirs
}

@test "hooks: a hook past its timeout is killed and create fails" {
  requires_root
  cfg '.hooks.createRuntime = [{"path": "/bin/sleep", "args": ["sleep", "30"], "timeout": 1}]'
  local t0=$SECONDS
  run hr create --bundle "$BUNDLE" "$TAG"
  [ "$status" -ne 0 ] || fail "create succeeded"
  assert_match "$output" "hook #0.*(timeout|did not finish)"
  [ $((SECONDS - t0)) -lt 15 ] || fail "create took $((SECONDS - t0))s"
  assert_no_state_dirs
}

@test "hooks: a hook that is not executable fails create with a clear error" {
  requires_root
  cfg '.hooks.createRuntime = [{"path": "/nonexistent/hook"}]'
  run hr create --bundle "$BUNDLE" "$TAG"
  [ "$status" -ne 0 ] || fail "create succeeded"
  assert_match "$output" "/nonexistent/hook"
  assert_no_state_dirs
}

@test "hooks: poststart and poststop failures are logged, not fatal" {
  requires_root
  requires_hydra "runc 1.1 runs poststart at create and fails it (runtime.md: logged, not fatal)"
  cfg_hook poststart poststart '{"env": ["HOOK_FAIL=1"]}'
  cfg_hook poststop poststop '{"env": ["HOOK_FAIL=1"]}'
  cfg_args sleep 1000
  create_container "$TAG"
  run hr start "$TAG"
  [ "$status" -eq 0 ] || fail "start failed: $output"
  assert_match "$output" "poststart hook"
  assert_eq "$(state_field "$TAG" status)" "running" "status after a failing poststart"
  run hr delete --force "$TAG"
  [ "$status" -eq 0 ] || fail "delete failed: $output"
  assert_match "$output" "poststop hook"
  assert_no_state_dirs
}

@test "hooks: a state.json from before the hook flags still runs poststart and poststop" {
  requires_root
  requires_hydra "hydra-runc's own state file"
  cfg_hook poststart poststart
  cfg_hook poststop poststop
  cfg_args sleep 1000
  create_container "$TAG"
  # start and delete parse the stored config only when state.json says
  # there are hooks; a state written without the flags must still run them
  local st="$ROOT/$TAG/state.json"
  [ "$(jq -r .poststartHooks "$st")" = true ] || fail "no poststartHooks in $(cat "$st")"
  jq 'del(.poststartHooks, .poststopHooks)' "$st" >"$st.old" && mv "$st.old" "$st"
  hr start "$TAG"
  hr delete --force "$TAG"
  assert_eq "$(cut -d' ' -f1 "$LOG" | tr '\n' ' ')" "poststart poststop " "hooks that ran"
  assert_no_state_dirs
}

@test "hooks: hook env and args are the configured ones" {
  requires_root
  cfg '.hooks.createRuntime = [{"path": "/bin/sh", "args": ["sh", "-c", "echo \"$0 $FOO\" > \($f)", "arg0"], "env": ["FOO=bar"]}]' \
    --arg f "$BATS_TEST_TMPDIR/env.out"
  create_container "$TAG"
  assert_eq "$(cat "$BATS_TEST_TMPDIR/env.out")" "arg0 bar" "hook args and env"
}

# whole_state_hooks BYTES: every hook stage gets a state whose annotation of
# BYTES bytes arrives whole (sync.c once cut the init's copy at 65000 bytes:
# startContainer hooks read broken JSON), and so does `state`.
whole_state_hooks() {
  requires_root
  local big="$BATS_TEST_TMPDIR/big" s out
  # varied bytes, so a shifted or repeated chunk shows
  head -c "$1" /dev/urandom | base64 -w0 | head -c "$1" >"$big"
  cfg '.annotations["test.hydra/big"] = $big' --rawfile big "$big"
  cfg_hostdir
  for s in prestart createRuntime createContainer startContainer poststart poststop; do
    # startContainer runs after pivot_root: the host dir is /host there
    out="$HOSTDIR/$s.json"
    [ "$s" = startContainer ] && out="/host/$s.json"
    cfg '.hooks[$s] += [{"path": "/bin/sh", "args": ["sh", "-c", "cat > \"$0\"", $o]}]' --arg s "$s" --arg o "$out"
  done
  cfg_args true
  create_container "$TAG"
  hr state "$TAG" >"$BATS_TEST_TMPDIR/state.json"
  jq -j '.annotations["test.hydra/big"]' "$BATS_TEST_TMPDIR/state.json" | cmp -s - "$big" ||
    fail "state: the annotation did not come back whole ($(wc -c <"$BATS_TEST_TMPDIR/state.json") bytes)"
  hr start "$TAG"
  wait_for_status "$TAG" stopped
  hr delete "$TAG"
  for s in prestart createRuntime createContainer startContainer poststart poststop; do
    [ -f "$HOSTDIR/$s.json" ] || fail "$s hook did not run"
    jq -e . "$HOSTDIR/$s.json" >/dev/null ||
      fail "$s hook read no valid JSON ($(wc -c <"$HOSTDIR/$s.json") bytes)"
    assert_eq "$(jq -r .id "$HOSTDIR/$s.json")" "$TAG" "$s state.id"
    jq -j '.annotations["test.hydra/big"]' "$HOSTDIR/$s.json" | cmp -s - "$big" ||
      fail "$s hook: the annotation is not byte-identical"
  done
}

@test "hooks: every stage reads the whole state with a 40 KB annotation" {
  whole_state_hooks 40000
}

@test "hooks: every stage reads the whole state with a 1 MiB annotation" {
  whole_state_hooks 1048576
}
