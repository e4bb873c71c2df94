#!/usr/bin/env bash
# Quick start: installs dependencies on a fresh clone, then runs the whole system in the foreground.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
[[ -d node_modules ]] || npm ci --no-audit --no-fund
exec node tools/dev/up.mjs
