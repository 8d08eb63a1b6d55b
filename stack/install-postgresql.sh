#!/usr/bin/env bash
# Debian's PostgreSQL server for the production topology of the local stack
# (npm run stack:up -- --topology production), installed only when missing.
# Only its binaries are used: the stack runs its own server in the stack folder.
set -euo pipefail
if ! compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null; then
  echo "installing postgresql" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
fi
