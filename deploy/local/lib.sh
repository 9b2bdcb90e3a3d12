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
# One broker administration at a time on this machine (provision.sh, jumin_testing.broker).
: "${JUMIN_BROKER_ADMIN_LOCK:=/tmp/jumin-broker-admin.lock}"
export JUMIN_BROKER_ADMIN_LOCK

# The machine's random passwords (jumin_platform.secrets; made by provision.sh, mode 0600).
: "${JUMIN_SECRETS_DIR:=$JUMIN_ROOT/var/secrets}"
export JUMIN_DB_NAME JUMIN_PG_HOST JUMIN_PG_PORT JUMIN_AMQP_VHOST JUMIN_AMQP_HOST JUMIN_AMQP_PORT
export JUMIN_SECRETS_DIR

# ---- services ------------------------------------------------------------------------------------
# Every service with its own schema, in the order provisioning migrates them. Adding a service is
# adding its name here (docs/adding-a-service.md). Each NAME gets the PostgreSQL roles
# jumin_NAME_owner (owns schema NAME, runs its migrations) and jumin_NAME (the service: DML only),
# the broker user jumin_NAME (declared in the topology), and the console script jumin-NAME
# (underscores as dashes) with the sub-commands `migrate` and `dev-keys`.
JUMIN_SERVICES=(registry cs_adapter koseki_adapter moj_notify audit_witness)

# Broker admin of the vhost (declares the topology; no management tags).
# shellcheck disable=SC2034
JUMIN_AMQP_ADMIN_USER=jumin_admin

# service_prefix NAME: the prefix of the service's variables (cs_adapter → JUMIN_CS_ADAPTER).
service_prefix() { printf 'JUMIN_%s' "${1^^}"; }

# load_secrets: export every password of $JUMIN_SECRETS_DIR/passwords.env that the environment
# does not already set (the environment wins). The file is written by `ensure_secrets`.
load_secrets() {
  local file="$JUMIN_SECRETS_DIR/passwords.env" name value
  [[ -f $file ]] || return 0
  while IFS='=' read -r name value; do
    [[ $name =~ ^JUMIN_[A-Z0-9_]+_PASSWORD$ && -n $value ]] || continue
    [[ -n ${!name-} ]] || export "$name=$value"
  done <"$file"
}

# ensure_secrets: give every role and broker user a random password unless it has one, then load
# them (python -m jumin_platform.secrets ensure; needs the synced workspace).
ensure_secrets() {
  (cd "$JUMIN_ROOT" && uv run --locked python -m jumin_platform.secrets ensure "${JUMIN_SERVICES[@]}")
  load_secrets
}

# service_password NAME OWNER|DB|AMQP: $JUMIN_<NAME>_<KIND>_PASSWORD (environment or secrets file).
service_password() {
  local var
  var="$(service_prefix "$1")_$2_PASSWORD"
  [[ -n ${!var-} ]] || die "no password in $var: run 'make provision' (it makes $JUMIN_SECRETS_DIR/passwords.env)"
  printf '%s' "${!var}"
}

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

# amqp_url USER PASSWORD: the broker URL of a service user on the Jumin vhost.
amqp_url() {
  printf 'amqp://%s:%s@%s:%s/%s' "$(urlencode "$1")" "$(urlencode "$2")" \
    "$JUMIN_AMQP_HOST" "$JUMIN_AMQP_PORT" "$(urlencode "$JUMIN_AMQP_VHOST")"
}

# service_env NAME DBNAME: export the service's database URLs (service and owner role) for that
# database and its broker URL on the Jumin vhost (kept when given outright).
service_env() {
  local name=$1 db=$2 prefix amqp_var
  valid_db_name "$db" || die "bad database name '$db' (want [a-z_][a-z0-9_]*)"
  service_password "$name" DB >/dev/null # dies here, naming the variable, when one is missing
  service_password "$name" OWNER >/dev/null
  prefix=$(service_prefix "$name")
  export "${prefix}_DATABASE_URL=$(pg_url "jumin_$name" "$(service_password "$name" DB)" "$db")"
  export "${prefix}_MIGRATION_DATABASE_URL=$(pg_url "jumin_${name}_owner" "$(service_password "$name" OWNER)" "$db")"
  amqp_var="${prefix}_AMQP_URL"
  export "$amqp_var=${!amqp_var:-$(amqp_url "jumin_$name" "$(service_password "$name" AMQP)")}"
}

# services_env DBNAME: service_env for every service.
services_env() {
  local name
  for name in "${JUMIN_SERVICES[@]}"; do service_env "$name" "$1"; done
}

load_secrets
