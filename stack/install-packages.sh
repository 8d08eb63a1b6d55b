#!/usr/bin/env bash
# Debian packages the stack and the test suite need, installed only when missing:
#   chromium     the browser test drives the Temporal Web UI headless
#   nginx-light  the mTLS test puts a TLS-terminating gRPC proxy in front of Temporal
#   openssl      the mTLS test makes its CA and certificates
set -euo pipefail
missing=()
for pkg in chromium nginx-light openssl; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
