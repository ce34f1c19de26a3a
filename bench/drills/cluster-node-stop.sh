#!/usr/bin/env bash
# Drill (issue 14, "clustered broker"): a three-node RabbitMQ cluster on this host (infra/rabbitmq-cluster.sh, ports
# 5676-5678), quorum queues, the Api and the Processor given all three nodes. Node 1 (the one both connect to first) is
# stopped 8 s into a 40 s run at 100 req/s and started again 15 s later. Expected: 0 lost, 0 duplicated (the
# accounting), and no 503 while two of three nodes, a quorum, are up (the answers-by-status column). Loopback only.
# Usage: [RATE=100] bash bench/drills/cluster-node-stop.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
export BENCH_CLUSTER=1   # bench_up: the cluster is this drill's, not a neighbour
bash "$repo/infra/rabbitmq-cluster.sh" start
cluster() { bash "$repo/infra/rabbitmq-cluster.sh" "$@"; }
cluster ctl delete_vhost "$id" >/dev/null 2>&1 || true
cluster ctl add_vhost "$id" >/dev/null
cluster ctl set_permissions -p "$id" guest ".*" ".*" ".*" >/dev/null
RABBIT="amqp://guest:guest@127.0.0.1:5676/$id"
export ExternalAction__RabbitMq__QuorumQueues=true
export ExternalAction__RabbitMq__ClusterNodes__0=127.0.0.1:5676 ExternalAction__RabbitMq__ClusterNodes__1=127.0.0.1:5677 ExternalAction__RabbitMq__ClusterNodes__2=127.0.0.1:5678
bench_up
( sleep 8; echo "drill: stopping node 1 ($(date +%T))"; cluster stop-node 1
  sleep 15; echo "drill: starting node 1 ($(date +%T))"; cluster start-node 1; echo "drill: node 1 back ($(date +%T))" ) &
tool e2e --name drill-cluster-node-stop --api "$API" --key "$KEY" --rate "${RATE:-100}" --duration 40 --warmup 0 --grace 120 --pg "$PG" --out "$out"
