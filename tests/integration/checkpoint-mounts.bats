#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# checkpoint / restore (issue 13): mounts, masked paths and cgroups, as the
# restored process's mount table and /proc/PID/cgroup show them.

load helpers
load ../criu-helpers
load checkpoint-helpers

# mnt_line PID MOUNTPOINT: the topmost mountinfo line at MOUNTPOINT (as PID
# sees it).
mnt_line() {
  awk -v mp="$2" '$5 == mp { last = $0 } END { print last }' "/proc/$1/mountinfo"
}

# assert_bind_of PID MOUNTPOINT HOSTDIR: MOUNTPOINT in PID's mount table is a
# bind of HOSTDIR (same device and inode seen through the container's root).
assert_bind_of() {
  local pid=$1 mp=$2 src=$3
  [ -n "$(mnt_line "$pid" "$mp")" ] || fail "no mount at $mp: $(cat /proc/$pid/mountinfo)" || return 1
  assert_eq "$(stat -c %d:%i "/proc/$pid/root$mp")" "$(stat -c %d:%i "$src")" "$mp is a bind of $src"
}

@test "checkpoint-mounts: bind mounts (one through a symlink in the rootfs) come back bound to their sources" {
  local src2="$BATS_TEST_TMPDIR/src2"
  mkdir -p "$src2" "$BUNDLE/rootfs/real"
  # /link -> /real inside the rootfs: the destination resolves to /real
  ln -s /real "$BUNDLE/rootfs/link"
  cfg_hostdir
  cfg '.mounts += [{"destination": "/link", "type": "bind", "source": $s, "options": ["rbind", "rw"]}]' \
    --arg s "$src2"
  cfg_counter
  cp_run "$TAG"
  local pid
  pid=$(assert_running_init "$TAG")
  assert_bind_of "$pid" /host "$HOSTDIR"
  assert_bind_of "$pid" /real "$src2"
  echo before >"$HOSTDIR/f"
  cp_checkpoint "$TAG"
  cp_restore "$TAG"
  pid=$(assert_running_init "$TAG")
  assert_bind_of "$pid" /host "$HOSTDIR"
  assert_bind_of "$pid" /real "$src2"
  # not a copy: writes go through to the host in both directions
  assert_eq "$(cat "/proc/$pid/root/host/f")" before "host file seen inside"
  hr exec "$TAG" sh -c 'echo after >/real/g'
  assert_eq "$(cat "$src2/g")" after "written inside, seen on the host"
  # the symlink is still a symlink, not replaced by a directory
  [ -L "$BUNDLE/rootfs/link" ] || fail "/link in the rootfs is no longer a symlink"
  assert_ping a 1
}

@test "checkpoint-mounts: a mountpoint nested in a bind source, removed before restore, is re-created (runc#2748)" {
  local src="$BATS_TEST_TMPDIR/data"
  mkdir -p "$src"
  cfg '.mounts += [{"destination": "/data", "type": "bind", "source": $s, "options": ["rbind", "rw"]},
                   {"destination": "/data/sub/deeper", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]}]' \
    --arg s "$src"
  cfg_counter
  cp_run "$TAG"
  local pid
  pid=$(assert_running_init "$TAG")
  [ -d "$src/sub/deeper" ] || fail "the nested mountpoint was not made in the bind source"
  hr exec "$TAG" sh -c 'echo kept >/data/sub/deeper/t'
  cp_checkpoint "$TAG"
  rm -rf "${src:?}/sub"
  cp_restore "$TAG"
  pid=$(assert_running_init "$TAG")
  assert_bind_of "$pid" /data "$src"
  assert_match "$(mnt_line "$pid" /data/sub/deeper)" ' - tmpfs ' "mount at /data/sub/deeper"
  # CRIU restores tmpfs contents
  assert_eq "$(cat "/proc/$pid/root/data/sub/deeper/t")" kept "tmpfs content"
  assert_ping a 1
}

@test "checkpoint-mounts: mountpoints removed from the rootfs between checkpoint and restore are re-created" {
  cfg_hostdir
  cfg '.mounts += [{"destination": "/made/by/runtime", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]}]'
  cfg_counter
  cp_run "$TAG"
  [ -d "$BUNDLE/rootfs/made/by/runtime" ] || fail "the runtime did not make the mountpoint"
  cp_checkpoint "$TAG"
  rm -rf "$BUNDLE/rootfs/host" "$BUNDLE/rootfs/made"
  cp_restore "$TAG"
  local pid
  pid=$(assert_running_init "$TAG")
  assert_bind_of "$pid" /host "$HOSTDIR"
  assert_match "$(mnt_line "$pid" /made/by/runtime)" ' - tmpfs ' "mount at /made/by/runtime"
  assert_ping a 1
}

@test "checkpoint-mounts: the default config's masked paths stay masked after restore" {
  cfg_counter
  local masked
  masked=$(jq -r '.linux.maskedPaths[]' "$BUNDLE/config.json")
  [ -n "$masked" ] || fail "the default config has no maskedPaths"
  cp_run "$TAG"
  cp_checkpoint "$TAG"
  cp_restore "$TAG"
  local pid p n=0
  pid=$(assert_running_init "$TAG")
  for p in $masked; do
    [ -e "/proc/$pid/root$p" ] || continue # not on this kernel
    n=$((n + 1))
    [ -n "$(mnt_line "$pid" "$p")" ] || fail "$p is not a mountpoint after restore" || return 1
    if [ -d "/proc/$pid/root$p" ]; then
      # a read-only empty tmpfs
      assert_match "$(mnt_line "$pid" "$p")" ' - tmpfs ' "$p" || return 1
      assert_match "$(mnt_line "$pid" "$p" | awk '{print $6}')" '^ro' "$p mount options" || return 1
      assert_eq "$(ls -A "/proc/$pid/root$p")" "" "content of $p" || return 1
    else
      # the host's /dev/null bound over it
      assert_eq "$(stat -L -c %t:%T "/proc/$pid/root$p")" 1:3 "$p is /dev/null" || return 1
    fi
  done
  [ "$n" -gt 0 ] || fail "no masked path exists on this kernel"
  # and from inside: reading a masked file gives nothing
  assert_eq "$(hr exec "$TAG" sh -c 'cat /proc/kcore | wc -c')" 0 "/proc/kcore read from inside"
  assert_ping a 1
}

@test "checkpoint-mounts: cgroup namespace: the restored init is in a private one, rooted at its cgroup" {
  cfg_add_ns cgroup
  cfg_counter
  cp_run "$TAG"
  local pid round line
  for round in 1 2; do
    cp_checkpoint "$TAG"
    cp_restore "$TAG"
    pid=$(assert_running_init "$TAG")
    [ "$(readlink /proc/$pid/ns/cgroup)" != "$(readlink /proc/self/ns/cgroup)" ] ||
      fail "the restored init is in the host's cgroup namespace"
    # from the host: a cgroup named after the container in every hierarchy
    while IFS= read -r line; do
      [[ $line == */"$TAG" ]] || fail "host view of the init's cgroup: $line"
    done <"/proc/$pid/cgroup"
    # from inside (same cgroupns): every path is the namespace's root
    while IFS= read -r line; do
      [[ $line == *:/ ]] || fail "cgroup seen in the container's cgroup namespace: $line"
    done < <(hr exec "$TAG" cat /proc/1/cgroup)
    assert_ping "r$round" "$round"
    rm -rf "$IMG" "$WORK"
    mkdir -p "$IMG" "$WORK"
  done
}

@test "checkpoint-mounts: restore under another id with --manage-cgroups-mode ignore lands in the new id's cgroup" {
  # runc 1.1 gap: its checkpoint accepts only soft|full|strict and its
  # restore ignores --manage-cgroups-mode altogether (fixed in runc 1.2.0,
  # ff3b4f3bb and 212d25e85; design doc 1.10).
  cp_requires_hydra "runc 1.1 has no --manage-cgroups-mode ignore and restore ignores the flag"
  local new="${TAG}n" pid old_dirs d
  cfg_counter
  cp_run "$TAG"
  pid=$(assert_running_init "$TAG")
  old_dirs=$(container_cgroup_dirs "$pid")
  [ -n "$old_dirs" ] || fail "the container has no cgroup of its own"
  cp_checkpoint "$TAG" --manage-cgroups-mode ignore
  assert_gone "$TAG" "$pid"
  cp_restore "$new" --manage-cgroups-mode ignore
  pid=$(assert_running_init "$new")
  local line n=0
  while IFS= read -r line; do
    [[ $line == */"$new" ]] || fail "restored init's cgroup is not the new id's: $line"
    n=$((n + 1))
  done <"/proc/$pid/cgroup"
  [ "$n" -gt 0 ] || fail "no cgroups"
  for d in $old_dirs; do
    [ ! -d "$d" ] || fail "the old id's cgroup $d exists again"
  done
  run hr state "$TAG"
  [ "$status" -ne 0 ] || fail "the old id is back"
  assert_ping a 1
  # the new cgroup is the one the runtime manages: delete removes it
  local new_dirs
  new_dirs=$(container_cgroup_dirs "$pid")
  hr delete --force "$new"
  for d in $new_dirs; do
    [ ! -d "$d" ] || fail "cgroup $d left after delete"
  done
}
