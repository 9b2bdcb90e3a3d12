#!/usr/bin/env bash
# Provision Jumin's database, roles, schemas, broker vhost, users and topology; run migrations; make
# dev keys.
# Idempotent: re-running keeps everything as is and re-syncs passwords to the environment or, for
# those it does not set, to var/secrets/passwords.env (random, made on the first run).
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
  as_postgres psql -X -q -p "$JUMIN_PG_PORT" -v ON_ERROR_STOP=1 -v db="$DB_NAME" \
    -c 'SET client_min_messages = warning' "$@"
}

# ---- PostgreSQL ----------------------------------------------------------------------------------
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
  log "postgres: $DB_NAME — closed to PUBLIC; extensions pg_trgm, btree_gist"
  psql_su -d "$DB_NAME" -1 -f - <<'SQL'
-- Only the services' roles may connect (provision_service grants it); nobody but the owner
-- creates anything in public.
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public;
SQL
}

# psql_service NAME …: psql_su with the service's schema, roles and passwords as variables.
psql_service() {
  local name=$1
  shift
  psql_su -v schema="$name" \
    -v owner_role="jumin_${name}_owner" -v owner_pw="$(service_password "$name" OWNER)" \
    -v app_role="jumin_$name" -v app_pw="$(service_password "$name" DB)" "$@"
}

# provision_service_database NAME: the roles jumin_NAME_owner (owns schema NAME, runs the
# migrations) and jumin_NAME (the service: USAGE on the schema; table rights come from the
# migrations), with passwords from JUMIN_<NAME>_OWNER_PASSWORD / _DB_PASSWORD; the schema.
provision_service_database() {
  local name=$1
  log "postgres: roles jumin_${name}_owner (schema owner, migrations) and jumin_$name (service); schema $name"
  psql_service "$name" -d postgres -1 -f - <<'SQL'
SELECT format('CREATE ROLE %I', :'owner_role')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'owner_role') \gexec
SELECT format('CREATE ROLE %I', :'app_role')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'app_role') \gexec
ALTER ROLE :"owner_role" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
  PASSWORD :'owner_pw';
ALTER ROLE :"app_role" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
  PASSWORD :'app_pw';
-- Unqualified names (and yoyo's bookkeeping tables) land in the service's own schema.
ALTER ROLE :"owner_role" SET search_path = :"schema", public;
ALTER ROLE :"app_role" SET search_path = :"schema", public;
-- No personal data in the server log: an error's DETAIL repeats the failing row (names, address)
-- or its key; terse keeps the message naming the constraint, and the STATEMENT, whose values are
-- $n parameters (log_parameter_max_length_on_error stays 0). Superuser-only, hence set here.
ALTER ROLE :"owner_role" SET log_error_verbosity = 'terse';
ALTER ROLE :"app_role" SET log_error_verbosity = 'terse';
SQL
  psql_service "$name" -d "$DB_NAME" -1 -f - <<'SQL'
GRANT CONNECT, TEMPORARY ON DATABASE :"db" TO :"owner_role", :"app_role";
GRANT USAGE ON SCHEMA public TO :"owner_role", :"app_role";
CREATE SCHEMA IF NOT EXISTS :"schema" AUTHORIZATION :"owner_role";
ALTER SCHEMA :"schema" OWNER TO :"owner_role";
REVOKE ALL ON SCHEMA :"schema" FROM PUBLIC;
GRANT USAGE ON SCHEMA :"schema" TO :"app_role";
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

# provision_broker: vhost, users, topology — one provisioning at a time on this machine.
# RabbitMQ 3.10 can wedge (every vhost command hangs until it is restarted) when several processes
# create and delete vhosts and import definitions at once (seen with parallel test runs); the test
# harness takes the same lock around its vhost changes (jumin_testing.broker).
provision_broker() {
  (
    flock --timeout 600 9 || die "waited 10 min for $JUMIN_BROKER_ADMIN_LOCK"
    provision_vhost
    provision_amqp_users
    provision_amqp_topology
  ) 9>"$JUMIN_BROKER_ADMIN_LOCK"
}

# ---- application ---------------------------------------------------------------------------------
# service_command NAME: the service's console script (cs_adapter → jumin-cs-adapter).
service_command() { printf 'jumin-%s' "${1//_/-}"; }

# provision_service_application NAME: apply the service's migrations as its schema owner and make
# its development keys if missing (`jumin-NAME migrate`, `jumin-NAME dev-keys`; both idempotent).
provision_service_application() {
  local name=$1 command
  command=$(service_command "$name")
  log "$name: $command migrate (as jumin_${name}_owner on $DB_NAME), $command dev-keys"
  service_env "$name" "$DB_NAME"
  (cd "$JUMIN_ROOT" && uv run --locked "$command" migrate && uv run --locked "$command" dev-keys)
}

# provision_service NAME: everything one service needs — roles, schema, grants, migrations and
# development keys; its broker user comes from the topology (provision_amqp_users, run before).
provision_service() {
  provision_service_database "$1"
  provision_service_application "$1"
}

main() {
  log "provisioning database '$DB_NAME' and vhost '$JUMIN_AMQP_VHOST'"
  log "passwords: $JUMIN_SECRETS_DIR/passwords.env (random, made once; mode 0600)"
  ensure_secrets
  provision_database
  provision_database_objects
  provision_broker
  local service
  for service in "${JUMIN_SERVICES[@]}"; do
    provision_service "$service"
  done
  log "done: $DB_NAME"
}

# Run unless sourced (sourcing lets a test stub the helpers and drive single steps).
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  main "$@"
fi
