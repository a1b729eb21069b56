# SPDX-License-Identifier: Apache-2.0
# Helpers shared by the end-to-end suites (tests/e2e/*.bats), which drive
# real container engines (containerd, Podman) on top of the runtime under
# test.  Load with `load e2e-helpers`.  Each engine's functions carry its
# prefix (ctrd_ for containerd, ...); tests/e2e/make-image.sh builds the
# OCI image archive they import.

# --- shared by the suites (e2e_*, and the assertions) -----------------------

fail() {
  echo "FAIL: $*" >&2
  return 1
}

# assert_eq GOT WANT [WHAT]
assert_eq() {
  [ "$1" = "$2" ] || fail "${3:-value}: got '$1', want '$2'"
}

# assert_match STRING ERE [WHAT]
assert_match() {
  [[ $1 =~ $2 ]] || fail "${3:-value}: '$1' does not match /$2/"
}

# e2e_runtime_is_runc RUNTIME: the binary under test is runc itself (its
# --version says so; hydra-runc says so only when called as runc), for the
# checks runc 1.1 is known to fail.
e2e_runtime_is_runc() {
  "$1" --version 2>/dev/null | head -n 1 | grep -q '^runc version'
}

# e2e_criu_pids DIR: the CRIU processes whose PATH starts with DIR, the
# directory an engine was given to find `criu` in (podman_use_criu,
# ctrd_use_criu): this suite's, whatever other suites on the machine
# checkpoint at the same time.
e2e_criu_pids() {
  local p
  for p in $(pgrep -x criu 2>/dev/null); do
    tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qF "PATH=$1:" && echo "$p"
  done
  return 0
}

# e2e_wait_criu_gone DIR [SECONDS]: CRIU has exited when the runtime
# returns; allow a moment for one still exiting, then print the leak.
e2e_wait_criu_gone() {
  local dir=$1 secs=${2:-10} i
  for ((i = 0; i < secs * 20; i++)); do
    [ -z "$(e2e_criu_pids "$dir")" ] && return 0
    sleep 0.05
  done
  echo "criu left:" $(e2e_criu_pids "$dir") >&2
  return 1
}

# --- agent sandboxes (podman.bats, containerd.bats; docs/sandbox.md) -------

# The annotation an engine passes a policy in (docs/sandbox.md).  The
# policy the suites pass is the issue's example, HR_EXAMPLE_POLICY of
# tests/integration/sandbox-helpers.bash (`load ../integration/sandbox-helpers`).
E2E_POLICY_KEY=org.hydra-runc.sandbox.policy

# E2E_SANDBOX_WORKLOAD: what the container does, its findings as KEY=VALUE
# lines in /workspace/result (an engine's bind mount of a host directory,
# so the host reads them; the policy keeps that mount, writable), then it
# sleeps as `sleep` (an exec the audit stream must show).  `/bin/ls /` by
# path is an execve (busybox's shell runs some applets without one).
# shellcheck disable=SC2016
E2E_SANDBOX_WORKLOAD='r=/workspace/result.new
: >$r
if (echo x >/etc/evil) 2>/dev/null; then echo ETC=wrote >>$r; else echo ETC=denied >>$r; fi
echo code >/workspace/main.c && echo "WS=$(cat /workspace/main.c)" >>$r
/bin/ls / >/dev/null; echo "LS=$?" >>$r
nc 127.0.0.1 1 </dev/null 2>/dev/null; echo "NC=$?" >>$r
echo "CAPEFF=$(sed -n "s/^CapEff:[[:space:]]*//p" /proc/self/status)" >>$r
mv $r /workspace/result
exec sleep 1000'

# e2e_result FILE KEY: the value the workload wrote for KEY.
e2e_result() {
  sed -n "s/^$2=//p" "$1"
}

# e2e_assert_sandboxed FILE: the workload's findings under the policy: no
# write to /etc (read-only root), /workspace writable, nc (a busybox
# applet) killed by the exec guard (137 = SIGKILL), no capability left.
e2e_assert_sandboxed() {
  local f=$1
  [ -s "$f" ] || fail "no result file $f" || return 1
  assert_eq "$(e2e_result "$f" ETC)" denied "write to /etc" || return 1
  assert_eq "$(e2e_result "$f" WS)" code "/workspace content written and read back" || return 1
  assert_eq "$(e2e_result "$f" LS)" 0 "/bin/ls (allowed)" || return 1
  assert_eq "$(e2e_result "$f" NC)" 137 "nc's exit status (blocked: SIGKILL)" || return 1
  assert_eq "$(e2e_result "$f" CAPEFF)" 0000000000000000 "CapEff inside"
}

# e2e_assert_not_sandboxed FILE: the same workload without the policy:
# what the checks above would see if the engine had dropped the
# annotation (so each of them can fail).
e2e_assert_not_sandboxed() {
  local f=$1
  [ -s "$f" ] || fail "no result file $f" || return 1
  assert_eq "$(e2e_result "$f" ETC)" wrote "write to /etc without a policy" || return 1
  assert_eq "$(e2e_result "$f" WS)" code "/workspace without a policy" || return 1
  [ "$(e2e_result "$f" NC)" != 137 ] || fail "nc killed without a policy" || return 1
  [ "$(e2e_result "$f" CAPEFF)" != 0000000000000000 ] || fail "no capabilities without a policy"
}

# e2e_assert_sandbox_kernel_view PID: the container's init as the host
# sees it once it is the workload's `sleep`: no capabilities,
# no_new_privs, a read-only root and a noexec /workspace.
e2e_assert_sandbox_kernel_view() {
  local pid=$1 opts i
  for ((i = 0; i < 50; i++)); do
    [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = sleep ] && break
    sleep 0.1
  done
  assert_eq "$(cat "/proc/$pid/comm" 2>/dev/null)" sleep "the init's comm" || return 1
  grep -q '^CapEff:	0000000000000000$' "/proc/$pid/status" ||
    fail "init $pid keeps capabilities: $(grep ^Cap "/proc/$pid/status")" || return 1
  grep -q '^NoNewPrivs:	1$' "/proc/$pid/status" || fail "init $pid: no_new_privs not set" || return 1
  opts=$(awk '$5 == "/" { o = $6 } END { print o }' "/proc/$pid/mountinfo")
  [[ ,$opts, == *,ro,* ]] || fail "the container's / is not read-only: '$opts'" || return 1
  opts=$(awk '$5 == "/workspace" { o = $6 } END { print o }' "/proc/$pid/mountinfo")
  [[ ,$opts, == *,noexec,* ]] || fail "/workspace is not noexec: '$opts'"
}

# e2e_audit_pids ID: the audit processes (comm hydra-audit) of container
# ID: each is a fork of the runtime's `create ... ID`, so its command line
# has ID as a word.
e2e_audit_pids() {
  local p
  for p in $(pgrep -x hydra-audit 2>/dev/null); do
    tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -qE " $1( |\$)" && echo "$p"
  done
  return 0
}

# e2e_wait_audit_gone ID [SECONDS]: no audit process of ID (not even a
# zombie) within SECONDS; prints the leak.
e2e_wait_audit_gone() {
  local secs=${2:-10} i
  for ((i = 0; i < secs * 20; i++)); do
    [ -z "$(e2e_audit_pids "$1")" ] && return 0
    sleep 0.05
  done
  fail "audit process of $1 left: $(for p in $(e2e_audit_pids "$1"); do echo "$p ($(awk '{print $3}' "/proc/$p/stat" 2>/dev/null))"; done)"
}

# e2e_events_start RUNTIME ROOT ID: `RUNTIME --root ROOT events --audit
# ID` in the background into $E2E_EVENTS_OUT; E2E_EVENTS_PID.
e2e_events_start() {
  E2E_EVENTS_OUT=$BATS_TEST_TMPDIR/audit.jsonl
  timeout 120 "$1" --root "$2" events --audit "$3" </dev/null >"$E2E_EVENTS_OUT" 2>"$E2E_EVENTS_OUT.err" 3>&- &
  E2E_EVENTS_PID=$!
}

# e2e_wait_audit_line FILE JQ-CONDITION [SECONDS]: until a line of FILE
# satisfies it.
e2e_wait_audit_line() {
  local i
  for ((i = 0; i < ${3:-10} * 10; i++)); do
    # (not jq -e: jq 1.6 exits 4 when the last line selects nothing)
    [ -n "$(jq -c "select($2)" "$1" 2>/dev/null)" ] && return 0
    sleep 0.1
  done
  fail "no audit line with $2 in $1: $(cat "$1")"
}

# e2e_assert_audit_running ID STATEDIR: while the workload sleeps: one
# audit process of ID, the one STATEDIR/audit.pid records; the state
# dir's stream has the blocked nc, `events --audit` has come to the exec
# of sleep.
e2e_assert_audit_running() {
  local ap
  ap=$(e2e_audit_pids "$1")
  [ -n "$ap" ] || fail "no hydra-audit process for $1: $(pgrep -a -x hydra-audit)" || return 1
  assert_eq "$ap" "$(cut -d' ' -f1 "$2/audit.pid")" "the audit process (pgrep vs $2/audit.pid)" || return 1
  e2e_wait_audit_line "$2/audit.jsonl" '.type == "violation" and .rule == "blocked_commands" and (.what | test("nc"))' || return 1
  e2e_wait_audit_line "$E2E_EVENTS_OUT" '.type == "exec" and .argv[0] == "sleep"'
}

# e2e_assert_audit_ended ID STATEDIR: once the engine removed ID: the
# runtime's delete stopped the audit process, which ended `events
# --audit` (its whole stream checked); no audit process of ID, no state.
e2e_assert_audit_ended() {
  local i
  for ((i = 0; i < 200; i++)); do kill -0 "$E2E_EVENTS_PID" 2>/dev/null || break; sleep 0.1; done
  ! kill -0 "$E2E_EVENTS_PID" 2>/dev/null || fail "events --audit still running after the container's removal" || return 1
  wait "$E2E_EVENTS_PID" || fail "events --audit failed: $(cat "$E2E_EVENTS_OUT.err")" || return 1
  E2E_EVENTS_PID=
  e2e_assert_audit "$E2E_EVENTS_OUT" || return 1
  e2e_wait_audit_gone "$1" || return 1
  [ ! -e "$2" ] || fail "runtime state left at $2"
}

# e2e_assert_no_audit ID STATEDIR: a container without a policy has no
# audit stream and no audit process.
e2e_assert_no_audit() {
  [ ! -e "$2/audit.jsonl" ] || fail "an audit stream without a policy" || return 1
  assert_eq "$(e2e_audit_pids "$1")" "" "audit processes without a policy"
}

# e2e_assert_audit FILE: the stream of a finished workload: the report
# first, the execs (ls with its argv, the final sleep), nc's blocked exec
# as a violation and its exit by SIGKILL, audit-end last.
e2e_assert_audit() {
  local f=$1 c
  assert_eq "$(head -n 1 "$f" | jq -r .type)" sandbox "the stream's first line" || return 1
  for c in '.type == "exec" and .path == "/bin/ls" and .argv == ["/bin/ls", "/"]' \
    '.type == "exec" and .argv[0] == "sleep"' \
    '.type == "violation" and .rule == "blocked_commands" and (.what | test("nc"))' \
    '.type == "exit" and .comm == "nc" and .exit_code == 137'; do
    [ "$(jq -c "select($c)" "$f" | wc -l)" -gt 0 ] || fail "no audit line with $c in $f: $(cat "$f")" || return 1
  done
  assert_eq "$(tail -n 1 "$f" | jq -r .type)" audit-end "the stream's last line"
}

# --- checkpoint/restore (the *-checkpoint.bats suites) ----------------------

# e2e_find_criu SKIPVAR: as root, with a working CRIU (tests/criu-helpers.bash,
# loaded by the suite: `load ../criu-helpers`) exported as CRIU; else
# export SKIPVAR (PODMAN_SKIP, CTRD_SKIP) with the reason and return 1.
e2e_find_criu() {
  export HYDRA_SRCDIR=${HYDRA_SRCDIR:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
  if [ "$(id -u)" -ne 0 ]; then
    export "$1=needs root (the engine, CRIU, mounts, cgroups)"
    return 1
  fi
  if ! hydra_find_criu; then
    export "$1=checkpoint/restore: $HYDRA_CRIU_WHY"
    return 1
  fi
  export CRIU
}

# E2E_COUNTER: a container's command counting in its shell's memory: every
# 0.1 s it writes "<its pid> <count> <token>" to /host/count (renamed into
# place), the token a random one drawn once at its start.  A restore that
# lost its memory would start again (at 1, with a new token); one that
# lost its pid namespace would not be pid 1.
# shellcheck disable=SC2016
E2E_COUNTER='t=$(cat /proc/sys/kernel/random/uuid); i=0; while :; do i=$((i+1)); echo "$$ $i $t" >/host/count.new; mv /host/count.new /host/count; sleep 0.1; done'

# e2e_count FILE: the counter's last number.
e2e_count() {
  awk '{ print $2 }' "$1" 2>/dev/null
}

# e2e_token FILE: the counter's token.
e2e_token() {
  awk '{ print $3 }' "$1" 2>/dev/null
}

# e2e_wait_count_above FILE N: until the counter passes N (5 s).
e2e_wait_count_above() {
  local i
  for ((i = 0; i < 100; i++)); do
    [ "$(e2e_count "$1")" -gt "$2" ] 2>/dev/null && return 0
    sleep 0.05
  done
  fail "counter still at '$(e2e_count "$1")', wanted more than $2"
}

# e2e_assert_count_stopped FILE: the counter stands still (no counting
# process left).
e2e_assert_count_stopped() {
  local a
  a=$(e2e_count "$1")
  sleep 0.4
  assert_eq "$(e2e_count "$1")" "$a" "the counter (should stand still)"
}

# e2e_assert_restored_count FILE N TOKEN: counting on after a restore from
# a checkpoint taken at count N (or a little before) by the counter that
# drew TOKEN: the same token (its memory), past N but not far (not
# counting since long before), as pid 1 in its namespace.
e2e_assert_restored_count() {
  local pid1 c t
  e2e_wait_count_above "$1" "$2" || return 1
  read -r pid1 c t <"$1"
  assert_eq "$t" "$3" "the counter's token (a restart draws a new one)" || return 1
  assert_eq "$pid1" 1 "the counter's pid in its namespace" || return 1
  [ "$c" -lt $(($2 + 30)) ] || fail "count $c after restore, was $2 at the checkpoint"
}

# e2e_assert_pid_gone PID: PID has exited (or is a zombie) within 5 s.
e2e_assert_pid_gone() {
  local i
  for ((i = 0; i < 100; i++)); do
    [ -e "/proc/$1" ] && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ] || return 0
    sleep 0.05
  done
  fail "pid $1 still alive"
}

# e2e_assert_criu_log FILE dump|restore: CRIU's log of the operation,
# written by $CRIU (its version) and ending in success.
e2e_assert_criu_log() {
  local f=$1 what=$2 ver
  [ -s "$f" ] || fail "no CRIU $what log at '$f'" || return 1
  ver=$("$CRIU" --version | sed -n 's/^Version: *//p')
  grep -q "Version: $ver" "$f" || fail "$f: not written by CRIU $ver: $(grep -m1 Version: "$f")" || return 1
  case $what in
    dump) grep -q 'Dumping finished successfully' "$f" || fail "$f: no 'Dumping finished successfully'" ;;
    restore) grep -q 'Restore finished successfully' "$f" || fail "$f: no 'Restore finished successfully'" ;;
  esac
}

# --- containerd (ctrd_*; used by containerd.bats) -------------------------
#
# One private containerd per .bats file: its own config, root, state, opt
# dir and socket under $CTRD_DIR (a mktemp dir; short, so socket paths fit),
# the CRI plugin disabled, the overlayfs snapshotter when it works here
# (native otherwise).  Containers live in namespace $CTRD_NS; the runc shim
# (io.containerd.runc.v2) keeps the runtime's state under
# $CTRD_RUNC_ROOT/$CTRD_NS (ctr --runc-root).  The runtime under test is
# $CTRD_RUNTIME: $HYDRA_E2E_RUNTIME, default $HYDRA_RUNC (check the suite
# itself with HYDRA_E2E_RUNTIME=$(command -v runc)).

: "${CTRD_TIMEOUT:=60}"   # seconds any single ctr command may take
CTRD_IMAGE=localhost/hydra-e2e/busybox:latest

# ctrd_runtime: the runtime binary under test (absolute path).
ctrd_runtime() {
  local r=${HYDRA_E2E_RUNTIME:-${HYDRA_RUNC:-}}
  if [ -z "$r" ]; then
    echo "set HYDRA_E2E_RUNTIME or HYDRA_RUNC to the runtime under test" >&2
    return 1
  fi
  case $r in
    /*) ;;
    */*) r=$(cd "$(dirname "$r")" && pwd)/$(basename "$r") ;;
    *) r=$(command -v "$r") || return 1 ;;
  esac
  [ -x "$r" ] || { echo "runtime under test '$r' is not executable" >&2; return 1; }
  echo "$r"
}

# ctrd_install: Debian's containerd when containerd/ctr/the runc shim are
# missing (CI machines start bare).
ctrd_install() {
  if command -v containerd >/dev/null && command -v ctr >/dev/null &&
    command -v containerd-shim-runc-v2 >/dev/null; then
    return 0
  fi
  echo "# installing containerd (apt-get install -y containerd)" >&3
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q containerd >"${CTRD_DIR:-/tmp}/apt.log" 2>&1 ||
    { apt-get update -q >/dev/null 2>&1 &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q containerd >"${CTRD_DIR:-/tmp}/apt.log" 2>&1; } || {
    echo "apt-get install containerd failed: $(tail -n 5 "${CTRD_DIR:-/tmp}/apt.log")" >&2
    return 1
  }
  # Debian's package enables containerd.service; our tests use a private one.
  command -v containerd >/dev/null && command -v ctr >/dev/null
}

# ctrd_write_config FILE DIR [CRI]: a containerd config (version 2) with
# everything under DIR; CRI=cri keeps the CRI plugin (and is given the
# extra TOML on stdin, e.g. `imports = [...]`), anything else disables it.
ctrd_write_config() {
  local file=$1 dir=$2 cri=${3:-} extra=""
  [ "$cri" = cri ] && extra=$(cat)
  {
    echo "version = 2"
    echo "root = \"$dir/root\""
    echo "state = \"$dir/state\""
    [ -n "$extra" ] && printf '%s\n' "$extra"
    if [ "$cri" = cri ]; then
      echo 'disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs"]'
    else
      echo 'disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs"]'
    fi
    cat <<TOML
[grpc]
  address = "$dir/containerd.sock"
[ttrpc]
  address = "$dir/containerd.sock.ttrpc"
[debug]
  level = "info"
[plugins."io.containerd.internal.v1.opt"]
  path = "$dir/opt"
TOML
  } >"$file"
}

# ctrd_start_daemon CONFIG LOG PIDFILE SOCKET: start containerd in the
# background (PATH: $CTRD_DIR/bin first, then the system's bin dirs) and
# wait until it answers.
ctrd_start_daemon() {
  local config=$1 log=$2 pidfile=$3 sock=$4 i
  local path
  path="$CTRD_DIR/bin:$(dirname "$(command -v containerd)"):/usr/bin:/bin"
  # setsid: not in bats' process group; stdio away from bats' pipes.
  # (fd 3 is bats' own: a daemon holding it would hang bats)
  # TMPDIR: containerd and its shims make temporary directories there (a
  # restore's images in ctrd-checkpoint*, left behind by containerd 1.6);
  # under $CTRD_DIR they go with it.
  mkdir -p "$CTRD_DIR/tmp"
  PATH=$path TMPDIR=$CTRD_DIR/tmp setsid containerd --config "$config" </dev/null >"$log" 2>&1 3>&- &
  echo $! >"$pidfile"
  for ((i = 0; i < 200; i++)); do
    if [ -S "$sock" ] && timeout 5 ctr --address "$sock" version >/dev/null 2>&1; then
      grep -q containerd "/proc/$(cat "$pidfile")/comm" && return 0
      echo "pid $(cat "$pidfile") is not containerd" >&2
      return 1
    fi
    kill -0 "$(cat "$pidfile")" 2>/dev/null || break
    sleep 0.1
  done
  echo "containerd did not come up; its log:" >&2
  tail -n 20 "$log" >&2
  return 1
}

# ctrd_stop_daemon PIDFILE: SIGTERM containerd by its pid, wait for it
# (SIGKILL after 10s).
ctrd_stop_daemon() {
  local pidfile=$1 pid i
  [ -s "$pidfile" ] || return 0
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null && grep -q containerd "/proc/$pid/comm" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  fi
  rm -f "$pidfile"
  return 0
}

# ctrd_setup_file: install containerd if needed, build and import the
# image, start the private containerd.  Exports the CTRD_* variables.
ctrd_setup_file() {
  if [ "$(id -u)" -ne 0 ]; then
    export CTRD_SKIP="needs root (containerd, mounts, cgroups)"
    return 0
  fi
  CTRD_RUNTIME=$(ctrd_runtime) || return 1
  CTRD_DIR=$(mktemp -d /tmp/hydra-ctrd.XXXXXX) || return 1
  CTRD_NS=hydra-e2e-${CTRD_DIR##*.}
  CTRD_SOCK=$CTRD_DIR/containerd.sock
  CTRD_RUNC_ROOT=$CTRD_DIR/runc
  CTRD_LOG=$CTRD_DIR/containerd.log
  CTRD_PIDFILE=$CTRD_DIR/containerd.pid
  export CTRD_RUNTIME CTRD_DIR CTRD_NS CTRD_SOCK CTRD_RUNC_ROOT CTRD_LOG CTRD_PIDFILE
  mkdir -p "$CTRD_DIR/bin" "$CTRD_DIR/fifo" "$CTRD_RUNC_ROOT"
  ctrd_install || return 1
  # Shims put their sockets in /run/containerd/s whatever the config says;
  # teardown removes that directory if it was not there before.
  CTRD_HAD_RUN_DIR=no
  [ -d /run/containerd ] && CTRD_HAD_RUN_DIR=yes
  export CTRD_HAD_RUN_DIR
  "$BATS_TEST_DIRNAME/make-image.sh" "$CTRD_DIR/image.tar" latest || return 1
  ctrd_write_config "$CTRD_DIR/config.toml" "$CTRD_DIR"
  ctrd_start_daemon "$CTRD_DIR/config.toml" "$CTRD_LOG" "$CTRD_PIDFILE" "$CTRD_SOCK" || return 1
  # overlayfs when its plugin loaded (it probes the backing fs), else
  # native; CTRD_SNAPSHOTTER=native forces one.
  if [ -n "${CTRD_SNAPSHOTTER:-}" ]; then
    CONTAINERD_SNAPSHOTTER=$CTRD_SNAPSHOTTER
  elif ctrd_ctr plugins ls 2>/dev/null | grep -Eq '^io\.containerd\.snapshotter\.v1[[:space:]]+overlayfs[[:space:]].*[[:space:]]ok[[:space:]]*$'; then
    CONTAINERD_SNAPSHOTTER=overlayfs
  else
    CONTAINERD_SNAPSHOTTER=native
  fi
  export CONTAINERD_SNAPSHOTTER
  ctrd_ctr images import --base-name "${CTRD_IMAGE%:*}" "$CTRD_DIR/image.tar" >"$CTRD_DIR/import.log" 2>&1 || {
    echo "ctr images import failed: $(cat "$CTRD_DIR/import.log")" >&2
    return 1
  }
}

# ctrd_use_criu CRIU: `criu` in the daemon's PATH is CRIU, for the runc
# shim (it inherits containerd's environment) and the runtime it runs
# (runc looks `criu` up in PATH): a symlink in $CTRD_DIR/bin, first in
# that PATH (ctrd_start_daemon); looked up at each exec, so it may come
# after the daemon started.  CRIU locks the container's network with
# iptables-restore and ip6tables-restore, from /usr/sbin, which that PATH
# leaves out (so that no runc is found there by name): symlinks to them
# too.
ctrd_use_criu() {
  local t p
  ln -sfn "$1" "$CTRD_DIR/bin/criu"
  for t in iptables-restore ip6tables-restore; do
    p=$(PATH=/usr/sbin:/sbin:$PATH command -v "$t") || {
      echo "no $t (CRIU's network lock needs it)" >&2
      return 1
    }
    ln -sfn "$p" "$CTRD_DIR/bin/$t"
  done
}

# ctrd_ctr ARGS...: ctr against the private containerd, in $CTRD_NS.
ctrd_ctr() {
  timeout --kill-after=5 "$CTRD_TIMEOUT" ctr --address "$CTRD_SOCK" --namespace "$CTRD_NS" "$@"
}

# ctrd_run [RUN-FLAGS...] ID ARGS...: `ctr run` of the test image with the
# runtime under test.  The image goes between the flags and the id, so a
# flag's value must be in the same word (--mount=..., --memory-limit=N).
ctrd_run() {
  local flags=()
  while [ $# -gt 0 ] && [[ $1 == -* ]]; do
    flags+=("$1")
    shift
  done
  ctrd_ctr run --runc-binary "$CTRD_RUNTIME" --runc-root "$CTRD_RUNC_ROOT" \
    --fifo-dir "$CTRD_DIR/fifo" "${flags[@]}" "$CTRD_IMAGE" "$@"
}

# ctrd_exec [EXEC-FLAGS...] ID ARGS...: `ctr task exec`, fifos in $CTRD_DIR.
ctrd_exec() {
  ctrd_ctr task exec --fifo-dir "$CTRD_DIR/fifo" "$@"
}

# ctrd_run_d ID ARGS...: start a detached container, stdio to /dev/null
# (ctr would otherwise hold bats' pipes).
ctrd_run_d() {
  ctrd_run -d --null-io "$@" </dev/null >/dev/null
}

# ctrd_in_tty COMMAND: run a shell command line on a pseudo-terminal (ctr
# -t needs one); exit status is the command's.
ctrd_in_tty() {
  timeout --kill-after=5 "$CTRD_TIMEOUT" script -qec "$1" /dev/null </dev/null
}

# ctrd_ctr_cmdline ARGS...: the ctr command line (quoted) for ctrd_in_tty.
ctrd_ctr_cmdline() {
  printf '%q ' ctr --address "$CTRD_SOCK" --namespace "$CTRD_NS" "$@"
}

# ctrd_task_status ID: the STATUS column of `ctr task ls` for ID.
ctrd_task_status() {
  ctrd_ctr task ls 2>/dev/null | awk -v id="$1" 'NR > 1 && $1 == id { print $3 }'
}

# ctrd_task_pid ID
ctrd_task_pid() {
  ctrd_ctr task ls 2>/dev/null | awk -v id="$1" 'NR > 1 && $1 == id { print $2 }'
}

# ctrd_wait_status ID STATUS [SECONDS]
ctrd_wait_status() {
  local id=$1 want=$2 secs=${3:-10} got="" i
  for ((i = 0; i < secs * 20; i++)); do
    got=$(ctrd_task_status "$id")
    [ "$got" = "$want" ] && return 0
    sleep 0.05
  done
  echo "task $id: status '$got' after ${secs}s, wanted '$want'" >&2
  return 1
}

# ctrd_wait_file PATH [SECONDS]
ctrd_wait_file() {
  local f=$1 secs=${2:-10} i
  for ((i = 0; i < secs * 20; i++)); do
    [ -s "$f" ] && return 0
    sleep 0.05
  done
  echo "no $f after ${secs}s" >&2
  return 1
}

# ctrd_remove ID...: kill, delete the task and remove the container (quietly).
ctrd_remove() {
  local id
  for id in "$@"; do
    ctrd_ctr task kill -s SIGKILL "$id" >/dev/null 2>&1 || true
    ctrd_ctr task delete -f "$id" >/dev/null 2>&1 || ctrd_ctr task delete "$id" >/dev/null 2>&1 || true
    ctrd_ctr containers rm "$id" >/dev/null 2>&1 || true
  done
}

# ctrd_cleanup_containers: remove every container in $CTRD_NS.
ctrd_cleanup_containers() {
  local ids
  [ -S "${CTRD_SOCK:-}" ] || return 0
  ids=$(ctrd_ctr containers ls -q 2>/dev/null) || return 0
  # shellcheck disable=SC2086
  [ -z "$ids" ] || ctrd_remove $ids
}

# ctrd_mounts_under DIR: mount points at or below DIR (deepest first).
ctrd_mounts_under() {
  awk -v d="$1" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r
}

# ctrd_cgroups_of NS: the cgroup directories named NS (the parent the
# default spec's cgroupsPath /NS/ID puts containers in), one per hierarchy.
ctrd_cgroups_of() {
  find /sys/fs/cgroup -mindepth 1 -maxdepth 2 -type d -name "$1" 2>/dev/null
}

# ctrd_teardown_file: stop everything, unmount and remove $CTRD_DIR, the
# namespace's cgroups and the shim/fifo dirs containerd made in /run.
# Fails (after cleaning what it can) if a mount under $CTRD_DIR survives.
ctrd_teardown_file() {
  local m left
  [ -n "${CTRD_DIR:-}" ] && [ -d "$CTRD_DIR" ] || return 0
  ctrd_cleanup_containers
  ctrd_ctr images rm "$CTRD_IMAGE" >/dev/null 2>&1 || true
  ctrd_ctr namespaces rm "$CTRD_NS" >/dev/null 2>&1 || true
  ctrd_stop_daemon "$CTRD_PIDFILE"
  ctrd_stop_daemon "$CTRD_DIR/cri/containerd.pid"
  # Shims whose containerd is gone exit on their own once their task is
  # deleted; a leftover one (a failed test) is killed by pid.
  for m in $(pgrep -f "containerd-shim-runc-v2 -namespace $CTRD_NS " 2>/dev/null); do
    kill -KILL "$m" 2>/dev/null || true
  done
  for m in $(ctrd_mounts_under "$CTRD_DIR"); do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
  done
  left=$(ctrd_mounts_under "$CTRD_DIR")
  for m in $(ctrd_cgroups_of "$CTRD_NS"); do
    find "$m" -depth -type d -exec rmdir {} \; 2>/dev/null || true
  done
  # The shim's cleanup of a failed create uses the default runc root.
  rmdir "/run/containerd/runc/$CTRD_NS" 2>/dev/null || true
  if [ "$CTRD_HAD_RUN_DIR" = no ]; then
    rmdir /run/containerd/fifo /run/containerd/s /run/containerd/runc /run/containerd 2>/dev/null || true
  fi
  [ -z "$left" ] || { echo "mounts left under $CTRD_DIR: $left" >&2; return 1; }
  rm -rf "$CTRD_DIR"
}

# --- Podman (podman_*; used by podman.bats) ----------------------------------
#
# Debian's podman (4.3) with everything private under $PODMAN_DIR (a mktemp
# dir): its own CONTAINERS_CONF (contrib/podman/containers.conf with the
# runtime's path and the host's ulimits substituted, plus a private network
# config dir) and CONTAINERS_STORAGE_CONF, --root, --runroot, --tmpdir and
# TMPDIR under it.  The image ($PODMAN_IMAGE) is a busybox-static rootfs
# tarball brought in with `podman import`.  Podman runs the runtime under
# test in one of two ways (podman_use_runtime):
#   hydra  the declaration in containers.conf (runtime = "hydra", listed in
#          runtime_supports_json);
#   runc   `--runtime $PODMAN_DIR/bin/runc`, a symlink named runc to it: as
#          for runc, Podman adds --log-format=json --log FILE and go-runc's
#          version parsing applies.
# Podman calls the runtime without --root: its state lives in the runtime's
# default root (/run/hydra-runc for hydra-runc, /run/runc for runc).

: "${PODMAN_TIMEOUT:=60}"   # seconds any single podman command may take
PODMAN_IMAGE=localhost/hydra-e2e/busybox:latest
# The directories Podman creates outside its --root/--runroot/--tmpdir
# however it is configured, and the runtimes' default state roots (Podman
# passes no --root); teardown removes those that were not there.
PODMAN_HOST_DIRS="/var/lib/containers/cache /var/lib/containers /run/containers/networks /run/containers
  /run/hydra-runc /run/runc"

# podman_runtime: the runtime binary under test (absolute path).
podman_runtime() {
  local r=${HYDRA_E2E_RUNTIME:-${HYDRA_RUNC:-}}
  if [ -z "$r" ]; then
    echo "set HYDRA_E2E_RUNTIME or HYDRA_RUNC to the runtime under test" >&2
    return 1
  fi
  case $r in
    /*) ;;
    */*) r=$(cd "$(dirname "$r")" && pwd)/$(basename "$r") ;;
    *) r=$(command -v "$r") || return 1 ;;
  esac
  [ -x "$r" ] || { echo "runtime under test '$r' is not executable" >&2; return 1; }
  echo "$r"
}

# podman_install: apt-get install what the suite needs and is missing
# (CI machines start bare): podman, busybox-static, jq, script(1).
podman_install() {
  local pkgs=() log=${PODMAN_DIR:-/tmp}/apt.log
  command -v podman >/dev/null && command -v conmon >/dev/null || pkgs+=(podman)
  { [ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1; } || pkgs+=(busybox-static)
  command -v jq >/dev/null || pkgs+=(jq)
  command -v script >/dev/null || pkgs+=(bsdutils)
  [ ${#pkgs[@]} -gt 0 ] || return 0
  echo "# installing ${pkgs[*]} (apt-get install -y)" >&3
  # (the lock timeout: another suite may be installing its engine)
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=300 "${pkgs[@]}" >"$log" 2>&1 ||
    { apt-get update -q -o DPkg::Lock::Timeout=300 >/dev/null 2>&1 &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=300 "${pkgs[@]}" >"$log" 2>&1; } || {
    echo "apt-get install ${pkgs[*]} failed: $(tail -n 5 "$log")" >&2
    return 1
  }
}

# podman_write_config SRC OUT RUNTIME DIR: SRC (contrib/podman/containers.conf)
# with the declared binary replaced by RUNTIME, the ulimits lowered to the
# host's hard limits where needed, and a network config dir under DIR.
podman_write_config() {
  local src=$1 out=$2 rt=$3 dir=$4 hn hu nofile=20000 nproc=32768
  hn=$(ulimit -Hn)
  hu=$(ulimit -Hu)
  [ "$hn" = unlimited ] || [ "$hn" -ge "$nofile" ] || nofile=$hn
  [ "$hu" = unlimited ] || [ "$hu" -ge "$nproc" ] || nproc=$hu
  grep -q '^hydra = \["/usr/local/bin/hydra-runc"\]$' "$src" || {
    echo "$src: no 'hydra = [\"/usr/local/bin/hydra-runc\"]' line" >&2
    return 1
  }
  sed -e "s|\"/usr/local/bin/hydra-runc\"|\"$rt\"|" \
    -e "s|\"nofile=20000:20000\"|\"nofile=$nofile:$nofile\"|" \
    -e "s|\"nproc=32768:32768\"|\"nproc=$nproc:$nproc\"|" "$src" >"$out" || return 1
  printf '\n# (added by the tests)\n[network]\nnetwork_config_dir = "%s"\n' "$dir/networks" >>"$out"
}

# podman_make_image TAR: a busybox-static rootfs (every applet) as a tarball.
podman_make_image() {
  local tar=$1 rootfs a
  rootfs=$(dirname "$tar")/rootfs
  mkdir -p "$rootfs"/{bin,etc,proc,sys,dev,tmp,root,run,var,host}
  chmod 1777 "$rootfs/tmp"
  cp /bin/busybox "$rootfs/bin/busybox"
  for a in $(/bin/busybox --list); do
    [ "$a" = busybox ] || ln -sf busybox "$rootfs/bin/$a"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$rootfs/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$rootfs/etc/group"
  echo "hydra-e2e-podman" >"$rootfs/etc/hydra-e2e-image"
  tar -C "$rootfs" --numeric-owner --owner=0 --group=0 -cf "$tar" . && rm -rf "$rootfs"
}

# podman_setup_file: install what is missing, write the configuration,
# import the image.  Exports the PODMAN_* variables.
podman_setup_file() {
  local d
  if [ "$(id -u)" -ne 0 ]; then
    export PODMAN_SKIP="needs root (podman as root, mounts, cgroups)"
    return 0
  fi
  PODMAN_RUNTIME=$(podman_runtime) || return 1
  PODMAN_DIR=$(mktemp -d /tmp/hydra-podman.XXXXXX) || return 1
  PODMAN_CONF_SRC=${HYDRA_SRCDIR:-$BATS_TEST_DIRNAME/../..}/contrib/podman/containers.conf
  PODMAN_CREATED_DIRS=""
  for d in $PODMAN_HOST_DIRS; do
    [ -e "$d" ] || PODMAN_CREATED_DIRS="$PODMAN_CREATED_DIRS $d"
  done
  PODMAN_HAD_CGROUP_PARENT=no
  [ -z "$(podman_cgroup_parents)" ] || PODMAN_HAD_CGROUP_PARENT=yes
  export PODMAN_RUNTIME PODMAN_DIR PODMAN_CONF_SRC PODMAN_CREATED_DIRS PODMAN_HAD_CGROUP_PARENT
  mkdir -p "$PODMAN_DIR"/{bin,tmp,networks}
  podman_install || return 1
  # The runtime under the name runc, in a directory of its own.
  ln -s "$PODMAN_RUNTIME" "$PODMAN_DIR/bin/runc"
  export CONTAINERS_CONF=$PODMAN_DIR/containers.conf
  export CONTAINERS_STORAGE_CONF=$PODMAN_DIR/storage.conf
  podman_write_config "$PODMAN_CONF_SRC" "$CONTAINERS_CONF" "$PODMAN_RUNTIME" "$PODMAN_DIR" || return 1
  cat >"$CONTAINERS_STORAGE_CONF" <<TOML
[storage]
driver = "${PODMAN_STORAGE_DRIVER:-overlay}"
graphroot = "$PODMAN_DIR/root"
runroot = "$PODMAN_DIR/runroot"
TOML
  podman_make_image "$PODMAN_DIR/image.tar" || return 1
  PODMAN_MODE=hydra podman_cmd import "$PODMAN_DIR/image.tar" "$PODMAN_IMAGE" >"$PODMAN_DIR/import.log" 2>&1 || {
    echo "podman import failed: $(cat "$PODMAN_DIR/import.log")" >&2
    return 1
  }
}

# podman_use_criu CRIU: make `criu` in PATH be CRIU for everything Podman
# starts, without touching the host's criu: Podman's own version check
# (go-criu runs `criu` from PATH), the runtime it runs for `checkpoint`
# (runc looks `criu` up in PATH unless given --criu), and, through
# conmon, the runtime's `restore`.  A directory holding only a `criu`
# symlink goes first in this shell's PATH (exported: bats hands it to the
# tests) and in conmon's: Podman gives conmon no PATH of its own but
# containers.conf's conmon_env_vars (default PATH=/usr/local/sbin:...).
podman_use_criu() {
  local dir=$PODMAN_DIR/criu-bin
  mkdir -p "$dir"
  ln -sfn "$1" "$dir/criu"
  export PATH="$dir:$PATH"
  grep -q '^\[engine\]$' "$CONTAINERS_CONF" || {
    echo "$CONTAINERS_CONF: no [engine] table" >&2
    return 1
  }
  sed -i "/^\[engine\]\$/a conmon_env_vars = [\"PATH=$dir:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\"]" "$CONTAINERS_CONF"
}

# podman_use_runtime hydra|runc: how the following podman_cmd calls run the
# runtime under test (see above).  Sets PODMAN_MODE and PODMAN_RT (the path
# Podman executes, for `state` queries).
podman_use_runtime() {
  PODMAN_MODE=$1
  case $1 in
    hydra) PODMAN_RT=$PODMAN_RUNTIME ;;
    runc) PODMAN_RT=$PODMAN_DIR/bin/runc ;;
    *) echo "podman_use_runtime: hydra or runc, not '$1'" >&2; return 1 ;;
  esac
}

# podman_args: podman's global options for $PODMAN_MODE (one per line).
podman_args() {
  printf '%s\n' --root "$PODMAN_DIR/root" --runroot "$PODMAN_DIR/runroot" --tmpdir "$PODMAN_DIR/tmp"
  if [ "${PODMAN_MODE:-hydra}" = runc ]; then
    printf '%s\n' --runtime "$PODMAN_DIR/bin/runc"
  fi
}

# podman_cmd ARGS...: the private podman (bounded by $PODMAN_TIMEOUT).
podman_cmd() {
  local g
  mapfile -t g < <(podman_args)
  TMPDIR=$PODMAN_DIR/tmp timeout --kill-after=5 "$PODMAN_TIMEOUT" podman "${g[@]}" "$@"
}

# podman_cmdline ARGS...: the same command line, quoted, for script -c.
podman_cmdline() {
  local g
  mapfile -t g < <(podman_args)
  printf '%q ' env "TMPDIR=$PODMAN_DIR/tmp" podman "${g[@]}" "$@"
}

# podman_in_tty COMMAND: run a shell command line on a pseudo-terminal
# (script(1)); exit status is the command's, output has CRs removed.
podman_in_tty() {
  local rc=0
  timeout --kill-after=5 "$PODMAN_TIMEOUT" script -qec "$1" /dev/null </dev/null >"$PODMAN_DIR/tty.out" 2>&1 || rc=$?
  tr -d '\r' <"$PODMAN_DIR/tty.out"
  return "$rc"
}

# podman_rt_status ID: the status the runtime itself reports (its default
# root, as Podman uses it), or "gone" when it no longer knows ID.
podman_rt_status() {
  local out
  out=$(timeout 30 "$PODMAN_RT" state "$1" 2>/dev/null) || { echo gone; return 0; }
  printf '%s\n' "$out" | jq -r .status
}

# podman_run_d NAME ARGS...: a detached container of $PODMAN_IMAGE with
# $VOL at /host, through the suite's own `pm` (root's or the rootless
# user's Podman); sets ID and adds it to IDS.
podman_run_d() {
  local name=$1
  shift
  ID=$(pm run -d --name "$name" -v "$VOL:/host" "$PODMAN_IMAGE" "$@" </dev/null) ||
    fail "podman run -d $name failed" || return 1
  IDS+=("$ID")
}

# podman_exit_codes: run --rm passes the container's status on; a detached
# one's is what wait and inspect report (both Podman suites; pm is theirs).
podman_exit_codes() {
  run -7 pm run --rm "$PODMAN_IMAGE" sh -c 'exit 7'
  podman_run_d ec sh -c 'exit 3'
  run -0 pm wait ec
  assert_eq "$output" 3
  run -0 pm inspect --format '{{.State.Status}} {{.State.ExitCode}}' ec
  assert_eq "$output" "exited 3"
}

# podman_status_of NAME: podman's STATUS column (through the suite's `pm`).
podman_status_of() {
  pm ps -a --filter "name=^$1\$" --format '{{.Status}}'
}

# podman_wait_for FILE [SECONDS]: until FILE is non-empty.
podman_wait_for() {
  local f=$1 secs=${2:-10} i
  for ((i = 0; i < secs * 20; i++)); do
    [ -s "$f" ] && return 0
    sleep 0.05
  done
  echo "no $f after ${secs}s" >&2
  return 1
}

# podman_mounts_under DIR: mount points at or below DIR (deepest first).
podman_mounts_under() {
  awk -v d="$1" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r
}

# podman_cgroup_parents: the cgroup directories Podman's cgroupfs manager
# puts containers (libpod-ID) and conmons (conmon) in, one per hierarchy.
podman_cgroup_parents() {
  find /sys/fs/cgroup -mindepth 1 -maxdepth 2 -type d -name libpod_parent 2>/dev/null
}

# podman_container_cgroups ID: cgroup directories left for container ID.
podman_container_cgroups() {
  local p
  for p in $(podman_cgroup_parents); do
    [ -d "$p/libpod-$1" ] && echo "$p/libpod-$1"
  done
  return 0
}

# podman_leftovers ID...: what Podman left of containers ID (each gone
# from Podman by now): runtime state (Podman's cleanup ran `delete --force
# ID`, without --root), cgroups and audit processes (a sandbox's), as
# "state:ID cgroup:DIR hydra-audit:PID ..." words.
podman_leftovers() {
  local id cg
  for id in "$@"; do
    [ "$(podman_rt_status "$id")" = gone ] || echo "state:$id"
    for cg in $(podman_container_cgroups "$id"); do
      echo "cgroup:$cg"
    done
    for cg in $(e2e_audit_pids "$id"); do
      echo "hydra-audit:$cg"
    done
  done
  return 0
}

# podman_conmon_pids: conmon processes of this suite's containers.
podman_conmon_pids() {
  local p
  for p in $(pgrep -x conmon 2>/dev/null); do
    tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -qF "$PODMAN_DIR/" && echo "$p"
  done
  return 0
}

# podman_wait_conmons_gone [SECONDS]: until no conmon of this suite is
# left.  `podman rm --force` returns once the container is removed, while
# conmon may still be running its exit command (`podman container
# cleanup`) for a few milliseconds more: CI once caught one in that window
# (found, then gone when printed).  A conmon still there after SECONDS is
# a leak; its pids are printed.
podman_wait_conmons_gone() {
  local secs=${1:-10} i left
  for ((i = 0; i < secs * 20; i++)); do
    [ -z "$(podman_conmon_pids)" ] && return 0
    sleep 0.05
  done
  left=$(podman_conmon_pids)
  [ -z "$left" ] && return 0
  echo "conmon left after ${secs}s:" $left >&2
  return 1
}

# podman_cleanup_containers: remove every container (no grace period), in
# both modes (Podman needs the runtime a container was created with).
podman_cleanup_containers() {
  [ -n "${PODMAN_DIR:-}" ] && [ -d "$PODMAN_DIR" ] || return 0
  PODMAN_MODE=${PODMAN_MODE:-hydra} podman_cmd rm --all --force --time 0 >/dev/null 2>&1 || true
  PODMAN_MODE=runc podman_cmd rm --all --force --time 0 >/dev/null 2>&1 || true
  PODMAN_MODE=hydra podman_cmd rm --all --force --time 0 >/dev/null 2>&1 || true
}

# podman_teardown_file: remove containers, images and storage (podman
# system reset), kill leftover conmons by pid, unmount and remove
# $PODMAN_DIR and the host directories Podman created.  Fails (after
# cleaning what it can) if a mount or a conmon survived.
podman_teardown_file() {
  local m left="" d
  [ -n "${PODMAN_DIR:-}" ] && [ -d "$PODMAN_DIR" ] || return 0
  podman_cleanup_containers
  PODMAN_MODE=hydra podman_cmd system reset --force >"$PODMAN_DIR/reset.log" 2>&1 || true
  for m in $(podman_conmon_pids); do
    left="$left conmon:$m"
    kill -KILL "$m" 2>/dev/null || true
  done
  for m in $(podman_mounts_under "$PODMAN_DIR"); do
    left="$left mount:$m"
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
  done
  # Podman never removes its cgroup parents (libpod_parent/conmon).
  if [ "$PODMAN_HAD_CGROUP_PARENT" = no ]; then
    for d in $(podman_cgroup_parents); do
      find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null || true
    done
  fi
  # (the parents only when empty: another engine may use them by now)
  for d in $PODMAN_CREATED_DIRS; do
    case $d in
      */cache | */networks) rm -rf "$d" ;;
      *) rmdir "$d" 2>/dev/null || true ;;
    esac
  done
  rm -rf "$PODMAN_DIR"
  [ -z "$left" ] || { echo "left behind by podman:$left" >&2; return 1; }
}
