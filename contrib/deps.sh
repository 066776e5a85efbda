#!/bin/bash
# Installs what berth needs to build and test on Debian 12 (apt-get; run as root).
# Skips apt when everything is already there, so repeated runs are fast.
set -eu
pkgs=(meson ninja-build g++ pkg-config libarchive-dev libssl-dev nlohmann-json3-dev libseccomp-dev
      libfmt-dev libcli11-dev libcurl4-openssl-dev libcap-dev catch2 bats busybox-static python3 uidmap
      zstd scdoc util-linux tar gzip procps catatonit git libmnl-dev libnftables1 nftables iproute2 curl passt slirp4netns
      libyaml-cpp-dev libtomlplusplus-dev libacl1-dev liblzma-dev libzstd-dev liblz4-dev libbz2-dev zlib1g-dev)  # static libarchive (meson.build)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "berth needs these Debian packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
