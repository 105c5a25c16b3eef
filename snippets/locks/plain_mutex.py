"""Why CPython's lock is not a plain pthread mutex: a mutex belongs to the thread that locked it.

An "error-checking" pthread mutex (PTHREAD_MUTEX_ERRORCHECK) reports what a
default mutex leaves undefined: unlocking it from another thread fails with
EPERM. A Python lock must allow exactly that (threading.Lock is often
released by a thread other than the one that acquired it); SemaphoreLock,
like CPython's lock, does.
"""

import ctypes
import errno
import platform
import threading

from gilexamples.locks import SemaphoreLock, primitive_sizes

#: PTHREAD_MUTEX_ERRORCHECK from <pthread.h>
ERRORCHECK = {"Linux": 2, "Darwin": 1}[platform.system()]


def main():
    libc = ctypes.CDLL(None, use_errno=True)
    size = primitive_sizes()
    attr = (ctypes.c_uint64 * (size["pthread_mutexattr_t"] // 8 or 1))()
    mutex = (ctypes.c_uint64 * (size["pthread_mutex_t"] // 8))()   # 8-byte aligned memory
    assert libc.pthread_mutexattr_init(attr) == 0
    assert libc.pthread_mutexattr_settype(attr, ERRORCHECK) == 0
    assert libc.pthread_mutex_init(mutex, attr) == 0
    libc.pthread_mutexattr_destroy(attr)

    locked = threading.Event()
    may_unlock = threading.Event()

    def thread_a():
        print("thread A locks the mutex:", libc.pthread_mutex_lock(mutex))
        locked.set()
        may_unlock.wait(10)
        print("thread A unlocks it:", libc.pthread_mutex_unlock(mutex))

    a = threading.Thread(target=thread_a)
    a.start()
    locked.wait(10)
    status = libc.pthread_mutex_unlock(mutex)       # pthread calls return the error number
    print(f"main thread unlocks it: {status} ({errno.errorcode.get(status, '?')})")
    may_unlock.set()
    a.join()
    libc.pthread_mutex_destroy(mutex)

    lock = SemaphoreLock()
    b = threading.Thread(target=lock.acquire)
    b.start()
    b.join()
    print("SemaphoreLock taken by thread B; locked():", lock.locked())
    lock.release()                                  # by the main thread: allowed
    print("released by the main thread; locked():", lock.locked())
    lock.close()


if __name__ == "__main__":
    main()
