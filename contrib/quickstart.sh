#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Quick start: build a tiny bundle (busybox-static rootfs, config from
# `hydra-runc spec` edited with jq) and run it with ./hydra-runc.  No network.
#
#   sudo ./contrib/quickstart.sh            # uses ./hydra-runc from the build
#   HYDRA_RUNC=/path/to/runtime ./contrib/quickstart.sh
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
runtime=${HYDRA_RUNC:-$top/hydra-runc}
busybox=${BUSYBOX:-/bin/busybox}

die() { echo "quickstart: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "run me as root (containers need namespaces and mounts)"
[ -x "$runtime" ] || die "no runtime at $runtime: build it first (./autogen.sh && ./configure && make)"
command -v jq >/dev/null || die "jq is missing: ./contrib/install-deps.sh"
[ -x "$busybox" ] || die "no $busybox: apt-get install busybox-static"
if ldd "$busybox" >/dev/null 2>&1; then
  die "$busybox is dynamically linked: apt-get install busybox-static"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/hydra-quickstart.XXXXXX")
root="$work/state"
id="quickstart-$$"
cleanup() {
  "$runtime" --root "$root" delete --force "$id" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

bundle="$work/bundle"
mkdir -p "$bundle/rootfs"/{bin,etc,proc,sys,dev,tmp,root}
cp "$busybox" "$bundle/rootfs/bin/busybox"
for applet in sh echo cat id hostname ls readlink sleep ps mount; do
  ln -s busybox "$bundle/rootfs/bin/$applet"
done
echo 'root:x:0:0:root:/root:/bin/sh' >"$bundle/rootfs/etc/passwd"
echo 'root:x:0:' >"$bundle/rootfs/etc/group"

(cd "$bundle" && "$runtime" spec)
jq '.process.terminal = false
  | .hostname = "hydra-quickstart"
  | .process.args = ["sh", "-c",
      "echo \"hostname: $(hostname)\"; id; echo \"my pid: $$\"; ls -l /proc/self/ns"]' \
  "$bundle/config.json" >"$bundle/config.json.new"
mv "$bundle/config.json.new" "$bundle/config.json"

echo "+ $runtime --root $root run --bundle $bundle $id"
"$runtime" --root "$root" run --bundle "$bundle" "$id" </dev/null
echo "quickstart: the container ran and exited 0 (host hostname: $(hostname))"
