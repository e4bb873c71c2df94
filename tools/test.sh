#!/usr/bin/env bash
# Every test Caseline has: lint (module boundaries enforced), typecheck, then unit, integration and
# end-to-end specs against a real Kafka broker and a real PostgreSQL (tools/jest/global-setup.js
# starts what is missing). Extra arguments go to jest, e.g. `npm test -- libs/case`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# npm install, not npm ci: npm 11 records only this platform's optional binaries, which npm ci rejects.
[[ -d node_modules ]] || npm install --no-audit --no-fund

echo "== lint"
npx nx reset >/dev/null 2>&1 || true
NX_DAEMON=false npx nx show projects >/dev/null # builds the project graph the boundary rule reads
npx eslint . --max-warnings 0

echo "== typecheck"
npx tsc -p tsconfig.json --noEmit

echo "== tests (real Kafka, real PostgreSQL)"
exec npx jest --runInBand "$@"
