"""Signals and faulthandler: who runs a handler, when, and what a crash leaves behind.

* :mod:`gilexamples.signals.delivery`: the Python handler runs in the main
  thread, at the next check of the eval breaker: not during a long C call,
  but during blocking waits (which a signal interrupts), never in a worker.
* :mod:`gilexamples.signals.faults`: synchronous faults (SIGSEGV...) cannot be
  handled that way; :mod:`faulthandler` dumps every thread's traceback
  instead, and can also watch for hangs and dump on demand.
* :mod:`gilexamples.signals.versions`: the same checks as a lab payload, run
  under any interpreter from 2.7 on.

Every function restores the handlers, timers and wakeup fd it touched, joins
its threads and reaps its children before returning.
"""

from gilexamples.signals._state import Interrupted, Recorder, alarm, handler, snapshot
from gilexamples.signals.delivery import (
    c_call_delay,
    lock_wait_with_handler,
    sleep_with_handler,
    subinterpreter_refuses_handlers,
    threads_need_other_tools,
    wakeup_fd_wakes_selector,
    who_runs_the_handler,
)
from gilexamples.signals.faults import crash, hang, live_dump, watchdog

__all__ = [
    "Interrupted", "Recorder", "alarm", "handler", "snapshot",
    "who_runs_the_handler", "c_call_delay", "sleep_with_handler", "lock_wait_with_handler",
    "wakeup_fd_wakes_selector", "threads_need_other_tools", "subinterpreter_refuses_handlers",
    "crash", "hang", "watchdog", "live_dump",
]
