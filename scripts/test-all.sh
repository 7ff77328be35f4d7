#!/usr/bin/env bash
# The one command that runs every test on a fresh machine: system packages (as root), npm packages, build (with the native helper), tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-deps.sh
npm ci --no-audit --no-fund
# The DNS learner's netlink helper: its tests need it (with CI=true a missing helper fails them).
bash scripts/build-native.sh
npm test
