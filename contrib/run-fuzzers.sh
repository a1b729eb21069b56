#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Build the libFuzzer targets (clang) in a private copy of the tracked
# sources and run each for a bounded time over its seed corpus (plus the
# runtime-spec's example configs from ../shared when present).  A crash, a
# leak or a sanitizer report fails.  HYDRA_FUZZ_SECONDS per target
# (default 20).  New inputs go to a scratch corpus, never into the tree.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
secs=${HYDRA_FUZZ_SECONDS:-20}
work=$(mktemp -d /tmp/hydra-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT
git -C "$src" ls-files -z | (cd "$src" && xargs -0 cp --parents -t "$work")
cd "$work"
./autogen.sh >/dev/null 2>&1
CC=clang ./configure -q --enable-fuzzers
targets=$(cd tests/fuzz && ls fuzz-*.c | sed 's/\.c$//')
# shellcheck disable=SC2086
make -s -j"$(nproc)" $targets >/dev/null
shared=${HYDRA_SHARED:-$(cd "$src/.." && pwd)/shared}
passed=0
failed=0
for t in $targets; do
  kind=${t#fuzz-}
  scratch="$work/corpus-$kind"
  mkdir -p "$scratch"
  seeds=("$src/tests/fuzz/corpus/$kind")
  if [ "$kind" = config ] && [ -d "$shared/oci-spec/schema/test/config" ]; then
    seeds+=("$shared/oci-spec/schema/test/config/good" "$shared/oci-spec/schema/test/config/bad")
  fi
  existing=()
  for d in "${seeds[@]}"; do [ -d "$d" ] && existing+=("$d"); done
  # Leaks inside a library we cannot fix are suppressed per target, with
  # the reason in the file (tests/fuzz/<kind>.lsan).
  lsan=""
  [ -f "$src/tests/fuzz/$kind.lsan" ] && lsan="suppressions=$src/tests/fuzz/$kind.lsan"
  if LSAN_OPTIONS="$lsan" "./$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 "$scratch" "${existing[@]}" \
    >"$work/$t.log" 2>&1; then
    echo "ok - $t ($(grep -o 'Done [0-9]* runs' "$work/$t.log" | tail -1), ${secs}s)"
    passed=$((passed + 1))
  else
    echo "not ok - $t"
    tail -40 "$work/$t.log"
    failed=$((failed + 1))
  fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
