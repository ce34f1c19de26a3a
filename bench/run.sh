#!/usr/bin/env bash
# One command for the benchmark: starts RabbitMQ and PostgreSQL, a Release Api and Processor against them, and runs
# the bench tool (intake vs naive baseline vs floor at the same rates; end to end with outcome accounting; closed
# loop). Results (JSON, Markdown, SVG) land in bench/results/. Loopback only; bounded in time.
# Usage: bench/run.sh [RATES=200,500,1000] [DURATION=10] [E2E_RATE=500] [E2E_DURATION=20]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
RATES="${RATES:-200,500,1000}"; DURATION="${DURATION:-10}"; E2E_RATE="${E2E_RATE:-500}"; E2E_DURATION="${E2E_DURATION:-20}"
out="$PWD/bench/results"; mkdir -p "$out"

bash infra/rabbitmq.sh start
bash infra/postgres.sh start
export PGPASSWORD=postgres
psql -h 127.0.0.1 -U postgres -q -c "DROP DATABASE IF EXISTS externalaction_bench WITH (FORCE)" -c "CREATE DATABASE externalaction_bench"
bash infra/rabbitmq.sh ctl delete_vhost bench >/dev/null 2>&1 || true
bash infra/rabbitmq.sh ctl add_vhost bench >/dev/null
bash infra/rabbitmq.sh ctl set_permissions -p bench guest ".*" ".*" ".*" >/dev/null

dotnet build -c Release -v q -nologo src/Api/ExternalAction.Api.csproj
dotnet build -c Release -v q -nologo src/Processor/ExternalAction.Processor.csproj
dotnet build -c Release -v q -nologo tools/Bench/ExternalAction.Bench.csproj

export ASPNETCORE_ENVIRONMENT=Production
export ExternalAction__RabbitMq__Url="amqp://guest:guest@127.0.0.1:5672/bench"
export ExternalAction__Store__Provider=postgres
export ExternalAction__Store__ConnectionString="Host=127.0.0.1;Port=5432;Username=postgres;Password=postgres;Database=externalaction_bench;Maximum Pool Size=50"
export ExternalAction__Actions__File="$PWD/bench/actions.json"
export ExternalAction__Auth__Scheme=apiKey ExternalAction__Auth__ApiKey__Keys__0=bench-key
export ExternalAction__Intake__AllowHttpLoopback=true ExternalAction__Intake__CallbackHosts__0=127.0.0.1
export Logging__LogLevel__Default=Warning

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
dotnet src/Api/bin/Release/net10.0/ExternalAction.Api.dll --urls http://127.0.0.1:5080 > "$out/api.log" 2>&1 & pids+=($!)
dotnet src/Processor/bin/Release/net10.0/ExternalAction.Processor.dll --urls http://127.0.0.1:5090 > "$out/processor.log" 2>&1 & pids+=($!)
for url in http://127.0.0.1:5080/health/ready http://127.0.0.1:5090/health/ready; do
  for _ in $(seq 1 120); do curl -sf "$url" >/dev/null && break; sleep 0.5; done
  curl -sf "$url" >/dev/null || { echo "$url not ready"; exit 1; }
done

bench=(dotnet tools/Bench/bin/Release/net10.0/ExternalAction.Bench.dll)
"${bench[@]}" all --api http://127.0.0.1:5080 --key bench-key --rabbit "amqp://guest:guest@127.0.0.1:5672/bench" --rates "$RATES" --duration "$DURATION" --out "$out"
"${bench[@]}" e2e --api http://127.0.0.1:5080 --key bench-key --rate "$E2E_RATE" --duration "$E2E_DURATION" --grace 60 \
  --pg "Host=127.0.0.1;Port=5432;Username=postgres;Password=postgres;Database=externalaction_bench" --out "$out"
"${bench[@]}" max --api http://127.0.0.1:5080 --key bench-key --workers 64 --duration 10 --out "$out"
echo "Results in $out"
