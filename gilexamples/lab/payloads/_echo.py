"""The echo rig of the ``convoy`` and ``switch-interval`` payloads.

A thread of the payload's process serves a TCP echo on 127.0.0.1; a client
in a *separate* process (its own interpreter, its own GIL) sends a 64-byte
request, times the round trip, pauses, and sends the next one.

Each round trip makes the echo thread ask for the GIL twice: once when
``recv()`` returns with the request, and once when ``sendall()`` returns
after writing the reply (both calls release the GIL around the system
call). The client's clock stops as soon as the reply is written, so it sees
only the first wait. The second wait is hidden, unless the client's next
request arrives before that wait is over: then the request sits in the
socket while the echo thread is still queueing for the GIL, and the client
times the *rest of the second wait* instead of a whole first one.

So the client pauses longer than the echo thread can take to get back into
``recv()``: :func:`pause_for` gives ``(cpu_threads + 1)`` switch intervals
plus 2 ms, and the client stretches that to twice its last round trip when
that is longer. And the rig checks that it did: every request carries the time
the client sent it, the echo thread notes when it entered ``recv()``, and a
trip whose request was sent before the echo thread was back in ``recv()``
is counted in ``late_share``. A phase with a high ``late_share`` measured
the harness, not the GIL, and the payloads say so.
"""
import json
import socket
import subprocess
import threading
import time

from _common import child_argv, clock, median

#: Bytes in one echo request (and its reply).
MESSAGE = 64

#: Requests the client sends before it starts timing.
WARMUP_TRIPS = 3

#: A phase is trusted when at most this share of its requests arrived while
#: the echo thread was still busy with the previous one.
MAX_LATE_SHARE = 0.2


def pause_for(cpu_threads, interval):
    """The client's pause between requests with ``cpu_threads`` CPU-bound threads.

    Long enough for the echo thread's hidden second wait to be over (about one
    interval per thread queued for the GIL) before the next request is sent.
    ``interval`` None (Python 2) counts as the 3.x default, 5 ms.
    """
    if interval is None:
        interval = 0.005
    return max(0.003, (cpu_threads + 1) * interval + 0.002)


def spin(stop, counts, slot):
    """CPU-bound pure Python until ``stop`` is non-empty; counts its 1000-addition loops."""
    done = 0
    while not stop:
        total = 0
        for i in range(1000):
            total += i
        done += 1
        counts[slot] = done


#: The client: its own process, so its timing is not disturbed by the server's GIL.
#: argv: port trips budget_s pause_s stretch. It starts up, says "ready" and waits for a
#: line on stdin before it connects: its interpreter starts before the CPU-bound
#: threads do, not beside them (a free-threaded 3.13 started on a core that a
#: CPU-bound thread keeps busy takes seconds: its lock spins call sched_yield(), and
#: each yield hands the core to the busy thread). Before each request it pauses
#: pause_s, or (stretch "1") twice the last round trip if that is longer: the echo
#: thread's hidden second wait is about as long as the first, whatever sets it (Python
#: 2's check interval has no time unit to compute a pause from). Prints a JSON list of
#: round-trip seconds on one line.
CLIENT = r"""
import json, socket, sys, time
clock = getattr(time, "perf_counter", time.time)
port, trips, budget, pause = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
stretch = sys.argv[5] == "1"
size, warmup = %(size)d, %(warmup)d
sys.stdout.write("ready\n")
sys.stdout.flush()
if not sys.stdin.readline():
    raise SystemExit(0)
sock = socket.create_connection(("127.0.0.1", port), timeout=30)
sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
def trip():
    start = clock()
    sock.sendall(("%%.9f" %% start).encode("ascii").ljust(size, b" "))
    got = 0
    while got < size:
        chunk = sock.recv(size - got)
        if not chunk:
            raise SystemExit("server closed the connection")
        got += len(chunk)
    return clock() - start
last = 0.0
for _ in range(warmup):
    time.sleep(max(pause, 2 * last) if stretch else pause)
    last = trip()
times = []
begin = clock()
while len(times) < trips and (len(times) < 5 or clock() - begin < budget):
    time.sleep(max(pause, 2 * last) if stretch else pause)
    last = trip()
    times.append(last)
sock.close()
sys.stdout.write(json.dumps(times) + "\n")
sys.stdout.flush()
""" % {"size": MESSAGE, "warmup": WARMUP_TRIPS}


class EchoServer(object):
    """A loopback echo served by one thread of this process, with per-trip notes.

    ``notes`` gets one tuple per request: (entered recv, request sent by the
    client, recv returned with the GIL, sendall returned with the GIL), all
    on :data:`clock`. ``on_first_timed`` is called once, when the first timed
    (post-warm-up) request is in; ``on_close`` when the client leaves.
    """

    def __init__(self, on_first_timed=None, on_close=None):
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(1)
        self.listener.settimeout(60)
        self.port = self.listener.getsockname()[1]
        self.notes = []
        self.on_first_timed = on_first_timed
        self.on_close = on_close
        self.thread = threading.Thread(target=self._serve)
        self.thread.daemon = True

    def start(self):
        self.thread.start()

    def _serve(self):
        conn, _ = self.listener.accept()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        pending = b""
        try:
            while True:
                entered = clock()
                data = conn.recv(4096)
                got = clock()
                if not data:
                    if self.on_close is not None:
                        self.on_close()
                    return
                pending += data
                while len(pending) >= MESSAGE:
                    request, pending = pending[:MESSAGE], pending[MESSAGE:]
                    conn.sendall(request)
                    sent = clock()
                    self.notes.append((entered, float(request.strip()), got, sent))
                    if len(self.notes) == WARMUP_TRIPS + 1 and self.on_first_timed is not None:
                        self.on_first_timed()
        finally:
            conn.close()

    def close(self):
        self.thread.join(30)
        self.listener.close()

    def timed_notes(self):
        return self.notes[WARMUP_TRIPS:]


#: Round trips kept, in order, in a phase's "trace".
TRACE_TRIPS = 6


def trace_of(notes):
    """The first TRACE_TRIPS trips as [sent, recv returned, sendall returned, back in recv],
    seconds from the first request; "back in recv" is null for the last trip noted."""
    if not notes:
        return []
    origin = notes[0][1]
    trips = []
    for index, (_, sent, got, done) in enumerate(notes[:TRACE_TRIPS]):
        back = notes[index + 1][0] - origin if index + 1 < len(notes) else None
        trips.append([sent - origin, got - origin, done - origin, back])
    return trips


class Client(object):
    """The client process (see CLIENT), started and ready before :meth:`run` sends it off."""

    def __init__(self, port, trips, budget, pause, stretch=True):
        self.process = subprocess.Popen(
            child_argv("-c", CLIENT, str(port), str(trips), str(budget), str(pause),
                       "1" if stretch else "0"), stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        if self.process.stdout.readline().strip() != b"ready":
            self.close()
            raise SystemExit("echo client did not start (status %s)" % self.process.returncode)

    def run(self):
        """Let the client make its trips; their round-trip times in seconds."""
        self.process.stdin.write(b"go\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            self.close()
            raise SystemExit("echo client exited with status %s" % self.process.returncode)
        return json.loads(line.decode("ascii"))

    def close(self):
        """Wait for the client to end (it ends by itself after its trips, or at EOF on stdin)."""
        for stream in (self.process.stdin, self.process.stdout):
            try:
                stream.close()
            except (IOError, OSError):  # the client may have gone already
                pass
        deadline = time.time() + 30
        while self.process.poll() is None and time.time() < deadline:
            time.sleep(0.01)
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def echo_phase(cpu_threads, trips, budget, pause, solo_s=0.0, stretch=True):
    """Time round trips to the echo thread with ``cpu_threads`` CPU-bound threads beside it.

    Returns a dict: ``times`` (client round trips, s), ``trace`` (the first
    trips' moments, see :func:`trace_of`), ``late_share`` (share
    of requests sent before the echo thread was back in recv()),
    ``wait_after_recv_s`` and ``wait_after_send_s`` (the echo thread's two
    waits, medians: request sent -> recv() returned; recv() returned ->
    sendall() returned), and with CPU-bound threads ``spins_per_s`` (their
    1000-addition loops per second while the client was timing, all
    together) and ``spins_solo_per_s`` (the same during ``solo_s`` before the
    client started, nobody else wanting the GIL).
    """
    stop = []
    counts = [0] * cpu_threads
    marks = []
    server = EchoServer(on_first_timed=lambda: marks.append((clock(), sum(counts))),
                        on_close=lambda: marks.append((clock(), sum(counts))))
    spinners = [threading.Thread(target=spin, args=(stop, counts, slot))
                for slot in range(cpu_threads)]
    server.start()
    client = Client(server.port, trips, budget, pause, stretch)
    solo = None
    try:
        for thread in spinners:
            thread.daemon = True
            thread.start()
        if cpu_threads and solo_s > 0:
            first = (clock(), sum(counts))
            time.sleep(solo_s)
            solo = (sum(counts) - first[1]) / (clock() - first[0])
        times = client.run()
    finally:
        stop.append(True)
        for thread in spinners:
            if thread.is_alive():
                thread.join()
        client.close()
        server.close()
    notes = server.timed_notes()
    late = [1 for entered, sent, _, _ in notes if sent < entered]
    result = {
        "trace": trace_of(notes),
        "times": times,
        "late_share": float(len(late)) / len(notes) if notes else None,
        "wait_after_recv_s": median([got - sent for _, sent, got, _ in notes]) if notes else None,
        "wait_after_send_s": median([done - got for _, _, got, done in notes]) if notes else None,
    }
    if cpu_threads:
        spins_per_s = 0.0
        if len(marks) == 2 and marks[1][0] > marks[0][0]:
            spins_per_s = (marks[1][1] - marks[0][1]) / (marks[1][0] - marks[0][0])
        result["spins_per_s"] = spins_per_s
        result["spins_solo_per_s"] = solo
    return result
