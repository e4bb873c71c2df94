#!/usr/bin/env bash
# Quick start: installs dependencies on a fresh clone, then runs the whole system in the foreground.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
# npm install, not npm ci: npm 11 records only this platform's optional binaries, which npm ci rejects.
[[ -d node_modules ]] || npm install --no-audit --no-fund
exec node tools/dev/up.mjs
