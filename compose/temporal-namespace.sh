#!/bin/sh
# One-shot (docker-compose service `temporal-namespace`, temporalio/admin-tools
# image): makes sure the Temporal namespaces deployflow uses exist, one per
# environment. The server image does not create any by itself. Retried by
# compose until the frontend answers (its port opens a little before it serves).
# Needs an admin token (TEMPORAL_API_KEY with temporal-system:admin).
set -eu

namespaces="${TEMPORAL_NAMESPACES:?TEMPORAL_NAMESPACES lists the namespaces, one per environment}"
retention="${TEMPORAL_NAMESPACE_RETENTION:-30d}"

temporal operator cluster health
for namespace in $namespaces; do
  if temporal operator namespace describe --namespace "$namespace" >/dev/null 2>&1; then
    echo "temporal-namespace: $namespace exists"
  else
    temporal operator namespace create --namespace "$namespace" --retention "$retention"
    echo "temporal-namespace: created $namespace (retention $retention)"
  fi
done
