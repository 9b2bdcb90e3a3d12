# Shared helpers for the deploy/local scripts. Source it; do not run it.
#   . "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck shell=bash

JUMIN_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export JUMIN_ROOT

# uv installed by bootstrap.sh lands in ~/.local/bin, which a fresh root shell may not have on PATH.
case ":$PATH:" in
  *":$HOME/.local/bin:"*) ;;
  *) PATH="$HOME/.local/bin:$PATH" ;;
esac
export PATH

# ---- defaults (every one can be overridden from the environment) ---------------------------------
: "${JUMIN_DB_NAME:=jumin}"
: "${JUMIN_PG_HOST:=127.0.0.1}"
: "${JUMIN_PG_PORT:=5432}"
: "${JUMIN_AMQP_VHOST:=jumin}"
: "${JUMIN_AMQP_HOST:=127.0.0.1}"
: "${JUMIN_AMQP_PORT:=5672}"
: "${JUMIN_REGISTRY_OWNER_PASSWORD:=jumin_registry_owner}"
: "${JUMIN_REGISTRY_DB_PASSWORD:=jumin_registry}"
: "${JUMIN_REGISTRY_AMQP_PASSWORD:=jumin_registry}"
# Broker admin of the vhost (declares the topology; no management tags). The other services'
# broker passwords, JUMIN_<SERVICE>_AMQP_PASSWORD, default to their user names in topology.py.
: "${JUMIN_AMQP_ADMIN_PASSWORD:=jumin_admin}"
# cs_adapter (市町村CS連携): its own schema owner, service role and broker user.
: "${JUMIN_CS_ADAPTER_OWNER_PASSWORD:=jumin_cs_adapter_owner}"
: "${JUMIN_CS_ADAPTER_DB_PASSWORD:=jumin_cs_adapter}"
: "${JUMIN_CS_ADAPTER_AMQP_PASSWORD:=jumin_cs_adapter}"
export JUMIN_DB_NAME JUMIN_PG_HOST JUMIN_PG_PORT JUMIN_AMQP_VHOST JUMIN_AMQP_HOST JUMIN_AMQP_PORT
export JUMIN_REGISTRY_OWNER_PASSWORD JUMIN_REGISTRY_DB_PASSWORD JUMIN_REGISTRY_AMQP_PASSWORD
export JUMIN_AMQP_ADMIN_PASSWORD
export JUMIN_CS_ADAPTER_OWNER_PASSWORD JUMIN_CS_ADAPTER_DB_PASSWORD JUMIN_CS_ADAPTER_AMQP_PASSWORD

# Names fixed by the design (used by the scripts that source this file).
# shellcheck disable=SC2034
JUMIN_REGISTRY_OWNER_ROLE=jumin_registry_owner
JUMIN_REGISTRY_ROLE=jumin_registry
# shellcheck disable=SC2034
JUMIN_REGISTRY_AMQP_USER=jumin_registry
# shellcheck disable=SC2034
JUMIN_AMQP_ADMIN_USER=jumin_admin
# shellcheck disable=SC2034
JUMIN_CS_ADAPTER_OWNER_ROLE=jumin_cs_adapter_owner
# shellcheck disable=SC2034
JUMIN_CS_ADAPTER_ROLE=jumin_cs_adapter
JUMIN_CS_ADAPTER_AMQP_USER=jumin_cs_adapter

# ---- logging -------------------------------------------------------------------------------------
# Colour only on a terminal, so CI logs stay plain.
_mark() {
  if [[ -t 2 ]]; then printf '\033[1;%sm%s\033[0m' "$1" "$2"; else printf '%s' "$2"; fi
}
log() { printf '%s [%s] %s\n' "$(_mark 34 '==>')" "${JUMIN_STEP:-jumin}" "$*" >&2; }
warn() { printf '%s [%s] %s\n' "$(_mark 33 '!!!')" "${JUMIN_STEP:-jumin}" "$*" >&2; }
die() {
  printf '%s [%s] %s\n' "$(_mark 31 'xxx')" "${JUMIN_STEP:-jumin}" "$*" >&2
  exit 1
}

# ---- privilege helpers ---------------------------------------------------------------------------
is_root() { [[ "$(id -u)" -eq 0 ]]; }

as_root() {
  if is_root; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo -- "$@"
  else
    die "need root for: $* (run as root or install sudo)"
  fi
}

# Run as the postgres OS user: works with peer auth (fresh Debian) and trust alike.
# cd / so postgres never trips over an unreadable working directory.
as_postgres() {
  if is_root; then
    (cd / && runuser -u postgres -- "$@")
  else
    (cd / && sudo -u postgres -- "$@")
  fi
}

# rabbitmqctl & co. must run as root or rabbitmq (Debian's wrapper switches to rabbitmq itself).
rabbit() { as_root "$@"; }

# ---- small utilities -----------------------------------------------------------------------------
have() { command -v "$1" >/dev/null 2>&1; }

# tcp_open HOST PORT: true when something accepts connections there.
tcp_open() { (exec 3<>"/dev/tcp/$1/$2") >/dev/null 2>&1; }

# wait_until SECONDS DESCRIPTION CMD...: poll CMD once a second.
wait_until() {
  local timeout=$1 what=$2
  shift 2
  local i
  for ((i = 0; i < timeout; i++)); do
    if "$@"; then return 0; fi
    sleep 1
  done
  die "timed out after ${timeout}s waiting for ${what}"
}

# urlencode STRING: percent-encode for use as a URL userinfo/path component.
urlencode() {
  local LC_ALL=C s=$1 out='' c i
  for ((i = 0; i < ${#s}; i++)); do
    c=${s:i:1}
    case $c in
      [a-zA-Z0-9._~-]) out+=$c ;;
      *) printf -v c '%%%02X' "'$c"; out+=$c ;;
    esac
  done
  printf '%s' "$out"
}

# pg_url ROLE PASSWORD DBNAME
pg_url() {
  printf 'postgresql://%s:%s@%s:%s/%s' "$(urlencode "$1")" "$(urlencode "$2")" \
    "$JUMIN_PG_HOST" "$JUMIN_PG_PORT" "$(urlencode "$3")"
}

# valid_db_name NAME: keep database names boring (they end up in URLs and SQL identifiers).
valid_db_name() { [[ "$1" =~ ^[a-z_][a-z0-9_]{0,62}$ ]]; }

# registry_env DBNAME: export the registry's connection URLs for that database.
registry_env() {
  local db=$1
  valid_db_name "$db" || die "bad database name '$db' (want [a-z_][a-z0-9_]*)"
  JUMIN_REGISTRY_DATABASE_URL="$(pg_url "$JUMIN_REGISTRY_ROLE" "$JUMIN_REGISTRY_DB_PASSWORD" "$db")"
  JUMIN_REGISTRY_MIGRATION_DATABASE_URL="$(pg_url "$JUMIN_REGISTRY_OWNER_ROLE" "$JUMIN_REGISTRY_OWNER_PASSWORD" "$db")"
  # The broker URL follows JUMIN_AMQP_VHOST unless it was given outright.
  : "${JUMIN_REGISTRY_AMQP_URL:=$(amqp_url "$JUMIN_REGISTRY_AMQP_USER" "$JUMIN_REGISTRY_AMQP_PASSWORD")}"
  export JUMIN_REGISTRY_DATABASE_URL JUMIN_REGISTRY_MIGRATION_DATABASE_URL JUMIN_REGISTRY_AMQP_URL
}

# amqp_url USER PASSWORD: the broker URL of a service user on the Jumin vhost.
amqp_url() {
  printf 'amqp://%s:%s@%s:%s/%s' "$(urlencode "$1")" "$(urlencode "$2")" \
    "$JUMIN_AMQP_HOST" "$JUMIN_AMQP_PORT" "$(urlencode "$JUMIN_AMQP_VHOST")"
}

# cs_adapter_env DBNAME: export the cs_adapter's database and broker URLs for that database.
cs_adapter_env() {
  local db=$1
  valid_db_name "$db" || die "bad database name '$db' (want [a-z_][a-z0-9_]*)"
  JUMIN_CS_ADAPTER_DATABASE_URL="$(pg_url "$JUMIN_CS_ADAPTER_ROLE" "$JUMIN_CS_ADAPTER_DB_PASSWORD" "$db")"
  JUMIN_CS_ADAPTER_MIGRATION_DATABASE_URL="$(pg_url "$JUMIN_CS_ADAPTER_OWNER_ROLE" "$JUMIN_CS_ADAPTER_OWNER_PASSWORD" "$db")"
  JUMIN_CS_ADAPTER_AMQP_URL="$(amqp_url "$JUMIN_CS_ADAPTER_AMQP_USER" "$JUMIN_CS_ADAPTER_AMQP_PASSWORD")"
  export JUMIN_CS_ADAPTER_DATABASE_URL JUMIN_CS_ADAPTER_MIGRATION_DATABASE_URL JUMIN_CS_ADAPTER_AMQP_URL
}
