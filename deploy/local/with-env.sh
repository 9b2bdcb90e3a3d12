#!/usr/bin/env bash
# Run a command with the services' connection settings pointing at one database.
#
#   deploy/local/with-env.sh DBNAME COMMAND [ARG...]
#
# Exports, for every service in JUMIN_SERVICES (lib.sh), JUMIN_<SERVICE>_DATABASE_URL (service
# role), _MIGRATION_DATABASE_URL (schema owner) and _AMQP_URL (its broker user), built from DBNAME
# and the password variables, then execs COMMAND from the repo root.
set -euo pipefail

# shellcheck source=deploy/local/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
JUMIN_STEP=with-env

[[ $# -ge 2 ]] || die "usage: $0 DBNAME COMMAND [ARG...]"
db=$1
shift
services_env "$db"
cd "$JUMIN_ROOT"
exec "$@"
