#!/usr/bin/env bash
# Run a command with the services' connection settings pointing at one database.
#
#   deploy/local/with-env.sh DBNAME COMMAND [ARG...]
#
# Exports JUMIN_REGISTRY_DATABASE_URL (service role) and JUMIN_REGISTRY_MIGRATION_DATABASE_URL
# (schema owner) built from DBNAME and the password variables, the cs_adapter's
# JUMIN_CS_ADAPTER_DATABASE_URL / _MIGRATION_DATABASE_URL / _AMQP_URL likewise, then execs COMMAND
# from the repo root.
set -euo pipefail

# shellcheck source=deploy/local/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
JUMIN_STEP=with-env

[[ $# -ge 2 ]] || die "usage: $0 DBNAME COMMAND [ARG...]"
db=$1
shift
registry_env "$db"
cs_adapter_env "$db"
cd "$JUMIN_ROOT"
exec "$@"
