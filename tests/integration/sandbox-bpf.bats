#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The sandbox's eBPF side (src/lib/sandbox/sandbox_bpf.h, issue 16) on this
# host's kernel: tests/tools/sandbox-bpf-run loads the programs for a
# cgroup2 directory of its own, runs a command in it and prints the audit
# records.  Each rule: an action that must be refused by the kernel (exit
# status, errno) and reported, and an allowed one that must work and be
# reported; and what happens outside the cgroup is not seen.

load helpers

setup() {
  requires_root
  test_tool sandbox-bpf-run
  RUN=$TEST_TOOL
  local unified
  unified=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
  [ -n "$unified" ] || skip "no cgroup2 hierarchy mounted"
  CG="$unified/hr-dev-bpf-test-$$-$BATS_TEST_NUMBER"
  OUT="$BATS_TEST_TMPDIR/out"
  D="$BATS_TEST_TMPDIR/d"
  mkdir -p "$D"
  chmod 755 "$BATS_TEST_TMPDIR" "$D"
}

teardown() {
  # Whatever the command left in the cgroup goes with it (and with the
  # cgroup, the allow-list programs attached to it).
  if [ -d "$CG" ]; then
    [ -w "$CG/cgroup.kill" ] && echo 1 > "$CG/cgroup.kill"
    for _ in $(seq 50); do rmdir "$CG/sub" 2>/dev/null; rmdir "$CG" 2>/dev/null && break; sleep 0.1; done
  fi
}

# bpf_run OPTIONS... -- COMMAND...: run sandbox-bpf-run on $CG, records in
# $OUT (and in $output), its status in $status.
bpf_run() {
  local args=() a seen=
  for a in "$@"; do
    if [ "$a" = -- ] && [ -z "$seen" ]; then args+=("$CG" --); seen=1; else args+=("$a"); fi
  done
  # stderr apart: a command writing a message in pieces would split a
  # record's line
  run --separate-stderr timeout 60 "$RUN" "${args[@]}"
  printf '%s\n' "$output" > "$OUT"
}

@test "sandbox-bpf: the probe finds tracepoints, cgroup sock_addr and the ring buffer" {
  run "$RUN" --probe
  [ "$status" -eq 0 ]
  [[ "$output" == *"tracepoints=1 sock_addr=1 ringbuf=1"* ]]
  # BPF LSM: listed in the active LSMs and a program loads, or reported
  # missing; on this host it may be either.
  [[ "$output" =~ lsm=[01] ]]
}

@test "sandbox-bpf: exec with argv, pid, ppid, uid and the exit status of what exec'd" {
  bpf_run --audit --detailed -- sh -c '/bin/echo one "two three" >/dev/null; ( exit 7 ); sh -c "exit 5"; exit 3'
  [ "$status" -eq 3 ]
  grep -q '^exec .* path=/bin/echo argv=/bin/echo|one|two three$' "$OUT"
  # the shell's pid is the ppid of what it ran, and its exit is a wait(2)
  # status (3 << 8); the subshell `( exit 7 )` never exec'd: no record
  local sh_pid echo_line
  sh_pid=$(awk '/^exec / && / comm=sh path=/ { sub("pid=", "", $2); print $2; exit }' "$OUT")
  echo_line=$(grep '^exec .* path=/bin/echo' "$OUT")
  [[ "$echo_line" == *" ppid=$sh_pid "* ]]
  [[ "$echo_line" == *" uid=0 gid=0 "* ]]
  grep -q "^exit pid=$sh_pid nspid=$sh_pid status=768$" "$OUT"
  grep -q '^exit pid=[0-9]* nspid=[0-9]* status=1280$' "$OUT"
  ! grep -q 'status=1792$' "$OUT"
}

@test "sandbox-bpf: pids in the process's own pid namespace, in every record, also of a process that never exec'd" {
  # unshare -p -f: its child is pid 1 of a new pid namespace, its
  # children 2, 3...; the parent of pid 1 is outside: ppid 0, as getppid()
  # says there.  The subshell forks without exec and writes a file: its
  # record has its pid in the namespace too.
  bpf_run --audit --detailed --files "$D" -- unshare -p -f --mount-proc sh -c "
    /bin/true first; ( echo x > '$D/from-fork' ); /bin/true second"
  [ "$status" -eq 0 ]
  # (a host pid the same as a namespace's pid would make nothing below pass)
  grep -Eq '^exec pid=[0-9]+ ppid=[0-9]+ nspid=1 nsppid=0 .* comm=sh path=(/usr)?/bin/sh' "$OUT"
  grep -Eq '^exec pid=[0-9]+ ppid=[0-9]+ nspid=[2-9] nsppid=1 .*argv=/bin/true\|first$' "$OUT"
  grep -Eq '^exec pid=[0-9]+ ppid=[0-9]+ nspid=[2-9] nsppid=1 .*argv=/bin/true\|second$' "$OUT"
  grep -Eq "^file pid=[0-9]+ nspid=[2-9] op=create path=$D/from-fork$" "$OUT"
  grep -Eq '^exit pid=[0-9]+ nspid=1 status=0$' "$OUT"
  # unshare itself is in the driver's namespace (the host's): host pids
  local line
  line=$(grep -m1 '^exec .* path=/usr/bin/unshare\|^exec .*comm=unshare ' "$OUT")
  [[ "$line" =~ ^exec\ pid=([0-9]+)\ ppid=([0-9]+)\ nspid=([0-9]+)\ nsppid=([0-9]+) ]]
  [ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[3]}" ]
  [ "${BASH_REMATCH[2]}" = "${BASH_REMATCH[4]}" ]
}

@test "sandbox-bpf: basic log level: exec without argv" {
  bpf_run --audit -- /bin/echo secret-argument
  [ "$status" -eq 0 ]
  grep -q '^exec .* path=/bin/echo argv=$' "$OUT"
  ! grep -q 'secret-argument' <(grep -v '^secret-argument$' "$OUT")
}

@test "sandbox-bpf: a process outside the cgroup is not recorded" {
  local marker="$D/hr-outside-$$"
  cp /bin/true "$marker"
  ( for _ in $(seq 20); do "$marker"; sleep 0.05; done ) &
  local outside=$!
  bpf_run --audit --detailed -- sh -c 'sleep 1; /bin/true inside'
  wait "$outside"
  [ "$status" -eq 0 ]
  grep -q '^exec .*argv=/bin/true|inside$' "$OUT"
  ! grep -q "hr-outside" "$OUT"
}

@test "sandbox-bpf: a process in a cgroup below the container's is recorded" {
  bpf_run --audit --detailed -- sh -c "mkdir '$CG/sub' && echo \$\$ > '$CG/sub/cgroup.procs' && exec /bin/true nested"
  [ "$status" -eq 0 ]
  grep -q '^exec .*argv=/bin/true|nested$' "$OUT"
}

@test "sandbox-bpf: connect: loopback and the allow-list pass, others EPERM and reported" {
  # 192.0.2.0/24 (TEST-NET-1) is allowed on port 80 only; 198.51.100.7
  # (TEST-NET-2) is not allowed at all.  An allowed connect fails later
  # (refused, unreachable), never with EPERM.
  bpf_run --audit --network --filter --allow 192.0.2.0/24:80 -- bash -c '
    (exec 3<>/dev/tcp/127.0.0.1/9) 2>&1
    (timeout 2 bash -c "exec 3<>/dev/tcp/192.0.2.1/80") 2>&1
    (timeout 2 bash -c "exec 3<>/dev/tcp/192.0.2.1/81") 2>&1
    (exec 3<>/dev/tcp/198.51.100.7/443) 2>&1
    perl -MSocket -e "socket(S, PF_INET, SOCK_DGRAM, 0) or die; send(S, qq(x), 0, sockaddr_in(53, inet_aton(q(198.51.100.7)))) or print qq(sendto: \$!\n)"
    true'
  [ "$status" -eq 0 ]
  grep -q '^connect pid=[1-9][0-9]* nspid=[1-9][0-9]* syscall=connect addr=127.0.0.1 port=9 allowed=1 err=0$' "$OUT"
  grep -q '^connect .*syscall=connect addr=192.0.2.1 port=80 allowed=1 err=0$' "$OUT"
  ! grep -q '192.0.2.1/80: Operation not permitted' "$OUT"
  grep -q '192.0.2.1/81: Operation not permitted' "$OUT"
  grep -q '^connect .*syscall=connect addr=192.0.2.1 port=81 allowed=0 err=1$' "$OUT"
  grep -q '198.51.100.7/443: Operation not permitted' "$OUT"
  grep -q '^violation .*rule=allow_internet syscall=connect err=1 .*what=connect to 198.51.100.7:443 denied$' "$OUT"
  # a datagram to a denied address is refused too
  grep -q '^sendto: Operation not permitted$' "$OUT"
  grep -q '^violation .*rule=allow_internet syscall=sendmsg err=1 .*198.51.100.7:53 denied$' "$OUT"
}

@test "sandbox-bpf: IPv6: ::1 passes, a v6 allow-list entry passes, another v6 address is refused" {
  bpf_run --audit --network --filter --allow '[2001:db8::/32]:0' -- bash -c '
    (exec 3<>/dev/tcp/::1/9) 2>&1
    (timeout 2 bash -c "exec 3<>/dev/tcp/2001:db8::1/443") 2>&1
    (exec 3<>/dev/tcp/2001:db9::1/443) 2>&1
    true'
  [ "$status" -eq 0 ]
  grep -q '^connect .*addr=::1 port=9 allowed=1' "$OUT"
  grep -q '^connect .*addr=2001:db8::1 port=443 allowed=1' "$OUT"
  grep -q '2001:db9::1/443: Operation not permitted' "$OUT"
  grep -q '^violation .*rule=allow_internet .*what=connect to \[2001:db9::1\]:443 denied$' "$OUT"
}

@test "sandbox-bpf: the allow-list stays on the cgroup after the loader exits" {
  bpf_run --filter -- true
  [ "$status" -eq 0 ]
  # a new process in the same cgroup, no loader running
  run sh -c "echo \$\$ > '$CG/cgroup.procs' && exec bash -c '(exec 3<>/dev/tcp/198.51.100.7/443) 2>&1; (exec 3<>/dev/tcp/127.0.0.1/9) 2>&1; true'"
  [[ "$output" == *"198.51.100.7/443: Operation not permitted"* ]]
  [[ "$output" != *"127.0.0.1/9: Operation not permitted"* ]]
}

@test "sandbox-bpf: without net_filter, monitor_network only reports" {
  bpf_run --network -- bash -c '(timeout 1 bash -c "exec 3<>/dev/tcp/198.51.100.7/443") 2>&1; true'
  [ "$status" -eq 0 ]
  ! grep -q 'Operation not permitted' "$OUT"
  grep -q '^connect .*addr=198.51.100.7 port=443 allowed=1 err=0$' "$OUT"
}

@test "sandbox-bpf: file create, modify, rename and delete under a monitored prefix, not elsewhere" {
  mkdir -p "$D/mon" "$D/other"
  bpf_run --audit --detailed --files "$D/mon" -- sh -c "
    cd '$D/mon'
    echo a > f; echo b >> f; mv f g; mkdir sub; rm g; rmdir sub
    echo x > ../other/h; rm ../other/h"
  [ "$status" -eq 0 ]
  # the kernel's view: the files are gone
  [ ! -e "$D/mon/f" ] && [ ! -e "$D/mon/g" ] && [ ! -e "$D/other/h" ]
  grep -q "^file .*op=create path=$D/mon/f$" "$OUT"
  grep -q "^file .*op=modify path=$D/mon/f$" "$OUT"
  grep -q "^file .*op=rename path=$D/mon/f$" "$OUT"
  grep -q "^file .*op=create path=$D/mon/sub$" "$OUT"
  grep -q "^file .*op=delete path=$D/mon/g$" "$OUT"
  grep -q "^file .*op=delete path=$D/mon/sub$" "$OUT"
  ! grep -q "other/h" "$OUT"
  # created once, not also "modified" by the same open
  [ "$(grep -c "^file .*path=$D/mon/f$" "$OUT")" -eq 3 ]
}

@test "sandbox-bpf: basic log level: create and delete, no modify" {
  touch "$D/existing"
  bpf_run --audit --files "$D" -- sh -c "echo a > '$D/new'; echo b >> '$D/existing'; rm '$D/new'"
  [ "$status" -eq 0 ]
  grep -q "^file .*op=create path=$D/new$" "$OUT"
  grep -q "^file .*op=delete path=$D/new$" "$OUT"
  ! grep -q "op=modify" "$OUT"
}

@test "sandbox-bpf: a refused write is a writable_paths violation" {
  # nobody cannot write in a root-owned 0755 directory: EACCES
  bpf_run --audit --files "$D" -- setpriv --reuid=65534 --regid=65534 --clear-groups -- sh -c "
    echo x > '$D/denied' 2>/dev/null; mkdir '$D/denied-dir' 2>/dev/null; cat /etc/hostname >/dev/null; true"
  [ "$status" -eq 0 ]
  [ ! -e "$D/denied" ] && [ ! -e "$D/denied-dir" ]
  grep -q "^violation .*rule=writable_paths syscall=openat err=13 path=$D/denied what=openat $D/denied for writing: Permission denied$" "$OUT"
  grep -q "^violation .*rule=writable_paths syscall=mkdir err=13 path=$D/denied-dir " "$OUT"
  # a read is not a violation
  ! grep -q "hostname" "$OUT"
}

@test "sandbox-bpf: setuid: a refused attempt is reported with its errno, an allowed one too" {
  bpf_run --audit -- sh -c '
    setpriv --reuid=65534 --regid=65534 --clear-groups -- perl -e "\$< = 0; print qq(setreuid: \$!\n)"
    perl -e "use POSIX; POSIX::setuid(0); print qq(root: \$!\n)"'
  [ "$status" -eq 0 ]
  grep -q '^setreuid: Operation not permitted$' "$OUT"
  grep -q '^priv .*syscall=setreuid id=0 err=1$' "$OUT"
  grep -q '^violation .*rule=allow_sudo syscall=setreuid err=1 .*what=setreuid(0): Operation not permitted$' "$OUT"
  # setpriv's own changes, allowed (root)
  grep -q '^priv .*syscall=setresuid id=65534 err=0$' "$OUT"
  grep -q '^priv .*syscall=setuid id=0 err=0$' "$OUT"
}

@test "sandbox-bpf: exec guard: a dedicated blocked file under another name (hard link) is stopped" {
  cp /bin/sleep "$D/blocked"
  ln "$D/blocked" "$D/renamed"
  cp /bin/sleep "$D/unrelated"
  bpf_run --audit --block "$D/blocked" --name blocked -- sh -c "
    '$D/renamed' 5; echo renamed=\$?
    '$D/blocked' 5; echo blocked=\$?
    '$D/unrelated' 0; echo unrelated=\$?"
  [ "$status" -eq 0 ]
  # SIGKILL before it ran (137) when the BPF LSM cannot deny the exec;
  # EPERM from execve (126) when it can
  grep -Eq '^renamed=(137|126)$' "$OUT"
  grep -Eq '^blocked=(137|126)$' "$OUT"
  grep -q '^unrelated=0$' "$OUT"
  grep -Eq "^violation .*rule=blocked_commands syscall=execve .*path=$D/renamed what=exec of $D/renamed, the file of a blocked command, (killed before it ran|denied)$" "$OUT"
  [ "$(grep -c 'rule=blocked_commands' "$OUT")" -eq 2 ]
}

@test "sandbox-bpf: exec guard: a copy on a noexec mount cannot run, and is reported" {
  # A copy is another inode: what stops it is the sandbox's noexec
  # writable paths (and Landlock); the refused exec is an
  # executable_paths violation.
  bpf_run --audit -- unshare -m sh -c "
    mount -t tmpfs -o noexec tmpfs '$D' && cp /bin/sleep '$D/copy' && '$D/copy' 0; echo copy=\$?"
  [ "$status" -eq 0 ]
  grep -q '^copy=126$' "$OUT"
  grep -q "^violation .*rule=executable_paths syscall=execve err=13 path=$D/copy what=execve $D/copy: Permission denied$" "$OUT"
}

@test "sandbox-bpf: exec guard: busybox nc, a symlink named nc, busybox busybox nc, argv[0] busyboxX or too long are stopped, busybox echo works" {
  [ -x "$HR_BUSYBOX" ] || skip "no $HR_BUSYBOX"
  cp "$HR_BUSYBOX" "$D/busybox"
  ln -s busybox "$D/nc"
  ln -s busybox "$D/echo"
  # an argv[0] longer than what the guard reads, naming nc at its end
  local long
  long="$(printf '/%.0s' $(seq 600))nc"
  bpf_run --audit --block-multi "$D/busybox" --name nc -- sh -c "
    '$D/busybox' nc -h 2>/dev/null; echo nc=\$?
    '$D/nc' -h 2>/dev/null; echo link=\$?
    '$D/busybox' busybox nc -h 2>/dev/null; echo twice=\$?
    '$D/busybox' sh -c 'nc -h' 2>/dev/null; echo applet=\$?
    bash -c \"exec -a busyboxX '$D/busybox' nc -h\" 2>/dev/null; echo prefixed=\$?
    bash -c \"exec -a $long '$D/busybox' -h\" 2>/dev/null; echo long=\$?
    '$D/busybox' echo works; '$D/echo' works-too"
  [ "$status" -eq 0 ]
  grep -q '^nc=137$' "$OUT"
  grep -q '^link=137$' "$OUT"
  grep -q '^twice=137$' "$OUT"
  grep -q '^applet=137$' "$OUT"
  grep -q '^prefixed=137$' "$OUT"
  grep -q '^long=137$' "$OUT"
  grep -q "what=exec of $D/busybox with arguments too long to check, killed before it ran$" "$OUT"
  grep -q '^works$' "$OUT"
  grep -q '^works-too$' "$OUT"
  grep -q "^violation .*rule=blocked_commands .*path=$D/busybox what=exec of $D/busybox as blocked command \`nc\` killed before it ran$" "$OUT"
  grep -q "^violation .*rule=blocked_commands .*path=$D/nc what=exec of $D/nc as blocked command \`nc\` killed before it ran$" "$OUT"
  [ "$(grep -c 'rule=blocked_commands' "$OUT")" -eq 6 ]
}

@test "sandbox-bpf: exec guard: a binary copied into a memfd does not run, and is reported; without the guard it runs" {
  # Landlock does not check a memfd (it is under no path) and no noexec
  # mount covers it: the guard stops it by its superblock (SB_NOUSER).
  test_tool agent-probe
  local probe=$TEST_TOOL
  bpf_run --audit --confine-exec -- sh -c "
    '$probe' memfd-exec /bin/true; echo empty-path=\$?
    '$probe' memfd-exec /bin/sh -c 'exec /bin/true' ; echo sh=\$?
    /bin/true plain; echo plain=\$?"
  [ "$status" -eq 0 ]
  # EPERM from execveat with the BPF LSM, SIGKILL before it ran without
  grep -Eq '^(execveat: EPERM|killed: SIGKILL)$' "$OUT"
  grep -q '^empty-path=1$' "$OUT"
  grep -q '^sh=1$' "$OUT"
  grep -q '^plain=0$' "$OUT"
  ! grep -q '^ok$' "$OUT"
  grep -Eq '^violation pid=[0-9]+ nspid=[0-9]+ rule=executable_paths syscall=execveat err=(1|0) path=/dev/fd/[0-9]+ what=exec of an in-memory file \(memfd\), (denied|killed before it ran)$' "$OUT"
  [ "$(grep -c 'rule=executable_paths' "$OUT")" -eq 2 ]

  # no guard: the same runs (what the guard closes is open)
  bpf_run --audit -- "$probe" memfd-exec /bin/true
  [ "$status" -eq 0 ]
  grep -q '^ok$' "$OUT"
  ! grep -q 'rule=executable_paths' "$OUT"
}

@test "sandbox-bpf: exec guard: /proc/self/fd/N of a memfd does not run either" {
  command -v python3 >/dev/null || skip "no python3 (for memfd_create)"
  bpf_run --audit --confine-exec -- sh -c "
    python3 -c '
import os
fd = os.memfd_create(\"x\", 0)
with open(\"/bin/true\", \"rb\") as f: os.write(fd, f.read())
pid = os.fork()
if pid == 0:
    try: os.execv(\"/proc/self/fd/%d\" % fd, [\"true\"])
    except OSError as e: print(\"errno\", e.errno); os._exit(1)
_, st = os.waitpid(pid, 0)
print(\"status\", st)
'"
  [ "$status" -eq 0 ]
  grep -Eq '^(errno 1|status 9)$' "$OUT"
  grep -Eq "^violation .*rule=executable_paths syscall=execve .*path=/proc/self/fd/[0-9]+ what=exec of an in-memory file \(memfd\)" "$OUT"
}

@test "sandbox-bpf: exec guard without audit: still stopped, nothing recorded" {
  [ -x "$HR_BUSYBOX" ] || skip "no $HR_BUSYBOX"
  cp "$HR_BUSYBOX" "$D/busybox"
  bpf_run --block-multi "$D/busybox" --name nc -- sh -c "'$D/busybox' nc -h 2>/dev/null; echo nc=\$?"
  [ "$status" -eq 0 ]
  [ "$output" = "nc=137" ]
}

@test "sandbox-bpf: bad configurations are refused" {
  run "$RUN" --allow 192.0.2.1:80 /tmp -- true
  [ "$status" -eq 2 ] || fail "status $status: $output"
  [[ "$output" == *"not a cgroup2 directory"* ]] || fail "output: $output"
  run "$RUN" --name this-name-is-longer-than-thirty-one-bytes "$CG" -- true
  [ "$status" -eq 2 ] || fail "status $status: $output"
  [[ "$output" == *"blocked_commands"* ]] || fail "output: $output"
}
