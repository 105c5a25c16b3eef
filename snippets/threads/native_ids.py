"""Python threads are kernel threads: each has an id the kernel knows.

Starts three threads, then asks the kernel (through /proc/self/task on Linux)
which threads this process has. Every Python thread's native_id is there,
next to the main thread's.
"""

import threading

from gilexamples.threads import os_thread_ids, parked_threads


def main() -> None:
    main_id = threading.get_native_id()
    with parked_threads(3) as workers:
        kernel_ids = os_thread_ids()
        print(f"main thread {threading.current_thread().name}: native id {main_id}")
        for worker in workers:
            print(f"{worker.name}: native id {worker.native_id}, "
                  f"known to the kernel: {worker.native_id in kernel_ids}")
        print(f"the kernel lists {len(kernel_ids)} threads for this process")
    print(f"after the workers stopped: {len(os_thread_ids())}")


if __name__ == "__main__":
    main()
