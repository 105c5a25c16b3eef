"""Every primitive of threading, built on one lock type: a small job queue.

synchronization(lock_type) makes RLock, Condition, Semaphore,
BoundedSemaphore, Event, Barrier and Queue out of nothing but locks of
lock_type, as threading.py and queue.py make theirs out of _thread.lock.
Here every one of them runs on SemaphoreLock (a POSIX sem_t through ctypes),
or on MutexCondLock where the platform has no unnamed semaphores.
"""

import threading

from gilexamples.locks import available_locks, synchronization


def main():
    kinds = available_locks()
    lock_type = next(c for c in (kinds["semaphore"], kinds["mutex+cond"]) if not isinstance(c, str))
    sync = synchronization(lock_type)
    jobs = sync.Queue(maxsize=4)           # one lock, three conditions on it
    start = sync.Barrier(3)                # two workers and the main thread
    total, total_lock = [0], sync.RLock()
    done = sync.Event()

    def worker():
        start.wait(timeout=10)
        while True:
            n = jobs.get(timeout=10)
            if n is not None:
                with total_lock, total_lock:       # an RLock may be taken twice
                    total[0] += n * n
            jobs.task_done()
            if n is None:
                return

    workers = [threading.Thread(target=worker) for _ in range(2)]
    for w in workers:
        w.start()
    start.wait(timeout=10)
    for n in range(1, 101):
        jobs.put(n, timeout=10)            # waits while the queue is full
    for _ in workers:
        jobs.put(None, timeout=10)
    jobs.join()                            # every job marked done
    done.set()
    for w in workers:
        w.join(10)
    print(f"built on {lock_type.__name__}: {sync.Condition()!r}")
    print(f"sum of squares 1..100 = {total[0]}, all done: {done.wait(0)}")


if __name__ == "__main__":
    main()
