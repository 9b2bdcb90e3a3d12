#!/usr/bin/env bash
# Start every Jumin process in the foreground under supervisord (deploy/local/supervisord.conf):
# one prefixed log stream, a crashed process restarted with back-off while the others run on,
# two relays (one active, one standing by), Ctrl-C stops them all.
# Run bootstrap.sh and provision.sh first (`make up` does).
#
#   deploy/local/up.sh [dbname]      (default: $JUMIN_DB_NAME, i.e. jumin)
#
# JUMIN_RUN_DIR (var/run: supervisord's socket and pid) and JUMIN_LOG_DIR (var/log: one file per
# process) may be set to run a second stack beside the first (the supervisor test does).
set -euo pipefail

# shellcheck source=deploy/local/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
JUMIN_STEP=up

print_urls() {
  local host=${JUMIN_REGISTRY_HOST:-127.0.0.1} port=${JUMIN_REGISTRY_PORT:-8100}
  cat <<TXT

  registry API docs    http://$host:$port/docs
  registry health      http://$host:$port/healthz
  cs_adapter operator  http://127.0.0.1:${JUMIN_CS_ADAPTER_PORT:-8301}/docs   (token: --role admin)
  koseki_adapter       http://127.0.0.1:${JUMIN_KOSEKI_ADAPTER_PORT:-8302}/docs   (token: --role admin)
  moj_notify           http://127.0.0.1:${JUMIN_MOJ_NOTIFY_PORT:-8303}/docs   (token: --role admin)
  audit witness        http://127.0.0.1:${JUMIN_AUDIT_WITNESS_PORT:-8310}/docs   (checkpoints of the access logs)
  CS simulator         http://127.0.0.1:${JUMIN_CS_SIMULATOR_PORT:-8900}/docs
  戸籍附票 simulator    http://127.0.0.1:${JUMIN_KOSEKI_SIMULATOR_PORT:-8901}/docs
  法務省 simulator      http://127.0.0.1:${JUMIN_MOJ_SIMULATOR_PORT:-8902}/docs
  RabbitMQ management  http://127.0.0.1:15672   (guest / guest, vhost '$JUMIN_AMQP_VHOST')
  database             postgresql://jumin_registry@$JUMIN_PG_HOST:$JUMIN_PG_PORT/$1

  a development token:  uv run jumin-registry token --sub clerk01 --role clerk

TXT
}

SUPERVISORD_CONF="$JUMIN_ROOT/deploy/local/supervisord.conf"

# supervisor_env: the directories supervisord.conf names (created if missing).
supervisor_env() {
  : "${JUMIN_RUN_DIR:=$JUMIN_ROOT/var/run}"
  : "${JUMIN_LOG_DIR:=$JUMIN_ROOT/var/log}"
  : "${JUMIN_TRACE_DIR:=$JUMIN_ROOT/var/traces}"
  export JUMIN_RUN_DIR JUMIN_LOG_DIR JUMIN_TRACE_DIR
  mkdir -p "$JUMIN_RUN_DIR" "$JUMIN_LOG_DIR"
}

main() {
  local db=${1:-$JUMIN_DB_NAME}
  services_env "$db"
  cd "$JUMIN_ROOT"
  print_urls "$db"
  supervisor_env
  # What the simulators hold survives their restarts, one file per simulator and database.
  : "${JUMIN_CS_SIMULATOR_STATE_FILE:=$JUMIN_ROOT/var/cs-simulator/$db.sqlite3}"
  : "${JUMIN_KOSEKI_SIMULATOR_STATE_FILE:=$JUMIN_ROOT/var/koseki-simulator/$db.sqlite3}"
  : "${JUMIN_MOJ_SIMULATOR_STATE_FILE:=$JUMIN_ROOT/var/moj-simulator/$db.sqlite3}"
  export JUMIN_CS_SIMULATOR_STATE_FILE JUMIN_KOSEKI_SIMULATOR_STATE_FILE JUMIN_MOJ_SIMULATOR_STATE_FILE
  log "starting the processes of deploy/local/supervisord.conf (Ctrl-C to stop; make status, make logs)"
  # The workspace was synced by bootstrap.sh; the processes must never rewrite uv.lock.
  export UV_LOCKED=1
  exec uv run --locked supervisord -c "$SUPERVISORD_CONF"
}

# Run unless sourced (sourcing lets a test stub the helpers and drive single steps).
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  main "$@"
fi
