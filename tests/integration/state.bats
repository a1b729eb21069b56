#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# state, list, --pid-file, and the JSON documents against the OCI schemas.

load helpers

setup_file() { hr_setup_file; }
setup() { hr_setup; }
teardown() { hr_teardown; }

@test "state: JSON with ociVersion, id, pid, status, bundle" {
  requires_root
  cfg_args sleep 1000
  create_container "$TAG"
  run --separate-stderr hr state "$TAG"
  echo "$output"
  [ "$status" -eq 0 ]
  jq -e . <<<"$output" >/dev/null || fail "state is not JSON"
  assert_match "$(jq -r .ociVersion <<<"$output")" '^1\.[0-9]+\.[0-9]+' "ociVersion"
  assert_eq "$(jq -r .id <<<"$output")" "$TAG" "id"
  assert_eq "$(jq -r .status <<<"$output")" created "status"
  assert_eq "$(jq -r .bundle <<<"$output")" "$BUNDLE" "bundle"
  assert_eq "$(jq -r '.pid | type' <<<"$output")" number "type of pid"
  local pid
  pid=$(jq -r .pid <<<"$output")
  [ "$pid" -gt 0 ]
  # the pid is the container's init: its own pid namespace, pid 1 inside
  [ "$(readlink /proc/$pid/ns/pid)" != "$(readlink /proc/self/ns/pid)" ]
  assert_eq "$(awk '/^NSpid:/ { print $NF }' /proc/$pid/status)" 1 "pid inside the container"
}

@test "state: bundle is absolute when --bundle is relative" {
  requires_root
  cfg_args sleep 1000
  local rc=0
  (cd "$BATS_TEST_TMPDIR" && hr create --bundle bundle "$TAG" </dev/null >/dev/null 2>"$BATS_TEST_TMPDIR/err") || rc=$?
  assert_eq "$rc" 0 "create ($(cat "$BATS_TEST_TMPDIR/err"))"
  track_pid "$TAG"
  assert_eq "$(state_field "$TAG" bundle)" "$BUNDLE" "bundle"
}

@test "state: created timestamp is RFC 3339" {
  requires_root
  cfg_args sleep 1000
  create_container "$TAG"
  local created now t
  created=$(state_field "$TAG" created)
  assert_match "$created" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$' "created"
  t=$(date -d "$created" +%s)
  now=$(date +%s)
  [ $((now - t)) -ge 0 ] && [ $((now - t)) -lt 120 ] || fail "created $created is not now"
}

@test "state: validates against the OCI state schema" {
  requires_root
  requires_schema_check
  cfg_args sleep 1000
  create_container "$TAG"
  hr state "$TAG" >"$BATS_TEST_TMPDIR/state.json"
  hr start "$TAG"
  hr state "$TAG" >"$BATS_TEST_TMPDIR/state-running.json"
  run "$HR_SHARED/tools/oci-schema-check" state "$BATS_TEST_TMPDIR/state.json" "$BATS_TEST_TMPDIR/state-running.json"
  echo "$output"
  [ "$status" -eq 0 ]
}

@test "--pid-file holds the pid that state reports" {
  requires_root
  cfg_args sleep 1000
  create_container "$TAG" --pid-file "$BATS_TEST_TMPDIR/pidfile"
  [ -s "$BATS_TEST_TMPDIR/pidfile" ] || fail "pid file missing or empty"
  local filepid
  filepid=$(cat "$BATS_TEST_TMPDIR/pidfile")
  assert_match "$filepid" '^[0-9]+$' "pid file content"
  assert_eq "$filepid" "$(state_field "$TAG" pid)" "pid file vs state"
  kill -0 "$filepid"
}

@test "run --detach --pid-file holds the running init's pid" {
  requires_root
  cfg_args sleep 1000
  local rc=0
  hr run --detach --pid-file "$BATS_TEST_TMPDIR/pidfile" --bundle "$BUNDLE" "$TAG" </dev/null >/dev/null 2>&1 || rc=$?
  [ "$rc" -eq 0 ]
  track_pid "$TAG"
  assert_eq "$(cat "$BATS_TEST_TMPDIR/pidfile")" "$(state_field "$TAG" pid)" "pid file vs state"
  assert_eq "$(tr '\0' ' ' <"/proc/$(cat "$BATS_TEST_TMPDIR/pidfile")/cmdline")" "sleep 1000 "
}

@test "list: table with header ID PID STATUS BUNDLE CREATED OWNER and one row per container" {
  requires_root
  cfg_args sleep 1000
  create_container "$TAG-a"
  create_container "$TAG-b"
  hr start "$TAG-b"
  run --separate-stderr hr list
  echo "$output"
  [ "$status" -eq 0 ]
  assert_eq "$(echo ${lines[0]})" "ID PID STATUS BUNDLE CREATED OWNER" "header"
  [ "${#lines[@]}" -eq 3 ]
  local pa pb
  pa=$(state_field "$TAG-a" pid)
  pb=$(state_field "$TAG-b" pid)
  assert_match "$(echo ${lines[1]})" "^$TAG-a $pa created $BUNDLE [0-9T:.Z+-]+ root$" "row a"
  assert_match "$(echo ${lines[2]})" "^$TAG-b $pb running $BUNDLE [0-9T:.Z+-]+ root$" "row b"
}

@test "list -q: only the ids, sorted" {
  requires_root
  cfg_args sleep 1000
  create_container "$TAG-b"
  create_container "$TAG-a"
  run --separate-stderr hr list -q
  [ "$status" -eq 0 ]
  assert_eq "$output" "$TAG-a"$'\n'"$TAG-b"
}

@test "list --format json: valid JSON with every container" {
  requires_root
  cfg_args sleep 1000
  create_container "$TAG-a"
  create_container "$TAG-b"
  hr start "$TAG-a"
  run --separate-stderr hr list --format json
  echo "$output"
  [ "$status" -eq 0 ]
  assert_eq "$(jq -r 'type' <<<"$output")" array "type"
  assert_eq "$(jq -r '[.[].id] | sort | join(" ")' <<<"$output")" "$TAG-a $TAG-b" "ids"
  assert_eq "$(jq -r --arg id "$TAG-a" '.[] | select(.id == $id) | .status' <<<"$output")" running
  assert_eq "$(jq -r --arg id "$TAG-b" '.[] | select(.id == $id) | .status' <<<"$output")" created
  assert_eq "$(jq -r --arg id "$TAG-a" '.[] | select(.id == $id) | .pid' <<<"$output")" "$(state_field "$TAG-a" pid)"
  assert_eq "$(jq -r '.[0].bundle' <<<"$output")" "$BUNDLE"
}

@test "list: empty root lists nothing" {
  requires_root
  mkdir -p "$ROOT"
  run --separate-stderr hr list -q
  [ "$status" -eq 0 ]
  [ -z "$output" ]
  run --separate-stderr hr list
  [ "$status" -eq 0 ]
  assert_eq "$(echo ${lines[0]})" "ID PID STATUS BUNDLE CREATED OWNER"
  [ "${#lines[@]}" -eq 1 ]
}

@test "list: a stopped container shows stopped with pid 0" {
  requires_root
  cfg_args sleep 1000
  create_container "$TAG"
  hr start "$TAG"
  hr kill "$TAG" KILL
  wait_for_status "$TAG" stopped
  run --separate-stderr hr list --format json
  [ "$status" -eq 0 ]
  assert_eq "$(jq -r '.[0].status' <<<"$output")" stopped
  assert_eq "$(jq -r '.[0].pid' <<<"$output")" 0
}

@test "state: annotations from config.json are reported by state" {
  requires_root
  cfg '.annotations = {"org.example.key": "value one", "io.hydra.test": "2"}'
  cfg_args sleep 1000
  create_container "$TAG"
  local st
  st=$(hr state "$TAG")
  assert_eq "$(echo "$st" | jq -r '.annotations["org.example.key"]')" "value one" "annotation"
  assert_eq "$(echo "$st" | jq -r '.annotations["io.hydra.test"]')" "2" "annotation"
}

@test "list --format json and state: keys in runc's order, annotations only when set, null when empty" {
  requires_root
  mkdir -p "$ROOT"
  # runc 1.1 (list.go containerState): an empty list is the JSON null
  run --separate-stderr hr list --format json
  [ "$status" -eq 0 ]
  assert_eq "$output" "null" "empty list"
  cfg_args sleep 1000
  create_container "$TAG-a"
  cfg '.annotations = {"org.example.k": "v"}'
  create_container "$TAG-b"
  run --separate-stderr hr list --format json
  [ "$status" -eq 0 ]
  # the field order of runc's containerState struct; annotations omitempty
  assert_eq "$(jq -c --arg id "$TAG-a" '.[] | select(.id == $id) | keys_unsorted' <<<"$output")" \
    '["ociVersion","id","pid","status","bundle","rootfs","created","owner"]' "keys without annotations"
  assert_eq "$(jq -c --arg id "$TAG-b" '.[] | select(.id == $id) | keys_unsorted' <<<"$output")" \
    '["ociVersion","id","pid","status","bundle","rootfs","created","annotations","owner"]' "keys with annotations"
  # one line, as runc's json.NewEncoder writes it
  assert_eq "$(printf '%s\n' "$output" | wc -l)" 1 "lines of list --format json"
  # `state` prints the same struct
  assert_eq "$(hr state "$TAG-b" | jq -c keys_unsorted)" \
    '["ociVersion","id","pid","status","bundle","rootfs","created","annotations","owner"]' "keys of state"
}

@test "state: 8 MiB of annotations are kept whole through state, start, kill and delete" {
  requires_root
  local big="$BATS_TEST_TMPDIR/big"
  # more than state.json's old 4 MiB read limit: create succeeded, and
  # then no command could read the container back
  head -c $((6 << 20)) /dev/urandom | base64 -w0 | head -c $((8 << 20)) >"$big"
  cfg '.annotations["test.hydra/big"] = $big' --rawfile big "$big"
  cfg_args sleep 1000
  create_container "$TAG" --pid-file "$BATS_TEST_TMPDIR/pid"
  # teardown kills it even when no command can read the container
  HR_PIDS+=("$(cat "$BATS_TEST_TMPDIR/pid")")
  hr state "$TAG" >"$BATS_TEST_TMPDIR/state.json" || fail "state failed"
  jq -j '.annotations["test.hydra/big"]' "$BATS_TEST_TMPDIR/state.json" | cmp -s - "$big" ||
    fail "state: the annotation did not come back whole"
  hr start "$TAG"
  assert_eq "$(state_field "$TAG" status)" running "status after start"
  hr kill "$TAG" KILL
  wait_for_status "$TAG" stopped
  hr delete "$TAG"
  assert_no_state_dirs
}
