"""Experiment "myths": settle common beliefs about the GIL on this interpreter.

A *watcher* thread counts as fast as it can. While the main thread does one
thing (sleeps, hashes, sums, sorts...), the watcher's pace, compared with its
pace while the main thread waits on an Event, says whether that thing let go
of the GIL: about 1 means the watcher ran freely, about 0 that it was stopped.
On a free-threaded build with its GIL off the watcher never stops.

Metrics (each a fraction; "_pace" is the watcher's pace relative to its pace
while the main thread waits on an Event):

* ``sleep0_handover``: share of ``time.sleep(0)`` calls after which a busy
  thread had run (does sleep(0) hand the GIL over?);
* ``sleep_1ms_handover``: the same for ``time.sleep(0.001)``;
* ``sleep_pace``: during ``time.sleep`` (it releases the GIL);
* ``hash_large_pace``: during one ``update()`` of a large buffer (hashlib lets
  go from 2048 bytes, when backed by OpenSSL); ``hash_backend`` names the module;
* ``sum_pace``: during ``sum(range(n))``, one long C call;
* ``sorted_pace``: during ``sorted()`` of a long, shuffled list of ints.

Lab payload: runs unchanged under Python 2.7 and 3.6+, stdlib only.
Usage: python myths.py '{"quick": true}'; optional params: "seconds" (length
of each long call, default 0.1 quick, 0.4 full), "rounds" (sleep(0) calls,
default 60 quick, 400 full). Prints {"metrics": {...}} on stdout.
"""
import hashlib
import threading
import time

import _common
from _common import clock

try:
    numbers = xrange  # noqa: F821 (Python 2)
except NameError:
    numbers = range


class Watcher(object):
    def __init__(self):
        self.count = 0
        self.stop = False
        self.thread = threading.Thread(target=self.run)
        self.thread.daemon = True

    def run(self):
        while not self.stop:
            self.count += 1

    def pace(self, call):
        """The watcher's count per second while ``call()`` runs."""
        before, start = self.count, clock()
        call()
        took = clock() - start
        return (self.count - before) / max(took, 1e-9)


def size_for(call_with, seconds, start_n):
    """An n for which call_with(n) takes about ``seconds`` (calibrated, bounded)."""
    n = start_n
    while True:
        start = clock()
        call_with(n)
        took = clock() - start
        if took > 0.02 or n > 10 ** 9:
            return max(1, int(n * seconds / max(took, 1e-9)))
        n *= 4


def shuffled(n):
    """n ints in a scrambled order (a fixed linear congruential sequence: same on 2.7 and 3.x)."""
    out, x = [], 12345
    for _ in numbers(n):
        x = (x * 1103515245 + 12345) & 0x7FFFFFFF
        out.append(x)
    return out


def handover(watcher, pause, rounds):
    handed = 0
    for _ in range(rounds):
        before = watcher.count
        time.sleep(pause)
        if watcher.count != before:
            handed += 1
        for _ in range(2000):
            pass
    return handed / float(rounds)


def main():
    params = _common.params()
    seconds = params.number("seconds", float, 0.1, 0.4)
    rounds = params.number("rounds", int, 60, 400)

    n_sum = size_for(lambda n: sum(numbers(n)), seconds, 100000)
    big_list = shuffled(size_for(lambda n: sorted(shuffled(n)), seconds, 10000))
    large = b"x" * (1024 * 1024)
    n_large = size_for(lambda n: hashlib.sha256().update(large * n), seconds, 4)
    large = large * n_large

    watcher = Watcher()
    watcher.thread.start()
    time.sleep(0.02)
    try:
        waiting = watcher.pace(lambda: threading.Event().wait(seconds))
        results = {
            "sleep_pace": watcher.pace(lambda: time.sleep(seconds)),
            "hash_large_pace": watcher.pace(lambda: hashlib.sha256().update(large)),
            "sum_pace": watcher.pace(lambda: sum(numbers(n_sum))),
            "sorted_pace": watcher.pace(lambda: sorted(big_list)),
        }
        sleep0 = handover(watcher, 0, rounds)
        sleep_1ms = handover(watcher, 0.001, max(20, rounds // 4))
    finally:
        watcher.stop = True
        watcher.thread.join()

    metrics = dict((key, round(value / max(waiting, 1e-9), 4)) for key, value in results.items())
    metrics.update({
        "sleep0_handover": round(sleep0, 4),
        "sleep_1ms_handover": round(sleep_1ms, 4),
        "hash_backend": type(hashlib.sha256()).__module__,
        "call_s": seconds,
        "watcher_rate_per_s": round(waiting, 1),
    })
    _common.emit({"metrics": metrics})


if __name__ == "__main__":
    main()
