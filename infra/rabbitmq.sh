#!/usr/bin/env bash
# RabbitMQ for development and CI on a Debian/Ubuntu host: installs the Debian package if missing and runs a node on
# 127.0.0.1 only (AMQP 5672, distribution and epmd on loopback too) with its data under .data/rabbitmq of this
# repository. Idempotent. Usage: infra/rabbitmq.sh start|stop|restart|status|ctl <rabbitmqctl args>
# With EXTERNALACTION_RABBITMQ_URL set, a broker is provided elsewhere and start/stop do nothing.
set -euo pipefail

# A second, independent node (EXTERNALACTION_RABBITMQ_INSTANCE=2: port 5673) lets tests stop "their" broker
# without disturbing suites that run at the same time on the first one.
instance="${EXTERNALACTION_RABBITMQ_INSTANCE:-1}"
suffix=$([ "$instance" = 1 ] && echo "" || echo "$instance")
port=$((5671 + instance))
# Data lives where the rabbitmq user (the Debian wrappers run the node as that user) can always reach it; a checkout
# under a private folder (mktemp -d is mode 700) would not be.
base="${EXTERNALACTION_RABBITMQ_DATA:-/var/lib/rabbitmq/externalaction$suffix}"

export RABBITMQ_NODENAME="rabbit$suffix@localhost"
export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
export RABBITMQ_NODE_PORT=$port
export RABBITMQ_DIST_PORT=$((25671 + instance))
export ERL_EPMD_ADDRESS=127.0.0.1
export RABBITMQ_MNESIA_BASE="$base/mnesia"
export RABBITMQ_LOG_BASE="$base/log"
export RABBITMQ_PID_FILE="$base/rabbit.pid"
export RABBITMQ_ENABLED_PLUGINS_FILE="$base/enabled_plugins"
export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
export RABBITMQ_CTL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"

install() {
  if ! command -v rabbitmq-server >/dev/null 2>&1; then
    echo "Installing rabbitmq-server (apt)…"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # The package's own service start fails without systemd; the node is started below instead.
    apt-get install -y -qq rabbitmq-server >/dev/null || command -v rabbitmq-server >/dev/null
  fi
  mkdir -p "$base/mnesia" "$base/log"
  touch "$RABBITMQ_ENABLED_PLUGINS_FILE"
  # The Debian wrappers run the node as the rabbitmq user when called as root.
  if id rabbitmq >/dev/null 2>&1; then chown -R rabbitmq:rabbitmq "$base"; fi
}

ctl() { rabbitmqctl -n "$RABBITMQ_NODENAME" "$@"; }

running() { ctl status >/dev/null 2>&1; }

start() {
  if [ -n "${EXTERNALACTION_RABBITMQ_URL:-}" ]; then echo "EXTERNALACTION_RABBITMQ_URL is set: using that broker."; return 0; fi
  install
  if running; then echo "RabbitMQ already running on 127.0.0.1:$port."; return 0; fi
  # The package's own node (if apt started one) would hold port 5672.
  if [ "$instance" = 1 ] && command -v service >/dev/null 2>&1; then service rabbitmq-server stop >/dev/null 2>&1 || true; fi
  rabbitmq-server -detached
  # The node registers with epmd a moment after -detached returns; await_startup needs it registered.
  local deadline=$((SECONDS + 90))
  while [ "$SECONDS" -lt "$deadline" ]; do
    if ctl await_startup --timeout 5 >/dev/null 2>&1; then
      echo "RabbitMQ running on 127.0.0.1:$port (data in $base)."
      return 0
    fi
    sleep 1
  done
  echo "RabbitMQ did not start within 90 s; see $base/log" >&2
  tail -n 20 "$base"/log/*.log >&2 2>/dev/null || true
  return 1
}

stop() {
  if [ -n "${EXTERNALACTION_RABBITMQ_URL:-}" ]; then return 0; fi
  if running; then ctl stop >/dev/null; fi
  for _ in $(seq 1 60); do
    if ! (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; then echo "RabbitMQ stopped."; return 0; fi
    sleep 0.5
  done
  echo "RabbitMQ did not stop within 30 s" >&2; return 1
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  restart) stop; start ;;
  status) if running; then echo running; else echo stopped; exit 3; fi ;;
  ctl) shift; ctl "$@" ;;
  *) echo "usage: $0 start|stop|restart|status|ctl <args>" >&2; exit 2 ;;
esac
