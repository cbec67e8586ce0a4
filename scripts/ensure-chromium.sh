#!/usr/bin/env bash
# Installs Debian's chromium (the browser tests drive it headless) when it is missing.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "ensure-chromium: chromium is missing and only root can install it: run 'sudo apt-get install -y chromium'" >&2
  exit 1
fi
echo "ensure-chromium: installing chromium from Debian's packages" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
command -v chromium >/dev/null
