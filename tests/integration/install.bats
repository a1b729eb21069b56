#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# `make install` and `make uninstall` from the build tree, with DESTDIR and
# prefix: the binary, every man page and the bash completion land where
# they should and go away again.

load helpers

requires_build_tree() {
  [ -n "${HYDRA_BUILDDIR:-}" ] || skip "HYDRA_BUILDDIR is not set (make check sets it)"
  [ -f "$HYDRA_BUILDDIR/Makefile" ] && [ -f "$HYDRA_BUILDDIR/config.status" ] ||
    skip "HYDRA_BUILDDIR=$HYDRA_BUILDDIR is not a configured build tree"
  command -v make >/dev/null || skip "make is not installed"
}

@test "install: make install / uninstall with DESTDIR and prefix=/usr" {
  requires_build_tree
  local dest="$BATS_TEST_TMPDIR/dest" md name left
  run make -s -C "$HYDRA_BUILDDIR" install DESTDIR="$dest" prefix=/usr
  [ "$status" -eq 0 ] || fail "make install failed: $output"
  [ -x "$dest/usr/bin/hydra-runc" ] || fail "no $dest/usr/bin/hydra-runc"
  "$dest/usr/bin/hydra-runc" --version | head -n1 | grep -q '^hydra-runc version' ||
    fail "the installed binary does not run"
  for md in "$HYDRA_SRCDIR"/man/*.8.md; do
    name=$(basename "$md" .md)
    [ -s "$dest/usr/share/man/man8/$name" ] || fail "man page $name not installed"
    head -n5 "$dest/usr/share/man/man8/$name" | grep -q '^\.TH ' || fail "$name is not roff"
  done
  cmp "$HYDRA_SRCDIR/contrib/completion/bash/hydra-runc" \
    "$dest/usr/share/bash-completion/completions/hydra-runc" || fail "completion not installed"
  # nothing outside DESTDIR/usr
  left=$(cd "$dest" && find . -mindepth 1 -maxdepth 1 ! -name usr)
  [ -z "$left" ] || fail "installed outside /usr: $left"

  run make -s -C "$HYDRA_BUILDDIR" uninstall DESTDIR="$dest" prefix=/usr
  [ "$status" -eq 0 ] || fail "make uninstall failed: $output"
  left=$(find "$dest" -type f -o -type l)
  [ -z "$left" ] || fail "left after make uninstall: $left"
}

@test "install: prefix moves everything" {
  requires_build_tree
  local dest="$BATS_TEST_TMPDIR/dest"
  run make -s -C "$HYDRA_BUILDDIR" install DESTDIR="$dest" prefix=/opt/hydra
  [ "$status" -eq 0 ] || fail "make install failed: $output"
  [ -x "$dest/opt/hydra/bin/hydra-runc" ] || fail "no binary under the prefix"
  [ -s "$dest/opt/hydra/share/man/man8/hydra-runc.8" ] || fail "no hydra-runc.8 under the prefix"
  [ -s "$dest/opt/hydra/share/bash-completion/completions/hydra-runc" ] || fail "no completion under the prefix"
  run make -s -C "$HYDRA_BUILDDIR" uninstall DESTDIR="$dest" prefix=/opt/hydra
  [ "$status" -eq 0 ] || fail "make uninstall failed: $output"
  [ -z "$(find "$dest" -type f)" ] || fail "left after make uninstall: $(find "$dest" -type f)"
}
