#!/usr/bin/env bash
# The system tools the tests run, and the Debian package of each: nft (enforcement), ip and sysctl
# (network namespaces, labs), ping (ICMP through the ruleset), dig (the lab's DNS test), dot (DOT validation), git (git sources),
# openssl (the stand-in API server's certificates), chromium (the page of `portcullis ui`, driven headless by playwright-core), gcc with libc6-dev (libc's and the kernel's UAPI
# headers: the DNS learner's netlink helper, scripts/build-native.sh). Checked, never installed: kubectl (no Debian
# package; it drives the stand-in API server in src/kube/standin/kubectl.test.ts) and Node.js.
#   bash scripts/install-system-deps.sh          installs what is missing (apt-get, as root only; a no-op otherwise)
#   bash scripts/install-system-deps.sh --check  lists each required tool; exits 1 naming the missing ones
set -euo pipefail
TOOLS=(
  "nft nftables"
  "ip iproute2"
  "sysctl procps"
  "ping iputils-ping"
  "dig bind9-dnsutils"
  "dot graphviz"
  "git git"
  "openssl openssl"
  "gcc gcc"
  "chromium chromium"
)
# Headers the native helper includes, and the Debian package of each (libc6-dev brings linux-libc-dev,
# the kernel UAPI headers: linux/netfilter/nf_tables.h).
HEADERS=(
  "/usr/include/stdio.h libc6-dev"
)
# Tools --check requires that are no apt package: name and where to get it.
CHECK_ONLY=(
  "kubectl https://kubernetes.io/docs/tasks/tools/"
)
NODE_MAJOR=20

check() {
  local missing=() entry tool package
  for entry in "${TOOLS[@]}"; do
    read -r tool package <<<"$entry"
    if command -v "$tool" >/dev/null 2>&1; then
      printf '  %-7s %s\n' "$tool" "$(command -v "$tool")"
    else
      printf '  %-7s MISSING (Debian package %s)\n' "$tool" "$package"
      missing+=("$tool")
    fi
  done
  local header
  for entry in "${HEADERS[@]}"; do
    read -r header package <<<"$entry"
    if [ -f "$header" ]; then
      printf '  %-7s %s\n' "$package" "$header"
    else
      printf '  %-7s MISSING (Debian package %s: %s)\n' "$package" "$package" "$header"
      missing+=("$package")
    fi
  done
  local source
  for entry in "${CHECK_ONLY[@]}"; do
    read -r tool source <<<"$entry"
    if command -v "$tool" >/dev/null 2>&1; then
      printf '  %-7s %s\n' "$tool" "$(command -v "$tool")"
    else
      printf '  %-7s MISSING (not a Debian package: %s)\n' "$tool" "$source"
      missing+=("$tool")
    fi
  done
  local major
  major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
  if [ "$major" -ge "$NODE_MAJOR" ]; then
    printf '  %-7s %s\n' node "$(command -v node)"
  else
    printf '  %-7s MISSING (Node.js %s or later)\n' node "$NODE_MAJOR"
    missing+=(node)
  fi
  if [ ${#missing[@]} -gt 0 ]; then
    echo "system-deps: missing required tools: ${missing[*]}" >&2
    exit 1
  fi
}

install() {
  local need=() entry tool package
  for entry in "${TOOLS[@]}"; do
    read -r tool package <<<"$entry"
    command -v "$tool" >/dev/null 2>&1 || need+=("$package")
  done
  local header
  for entry in "${HEADERS[@]}"; do
    read -r header package <<<"$entry"
    [ -f "$header" ] || need+=("$package")
  done
  if [ ${#need[@]} -eq 0 ]; then return 0; fi
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-system-deps: missing ${need[*]}; run as root to install them (lab/enforcement tests skip without them outside CI)" >&2
    return 0
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}"
}

case "${1:-}" in
  --check) check ;;
  "") install ;;
  *) echo "usage: bash scripts/install-system-deps.sh [--check]" >&2; exit 2 ;;
esac
