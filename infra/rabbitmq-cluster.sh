#!/usr/bin/env bash
# A three-node RabbitMQ cluster on this host, for the clustered-broker drill and its test: nodes rabbit5, rabbit6 and
# rabbit7 @localhost on AMQP ports 5676, 5677 and 5678 (distribution 25676-25678, epmd and everything on loopback), each
# with its own data directory, run by infra/rabbitmq.sh as instances 5-7. Independent of the development node (5672)
# and the outage-test node (5673). Idempotent.
# Usage: infra/rabbitmq-cluster.sh start|stop|status|stop-node N|start-node N|ctl <rabbitmqctl args>   (N = 1, 2 or 3)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
first=5
instances=(5 6 7)

node() { EXTERNALACTION_RABBITMQ_URL="" EXTERNALACTION_RABBITMQ_INSTANCE="$1" bash "$here/rabbitmq.sh" "${@:2}"; }

# Joins a freshly started node to the first one's cluster (a node that is already a member is left alone).
join() {
  local instance=$1 log=/var/lib/rabbitmq/externalaction-cluster-join.log
  if node "$first" ctl cluster_status --formatter json 2>/dev/null | grep -q "\"rabbit$instance@localhost\""; then
    # A member: it must also be running (after a stop-node it is a member that is down).
    return 0
  fi
  node "$instance" ctl stop_app >>"$log" 2>&1 || { tail -n 20 "$log" >&2; return 1; }
  node "$instance" ctl reset >>"$log" 2>&1 || { tail -n 20 "$log" >&2; return 1; }
  node "$instance" ctl join_cluster "rabbit$first@localhost" >>"$log" 2>&1 || { tail -n 20 "$log" >&2; return 1; }
  node "$instance" ctl start_app >>"$log" 2>&1 || { tail -n 20 "$log" >&2; return 1; }
}

start() {
  # Together, not one after another: nodes of a cluster that was stopped as a whole wait at boot for the member that
  # stopped last, so a node started alone would wait for peers that are not started yet.
  local pids=() failed=0
  for i in "${instances[@]}"; do node "$i" start & pids+=($!); done
  for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
  [ "$failed" = 0 ] || { echo "A cluster node did not start." >&2; return 1; }
  for i in "${instances[@]:1}"; do join "$i"; done
  node "$first" ctl await_online_nodes 3 --timeout 60 >/dev/null 2>&1 || node "$first" ctl await_online_nodes 3 >/dev/null
  echo "RabbitMQ cluster running: 127.0.0.1:5676, :5677, :5678 (nodes rabbit5, rabbit6, rabbit7 @localhost)."
}

stop() { for i in "${instances[@]}"; do node "$i" stop; done; }

index() {
  case "${1:-}" in 1|2|3) echo $((first + $1 - 1)) ;; *) echo "node must be 1, 2 or 3" >&2; exit 2 ;; esac
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) node "$first" ctl cluster_status ;;
  stop-node) node "$(index "${2:-}")" stop ;;
  # A member restarted rejoins the cluster by itself (its data directory remembers it).
  start-node) node "$(index "${2:-}")" start ;;
  ctl) shift; node "$first" ctl "$@" ;;
  *) echo "usage: $0 start|stop|status|stop-node N|start-node N|ctl <args>" >&2; exit 2 ;;
esac
