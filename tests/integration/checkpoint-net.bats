#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# checkpoint / restore (issue 13): network namespaces by path, an
# established TCP connection, lazy pages over a page server.  The only
# networks are namespaces the tests create (and remove) and the host's
# loopback.

load helpers
load ../criu-helpers
load checkpoint-helpers
load tty-helpers

# cp_netns: a named network namespace with lo up, the container's network
# namespace by path; its name in $NS.
cp_netns() {
  NS="cp-$TAG"
  ip netns add "$NS"
  HR_NETNS+=("$NS")
  ip -n "$NS" link set lo up
  cfg '.linux.namespaces |= map(if .type == "network" then .path = $p else . end)' \
    --arg p "/var/run/netns/$NS"
}

# cp_lazy_criu_broken: the source's dump.log shows CRIU's own page server
# failing the transfer, as plain `criu dump --lazy-pages` / `criu
# lazy-pages` / `criu restore --lazy-pages` (no runtime involved) does with
# CRIU 4.2 on this project's 6.18 hosts, although `criu check` reports uffd:
# then there is nothing to learn about the runtime here.
cp_lazy_criu_broken() {
  if grep -q "page-pipe: splice: .*Bad file descriptor" "$WORK/dump.log" 2>/dev/null; then
    skip "$CRIU's lazy page server fails on this host by itself (page-pipe: splice EBADF)"
  fi
}

@test "checkpoint-net: an external network namespace (by path) is kept: same inode after each restore" {
  cp_netns
  ip -n "$NS" addr add 10.213.0.1/32 dev lo
  local ino pid round
  ino=$(stat -L -c %i "/var/run/netns/$NS")
  cfg_counter
  cp_run "$TAG"
  pid=$(assert_running_init "$TAG")
  assert_eq "$(readlink /proc/$pid/ns/net)" "net:[$ino]" "net namespace before"
  for round in 1 2; do
    cp_checkpoint "$TAG"
    # the runtime leaves a namespace it did not make alone
    assert_eq "$(stat -L -c %i "/var/run/netns/$NS")" "$ino" "the named netns after checkpoint"
    cp_restore "$TAG"
    pid=$(assert_running_init "$TAG")
    assert_eq "$(readlink /proc/$pid/ns/net)" "net:[$ino]" "net namespace after restore $round"
    assert_eq "$(hr exec "$TAG" readlink /proc/self/ns/net)" "net:[$ino]" "exec's net namespace"
    # its configuration is untouched
    ip -n "$NS" addr show dev lo | grep -q 10.213.0.1/32 || fail "address gone from the namespace"
    assert_ping "r$round" "$round"
    rm -rf "$IMG" "$WORK"
    mkdir -p "$IMG" "$WORK"
  done
}

@test "checkpoint-net: an established TCP connection survives (--tcp-established on both sides)" {
  cp_netns
  ln -s busybox "$BUNDLE/rootfs/bin/nc"
  # the server: nc accepts one connection and execs the counter on it
  printf '#!/bin/sh\n: cp-%s; %s\n' "$TAG" "$CP_COUNTER" >"$BUNDLE/rootfs/bin/counter"
  chmod 755 "$BUNDLE/rootfs/bin/counter"
  cfg_args nc -l -p 5000 -e /bin/counter
  cp_run "$TAG"
  local i
  for ((i = 0; i < 100; i++)); do
    ip netns exec "$NS" ss -Hltn 'sport = :5000' | grep -q . && break
    sleep 0.05
  done
  # the client, on the host side of the same namespace, speaks through pipes
  local cin_r cin_w cout_r cout_w line
  cp_pipe cin_r cin_w
  cp_pipe cout_r cout_w
  cp_bg ip netns exec "$NS" "$HR_BUSYBOX" nc 127.0.0.1 5000 <&"$cin_r" >&"$cout_w"
  talk() {
    echo "$1" >&"$cin_w"
    line=""
    read -r -t 10 -u "$cout_r" line || true
    assert_eq "$line" "n=$2 $1" "answer over TCP" ||
      fail "$(ip netns exec "$NS" ss -tanp; hr state "$TAG"; timeout 1 cat <&"$CP_OUT_R")"
  }
  talk a 1
  local conn
  conn=$(ip netns exec "$NS" ss -Htn state established '( sport = :5000 )')
  [ -n "$conn" ] || fail "no established connection to the container"
  cp_checkpoint "$TAG" --tcp-established
  cp_restore "$TAG" --tcp-established
  local pid
  pid=$(assert_running_init "$TAG")
  talk b 2
  talk c 3
  # the same connection (same ports), still established, owned by the
  # restored init
  assert_eq "$(ip netns exec "$NS" ss -Htn state established '( sport = :5000 )' | awk '{print $3, $4}')" \
    "$(awk '{print $3, $4}' <<<"$conn")" "the connection after restore"
  ls -l "/proc/$pid/fd" | grep -q 'socket:' || fail "the restored init holds no socket"
  assert_eq "$(readlink /proc/$pid/ns/net)" "net:[$(stat -L -c %i "/var/run/netns/$NS")]" "net namespace"
}

@test "checkpoint-net: lazy pages: checkpoint --lazy-pages --page-server --status-fd, criu lazy-pages, restore --lazy-pages" {
  "$CRIU" check --feature uffd-noncoop >/dev/null 2>&1 || skip "$CRIU: no non-cooperative userfaultfd"
  cfg_counter
  cp_run "$TAG"
  assert_ping a 1
  local old port fifo sr sw cpid lwork="$BATS_TEST_TMPDIR/lazy-work" new="${TAG}l"
  old=$(assert_running_init "$TAG")
  mkdir -p "$lwork"
  port=$((27000 + RANDOM % 2000))
  fifo="$BATS_TEST_TMPDIR/status"
  mkfifo "$fifo"
  exec {sr}<>"$fifo"
  exec {sw}>"$fifo"
  # the source blocks serving pages until the destination has them all
  cp_bg hr --criu "$CRIU" checkpoint --lazy-pages --page-server "127.0.0.1:$port" --status-fd "$sw" \
    --image-path "$IMG" --work-path "$WORK" "$TAG"
  cpid=$CP_LAST_BG
  exec {sw}>&-
  # --status-fd: one \0 once the page server is ready
  assert_eq "$(timeout 20 dd bs=1 count=1 status=none <&"$sr" | od -An -tx1 | tr -d ' ')" 00 "status-fd byte" ||
    { cp_log_errors "$WORK/dump.log"; return 1; }
  exec {sr}>&-
  [ -s "$IMG/inventory.img" ] || fail "no images before the pages are served"
  cp_bg "$CRIU" lazy-pages --page-server --address 127.0.0.1 --port "$port" \
    -D "$IMG" -W "$lwork" -o lazy-pages.log -v4
  wait_for_sock "$lwork/lazy-pages.socket" || { cp_log_errors "$lwork/lazy-pages.log"; return 1; }
  local rc=0
  hr --criu "$CRIU" restore -d --lazy-pages --bundle "$BUNDLE" --image-path "$IMG" --work-path "$lwork" \
    "$new" <&"$CP_IN_R" >&"$CP_OUT_W" 2>&"$CP_OUT_W" || rc=$?
  [ "$rc" -eq 0 ] || cp_lazy_criu_broken
  [ "$rc" -eq 0 ] || { cp_log_errors "$WORK/dump.log" "$lwork/restore.log" "$lwork/lazy-pages.log"; fail "restore --lazy-pages failed ($rc)"; }
  track_pid "$new"
  local pid
  pid=$(assert_running_init "$new")
  # the counter's memory came over the page server
  assert_ping b 2
  # once every page is across, the source's checkpoint ends, successfully,
  # and the source container is gone
  rc=0
  timeout 30 tail --pid="$cpid" -f /dev/null || fail "the source checkpoint still serves pages"
  wait "$cpid" || rc=$?
  [ "$rc" -eq 0 ] || { cp_log_errors "$WORK/dump.log"; fail "the lazy checkpoint exited $rc"; }
  assert_gone "$TAG" "$old"
  assert_ping c 3
  assert_eq "$(hr exec "$new" echo ok)" ok "exec into the lazily restored container"
}
