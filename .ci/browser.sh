#!/usr/bin/env bash
# Make a real headless browser available for tests/test_view.py: Debian's Chromium and its driver
# (no browser download: selenium is pointed at /usr/bin/chromium and /usr/bin/chromedriver).
set -euo pipefail
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  echo "browser.sh: installing chromium and chromium-driver (apt-get)" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
fi
