#!/usr/bin/env bash
# The one command that runs every test on a fresh machine: system packages (as root), npm packages, build, tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-deps.sh
npm ci --no-audit --no-fund
npm test
