#!/usr/bin/env bash
# Clear the local development data: drop the database (default jumin) and delete the vhost (default
# jumin) with every queued message, and remove var/traces. Asks first; --yes (or FORCE=1) does not.
# `make up` provisions everything again, empty.
#
#   deploy/local/reset.sh [--yes] [dbname]
set -euo pipefail

# shellcheck source=deploy/local/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
JUMIN_STEP=reset

yes=${FORCE:-0}
if [[ ${1:-} == --yes ]]; then
  yes=1
  shift
fi
DB_NAME=${1:-$JUMIN_DB_NAME}
valid_db_name "$DB_NAME" || die "bad database name '$DB_NAME' (want [a-z_][a-z0-9_]*)"

if [[ $yes != 1 ]]; then
  printf 'Delete database %s, vhost %s (all queued messages) and %s/var/traces? [y/N] ' \
    "$DB_NAME" "$JUMIN_AMQP_VHOST" "$JUMIN_ROOT" >&2
  read -r answer || answer=
  [[ $answer == [yY] || $answer == [yY][eE][sS] ]] || die "nothing deleted"
fi

log "postgres: drop database $DB_NAME"
as_postgres psql -X -q -p "$JUMIN_PG_PORT" -v ON_ERROR_STOP=1 -v db="$DB_NAME" -d postgres \
  -c 'DROP DATABASE IF EXISTS :"db" WITH (FORCE)'
log "rabbitmq: delete vhost $JUMIN_AMQP_VHOST"
rabbit rabbitmqctl -q delete_vhost "$JUMIN_AMQP_VHOST" || warn "vhost $JUMIN_AMQP_VHOST not deleted (missing?)"
log "remove $JUMIN_ROOT/var/traces"
rm -rf -- "$JUMIN_ROOT/var/traces"
log "done: run \`make up\` to provision again"
