#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# VM lane: live migration (issue 14) in the modes the CI host cannot run.
# pre-copy needs soft-dirty memory tracking and post-copy lazy pages over
# CRIU's page server; the guest's 6.1 kernel with Debian's CRIU 3.17 has
# both (checkpoint-v2.bats checks them), the 6.18 host has neither
# working.  Two "hosts" are two network namespaces joined by a veth pair;
# each runtime runs in its own through `nsenter --net=` (`ip netns exec`
# would also remount /sys), with its own --root and its own copy of the
# bundle (a different linux.cgroupsPath: both share the guest's cgroup
# tree).  Every test checks the kernel's view on both sides: the
# container runs on the target (pid alive, pid 1 of its pid namespace, in
# the target bundle's cgroup) with its memory (a token and a counter the
# shell holds in memory only, going on), and the source is gone (state,
# process, cgroup).

load vm-helpers
load vm-criu

setup_file() {
  [ "${HYDRA_VM_LANE:-}" = 1 ] || return 0
  hr_setup_file
}

setup() {
  requires_vm_lane
  requires_root
  requires_hydra "migrate is hydra-runc's own command (runc has none)"
  hr_setup
  requires_criu
  MG_BG=()
  ROOT_B=$BATS_TEST_TMPDIR/root-b
  BUNDLE_B=$BATS_TEST_TMPDIR/bundle-b
  D=$BATS_TEST_TMPDIR/mg
  mkdir -p "$D"
  NSA=mg$$a$BATS_TEST_NUMBER
  NSB=mg$$b$BATS_TEST_NUMBER
  ADDR_B=10.78.0.2
  PORT=$((7100 + BATS_TEST_NUMBER))
  KEY=$D/key
}

teardown() {
  local p id
  for p in "${MG_BG[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  if [ -d "${ROOT_B:-}" ]; then
    for id in $("$HYDRA_RUNC" --root "$ROOT_B" list -q 2>/dev/null); do
      timeout 30 "$HYDRA_RUNC" --root "$ROOT_B" delete --force "$id" >/dev/null 2>&1 || true
    done
  fi
  hr_teardown
}

# mg_hosts: the two network namespaces, a veth pair between them
# (10.78.0.1 in a, $ADDR_B in b), loopback up; hr_teardown removes them.
mg_hosts() {
  ip netns add "$NSA"
  HR_NETNS+=("$NSA")
  ip netns add "$NSB"
  HR_NETNS+=("$NSB")
  # (veth is a module in Debian's kernel; the lane's modprobe is busybox's)
  if ! ip link add "${NSA}0" netns "$NSA" type veth peer name "${NSB}0" netns "$NSB" 2>/dev/null; then
    busybox modprobe veth || true
    ip link add "${NSA}0" netns "$NSA" type veth peer name "${NSB}0" netns "$NSB" ||
      fail "cannot make a veth pair" || return 1
  fi
  on_a ip addr add 10.78.0.1/24 dev "${NSA}0"
  on_b ip addr add "$ADDR_B/24" dev "${NSB}0"
  on_a ip link set lo up
  on_b ip link set lo up
  on_a ip link set "${NSA}0" up
  on_b ip link set "${NSB}0" up
  on_a busybox ping -c 1 -W 10 "$ADDR_B" >/dev/null || fail "no route from $NSA to $ADDR_B" || return 1
  # the pre-shared key: a regular file of mode 0600
  (umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$KEY")
}

on_a() { nsenter --net="/run/netns/$NSA" "$@"; }
on_b() { nsenter --net="/run/netns/$NSB" "$@"; }
# hra/hrb ARGS...: the runtime of host a (root $ROOT) or b (root $ROOT_B)
hra() { timeout --kill-after=5 "$HR_TIMEOUT" nsenter --net="/run/netns/$NSA" "$HYDRA_RUNC" --root "$ROOT" --criu "$CRIU" "$@"; }
hrb() { timeout --kill-after=5 "$HR_TIMEOUT" nsenter --net="/run/netns/$NSB" "$HYDRA_RUNC" --root "$ROOT_B" --criu "$CRIU" "$@"; }

# mg_bundles PROGRAM: $BUNDLE runs PROGRAM (sh -c; its stdio moved first
# to the container's own /dev/null, so that no fd of the process leads
# outside its mount namespace, where CRIU cannot follow) with a tmpfs at /tmp
# for its state files (CRIU carries a tmpfs's content along; a file open
# in the rootfs at the dump would have to exist at the same size in the
# target's copy), cgroup /$TAG-a; $BUNDLE_B is its copy for host b
# (rootfs copied), cgroup /$TAG-b.
mg_bundles() {
  cfg '.root.readonly = false | .linux.cgroupsPath = $cg |
       .mounts += [{"destination": "/tmp", "type": "tmpfs", "source": "tmpfs",
                    "options": ["nosuid", "nodev", "mode=1777"]}]' --arg cg "/$TAG-a"
  cfg_sh "exec </dev/null >/dev/null 2>&1
$1"
  local a
  for a in md5sum base64; do ln -sf busybox "$BUNDLE/rootfs/bin/$a"; done
  cp -a "$BUNDLE" "$BUNDLE_B"
  jq '.linux.cgroupsPath = $cg' --arg cg "/$TAG-b" "$BUNDLE/config.json" >"$BUNDLE_B/config.json"
}

# mg_start: run -d on host a, stdio /dev/null (a host file cannot be
# dumped); sets SRC_PID, SRC_CG, and TOK/N from the container's state.
mg_start() {
  local s
  hra run -d --bundle "$BUNDLE" "$TAG" </dev/null >/dev/null 2>"$D/run.err" ||
    fail "run -d on host a: $(cat "$D/run.err")" || return 1
  track_pid "$TAG"
  SRC_PID=$(hra state "$TAG" | jq -r .pid)
  SRC_CG=$(cgroup2_dir_of "$SRC_PID")
  assert_eq "$SRC_CG" "$HR_CGROUP2/$TAG-a" "cgroup of the source" || return 1
  s=$(mg_state "$SRC_PID") || return 1
  TOK=${s% *}
  N=${s#* }
}

# mg_state PID: "TOKEN N" as the container of PID last wrote it to its /tmp.
mg_state() {
  local s="" i
  for ((i = 0; i < 300; i++)); do
    s=$(cat "/proc/$1/root/tmp/cr-state" 2>/dev/null) || s=""
    [[ $s =~ ^[0-9a-f-]{36}\ [0-9]+$ ]] && { echo "$s"; return 0; }
    sleep 0.1
  done
  fail "no state in /proc/$1/root/tmp/cr-state (last read: '$s')"
}

# mg_wait_past PID: the counter of PID's container, with $TOK, goes past $N.
mg_wait_past() {
  local s="" i
  for ((i = 0; i < 300; i++)); do
    s=$(cat "/proc/$1/root/tmp/cr-state" 2>/dev/null) || s=""
    if [[ $s =~ ^([0-9a-f-]{36})\ ([0-9]+)$ ]]; then
      [ "${BASH_REMATCH[1]}" = "$TOK" ] ||
        fail "token '$s' on the target, want '$TOK N': memory lost (a new process?)" || return 1
      [ "${BASH_REMATCH[2]}" -gt "$N" ] && return 0
    fi
    sleep 0.1
  done
  fail "counter of $TOK did not go past $N in 30 s on the target (last: '$s')"
}

# mg_receive: migrate-receive on host b in the background (pid MG_RECV),
# returns once it listens (ss in b's namespace, as the contract says).
mg_receive() {
  local i
  nsenter --net="/run/netns/$NSB" "$HYDRA_RUNC" --root "$ROOT_B" --criu "$CRIU" \
    migrate-receive "$TAG" --bundle "$BUNDLE_B" --listen "$ADDR_B:$PORT" --key "$KEY" --timeout 120 \
    </dev/null >"$D/recv.out" 2>&1 3>&- &
  MG_RECV=$!
  MG_BG+=("$MG_RECV")
  for ((i = 0; i < 600; i++)); do
    [ -z "$(on_b ss -Hltn "sport = :$PORT")" ] || return 0
    kill -0 "$MG_RECV" 2>/dev/null || break
    sleep 0.1
  done
  fail "migrate-receive does not listen on $ADDR_B:$PORT: $(cat "$D/recv.out")"
}

# mg_migrate ARGS...: `migrate $TAG --to ... --key ... ARGS --stats-json
# $D/stats.json` on host a; it and the receiver must exit 0; the one line
# it prints is checked against the contract ($MODE).
mg_migrate() {
  local rc=0 out
  HR_TIMEOUT=300 hra migrate "$TAG" --to "$ADDR_B:$PORT" --key "$KEY" "$@" \
    --stats-json "$D/stats.json" --timeout 120 </dev/null >"$D/mig.out" 2>"$D/mig.err" || rc=$?
  if [ "$rc" -ne 0 ]; then
    kill "$MG_RECV" 2>/dev/null || true
    fail "migrate $* exited $rc: $(cat "$D/mig.err" "$D/mig.out"); receiver: $(cat "$D/recv.out")"
    return 1
  fi
  timeout 120 tail --pid="$MG_RECV" -f /dev/null ||
    fail "migrate-receive still runs 120 s after migrate exited 0: $(cat "$D/recv.out")" || return 1
  rc=0
  wait "$MG_RECV" || rc=$?
  [ "$rc" -eq 0 ] || fail "migrate-receive exited $rc after migrate exited 0: $(cat "$D/recv.out")" || return 1
  out=$(cat "$D/mig.out")
  # (in the TAP, for whoever reads the lane's log: what this migration cost)
  echo "# $out; --stats-json: $(cat "$D/stats.json" 2>&1)" >&3
  assert_match "$out" "^migrated $TAG to $ADDR_B:$PORT: $MODE, downtime [0-9]+ ms, total [0-9]+ ms, [0-9]+ round\\(s\\), [0-9]+ bytes sent, CRIU frozen [0-9]+ ms\$" \
    "migrate's line" || return 1
  # --stats-json: the contract's fields, integers, and the mode asked for
  jq -e --arg m "$MODE" '.mode == $m and
      ([.downtime_ms, .total_ms, .frozen_time_ms, .bytes_sent] | all(type == "number" and . >= 0 and . == floor)) and
      (.rounds | type == "array" and length >= 1) and
      (.rounds | all(type == "object" and (.pages | type == "number") and (.bytes | type == "number"))) and
      .downtime_ms <= .total_ms and .bytes_sent > 0' "$D/stats.json" >/dev/null ||
    fail "--stats-json: $(cat "$D/stats.json" 2>&1)"
}

# mg_on_target: the container runs on host b; sets DST_PID.  The kernel's
# view: a live pid, pid 1 of its own pid namespace, in the target bundle's
# cgroup, and host a no longer has it (state, process, cgroup).
mg_on_target() {
  local st
  st=$(hrb state "$TAG") || fail "state $TAG on host b failed" || return 1
  assert_eq "$(jq -r .status <<<"$st")" running "status of $TAG on host b" || return 1
  DST_PID=$(jq -r .pid <<<"$st")
  [ "${DST_PID:-0}" -gt 0 ] && [ -d "/proc/$DST_PID" ] || fail "pid $DST_PID on host b is not alive" || return 1
  HR_PIDS+=("$DST_PID")
  [ "$(awk '{print $3}' "/proc/$DST_PID/stat")" != Z ] || fail "pid $DST_PID is a zombie" || return 1
  assert_eq "$(awk '/^NSpid:/ { print $NF }' "/proc/$DST_PID/status")" 1 "pid of the target's init in its pid namespace" || return 1
  cr_assert_in_cgroup "$DST_PID" "$HR_CGROUP2/$TAG-b" || return 1
  if hra state "$TAG" >/dev/null 2>&1; then
    fail "state $TAG still answers on host a after the migration" || return 1
  fi
  wait_for_pid_gone "$SRC_PID" 10 || return 1
  [ ! -d "$SRC_CG" ] || fail "the source's cgroup $SRC_CG is left"
}

# mg_done: delete on host b; nothing left on either host.
mg_done() {
  hrb delete --force "$TAG"
  wait_for_pid_gone "$DST_PID"
  assert_no_state_dirs
  [ -z "$(find "$ROOT_B" -mindepth 1 -maxdepth 1 -type d ! -name '.*' 2>/dev/null)" ] ||
    fail "state left under $ROOT_B: $(ls -A "$ROOT_B")" || return 1
  assert_no_cgroup "$TAG-a"
  assert_no_cgroup "$TAG-b"
}

# A shell that holds a token and a counter in memory only and rewrites
# them every 0.1 s (vm-criu.bash's program, its file on the tmpfs): the
# few pages it dirties each time are what pre-copy's rounds go after.
MG_SLOW='t=$(cat /proc/sys/kernel/random/uuid); i=0
while :; do i=$((i + 1)); echo "$t $i" >/tmp/cr-state; sleep 0.1; done'

@test "migrate --mode pre-copy between two netns hosts: >= 2 rounds, the container goes on on the target with its memory, the source is gone" {
  mg_hosts
  mg_bundles "$MG_SLOW"
  mg_start
  mg_receive
  MODE=pre-copy
  mg_migrate --mode pre-copy
  local rounds
  rounds=$(jq '.rounds | length' "$D/stats.json")
  [ "$rounds" -ge 2 ] || fail "pre-copy made $rounds round(s) (--stats-json: $(cat "$D/stats.json")), want a pre-dump and the final dump"
  # --max-rounds defaults to 5 pre-dumps: at most 6 rounds
  [ "$rounds" -le 6 ] || fail "pre-copy made $rounds rounds, more than the default --max-rounds 5 allows"
  mg_on_target
  mg_wait_past "$DST_PID"
  mg_done
}

@test "migrate --mode pre-copy --max-rounds 1: one pre-dump and the final dump, and the container goes on on the target" {
  mg_hosts
  mg_bundles "$MG_SLOW"
  mg_start
  mg_receive
  MODE=pre-copy
  mg_migrate --mode pre-copy --max-rounds 1
  assert_eq "$(jq '.rounds | length' "$D/stats.json")" 2 \
    "rounds of a pre-copy with --max-rounds 1 (--stats-json: $(cat "$D/stats.json"))"
  mg_on_target
  mg_wait_past "$DST_PID"
  mg_done
}

@test "migrate --mode post-copy (lazy pages): the container runs on the target, a big buffer filled before the migration is intact" {
  # The shell fills a 4 MiB buffer (base64 of 3 MiB from urandom: held in
  # its memory only), writes the buffer's md5 once, then on each /tmp/go
  # writes the md5 again from memory: on the target, after a post-copy,
  # the pages come over CRIU's page server as the process touches them.
  mg_hosts
  mg_bundles 't=$(cat /proc/sys/kernel/random/uuid)
b=$(head -c 3145728 /dev/urandom | base64)
s=$(printf %s "$b" | md5sum); echo "${s%% *}" >/tmp/sum-before
i=0
while :; do
  i=$((i + 1)); echo "$t $i" >/tmp/cr-state
  if [ -e /tmp/go ]; then rm -f /tmp/go; s=$(printf %s "$b" | md5sum); echo "${s%% *}" >/tmp/sum-after.new; mv /tmp/sum-after.new /tmp/sum-after; fi
  sleep 0.1
done'
  mg_start
  local before i after=""
  before=$(cat "/proc/$SRC_PID/root/tmp/sum-before")
  assert_match "$before" '^[0-9a-f]{32}$' "md5 of the buffer before the migration"
  run "$CRIU" check --feature uffd-noncoop
  [ "$status" -eq 0 ] || fail "$CRIU check --feature uffd-noncoop (post-copy needs it; the lane's kernel has it): $output"
  mg_receive
  MODE=post-copy
  mg_migrate --mode post-copy
  mg_on_target
  mg_wait_past "$DST_PID"
  touch "/proc/$DST_PID/root/tmp/go"
  for ((i = 0; i < 600; i++)); do
    after=$(cat "/proc/$DST_PID/root/tmp/sum-after" 2>/dev/null) || after=""
    [ -z "$after" ] || break
    sleep 0.1
  done
  assert_eq "$after" "$before" "md5 of the buffer, recomputed from memory on the target"
  # the same process, still running, after reading its whole buffer
  assert_eq "$(hrb state "$TAG" | jq -r .pid)" "$DST_PID" "pid on host b after the checksum"
  mg_done
}
