#!/bin/sh
# One-shot (docker-compose service `temporal-namespace`, temporalio/admin-tools
# image): makes sure the Temporal namespace deployflow uses exists. The server
# image does not create one by itself. Retried by compose until the frontend
# answers (its port opens a little before it serves).
set -eu

namespace="${TEMPORAL_NAMESPACE:-default}"
retention="${TEMPORAL_NAMESPACE_RETENTION:-30d}"

temporal operator cluster health
if temporal operator namespace describe --namespace "$namespace" >/dev/null 2>&1; then
  echo "temporal-namespace: $namespace exists"
else
  temporal operator namespace create --namespace "$namespace" --retention "$retention"
  echo "temporal-namespace: created $namespace (retention $retention)"
fi
