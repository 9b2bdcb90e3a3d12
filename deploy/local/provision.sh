#!/usr/bin/env bash
# Provision Jumin's database, roles, schemas, broker vhost, users and topology; run migrations; make
# dev keys.
# Idempotent: re-running keeps everything as is and re-syncs passwords to the environment.
#
#   deploy/local/provision.sh [dbname]      (default: $JUMIN_DB_NAME, i.e. jumin)
#
# Expects bootstrap.sh to have run (PostgreSQL and RabbitMQ up, uv workspace synced).
set -euo pipefail

# shellcheck source=deploy/local/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
JUMIN_STEP=provision

DB_NAME=${1:-$JUMIN_DB_NAME}
valid_db_name "$DB_NAME" || die "bad database name '$DB_NAME' (want [a-z_][a-z0-9_]*)"

# psql as the postgres superuser over the local socket (peer auth on fresh Debian, trust here).
# Values travel as psql variables (:'x' literal, :"x" identifier), never spliced into SQL text.
psql_su() {
  as_postgres psql -X -q -p "$JUMIN_PG_PORT" -v ON_ERROR_STOP=1 \
    -v owner_role="$JUMIN_REGISTRY_OWNER_ROLE" -v owner_pw="$JUMIN_REGISTRY_OWNER_PASSWORD" \
    -v app_role="$JUMIN_REGISTRY_ROLE" -v app_pw="$JUMIN_REGISTRY_DB_PASSWORD" \
    -v db="$DB_NAME" -c 'SET client_min_messages = warning' "$@"
}

# ---- PostgreSQL ----------------------------------------------------------------------------------
provision_roles() {
  log "postgres: roles $JUMIN_REGISTRY_OWNER_ROLE (schema owner, migrations) and $JUMIN_REGISTRY_ROLE (service)"
  psql_su -d postgres -1 -f - <<'SQL'
SELECT format('CREATE ROLE %I', :'owner_role')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'owner_role') \gexec
SELECT format('CREATE ROLE %I', :'app_role')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'app_role') \gexec
ALTER ROLE :"owner_role" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
  PASSWORD :'owner_pw';
ALTER ROLE :"app_role" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
  PASSWORD :'app_pw';
-- Unqualified names (and yoyo's bookkeeping tables) land in the service's own schema.
ALTER ROLE :"owner_role" SET search_path = registry, public;
ALTER ROLE :"app_role" SET search_path = registry, public;
SQL
}

provision_database() {
  log "postgres: database $DB_NAME (UTF8)"
  # CREATE DATABASE cannot run inside a transaction: no -1 here.
  psql_su -d postgres -f - <<'SQL'
SELECT format('CREATE DATABASE %I TEMPLATE template0 ENCODING %L LC_COLLATE %L LC_CTYPE %L',
              :'db', 'UTF8', 'C.UTF-8', 'C.UTF-8')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') \gexec
SQL
  local enc
  enc=$(psql_su -d postgres -At -f - <<<"SELECT pg_encoding_to_char(encoding) FROM pg_database WHERE datname = :'db'")
  [[ $enc == UTF8 ]] || die "database $DB_NAME has encoding '$enc', need UTF8 (drop it and re-run)"
}

provision_database_objects() {
  log "postgres: $DB_NAME — extensions pg_trgm, btree_gist; schema registry; grants"
  psql_su -d "$DB_NAME" -1 -f - <<'SQL'
-- Only the listed roles may connect; nobody but the owner creates anything in public.
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"db" TO :"owner_role", :"app_role";
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public;
GRANT USAGE ON SCHEMA public TO :"owner_role", :"app_role";

CREATE SCHEMA IF NOT EXISTS registry AUTHORIZATION :"owner_role";
ALTER SCHEMA registry OWNER TO :"owner_role";
REVOKE ALL ON SCHEMA registry FROM PUBLIC;
-- The service role gets USAGE only; the migrations grant table privileges.
GRANT USAGE ON SCHEMA registry TO :"app_role";
SQL
}

# cs_adapter (市町村CS連携): roles jumin_cs_adapter_owner (schema owner, migrations) and
# jumin_cs_adapter (service, DML only), schema cs_adapter. Same shape as the registry's.
psql_cs() {
  psql_su -v cs_owner="$JUMIN_CS_ADAPTER_OWNER_ROLE" -v cs_owner_pw="$JUMIN_CS_ADAPTER_OWNER_PASSWORD" \
    -v cs_app="$JUMIN_CS_ADAPTER_ROLE" -v cs_app_pw="$JUMIN_CS_ADAPTER_DB_PASSWORD" "$@"
}

provision_cs_adapter_roles() {
  log "postgres: roles $JUMIN_CS_ADAPTER_OWNER_ROLE (schema owner, migrations) and $JUMIN_CS_ADAPTER_ROLE (service)"
  psql_cs -d postgres -1 -f - <<'SQL'
SELECT format('CREATE ROLE %I', :'cs_owner')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'cs_owner') \gexec
SELECT format('CREATE ROLE %I', :'cs_app')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'cs_app') \gexec
ALTER ROLE :"cs_owner" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
  PASSWORD :'cs_owner_pw';
ALTER ROLE :"cs_app" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
  PASSWORD :'cs_app_pw';
ALTER ROLE :"cs_owner" SET search_path = cs_adapter, public;
ALTER ROLE :"cs_app" SET search_path = cs_adapter, public;
SQL
}

provision_cs_adapter_schema() {
  log "postgres: $DB_NAME — schema cs_adapter; grants"
  psql_cs -d "$DB_NAME" -1 -f - <<'SQL'
GRANT CONNECT, TEMPORARY ON DATABASE :"db" TO :"cs_owner", :"cs_app";
GRANT USAGE ON SCHEMA public TO :"cs_owner", :"cs_app";
CREATE SCHEMA IF NOT EXISTS cs_adapter AUTHORIZATION :"cs_owner";
ALTER SCHEMA cs_adapter OWNER TO :"cs_owner";
REVOKE ALL ON SCHEMA cs_adapter FROM PUBLIC;
GRANT USAGE ON SCHEMA cs_adapter TO :"cs_app";
SQL
}

# ---- RabbitMQ ------------------------------------------------------------------------------------
# The layout (exchanges, queues, bindings) and the permission matrix live in one place:
# libs/platform/src/jumin_platform/topology/. This script only makes the vhost and then asks
# `python -m jumin_platform.topology.cli` to sync the users (rabbitmqctl) and declare the rest
# (AMQP, as jumin_admin). Print the matrix with `uv run python -m jumin_platform.topology.cli show`.

# rabbitmqctl that tolerates "already exists" and fails on anything else.
rabbitmqctl_idempotent() {
  local out
  if out=$(rabbit rabbitmqctl -q "$@" 2>&1); then
    return 0
  fi
  if grep -qi 'already exists' <<<"$out"; then
    return 0
  fi
  printf '%s\n' "$out" >&2
  return 1
}

provision_vhost() {
  log "rabbitmq: vhost $JUMIN_AMQP_VHOST"
  rabbitmqctl_idempotent add_vhost "$JUMIN_AMQP_VHOST"
}

# rabbitmqctl as the topology CLI should run it: directly as root, else through sudo (see rabbit()).
rabbitmqctl_prefix() {
  if is_root; then printf 'rabbitmqctl'; else printf 'sudo -- rabbitmqctl'; fi
}

topology_cli() {
  (cd "$JUMIN_ROOT" && uv run --locked python -m jumin_platform.topology.cli "$@")
}

# Users: jumin_admin (all rights on this vhost only, no tags) and one per service with least
# privileges; passwords from JUMIN_AMQP_ADMIN_PASSWORD / JUMIN_<SERVICE>_AMQP_PASSWORD.
provision_amqp_users() {
  log "rabbitmq: users and permissions on $JUMIN_AMQP_VHOST (topology_cli users)"
  topology_cli users --rabbitmqctl "$(rabbitmqctl_prefix)"
}

provision_amqp_topology() {
  log "rabbitmq: exchanges, queues, bindings on $JUMIN_AMQP_VHOST as $JUMIN_AMQP_ADMIN_USER (topology_cli declare)"
  topology_cli declare
}

# ---- application ---------------------------------------------------------------------------------
run_migrations() {
  log "migrations: uv run jumin-registry migrate (as $JUMIN_REGISTRY_OWNER_ROLE on $DB_NAME)"
  registry_env "$DB_NAME"
  (cd "$JUMIN_ROOT" && uv run --locked jumin-registry migrate)
}

run_cs_adapter_migrations() {
  log "migrations: uv run jumin-cs-adapter migrate (as $JUMIN_CS_ADAPTER_OWNER_ROLE on $DB_NAME)"
  cs_adapter_env "$DB_NAME"
  (cd "$JUMIN_ROOT" && uv run --locked jumin-cs-adapter migrate)
}

ensure_dev_keys() {
  # Idempotent: creates only the missing JWT key pair and 個人番号 key ring under var/keys/.
  log "dev keys (JWT, 個人番号 key ring): uv run jumin-registry dev-keys"
  (cd "$JUMIN_ROOT" && uv run --locked jumin-registry dev-keys)
  log "dev keys (cs_adapter 個人番号 key ring): uv run jumin-cs-adapter dev-keys"
  (cd "$JUMIN_ROOT" && uv run --locked jumin-cs-adapter dev-keys)
}

main() {
  log "provisioning database '$DB_NAME' and vhost '$JUMIN_AMQP_VHOST'"
  provision_roles
  provision_database
  provision_database_objects
  provision_cs_adapter_roles
  provision_cs_adapter_schema
  provision_vhost
  provision_amqp_users
  provision_amqp_topology
  run_migrations
  run_cs_adapter_migrations
  ensure_dev_keys
  log "done: $DB_NAME"
}

# Run unless sourced (sourcing lets a test stub the helpers and drive single steps).
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  main "$@"
fi
