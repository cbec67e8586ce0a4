#!/usr/bin/env bash
# Make sure a Docker engine is installed and answering. Idempotent; meant for root on Debian 12.
# On CI machines there is no engine and no systemd, so we install docker.io from Debian's
# packages and start dockerd ourselves in the background.
set -euo pipefail

LOG=/var/log/assay-dockerd.log
TIMEOUT_S="${ASSAY_DOCKER_TIMEOUT_S:-60}"

log() { echo "ensure-docker: $*" >&2; }

if [ "$(id -u)" -ne 0 ] && ! docker info >/dev/null 2>&1; then
  log "must run as root to install or start dockerd"
  exit 1
fi

if ! command -v dockerd >/dev/null 2>&1; then
  log "dockerd missing: installing docker.io"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y docker.io
fi

if docker info >/dev/null 2>&1; then
  log "docker is up"
  exit 0
fi

# A stale pid file from a previous (dead) daemon makes dockerd refuse to start.
if [ -f /var/run/docker.pid ] && ! kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then
  rm -f /var/run/docker.pid
fi

# A live pid file means a daemon is already starting: just wait for it (no procps needed).
if [ ! -f /var/run/docker.pid ]; then
  log "starting dockerd (log: $LOG)"
  # setsid + nohup: the daemon must outlive this script and the shell that ran it.
  setsid nohup dockerd >>"$LOG" 2>&1 </dev/null &
fi

deadline=$(( $(date +%s) + TIMEOUT_S ))
until docker info >/dev/null 2>&1; do
  if [ "$(date +%s)" -ge "$deadline" ]; then
    log "dockerd did not answer within ${TIMEOUT_S}s; last lines of $LOG:"
    tail -n 30 "$LOG" >&2 || true
    exit 1
  fi
  sleep 0.5
done
log "docker is up"
