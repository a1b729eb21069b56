# SPDX-License-Identifier: Apache-2.0
# Finding a CRIU that works on this kernel, for every suite that
# checkpoints (integration, e2e, bench, the VM lane).
#
#   HYDRA_CRIU=PATH     use that binary (the VM lane sets it)
#   otherwise           $HYDRA_SHARED/criu/unpack ($HYDRA_SHARED defaults to
#                       ../shared beside the checkout: CRIU 4.2 built for
#                       Debian 12) into /var/tmp/hydra-criu,
#                       else `criu` from PATH
# and then only if `criu check` passes and its version is >= 3.15
# (hydra-runc refuses older ones).  Debian's criu 3.17 fails on this
# host's 6.18 kernel ("Unexpected rt vDSO area bounds"), so the shared
# build comes first.
#
# hydra_find_criu: sets CRIU to the path, or returns 1 with the reason in
# HYDRA_CRIU_WHY (call it directly, not in $(...), or the reason is lost).
# requires_criu: that (CRIU exported), or `skip` with the reason (never a
# silent skip).

hydra_find_criu() {
  local c="" shared ver
  HYDRA_CRIU_WHY=""
  CRIU=""
  if [ -n "${HYDRA_CRIU:-}" ]; then
    c=$HYDRA_CRIU
  else
    # ($HYDRA_SHARED: tests/run-tests and the sanitizer lane, whose
    # private copy of the tree has no ../shared beside it)
    shared="${HYDRA_SHARED:-${HYDRA_SRCDIR:-.}/../shared}/criu/unpack"
    if [ -x "$shared" ]; then
      c=$("$shared" /var/tmp/hydra-criu 2>/dev/null | tail -n 1) || c=""
    fi
    [ -n "$c" ] || c=$(command -v criu 2>/dev/null) || c=""
  fi
  if [ -z "$c" ] || [ ! -x "$c" ]; then
    HYDRA_CRIU_WHY="no criu binary (set HYDRA_CRIU, or put ../shared/criu beside the checkout)"
    return 1
  fi
  if ! "$c" check >/dev/null 2>&1; then
    HYDRA_CRIU_WHY="$c check fails on this kernel"
    return 1
  fi
  ver=$("$c" --version 2>/dev/null | sed -n 's/^Version: *//p')
  case $ver in
    [0-2].* | 3.[0-9] | 3.[0-9].* | 3.1[0-4] | 3.1[0-4].*)
      HYDRA_CRIU_WHY="$c is CRIU $ver; 3.15 or newer is needed"
      return 1
      ;;
  esac
  CRIU=$c
}

requires_criu() {
  hydra_find_criu || skip "checkpoint/restore: $HYDRA_CRIU_WHY"
  export CRIU
}
