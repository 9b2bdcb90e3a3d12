#!/usr/bin/env bash
# Ask the supervisord of a running `make up` (deploy/local/up.sh) about its processes.
#
#   deploy/local/ctl.sh status          every process: RUNNING / BACKOFF / …, pid, uptime
#   deploy/local/ctl.sh logs [NAME]     follow every process's log file (or NAME's: relay-0, registry …)
#   deploy/local/ctl.sh ARGS…           any supervisorctl command (restart relay:relay-1, tail …)
set -euo pipefail

# shellcheck source=deploy/local/up.sh
. "$(dirname "${BASH_SOURCE[0]}")/up.sh"
JUMIN_STEP=ctl

ctl() { uv run --locked supervisorctl -c "$SUPERVISORD_CONF" "$@"; }

main_ctl() {
  supervisor_env
  cd "$JUMIN_ROOT"
  case ${1:-status} in
    logs)
      if [[ -n ${2:-} ]]; then
        exec tail -n 50 -F "$JUMIN_LOG_DIR/$2.log"
      fi
      exec tail -n 10 -F "$JUMIN_LOG_DIR"/*.log
      ;;
    *) ctl "${@:-status}" ;;
  esac
}

main_ctl "$@"
