#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Live migration (issue 14): `migrate` on host A, `migrate-receive` on host B,
# two network namespaces of this machine (migrate-helpers.bash).  Checked
# from the kernel's side: the target's init, its cgroup and its memory, the
# source's state and cgroup gone, the client's TCP connection, what is left
# under both roots.

load helpers
load ../criu-helpers
load checkpoint-helpers
load migrate-helpers

@test "migrate: topology check: checkpoint on A, restore on B (own bundle, own cgroup) keeps a TCP connection" {
  mg_cfg_server
  mg_bundles
  local pid old conn
  old=$(mg_run_a "$TAG")
  mg_client
  mg_talk 1
  mg_talk 2
  mg_talk 3
  conn=$(mg_conn)
  [ -n "$conn" ] || fail "no established connection from the client"

  hrA checkpoint --tcp-established --image-path "$IMG" --work-path "$WORK" "$TAG" ||
    { cp_log_errors "$WORK/dump.log"; fail "checkpoint on A"; }
  hrB restore -d --tcp-established --bundle "$BUNDLE_B" --image-path "$IMG" --work-path "$WORK" "$TAG" \
    </dev/null >/dev/null 2>"$BATS_TEST_TMPDIR/restore.err" ||
    { cp_log_errors "$WORK/restore.log"; fail "restore on B: $(cat "$BATS_TEST_TMPDIR/restore.err")"; }
  pid=$(mg_running "$ROOT_B" "$TAG")
  mg_assert_cgroup "$pid" "$MG_CG_B"
  mg_talk 4
  assert_eq "$(mg_conn)" "$conn" "the client's connection"
  run timeout 10 "$HYDRA_RUNC" --root "$ROOT_A" state "$TAG"
  [ "$status" -ne 0 ] || fail "the container is still on A"
  mg_end
}
