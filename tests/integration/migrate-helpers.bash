# SPDX-License-Identifier: Apache-2.0
# Helpers for the live migration suites (migrate*.bats, issue 14), with
# their setup/teardown hooks.  Load after helpers, ../criu-helpers and
# checkpoint-helpers (for cp_pipe, cp_bg, cp_log_errors; the hooks here
# replace that file's).
#
# Two "hosts" on one machine: network namespaces joined by one veth pair
# whose only addresses are inside the pair, each with its own state root
# and its own copy of the bundle (its own linux.cgroupsPath: both hosts
# share the machine's cgroup tree).  A container that keeps a TCP
# connection joins a fourth namespace by path, so that its network (and IP)
# exists for both hosts; the client sits in a third one:
#
#   $MG_NSA  vA 10.231.0.1/30 ===== vB 10.231.0.2/30  $MG_NSB   (the link)
#   $MG_NSN  vN 10.232.0.1/30 ===== vC 10.232.0.2/30  $MG_NSC   (ctr, client)
#
# The runtime runs in a host's namespace through `nsenter --net=` only:
# `ip netns exec` also remounts /sys, which hides the cgroup mounts from
# the runtime.  Everything a test creates carries $TAG in its name
# (namespaces, cgroups "mgA-$TAG" / "mgB-$TAG", the marker "mg-$TAG" in
# every container's command line) so that the leak checks and the teardown
# find it.

MG_PORT=7431                      # the target's listening port (in $MG_NSB only)
MG_LISTEN=10.231.0.2:$MG_PORT
MG_CTR_IP=10.232.0.1              # the TCP server container's address
MG_CTR_PORT=5000

setup_file() { hr_setup_file; }
setup() { mg_setup; }
teardown() { mg_teardown; }

mg_setup() {
  requires_root
  requires_criu
  local t
  for t in nsenter ss ip tc jq; do
    command -v "$t" >/dev/null || skip "no $t on this host"
  done
  # (the topology check uses checkpoint/restore only: runc runs it too)
  [[ $BATS_TEST_DESCRIPTION == *"topology check"* ]] ||
    requires_hydra "runc has no migrate / migrate-receive"
  hr_setup
  ROOT_A="$BATS_TEST_TMPDIR/rootA"
  ROOT_B="$BATS_TEST_TMPDIR/rootB"
  ROOT=$ROOT_A                    # for helpers.bash's hr / state_dirs
  BUNDLE_A="$BATS_TEST_TMPDIR/bundleA"
  BUNDLE_B="$BATS_TEST_TMPDIR/bundleB"
  KEY="$BATS_TEST_TMPDIR/key"
  IMG="$BATS_TEST_TMPDIR/img"     # (checkpoint/restore between the hosts)
  WORK="$BATS_TEST_TMPDIR/work"
  MG_NSA="mgA-$TAG"
  MG_NSB="mgB-$TAG"
  MG_NSC="mgC-$TAG"
  MG_NSN="mgN-$TAG"
  MG_CG_A="mgA-$TAG"
  MG_CG_B="mgB-$TAG"
  MG_MOUNTS=()
  CP_BG=()
  mkdir -p "$ROOT_A" "$ROOT_B" "$IMG" "$WORK"
  mg_key "$KEY"
  mg_topology
}

# mg_pipe_max BYTES: set fs.pipe-max-size for this test (the original
# comes back in mg_teardown): CRIU's lazy pages need a 4 MiB pipe.
mg_pipe_max() {
  [ -e "$BATS_TEST_TMPDIR/pipe-max-size" ] || cat /proc/sys/fs/pipe-max-size >"$BATS_TEST_TMPDIR/pipe-max-size"
  echo "$1" >/proc/sys/fs/pipe-max-size
}

# mg_has_sys_resource: CAP_SYS_RESOURCE in our effective set (the pipe
# limit does not hold for us then).
mg_has_sys_resource() {
  local eff
  eff=$(awk '/^CapEff:/ { print $2 }' /proc/self/status)
  (((0x$eff >> 24) & 1))
}

mg_teardown() {
  local p m r id
  if [ -e "${BATS_TEST_TMPDIR:-/nonexistent}/pipe-max-size" ]; then
    cat "$BATS_TEST_TMPDIR/pipe-max-size" >/proc/sys/fs/pipe-max-size
  fi
  for p in "${CP_BG[@]}"; do
    kill -9 "$p" 2>/dev/null || true
  done
  for p in "${CP_BG[@]}"; do
    wait "$p" 2>/dev/null || true
  done
  for r in "${ROOT_A:-}" "${ROOT_B:-}"; do
    [ -n "$r" ] && [ -d "$r" ] || continue
    for id in $(find "$r" -mindepth 1 -maxdepth 1 -type d ! -name '.*' -printf '%f\n'); do
      timeout 30 "$HYDRA_RUNC" --root "$r" delete --force "$id" >/dev/null 2>&1 || true
    done
  done
  # whatever is left of the test's containers (marked "mg-$TAG")
  for p in $(pgrep -f "mg-${TAG:-none};"); do
    [ "$(readlink "/proc/$p/ns/mnt" 2>/dev/null)" != "$(readlink /proc/self/ns/mnt)" ] &&
      kill -9 "$p" 2>/dev/null
  done
  # mounts a runtime killed half-way may leave under the roots, then ours
  for r in "${ROOT_A:-}" "${ROOT_B:-}"; do
    [ -n "$r" ] || continue
    for m in $(awk -v r="$r/" 'index($5, r) == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
      umount -l "$m" 2>/dev/null || true
    done
  done
  for m in "${MG_MOUNTS[@]}"; do
    umount -l "$m" 2>/dev/null || true
  done
  ROOT=${ROOT_B:-} hr_teardown
  ROOT=${ROOT_A:-} hr_teardown
  if [ -n "${TAG:-}" ]; then
    mg_cgroups | while read -r m; do
      for _ in 1 2 3 4 5; do rmdir "$m" 2>/dev/null && break; [ -d "$m" ] || break; sleep 0.2; done
    done
  fi
  return 0
}

# mg_key FILE: a fresh pre-shared key, mode 0600.
mg_key() {
  (umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$1")
  chmod 600 "$1"
}

# mg_ns NAME: a network namespace with lo up, removed at teardown.
mg_ns() {
  ip netns add "$1" || fail "ip netns add $1" || return 1
  HR_NETNS+=("$1")
  ip -n "$1" link set lo up
}

# mg_veth NS1 IF1 ADDR1 NS2 IF2 ADDR2: a veth pair between two namespaces
# (made inside them: nothing ever appears in the machine's namespace).
mg_veth() {
  ip -n "$1" link add "$2" type veth peer name "$5" netns "$4" || fail "veth $2/$5" || return 1
  ip -n "$1" addr add "$3" dev "$2"
  ip -n "$4" addr add "$6" dev "$5"
  ip -n "$1" link set "$2" up
  ip -n "$4" link set "$5" up
}

mg_topology() {
  mg_ns "$MG_NSA" && mg_ns "$MG_NSB" && mg_ns "$MG_NSC" && mg_ns "$MG_NSN" || return 1
  mg_veth "$MG_NSA" vA 10.231.0.1/30 "$MG_NSB" vB 10.231.0.2/30 || return 1
  mg_veth "$MG_NSN" vN "$MG_CTR_IP/30" "$MG_NSC" vC 10.232.0.2/30 || return 1
  # the link is up both ways before any test relies on it
  local i
  for ((i = 0; i < 50; i++)); do
    nsenter --net="/run/netns/$MG_NSA" "$HR_BUSYBOX" ping -c 1 -W 1 10.231.0.2 >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  fail "the A-B link does not carry packets"
}

# in_ns NS CMD...: CMD in that network namespace only (same mounts).
in_ns() {
  local ns=$1
  shift
  nsenter --net="/run/netns/$ns" "$@"
}

# hrA / hrB ARGS...: the runtime under test on host A / B (its namespace,
# its root, the CRIU the tests found).
hrA() {
  timeout --kill-after=5 "$HR_TIMEOUT" nsenter --net="/run/netns/$MG_NSA" \
    "$HYDRA_RUNC" --root "$ROOT_A" --criu "$CRIU" "$@"
}
hrB() {
  timeout --kill-after=5 "$HR_TIMEOUT" nsenter --net="/run/netns/$MG_NSB" \
    "$HYDRA_RUNC" --root "$ROOT_B" --criu "$CRIU" "$@"
}

# --- containers ---------------------------------------------------------------

# The idle container: a counter kept only in the shell's memory, bumped by
# each SIGUSR1 and written, with a random token drawn at start, to
# /dev/shm/n (a tmpfs of the container's own): "COUNT TOKEN".  Its own
# network namespace (the default config's).
# mg_cfg_idle [MIB]: the token is the md5 of MIB MiB of random data (base64)
# the shell holds in a variable, computed again for every line: the
# process's memory arrived intact when the token stays the same.
mg_cfg_idle() {
  local token='$(cat /proc/sys/kernel/random/uuid)'
  if [ -n "${1:-}" ]; then
    ln -sf busybox "$BUNDLE/rootfs/bin/base64"
    ln -sf busybox "$BUNDLE/rootfs/bin/md5sum"
    token='$(printf %s "$x" | md5sum | cut -c1-32)'
    cfg_sh ": mg-$TAG; x=\$(dd if=/dev/urandom bs=1M count=$1 2>/dev/null | base64); i=0; trap 'i=\$((i+1)); echo \"\$i $token\" >/dev/shm/n' USR1; echo \"0 $token\" >/dev/shm/n; while :; do sleep 0.1; done"
  else
    cfg_sh ": mg-$TAG; s=$token; i=0; trap 'i=\$((i+1)); echo \"\$i \$s\" >/dev/shm/n' USR1; echo \"0 \$s\" >/dev/shm/n; while :; do sleep 0.1; done"
  fi
}

# The TCP counter server: in the "ctr" namespace (by path), busybox nc
# accepts one connection on $MG_CTR_PORT and execs /bin/counter on it, which
# answers every line with the next number (1, 2, ...), kept in memory.
# mg_cfg_server [MIB]: first MIB MiB into its /dev/shm (see mg_cfg_memhog).
mg_cfg_server() {
  ln -s busybox "$BUNDLE/rootfs/bin/nc"
  printf '#!/bin/sh\n: mg-%s; i=0; while read x; do i=$((i+1)); echo $i; done\n' "$TAG" \
    >"$BUNDLE/rootfs/bin/counter"
  chmod 755 "$BUNDLE/rootfs/bin/counter"
  cfg '.linux.namespaces |= map(if .type == "network" then .path = $p else . end)' \
    --arg p "/run/netns/$MG_NSN"
  if [ -n "${1:-}" ]; then
    mg_cfg_shm_size "$1"
    cfg_sh "dd if=/dev/urandom of=/dev/shm/fill bs=1M count=$1 2>/dev/null; exec nc -l -p $MG_CTR_PORT -e /bin/counter"
  else
    cfg_args nc -l -p "$MG_CTR_PORT" -e /bin/counter
  fi
}

# mg_cfg_shm_size MIB: the config's /dev/shm big enough for MIB MiB.
mg_cfg_shm_size() {
  cfg '.mounts |= map(if .destination == "/dev/shm" then .options = ((.options // []) | map(select(startswith("size=") | not)) + ["size=" + $s + "m"]) else . end)' \
    --arg s "$(($1 + 8))"
}

# mg_cfg_memhog MIB: the idle container, plus MIB MiB written to its
# /dev/shm (a tmpfs CRIU dumps with the container) so that a transfer
# lasts long enough to be hit.  /dev/shm is sized to fit.
mg_cfg_memhog() {
  mg_cfg_shm_size "$1"
  cfg_sh ": mg-$TAG; dd if=/dev/urandom of=/dev/shm/fill bs=1M count=$1 2>/dev/null; s=\$(cat /proc/sys/kernel/random/uuid); i=0; trap 'i=\$((i+1)); echo \"\$i \$s\" >/dev/shm/n' USR1; echo \"0 \$s\" >/dev/shm/n; while :; do sleep 0.1; done"
}

# mg_bundles [norootfs]: $BUNDLE as configured, copied to $BUNDLE_A and
# $BUNDLE_B with each host's cgroupsPath (relative: below the runtime's
# cgroup); "norootfs" leaves $BUNDLE_B without its rootfs directory.
mg_bundles() {
  rm -rf "$BUNDLE_A" "$BUNDLE_B"
  cp -a "$BUNDLE" "$BUNDLE_A"
  cp -a "$BUNDLE" "$BUNDLE_B"
  BUNDLE=$BUNDLE_A cfg '.linux.cgroupsPath = $p' --arg p "$MG_CG_A"
  BUNDLE=$BUNDLE_B cfg '.linux.cgroupsPath = $p' --arg p "$MG_CG_B"
  [ "${1:-}" != norootfs ] || rm -rf "$BUNDLE_B/rootfs"
}

# mg_run_a ID: run -d on host A with stdio /dev/null (the contract: a
# host file as stdio cannot be dumped); echoes the init's pid.
mg_run_a() {
  local rc=0 pid
  # (the container inherits run's stderr too: no file for it, the failure
  # is shown by a second, foreground attempt)
  hrA run -d --bundle "$BUNDLE_A" "$1" </dev/null >/dev/null 2>&1 || rc=$?
  if [ "$rc" -ne 0 ]; then
    hrA run --bundle "$BUNDLE_A" "$1-again" </dev/null 2>&1 | head -5 >&2
    fail "run -d $1 on A failed ($rc)"
    return 1
  fi
  pid=$(mg_running "$ROOT_A" "$1") || return 1
  HR_PIDS+=("$pid")
  echo "$pid"
}

# mg_start_idle [norootfs|"" [MIB]]: the idle container (mg_cfg_idle MIB)
# on host A (bundles by mg_bundles), its counter bumped to 1: the init's
# pid in $MG_OLD, the counter's line ("1 TOKEN") in $MG_BEFORE.
mg_start_idle() {
  mg_cfg_idle "${2:-}"
  mg_bundles "${1:-}"
  MG_OLD=$(mg_run_a "$TAG") || return 1
  HR_PIDS+=("$MG_OLD")
  mg_wait_counter "$MG_OLD" >/dev/null || return 1
  MG_BEFORE=$(mg_bump "$MG_OLD" 1)
}

# --- the idle container's memory --------------------------------------------

# mg_bump PID N: send SIGUSR1 to the container's shell, wait until
# /dev/shm/n (seen through /proc/PID/root) says count N; echoes the line.
mg_bump() {
  local pid=$1 want=$2 line="" i
  kill -USR1 "$pid" || fail "kill -USR1 $pid" || return 1
  for ((i = 0; i < 100; i++)); do
    line=$(cat "/proc/$pid/root/dev/shm/n" 2>/dev/null) || line=""
    [ "${line%% *}" = "$want" ] && { echo "$line"; return 0; }
    sleep 0.05
  done
  fail "counter of pid $pid: '$line' after SIGUSR1, want count $want"
}

# mg_wait_counter PID: wait for the idle container's first line; echoes it.
mg_wait_counter() {
  local i line=""
  for ((i = 0; i < 100; i++)); do
    line=$(cat "/proc/$1/root/dev/shm/n" 2>/dev/null) || line=""
    [ -n "$line" ] && { echo "$line"; return 0; }
    sleep 0.05
  done
  fail "no /dev/shm/n in the container of pid $1"
}

# --- the TCP client ------------------------------------------------------------

# mg_wait_listen NS PORT [SECONDS]: until something listens on PORT in NS.
mg_wait_listen() {
  local i secs=${3:-10}
  for ((i = 0; i < secs * 20; i++)); do
    in_ns "$1" ss -Hltn "sport = :$2" | grep -q . && return 0
    sleep 0.05
  done
  fail "nothing listens on port $2 in $1 after ${secs}s"
}

# mg_client: ONE connection from the client namespace to the counter server
# (busybox nc with pipes): write to $MG_CIN, read from $MG_COUT; its pid in
# $MG_CLIENT.
mg_client() {
  local cin_r cout_w
  mg_wait_listen "$MG_NSN" "$MG_CTR_PORT" || return 1
  cp_pipe cin_r MG_CIN
  cp_pipe MG_COUT cout_w
  cp_bg nsenter --net="/run/netns/$MG_NSC" "$HR_BUSYBOX" nc "$MG_CTR_IP" "$MG_CTR_PORT" \
    <&"$cin_r" >&"$cout_w"
  MG_CLIENT=$CP_LAST_BG
  exec {cin_r}<&- {cout_w}>&-
}

# mg_talk N: send a line over the client's connection, the answer is N.
mg_talk() {
  local line=""
  echo "q$1" >&"$MG_CIN" || fail "the client's connection is gone (write)" || return 1
  read -r -t 10 -u "$MG_COUT" line || true
  assert_eq "$line" "$1" "the counter's answer over TCP" ||
    fail "connections in ctr: $(in_ns "$MG_NSN" ss -tan); client alive: $(kill -0 "$MG_CLIENT" 2>&1 && echo yes)"
}

# mg_start_server N [MIB]: the counter server (mg_cfg_server MIB) on host
# A, the client, N requests answered 1..N; the init's pid in $MG_OLD, the
# connection (mg_conn) in $MG_CONN.
mg_start_server() {
  local i
  mg_cfg_server "${2:-}"
  mg_bundles
  MG_OLD=$(mg_run_a "$TAG") || return 1
  HR_PIDS+=("$MG_OLD")
  mg_client || return 1
  for ((i = 1; i <= $1; i++)); do
    mg_talk "$i" || return 1
  done
  MG_CONN=$(mg_conn)
  [ -n "$MG_CONN" ] || fail "no established connection from the client"
}

# mg_conn: the client's established connection as "LOCAL PEER" (from the
# client namespace's socket table).
mg_conn() {
  in_ns "$MG_NSC" ss -Htn state established "( dport = :$MG_CTR_PORT )" | awk '{print $3, $4}'
}

# --- migration -------------------------------------------------------------------

# mg_receive ID [ARGS...]: migrate-receive on host B in the background,
# bundle $BUNDLE_B, key $KEY unless ARGS give --key; waits for its
# listener.  Its pid in $MG_RX, its output in $MG_RX_OUT / $MG_RX_ERR.
mg_receive() {
  local id=$1 key=(--key "$KEY") a
  shift
  for a in "$@"; do [ "$a" = --key ] && key=(); done
  MG_RX_OUT="$BATS_TEST_TMPDIR/rx.out"
  MG_RX_ERR="$BATS_TEST_TMPDIR/rx.err"
  cp_bg nsenter --net="/run/netns/$MG_NSB" "$HYDRA_RUNC" --root "$ROOT_B" --criu "$CRIU" \
    migrate-receive "$id" --bundle "$BUNDLE_B" --listen "$MG_LISTEN" "${key[@]}" "$@" \
    </dev/null >"$MG_RX_OUT" 2>"$MG_RX_ERR"
  MG_RX=$CP_LAST_BG
  MG_SHELL=$BASHPID
  local i
  for ((i = 0; i < 200; i++)); do
    in_ns "$MG_NSB" ss -Hltn "sport = :$MG_PORT" | grep -q . && return 0
    kill -0 "$MG_RX" 2>/dev/null || break
    sleep 0.05
  done
  fail "migrate-receive is not listening on $MG_LISTEN: $(cat "$MG_RX_ERR")"
}

# mg_reap PID WHAT SECONDS: wait (bounded) for a background command of the
# test; its exit status in $MG_REAPED.
mg_reap() {
  MG_REAPED=0
  # bash's wait in a command substitution reports -1 for a child that exits
  # after the fork: refuse the mistake instead of failing now and then
  [ "$BASHPID" = "${MG_SHELL:-$BASHPID}" ] ||
    fail "mg_reap $2 in a subshell: only the test's shell can wait for it" || return 1
  timeout "$3" tail --pid="$1" -f /dev/null || fail "$2 still running after $3 s" || return 1
  wait "$1" || MG_REAPED=$?
}

# mg_rx_wait [SECONDS]: wait for the receiver, its exit status in
# $MG_RX_RC, its stderr in $MG_RX_MSG.
mg_rx_wait() {
  mg_reap "$MG_RX" migrate-receive "${1:-60}" || return 1
  MG_RX_RC=$MG_REAPED
  MG_RX_MSG=$(cat "$MG_RX_ERR")
  echo "migrate-receive exited $MG_RX_RC: $MG_RX_MSG $(cat "$MG_RX_OUT")" >&2
}

# mg_migrate ID [ARGS...]: migrate from host A to $MG_LISTEN with $KEY
# (unless ARGS give --key); status in $MG_RC, stdout in $MG_OUT, stderr in
# $MG_ERR (files, not pipes: a container the source brings back must not
# hold a pipe the test waits on).
mg_migrate() {
  local id=$1 key=(--key "$KEY") a
  shift
  for a in "$@"; do [ "$a" = --key ] && key=(); done
  MG_RC=0
  hrA migrate "$id" --to "$MG_LISTEN" "${key[@]}" "$@" \
    </dev/null >"$BATS_TEST_TMPDIR/mig.out" 2>"$BATS_TEST_TMPDIR/mig.err" || MG_RC=$?
  mg_tx_output
}
mg_tx_output() {
  MG_OUT=$(cat "$BATS_TEST_TMPDIR/mig.out")
  MG_ERR=$(cat "$BATS_TEST_TMPDIR/mig.err")
  echo "migrate exited $MG_RC: stdout: $MG_OUT stderr: $MG_ERR" >&2
}

# mg_migrate_bg ID [ARGS...]: the same in the background (pid in $MG_TX;
# mg_tx_wait collects it like mg_migrate).
mg_migrate_bg() {
  local id=$1
  shift
  cp_bg nsenter --net="/run/netns/$MG_NSA" "$HYDRA_RUNC" --root "$ROOT_A" --criu "$CRIU" \
    migrate "$id" --to "$MG_LISTEN" --key "$KEY" "$@" \
    </dev/null >"$BATS_TEST_TMPDIR/mig.out" 2>"$BATS_TEST_TMPDIR/mig.err"
  MG_TX=$CP_LAST_BG
  MG_SHELL=$BASHPID
}
mg_tx_wait() {
  mg_reap "$MG_TX" migrate "${1:-60}" || return 1
  MG_RC=$MG_REAPED
  mg_tx_output
}

# mg_wait_transfer MIB [SECONDS]: until the receiver's end of the migration
# connection has received at least MIB MiB (ss -i bytes_received in B).
mg_wait_transfer() {
  local want=$(($1 << 20)) secs=${2:-30} i got=0
  for ((i = 0; i < secs * 20; i++)); do
    got=$(in_ns "$MG_NSB" ss -Htin state established "( sport = :$MG_PORT )" |
      grep -o 'bytes_received:[0-9]*' | cut -d: -f2 | sort -n | tail -1)
    [ "${got:-0}" -ge "$want" ] && return 0
    kill -0 "$MG_TX" 2>/dev/null || break
    sleep 0.05
  done
  fail "the target received ${got:-0} bytes, waited for $want; migrate: $(cat "$BATS_TEST_TMPDIR/mig.err" 2>/dev/null); migrate-receive: $(cat "$MG_RX_ERR" 2>/dev/null)"
}

# mg_throttle [RATE]: limit host A's end of the link to RATE (tbf, default
# 80mbit: 64 MiB in ~7 s), so that a transfer takes seconds.
mg_throttle() {
  in_ns "$MG_NSA" tc qdisc add dev vA root tbf rate "${1:-80mbit}" burst 64kb latency 200ms ||
    fail "tc tbf on vA"
}

# --- the kernel's view ---------------------------------------------------------

# mg_running ROOT ID: `state` under ROOT says running with a live pid that is
# pid 1 of its own pid namespace; echoes the pid.
mg_running() {
  local st pid
  st=$(timeout 30 "$HYDRA_RUNC" --root "$1" state "$2") || fail "state $2 under $1 failed" || return 1
  assert_eq "$(jq -r .status <<<"$st")" running "status of $2 under $1" || return 1
  pid=$(jq -r .pid <<<"$st")
  [ "${pid:-0}" -gt 0 ] && [ -d "/proc/$pid" ] || fail "state pid $pid is not alive" || return 1
  [ "$(awk '{print $3}' "/proc/$pid/stat")" != Z ] || fail "pid $pid is a zombie" || return 1
  assert_eq "$(awk '/^NSpid:/ {print $NF}' "/proc/$pid/status")" 1 "pid of the init in its namespace" || return 1
  echo "$pid"
}

# mg_assert_cgroup PID NAME: PID is in a cgroup named NAME in the unified
# hierarchy and in every v1 hierarchy the runtime placed it in (any line
# that differs from the test shell's), and in none named after the other
# host.
mg_assert_cgroup() {
  local pid=$1 name=$2 hier ctrl path mine n=0
  while IFS=: read -r hier ctrl path; do
    mine=$(awk -F: -v c="$ctrl" '$2 == c { print $3 }' /proc/self/cgroup)
    [ "$path" = "$mine" ] && continue
    [[ $path == */"$name" ]] || fail "pid $pid: cgroup $ctrl:$path, not one named $name" || return 1
    n=$((n + 1))
  done <"/proc/$pid/cgroup"
  [ "$n" -gt 0 ] || fail "pid $pid is in no cgroup of its own: $(cat "/proc/$pid/cgroup")"
}

# mg_assert_thawed PID: nothing of the container of PID is frozen: its
# freezer cgroup (v1 freezer.state, cgroup2 cgroup.events) says so, and no
# process of it sleeps in the freezer.
mg_assert_thawed() {
  local pid=$1 d f p w
  for d in $(container_cgroup_dirs "$pid"); do
    f="$d/freezer.state"
    if [ -f "$f" ]; then
      assert_eq "$(cat "$f")" THAWED "$f" || return 1
    fi
    f="$d/cgroup.events"
    if [ -f "$f" ]; then
      assert_eq "$(awk '$1 == "frozen" {print $2}' "$f")" 0 "frozen in $f" || return 1
    fi
    for p in $(cat "$d/cgroup.procs" 2>/dev/null); do
      w=$(cat "/proc/$p/wchan" 2>/dev/null) || continue
      [[ $w != *refrigerator* && $w != *freezer* ]] || fail "pid $p sleeps in $w" || return 1
    done
  done
}

# mg_cgroups: cgroup directories this test's containers had (any host).
mg_cgroups() {
  find /sys/fs/cgroup -mindepth 1 -maxdepth 10 -depth -type d \( -name "$MG_CG_A*" -o -name "$MG_CG_B*" -o -name "$TAG" \) 2>/dev/null
}

# mg_root_entries ROOT: what is under a state root, hidden entries too (the
# work directories of a migration are .migrate-ID-XXXXXX).
mg_root_entries() {
  [ -d "$1" ] || return 0
  find "$1" -mindepth 1 -maxdepth 1 -printf '%f\n' | sort
}

# mg_assert_b_clean: nothing of the migration left on host B: no entry under
# its root, no mount there, no process in its namespace or in the ctr
# namespace that is not host A's container, no cgroup of B's bundle, no
# listener, the receiver gone.
mg_assert_b_clean() {
  local left
  left=$(mg_root_entries "$ROOT_B")
  [ -z "$left" ] || fail "left under host B's root: $left" || return 1
  left=$(find "$ROOT_B" -name '*.img' 2>/dev/null | head -3)
  [ -z "$left" ] || fail "images left under host B's root: $left" || return 1
  left=$(awk -v r="$ROOT_B/" 'index($5, r) == 1 { print $5 }' /proc/self/mountinfo)
  [ -z "$left" ] || fail "mounts left under host B's root: $left" || return 1
  left=$(ip netns pids "$MG_NSB")
  [ -z "$left" ] || fail "processes left in host B's namespace: $(mg_ps $left)" || return 1
  left=$(find /sys/fs/cgroup -mindepth 1 -maxdepth 10 -type d -name "$MG_CG_B" 2>/dev/null)
  [ -z "$left" ] || fail "host B's container cgroup left: $left" || return 1
  left=$(in_ns "$MG_NSB" ss -Hltn)
  [ -z "$left" ] || fail "a listener left in host B: $left" || return 1
  [ -z "${MG_RX:-}" ] || ! kill -0 "$MG_RX" 2>/dev/null || fail "migrate-receive still running"
}

# mg_wait_b_clean [SECONDS]: until mg_assert_b_clean holds (what a killed
# receiver leaves, its supervisor removes: give it a moment).
mg_wait_b_clean() {
  local i
  for ((i = 0; i < ${1:-10} * 5; i++)); do
    mg_assert_b_clean 2>/dev/null && return 0
    sleep 0.2
  done
  mg_assert_b_clean
}

# mg_ps PID...: "pid comm" of each, for messages.
mg_ps() {
  local p
  for p in "$@"; do echo "$p:$(cat "/proc/$p/comm" 2>/dev/null)"; done | tr '\n' ' '
}

# mg_end: delete what the test still runs (on both hosts, through the
# runtime under test), then the leak check: both state roots empty, no
# mount under them, no process of the test (marked or in the test's
# namespaces), no cgroup, no listener on host B.
mg_end() {
  local id r left ns
  [ -z "${MG_CLIENT:-}" ] || { kill -9 "$MG_CLIENT" 2>/dev/null; wait "$MG_CLIENT" 2>/dev/null || true; }
  for r in "$ROOT_A" "$ROOT_B"; do
    for id in $(timeout 30 "$HYDRA_RUNC" --root "$r" list -q 2>/dev/null); do
      timeout 30 "$HYDRA_RUNC" --root "$r" delete --force "$id" ||
        fail "delete --force $id under $r failed" || return 1
    done
  done
  for r in "$ROOT_A" "$ROOT_B"; do
    left=$(mg_root_entries "$r")
    [ -z "$left" ] || fail "left under $r: $left" || return 1
    left=$(awk -v r="$r/" 'index($5, r) == 1 { print $5 }' /proc/self/mountinfo)
    [ -z "$left" ] || fail "mounts left under $r: $left" || return 1
  done
  for ns in "$MG_NSA" "$MG_NSB" "$MG_NSN" "$MG_NSC"; do
    left=$(ip netns pids "$ns")
    [ -z "$left" ] || fail "processes left in $ns: $(mg_ps $left)" || return 1
  done
  left=$(pgrep -f "mg-$TAG;" || true)
  [ -z "$left" ] || fail "processes of the test left: $(mg_ps $left)" || return 1
  # (a cgroup's removal may trail its last process's exit by a moment)
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    left=$(mg_cgroups)
    [ -z "$left" ] && break
    sleep 0.2
  done
  [ -z "$left" ] || fail "cgroups left: $left" || return 1
  left=$(in_ns "$MG_NSB" ss -Hltn)
  [ -z "$left" ] || fail "a listener left in host B: $left"
}

# mg_assert_source_running ID PID: after a failed migration the source
# container runs on host A: state running, thawed, in A's cgroup, nothing
# but its state under A's root; with PID (the init from before) it is that
# same process; echoes the init's pid.
mg_assert_source_running() {
  local pid
  pid=$(mg_running "$ROOT_A" "$1") || return 1
  [ -z "${2:-}" ] || assert_eq "$pid" "$2" "the source's init pid" || return 1
  mg_assert_thawed "$pid" || return 1
  mg_assert_cgroup "$pid" "$MG_CG_A" || return 1
  # the source's work directory (its images) is gone too
  assert_eq "$(mg_root_entries "$ROOT_A")" "$1" "entries under host A's root" || return 1
  echo "$pid"
}
