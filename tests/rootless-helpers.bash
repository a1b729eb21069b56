# SPDX-License-Identifier: Apache-2.0
# Helpers for the rootless suites (tests/integration/rootless.bats,
# tests/e2e/podman-rootless.bats, tests/vm/rootless-v2.bats): a fresh real
# user for each test, its subordinate id ranges, its XDG_RUNTIME_DIR, cgroup
# delegation the way systemd does it, and running commands as that user.
# Load with `load ../rootless-helpers` (from a suite one level below tests/).
#
# Nothing here assumes this host: the cgroup layout (v1, hybrid, pure v2)
# is detected, and every id range, directory and cgroup made is recorded
# in a state file so that rl_user_remove undoes exactly that, even after a
# setup that failed half-way.
#
#   rl_requires         skip (saying why) unless root with useradd/newuidmap
#   rl_user_create      make the user; exports RL_USER RL_UID RL_GID RL_HOME
#                       RL_XDG RL_SUBUID RL_SUBGID (the ranges' starts)
#   rl_delegate [freezer]  a delegated cgroup2 dir (and a v1 freezer dir)
#   rl_as_user CMD...   CMD as the user (clean env, no capabilities), inside
#                       the delegated cgroups when rl_delegate was called
#   rl_user_remove      undo all of it; idempotent; fails if anything is left
#   rl_bundle           $BUNDLE in the user's home from `spec --rootless`

: "${RL_SUBID_COUNT:=65536}"
RL_PATH=/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin
RL_LOCK=/run/lock/hydra-rootless-subid.lock

# rl_state_file: where the record of what was made lives: $RL_STATE_FILE
# (export it in setup_file for a user per .bats file), else the test's
# own temp dir.
rl_state_file() {
  echo "${RL_STATE_FILE:-${BATS_TEST_TMPDIR:-${BATS_FILE_TMPDIR:-/tmp}}/rootless-user.state}"
}

# rl_record VAR VALUE: remember (and export) VAR for rl_user_remove.
rl_record() {
  export "$1=$2"
  printf '%s=%q\n' "$1" "$2" >>"$(rl_state_file)"
}

rl_requires() {
  [ "$(id -u)" -eq 0 ] || skip "needs root (creates a user, its subordinate ids and cgroups)"
  local t
  for t in useradd userdel newuidmap newgidmap setpriv; do
    command -v "$t" >/dev/null ||
      PATH=$PATH:/usr/sbin:/sbin command -v "$t" >/dev/null ||
      skip "no $t (apt-get install passwd uidmap util-linux)"
  done
  [ "$(cat /proc/sys/user/max_user_namespaces 2>/dev/null || echo 0)" -gt 0 ] ||
    skip "user namespaces are disabled (user.max_user_namespaces = 0)"
  if [ -r /proc/sys/kernel/unprivileged_userns_clone ] &&
    [ "$(cat /proc/sys/kernel/unprivileged_userns_clone)" = 0 ]; then
    skip "unprivileged user namespaces are disabled (kernel.unprivileged_userns_clone = 0)"
  fi
}

# rl_free_subid_start: the first multiple of RL_SUBID_COUNT at or above
# 200000 past every range in /etc/subuid and /etc/subgid (both, so one
# start serves both files), and past every uid/gid in passwd/group.
rl_free_subid_start() {
  local end
  end=$(cat /etc/subuid /etc/subgid 2>/dev/null |
    awk -F: 'NF == 3 && $2 ~ /^[0-9]+$/ && $3 ~ /^[0-9]+$/ { e = $2 + $3; if (e > m) m = e }
             END { print m + 0 }')
  [ "$end" -ge 200000 ] || end=200000
  echo $(((end + RL_SUBID_COUNT - 1) / RL_SUBID_COUNT * RL_SUBID_COUNT))
}

rl_user_create() {
  local name start sf
  sf=$(rl_state_file)
  : >"$sf"
  name=hrrl$(od -An -N5 -tx1 /dev/urandom | tr -d ' \n')
  # No automatic subordinate ranges (Debian's useradd allocates them when
  # SUB_UID_COUNT > 0): the ranges are ours, appended below.
  rl_record RL_USER "$name"
  PATH=$PATH:/usr/sbin:/sbin useradd -m -s /bin/sh -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 "$name" ||
    { echo "useradd $name failed" >&2; return 1; }
  rl_record RL_UID "$(id -u "$name")"
  rl_record RL_GID "$(id -g "$name")"
  rl_record RL_HOME "$(getent passwd "$name" | cut -d: -f6)"
  # One start for both files, chosen and appended under a lock: parallel
  # suites on the same machine must not get overlapping ranges.
  mkdir -p "$(dirname "$RL_LOCK")"
  start=$(
    exec 9>>"$RL_LOCK"
    flock -w 30 9 || exit 1
    s=$(rl_free_subid_start)
    echo "$name:$s:$RL_SUBID_COUNT" >>/etc/subuid &&
      echo "$name:$s:$RL_SUBID_COUNT" >>/etc/subgid && echo "$s"
  ) || { echo "could not add $name's ranges to /etc/subuid, /etc/subgid" >&2; return 1; }
  rl_record RL_SUBUID "$start"
  rl_record RL_SUBGID "$start"
  rl_record RL_SUBID_LINE "$name:$start:$RL_SUBID_COUNT"
  rl_record RL_XDG "/run/user/$RL_UID"
  if [ -e "$RL_XDG" ]; then
    rl_record RL_XDG_MADE no
  else
    rl_record RL_XDG_MADE yes
    mkdir -p /run/user && install -d -m 0700 -o "$RL_UID" -g "$RL_GID" "$RL_XDG" ||
      { echo "cannot make $RL_XDG" >&2; return 1; }
  fi
  chmod 0755 "$RL_HOME"
}

# rl_cgroup2_mount: the unified hierarchy's mount point (hybrid hosts have
# it at /sys/fs/cgroup/unified), nothing when there is none.
rl_cgroup2_mount() {
  if [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
    echo /sys/fs/cgroup/unified
  elif [ "$(stat -f -c %T /sys/fs/cgroup 2>/dev/null)" = cgroup2fs ]; then
    echo /sys/fs/cgroup
  fi
}

# rl_cgroup_v1_freezer: the v1 freezer mount point, if the host has one.
rl_cgroup_v1_freezer() {
  local d=/sys/fs/cgroup/freezer
  [ "$(stat -f -c %T "$d" 2>/dev/null)" = cgroupfs ] && [ -e "$d/cgroup.procs" ] && echo "$d"
}

# rl_delegate [freezer]: delegate a cgroup to the user as systemd does
# (systemd.resource-control(5) Delegate=, cgroups(7) "Delegation"): a
# cgroup2 directory in this process's own cgroup2 cgroup, the directory
# and its cgroup.procs, cgroup.threads and cgroup.subtree_control owned by
# the user; with "freezer", a v1 freezer directory too (hybrid or v1
# hosts), owned with its cgroup.procs and tasks.  rl_as_user then starts
# its command inside them: in cgroup v2 an unprivileged process may only
# move processes between cgroups below one whose cgroup.procs it can
# write, so the runtime itself must start inside the delegated subtree.
# Sets RL_CG2_DIR and RL_FREEZER_DIR (empty when not made).
rl_delegate() {
  local want_freezer=${1:-} mnt own d f
  rl_record RL_CG2_DIR ""
  rl_record RL_FREEZER_DIR ""
  mnt=$(rl_cgroup2_mount)
  [ -n "$mnt" ] || { echo "rl_delegate: no cgroup2 hierarchy here" >&2; return 1; }
  own=$(awk -F: '$1 == "0" && $2 == "" { print $3 }' /proc/self/cgroup)
  d=$mnt${own%/}/$RL_USER
  mkdir "$d" || return 1
  rl_record RL_CG2_DIR "$d"
  for f in "" cgroup.procs cgroup.threads cgroup.subtree_control; do
    chown "$RL_UID:$RL_GID" "$d/$f" || return 1
  done
  if [ "$want_freezer" = freezer ] && f=$(rl_cgroup_v1_freezer); then
    own=$(awk -F: '$2 == "freezer" { print $3 }' /proc/self/cgroup)
    d=$f${own%/}/$RL_USER
    mkdir "$d" || return 1
    rl_record RL_FREEZER_DIR "$d"
    for f in "" cgroup.procs tasks; do
      chown "$RL_UID:$RL_GID" "$d/$f" || return 1
    done
  fi
}

# rl_undelegate: remove the delegated directories and whatever the user
# made below them (their processes must be gone: rl_kill_user first).
rl_undelegate() {
  local d
  for d in "${RL_CG2_DIR:-}" "${RL_FREEZER_DIR:-}"; do
    [ -n "$d" ] && [ -d "$d" ] || continue
    find "$d" -depth -type d -exec rmdir {} + 2>/dev/null || true
    if [ -d "$d" ]; then
      echo "cgroup $d not removed: $(find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null | tr '\n' ' ')" >&2
      return 1
    fi
  done
  return 0
}

# rl_pids: processes whose real or effective uid is the user's or in its
# subordinate range (a container's processes mapped through newuidmap);
# not zombies: they have exited, whoever reaps them.
rl_pids() {
  local lo=${RL_SUBUID:-0} hi=$((${RL_SUBUID:-0} + RL_SUBID_COUNT))
  [ -n "${RL_UID:-}" ] || return 0
  awk -v u="$RL_UID" -v lo="$lo" -v hi="$hi" '
    FNR == 1 { p = FILENAME; sub("^/proc/", "", p); sub("/status$", "", p); z = 0 }
    $1 == "State:" && $2 == "Z" { z = 1 }
    $1 == "Uid:" && !z { for (i = 2; i <= 3; i++)
                     if ($i == u || (lo > 0 && $i >= lo && $i < hi)) { print p; break } }
  ' /proc/[0-9]*/status 2>/dev/null | sort -u
}

# rl_kill_user: SIGKILL every process of the user (by pid), wait until
# none is left (10 s).
rl_kill_user() {
  local i left
  for ((i = 0; i < 100; i++)); do
    left=$(rl_pids)
    [ -z "$left" ] && return 0
    # shellcheck disable=SC2086
    kill -KILL $left 2>/dev/null || true
    sleep 0.1
  done
  echo "processes of $RL_USER still alive: $left" >&2
  return 1
}

# rl_drop_subid_line FILE LINE: remove exactly LINE (ours), keep the rest,
# under the lock rl_user_create appends under.
rl_drop_subid_line() {
  local file=$1 line=$2
  [ -f "$file" ] || return 0
  (
    exec 9>>"$RL_LOCK"
    flock -w 30 9 || exit 1
    grep -qxF "$line" "$file" || exit 0
    grep -vxF "$line" "$file" >"$file.hrrl-new"
    # (same inode, mode and owner: overwrite in place)
    cat "$file.hrrl-new" >"$file"
    rm -f "$file.hrrl-new"
  )
}

# rl_user_remove: undo rl_user_create and rl_delegate; idempotent, works
# from the state file after a failed setup; fails (after cleaning what it
# can) if anything of the user is left.
rl_user_remove() {
  local sf rc=0 left
  sf=$(rl_state_file)
  if [ -s "$sf" ]; then
    # shellcheck disable=SC1090
    . "$sf"
  fi
  [ -n "${RL_USER:-}" ] || return 0
  rl_kill_user || rc=1
  rl_undelegate || rc=1
  if [ -n "${RL_SUBID_LINE:-}" ]; then
    rl_drop_subid_line /etc/subuid "$RL_SUBID_LINE" || rc=1
    rl_drop_subid_line /etc/subgid "$RL_SUBID_LINE" || rc=1
  fi
  if getent passwd "$RL_USER" >/dev/null; then
    PATH=$PATH:/usr/sbin:/sbin userdel -r "$RL_USER" >/dev/null 2>&1 || true
    # (userdel -r fails on a missing mail spool but removes the user)
    getent passwd "$RL_USER" >/dev/null && { echo "userdel $RL_USER failed" >&2; rc=1; }
  fi
  [ -n "${RL_HOME:-}" ] && [ -d "$RL_HOME" ] && [[ $RL_HOME == /home/hrrl* ]] && rm -rf "$RL_HOME"
  if [ "${RL_XDG_MADE:-}" = yes ] && [ -n "${RL_XDG:-}" ]; then
    rm -rf "$RL_XDG"
  fi
  # Check: no process, no file in /run/user, no subordinate range, no user.
  left=$(rl_pids)
  [ -z "$left" ] || { echo "processes of $RL_USER left: $left" >&2; rc=1; }
  if [ -n "${RL_UID:-}" ] && [ -d /run/user ]; then
    left=$(find /run/user -xdev -uid "$RL_UID" 2>/dev/null | head -5)
    [ -z "$left" ] || { echo "files of $RL_USER left in /run/user: $left" >&2; rc=1; }
  fi
  left=$(grep -h "^$RL_USER:" /etc/subuid /etc/subgid 2>/dev/null || true)
  [ -z "$left" ] || { echo "subordinate ranges of $RL_USER left: $left" >&2; rc=1; }
  if [ "$rc" -eq 0 ]; then
    # Done: a second call must not touch a uid someone else may get now.
    : >"$sf"
    unset RL_USER RL_UID RL_GID RL_HOME RL_XDG RL_XDG_MADE RL_SUBUID RL_SUBGID \
      RL_SUBID_LINE RL_CG2_DIR RL_FREEZER_DIR
  fi
  return "$rc"
}

# rl_as_user CMD...: CMD as the user: environment HOME USER LOGNAME
# XDG_RUNTIME_DIR PATH only (plus RL_ENV, "VAR=value" words), in $RL_HOME,
# no capabilities, the user's groups.  After rl_delegate, a root shell
# first writes its own pid into the delegated directories' cgroup.procs
# (the only place a pid is written into a cgroup), then drops to the user.
rl_as_user() {
  local envs=(HOME="$RL_HOME" USER="$RL_USER" LOGNAME="$RL_USER" XDG_RUNTIME_DIR="$RL_XDG" PATH="$RL_PATH")
  # shellcheck disable=SC2206
  [ -n "${RL_ENV:-}" ] && envs+=($RL_ENV)
  # shellcheck disable=SC2016
  RL_JOIN="${RL_CG2_DIR:-} ${RL_FREEZER_DIR:-}" RL_UID="$RL_UID" RL_GID="$RL_GID" RL_HOME="$RL_HOME" \
    bash -c '
    for d in $RL_JOIN; do echo $$ >"$d/cgroup.procs" || exit 125; done
    cd "$RL_HOME" || exit 125
    exec setpriv --reuid="$RL_UID" --regid="$RL_GID" --init-groups --inh-caps=-all \
      env -i "$@"' rl_as_user "${envs[@]}" "$@"
}

# rl_bundle: BUNDLE=$RL_HOME/bundle, the user's: a copy of the rootfs
# template (tests/integration/helpers.bash hr_setup_file) owned by the user
# and `$HYDRA_RUNC spec --rootless` run as the user, then made to run
# `sleep 1000` without a terminal on a writable root.
rl_bundle() {
  BUNDLE=$RL_HOME/bundle
  mkdir -p "$BUNDLE"
  cp -a "$HR_ROOTFS_TEMPLATE" "$BUNDLE/rootfs"
  chown -R "$RL_UID:$RL_GID" "$BUNDLE"
  rl_as_user test -x "$HYDRA_RUNC" || skip "$HYDRA_RUNC is not executable by an unprivileged user"
  rl_as_user sh -c 'cd bundle && exec "$0" spec --rootless' "$HYDRA_RUNC" ||
    fail "'$HYDRA_RUNC spec --rootless' as $RL_USER failed" || return 1
  cfg '.process.terminal = false | .process.args = ["sleep", "1000"]
     | .root = {"path": "rootfs", "readonly": false}'
}

# The suites define rlr ARGS... (the runtime under test as the user, the
# way the suite runs it); these build on it.

# rl_create ID: `create` as the user from $BUNDLE (stdio not a pipe),
# stderr kept in $BATS_TEST_TMPDIR/ID.err; sets PID.
rl_create() {
  local rc=0
  rlr create --bundle "$BUNDLE" "$1" </dev/null >"$BATS_TEST_TMPDIR/$1.out" 2>"$BATS_TEST_TMPDIR/$1.err" || rc=$?
  [ "$rc" -eq 0 ] || fail "create $1 as $RL_USER failed ($rc): $(cat "$BATS_TEST_TMPDIR/$1.err")" || return 1
  PID=$(rlr state "$1" | jq -r .pid)
  [ "${PID:-0}" -gt 0 ] || fail "no pid in state of $1"
}

rl_status() {
  rlr state "$1" | jq -r .status
}

# rl_cfg_counter: the container counts into /tmp/count every 0.1 s;
# rl_count_of PID reads it from the host.
rl_cfg_counter() {
  cfg_sh 'i=0; while :; do i=$((i+1)); echo $i >/tmp/count.new; busybox mv /tmp/count.new /tmp/count; sleep 0.1; done'
}
rl_count_of() { cat "/proc/$1/root/tmp/count" 2>/dev/null || echo none; }

# rl_delete_all: force-delete every container the user's runtime lists
# (for teardown; nothing when the user is gone already).
rl_delete_all() {
  local id
  [ -n "${RL_USER:-}" ] || return 0
  for id in $(rlr list -q 2>/dev/null); do
    rlr delete --force "$id" >/dev/null 2>&1 || true
  done
  return 0
}
