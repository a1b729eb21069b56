#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Install everything needed to build and test hydra-runc on Debian 12.
# Idempotent and noninteractive; run as root.
set -euo pipefail

packages=(
  build-essential autoconf automake libtool pkg-config
  libyajl-dev libyaml-dev libseccomp-dev libcap-dev libmnl-dev libbpf-dev libsystemd-dev
  libprotobuf-c-dev libgnutls28-dev nettle-dev
  criu bats busybox-static jq iproute2 python3 python3-jsonschema
  clang libclang-rt-14-dev bpftool
  go-md2man time
  uidmap
)

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: run as root (apt-get install)" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
missing=()
for p in "${packages[@]}"; do
  if [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" != installed ]; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages already installed"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
