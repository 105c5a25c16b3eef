"""Experiment "convoy": an I/O thread sharing the process with CPU-bound threads.

A thread in this process serves a loopback TCP echo (127.0.0.1); a client in
a *separate* process (its own interpreter, its own GIL) times round trips to
it. First the echo thread is alone, then 1..k CPU-bound threads spin in the
same process. Each round trip makes the echo thread block in recv(), which
releases the GIL, and getting it back means waiting for the CPU-bound thread
to give it up. Under 3.2+'s switching GIL that takes up to one switch
interval (5 ms) per wait: the convoy effect (bpo-7946). send() releases the
GIL too, but usually returns before the CPU-bound thread, just woken, takes it.

Lab payload: runs unchanged under Python 2.7 and 3.6+, stdlib only.
Usage: python convoy.py '{"quick": true}'; optional params: "threads" (list
of CPU-bound thread counts, default [1, 2] quick, [1, 2, 4] full), "trips"
(most round trips per phase, default 30 quick, 300 full), "budget_s"
(seconds per phase before stopping early, at least 5 trips; default 0.5
quick, 3 full), "gap_s" (client's pause between round trips, default
0.003). Prints {"metrics": {...}} on stdout; with CPU-bound threads,
"spins_per_s" is how many 1000-addition loops they completed per second
while the client was timing round trips, all of them together,
"spins_solo_per_s" the same in the 0.2 s before the client started, and
"cpu_share" the first over the second.

Why the pause: requests reach a real server while its I/O thread is idle in
recv(), so the CPU-bound thread holds the GIL when each one arrives. Without
a pause the echo thread can keep the GIL to itself instead: every drop_gil()
signals the GIL's condition variable, and a waiter that is signalled starts
a whole new timed wait, so a holder that lets go more often than once per
switch interval stops the CPU-bound thread from ever timing out and asking
for the GIL. The CPU-bound thread gets in only when it wins a race for a
GIL the echo thread just released (an opposite failure; who wins the race
depends on the version and the machine). Pass "gap_s": 0 to see it: the
round trips drop to microseconds where the echo thread wins, and
"cpu_share", the CPU-bound threads' pace while the client is timing over
their pace before it started, shows what that costs them.
"""
import json
import socket
import subprocess
import sys
import threading
import time

clock = getattr(time, "perf_counter", time.time)
MESSAGE = 64
SOLO_S = 0.2  # seconds the CPU-bound threads run alone before the client starts

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


def echo(server, spins, marks):
    """Serve one connection: echo until the client closes it.

    Notes (time, CPU-bound loops so far) in ``marks`` when the timed round
    trips start (after the client's 3 warm-up trips) and when the client leaves.
    """
    conn, _ = server.accept()
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    served = 0
    try:
        while True:
            data = conn.recv(4096)
            if not data:
                marks.append((clock(), sum(spins)))
                break
            served += len(data)
            if served > 3 * MESSAGE and len(marks) == 0:
                marks.append((clock(), sum(spins)))
            conn.sendall(data)
    finally:
        conn.close()


def spin(stop, spins, slot):
    """CPU-bound pure Python until told to stop; counts its outer loops in spins[slot]."""
    done = 0
    while not stop:
        total = 0
        for i in range(1000):
            total += i
        done += 1
        spins[slot] = done


def percentile(values, fraction):
    """The sorted values' entry at int(fraction * (n - 1) + 0.5): the same on 2.7 and 3.x."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(fraction * (len(ordered) - 1) + 0.5)))]


def phase(cpu_threads, trips, budget, gap):
    """Round trips with ``cpu_threads`` CPU-bound threads here.

    Returns (round-trip times, the CPU-bound threads' loops per second while the
    client was timing, the same before the client started, or None without them).
    """
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.settimeout(60)
    port = server.getsockname()[1]
    stop = []
    spins = [0] * cpu_threads
    spinners = [threading.Thread(target=spin, args=(stop, spins, slot))
                for slot in range(cpu_threads)]
    marks = []
    server_thread = threading.Thread(target=echo, args=(server, spins, marks))
    for thread in [server_thread] + spinners:
        thread.daemon = True
        thread.start()
    solo = None
    if cpu_threads:
        # The CPU-bound threads' own pace, nobody else wanting the GIL: the reference
        # for their pace while the echo thread serves.
        first = (clock(), sum(spins))
        time.sleep(SOLO_S)
        solo = (sum(spins) - first[1]) / (clock() - first[0])
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
    spins_per_s = 0.0
    if len(marks) == 2 and marks[1][0] > marks[0][0]:
        spins_per_s = (marks[1][1] - marks[0][1]) / (marks[1][0] - marks[0][0])
    return json.loads(out.decode("ascii")), spins_per_s, solo


def main():
    params = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {"quick": True}
    quick = params.get("quick", False)
    counts = [int(k) for k in params.get("threads", [1, 2] if quick else [1, 2, 4])]
    if 1 not in counts:
        counts.insert(0, 1)
    trips = int(params.get("trips", 30 if quick else 300))
    budget = float(params.get("budget_s", 0.5 if quick else 3.0))
    gap = float(params.get("gap_s", 0.003))
    alone = phase(0, trips, budget, gap)[0]
    rtt_alone = percentile(alone, 0.5)
    by_threads = {}
    for k in counts:
        times, spins_per_s, solo = phase(k, trips, budget, gap)
        median = percentile(times, 0.5)
        by_threads[str(k)] = {"rtt_s": median, "rtt_p90_s": percentile(times, 0.9),
                              "slowdown": median / rtt_alone, "trips": len(times),
                              "spins_per_s": spins_per_s, "spins_solo_per_s": solo,
                              "cpu_share": spins_per_s / solo if solo else None}
    metrics = {
        "rtt_alone_s": rtt_alone,
        "rtt_alone_p90_s": percentile(alone, 0.9),
        "trips_alone": len(alone),
        "rtt_loaded_s": by_threads["1"]["rtt_s"],
        "slowdown": by_threads["1"]["slowdown"],
        "cpu_share": by_threads["1"]["cpu_share"],
        "threads": by_threads,
        "gap_s": gap,
    }
    sys.stdout.write(json.dumps({"metrics": metrics}) + "\n")


if __name__ == "__main__":
    main()
