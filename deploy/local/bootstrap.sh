#!/usr/bin/env bash
# Install and start what Jumin needs on a Debian 12 / Ubuntu machine, then sync the Python workspace.
# Idempotent: anything already installed or running is left alone.
#
#   deploy/local/bootstrap.sh
#
# Steps: uv · PostgreSQL (installed, cluster running) · RabbitMQ (installed, running, plugins) ·
#        curl and python3 (the README's commands) · uv sync of every workspace package plus the
#        dev group.
set -euo pipefail

# shellcheck source=deploy/local/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
JUMIN_STEP=bootstrap

RABBIT_PLUGINS=(rabbitmq_management rabbitmq_consistent_hash_exchange)
APT_UPDATED=0

# ---- apt -----------------------------------------------------------------------------------------
apt_install() {
  have apt-get || die "apt-get not found: install $* by hand (this script knows Debian/Ubuntu only)"
  if [[ $APT_UPDATED -eq 0 ]]; then
    log "apt-get update"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    APT_UPDATED=1
  fi
  log "apt-get install --no-install-recommends $*"
  # Only what is asked for (no mail server, cron or sysstat coming along); our configuration files
  # written before the install are kept (confold).
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "$@"
}

# ---- uv ------------------------------------------------------------------------------------------
# Only PyPI is guaranteed reachable, so uv comes from PyPI into its own venv (Debian's python3 is
# "externally managed", pip install --user is refused), linked into ~/.local/bin.
install_uv() {
  local venv="${XDG_DATA_HOME:-$HOME/.local/share}/jumin/uv-venv"
  have python3 || apt_install python3
  if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
    apt_install python3-venv
  fi
  log "installing uv from PyPI into $venv"
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --upgrade pip uv
  mkdir -p "$HOME/.local/bin"
  ln -sf "$venv/bin/uv" "$HOME/.local/bin/uv"
  ln -sf "$venv/bin/uvx" "$HOME/.local/bin/uvx"
}

# A fresh root shell has no ~/.local/bin on its PATH: link uv where every shell looks, so the
# README's `uv run …` commands work as typed (root only; other users keep ~/.local/bin).
link_uv_for_every_shell() {
  is_root || return 0
  local uv
  uv=$(command -v uv)
  [[ $uv == /usr/local/bin/uv ]] && return 0
  ln -sf "$uv" /usr/local/bin/uv
  log "uv linked into /usr/local/bin"
}

# The README's commands (Try it) read the running services with curl and python3.
ensure_readme_tools() {
  local tool missing=()
  for tool in curl python3; do
    have "$tool" || missing+=("$tool")
  done
  [[ ${#missing[@]} -eq 0 ]] || apt_install "${missing[@]}"
}

ensure_uv() {
  if have uv; then
    log "uv present: $(uv --version)"
  else
    install_uv
    have uv || die "uv still not on PATH after install"
    log "uv installed: $(uv --version)"
  fi
}

# The workspace pins Python 3.11 (Debian 12's python3). Elsewhere try the distribution's
# python3.11; failing that, uv sync downloads a managed interpreter itself.
ensure_python() {
  if uv python find '>=3.11,<3.12' >/dev/null 2>&1; then
    log "python 3.11 present: $(uv python find '>=3.11,<3.12')"
  elif have apt-get && apt-cache show python3.11-venv >/dev/null 2>&1; then
    apt_install python3.11 python3.11-venv
  else
    warn "no Python 3.11 found; uv sync will try to download one"
  fi
}

# ---- PostgreSQL ----------------------------------------------------------------------------------
pg_ready() { pg_isready -q -h "$JUMIN_PG_HOST" -p "$JUMIN_PG_PORT"; }

ensure_postgres_installed() {
  if have psql && have pg_ctlcluster && compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null; then
    log "postgresql present"
  else
    apt_install postgresql
  fi
}

# Newest installed server version, e.g. 15.
pg_server_version() {
  local dir
  dir=$(compgen -G '/usr/lib/postgresql/*/bin/postgres' | sort -V | tail -n1)
  [[ -n $dir ]] || die "no PostgreSQL server binaries under /usr/lib/postgresql"
  basename "$(dirname "$(dirname "$dir")")"
}

# cluster_status VERSION: online | down | missing (for cluster "main").
cluster_status() {
  pg_lsclusters -h | awk -v v="$1" '$1 == v && $2 == "main" {print $4; found = 1}
                                    END {if (!found) print "missing"}'
}

start_postgres() {
  local version status
  version=$(pg_server_version)
  status=$(cluster_status "$version")
  if [[ $status == missing ]]; then
    log "creating PostgreSQL $version cluster 'main'"
    as_root pg_createcluster "$version" main
    status=$(cluster_status "$version")
  fi
  if [[ $status == online ]]; then
    log "PostgreSQL $version/main is starting (package scripts?); waiting"
    return
  fi
  log "starting PostgreSQL $version/main"
  # pg_ctlcluster switches to the cluster owner (postgres); never start postgres as root by hand.
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start
}

ensure_postgres_running() {
  if pg_ready; then
    log "postgresql accepting connections on $JUMIN_PG_HOST:$JUMIN_PG_PORT"
    return
  fi
  start_postgres
  wait_until 30 "postgresql on $JUMIN_PG_HOST:$JUMIN_PG_PORT" pg_ready
  log "postgresql up"
}

# ---- RabbitMQ ------------------------------------------------------------------------------------
rabbit_ready() { rabbit rabbitmq-diagnostics -q ping >/dev/null 2>&1; }
rabbit_started() { rabbit rabbitmqctl -q await_startup --timeout 5 >/dev/null 2>&1; }

ensure_rabbit_installed() {
  if have rabbitmq-server && have rabbitmqctl; then
    log "rabbitmq-server present"
  else
    write_loopback_rabbit_config
    apt_install rabbitmq-server
  fi
}

# Closed by default: a RabbitMQ this script installs listens on loopback only — AMQP, the
# management API, epmd and Erlang distribution — with its plugins enabled from the first boot (so
# the management listener's setting is known when the node reads its configuration). Written
# before the package is installed, so the node never starts open.
write_loopback_rabbit_config() {
  log "rabbitmq: configuring loopback-only listeners in /etc/rabbitmq before installing"
  as_root mkdir -p /etc/rabbitmq
  as_root tee /etc/rabbitmq/rabbitmq.conf >/dev/null <<'CONF'
# Written by Jumin's deploy/local/bootstrap.sh: reachable from this machine only.
listeners.tcp.default = 127.0.0.1:5672
management.tcp.ip = 127.0.0.1
management.tcp.port = 15672
loopback_users.guest = true
CONF
  as_root tee /etc/rabbitmq/rabbitmq-env.conf >/dev/null <<'CONF'
# Written by Jumin's deploy/local/bootstrap.sh: epmd and Erlang distribution on loopback only.
NODENAME=rabbit@localhost
ERL_EPMD_ADDRESS=127.0.0.1
SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
CONF
  printf '[%s].\n' "$(IFS=,; printf '%s' "${RABBIT_PLUGINS[*]}")" |
    as_root tee /etc/rabbitmq/enabled_plugins >/dev/null
}

# warn_if_open: a broker installed before Jumin may listen on every interface; say so.
warn_if_open() {
  have ss || return 0
  local open
  open=$(ss -Hltn 2>/dev/null | awk '{print $4}' |
    grep -E ':(5672|15672|4369|25672)$' | grep -vE '^(127\.0\.0\.1|\[::1\]):' || true)
  [[ -z $open ]] && return 0
  warn "RabbitMQ listens beyond loopback: $(tr '\n' ' ' <<<"$open")— set listeners and"
  warn "management.tcp.ip to 127.0.0.1 in /etc/rabbitmq/rabbitmq.conf and restart it"
}

ensure_rabbit_running() {
  if rabbit_ready; then
    log "rabbitmq running"
    return
  fi
  # A node that is still booting (e.g. started by the package's init script) just needs waiting for;
  # await_startup fails fast when no node runs at all.
  if rabbit_started; then
    log "rabbitmq finished starting"
    return
  fi
  if tcp_open 127.0.0.1 5672; then
    die "something listens on 127.0.0.1:5672 but rabbitmq-diagnostics cannot reach the node (foreign broker or Erlang cookie mismatch?)"
  fi
  log "starting rabbitmq-server -detached"
  rabbit rabbitmq-server -detached
  # await_startup needs the Erlang node to be reachable first; retry until it answers.
  wait_until 60 "rabbitmq node (see /var/log/rabbitmq/)" rabbit_started
  log "rabbitmq up"
}

# management_open: the management API listens beyond loopback (0.0.0.0 or [::]).
management_open() {
  have ss || return 1
  ss -Hltn 2>/dev/null | awk '{print $4}' | grep -E ':15672$' | grep -qvE '^(127\.0\.0\.1|\[::1\]):'
}

# ensure_management_on_loopback: Jumin enables the management plugin, so it also says where the
# plugin listens — 127.0.0.1 only, on a broker it did not install too. Recorded in rabbitmq.conf for
# the next boot, and set in the running node (persistent application env) before the plugin starts;
# a listener already open is moved by restarting the plugin (AMQP connections are not touched).
ensure_management_on_loopback() {
  local conf=/etc/rabbitmq/rabbitmq.conf
  if ! grep -qE '^[[:space:]]*management\.tcp\.ip[[:space:]]*=' "$conf" 2>/dev/null; then
    log "rabbitmq: management API on 127.0.0.1 (added to $conf)"
    printf '# Added by Jumin'"'"'s deploy/local/bootstrap.sh: management API from this machine only.\nmanagement.tcp.ip = 127.0.0.1\nmanagement.tcp.port = 15672\n' |
      as_root tee -a "$conf" >/dev/null
  fi
  rabbit rabbitmqctl -q eval \
    'application:set_env(rabbitmq_management, tcp_config, [{ip, "127.0.0.1"}, {port, 15672}], [{persistent, true}]).' >/dev/null
  if management_open; then
    log "rabbitmq: moving the running management API to 127.0.0.1 (plugin restart)"
    rabbit rabbitmq-plugins -q disable rabbitmq_management >/dev/null
    rabbit rabbitmq-plugins -q enable rabbitmq_management >/dev/null
  fi
}

ensure_rabbit_plugins() {
  local enabled missing=() p
  enabled=$(rabbit rabbitmq-plugins list -q -e -m 2>/dev/null || true)
  for p in "${RABBIT_PLUGINS[@]}"; do
    grep -qx "$p" <<<"$enabled" || missing+=("$p")
  done
  if [[ ${#missing[@]} -eq 0 ]]; then
    log "rabbitmq plugins already enabled: ${RABBIT_PLUGINS[*]}"
    return
  fi
  log "enabling rabbitmq plugins: ${missing[*]}"
  rabbit rabbitmq-plugins enable "${missing[@]}"
}

# ---- Python workspace ----------------------------------------------------------------------------
sync_workspace() {
  log "uv sync --all-packages --locked (all workspace members + dev group)"
  (cd "$JUMIN_ROOT" && uv sync --all-packages --locked)
}

main() {
  ensure_uv
  ensure_python
  ensure_postgres_installed
  ensure_postgres_running
  ensure_rabbit_installed
  ensure_rabbit_running
  ensure_management_on_loopback
  ensure_rabbit_plugins
  ensure_management_on_loopback
  warn_if_open
  link_uv_for_every_shell
  ensure_readme_tools
  sync_workspace
  log "done"
}

# Run unless sourced (sourcing lets a test stub the helpers and drive single steps).
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  main "$@"
fi
