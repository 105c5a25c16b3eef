"""Experiment "switch-interval": the convoy round trip as the GIL's knob turns.

The convoy experiment's echo round trip (a server thread here, the client in
its own process, one CPU-bound thread in this process), measured at several
settings of the knob that decides how long the CPU-bound thread keeps the GIL:

* 3.2 and later: ``sys.setswitchinterval(seconds)`` (default 0.005);
* Python 2: ``sys.setcheckinterval(ticks)`` (default 100), the number of
  "ticks" (roughly bytecodes) between two releases of the GIL.

Reports the median round trip at each setting and the least-squares line
through them: under the switching GIL the slope is about one (a round trip
costs about one switch interval), under the tick GIL it is about zero.

Lab payload: runs unchanged under Python 2.7 and 3.6+, stdlib only.
Usage: python switch_interval.py '{"quick": true}'; optional params:
"settings" (list of intervals in seconds, or ticks on Python 2), "trips"
(default 20 quick, 200 full), "budget_s" (per setting, default 0.4 quick,
2.5 full), "gap_s" (client pause between trips, default 0.003).
Prints {"metrics": {...}} on stdout.
"""
import json
import socket
import subprocess
import sys
import threading
import time

clock = getattr(time, "perf_counter", time.time)

#: The client: its own process, so its timing is not disturbed by our GIL.
CLIENT = r"""
import json, socket, sys, time
clock = getattr(time, "perf_counter", time.time)
port, trips, budget, gap = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
sock = socket.create_connection(("127.0.0.1", port), timeout=30)
sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
message = b"x" * 64
def trip():
    start = clock()
    sock.sendall(message)
    got = 0
    while got < len(message):
        chunk = sock.recv(len(message) - got)
        if not chunk:
            raise SystemExit("server closed the connection")
        got += len(chunk)
    return clock() - start
for _ in range(3):
    trip()
times = []
begin = clock()
while len(times) < trips and (len(times) < 5 or clock() - begin < budget):
    time.sleep(gap)
    times.append(trip())
sock.close()
sys.stdout.write(json.dumps(times))
"""


def echo(server):
    conn, _ = server.accept()
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        while True:
            data = conn.recv(4096)
            if not data:
                break
            conn.sendall(data)
    finally:
        conn.close()


def spin(stop):
    while not stop:
        total = 0
        for i in range(1000):
            total += i


def percentile(values, fraction):
    """The sorted values' entry at int(fraction * (n - 1) + 0.5): the same on 2.7 and 3.x."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(fraction * (len(ordered) - 1) + 0.5)))]


def median(values):
    return percentile(values, 0.5)


def phase(cpu_threads, trips, budget, gap):
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.settimeout(60)
    port = server.getsockname()[1]
    stop = []
    spinners = [threading.Thread(target=spin, args=(stop,)) for _ in range(cpu_threads)]
    server_thread = threading.Thread(target=echo, args=(server,))
    for thread in [server_thread] + spinners:
        thread.daemon = True
        thread.start()
    try:
        client = subprocess.Popen([sys.executable, "-c", CLIENT, str(port), str(trips),
                                   str(budget), str(gap)], stdout=subprocess.PIPE)
        out = client.communicate()[0]
        if client.returncode != 0:
            raise SystemExit("client exited with status %d" % client.returncode)
    finally:
        stop.append(True)
        for thread in spinners:
            thread.join()
        server_thread.join(30)
        server.close()
    return json.loads(out.decode("ascii"))


def fit(xs, ys):
    """Least-squares line y = slope * x + intercept."""
    n = float(len(xs))
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    slope = sxy / sxx if sxx else 0.0
    return slope, my - slope * mx


def main():
    params = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {"quick": True}
    quick = params.get("quick", False)
    trips = int(params.get("trips", 20 if quick else 200))
    budget = float(params.get("budget_s", 0.4 if quick else 2.5))
    gap = float(params.get("gap_s", 0.003))
    if hasattr(sys, "setswitchinterval"):
        knob, unit = "switch_interval", "s"
        get, put = sys.getswitchinterval, sys.setswitchinterval
        default = [0.002, 0.005] if quick else [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02]
    else:
        knob, unit = "check_interval", "ticks"
        get, put = sys.getcheckinterval, sys.setcheckinterval
        default = [10, 1000] if quick else [10, 100, 1000, 10000, 100000]
    settings = params.get("settings", default)
    original = get()
    alone = median(phase(0, trips, budget, gap))
    rows = []
    try:
        for setting in settings:
            put(setting)
            times = phase(1, trips, budget, gap)
            rows.append({"setting": setting, "rtt_s": median(times), "trips": len(times)})
    finally:
        put(original)
    slope, intercept = fit([r["setting"] for r in rows], [r["rtt_s"] for r in rows])
    metrics = {
        "knob": knob,
        "unit": unit,
        "default": original,
        "rtt_alone_s": alone,
        "settings": rows,
        "slope": slope,
        "intercept_s": intercept,
    }
    sys.stdout.write(json.dumps({"metrics": metrics}) + "\n")


if __name__ == "__main__":
    main()
