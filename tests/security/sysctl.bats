#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# linux.sysctl may only reach the container's own namespaces: /proc/sys is
# namespaced in part, and anything else is the host's setting (runc's
# validator sysctl()).  A refused config leaves no state dir, cgroup or
# process, and the host's value as it was; an allowed one lands inside.

load ../integration/helpers
load canary

setup_file() { hr_setup_file; }
# (every host value a test reads is saved, and put back by teardown)
setup() { SAVED_SYSCTLS=() && hr_setup && canary_setup; }
teardown() {
  hr_teardown
  # a runtime that wrote to the host (the bug) must not leave it changed
  # (newest first: the first value saved for a key is the host's own)
  local i kv
  for ((i = ${#SAVED_SYSCTLS[@]} - 1; i >= 0; i--)); do
    kv=${SAVED_SYSCTLS[i]}
    printf '%s\n' "${kv#*=}" >"/proc/sys/${kv%%=*}" 2>/dev/null || true
  done
}

# host_sysctl PATH-UNDER-/proc/sys: its value in $HOST_VALUE, remembered
# for teardown (not in a $(...) subshell, or teardown never sees it).
host_sysctl() {
  HOST_VALUE=$(cat "/proc/sys/$1")
  SAVED_SYSCTLS+=("$1=$HOST_VALUE")
}

# refused KEY VALUE ERE: create must fail with ERE, nothing left, the host's
# value of KEY unchanged.
refused() {
  local key=$1 value=$2 path before re
  # (runc's log quotes the message's quotes)
  re=$(printf '%s' "$3" | sed 's/"/\\\\?"/g')
  path=${key//.//}
  host_sysctl "$path"
  before=$HOST_VALUE
  [ "$before" != "$value" ] || fail "pick a value the host does not have for $key"
  cfg '.linux.sysctl = {($k): $v}' --arg k "$key" --arg v "$value"
  run --separate-stderr hr_leakcheck create --bundle "$BUNDLE" "$TAG" </dev/null
  echo "stderr: $stderr"
  assert_eq "$(cat "/proc/sys/$path")" "$before" "host $key after create"
  assert_clean_failure "$re"
  assert_no_cgroup "$TAG"
  assert_host_untouched
}

@test "sysctl: vm.stat_interval (not namespaced) is refused, the host's value unchanged" {
  requires_root
  local cur
  cur=$(cat /proc/sys/vm/stat_interval)
  refused vm.stat_interval $((cur + 6)) 'sysctl "vm.stat_interval" is not in a separate kernel namespace'
}

@test "sysctl: net.core.somaxconn without a network namespace is refused" {
  requires_root
  cfg_del_ns network
  local cur
  cur=$(cat /proc/sys/net/core/somaxconn)
  refused net.core.somaxconn $((cur + 7)) 'sysctl "net.core.somaxconn" not allowed in host network namespace'
}

@test "sysctl: net.core.somaxconn in a joined network namespace that is the runtime's own is refused" {
  requires_root
  cfg '.linux.namespaces |= map(if .type == "network" then .path = "/proc/self/ns/net" else . end)'
  local cur
  cur=$(cat /proc/sys/net/core/somaxconn)
  refused net.core.somaxconn $((cur + 7)) 'sysctl "net.core.somaxconn" not allowed in host network namespace'
}

@test "sysctl: ipc sysctls without an ipc namespace are refused" {
  requires_root
  cfg_del_ns ipc
  local cur
  cur=$(cat /proc/sys/kernel/shmmni)
  refused kernel.shmmni $((cur - 1)) 'sysctl "kernel.shmmni" is not allowed in the hosts ipc namespace'
  cur=$(cat /proc/sys/fs/mqueue/msg_max)
  refused fs.mqueue.msg_max $((cur + 1)) 'sysctl "fs.mqueue.msg_max" is not allowed in the hosts ipc namespace'
}

@test "sysctl: kernel.hostname is refused (the hostname field sets it), kernel.domainname without uts too" {
  requires_root
  refused kernel.hostname not-the-host 'sysctl "kernel.hostname" is not allowed as it conflicts with the OCI "hostname" field'
  cfg_del_ns uts
  cfg 'del(.hostname)'
  refused kernel.domainname not-the-host 'sysctl "kernel.domainname" is not in a separate kernel namespace'
}

@test "sysctl: namespaced ones land inside the container, the host's stay as they were" {
  requires_root
  local shm mq somax
  host_sysctl kernel/shmmni && shm=$HOST_VALUE
  host_sysctl fs/mqueue/msg_max && mq=$HOST_VALUE
  host_sysctl net/core/somaxconn && somax=$HOST_VALUE
  cfg '.linux.sysctl = {"kernel.shmmni": "1234", "fs.mqueue.msg_max": "17",
                        "net.core.somaxconn": "321", "kernel.domainname": "dom.test"}'
  cfg_sh 'cat /proc/sys/kernel/shmmni /proc/sys/fs/mqueue/msg_max /proc/sys/net/core/somaxconn /proc/sys/kernel/domainname'
  run --separate-stderr hr run --bundle "$BUNDLE" "$TAG" </dev/null
  echo "$output"
  [ "$status" -eq 0 ] || fail "run failed: $stderr"
  assert_eq "${lines[*]}" "1234 17 321 dom.test" "values inside"
  assert_eq "$(cat /proc/sys/kernel/shmmni)" "$shm" "host shmmni"
  assert_eq "$(cat /proc/sys/fs/mqueue/msg_max)" "$mq" "host msg_max"
  assert_eq "$(cat /proc/sys/net/core/somaxconn)" "$somax" "host somaxconn"
}

@test "sysctl: net.* in a joined network namespace of its own lands there" {
  requires_root
  local ns=hrsysctl$$ somax
  ip netns add "$ns"
  HR_NETNS+=("$ns")
  host_sysctl net/core/somaxconn && somax=$HOST_VALUE
  cfg '.linux.namespaces |= map(if .type == "network" then .path = $p else . end)' --arg p "/run/netns/$ns"
  cfg '.linux.sysctl = {"net.core.somaxconn": "321"}'
  cfg_args true
  run --separate-stderr hr run --bundle "$BUNDLE" "$TAG" </dev/null
  [ "$status" -eq 0 ] || fail "run failed: $stderr"
  assert_eq "$(ip netns exec "$ns" cat /proc/sys/net/core/somaxconn)" 321 "somaxconn in the joined netns"
  assert_eq "$(cat /proc/sys/net/core/somaxconn)" "$somax" "host somaxconn"
}
