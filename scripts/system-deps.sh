#!/usr/bin/env bash
# Install the Debian packages the app needs, when they are missing.
#   scripts/system-deps.sh python   Python with venv, before the project's virtual environment
#   scripts/system-deps.sh          fonts and Pango for PDFs (make run)
#   scripts/system-deps.sh browser  the same plus Chromium for browser tests and PostgreSQL's
#                                   server programs, which the tests start on their own (make test)
#   scripts/system-deps.sh bench    the same fonts plus PostgreSQL and wrk for bench/ (make bench)
# Without root or apt-get it only says what is missing.
set -euo pipefail

packages=(fonts-noto-cjk fonts-hanazono libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils)
if [ "${1:-}" = "python" ]; then
  packages=(python3 python3-venv)
fi
if [ "${1:-}" = "browser" ]; then
  packages+=(chromium postgresql)
fi
if [ "${1:-}" = "bench" ]; then
  packages+=(postgresql wrk)  # bench/: a throw-away PostgreSQL, and wrk as the load tool
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "missing system packages (install them as root): ${missing[*]}" >&2
  exit 0
fi
echo "installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
