"""Experiment "convoy": an I/O thread sharing the process with CPU-bound threads.

A thread in this process serves a loopback TCP echo (127.0.0.1); a client in
a *separate* process (its own interpreter, its own GIL) times round trips to
it. First the echo thread is alone, then 1..k CPU-bound threads spin in the
same process. Each round trip makes the echo thread block in recv() and
send(): both release the GIL, and getting it back means waiting for the
CPU-bound thread to give it up. Under 3.2+'s switching GIL that takes up to
one switch interval (5 ms) per wait: the convoy effect (bpo-7946).

Lab payload: runs unchanged under Python 2.7 and 3.6+, stdlib only.
Usage: python convoy.py '{"quick": true}'; optional params: "threads" (list
of CPU-bound thread counts, default [1, 2] quick, [1, 2, 4] full), "trips"
(most round trips per phase, default 30 quick, 300 full), "budget_s"
(seconds per phase before stopping early, at least 5 trips; default 0.5
quick, 3 full), "gap_s" (client's pause between round trips, default
0.003). Prints {"metrics": {...}} on stdout.

Why the pause: requests reach a real server while it is idle, so the
CPU-bound thread holds the GIL when each one arrives. Without a pause the
echo thread can keep the GIL to itself instead: it releases it in recv() and
takes it back a few microseconds later, before the waiting CPU-bound thread
has even woken up, and the CPU-bound thread starves (an equally real, opposite
failure; pass "gap_s": 0 to see it).
"""
import json
import socket
import subprocess
import sys
import threading
import time

clock = getattr(time, "perf_counter", time.time)
MESSAGE = 64

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
    """Serve one connection: echo until the client closes it."""
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
    """CPU-bound pure Python until told to stop."""
    while not stop:
        total = 0
        for i in range(1000):
            total += i


def percentile(values, fraction):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, int(round(fraction * (len(ordered) - 1)))))
    return ordered[index]


def phase(cpu_threads, trips, budget, gap):
    """Round-trip times with ``cpu_threads`` CPU-bound threads running here."""
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
        client = subprocess.Popen([sys.executable, "-c", CLIENT, str(port), str(trips), str(budget),
                                   str(gap)],
                                  stdout=subprocess.PIPE)
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


def main():
    params = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {"quick": True}
    quick = params.get("quick", False)
    counts = [int(k) for k in params.get("threads", [1, 2] if quick else [1, 2, 4])]
    if 1 not in counts:
        counts.insert(0, 1)
    trips = int(params.get("trips", 30 if quick else 300))
    budget = float(params.get("budget_s", 0.5 if quick else 3.0))
    gap = float(params.get("gap_s", 0.003))
    alone = phase(0, trips, budget, gap)
    rtt_alone = percentile(alone, 0.5)
    by_threads = {}
    for k in counts:
        times = phase(k, trips, budget, gap)
        median = percentile(times, 0.5)
        by_threads[str(k)] = {"rtt_s": median, "rtt_p90_s": percentile(times, 0.9),
                              "slowdown": median / rtt_alone, "trips": len(times)}
    metrics = {
        "rtt_alone_s": rtt_alone,
        "rtt_alone_p90_s": percentile(alone, 0.9),
        "trips_alone": len(alone),
        "rtt_loaded_s": by_threads["1"]["rtt_s"],
        "slowdown": by_threads["1"]["slowdown"],
        "threads": by_threads,
        "gap_s": gap,
    }
    sys.stdout.write(json.dumps({"metrics": metrics}) + "\n")


if __name__ == "__main__":
    main()
