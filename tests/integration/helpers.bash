# SPDX-License-Identifier: Apache-2.0
# Shared helpers for the bats integration suites.  Load with `load helpers`.
#
# The binary under test is $HYDRA_RUNC (tests/run-tests sets it; point it at
# Debian's runc to check the tests themselves: HYDRA_RUNC=$(command -v runc)).
# Every test gets a private state root ($ROOT) and a bundle ($BUNDLE) whose
# rootfs is a copy of a busybox-static tree built once per file.

bats_require_minimum_version 1.5.0

HR_HELPERS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${HYDRA_SRCDIR:=$(cd "$HR_HELPERS_DIR/../.." && pwd)}"
: "${HR_TIMEOUT:=60}"              # seconds any single runtime command may take
: "${HR_BUSYBOX:=/bin/busybox}"   # must be statically linked (busybox-static)

# The rootfs gets these busybox applets (as symlinks in /bin).
HR_APPLETS="sh ash echo cat id hostname ls sleep true false ps mount readlink stat
  touch kill test [ grep awk sed wc head tail env printf mkdir rm cut tr sort
  uname whoami umount ln chmod date dd pwd seq"

if [ -z "${HYDRA_RUNC:-}" ]; then
  echo "HYDRA_RUNC is not set: export HYDRA_RUNC=/path/to/hydra-runc (or \$(command -v runc))" >&2
  exit 1
fi

python3_bin() {
  if [ -x /usr/bin/python3 ]; then echo /usr/bin/python3; else command -v python3; fi
}

# --- what is under test -----------------------------------------------------

# True when $HYDRA_RUNC is runc itself (used to check the tests).
is_runc() {
  if [ -z "${HR_IS_RUNC:-}" ]; then
    if "$HYDRA_RUNC" --version 2>/dev/null | head -n1 | grep -q '^runc version'; then
      HR_IS_RUNC=yes
    else
      HR_IS_RUNC=no
    fi
  fi
  [ "$HR_IS_RUNC" = yes ]
}

requires_root() {
  if [ "$(id -u)" -ne 0 ]; then
    skip "needs root (creates namespaces, mounts and cgroups)"
  fi
}

# Skip where hydra-runc deliberately differs from runc 1.1 (e.g. it targets
# runtime-spec 1.3.0); $1 says why.
requires_hydra() {
  if is_runc; then
    skip "hydra-runc specific, binary under test is runc: $1"
  fi
}

# The shared material (OCI schemas, tools) beside the project, if any.
shared_dir() {
  local d
  for d in "${HYDRA_SHARED:-}" "${HYDRA_SRCDIR:-.}/../shared"; do
    [ -n "$d" ] || continue
    if [ -x "$d/tools/oci-schema-check" ]; then
      (cd "$d" && pwd)
      return 0
    fi
  done
  return 1
}

requires_schema_check() {
  HR_SHARED=$(shared_dir) || skip "no ../shared/tools/oci-schema-check beside the source tree"
  "$(python3_bin)" -c 'import jsonschema' 2>/dev/null ||
    skip "python3-jsonschema is not installed"
}

# test_tool NAME: the path of tests/tools/NAME (built by `make check`)
# beside the binary under test or in the source tree; the test is skipped
# without it.
test_tool() {
  local d
  for d in "${HYDRA_BUILDDIR:-}" "$(dirname "$(readlink -f "$HYDRA_RUNC")")" "$HYDRA_SRCDIR"; do
    if [ -n "$d" ] && [ -x "$d/tests/tools/$1" ]; then
      TEST_TOOL="$d/tests/tools/$1"
      return 0
    fi
  done
  skip "no tests/tools/$1 (make check builds it)"
}

# start_receiver TOOL ARG FIRSTLINE: tests/tools/TOOL ARG in the
# background (RECV_PID), its output in $RECV_OUT (set by the caller),
# once it printed FIRSTLINE (it is listening); stop_receiver in teardown.
start_receiver() {
  test_tool "$1"
  "$TEST_TOOL" "$2" </dev/null >"$RECV_OUT" 2>&1 3>&- &
  RECV_PID=$!
  wait_for_file "$RECV_OUT" 5
  assert_eq "$(head -n1 "$RECV_OUT")" "$3" "$1"
}

stop_receiver() {
  if [ -n "${RECV_PID:-}" ]; then
    kill "$RECV_PID" 2>/dev/null || true
    wait "$RECV_PID" 2>/dev/null || true
  fi
}

# --- rootfs and bundle ------------------------------------------------------

# build_rootfs DIR: a minimal busybox-static root filesystem.
build_rootfs() {
  local dir=$1 a
  if ! [ -x "$HR_BUSYBOX" ]; then
    echo "no $HR_BUSYBOX: apt-get install busybox-static" >&2
    return 1
  fi
  if ldd "$HR_BUSYBOX" >/dev/null 2>&1; then
    echo "$HR_BUSYBOX is dynamically linked: install busybox-static" >&2
    return 1
  fi
  mkdir -p "$dir"/{bin,etc,proc,sys,dev,tmp,root,host,home/hydra}
  chmod 1777 "$dir/tmp"
  cp "$HR_BUSYBOX" "$dir/bin/busybox"
  for a in $HR_APPLETS; do
    ln -sf busybox "$dir/bin/$a"
  done
  cat >"$dir/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
hydra:x:1000:1000:hydra:/home/hydra:/bin/sh
nobody:x:65534:65534:nobody:/:/bin/false
EOF
  cat >"$dir/etc/group" <<'EOF'
root:x:0:
wheel:x:10:hydra
hydra:x:1000:
extra:x:2000:hydra
nogroup:x:65534:
EOF
  # A file only this rootfs has: proves the container sees our root.
  echo "hydra-test-rootfs" >"$dir/.hydra-test-rootfs"
}

# Call from setup_file: build the rootfs once per .bats file.
hr_setup_file() {
  export HR_ROOTFS_TEMPLATE="$BATS_FILE_TMPDIR/rootfs-template"
  build_rootfs "$HR_ROOTFS_TEMPLATE"
}

# Per test: $ROOT (state root), $BUNDLE (spec + rootfs), $HOSTDIR (a host
# directory the tests bind-mount at /host), $TAG (makes ids unique).
hr_setup() {
  [ -d "${HR_ROOTFS_TEMPLATE:-}" ] || hr_setup_file
  ROOT="$BATS_TEST_TMPDIR/root"
  BUNDLE="$BATS_TEST_TMPDIR/bundle"
  HOSTDIR="$BATS_TEST_TMPDIR/hostdir"
  TAG="hr$$x${BATS_TEST_NUMBER}"
  HR_NETNS=()
  HR_PIDS=()
  HR_LEAKS="$BATS_TEST_TMPDIR/leaks"
  mkdir -p "$BUNDLE" "$HOSTDIR"
  cp -a "$HR_ROOTFS_TEMPLATE" "$BUNDLE/rootfs"
  (cd "$BUNDLE" && "$HYDRA_RUNC" spec) || {
    echo "'$HYDRA_RUNC spec' failed" >&2
    return 1
  }
  cfg '.process.terminal = false
     | .process.args = ["true"]
     | .hostname = "hydra-test"
     | .root.path = "rootfs"'
}

# hr_teardown: force-delete every container under $ROOT, kill any init the
# test saw that survived, remove network namespaces the test added.
hr_teardown() {
  local id p ids=()
  if [ -n "${ROOT:-}" ] && [ -d "$ROOT" ]; then
    mapfile -t ids < <(
      { timeout 30 "$HYDRA_RUNC" --root "$ROOT" list -q 2>/dev/null
        state_dirs; } | sort -u)
    for id in "${ids[@]}"; do
      [ -n "$id" ] || continue
      timeout 30 "$HYDRA_RUNC" --root "$ROOT" delete --force "$id" >/dev/null 2>&1 || true
    done
  fi
  for p in "${HR_PIDS[@]}"; do
    # Only a process in another mount namespace: a container's, not a reused pid.
    if [ -e "/proc/$p" ] &&
      [ "$(readlink "/proc/$p/ns/mnt" 2>/dev/null)" != "$(readlink /proc/self/ns/mnt)" ]; then
      kill -9 "$p" 2>/dev/null || true
    fi
  done
  for p in "${HR_NETNS[@]}"; do
    ip netns delete "$p" 2>/dev/null || true
  done
  return 0
}

# cfg JQ-FILTER [jq args...]: edit $BUNDLE/config.json in place.
cfg() {
  local filter=$1
  shift
  jq "$@" "$filter" "$BUNDLE/config.json" >"$BUNDLE/config.json.new" &&
    mv "$BUNDLE/config.json.new" "$BUNDLE/config.json"
}

# cfg_args ARG...: set process.args.
cfg_args() {
  # (jq 1.6 would take "-c" in `--args sh -c ...` as its own option)
  local i=0 a jqargs=() list=()
  for a in "$@"; do
    jqargs+=(--arg "a$i" "$a")
    list+=("\$a$i")
    i=$((i + 1))
  done
  a=$(IFS=,; jq -cn "${jqargs[@]}" "[${list[*]}]")
  cfg '.process.args = $a' --argjson a "$a"
}

# cfg_sh SCRIPT: process.args = sh -c SCRIPT.
cfg_sh() {
  cfg_args sh -c "$1"
}

# Bind-mount $HOSTDIR at /host (read-write).
cfg_hostdir() {
  cfg '.mounts += [{"destination": "/host", "type": "bind", "source": $src,
                    "options": ["rbind", "rw"]}]' --arg src "$HOSTDIR"
}

# Make sure the config asks for namespace $1 (a new one).
cfg_add_ns() {
  cfg 'if any(.linux.namespaces[]; .type == $t) then .
       else .linux.namespaces += [{"type": $t}] end' --arg t "$1"
}

cfg_del_ns() {
  cfg '.linux.namespaces |= map(select(.type != $t))' --arg t "$1"
}

# --- running the runtime ----------------------------------------------------

# hr ARGS...: the runtime under test with this test's state root.
hr() {
  timeout --kill-after=5 "$HR_TIMEOUT" "$HYDRA_RUNC" --root "$ROOT" "$@"
}

# hr_leakcheck ARGS...: like hr, but from under a subreaper; processes the
# command leaves behind end up in $HR_LEAKS (and are killed).
hr_leakcheck() {
  rm -f "$HR_LEAKS"
  timeout --kill-after=5 "$HR_TIMEOUT" "$(python3_bin)" "$HR_HELPERS_DIR/leakcheck.py" "$HR_LEAKS" \
    "$HYDRA_RUNC" --root "$ROOT" "$@"
}

# Field of `state ID` (jq path without the dot, e.g. status, pid).
state_field() {
  hr state "$1" | jq -r ".$2"
}

# Remember a container's init pid so teardown can kill it if all else fails.
track_pid() {
  local pid
  pid=$(state_field "$1" pid 2>/dev/null) || return 0
  [ "${pid:-0}" -gt 0 ] 2>/dev/null && HR_PIDS+=("$pid")
  return 0
}

# create_container ID [ARGS...]: create from $BUNDLE, assert it worked.
create_container() {
  local id=$1
  shift
  local rc=0 log="$BATS_TEST_TMPDIR/create-${id:0:64}"
  # The container inherits create's stdio: never hand it a pipe someone
  # waits on (bats' `run` and $(...) would block until the container exits).
  hr create --bundle "$BUNDLE" "$@" "$id" </dev/null >"$log.out" 2>"$log.err" || rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "create ${id:0:64} failed ($rc): $(cat "$log.err")" >&2
    return 1
  fi
  track_pid "$id"
}

# wait_for_status ID STATUS [SECONDS]: poll `state` (bounded).
wait_for_status() {
  local id=$1 want=$2 secs=${3:-10} got="" i
  for ((i = 0; i < secs * 20; i++)); do
    got=$(state_field "$id" status 2>/dev/null) || got="(state failed)"
    [ "$got" = "$want" ] && return 0
    sleep 0.05
  done
  echo "container $id: status '$got' after ${secs}s, wanted '$want'" >&2
  return 1
}

# wait_for_file PATH [SECONDS]
wait_for_file() {
  local f=$1 secs=${2:-10} i
  for ((i = 0; i < secs * 20; i++)); do
    [ -s "$f" ] && return 0
    sleep 0.05
  done
  echo "no $f after ${secs}s" >&2
  return 1
}

# wait_for_pid_gone PID [SECONDS]
wait_for_pid_gone() {
  local p=$1 secs=${2:-10} i
  for ((i = 0; i < secs * 20; i++)); do
    if ! [ -e "/proc/$p" ] || [ "$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)" = Z ]; then
      return 0
    fi
    sleep 0.05
  done
  echo "pid $p still alive after ${secs}s" >&2
  return 1
}

# --- assertions -------------------------------------------------------------

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

# State directories under $ROOT (one per container in runc and hydra-runc;
# hidden entries such as a lock directory do not count).
state_dirs() {
  [ -d "$ROOT" ] || return 0
  find "$ROOT" -mindepth 1 -maxdepth 1 -type d ! -name '.*' -printf '%f\n'
}

assert_no_state_dirs() {
  local left
  left=$(state_dirs)
  [ -z "$left" ] || fail "state left under $ROOT: $left"
  left=$(hr list -q 2>/dev/null) || true
  [ -z "$left" ] || fail "list -q still shows: $left"
}

# No cgroup directory named after the container anywhere in the hierarchy.
assert_no_cgroup() {
  local id=$1 found
  found=$(find /sys/fs/cgroup -mindepth 1 -maxdepth 6 -type d -name "$id" 2>/dev/null | head -5)
  [ -z "$found" ] || fail "cgroup left behind for $id: $found"
}

# After `run --separate-stderr hr_leakcheck ...` of a command that must fail:
# exit 1, exactly one non-empty line on stderr matching ERE $1, no state dir,
# no leftover process.
assert_clean_failure() {
  local re=$1 lines
  if [ "$status" -ne 1 ]; then
    fail "exit status $status, want 1; stdout: $output; stderr: $stderr"
    return 1
  fi
  lines=$(printf '%s\n' "$stderr" | grep -c .) || true
  [ "$lines" -eq 1 ] || fail "want exactly one error line on stderr, got $lines: $stderr" || return 1
  [[ $stderr =~ $re ]] || fail "stderr '$stderr' does not match /$re/" || return 1
  assert_no_state_dirs || return 1
  if [ -n "${HR_LEAKS:-}" ] && [ -s "$HR_LEAKS" ]; then
    fail "processes left behind: $(cat "$HR_LEAKS")"
    return 1
  fi
}

# mountinfo helpers over a captured /proc/self/mountinfo ($1 = text).
# mnt_fstype TEXT MOUNTPOINT -> fstype of the topmost mount there.
mnt_fstype() {
  printf '%s\n' "$1" | awk -v mp="$2" '
    { for (i = 7; i <= NF; i++) if ($i == "-") { fs = $(i + 1); break }
      if ($5 == mp) last = fs }
    END { print last }'
}

# mnt_opts TEXT MOUNTPOINT -> per-mount options of the topmost mount there.
mnt_opts() {
  printf '%s\n' "$1" | awk -v mp="$2" '$5 == mp { last = $6 } END { print last }'
}

# cgroup_mount CONTROLLERS: where the hierarchy of a /proc/PID/cgroup line
# is mounted ("" for cgroup2: /sys/fs/cgroup or, hybrid, its unified/).
cgroup_mount() {
  if [ -z "$1" ]; then
    if [ -d /sys/fs/cgroup/unified ]; then echo /sys/fs/cgroup/unified; else echo /sys/fs/cgroup; fi
  elif [ -d "/sys/fs/cgroup/${1#name=}" ]; then
    echo "/sys/fs/cgroup/${1#name=}"
  else
    echo "/sys/fs/cgroup/${1%%,*}"
  fi
}

# container_cgroup_dirs PID: the cgroup directories PID is in that the
# caller is not (those the runtime made for the container), one per line.
container_cgroup_dirs() {
  local pid=$1 hier ctrl path mine base
  while IFS=: read -r hier ctrl path; do
    mine=$(awk -F: -v c="$ctrl" '$2 == c { print $3 }' /proc/self/cgroup)
    [ "$path" = "$mine" ] && continue
    [ "$path" = / ] && continue
    base=$(cgroup_mount "$ctrl")
    [ -d "$base$path" ] && echo "$base$path"
  done <"/proc/$pid/cgroup"
  return 0
}

# cgroup_mounts PID: "mountpoint root fstype per-mount-options" of every
# cgroup and cgroup2 mount PID sees (roots as the host's cgroup namespace
# names them).
cgroup_mounts() {
  awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { fs = $(i + 1); break }
         if (fs == "cgroup" || fs == "cgroup2") print $5, $4, fs, $6 }' "/proc/$1/mountinfo"
}

# assert_cgroup_mounts_own PID ID ro|rw: every cgroup mount PID sees is
# rooted at the container's own cgroup (named ID) and has the access
# mode; on a hybrid host the unified hierarchy is among them.
assert_cgroup_mounts_own() {
  local pid=$1 id=$2 mode=$3 mp root fs opts n=0 unified=no
  while read -r mp root fs opts; do
    n=$((n + 1))
    [[ $root == */"$id" ]] || fail "cgroup mount $mp ($fs) is rooted at $root, not the container's cgroup" || return 1
    [[ $opts == "$mode",* || $opts == "$mode" ]] || fail "cgroup mount $mp: options $opts, want $mode" || return 1
    [ "$fs" = cgroup2 ] && unified=yes
  done < <(cgroup_mounts "$pid")
  [ "$n" -gt 0 ] || fail "no cgroup mount in the container" || return 1
  # (runc 1.1 leaves the unified hierarchy of a hybrid host out: docs/compat.md)
  if ! is_runc && [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
    [ "$unified" = yes ] || fail "no unified hierarchy in the container on a hybrid host" || return 1
  fi
}

# cfg_cgroup_mount_options OPT...: the options of the config's cgroup mount.
cfg_cgroup_mount_options() {
  local a
  a=$(printf '%s\n' "$@" | jq -R . | jq -cs .)
  cfg '.mounts |= map(if .type == "cgroup" then .options = $o else . end)' --argjson o "$a"
}

# cfg_sched_attrs: process.scheduler (SCHED_BATCH, nice 7), ioPriority
# (idle), execCPUAffinity (initial 0, final 1) and linux.personality
# (LINUX32); assert_sched_attrs PID checks them from the host (proc(5):
# stat field 41 is the policy, 19 the nice value).
cfg_sched_attrs() {
  [ "$(nproc)" -ge 2 ] || skip "needs 2 cpus for distinct initial/final affinity"
  cfg '.process.scheduler = {"policy": "SCHED_BATCH", "nice": 7}
     | .process.ioPriority = {"class": "IOPRIO_CLASS_IDLE", "priority": 0}
     | .process.execCPUAffinity = {"initial": "0", "final": "1"}
     | .linux.personality = {"domain": "LINUX32"}'
}
assert_sched_attrs() {
  local pid=$1
  assert_eq "$(awk '/^policy/{print $3}' /proc/$pid/sched)" "3" "SCHED_BATCH"
  assert_eq "$(awk '{print $41}' /proc/$pid/stat)" "3" "policy in stat"
  assert_eq "$(awk '{print $19}' /proc/$pid/stat)" "7" "nice"
  assert_eq "$(awk '$1 == "Cpus_allowed_list:" {print $2}' /proc/$pid/status)" "1" "final cpu affinity"
  assert_eq "$(cat /proc/$pid/personality)" "00000008" "PER_LINUX32"
  run ionice -p "$pid"
  assert_match "$output" "idle"
}
