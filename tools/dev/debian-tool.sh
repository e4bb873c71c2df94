#!/usr/bin/env bash
# Prints the path of a command the tests need from Debian, installing its package once if missing:
#   tools/dev/debian-tool.sh PACKAGE COMMAND [COMMAND...]
# The first COMMAND on PATH wins; otherwise, as root on a machine with apt-get, PACKAGE is installed
# (quietly; apt's output goes to stderr only on failure). Only the path goes to stdout. Exits
# non-zero with a message when the command can be neither found nor installed.
set -euo pipefail
package="$1"
shift

found() {
  local candidate
  for candidate in "$@"; do
    if command -v "$candidate" >/dev/null 2>&1; then
      command -v "$candidate"
      return 0
    fi
  done
  return 1
}

if found "$@"; then exit 0; fi

if [[ "${EUID}" == "0" ]] && command -v apt-get >/dev/null 2>&1; then
  log="$(mktemp)"
  trap 'rm -f "$log"' EXIT
  echo "debian-tool.sh: installing Debian's $package package (once)..." >&2
  if ! { DEBIAN_FRONTEND=noninteractive apt-get update -qq \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$package"; } >"$log" 2>&1; then
    cat "$log" >&2
    echo "debian-tool.sh: apt-get could not install $package" >&2
    exit 1
  fi
  if found "$@"; then exit 0; fi
fi

echo "debian-tool.sh: no $* found. Install Debian's '$package' package (apt-get install $package)." >&2
exit 1
