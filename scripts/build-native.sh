#!/usr/bin/env bash
# Builds the native helper native/nft-elements.c to native/build/portcullis-nft-elements: the DNS
# learner's element writer through netlink (docs/dns-names/enforcement.md). Needs a C compiler and
# the kernel UAPI headers (Debian: gcc, libc6-dev; scripts/install-system-deps.sh installs them).
# Optional at runtime: without the binary the learner writes through nft.
#   bash scripts/build-native.sh    (npm run build:native)
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p native/build
"${CC:-cc}" -O2 -Wall -Wextra -Werror -std=c11 -D_DEFAULT_SOURCE -o native/build/portcullis-nft-elements native/nft-elements.c
echo "built native/build/portcullis-nft-elements"
