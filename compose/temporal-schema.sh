#!/bin/sh
# One-shot (docker-compose service `temporal-schema`, temporalio/admin-tools image):
# creates Temporal's two PostgreSQL databases and brings their schemas to the
# versions this server release ships. Safe on every `docker compose up`:
# existing databases are kept, setup-schema never lowers a recorded version and
# update-schema only applies what is missing.
set -eu

: "${POSTGRES_SEEDS:?POSTGRES_SEEDS names the PostgreSQL host}"
: "${POSTGRES_USER:?POSTGRES_USER is required}"
: "${POSTGRES_PWD:?POSTGRES_PWD is required}"
port="${DB_PORT:-5432}"
schemas=/etc/temporal/schema/postgresql/v12

sql() {
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$port" -u "$POSTGRES_USER" --pw "$POSTGRES_PWD" "$@"
}

migrate() {
  db="$1"
  dir="$2"
  echo "temporal-schema: database $db"
  # Fails when the database exists already, which is the usual case after the first run.
  sql --db "$db" create >/dev/null 2>&1 || echo "temporal-schema: $db exists"
  sql --db "$db" setup-schema -v 0.0
  sql --db "$db" update-schema -d "$schemas/$dir/versioned"
}

migrate temporal temporal
migrate temporal_visibility visibility
echo "temporal-schema: done"
