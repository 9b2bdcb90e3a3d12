#!/usr/bin/env bash
# Start every Jumin process in the foreground with honcho (Ctrl-C stops them all).
# Run bootstrap.sh and provision.sh first (`make up` does).
#
#   deploy/local/up.sh [dbname]      (default: $JUMIN_DB_NAME, i.e. jumin)
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
  CS simulator         http://127.0.0.1:${JUMIN_CS_SIMULATOR_PORT:-8900}/docs
  RabbitMQ management  http://127.0.0.1:15672   (guest / guest, vhost '$JUMIN_AMQP_VHOST')
  database             postgresql://jumin_registry@$JUMIN_PG_HOST:$JUMIN_PG_PORT/$1

  a development token:  uv run jumin-registry token --sub clerk01 --role clerk

TXT
}

main() {
  local db=${1:-$JUMIN_DB_NAME}
  services_env "$db"
  cd "$JUMIN_ROOT"
  print_urls "$db"
  log "starting processes from deploy/local/Procfile (Ctrl-C to stop)"
  # The workspace was synced by bootstrap.sh; the processes must never rewrite uv.lock.
  export UV_LOCKED=1
  exec uv run --locked honcho -f deploy/local/Procfile start
}

# Run unless sourced (sourcing lets a test stub the helpers and drive single steps).
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  main "$@"
fi
