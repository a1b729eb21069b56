#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The compiled seccomp filter cache (src/lib/kernel/seccomp_cache.c,
# docs/performance.md "The seccomp filter cache"): a start with a cached
# filter loads the very program a fresh compile loads (as the kernel holds
# it, read back with ptrace by tests/tools/seccomp-dump), anything
# malformed in the cache is ignored and replaced, and no state of the
# cache fails a create.

load helpers

setup_file() { hr_setup_file; }
setup() {
  hr_setup
  requires_root
  requires_hydra "the filter cache is hydra-runc's"
  CACHE="$ROOT/.seccomp-cache"
}
teardown() { hr_teardown; }

# A tool of tests/tools, built by make check.
tool() {
  local d
  for d in "${HYDRA_BUILDDIR:-}" "$(dirname "$(readlink -f "$HYDRA_RUNC")")" "$HYDRA_SRCDIR"; do
    if [ -n "$d" ] && [ -x "$d/tests/tools/$1" ]; then
      echo "$d/tests/tools/$1"
      return 0
    fi
  done
  skip "no tests/tools/$1 (make check builds it)"
}

# Docker's default profile (bench/seccomp-default.json: ~970 instructions),
# its default errno made EACCES (13) so that a denial is the filter's and
# not the kernel's own EPERM.
cfg_docker_profile() {
  cfg '.linux.seccomp = ($p[0] | del(.comment) | .defaultErrnoRet = 13)' \
    --slurpfile p "$HYDRA_SRCDIR/bench/seccomp-default.json"
}

# start_dump ID: create and start ID (sleep) with --debug (log in
# $BATS_TEST_TMPDIR/ID.log), print the init's filters as the kernel holds
# them, delete it.
start_dump() {
  local id=$1 pid
  hr --debug create --bundle "$BUNDLE" "$id" </dev/null >/dev/null 2>"$BATS_TEST_TMPDIR/$id.log" ||
    fail "create $id: $(cat "$BATS_TEST_TMPDIR/$id.log")" || return 1
  track_pid "$id"
  hr start "$id" || return 1
  pid=$(state_field "$id" pid)
  grep -q '^Seccomp:[[:space:]]*2' "/proc/$pid/status" || fail "no filter in force for $id" || return 1
  "$DUMP" "$pid" || return 1
  hr delete --force "$id" >/dev/null
}

# The one entry of the cache.
entry() {
  local e
  e=$(find "$CACHE" -mindepth 1 -maxdepth 1 -type f ! -name '.*')
  [ "$(printf '%s\n' "$e" | grep -c .)" -eq 1 ] || fail "want one cache entry, have: $(ls -la "$CACHE")" || return 1
  echo "$e"
}

# The entry holds exactly the loaded program (after its 80-byte header).
assert_entry_is() {
  local e hexprog
  e=$(entry) || return 1
  hexprog=$(tail -c +81 "$e" | od -An -v -tx1 | tr -d ' \n')
  [ "$hexprog" = "${1#* }" ] || fail "the cache entry is not the loaded program"
}

@test "seccomp cache: miss then hit; the cached filter is the compiled one, byte for byte" {
  DUMP=$(tool seccomp-dump)
  cfg_docker_profile
  cfg_args sleep 1000
  miss=$(start_dump "$TAG-a") || fail "first start"
  grep -q 'seccomp: filter cache miss, compiled and stored [0-9a-f]\{64\}' "$BATS_TEST_TMPDIR/$TAG-a.log" ||
    fail "first start: no miss in the log: $(grep seccomp "$BATS_TEST_TMPDIR/$TAG-a.log")"
  hit=$(start_dump "$TAG-b") || fail "second start"
  grep -q 'seccomp: filter cache hit [0-9a-f]\{64\}' "$BATS_TEST_TMPDIR/$TAG-b.log" ||
    fail "second start: no hit in the log: $(grep seccomp "$BATS_TEST_TMPDIR/$TAG-b.log")"
  # One filter, the profile's whole program (stub + libseccomp's).
  [ "$(printf '%s\n' "$miss" | grep -c .)" -eq 1 ] || fail "want one filter: $miss"
  [ "${miss%% *}" -gt 900 ] || fail "a short filter: ${miss%% *} instructions"
  [ "$hit" = "$miss" ] || fail "the cached filter differs from the compiled one"
  assert_entry_is "$miss"
  # The entry is root's alone, in a root-only directory.
  [ "$(stat -c %a:%u "$CACHE")" = 700:0 ] || fail "cache dir $(stat -c %a:%u "$CACHE")"
  [ "$(stat -c %a:%u "$(entry)")" = 600:0 ] || fail "entry $(stat -c %a:%u "$(entry)")"
  # Compiled again without the entry: the same program.
  rm -f "$(entry)"
  again=$(start_dump "$TAG-c") || fail "third start"
  grep -q 'seccomp: filter cache miss' "$BATS_TEST_TMPDIR/$TAG-c.log" || fail "third start: no miss"
  [ "$again" = "$miss" ] || fail "a fresh compile differs from the first"
}

@test "seccomp cache: exec loads the container's filter from the cache" {
  DUMP=$(tool seccomp-dump)
  cfg_docker_profile
  cfg_args sleep 1000
  create_container "$TAG"
  hr start "$TAG"
  pid=$(state_field "$TAG" pid)
  want=$("$DUMP" "$pid")
  hr --debug exec -d "$TAG" sleep 999 2>"$BATS_TEST_TMPDIR/exec.log" </dev/null >/dev/null ||
    fail "exec: $(cat "$BATS_TEST_TMPDIR/exec.log")"
  grep -q 'seccomp: filter cache hit' "$BATS_TEST_TMPDIR/exec.log" || fail "exec: no hit: $(grep seccomp "$BATS_TEST_TMPDIR/exec.log")"
  xpid=$(pgrep -f -x 'sleep 999' | head -1)
  [ -n "$xpid" ] || fail "the exec'd process is not there"
  [ "$("$DUMP" "$xpid")" = "$want" ] || fail "exec's filter differs from the init's"
}

# corrupt NAME: damage the cache in one way.
corrupt() {
  local e
  e=$(entry) || return 1
  case $1 in
    truncated) truncate -s 100 "$e" ;;
    header-only) truncate -s 80 "$e" ;;
    empty) : >"$e" ;;
    flipped) printf '\x5a' | dd of="$e" bs=1 seek=500 conv=notrunc status=none ;;
    magic) printf 'X' | dd of="$e" bs=1 seek=0 conv=notrunc status=none ;;
    version) printf '\x09' | dd of="$e" bs=1 seek=8 conv=notrunc status=none ;;
    huge-count) printf '\xff\xff\xff\x7f' | dd of="$e" bs=1 seek=12 conv=notrunc status=none ;;
    appended) printf '\0\0\0\0\0\0\0\0' >>"$e" ;;
    symlink) rm -f "$e" && ln -s "$BATS_TEST_TMPDIR/elsewhere" "$e" ;;
    fifo) rm -f "$e" && mkfifo -m 600 "$e" ;;
    dir-symlink) rm -rf "$CACHE" && mkdir -p "$BATS_TEST_TMPDIR/otherdir" && ln -s "$BATS_TEST_TMPDIR/otherdir" "$CACHE" ;;
    dir-file) rm -rf "$CACHE" && echo x >"$CACHE" ;;
  esac
}

@test "seccomp cache: a malformed entry or directory is ignored and replaced; the policy holds" {
  DUMP=$(tool seccomp-dump)
  SYSNO=$(tool sysno)
  cp "$SYSNO" "$BUNDLE/rootfs/sysno"
  cfg_docker_profile
  cfg_args sleep 1000
  want=$(start_dump "$TAG-ref") || fail "reference start"
  echo target >"$BATS_TEST_TMPDIR/elsewhere"
  for how in truncated header-only empty flipped magic version huge-count appended symlink fifo dir-symlink dir-file; do
    corrupt "$how"
    got=$(start_dump "$TAG-$how") || fail "$how: start failed"
    log="$BATS_TEST_TMPDIR/$TAG-$how.log"
    case $how in
      dir-*) grep -q 'seccomp: filter cache miss, compiled and stored' "$log" || fail "$how: not stored: $(grep seccomp "$log")" ;;
      *) grep -q 'seccomp: filter cache ignored a malformed entry' "$log" || fail "$how: not reported: $(grep seccomp "$log")"
         grep -q 'seccomp: filter cache miss, compiled and stored' "$log" || fail "$how: not replaced: $(grep seccomp "$log")" ;;
    esac
    [ "$got" = "$want" ] || fail "$how: the loaded filter differs"
    # Replaced by a good entry, a real file in a real directory.
    [ -d "$CACHE" ] && ! [ -L "$CACHE" ] || fail "$how: the cache dir is not a directory"
    e=$(entry) || fail "$how"
    ! [ -L "$e" ] || fail "$how: still a symlink"
    assert_entry_is "$want"
  done
  # Nothing was written through the symlinks.
  [ "$(cat "$BATS_TEST_TMPDIR/elsewhere")" = target ] || fail "written through the entry symlink"
  [ -z "$(ls -A "$BATS_TEST_TMPDIR/otherdir")" ] || fail "written through the dir symlink: $(ls -A "$BATS_TEST_TMPDIR/otherdir")"
  # A flipped byte in an allow rule must not open anything: the policy of
  # a start after corruption is the profile's.  kexec_load (246) is not
  # in the profile: its default errno, EACCES; getpid (39) is allowed.
  corrupt flipped
  cfg_sh '/sysno 246 39'
  run hr run --bundle "$BUNDLE" "$TAG-policy"
  [ "$status" -eq 0 ] || fail "run: $output"
  assert_match "$output" "246=13" "kexec_load: the profile's errno"
  assert_match "$output" "39=0" "getpid allowed"
}

@test "seccomp cache: 8 concurrent creates of one profile all succeed and leave one valid entry" {
  DUMP=$(tool seccomp-dump)
  cfg_docker_profile
  cfg_args sleep 1000
  pids=()
  for i in 1 2 3 4 5 6 7 8; do
    hr create --bundle "$BUNDLE" "$TAG-$i" </dev/null >/dev/null 2>"$BATS_TEST_TMPDIR/c$i.err" &
    pids+=($!)
  done
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || fail "create $((i + 1)) failed: $(cat "$BATS_TEST_TMPDIR/c$((i + 1)).err")"
  done
  for i in 1 2 3 4 5 6 7 8; do track_pid "$TAG-$i"; done
  # No temporary file left, one entry, and it is what a start loads.
  [ -z "$(find "$CACHE" -mindepth 1 -name '.*')" ] || fail "temporary files left: $(ls -A "$CACHE")"
  hr start "$TAG-1"
  want=$("$DUMP" "$(state_field "$TAG-1" pid)")
  assert_entry_is "$want"
  for i in 2 3 4 5 6 7 8; do
    hr start "$TAG-$i"
    [ "$("$DUMP" "$(state_field "$TAG-$i" pid)")" = "$want" ] || fail "container $i has another filter"
  done
}

@test "seccomp cache: more distinct profiles than the bound leave at most the bound" {
  cfg '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"],
        "syscalls": [{"names": ["mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}'
  # 70 profiles (the bound is 64), each with its own errno: 70 entries
  # stored, the oldest evicted as the newest come.
  for i in $(seq 1 70); do
    cfg '.linux.seccomp.syscalls[0].errnoRet = ($e | tonumber)' --arg e "$i"
    hr run --bundle "$BUNDLE" "$TAG-$i" >/dev/null 2>&1 || fail "run $i"
  done
  n=$(find "$CACHE" -mindepth 1 -maxdepth 1 -type f ! -name '.*' | wc -l)
  [ "$n" -le 64 ] || fail "$n entries, the bound is 64"
  [ "$n" -ge 60 ] || fail "only $n entries: evicted too much"
  # The newest is kept: the last profile hits.
  hr --debug run --bundle "$BUNDLE" "$TAG-last" 2>"$BATS_TEST_TMPDIR/last.log" >/dev/null
  grep -q 'seccomp: filter cache hit' "$BATS_TEST_TMPDIR/last.log" || fail "the newest entry was evicted"
}

@test "seccomp cache: a read-only or unusable cache directory does not fail the create" {
  DUMP=$(tool seccomp-dump)
  cfg_docker_profile
  cfg_args sleep 1000
  want=$(start_dump "$TAG-ref") || fail "reference start"
  rm -f "$(entry)"
  # Read-only: a read-only bind mount of the directory, in a private mount
  # namespace of the runtime alone.
  cat >"$BATS_TEST_TMPDIR/ro.sh" <<EOF
mount --bind "$CACHE" "$CACHE" && mount -o remount,bind,ro "$CACHE" &&
  "$HYDRA_RUNC" --root "$ROOT" --debug create --bundle "$BUNDLE" "$TAG-ro" </dev/null >/dev/null
EOF
  unshare -m --propagation private sh "$BATS_TEST_TMPDIR/ro.sh" 2>"$BATS_TEST_TMPDIR/ro.log" ||
    fail "create with a read-only cache: $(cat "$BATS_TEST_TMPDIR/ro.log")"
  track_pid "$TAG-ro"
  grep -q 'seccomp: filter cache miss, compiled; not stored' "$BATS_TEST_TMPDIR/ro.log" ||
    fail "no 'not stored': $(grep seccomp "$BATS_TEST_TMPDIR/ro.log")"
  hr start "$TAG-ro"
  [ "$("$DUMP" "$(state_field "$TAG-ro" pid)")" = "$want" ] || fail "read-only cache: another filter"
  hr delete --force "$TAG-ro"
  # Open to others (not 0700): not trusted, not used; the create compiles.
  chmod 0777 "$CACHE"
  got=$(start_dump "$TAG-open") || fail "start with a world-writable cache dir"
  grep -q 'seccomp: filter cache not used' "$BATS_TEST_TMPDIR/$TAG-open.log" || fail "the open dir was used"
  [ "$got" = "$want" ] || fail "open cache dir: another filter"
  [ -z "$(ls -A "$CACHE")" ] || fail "stored into a directory open to others"
  # A whole state root on a read-only filesystem is refused by create
  # itself (its state dir), as before: not the cache's business.
}
