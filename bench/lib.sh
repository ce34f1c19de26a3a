#!/usr/bin/env bash
# Shared by bench/run.sh and bench/drills/*: a real deployment on loopback (RabbitMQ vhost "bench", PostgreSQL database
# externalaction_bench, Release Api on :5080 and Processor on :5090) and the bench tool. Source it, then call bench_up;
# the hosts it started (and only those, by pid) are stopped on exit.
set -euo pipefail
# BENCH_REPO=DIR runs the hosts and the tool of another checkout (e.g. a git worktree of the commit before a change),
# so bench/compare.sh can put two builds side by side: "before:BENCH_REPO=/tmp/before" "after:".
repo=${BENCH_REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
out="${OUT:-$repo/bench/results}"
mkdir -p "$out/pids"
# TLS to a database on loopback protects nothing and cost the Processor and PostgreSQL CPU on every round trip (see
# docs/benchmarks.md); PG_SSL_MODE=Prefer measures the driver's default. PG_EXTRA appends settings (";Max Auto Prepare=0").
# BENCH_ID=NAME (default bench) gives a run its own vhost and database, and API_PORT / PROCESSOR_PORT / SINK_PORT its own
# ports (defaults 5080 / 5090 / 5099), so two checkouts can measure on one machine without dropping each other's database.
id=${BENCH_ID:-bench}
db="externalaction_${id//-/_}"
SINK_PORT=${SINK_PORT:-5099}
# BENCH_RABBIT_INSTANCE=N runs on a RabbitMQ node of its own (infra/rabbitmq.sh instance N, port 5671+N) and
# BENCH_PG_PORT=P on a PostgreSQL server of its own (infra/postgres.sh on port P): what the outage drills stop and start,
# so the shared broker and database never go down.
if [ -n "${BENCH_RABBIT_INSTANCE:-}" ]; then export EXTERNALACTION_RABBITMQ_INSTANCE=$BENCH_RABBIT_INSTANCE; unset EXTERNALACTION_RABBITMQ_URL; fi
RABBIT_PORT=$((5671 + ${EXTERNALACTION_RABBITMQ_INSTANCE:-1}))
PG_PORT=${BENCH_PG_PORT:-5432}
if [ "$PG_PORT" != 5432 ]; then export EXTERNALACTION_POSTGRES_PORT=$PG_PORT; fi
PG="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Password=postgres;Database=$db;SSL Mode=${PG_SSL_MODE:-Disable}${PG_EXTRA:-}"
RABBIT="amqp://guest:guest@127.0.0.1:$RABBIT_PORT/$id"
API=http://127.0.0.1:${API_PORT:-5080}
PROCESSOR_URL=http://127.0.0.1:${PROCESSOR_PORT:-5090}
# The naive confirm-per-request endpoint as a process of its own (start_naive_endpoint), so its CPU is read like the Api's.
NAIVE_URL=http://127.0.0.1:${NAIVE_PORT:-5098}
KEY=bench-key-0123456789  # at least 16 characters, or the Api refuses to start
SUPPORT_KEY=bench-support-key
SFMC_SECRET=bench-sfmc-signing-secret-0123456789abcdef0123456789abcdef  # Journey Builder's JWT signing secret (≥ 32 bytes)
bench=(dotnet "$repo/tools/Bench/bin/Release/net10.0/ExternalAction.Bench.dll")
own=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)   # this checkout, whatever BENCH_REPO says (warm_hosts runs its tool)

# Processes that take the two cores from the ones under test and are not part of the run: the three-node cluster
# (infra/rabbitmq-cluster.sh, left running by a drill or a test), test hosts and builds. Listed in $out/neighbours.txt
# and on stderr, so a run's numbers carry the fact; the cluster drill, which wants the cluster, sets BENCH_CLUSTER=1.
neighbours() {
  local pattern='rabbit[5-7]@localhost|testhost|vstest\.console|dotnet (build|test)|MSBuild\.dll'
  [ "${BENCH_CLUSTER:-0}" = 1 ] && pattern='testhost|vstest\.console|dotnet (build|test)|MSBuild\.dll'
  ps -eo pid=,pcpu=,args= | grep -E -- "$pattern" | grep -v -E "grep -E|ps -eo" | cut -c1-200 || true
}

bench_up() {
  mkdir -p "$out"
  local others
  others=$(neighbours)
  if [ -n "$others" ]; then
    printf '%s\n' "$others" > "$out/neighbours.txt"
    echo "WARNING: processes that compete for the CPU are running (the numbers of this run count them; $out/neighbours.txt):" >&2
    printf '%s\n' "$others" | sed 's/^/  /' >&2
  else
    rm -f "$out/neighbours.txt"
  fi
  bash "$repo/infra/rabbitmq.sh" start
  bash "$repo/infra/postgres.sh" start
  PGPASSWORD=postgres psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -q -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
  bash "$repo/infra/rabbitmq.sh" ctl delete_vhost "$id" >/dev/null 2>&1 || true
  bash "$repo/infra/rabbitmq.sh" ctl add_vhost "$id" >/dev/null
  bash "$repo/infra/rabbitmq.sh" ctl set_permissions -p "$id" guest ".*" ".*" ".*" >/dev/null
  # RABBIT_POLICY: a policy definition (JSON) for every queue of the bench vhost, set before anything declares one (a
  # what-if on the broker, e.g. "cqv2:RABBIT_POLICY={\"queue-version\":2}"; no commas: they separate settings).
  if [ -n "${RABBIT_POLICY:-}" ]; then
    bash "$repo/infra/rabbitmq.sh" ctl set_policy -p "$id" --apply-to queues bench-what-if ".*" "$RABBIT_POLICY" >/dev/null
  fi
  for project in src/Api/ExternalAction.Api.csproj src/Processor/ExternalAction.Processor.csproj tools/Bench/ExternalAction.Bench.csproj; do
    dotnet build -c Release -v q -nologo "$repo/$project" >/dev/null
  done
  export ASPNETCORE_ENVIRONMENT=Production
  export ExternalAction__RabbitMq__Url="$RABBIT"
  export ExternalAction__Store__Provider=postgres
  export ExternalAction__Store__ConnectionString="$PG;Maximum Pool Size=50"
  actions="$repo/bench/actions.json"
  if [ "$SINK_PORT" != 5099 ]; then
    # Beside the original, so its relative service definition paths still hold; removed by bench_down.
    actions="$repo/bench/actions.$id.local.json"
    sed "s/127.0.0.1:5099/127.0.0.1:$SINK_PORT/g" "$repo/bench/actions.json" > "$actions"
  fi
  export ExternalAction__Actions__File="$actions"
  export ExternalAction__Auth__Scheme=apiKey ExternalAction__Auth__ApiKey__Keys__0="$KEY"
  export ExternalAction__Support__ApiKeys__0="$SUPPORT_KEY"
  # The fuzz drill sends wrong keys from loopback on purpose; the default (20 per minute) would answer its good ones 429.
  export ExternalAction__Auth__Throttle__MaxFailures=1000000
  export ExternalAction__Intake__AllowHttpLoopback=true ExternalAction__Intake__CallbackHosts__0=127.0.0.1
  # The bench tool's channel and callback sink are on loopback, which outbound clients refuse unless allowed.
  export ExternalAction__Outbound__AllowedNetworks__0=127.0.0.0/8
  export ExternalAction__Processor__RetryBaseSeconds=1 ExternalAction__Processor__RetryMaxSeconds=10
  # The SFMC activities of bench/actions.json: Journey Builder's signing secret, and the https URL config.json names.
  export ExternalAction__Sfmc__SigningSecrets__0__Name=bench_sfmc_jwt Secrets__bench_sfmc_jwt="$SFMC_SECRET"
  export ExternalAction__Intake__PublicBaseUrl=https://bench.example.com
  export Logging__LogLevel__Default=Warning
  # ALLOCATIONS=1: externalaction.process.allocated on both hosts' /metrics (AllocationMetric), which compare.sh reads
  # allocations per request from. Off by default: its in-process listener cost the Api about 0.1 ms of CPU per request
  # (1.10×, docs/benchmarks.md), so a run that measures CPU leaves it off.
  export ExternalAction__Metrics__CountAllocations=$([ "${ALLOCATIONS:-0}" = 1 ] && echo true || echo false)
  rm -f "$out/pids/"*   # left by a run that was killed before its trap ran
  trap bench_down EXIT
  start_api
  # PROCESSOR=0 measures intake alone (messages queue up; nothing consumes them). CONSUMER=naive starts the bench
  # tool's naive consumer in the Processor's place (consume, POST the channel, POST the callback; no database): the
  # baseline of the Processor's CPU per request. Its requests have no status rows, so account them without --pg.
  if [ "${PROCESSOR:-1}" != 0 ]; then start_processor; fi
}

# Before a measurement: end-to-end load (WARM_RATE, default 100 req/s) until the tiered JIT of the Api and the Processor
# (or naive consumer) is quiet, at most WARM_MAX s (default 300), with this checkout's tool (older builds have no
# `warm`). A fresh .NET host spends about a third of its CPU re-compiling hot methods for a minute or more under load
# (docs/benchmarks.md, "The tiered JIT"), so a run that starts before that measures the JIT, not the steady state.
# WARM=0 skips it (each command's fixed warm-up remains). Needs the Processor (it waits for its callbacks).
warm_hosts() {
  [ "${WARM:-1}" = 0 ] && return 0
  local jit="api=$(pid_of api)"
  [ -n "$(pid_of processor)" ] && jit="$jit,processor=$(pid_of processor)"
  [ "$own" = "$repo" ] || dotnet build -c Release -v q -nologo "$own/tools/Bench/ExternalAction.Bench.csproj" >/dev/null
  local bench=(dotnet "$own/tools/Bench/bin/Release/net10.0/ExternalAction.Bench.dll")
  tool warm --api "$API" --key "$KEY" --jit "$jit" --rate "${WARM_RATE:-100}" --max "${WARM_MAX:-300}" --sink-port "$SINK_PORT" \
    --out "$out" > "$out/warm.log" 2>&1 || echo "warm-up incomplete (see $out/warm.log)" >&2
  head -1 "$out/warm.md" 2>/dev/null || true
}

# The pid of a host this script started (a drill may restart one in a subshell: the file has the current one).
pid_of() { cat "$out/pids/$1" 2>/dev/null || true; }

start_api() {
  ensure_port_free "$API"
  dotnet "$repo/src/Api/bin/Release/net10.0/ExternalAction.Api.dll" --urls "$API" >> "$out/api.log" 2>&1 &
  echo $! > "$out/pids/api"
  wait_ready "$API/health/ready"
  ensure_alive api
}

# start_processor [NAME [URL]]: another instance (competing consumer) gets its own name (pid file, log) and URL.
start_processor() {
  local name=${1:-processor} url=${2:-$PROCESSOR_URL}
  ensure_port_free "$url"
  if [ "${CONSUMER:-processor}" = naive ]; then
    "${bench[@]}" naive-consumer --rabbit "$RABBIT" --sink-port "$SINK_PORT" --port "${url##*:}" >> "$out/$name.log" 2>&1 &
  else
    dotnet "$repo/src/Processor/bin/Release/net10.0/ExternalAction.Processor.dll" --urls "$url" >> "$out/$name.log" 2>&1 &
  fi
  echo $! > "$out/pids/$name"
  wait_ready "$url/health/ready"
  ensure_alive "$name"
}

# The tool's floor and naive endpoints in a process of their own at $NAIVE_URL (pid file "naive").
start_naive_endpoint() {
  ensure_port_free "$NAIVE_URL"
  "${bench[@]}" naive-endpoint --rabbit "$RABBIT" --port "${NAIVE_URL##*:}" >> "$out/naive.log" 2>&1 &
  echo $! > "$out/pids/naive"
  wait_ready "$NAIVE_URL/health/ready"
  ensure_alive naive
}

stop_processor() {
  local pid
  pid=$(pid_of processor)
  if [ -n "$pid" ]; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    rm -f "$out/pids/processor"
  fi
}

# Refuses to start a host on a port something else already listens on: its bind would fail, and wait_ready would then
# take the other process (e.g. another checkout's Api on the same machine) for ours and measure it.
ensure_port_free() {
  local port=${1##*:}
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "port $port is already in use: set API_PORT / PROCESSOR_PORT / SINK_PORT / NAIVE_PORT (and BENCH_ID) to free ones" >&2
    return 1
  fi
}

# After wait_ready: the host answering must be the process just started.
ensure_alive() {
  kill -0 "$(pid_of "$1")" 2>/dev/null || { echo "$1 exited during start-up (see $out/$1.log)" >&2; return 1; }
}

wait_ready() {
  for _ in $(seq 1 120); do curl -sf "$1" >/dev/null && return 0; sleep 0.5; done
  echo "$1 not ready" >&2; return 1
}

# CPU time (clock ticks, user + system) of one process, and of every process whose name matches (all PostgreSQL backends).
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
cpu_ticks_named() {
  local total=0 pid
  for pid in $(pgrep -x "$1"); do total=$((total + $(cpu_ticks "$pid"))); done
  echo "$total"
}

rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
fds() { ls "/proc/$1/fd" | wc -l; }

# Runs the bench tool and appends the command to commands.txt, credentials shown as the variables that hold them.
tool() {
  local shown="ExternalAction.Bench $*"
  shown=${shown//"$repo/"/}
  shown=${shown//"$PG"/\$PG}; shown=${shown//"$RABBIT"/\$RABBIT}; shown=${shown//"$SUPPORT_KEY"/\$SUPPORT_KEY}; shown=${shown//"$KEY"/\$KEY}; shown=${shown//"$SFMC_SECRET"/\$SFMC_SECRET}
  echo "$shown" >> "$out/commands.txt"
  "${bench[@]}" "$@"
}

bench_down() {
  local file
  for file in "$out/pids/"*; do
    [ -e "$file" ] || continue
    local host
    host=$(basename "$file")
    local pid
    pid=$(pid_of "$host")
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill "$pid" 2>/dev/null || true; fi
    rm -f "$out/pids/$host"
  done
  rm -f "$repo/bench/actions.$id.local.json"
  wait 2>/dev/null || true
}
