#!/usr/bin/env bash
# Shared by bench/run.sh and bench/drills/*: a real deployment on loopback (RabbitMQ vhost "bench", PostgreSQL database
# externalaction_bench, Release Api on :5080 and Processor on :5090) and the bench tool. Source it; call bench_up.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out="${OUT:-$repo/bench/results}"
mkdir -p "$out"
PG="Host=127.0.0.1;Port=5432;Username=postgres;Password=postgres;Database=externalaction_bench"
RABBIT="amqp://guest:guest@127.0.0.1:5672/bench"
bench=(dotnet "$repo/tools/Bench/bin/Release/net10.0/ExternalAction.Bench.dll")
api_pid=""; processor_pid=""

bench_up() {
  bash "$repo/infra/rabbitmq.sh" start
  bash "$repo/infra/postgres.sh" start
  PGPASSWORD=postgres psql -h 127.0.0.1 -U postgres -q -c "DROP DATABASE IF EXISTS externalaction_bench WITH (FORCE)" -c "CREATE DATABASE externalaction_bench"
  bash "$repo/infra/rabbitmq.sh" ctl delete_vhost bench >/dev/null 2>&1 || true
  bash "$repo/infra/rabbitmq.sh" ctl add_vhost bench >/dev/null
  bash "$repo/infra/rabbitmq.sh" ctl set_permissions -p bench guest ".*" ".*" ".*" >/dev/null
  for project in src/Api/ExternalAction.Api.csproj src/Processor/ExternalAction.Processor.csproj tools/Bench/ExternalAction.Bench.csproj; do
    dotnet build -c Release -v q -nologo "$repo/$project" >/dev/null
  done
  export ASPNETCORE_ENVIRONMENT=Production
  export ExternalAction__RabbitMq__Url="$RABBIT"
  export ExternalAction__Store__Provider=postgres
  export ExternalAction__Store__ConnectionString="$PG;Maximum Pool Size=50"
  export ExternalAction__Actions__File="$repo/bench/actions.json"
  export ExternalAction__Auth__Scheme=apiKey ExternalAction__Auth__ApiKey__Keys__0=bench-key
  export ExternalAction__Intake__AllowHttpLoopback=true ExternalAction__Intake__CallbackHosts__0=127.0.0.1
  export ExternalAction__Processor__RetryBaseSeconds=1 ExternalAction__Processor__RetryMaxSeconds=10
  export Logging__LogLevel__Default=Warning
  trap bench_down EXIT
  start_api
  # PROCESSOR=0 measures intake alone (messages queue up; nothing consumes them).
  if [ "${PROCESSOR:-1}" != 0 ]; then start_processor; fi
}

start_api() {
  dotnet "$repo/src/Api/bin/Release/net10.0/ExternalAction.Api.dll" --urls http://127.0.0.1:5080 >> "$out/api.log" 2>&1 &
  api_pid=$!
  wait_ready http://127.0.0.1:5080/health/live
}

start_processor() {
  dotnet "$repo/src/Processor/bin/Release/net10.0/ExternalAction.Processor.dll" --urls http://127.0.0.1:5090 >> "$out/processor.log" 2>&1 &
  processor_pid=$!
  wait_ready http://127.0.0.1:5090/health/ready
}

wait_ready() {
  for _ in $(seq 1 120); do curl -sf "$1" >/dev/null && return 0; sleep 0.5; done
  echo "$1 not ready" >&2; return 1
}

rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

bench_down() {
  # By pattern: a drill may have restarted a host in a subshell, whose pid this shell never saw.
  pkill -f "bin/Release/net10.0/ExternalAction.(Api|Processor).dll" 2>/dev/null || true
  wait 2>/dev/null || true
}
