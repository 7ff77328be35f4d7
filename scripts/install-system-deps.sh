#!/usr/bin/env bash
# Installs the Debian packages the tests use: nftables, iproute2, procps (lab and enforcement), graphviz (DOT validation).
# Runs apt-get only as root and only for what is missing; a no-op otherwise.
set -euo pipefail
need=()
command -v nft >/dev/null 2>&1 || need+=(nftables)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v sysctl >/dev/null 2>&1 || need+=(procps)
command -v dot >/dev/null 2>&1 || need+=(graphviz)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-system-deps: missing ${need[*]}; run as root to install them (lab/enforcement tests skip without them outside CI)" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}"
