#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The sandbox policy's Landlock rules (issue 16, src/lib/kernel/landlock.c)
# enforced for real: tests/tools/landlock-apply runs the very function the
# init's STEP_LANDLOCK runs (hr_landlock_apply) on itself, chroot'd into a
# busybox rootfs as the init is after pivot_root, from a policy given on
# its command line (until the policy parser lands, no config carries one),
# then execs a shell that tries what the policy forbids and allows.
# And max_network_mbps (bandwidth.c) measured over a veth pair.

load helpers

setup_file() { hr_setup_file; }

setup() {
  requires_root
  requires_hydra "hydra-runc's own Landlock step"
  test_tool landlock-apply
  LL=$TEST_TOOL
  R="$BATS_TEST_TMPDIR/rootfs"
  cp -a "$HR_ROOTFS_TEMPLATE" "$R"
  mkdir -p "$R/workspace" "$R/usr/bin"
  # a dedicated blocked binary, and a file beside it that is not blocked
  cp "$R/bin/busybox" "$R/usr/bin/curl"
  cp "$R/bin/busybox" "$R/usr/bin/true"
  # a blocked name on the multi-call binary: left to eBPF, reported
  ln -sf busybox "$R/bin/wget"
  ln -sf busybox "$R/bin/nc"
  # another name for the dedicated one where the sandbox may write
  ln "$R/usr/bin/curl" "$R/workspace/hardlink"
  POLICY=(-r "$R" -w /tmp -w /workspace -x /bin -x /usr/bin -x /lib -x /lib64 -b curl -b wget)
}

teardown() {
  [ -n "${SLEEPER:-}" ] && kill "$SLEEPER" 2>/dev/null
  [ -n "${NS:-}" ] && ip netns delete "$NS" 2>/dev/null
  [ -n "${NA:-}" ] && ip link del "$NA" 2>/dev/null
  if [ -n "${R:-}" ]; then
    umount "$R/tmp" 2>/dev/null || true
  fi
  return 0
}

# in_sandbox [landlock-apply options] -- SCRIPT: the script in busybox sh
in_sandbox() {
  local opts=()
  while [ "$1" != -- ]; do opts+=("$1"); shift; done
  shift
  run "$LL" "${POLICY[@]}" "${opts[@]}" -- /bin/sh -c "$1"
}

requires_landlock() {
  local abi
  abi=$("$LL" -j -x / -- /bin/true | jq .abi)
  [ "$abi" -ge "$1" ] || skip "the kernel's Landlock ABI is $abi, this needs $1"
}

@test "landlock: the report names the ABI, what is enforced, and the blocked files" {
  requires_landlock 1
  in_sandbox -j -- 'true'
  [ "$status" -eq 0 ]
  echo "$output" | jq -e '.abi >= 1'
  echo "$output" | jq -e '.features.fs_write.state == "enforced" and .features.exec.state == "enforced"'
  echo "$output" | jq -e '.features.tcp_connect.state == "not-asked"'
  # curl (its own inode) excluded; wget is busybox, which sh also is
  echo "$output" | jq -e '.blocked.excluded == 1 and .blocked.multicall_left_to_ebpf == 1'
  abi=$(echo "$output" | jq .abi)
  if [ "$abi" -ge 6 ]; then
    echo "$output" | jq -e '.features.scope_signal.state == "enforced"'
  else
    echo "$output" | jq -e '.features.scope_signal.state == "missing" and (.features.scope_signal.why | test("ABI < 6"))'
  fi
}

@test "landlock: writes only beneath writable_paths (EACCES elsewhere), no_new_privs set" {
  requires_landlock 1
  mkdir -p "$R/dev/shm"
  in_sandbox -- 'echo no > /etc/outside; echo "etc=$?"; mkdir /newdir; echo "mkdir=$?"; rm /.hydra-test-rootfs; echo "rm=$?"
    echo no > /dev/file; echo "dev=$?"
    echo yes > /workspace/inside && echo yes > /tmp/inside && echo yes > /dev/shm/sem.x && echo "inside=$?"'
  echo "$output"
  [[ "$output" == *"can't create /etc/outside: Permission denied"* ]]
  [[ "$output" == *"etc=1"* && "$output" == *"mkdir=1"* && "$output" == *"rm=1"* && "$output" == *"dev=1"* ]]
  [[ "$output" == *"inside=0"* ]]
  # the host's view: nothing outside, both inside
  [ ! -e "$R/etc/outside" ] && [ ! -e "$R/newdir" ] && [ -e "$R/.hydra-test-rootfs" ]
  [ ! -e "$R/dev/file" ]
  [ "$(cat "$R/workspace/inside")" = yes ] && [ "$(cat "$R/tmp/inside")" = yes ] && [ "$(cat "$R/dev/shm/sem.x")" = yes ]
  # the same writes without the tool succeed: the denial is Landlock's
  chroot "$R" /bin/sh -c 'echo no > /etc/outside' && [ -e "$R/etc/outside" ]

  "$LL" "${POLICY[@]}" -- /bin/sleep 100 &
  SLEEPER=$!
  for _ in $(seq 50); do
    [ "$(readlink "/proc/$SLEEPER/exe")" = /bin/busybox ] && break
    sleep 0.1
  done
  grep -q '^NoNewPrivs:[[:space:]]*1$' "/proc/$SLEEPER/status"
}

@test "landlock: execute only from executable_paths, never a dedicated blocked binary by any name" {
  requires_landlock 1
  in_sandbox -- '
    /usr/bin/true; echo "ok=$?"
    /usr/bin/curl; echo "direct=$?"
    ln -s /usr/bin/curl /tmp/symlink && /tmp/symlink; echo "symlink=$?"
    /workspace/hardlink; echo "hardlink=$?"
    cat /bin/busybox > /tmp/copy && chmod 755 /tmp/copy && /tmp/copy true; echo "copy=$?"
    /bin/wget --help 2>&1 | head -n1'
  echo "$output"
  [[ "$output" == *"ok=0"* ]]
  for what in direct symlink hardlink copy; do
    [[ "$output" == *"$what=126"* ]]
  done
  [[ "$output" == *"/usr/bin/curl: Permission denied"* && "$output" == *"/tmp/copy: Permission denied"* ]]
  # busybox as wget: Landlock cannot tell it from sh (the eBPF guard does),
  # as the report says
  [[ "$output" == *"BusyBox"* ]]
  # and the dedicated one runs without the tool (busybox, by a name that
  # is no applet)
  run -127 chroot "$R" /workspace/hardlink
  [ "$status" -eq 127 ] && [[ "$output" == *"hardlink: applet not found"* ]]
}

@test "landlock: a blocked command through Debian's alternatives, deep in a tree, is excluded by its file" {
  requires_landlock 1
  mkdir -p "$R/usr/lib/tool/bin"
  cp "$R/bin/busybox" "$R/usr/lib/tool/bin/nc.openbsd"
  cp "$R/bin/busybox" "$R/usr/lib/tool/bin/true"
  ln -sf /usr/lib/tool/bin/nc.openbsd "$R/bin/nc"
  in_sandbox -j -x /usr/lib -b nc -- '
    /usr/lib/tool/bin/nc.openbsd; echo "real=$?"
    /bin/nc; echo "alt=$?"
    /usr/lib/tool/bin/true; echo "beside=$?"'
  echo "$output"
  echo "$output" | head -n1 | jq -e '.blocked.excluded == 2'
  [[ "$output" == *"real=126"* && "$output" == *"alt=126"* && "$output" == *"beside=0"* ]]
}

@test "landlock: the ELF loader cannot run a copy from a noexec writable path (Landlock alone cannot stop mmap)" {
  requires_landlock 1
  local ld=/lib64/ld-linux-x86-64.so.2 libc
  [ -e "$ld" ] || skip "no $ld on this host"
  libc=$(ldd /bin/true | awk '/libc.so/ {print $3}')
  mkdir -p "$R/lib64" "$R$(dirname "$libc")"
  cp "$ld" "$R/lib64/"
  cp "$libc" "$R$libc"
  cp /bin/true "$R/usr/bin/dyntrue"

  # Landlock checks EXECUTE on execve and on the interpreter the kernel
  # opens, not on mmap(PROT_EXEC): ld.so maps a copy in a writable path
  # and runs it.  That is why writable_paths are noexec mounts (the
  # policy's lowering): this run shows the gap noexec closes.
  in_sandbox -- "cat /usr/bin/dyntrue > /tmp/copy; $ld /tmp/copy; echo \"loader=\$?\"; /tmp/copy; echo \"exec=\$?\""
  echo "$output"
  [[ "$output" == *"loader=0"* && "$output" == *"exec=126"* ]]

  # As the sandbox has it: /tmp a nosuid,nodev,noexec tmpfs
  mount -t tmpfs -o nosuid,nodev,noexec tmpfs "$R/tmp"
  in_sandbox -- "cat /usr/bin/dyntrue > /tmp/copy; $ld /tmp/copy; echo \"loader=\$?\"; $ld /usr/bin/dyntrue; echo \"lib=\$?\""
  echo "$output"
  [[ "$output" == *"loader=127"* || "$output" == *"loader=1"* ]]
  [[ "$output" == *"failed to map segment"* || "$output" == *"Operation not permitted"* || "$output" == *"Permission denied"* ]]
  [[ "$output" == *"lib=0"* ]]
}

@test "landlock: TCP connect only to the allow-list's ports (ABI 4)" {
  requires_landlock 4
  command -v unshare >/dev/null || skip "no unshare"
  # a private network namespace: two listeners on loopback, outside the domain
  run unshare -n /bin/bash -c '
    ip link set lo up
    busybox nc -l -p 18081 >/dev/null & busybox nc -l -p 18082 >/dev/null &
    sleep 0.3
    "$0" "${@}" -- /bin/sh -c "
      echo hi | nc -w 2 127.0.0.1 18081; echo listed=\$?
      echo hi | nc -w 2 127.0.0.1 18082; echo other=\$?"
    kill %1 %2 2>/dev/null; wait 2>/dev/null; true' "$LL" -j -r "$R" -x /bin -w /tmp -p 18081
  echo "$output"
  echo "$output" | head -n1 | jq -e '.features.tcp_connect.state == "enforced"'
  [[ "$output" == *"listed=0"* ]]
  [[ "$output" == *"other=1"* && "$output" == *"Permission denied"* ]]
}

@test "landlock: no signal to a process outside the domain (scoping, ABI 6)" {
  requires_landlock 6
  sleep 100 &
  SLEEPER=$!
  in_sandbox -- "kill -0 $SLEEPER; echo \"outside=\$?\"; sleep 100 & kill \$!; echo \"inside=\$?\""
  echo "$output"
  [[ "$output" == *"outside=1"* && "$output" == *"Operation not permitted"* && "$output" == *"inside=0"* ]]
  # the same signal without the tool is delivered
  chroot "$R" /bin/kill -0 "$SLEEPER"
}

@test "landlock: no abstract unix socket outside the domain (scoping, ABI 6)" {
  requires_landlock 6
  command -v python3 >/dev/null || skip "no python3"
  local name="hydra-ll-$$-$BATS_TEST_NUMBER"
  python3 -c 'import socket,sys,time
s=socket.socket(socket.AF_UNIX); s.bind("\0"+sys.argv[1]); s.listen(4); time.sleep(30)' "$name" &
  SLEEPER=$!
  sleep 0.5
  connect='import socket,sys
s=socket.socket(socket.AF_UNIX)
try:
    s.connect("\0"+sys.argv[1]); print("connected")
except OSError as e:
    print("errno", e.errno)'
  # on the host's root this time: python3 needs its trees
  run "$LL" -x /usr -x /bin -x /lib -x /lib64 -w /tmp -- "$(python3_bin)" -c "$connect" "$name"
  echo "$output"
  [ "$output" = "errno 1" ]  # EPERM
  run python3 -c "$connect" "$name"
  [ "$output" = connected ]
}

@test "landlock: without Landlock the step does nothing and the report says so" {
  in_sandbox -j -n -- 'echo no > /etc/outside; echo "etc=$?"'
  echo "$output"
  [ "$status" -eq 0 ]
  echo "$output" | head -n1 | jq -e '.abi == 0 and .features.fs_write.state == "missing" and .features.exec.state == "missing"'
  echo "$output" | head -n1 | jq -e '.features.scope_signal.why | test("no Landlock")'
  # nothing enforced: the write the policy forbids went through
  [[ "$output" == *"etc=0"* ]] && [ -e "$R/etc/outside" ]
}

# --- max_network_mbps ----------------------------------------------------------

# SLEEPER: a process in $NS, once it is there (`ip netns exec` forks
# before it joins: until then the pid is in the host's namespace).
in_netns_sleeper() {
  ip netns exec "$NS" sleep 1000 &
  SLEEPER=$!
  for _ in $(seq 50); do
    [ "$(readlink "/proc/$SLEEPER/ns/net")" != "$(readlink /proc/self/ns/net)" ] && return 0
    sleep 0.1
  done
  return 1
}

# receive PORT: in $NS, count bytes until EOF; prints bytes and seconds
# from the first byte to the last.
RECV='import socket,sys,time
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(1); c,_=s.accept()
n=0; t0=None
while True:
    b=c.recv(65536)
    if not b: break
    if t0 is None: t0=time.monotonic()
    n+=len(b)
print(n, time.monotonic()-t0)'
SEND='import socket,sys,time
for _ in range(50):
    try:
        c=socket.create_connection((sys.argv[1], int(sys.argv[2]))); break
    except OSError: time.sleep(0.1)
c.sendall(b"x"*int(sys.argv[3])); c.close()'

# rate DIRECTION BYTES: Mbit/s of a transfer over the veth pair, "in"
# (host -> namespace, the container's ingress) or "out"
rate() {
  local out port=$((20000 + RANDOM % 10000))
  if [ "$1" = in ]; then
    ip netns exec "$NS" python3 -c "$RECV" "$IP_NS" "$port" >"$BATS_TEST_TMPDIR/recv" &
    python3 -c "$SEND" "$IP_NS" "$port" "$2"
  else
    python3 -c "$RECV" "$IP_HOST" "$port" >"$BATS_TEST_TMPDIR/recv" &
    ip netns exec "$NS" python3 -c "$SEND" "$IP_HOST" "$port" "$2"
  fi
  wait $!
  read -r bytes secs <"$BATS_TEST_TMPDIR/recv"
  [ "$bytes" -eq "$2" ]
  awk -v b="$bytes" -v s="$secs" 'BEGIN { printf "%.2f\n", b * 8 / s / 1000000 }'
}

@test "bandwidth: max_network_mbps limits the container's interface both ways (tbf out, tbf on an ifb in)" {
  command -v ip >/dev/null && command -v tc >/dev/null || skip "iproute2 (ip, tc) not installed"
  test_tool bandwidth-apply
  BW=$TEST_TOOL
  NS="hbw$$x$BATS_TEST_NUMBER"
  NA="hbw$(($$ % 10000))a"
  NB="hbw$(($$ % 10000))b"
  IP_HOST="10.233.$(($$ % 250)).1"
  IP_NS="10.233.$(($$ % 250)).2"
  ip netns add "$NS"
  ip link add "$NA" type veth peer name "$NB"
  ip link set "$NB" netns "$NS"
  ip addr add "$IP_HOST/24" dev "$NA"
  ip link set "$NA" up
  ip netns exec "$NS" ip addr add "$IP_NS/24" dev "$NB"
  ip netns exec "$NS" ip link set "$NB" up
  ip netns exec "$NS" ip link set lo up
  in_netns_sleeper

  fast_in=$(rate in 8000000)
  fast_out=$(rate out 8000000)
  echo "unlimited: in $fast_in, out $fast_out Mbit/s"

  run "$BW" "$SLEEPER" 8000
  echo "$output"
  [ "$status" -eq 0 ] && [ "$output" = 1 ]
  # the kernel's view: tbf at the root, a police action on ingress
  ip netns exec "$NS" tc qdisc show dev "$NB" | grep -E 'tbf .*rate 8Mbit'
  ip netns exec "$NS" tc filter show dev "$NB" ingress | grep -E 'mirred .*Redirect to device hrifb'
  ip netns exec "$NS" tc qdisc show | grep -E 'tbf .* dev hrifb.*rate 8Mbit|dev hrifb.* tbf .*rate 8Mbit'

  slow_out=$(rate out 4000000)
  slow_in=$(rate in 4000000)
  echo "limited to 8 Mbit/s: in $slow_in, out $slow_out Mbit/s"
  awk -v r="$slow_out" 'BEGIN { exit !(r >= 6 && r <= 10) }'
  awk -v r="$slow_in" 'BEGIN { exit !(r >= 6 && r <= 10) }'
  awk -v f="$fast_in" -v s="$slow_in" 'BEGIN { exit !(f > 4 * s) }'
  awk -v f="$fast_out" -v s="$slow_out" 'BEGIN { exit !(f > 4 * s) }'
}

@test "bandwidth: a namespace with only loopback has no interface to limit" {
  test_tool bandwidth-apply
  BW=$TEST_TOOL
  NS="hbw$$x$BATS_TEST_NUMBER"
  ip netns add "$NS"
  in_netns_sleeper
  run "$BW" "$SLEEPER" 8000
  [ "$status" -eq 0 ]
  [ "$output" = "0 (no interface to limit)" ]
  run ip netns exec "$NS" tc qdisc show
  [[ "$output" != *tbf* ]]
}

@test "bandwidth: never the runtime's own network namespace" {
  test_tool bandwidth-apply
  BW=$TEST_TOOL
  sleep 1000 &
  SLEEPER=$!
  before=$(tc qdisc show)
  run "$BW" "$SLEEPER" 8000
  [ "$status" -eq 1 ]
  [[ "$output" == *"shares the runtime's network namespace"* ]]
  [ "$(tc qdisc show)" = "$before" ]
}
