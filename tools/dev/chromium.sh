#!/usr/bin/env bash
# Prints the path of a usable Chromium for the browser tests (e2e/tracking-page.e2e.spec.ts):
#   1. $CHROMIUM_PATH, when set (it must be executable);
#   2. `chromium` or `chromium-browser` on PATH;
#   3. otherwise, as root on a machine with apt-get, Debian's own `chromium` package, installed
#      once (quietly; its output goes to stderr only on failure).
# Only the path goes to stdout; everything else goes to stderr. Exits non-zero with a message when
# no Chromium can be found or installed.
set -euo pipefail

found() {
  local candidate
  for candidate in chromium chromium-browser; do
    if command -v "$candidate" >/dev/null 2>&1; then
      command -v "$candidate"
      return 0
    fi
  done
  return 1
}

if [[ -n "${CHROMIUM_PATH:-}" ]]; then
  if [[ -x "$CHROMIUM_PATH" ]]; then
    echo "$CHROMIUM_PATH"
    exit 0
  fi
  echo "chromium.sh: CHROMIUM_PATH=$CHROMIUM_PATH is not an executable file" >&2
  exit 1
fi

if found; then exit 0; fi

if [[ "${EUID}" == "0" ]] && command -v apt-get >/dev/null 2>&1; then
  log="$(mktemp)"
  trap 'rm -f "$log"' EXIT
  echo "chromium.sh: installing Debian's chromium package (once)..." >&2
  if ! { DEBIAN_FRONTEND=noninteractive apt-get update -qq \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; } >"$log" 2>&1; then
    cat "$log" >&2
    echo "chromium.sh: apt-get could not install chromium" >&2
    exit 1
  fi
  if found; then exit 0; fi
fi

echo "chromium.sh: no Chromium found. Install Debian's 'chromium' package (apt-get install chromium)," >&2
echo "or set CHROMIUM_PATH to a Chromium or Chrome executable." >&2
exit 1
