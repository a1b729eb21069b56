#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Command-line forms: global flags, --help, --version, spec, features.

load helpers

setup_file() { hr_setup_file; }
setup() { hr_setup; }
teardown() { hr_teardown; }

SUBCOMMANDS="create start run state kill delete list spec features checkpoint restore"

@test "cli: --root=PATH and -root PATH are the same flag" {
  requires_root
  cfg_args sleep 1000
  local rc=0
  timeout 60 "$HYDRA_RUNC" --root="$ROOT" create --bundle "$BUNDLE" "$TAG" </dev/null >/dev/null 2>&1 || rc=$?
  assert_eq "$rc" 0 "create with --root=PATH"
  track_pid "$TAG"
  [ -n "$(state_dirs)" ] || fail "nothing under --root=$ROOT"
  run timeout 60 "$HYDRA_RUNC" -root "$ROOT" state "$TAG"
  [ "$status" -eq 0 ]
  assert_eq "$(jq -r .status <<<"$output")" created
  run timeout 60 "$HYDRA_RUNC" -root="$ROOT" list -q
  [ "$status" -eq 0 ]
  assert_eq "$output" "$TAG"
  # another root does not see it
  run timeout 60 "$HYDRA_RUNC" --root "$BATS_TEST_TMPDIR/other-root" list -q
  [ -z "$output" ]
}

@test "cli: create -b and --bundle=DIR" {
  requires_root
  cfg_args sleep 1000
  hr create -b "$BUNDLE" "$TAG-a" </dev/null >/dev/null
  track_pid "$TAG-a"
  hr create --bundle="$BUNDLE" "$TAG-b" </dev/null >/dev/null
  track_pid "$TAG-b"
  assert_eq "$(state_field "$TAG-a" status)" created
  assert_eq "$(state_field "$TAG-b" status)" created
}

@test "cli: --log FILE --log-format json writes JSON lines with level, msg, time on error" {
  local log="$BATS_TEST_TMPDIR/log.json"
  mkdir -p "$ROOT"
  run --separate-stderr "$HYDRA_RUNC" --root "$ROOT" --log "$log" --log-format json state "$TAG-nope"
  [ "$status" -eq 1 ]
  [ -s "$log" ] || fail "log file empty or missing"
  cat "$log"
  local line n=0
  while IFS= read -r line; do
    [ -n "$line" ] || continue
    n=$((n + 1))
    jq -e 'type == "object" and (.level | type == "string") and (.msg | type == "string")
           and (.time | type == "string")' <<<"$line" >/dev/null ||
      fail "log line is not JSON with level/msg/time: $line"
  done <"$log"
  [ "$n" -ge 1 ]
  jq -s -e 'any(.[]; .level == "error" and (.msg | test("does not exist")))' "$log" >/dev/null ||
    fail "no error entry saying 'does not exist'"
}

@test "cli: --help on every subcommand exits 0 and shows its usage" {
  local c
  for c in $SUBCOMMANDS; do
    run --separate-stderr "$HYDRA_RUNC" "$c" --help
    [ "$status" -eq 0 ] || fail "$c --help exited $status: $stderr"
    [[ $output == *"$c"* ]] || fail "$c --help does not mention '$c': $output"
    [[ ${output,,} == *usage* ]] || fail "$c --help has no usage: $output"
  done
}

@test "cli: --help and help list the subcommands" {
  local c
  run --separate-stderr "$HYDRA_RUNC" --help
  [ "$status" -eq 0 ]
  for c in $SUBCOMMANDS; do
    [[ $output == *"$c"* ]] || fail "--help does not list $c"
  done
  run --separate-stderr "$HYDRA_RUNC" help
  [ "$status" -eq 0 ]
  [[ $output == *create* ]]
}

@test "cli: an unknown command, or help for one: 'No help topic', exit 3, as runc" {
  local form
  # urfave/cli (runc): the same words and status for the command itself
  # and every way of asking help for it
  for form in "nosuchcmd" "nosuchcmd ID" "nosuchcmd -h" "nosuchcmd --help" "help nosuchcmd" "h nosuchcmd"; do
    # shellcheck disable=SC2086
    run --separate-stderr "$HYDRA_RUNC" $form
    [ "$status" -eq 3 ] || fail "'$form': exit $status, want 3 (stderr: $stderr)"
    assert_match "$stderr" "No help topic for 'nosuchcmd'" "'$form' stderr"
    assert_eq "$output" "" "'$form' stdout"
  done
}

@test "cli: --version first line is 'hydra-runc version X'" {
  requires_hydra "runc prints 'runc version'"
  run --separate-stderr "$HYDRA_RUNC" --version
  [ "$status" -eq 0 ]
  assert_match "${lines[0]}" '^hydra-runc version [0-9]' "first line"
  [[ $output == *"spec: 1.3.0"* ]] || fail "--version does not name spec 1.3.0: $output"
}

@test "cli: --version prints the spec version it implements" {
  run --separate-stderr "$HYDRA_RUNC" --version
  [ "$status" -eq 0 ]
  assert_match "$output" $'\nspec: [0-9]+\\.[0-9]+\\.[0-9]+' "spec line"
}

@test "spec: writes a valid config.json and refuses to overwrite it" {
  local d="$BATS_TEST_TMPDIR/spec"
  mkdir -p "$d"
  (cd "$d" && "$HYDRA_RUNC" spec)
  jq -e '.ociVersion and .process.args and .root.path == "rootfs" and (.linux.namespaces | length > 0)' \
    "$d/config.json" >/dev/null || fail "unexpected config: $(cat "$d/config.json")"
  echo '{"sentinel": true}' >"$d/config.json"
  run --separate-stderr bash -c "cd '$d' && '$HYDRA_RUNC' spec"
  [ "$status" -eq 1 ]
  [ -n "$stderr" ]
  assert_eq "$(cat "$d/config.json")" '{"sentinel": true}' "config.json after refused spec"
}

@test "spec --bundle DIR writes DIR/config.json" {
  local d="$BATS_TEST_TMPDIR/spec-b"
  mkdir -p "$d"
  run --separate-stderr "$HYDRA_RUNC" spec --bundle "$d"
  [ "$status" -eq 0 ]
  jq -e .ociVersion "$d/config.json" >/dev/null
}

@test "spec: validates against the OCI config schema (default and --rootless)" {
  requires_schema_check
  local d="$BATS_TEST_TMPDIR/spec-s" r="$BATS_TEST_TMPDIR/spec-r"
  mkdir -p "$d" "$r"
  "$HYDRA_RUNC" spec --bundle "$d"
  "$HYDRA_RUNC" spec --rootless --bundle "$r"
  run "$HR_SHARED/tools/oci-schema-check" config "$d/config.json" "$r/config.json"
  echo "$output"
  [ "$status" -eq 0 ]
  jq -e 'any(.linux.namespaces[]; .type == "user")' "$r/config.json" >/dev/null ||
    fail "--rootless config has no user namespace"
}

@test "spec: a cgroup namespace only on pure cgroup v2 (none on this v1/hybrid host)" {
  # runc 1.1 never adds one, runc 1.2+ only on cgroup v2: on v1/hybrid a
  # config adding its own would fail with "duplicate namespace type".
  local d="$BATS_TEST_TMPDIR/spec-cg" r="$BATS_TEST_TMPDIR/spec-cg-r" want=false
  mkdir -p "$d" "$r"
  "$HYDRA_RUNC" spec --bundle "$d"
  "$HYDRA_RUNC" spec --rootless --bundle "$r"
  [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] && want=true
  assert_eq "$(jq 'any(.linux.namespaces[]; .type == "cgroup")' "$d/config.json")" "$want" "cgroup namespace in spec"
  assert_eq "$(jq 'any(.linux.namespaces[]; .type == "cgroup")' "$r/config.json")" "$want" \
    "cgroup namespace in spec --rootless"
}

@test "spec: ociVersion is 1.3.0" {
  requires_hydra "runc 1.1 writes ociVersion 1.0.2-dev"
  local d="$BATS_TEST_TMPDIR/spec-v"
  mkdir -p "$d"
  "$HYDRA_RUNC" spec --bundle "$d"
  assert_eq "$(jq -r .ociVersion "$d/config.json")" 1.3.0 "ociVersion"
}

@test "features: JSON that validates against the OCI features schema" {
  requires_schema_check
  run --separate-stderr "$HYDRA_RUNC" features
  [ "$status" -eq 0 ]
  printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/features.json"
  jq -e '.ociVersionMin and .ociVersionMax' "$BATS_TEST_TMPDIR/features.json" >/dev/null
  run "$HR_SHARED/tools/oci-schema-check" features "$BATS_TEST_TMPDIR/features.json"
  echo "$output"
  [ "$status" -eq 0 ]
}

@test "features: ociVersionMax is 1.3.0 and the namespaces are listed" {
  requires_hydra "runc 1.1 reports ociVersionMax 1.0.2-dev"
  run --separate-stderr "$HYDRA_RUNC" features
  [ "$status" -eq 0 ]
  assert_eq "$(jq -r .ociVersionMax <<<"$output")" 1.3.0 "ociVersionMax"
  local ns
  for ns in pid network ipc uts mount cgroup; do
    jq -e --arg ns "$ns" '.linux.namespaces | index($ns)' <<<"$output" >/dev/null ||
      fail "features does not list namespace $ns"
  done
}

@test "features: what containerd and CRI-O gate on (idmap mounts, rro, cgroup drivers, hooks)" {
  requires_hydra "runc 1.1 claims no idmap mounts"
  run --separate-stderr "$HYDRA_RUNC" features
  [ "$status" -eq 0 ]
  # containerd/CRI-O enable user-namespace pods on idmap, recursive read-only on "rro"
  assert_eq "$(jq -r .linux.mountExtensions.idmap.enabled <<<"$output")" true "idmap enabled"
  jq -e '.mountOptions | index("rro")' <<<"$output" >/dev/null || fail "rro missing from mountOptions"
  assert_eq "$(jq -r '.linux.cgroup.v1' <<<"$output")" true "cgroup v1"
  assert_eq "$(jq -r '.linux.cgroup.v2' <<<"$output")" true "cgroup v2"
  assert_eq "$(jq -c '.hooks | length' <<<"$output")" 6 "hooks"
  # a claim must be true: an idmapped mount really works (mounts-extra.bats),
  # and systemd is claimed only where systemd runs
  if [ ! -d /run/systemd/system ]; then
    assert_eq "$(jq -r '.linux.cgroup.systemd' <<<"$output")" false "systemd without systemd"
  fi
}

@test "features: what is not implemented is reported so, and refused in a config (intelRdt)" {
  requires_root
  requires_hydra "runc 1.1 implements intelRdt"
  run --separate-stderr "$HYDRA_RUNC" features
  [ "$status" -eq 0 ]
  assert_eq "$(jq -r '.linux.intelRdt.enabled' <<<"$output")" false "intelRdt enabled"
  # the claim holds: a config with linux.intelRdt does not create a container
  cfg '.linux.intelRdt = {"closID": "hydra-test"}'
  run --separate-stderr hr_leakcheck create --bundle "$BUNDLE" "$TAG" </dev/null
  assert_clean_failure 'linux\.intelRdt: not implemented'
}

# debug_lines FORMAT TEXT: the debug entries of TEXT in runc's log FORMAT
# (text: time="..." level=debug msg="..."; json: {"level":"debug",...}).
debug_lines() {
  if [ "$1" = json ]; then
    printf '%s\n' "$2" | jq -c 'select(.level == "debug" and (.msg | type) == "string" and (.time | type) == "string")' 2>/dev/null
  else
    printf '%s\n' "$2" | grep -E '^time="[0-9TZ:+-]+" level=debug msg=".*"$'
  fi
  return 0
}

@test "cli: --debug logs create, run and exec in runc's text and JSON forms, to stderr or --log" {
  requires_root
  local fmt log lines
  cfg_args true
  for fmt in text json; do
    # no --log: the entries go to stderr
    run --separate-stderr hr --debug --log-format "$fmt" run --bundle "$BUNDLE" "$TAG-$fmt"
    [ "$status" -eq 0 ] || fail "--debug run ($fmt): $status: $stderr"
    lines=$(debug_lines "$fmt" "$stderr")
    [ "$(grep -c . <<<"$lines")" -ge 3 ] || fail "--debug run ($fmt): too few debug entries on stderr: $stderr"
    # runc's words for the container's init starting
    grep -q 'child process in init()' <<<"$lines" || fail "no 'child process in init()' entry ($fmt): $stderr"
    # --log: the entries go there, not to stderr
    log="$BATS_TEST_TMPDIR/log-$fmt"
    run --separate-stderr hr --debug --log "$log" --log-format "$fmt" run --bundle "$BUNDLE" "$TAG-$fmt-log"
    [ "$status" -eq 0 ] || fail "--debug --log run ($fmt): $status: $stderr"
    assert_eq "$(debug_lines "$fmt" "$stderr")" "" "debug entries on stderr with --log ($fmt)"
    lines=$(debug_lines "$fmt" "$(cat "$log")")
    grep -q 'child process in init()' <<<"$lines" || fail "no 'child process in init()' in the --log file ($fmt): $(cat "$log")"
  done
  # create and exec say something too
  cfg_args sleep 1000
  # (the container keeps create's stdio: no pipe for `run` to wait on)
  local err="$BATS_TEST_TMPDIR/create.err"
  hr --debug create --bundle "$BUNDLE" "$TAG" </dev/null >/dev/null 2>"$err" || fail "--debug create: $(cat "$err")"
  track_pid "$TAG"
  [ -n "$(debug_lines text "$(cat "$err")")" ] || fail "--debug create logged nothing: $(cat "$err")"
  hr start "$TAG"
  run --separate-stderr hr --debug exec "$TAG" true
  [ "$status" -eq 0 ] || fail "--debug exec: $status: $stderr"
  [ -n "$(debug_lines text "$stderr")" ] || fail "--debug exec logged nothing: $stderr"
  # and without --debug, nothing
  run --separate-stderr hr exec "$TAG" true
  assert_eq "$stderr" "" "stderr of exec without --debug"
}
