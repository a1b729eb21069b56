# SPDX-License-Identifier: Apache-2.0
# The host side of every security test.  Load after ../integration/helpers
# and call canary_setup from setup(): a canary directory outside the bundle,
# at an absolute host path a hostile rootfs can point at, holding a file
# whose content, inode and sha256 are recorded, and the sha256 of the
# runtime binary under test (CVE-2019-5736 rewrites it).
# assert_host_untouched checks all of it after the attempt.

canary_setup() {
  CANARY_DIR="$BATS_TEST_TMPDIR/host-canary-dir"
  CANARY="$CANARY_DIR/canary"
  mkdir -p "$CANARY_DIR"
  echo "untouched" >"$CANARY"
  CANARY_INODE=$(stat -c %i "$CANARY")
  CANARY_SUM=$(sha256sum "$CANARY" | cut -d' ' -f1)
  CANARY_LIST=$(ls -A "$CANARY_DIR")
  RUNTIME_BIN=$(readlink -f "$HYDRA_RUNC")
  RUNTIME_SUM=$(sha256sum "$RUNTIME_BIN" | cut -d' ' -f1)
}

# Canary unchanged, nothing new beside it, nothing mounted on or under it,
# the runtime binary as it was.
assert_host_untouched() {
  assert_eq "$(cat "$CANARY")" "untouched" "canary content"
  assert_eq "$(stat -c %i "$CANARY")" "$CANARY_INODE" "canary inode"
  assert_eq "$(sha256sum "$CANARY" | cut -d' ' -f1)" "$CANARY_SUM" "canary sha256"
  assert_eq "$(ls -A "$CANARY_DIR")" "$CANARY_LIST" "canary directory listing"
  ! grep -q " $CANARY_DIR" /proc/self/mountinfo || fail "a mount appeared on the host at $CANARY_DIR"
  assert_eq "$(sha256sum "$RUNTIME_BIN" | cut -d' ' -f1)" "$RUNTIME_SUM" "sha256 of the runtime binary $RUNTIME_BIN"
}
