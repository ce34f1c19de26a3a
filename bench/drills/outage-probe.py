#!/usr/bin/env python3
"""Beside an outage drill's load: one intake request every INTERVAL seconds (its callback goes to the bench tool's sink,
which counts it under unknown tokens), and a TCP connect to the stopped server's port every 50 ms. Prints when the server
was down (port refusing connections), when intake answered anything but 200, how fast those answers were, and how long
intake lagged behind the server's return. Loopback only; exits after SECONDS whatever happens.
Usage: outage-probe.py API KEY SINK_PORT WATCH_PORT SECONDS OUT_CSV [INTERVAL]"""
import json, socket, sys, threading, time, urllib.error, urllib.request

api, key, sink_port, watch_port, seconds, out_csv = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]), sys.argv[6]
interval = float(sys.argv[7]) if len(sys.argv) > 7 else 0.05
start = time.time()
end = start + seconds
samples, port_states = [], []


def watch():
    while time.time() < end:
        try:
            with socket.create_connection(("127.0.0.1", watch_port), timeout=0.5):
                up = True
        except OSError:
            up = False
        port_states.append((time.time() - start, up))
        time.sleep(0.05)


threading.Thread(target=watch, daemon=True).start()
i = 0
while time.time() < end:
    i += 1
    body = {"token": f"probe-{int(start)}-{i}", "callbackUrl": f"http://127.0.0.1:{sink_port}/callback/probe-{i}",
            "context": {"subscription": {"imsOrgId": "12345@AdobeOrg", "munchkinId": "123-ABC-456"}, "journey": {"id": "journey-probe", "name": "Probe"}},
            "objectData": {"objectType": "account", "objectContext": {"accountId": str(90000000 + i), "accountData": {"accountName": "Probe"}}},
            "actionConfig": {"timeout": 60}}
    request = urllib.request.Request(f"{api}/actions/bench-account/submitAsyncAction", data=json.dumps(body).encode(),
                                     headers={"X-API-Key": key, "Content-Type": "application/json"})
    sent = time.time()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status = response.status
    except urllib.error.HTTPError as e:
        status = e.code
    except OSError:
        status = 0
    took = time.time() - sent
    samples.append((sent - start, status, took))
    time.sleep(max(0.0, interval - took))

with open(out_csv, "w") as f:
    f.write("t_s,status,latency_ms\n")
    for t, status, took in samples:
        f.write(f"{t:.3f},{status},{took * 1000:.1f}\n")

down = [t for t, up in port_states if not up]
bad = [(t, took) for t, status, took in samples if status != 200]
print(f"probe: {len(samples)} intake requests, {len(bad)} not answered 200")
if down:
    d0 = down[0]
    back = next((t for t, up in port_states if up and t > d0), None)
    print(f"probe: server port {watch_port} refused connections from {d0:.2f} s to {back if back is None else f'{back:.2f}'} s"
          + (f" ({back - d0:.1f} s down)" if back else " (still down at the end)"))
else:
    back = None
    print(f"probe: server port {watch_port} never refused a connection")
if bad:
    b0, b1 = bad[0][0], max(t + took for t, took in bad)
    lat = sorted(took * 1000 for _, took in bad)
    print(f"probe: intake unavailable from {b0:.2f} s to {b1:.2f} s ({b1 - b0:.1f} s); non-200 answers took p50 {lat[len(lat) // 2]:.0f} ms, max {lat[-1]:.0f} ms")
    if back:
        print(f"probe: intake accepted again {b1 - back:+.2f} s after the server's port reopened")
