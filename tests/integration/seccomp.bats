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

# tests/tools/sysno (static) into the rootfs as /sysno.
cp_sysno() {
  local d
  for d in "${HYDRA_BUILDDIR:-}" "$(dirname "$(readlink -f "$HYDRA_RUNC")")" "$HYDRA_SRCDIR"; do
    if [ -n "$d" ] && [ -x "$d/tests/tools/sysno" ]; then
      cp "$d/tests/tools/sysno" "$BUNDLE/rootfs/sysno"
      return 0
    fi
  done
  skip "no tests/tools/sysno (make check builds it)"
}

# What busybox sh, echo and a static glibc binary need, and nothing added
# to the kernel after statx (332): older Docker profiles and the OCI
# validation suite's default profile look like this.  No close_range (436),
# clone3 (435), openat2 (437), rseq (334), getpriority (140).
HR_OLD_ALLOW='["read","write","writev","close","exit","exit_group","execve","brk","mmap","munmap",
  "mprotect","arch_prctl","set_tid_address","rt_sigaction","rt_sigprocmask","rt_sigreturn",
  "getpid","getppid","getuid","geteuid","getgid","getegid","ioctl","fcntl","newfstatat","fstat",
  "stat","lstat","openat","open","uname","getcwd","prlimit64","set_robust_list","wait4","dup2",
  "dup3","getrandom","poll","ppoll","pread64","lseek","access","readlink","sigaltstack","futex",
  "clone","fork","vfork","prctl","statx"]'

# runc's Go init makes more (older) syscalls after loading the filter.
HR_RUNC_EXTRA='["statfs","fstatfs","getdents64","gettid","tgkill","madvise","sched_yield","nanosleep",
  "epoll_create1","epoll_ctl","epoll_pwait","pipe2","eventfd2","mincore","sched_getaffinity",
  "setgroups","setresuid","setresgid","capget","capset","fchdir","chdir","umask","socket",
  "connect","sendmsg","recvmsg","kill","getpgrp","setsid","unlinkat","readlinkat","faccessat",
  "clock_gettime","gettimeofday","sysinfo","fchown","fchmod","getpgid","setpgid","epoll_wait",
  "setuid","setgid","write","futex","getrandom"]'

# cfg_old_profile DEFAULT-ACTION [EXTRA-JQ]: that allow list, all else the
# default action.
cfg_old_profile() {
  local extra='[]'
  if is_runc; then extra=$HR_RUNC_EXTRA; fi
  cfg ".linux.seccomp = {\"defaultAction\": \"$1\", \"architectures\": [\"SCMP_ARCH_X86_64\"],
        \"syscalls\": [{\"names\": ($HR_OLD_ALLOW + $extra), \"action\": \"SCMP_ACT_ALLOW\"}]} ${2:-}"
}

# run_sysno_container: run the container (its script prints "started" and
# calls /sysno 436 437 -435 ...); it must have run and got ENOSYS from
# close_range (436), openat2 (437) and clone3 (435), all newer than statx.
run_sysno_container() {
  run hr run --bundle "$BUNDLE" "$TAG"
  [ "$status" -eq 0 ] || fail "run: $status: $output" || return 1
  assert_match "$output" "started" || return 1
  assert_match "$output" "436=38" "close_range" || return 1
  assert_match "$output" "437=38" "openat2" || return 1
  assert_match "$output" "435=38" "clone3"
}

@test "seccomp: an ERRNO profile without close_range runs; newer syscalls ENOSYS, older EPERM" {
  requires_root
  cp_sysno
  cfg_old_profile SCMP_ACT_ERRNO
  # 436 close_range, 437 openat2, 435 clone3: newer than statx; 140
  # getpriority: older, not listed.
  cfg_sh 'echo started; /sysno 436 437 -435 140'
  run_sysno_container
  assert_match "$output" "140=1" "getpriority (default errno EPERM)"
}

@test "seccomp: ENOSYS only above the newest syscall the profile names (close_range listed)" {
  requires_root
  cp_sysno
  # Newest named: close_range (436).  openat2 (437) is newer: ENOSYS;
  # clone3 (435) is older though unnamed: the default errno, as with runc.
  cfg_old_profile SCMP_ACT_ERRNO '| .linux.seccomp.syscalls[0].names += ["close_range"]'
  cfg_sh '/sysno 437 -435'
  run hr run --bundle "$BUNDLE" "$TAG"
  [ "$status" -eq 0 ] || fail "run: $status: $output"
  assert_match "$output" "437=38" "openat2"
  assert_match "$output" "435=1" "clone3"
}

@test "seccomp: defaultErrnoRet ENXIO without no_new_privileges: runs, newer ENOSYS, older ENXIO" {
  requires_root
  cp_sysno
  # Without no_new_privs the filter is loaded before the uid change (runc's
  # order): the profile must allow what the runtime does after it.
  cfg_old_profile SCMP_ACT_ERRNO '| .linux.seccomp.defaultErrnoRet = 6
    | .linux.seccomp.syscalls += [{"names": ["setgroups","setresuid","setresgid","capget","capset",
        "umask","readv","sendmsg","recvmsg","recvfrom","sendto","chdir","fchdir","setsid",
        "sched_setaffinity","personality"], "action": "SCMP_ACT_ALLOW"}]
    | .process.noNewPrivileges = false'
  cfg_sh 'echo started; /sysno 436 437 -435 140'
  run_sysno_container
  assert_match "$output" "140=6" "getpriority (defaultErrnoRet ENXIO)"
}

@test "seccomp: a KILL profile with an allow list runs; newer syscalls ENOSYS, older kill" {
  requires_root
  cp_sysno
  cfg_old_profile SCMP_ACT_KILL
  cfg_sh 'echo started; /sysno 436 437 -435; /sysno 140; echo "rc=$?"'
  run_sysno_container
  # SIGSYS (31): killed by the default action, nothing printed.
  assert_match "$output" "rc=159"
  [[ ! $output =~ 140= ]] || fail "getpriority returned: $output"
}

@test "seccomp: exec'd processes under an old profile: run, newer ENOSYS, older default errno" {
  requires_root
  cp_sysno
  cfg_old_profile SCMP_ACT_ERRNO '| .linux.seccomp.syscalls += [{"names": ["nanosleep","clock_nanosleep"],
                                                                 "action": "SCMP_ACT_ALLOW"}]'
  cfg_args sleep 1000
  create_container "$TAG"
  hr start "$TAG"
  run hr exec "$TAG" sh -c 'grep "^Seccomp:" /proc/self/status; /sysno 436 -435 140'
  [ "$status" -eq 0 ] || fail "exec: $status: $output"
  assert_match "$output" "Seccomp:[[:space:]]+2"
  assert_match "$output" "436=38" "close_range"
  assert_match "$output" "435=38" "clone3"
  assert_match "$output" "140=1" "getpriority"
}

@test "seccomp: features lists the actions and operators it supports" {
  requires_hydra "runc 1.1's features differ"
  run hr features
  [ "$(echo "$output" | jq -r .linux.seccomp.enabled)" = true ] || fail "seccomp not enabled in features"
  assert_match "$(echo "$output" | jq -c .linux.seccomp.actions)" "SCMP_ACT_ERRNO"
}
