#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Regression tests for path attacks from a hostile rootfs (and volumes).
# Each test builds the hostile rootfs itself, plants a canary on the host
# (a directory with a file whose content, inode and sha256 are recorded)
# and asserts that the host is untouched, and that the container either
# refused with a clear error or was confined to its rootfs.
#
# Against Debian's runc 1.1.5 (HYDRA_RUNC=$(command -v runc)) the
# CVE-2025-31133, /dev-symlink and fake-/proc tests fail: that runc is
# vulnerable to those classes.  That is the point of keeping them.

load ../integration/helpers
load canary

setup_file() { hr_setup_file; }
setup() {
  hr_setup
  canary_setup
}
teardown() { hr_teardown; }

run_container() {
  run --separate-stderr hr_leakcheck run --bundle "$BUNDLE" "$TAG"
  echo "status=$status"
  echo "stdout: $output"
  echo "stderr: $stderr"
}

@test "CVE-2021-30465: a mount destination that is a symlink to a host path stays in the rootfs" {
  requires_root
  ln -s "$CANARY_DIR" "$BUNDLE/rootfs/mnt"
  ln -s "$CANARY" "$BUNDLE/rootfs/file-link"
  echo "volume" >"$HOSTDIR/v"
  cfg '.mounts += [{"destination": "/mnt", "type": "tmpfs", "source": "tmpfs"},
                   {"destination": "/mnt/sub", "type": "bind", "source": $h, "options": ["rbind"]},
                   {"destination": "/file-link", "type": "bind", "source": ($h + "/v"), "options": ["bind"]}]' \
    --arg h "$HOSTDIR"
  # /file-link resolves to <rootfs>$CANARY, on the tmpfs at /mnt: the bind
  # lands there, and the container's /mnt/canary is the volume file
  cfg_sh 'cat /mnt/sub/v; cat /file-link; cat /mnt/canary; echo pwned > /mnt/new-file'
  run_container
  [ "$status" -eq 0 ] || fail "the container should run confined"
  assert_eq "$output" "volume
volume
volume"
  assert_host_untouched
  # the mounts landed on the in-rootfs resolution of the links
  [ -d "$BUNDLE/rootfs$CANARY_DIR" ] || fail "mount point not made inside the rootfs"
}

@test "CVE-2019-19921 / CVE-2023-27561: rootfs /proc as a symlink to / is refused" {
  requires_root
  rmdir "$BUNDLE/rootfs/proc"
  ln -s / "$BUNDLE/rootfs/proc"
  run_container
  assert_clean_failure 'proc.*ordinary directory'
  assert_host_untouched
  [ -L "$BUNDLE/rootfs/proc" ]
}

@test "CVE-2019-19921 / CVE-2023-27561: rootfs /proc as a symlink to a host directory is refused" {
  requires_root
  rmdir "$BUNDLE/rootfs/proc"
  ln -s "$CANARY_DIR" "$BUNDLE/rootfs/proc"
  run_container
  assert_clean_failure 'proc.*ordinary directory'
  assert_host_untouched
}

@test "CVE-2019-19921: rootfs /sys as a symlink is refused too" {
  requires_root
  rmdir "$BUNDLE/rootfs/sys"
  ln -s "$CANARY_DIR" "$BUNDLE/rootfs/sys"
  run_container
  assert_clean_failure 'sysfs.*ordinary directory'
  assert_host_untouched
}

@test "CVE-2024-45310: symlinks in a volume do not make directories on the host" {
  requires_root
  # the volume (a host directory shared with, say, another container)
  # holds links pointing at the canary, absolute and relative
  ln -s "$CANARY_DIR" "$HOSTDIR/abs"
  ln -s "../../../../../../../../../../..$CANARY_DIR" "$HOSTDIR/rel"
  cfg '.mounts += [{"destination": "/vol", "type": "bind", "source": $h, "options": ["rbind"]},
                   {"destination": "/vol/abs/made-abs", "type": "tmpfs", "source": "tmpfs"},
                   {"destination": "/vol/rel/made-rel/deeper", "type": "tmpfs", "source": "tmpfs"}]' \
    --arg h "$HOSTDIR"
  cfg_sh 'grep -c " - tmpfs " /proc/self/mountinfo >/dev/null; echo ok'
  run_container
  [ "$status" -eq 0 ] || fail "the container should run confined"
  assert_host_untouched
  [ ! -e "$CANARY_DIR/made-abs" ] && [ ! -e "$CANARY_DIR/made-rel" ]
  [ -d "$BUNDLE/rootfs$CANARY_DIR/made-abs" ] || fail "not made inside the rootfs"
}

@test "CVE-2025-31133: rootfs /dev/null as a symlink to a host file; masking uses the real null device" {
  requires_root
  # no /dev tmpfs: the rootfs's own /dev is used, with a planted null
  cfg '.mounts |= map(select(.destination != "/dev" and (.destination | startswith("/dev/") | not)))'
  rm -f "$BUNDLE/rootfs/dev/null"
  ln -s "$CANARY" "$BUNDLE/rootfs/dev/null"
  echo secret >"$BUNDLE/rootfs/masked-file"
  cfg '.linux.maskedPaths += ["/masked-file"]'
  cfg_sh 'stat -c "%F %t:%T" /masked-file /dev/null; cat /masked-file; echo pwned > /masked-file; echo pwned > /dev/null'
  run_container
  [ "$status" -eq 0 ] || fail "the container should run"
  assert_eq "${lines[0]}" "character special file 1:3" "masked file"
  assert_eq "${lines[1]}" "character special file 1:3" "/dev/null"
  assert_eq "${#lines[@]}" 2 "the masked file reads empty"
  assert_host_untouched
  assert_eq "$(cat "$BUNDLE/rootfs/masked-file")" secret
}

@test "CVE-2025-31133: maskedPaths refuse a /dev/null that is not the null device" {
  requires_root
  requires_hydra "runc 1.1.5 binds whatever /dev/null is"
  # linux.devices turns /dev/null into another device (1:5, zero)
  cfg '.linux.devices = [{"path": "/dev/null", "type": "c", "major": 1, "minor": 5, "fileMode": 438}]
     | .linux.maskedPaths = ["/etc/passwd"]'
  run_container
  assert_clean_failure '/dev/null in the container is not the null device'
  assert_host_untouched
}

@test "CVE-2026-41579 class: rootfs /dev as a symlink to a host directory" {
  requires_root
  rm -rf "$BUNDLE/rootfs/dev"
  ln -s "$CANARY_DIR" "$BUNDLE/rootfs/dev"
  cfg '.linux.devices = [{"path": "/dev/extra", "type": "c", "major": 1, "minor": 3}]
     | .linux.maskedPaths += ["/etc/passwd"]'
  cfg_sh 'ls /dev/ >/dev/null; echo pwned > /dev/canary 2>/dev/null; stat -c "%t:%T" /etc/passwd'
  run_container
  [ "$status" -eq 0 ] || fail "the container should run confined"
  assert_eq "${lines[-1]}" "1:3" "masked /etc/passwd"
  assert_host_untouched
}

@test "CVE-2026-41579 class: rootfs /dev as a symlink to a host directory, without a /dev mount" {
  requires_root
  cfg '.mounts |= map(select(.destination != "/dev" and (.destination | startswith("/dev/") | not)))'
  rm -rf "$BUNDLE/rootfs/dev"
  ln -s "$CANARY_DIR" "$BUNDLE/rootfs/dev"
  cfg '.linux.devices = [{"path": "/dev/extra", "type": "c", "major": 1, "minor": 3}]'
  cfg_sh 'ls /dev/null /dev/extra'
  run_container
  [ "$status" -eq 0 ] || fail "the container should run confined"
  assert_host_untouched
  [ -c "$BUNDLE/rootfs$CANARY_DIR/null" ] || fail "device nodes not made inside the rootfs"
}

@test "crun CVE-2019-18837: destinations with ../ and symlink components cannot escape" {
  requires_root
  ln -s ../../../../../../../.. "$BUNDLE/rootfs/up"
  mkdir -p "$BUNDLE/rootfs/a/b"
  ln -s ../../../../.. "$BUNDLE/rootfs/a/b/c"
  cfg '.mounts += [{"destination": ("/../../../../../../.." + $c + "/dotdot"), "type": "tmpfs", "source": "tmpfs"},
                   {"destination": ("/up" + $c + "/viaup"), "type": "tmpfs", "source": "tmpfs"},
                   {"destination": ("/a/b/c/../../.." + $c + "/mixed"), "type": "tmpfs", "source": "tmpfs"},
                   {"destination": "/a/b/c/../../../x-file", "type": "bind", "source": $f, "options": ["bind"]}]' \
    --arg c "$CANARY_DIR" --arg f "$HOSTDIR/v"
  echo volume >"$HOSTDIR/v"
  cfg_sh 'cat /x-file'
  run_container
  [ "$status" -eq 0 ] || fail "the container should run confined"
  for d in dotdot viaup mixed; do
    [ ! -e "$CANARY_DIR/$d" ] || fail "$d made on the host"
    [ -d "$BUNDLE/rootfs$CANARY_DIR/$d" ] || fail "$d not made inside the rootfs"
  done
  assert_eq "$output" volume "/x-file (bound at the rootfs's /x-file)"
  [ ! -e "$BATS_TEST_TMPDIR/x-file" ] && [ ! -e /x-file ] && [ -f "$BUNDLE/rootfs/x-file" ]
  assert_host_untouched
}

@test "CVE-2019-16884 / CVE-2025-52881: sysctl and oom_score_adj writes ignore a fake /proc in the rootfs" {
  requires_root
  # no proc mount: /proc in the rootfs is a symlink into a tmpfs filled
  # (tmpcopyup) with a fake proc tree; the runtime must write the real one
  cfg '.mounts |= map(select(.destination != "/proc"))'
  rmdir "$BUNDLE/rootfs/proc"
  mkdir -p "$BUNDLE/rootfs/run/fakeproc/sys/net/ipv4" "$BUNDLE/rootfs/run/fakeproc/self"
  echo fake >"$BUNDLE/rootfs/run/fakeproc/sys/net/ipv4/ip_forward"
  echo fake >"$BUNDLE/rootfs/run/fakeproc/self/oom_score_adj"
  ln -s /run/fakeproc "$BUNDLE/rootfs/proc"
  cfg '.mounts += [{"destination": "/run", "type": "tmpfs", "source": "tmpfs", "options": ["tmpcopyup"]}]
     | .linux.sysctl = {"net.ipv4.ip_forward": "1"}
     | .process.oomScoreAdj = 123'
  cfg_args sh -c 'cat /run/fakeproc/sys/net/ipv4/ip_forward /run/fakeproc/self/oom_score_adj > /run/fake-seen; sleep 1000'
  create_container "$TAG"
  local pid
  pid=$(state_field "$TAG" pid)
  hr start "$TAG"
  wait_for_file "/proc/$pid/root/run/fake-seen"
  assert_eq "$(cat "/proc/$pid/oom_score_adj")" 123 "real oom_score_adj"
  assert_eq "$(nsenter -t "$pid" -n cat /proc/sys/net/ipv4/ip_forward)" 1 "real ip_forward in the container's netns"
  assert_eq "$(tr '\n' ' ' <"/proc/$pid/root/run/fake-seen")" "fake fake " "the fake tree, seen inside"
  assert_eq "$(cat "$BUNDLE/rootfs/run/fakeproc/self/oom_score_adj")" fake
  assert_host_untouched
}

# The resolver has no userspace fallback walk: openat2 (5.6) is older than
# mount_setattr (5.12), which the runtime needs anyway, so a kernel or a
# seccomp profile without openat2 gets a clear error and nothing is made
# (the old O_NOFOLLOW walk was untested and followed magic links).
@test "without openat2 (ENOSYS) the runtime refuses with the kernel floor, leaving nothing" {
  requires_root
  requires_hydra
  [ "$(uname -m)" = x86_64 ] || skip "tests/tools/without-openat2 filters x86_64 only"
  local wrapper="$BATS_TEST_TMPDIR/hydra-runc-without-openat2"
  printf '#!/bin/sh\nexec %q %q "$@"\n' "$HYDRA_SRCDIR/tests/tools/without-openat2" "$HYDRA_RUNC" >"$wrapper"
  chmod +x "$wrapper"
  cfg '.mounts += [{"destination": "/mnt", "type": "tmpfs", "source": "tmpfs"}]'
  cfg_sh 'echo ran'
  HYDRA_RUNC=$wrapper run --separate-stderr hr_leakcheck run --bundle "$BUNDLE" "$TAG"
  echo "status=$status stdout: $output stderr: $stderr"
  assert_clean_failure 'openat2.*ENOSYS.*Linux 5\.12'
  [ "$output" != ran ] || fail "the container ran"
  assert_host_untouched
}
