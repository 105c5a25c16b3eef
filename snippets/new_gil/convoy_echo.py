# runs on: python2.7, python3 (standard library only)
"""The convoy effect in 40 lines: an echo thread next to a CPU-bound thread.

A thread answers on a loopback socket. A client in another process (so that
its clock is not behind this GIL) times round trips, first with the echo
thread alone, then with a counting thread beside it. Under the 3.2+ GIL each
loaded round trip waits about one switch interval. The client pauses 12 ms
between requests, longer than the echo thread's second, unseen wait for the
GIL after it sends the reply, so each request finds it back in recv().
"""
from __future__ import print_function

import socket
import subprocess
import sys
import threading

CLIENT = r"""
import socket, sys, time
clock = getattr(time, "perf_counter", time.time)
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
trips = []
for i in range(int(sys.argv[2])):
    time.sleep(0.012)
    start = clock()
    s.sendall(b"x")
    s.recv(1)
    trips.append(clock() - start)
s.close()
trips.sort()
print(trips[len(trips) // 2])
"""


def echo(listener):
    conn, _ = listener.accept()
    while True:
        data = conn.recv(1)
        if not data:
            break
        conn.sendall(data)
    conn.close()


def median_round_trip(trips):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    server = threading.Thread(target=echo, args=(listener,))
    server.start()
    out = subprocess.check_output([sys.executable, "-c", CLIENT,
                                   str(listener.getsockname()[1]), str(trips)])
    server.join()
    listener.close()
    return float(out.decode().strip())


busy = []


def spin():
    while not busy:
        pass


alone = median_round_trip(40)
spinner = threading.Thread(target=spin)
spinner.start()
try:
    loaded = median_round_trip(40)
finally:
    busy.append(True)
    spinner.join()

print("median round trip, echo thread alone:      %7.0f us" % (alone * 1e6))
print("median round trip, next to a busy thread:  %7.0f us" % (loaded * 1e6))
print("slowdown: %.0fx" % (loaded / alone))
