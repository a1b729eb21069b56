#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Build a tiny OCI image (an "OCI image layout" tar archive) from a
# busybox-static root filesystem, without a registry or an image builder.
#
#   tests/e2e/make-image.sh OUT.tar [TAG]
#
# The archive holds oci-layout, index.json (one manifest, annotated
# org.opencontainers.image.ref.name=TAG, default "latest") and
# blobs/sha256/{config,manifest,layer}; the layer is a gzip'd tar of the
# rootfs.  Import it with e.g.
#   ctr images import --base-name localhost/hydra-busybox OUT.tar
#   podman load -i OUT.tar
# The output is reproducible (fixed mtimes, owners, sorted entries).
#
# Environment: HR_BUSYBOX (default /bin/busybox, must be statically linked).

set -euo pipefail

out=${1:?usage: make-image.sh OUT.tar [TAG]}
tag=${2:-latest}
busybox=${HR_BUSYBOX:-/bin/busybox}

if ! [ -x "$busybox" ]; then
  echo "make-image.sh: no $busybox (apt-get install busybox-static)" >&2
  exit 1
fi
if ldd "$busybox" >/dev/null 2>&1; then
  echo "make-image.sh: $busybox is dynamically linked (install busybox-static)" >&2
  exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/hydra-make-image.XXXXXX")
trap 'rm -rf "$work"' EXIT
rootfs=$work/rootfs
layout=$work/layout
mkdir -p "$rootfs"/{bin,etc,proc,sys,dev,tmp,root,run,var,home/hydra} "$layout/blobs/sha256"
chmod 1777 "$rootfs/tmp"
cp "$busybox" "$rootfs/bin/busybox"
# Every applet this busybox has, as a symlink in /bin.
for a in $("$busybox" --list); do
  [ "$a" = busybox ] || ln -sf busybox "$rootfs/bin/$a"
done
cat >"$rootfs/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
hydra:x:1000:1000:hydra:/home/hydra:/bin/sh
nobody:x:65534:65534:nobody:/:/bin/false
EOF
cat >"$rootfs/etc/group" <<'EOF'
root:x:0:
hydra:x:1000:
nogroup:x:65534:
EOF
echo "hydra-e2e-image" >"$rootfs/etc/hydra-e2e-image"
chown -R 0:0 "$rootfs"
find "$rootfs" -exec touch -h -d @0 {} +

# blob FILE MEDIATYPE: move FILE into blobs/sha256, print its descriptor.
blob() {
  local f=$1 mt=$2 d s
  d=$(sha256sum "$f" | cut -d' ' -f1)
  s=$(stat -c %s "$f")
  mv "$f" "$layout/blobs/sha256/$d"
  jq -cn --arg mt "$mt" --arg d "sha256:$d" --argjson s "$s" \
    '{mediaType: $mt, digest: $d, size: $s}'
}

tar -C "$rootfs" --sort=name --numeric-owner --owner=0 --group=0 \
  --mtime=@0 --format=posix --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
  -cf "$work/layer.tar" .
diff_id=sha256:$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
gzip -n -9 "$work/layer.tar"
layer=$(blob "$work/layer.tar.gz" application/vnd.oci.image.layer.v1.tar+gzip)

jq -cn --arg diff "$diff_id" '{
  created: "1970-01-01T00:00:00Z",
  architecture: "amd64",
  os: "linux",
  config: {
    Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
    Cmd: ["/bin/sh"],
    WorkingDir: "/"
  },
  rootfs: {type: "layers", diff_ids: [$diff]},
  history: [{created: "1970-01-01T00:00:00Z", created_by: "tests/e2e/make-image.sh"}]
}' >"$work/config.json"
arch=$(uname -m)
case $arch in
  x86_64) arch=amd64 ;;
  aarch64) arch=arm64 ;;
esac
jq -c --arg a "$arch" '.architecture = $a' "$work/config.json" >"$work/config.json.new"
mv "$work/config.json.new" "$work/config.json"
config=$(blob "$work/config.json" application/vnd.oci.image.config.v1+json)

jq -cn --argjson c "$config" --argjson l "$layer" '{
  schemaVersion: 2,
  mediaType: "application/vnd.oci.image.manifest.v1+json",
  config: $c,
  layers: [$l]
}' >"$work/manifest.json"
manifest=$(blob "$work/manifest.json" application/vnd.oci.image.manifest.v1+json)

jq -cn --argjson m "$manifest" --arg tag "$tag" --arg a "$arch" '{
  schemaVersion: 2,
  mediaType: "application/vnd.oci.image.index.v1+json",
  manifests: [$m + {
    platform: {architecture: $a, os: "linux"},
    annotations: {"org.opencontainers.image.ref.name": $tag}
  }]
}' >"$layout/index.json"
echo '{"imageLayoutVersion":"1.0.0"}' >"$layout/oci-layout"

find "$layout" -exec touch -h -d @0 {} +
tar -C "$layout" --sort=name --numeric-owner --owner=0 --group=0 --mtime=@0 \
  -cf "$out.tmp" oci-layout index.json blobs
mv "$out.tmp" "$out"
