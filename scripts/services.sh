#!/usr/bin/env bash
# Brings up what Assay needs on this machine, idempotently: Docker (scripts/ensure-docker.sh),
# Redis and PostgreSQL from Debian's packages, each run from a data dir under .assay/ on loopback,
# and the npm packages. Something already answering on a port is reused.
#
#   bash scripts/services.sh [up|down|status]      (default: up)
#
# Ports and URLs follow platform/src/config.ts: PostgreSQL on 127.0.0.1:5433 (user assay, trust
# auth on loopback, database assay), Redis on 127.0.0.1:6380 (noeviction, AOF everysec).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DATA="$ROOT/.assay"
PG_PORT="${ASSAY_PG_PORT:-5433}"
REDIS_PORT="${ASSAY_REDIS_PORT:-6380}"
PG_DB="${ASSAY_PG_DB:-assay}"
PG_USER=assay

log() { echo "services: $*" >&2; }
die() { echo "services: error: $*" >&2; exit 1; }

apt_updated=0
apt_install() {
  if [ "$(id -u)" -ne 0 ]; then die "$* is missing and only root can install it: run 'sudo apt-get install -y $*' and retry"; fi
  export DEBIAN_FRONTEND=noninteractive
  if [ "$apt_updated" = 0 ]; then apt-get update -qq; apt_updated=1; fi
  log "installing $* from Debian's packages"
  # policy-rc.d 101: the packages must not start their own system-wide instances.
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  apt-get install -y -qq --no-install-recommends "$@" >/dev/null
  rm -f /usr/sbin/policy-rc.d
}

pg_bin() {
  local d
  d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  [ -n "$d" ] && [ -x "$d/postgres" ] && echo "$d"
}

# --- Docker ---------------------------------------------------------------------------
docker_up() {
  if [ -f "$ROOT/scripts/ensure-docker.sh" ]; then
    bash "$ROOT/scripts/ensure-docker.sh"
  elif ! docker info >/dev/null 2>&1; then
    die "Docker is not answering: install docker.io and start dockerd"
  fi
}

# --- Redis ----------------------------------------------------------------------------
redis_ping() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; }

redis_up() {
  command -v redis-server >/dev/null 2>&1 || apt_install redis-server
  if redis_ping; then log "redis already answering on 127.0.0.1:$REDIS_PORT"; return; fi
  mkdir -p "$DATA/redis"
  log "starting redis on 127.0.0.1:$REDIS_PORT (data: $DATA/redis)"
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --protected-mode yes \
    --dir "$DATA/redis" --daemonize yes --pidfile "$DATA/redis/redis.pid" --logfile "$DATA/redis/redis.log" \
    --maxmemory-policy noeviction --appendonly yes --appendfsync everysec --save ''
  for _ in $(seq 1 100); do redis_ping && return; sleep 0.1; done
  tail -n 20 "$DATA/redis/redis.log" >&2 || true
  die "redis did not answer on 127.0.0.1:$REDIS_PORT (log above)"
}

# --- PostgreSQL -----------------------------------------------------------------------
# postgres refuses to run as root: as root we run it as the `postgres` OS user.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

pg_ready() { "$1/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" >/dev/null 2>&1; }

pg_up() {
  local bin
  bin="$(pg_bin || true)"
  if [ -z "$bin" ]; then apt_install postgresql; bin="$(pg_bin)" || die "postgresql installed but no server binaries under /usr/lib/postgresql"; fi
  if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
    useradd --system --home-dir /var/lib/postgresql --shell /usr/sbin/nologin postgres
  fi
  local dir="$DATA/pg"
  if ! pg_ready "$bin"; then
    mkdir -p "$DATA"
    if [ "$(id -u)" -eq 0 ] && [ ! -e "$dir" ]; then
      chmod 755 "$DATA"
      # The postgres user must reach the data dir; under a private parent (e.g. /root, mode 700)
      # it cannot, so the cluster then lives under /var/lib/assay with .assay/pg linking to it.
      if ! runuser -u postgres -- test -x "$DATA"; then
        local alt="/var/lib/assay/$(printf '%s' "$ROOT" | sha256sum | cut -c1-12)/pg"
        mkdir -p "$alt" && ln -sfn "$alt" "$dir"
        log "$DATA is not reachable by the postgres user: keeping the cluster in $alt"
      fi
    fi
    dir="$(readlink -f "$dir")"
    mkdir -p "$dir/run"
    [ "$(id -u)" -eq 0 ] && chown -R postgres: "$dir"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      log "initialising a PostgreSQL cluster in $dir/data"
      as_pg "$bin/initdb" -D "$dir/data" -U "$PG_USER" --auth=trust --no-locale -E UTF8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; die "initdb failed (log above)"; }
    fi
    log "starting PostgreSQL on 127.0.0.1:$PG_PORT (data: $dir/data)"
    as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
      -o "-p $PG_PORT -k $dir/run -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=128MB" start >/dev/null \
      || { tail -n 30 "$dir/postgres.log" >&2; die "PostgreSQL did not start (log above)"; }
  else
    log "PostgreSQL already answering on 127.0.0.1:$PG_PORT"
  fi
  if ! "$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" -d postgres -tAc "select 1 from pg_database where datname='$PG_DB'" | grep -q 1; then
    "$bin/createdb" -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" "$PG_DB"
    log "created database $PG_DB"
  fi
}

# --- npm packages ---------------------------------------------------------------------
deps_up() {
  if [ ! -d "$ROOT/node_modules/.bin" ] || [ ! -e "$ROOT/node_modules/bullmq" ]; then
    log "installing npm packages"
    (cd "$ROOT" && if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi)
  fi
}

down() {
  local bin
  bin="$(pg_bin || true)"
  local dir
  dir="$(readlink -f "$DATA/pg" 2>/dev/null || true)"
  if [ -n "$bin" ] && [ -n "$dir" ] && [ -f "$dir/data/postmaster.pid" ]; then as_pg "$bin/pg_ctl" -D "$dir/data" -m fast stop || true; fi
  if [ -f "$DATA/redis/redis.pid" ]; then redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true; fi
}

status() {
  local bin
  bin="$(pg_bin || true)"
  if redis_ping; then echo "redis: up on 127.0.0.1:$REDIS_PORT"; else echo "redis: down"; fi
  if [ -n "$bin" ] && pg_ready "$bin"; then echo "postgres: up on 127.0.0.1:$PG_PORT"; else echo "postgres: down"; fi
  if docker info >/dev/null 2>&1; then echo "docker: up"; else echo "docker: down"; fi
}

case "${1:-up}" in
  up)
    mkdir -p "$DATA"; deps_up; docker_up; redis_up; pg_up
    log "ready: DATABASE_URL=postgres://$PG_USER@127.0.0.1:$PG_PORT/$PG_DB REDIS_URL=redis://127.0.0.1:$REDIS_PORT"
    ;;
  down) down ;;
  status) status ;;
  *) die "usage: bash scripts/services.sh [up|down|status]" ;;
esac
