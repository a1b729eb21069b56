#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Build a second copy with AddressSanitizer + UBSan (warnings as errors) and
# run the whole test suite against it.  Any sanitizer report makes the
# binary exit non-zero, which fails the tests.  Uses a private copy of the
# tracked sources, so it works beside an in-tree build.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/hydra-asan.XXXXXX)
trap 'rm -rf "$work"' EXIT
# (mktemp's 0700 would keep the rootless suites' unprivileged users from
# the binary under test: they would skip, or Podman fail to stat it)
chmod 755 "$work"
git -C "$src" ls-files -z | (cd "$src" && xargs -0 cp --parents -t "$work")
cp -a "$src/.git" "$work/.git" 2>/dev/null || true
cd "$work"
./autogen.sh >/dev/null 2>&1
./configure -q --enable-sanitizers
make -s -j"$(nproc)" CFLAGS="-O1 -g -Werror" >/dev/null
# A report anywhere must fail, never be swallowed by a test's own checks.
export ASAN_OPTIONS=abort_on_error=0:exitcode=99:detect_leaks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:exitcode=99
# tests/run-tests would find ../shared beside the copy; point it at ours.
HYDRA_SHARED="$(cd "$src/.." && pwd)/shared" HYDRA_RUNC="$work/hydra-runc" HYDRA_BUILDDIR="$work" \
  HYDRA_SRCDIR="$work" make -s check
