#!/bin/sh
# Environment detection as the platform write-up does it: every cluster holds a
# Secret `environment` whose one line names the cluster's environment, and every
# pod deployflow renders mounts it at /etc/secrets. The app reads it at start:
#
#   CMD ENVIRONMENT=$(cat /etc/secrets/environment) ./run.sh
#
# This entrypoint does the same for any command, falls back to $ENVIRONMENT when
# the file is absent (docker run -e ENVIRONMENT=dev, or a pod spec that sets it),
# and refuses to start without either: an app that guesses its environment is
# how staging ends up writing to production.
set -eu

secret_file="${ENVIRONMENT_FILE:-/etc/secrets/environment}"

if [ -r "$secret_file" ]; then
  # $(...) drops the trailing newline; the secret holds one line.
  ENVIRONMENT=$(cat "$secret_file")
elif [ -z "${ENVIRONMENT:-}" ]; then
  echo "entrypoint: $secret_file is missing and ENVIRONMENT is not set; is the environment secret mounted?" >&2
  exit 64
fi

if [ -z "$ENVIRONMENT" ]; then
  echo "entrypoint: $secret_file is empty" >&2
  exit 64
fi

export ENVIRONMENT
exec "$@"
