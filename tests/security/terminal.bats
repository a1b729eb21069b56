#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# `exec -t` allocates the pty inside a running container whose /dev the
# container owns: it must not open, as host root, a node the container put
# where the ptmx should be, and the devices cgroup must judge the open of
# the real ptmx (the process joins the container's cgroups first).

load ../integration/helpers
load ../integration/tty-helpers
load canary

setup_file() { hr_setup_file; }
setup() {
  hr_setup
  canary_setup
}
teardown() { hr_teardown; }

@test "exec -t never opens a FIFO the container put behind /dev/ptmx (no devpts at /dev/pts)" {
  requires_root
  # runc 1.1 opens /dev/ptmx by path, following the container's symlink.
  requires_hydra
  # No devpts: /dev/pts/ptmx does not exist, the fallback /dev/ptmx is a
  # symlink the container aims at a FIFO.  A reader blocked on the FIFO
  # wakes up if and only if someone opens it for writing.
  cfg '.mounts |= map(select(.destination != "/dev/pts"))'
  cfg_sh 'busybox mkfifo /dev/fifo && rm -f /dev/ptmx && ln -s /dev/fifo /dev/ptmx || exit 9
          echo ready >/dev/ready
          cat /dev/fifo >/dev/null
          echo opened >/dev/opened
          sleep 1000'
  create_container "$TAG"
  hr start "$TAG"
  local pid
  pid=$(state_field "$TAG" pid)
  wait_for_file "/proc/$pid/root/dev/ready"
  run exec_tty "$TAG" sh -c 'echo RAN'
  local out=${output//$'\r'/}
  echo "$out"
  [[ $out != *RAN* ]] || fail "exec -t ran on a FIFO as its terminal"
  [[ $out == *"rc=0"* ]] && fail "exec -t succeeded: $out"
  [[ $out == *"not the ptmx of a devpts"* ]] || fail "error: $out"
  sleep 0.5
  [ ! -e "/proc/$pid/root/dev/opened" ] || fail "the runtime opened the container's FIFO"
  assert_host_untouched
}

@test "exec -t joins the container's devices cgroup before it opens the ptmx" {
  requires_root
  [ -f /sys/fs/cgroup/devices/devices.list ] || skip "no v1 devices hierarchy on this host"
  cfg_args sleep 1000
  create_container "$TAG"
  hr start "$TAG"
  # The container may not open the ptmx (c 5:2) any more (runc's default
  # rules always allow it, so the host denies it in the container's
  # devices cgroup directly): neither may a process exec'd into it, pty
  # allocation included.
  local pid devdir
  pid=$(state_field "$TAG" pid)
  devdir=/sys/fs/cgroup/devices$(awk -F: '$2 == "devices" { print $3 }' "/proc/$pid/cgroup")
  [ "$devdir" != /sys/fs/cgroup/devices/ ] || fail "no devices cgroup of the container"
  echo 'c 5:2 rwm' >"$devdir/devices.deny"
  # the rule holds for an ordinary process of the container
  run hr exec "$TAG" sh -c 'echo >/dev/pts/ptmx && echo OPENED'
  [[ $output != *OPENED* ]] || fail "the devices cgroup allows the ptmx: $output"
  run exec_tty "$TAG" sh -c 'echo RAN'
  local out=${output//$'\r'/}
  echo "$out"
  [[ $out != *RAN* ]] || fail "exec -t opened the ptmx the devices cgroup denies (as host root, outside the cgroup)"
  [[ $out == *"rc=0"* ]] && fail "exec -t succeeded: $out"
  [[ $out == *"allocate a terminal"* || $out == *"ptmx"* || $out == *"Operation not permitted"* ]] \
    || fail "error: $out"
  # the container itself is unharmed and exec without a terminal works
  run hr exec "$TAG" echo still-here
  [ "$status" -eq 0 ] && assert_eq "$output" still-here
  assert_host_untouched
}
