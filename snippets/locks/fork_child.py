"""After os.fork(), a lock held by another thread: CPython's lock versus this package's.

fork() copies memory, not threads. A lock another thread held at that moment
is still held in the child, by a thread that does not exist there. CPython
re-initialises only its own internal locks in the child; the locks of
gilexamples.locks (and every primitive built on them) re-initialise
themselves. The child reports by its exit status; nothing waits for ever.
"""

import os
import threading
import warnings

from gilexamples.locks import available_locks


def held_in_child(lock):
    """Fork while another thread holds ``lock``; can the child take it within 1 s?"""
    taken, done = threading.Event(), threading.Event()

    def holder():
        with lock:
            taken.set()
            done.wait(10)

    thread = threading.Thread(target=holder)
    thread.start()
    taken.wait(10)
    with warnings.catch_warnings():        # 3.12+ warns about forking with threads
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:
        os._exit(0 if lock.acquire(timeout=1) else 1)
    _, status = os.waitpid(pid, 0)
    done.set()
    thread.join(10)
    return "free" if os.waitstatus_to_exitcode(status) == 0 else "still held"


def main():
    print("threading.Lock in the child:", held_in_child(threading.Lock()))
    for cls in available_locks().values():
        if not isinstance(cls, str):
            print(f"{cls.__name__} in the child:", held_in_child(cls()))


if __name__ == "__main__":
    main()
