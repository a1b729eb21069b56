#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# linux.seccomp (runtime-spec config-linux.md "Seccomp"): the filter is in
# force in the container's process and in exec'd ones (/proc/<pid>/status
# Seccomp: 2) and its rules act.

load helpers

setup_file() { hr_setup_file; }
setup() { hr_setup; }
teardown() { hr_teardown; }

# A profile allowing everything except mkdir/mkdirat (errno $1).
cfg_seccomp_no_mkdir() {
  cfg '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
        "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
        "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": ($e | tonumber)},
                     {"names": ["not_a_syscall_anywhere"], "action": "SCMP_ACT_KILL"}]}' --arg e "$1"
}

@test "seccomp: the filter is loaded and its errno rule acts" {
  requires_root
  cfg_seccomp_no_mkdir 1
  cfg_sh 'grep "^Seccomp:" /proc/self/status; mkdir /tmp/x 2>&1; echo rc=$?'
  run hr run --bundle "$BUNDLE" "$TAG"
  [ "$status" -eq 0 ] || fail "run: $output"
  assert_match "$output" "Seccomp:[[:space:]]+2"
  assert_match "$output" "Operation not permitted"
  assert_match "$output" "rc=1"
}

@test "seccomp: without no_new_privileges the filter is loaded too" {
  requires_root
  cfg_seccomp_no_mkdir 13
  cfg '.process.noNewPrivileges = false'
  cfg_sh 'mkdir /tmp/x 2>&1; grep "^NoNewPrivs:" /proc/self/status'
  run hr run --bundle "$BUNDLE" "$TAG"
  [ "$status" -eq 0 ] || fail "run: $output"
  assert_match "$output" "Permission denied"
  assert_match "$output" "NoNewPrivs:[[:space:]]+0"
}

@test "seccomp: exec'd processes get the container's filter" {
  requires_root
  cfg_seccomp_no_mkdir 1
  cfg_args sleep 1000
  create_container "$TAG"
  hr start "$TAG"
  run hr exec "$TAG" sh -c 'grep "^Seccomp:" /proc/self/status; mkdir /tmp/y 2>&1'
  assert_match "$output" "Seccomp:[[:space:]]+2"
  assert_match "$output" "Operation not permitted"
}

@test "seccomp: a default-deny profile with an allow list runs the container" {
  requires_root
  requires_hydra "runc's Go init needs more syscalls after loading the filter than this minimal list"
  # Allow only what busybox sh + echo + exit need: default ERRNO otherwise.
  cfg '.linux.seccomp = {"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64"],
        "syscalls": [{"names": ["read","write","close","exit","exit_group","execve","brk","mmap","munmap",
                                "mprotect","arch_prctl","set_tid_address","rt_sigaction","rt_sigprocmask",
                                "rt_sigreturn","getpid","getppid","getuid","geteuid","getgid","getegid",
                                "ioctl","fcntl","newfstatat","fstat","stat","lstat","openat","open","uname",
                                "getcwd","prlimit64","set_robust_list","rseq","close_range","wait4","dup2",
                                "dup3","getrandom","poll","ppoll","pread64","lseek","access","readlink",
                                "sigaltstack","futex","clone","fork","vfork"],
                      "action": "SCMP_ACT_ALLOW"}]}'
  cfg_sh 'echo hello-from-seccomp'
  run hr run --bundle "$BUNDLE" "$TAG"
  [ "$status" -eq 0 ] || fail "run: $output"
  assert_match "$output" "hello-from-seccomp"
}

@test "seccomp: a notify listener is refused clearly, nothing left behind" {
  requires_root
  requires_hydra "seccomp notify is not supported yet"
  cfg '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "/run/none.sock",
        "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_NOTIFY"}]}'
  run hr create --bundle "$BUNDLE" "$TAG"
  [ "$status" -eq 1 ] || fail "create: status $status"
  assert_match "$output" "NOTIFY|listenerPath"
  assert_no_state_dirs
}

@test "seccomp: features lists the actions and operators it supports" {
  requires_hydra "runc 1.1's features differ"
  run hr features
  [ "$(echo "$output" | jq -r .linux.seccomp.enabled)" = true ] || fail "seccomp not enabled in features"
  assert_match "$(echo "$output" | jq -c .linux.seccomp.actions)" "SCMP_ACT_ERRNO"
}
