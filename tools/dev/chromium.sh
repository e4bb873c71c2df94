#!/usr/bin/env bash
# Prints the path of a usable Chromium for the browser tests (e2e/tracking-page.e2e.spec.ts):
# $CHROMIUM_PATH when set (it must be executable), else `chromium` / `chromium-browser` on PATH,
# else Debian's own `chromium` package, installed once as root (tools/dev/debian-tool.sh).
set -euo pipefail

if [[ -n "${CHROMIUM_PATH:-}" ]]; then
  if [[ -x "$CHROMIUM_PATH" ]]; then
    echo "$CHROMIUM_PATH"
    exit 0
  fi
  echo "chromium.sh: CHROMIUM_PATH=$CHROMIUM_PATH is not an executable file" >&2
  exit 1
fi

exec bash "$(dirname "${BASH_SOURCE[0]}")/debian-tool.sh" chromium chromium chromium-browser
