#!/usr/bin/env bash
# Drill 7: one host tarpits. 40 requests whose callbacks go to 127.0.0.2, a listener that accepts TCP and never answers,
# while the lead action's e2e load runs at 100 req/s against the bench tool's sink: its p99 must stay within 2x of the
# same load measured first, in the same run, without the tarpit. The per-host bulkhead (ExternalAction:Outbound,
# PerHostConcurrencyShare 0.5 of 32 slots = 16, waiting at most 250 ms) caps what the tarpit host holds; the rest fail fast "destination host
# busy" and are rescheduled durably. Loopback only; the listener lives at most TARPIT_SECONDS (180).
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
tarpit_host=127.0.0.2 tarpit_port=${TARPIT_PORT:-5098} tarpit_count=${TARPIT_COUNT:-40}
bench_up

e2e() { tool e2e --name "$1" --api "$API" --key "$KEY" --entity lead --rate 100 --duration 20 --warmup 5 --grace 60 --pg "$PG" --out "$out"; }

echo "drill: normal load first (no tarpit)"
e2e drill-tarpit-before

# Accepts and holds every connection, reads nothing, answers nothing; gone after TARPIT_SECONDS whatever happens.
python3 -c '
import socket, sys, time
host, port, lifetime = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
server = socket.socket(); server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind((host, port)); server.listen(1024); server.settimeout(0.5)
held, end = [], time.time() + lifetime
while time.time() < end:
    try:
        held.append(server.accept()[0])
    except socket.timeout:
        pass
print(f"tarpit: accepted {len(held)} connections in {lifetime:.0f} s", flush=True)
' "$tarpit_host" "$tarpit_port" "${TARPIT_SECONDS:-180}" &
tarpit_pid=$!
trap 'kill "$tarpit_pid" 2>/dev/null || true; bench_down' EXIT
for _ in $(seq 1 20); do ss -Htln "( sport = :$tarpit_port )" | grep -q "$tarpit_host" && break; sleep 0.25; done

echo "drill: $tarpit_count requests with callbacks to the tarpit http://$tarpit_host:$tarpit_port"
accepted=0
for i in $(seq 1 "$tarpit_count"); do
  body=$(printf '{"token":"tarpit-%s-%s","callbackUrl":"http://%s:%s/callback/%s","context":{"subscription":{"imsOrgId":"12345@AdobeOrg","munchkinId":"123-ABC-456"},"journey":{"id":"journey-tarpit","name":"Tarpit"}},"objectData":{"objectType":"account","objectContext":{"accountId":"%s","accountData":{"accountName":"Acme"}}},"actionConfig":{"timeout":60}}' \
    "$$" "$i" "$tarpit_host" "$tarpit_port" "$i" "$((70000 + i))")
  status=$(curl -s -o /dev/null -w '%{http_code}' -H "X-API-Key: $KEY" -H 'Content-Type: application/json' --data "$body" "$API/actions/bench-account/submitAsyncAction")
  [ "$status" = 200 ] && accepted=$((accepted + 1))
done
echo "drill: $accepted of $tarpit_count tarpit requests answered 200"
[ "$accepted" -gt 0 ] || { echo "drill: FAIL, no tarpit request was accepted" >&2; exit 1; }

# The most connections the tarpit holds at once while the measured load runs (the bulkhead's cap for one host).
( max=0; while kill -0 "$tarpit_pid" 2>/dev/null; do
    n=$(ss -Htn state established "( sport = :$tarpit_port )" | wc -l); [ "$n" -gt "$max" ] && max=$n && echo "$max" > "$out/tarpit-held-max"
    sleep 0.5; done ) &
echo "drill: the same load with the tarpit holding what it can"
e2e drill-tarpit-during

python3 - "$out/drill-tarpit-before.json" "$out/drill-tarpit-during.json" "$(cat "$out/tarpit-held-max" 2>/dev/null || echo 0)" <<'PY'
import json, sys
def p99(path):
    runs = json.load(open(path))["runs"]
    return next(r for r in runs if r["name"].startswith("end-to-end"))["p99Ms"]
before, during, held = p99(sys.argv[1]), p99(sys.argv[2]), int(sys.argv[3])
ratio = during / before if before > 0 else float("inf")
verdict = "PASS" if ratio <= 2 else "FAIL"
print(f"drill-tarpit: unrelated action e2e p99 {before:.1f} ms before, {during:.1f} ms with the tarpit ({ratio:.2f}x, limit 2x); "
      f"tarpit held at most {held} connections at once: {verdict}")
sys.exit(0 if verdict == "PASS" else 1)
PY
