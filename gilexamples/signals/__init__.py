"""Signals and faulthandler: who runs a handler, when, and what a crash leaves behind.

* :mod:`gilexamples.signals.delivery`: the Python handler runs in the main
  thread, at the next check of the eval breaker: not during a long C call,
  but during blocking waits (which a signal interrupts), never in a worker.
* :mod:`gilexamples.signals.faults`: synchronous faults (SIGSEGV...) cannot be
  handled that way; :mod:`faulthandler` dumps every thread's traceback
  instead, and can also watch for hangs and dump on demand.
* :mod:`gilexamples.signals.handlers`: handlers and timers installed for a
  while and put back as they were (:class:`RecordingHandler` notes when and
  where a handler ran); :func:`snapshot` of the process's signal state.

The same checks run as the lab's ``signals`` experiment under any interpreter
from 2.7 on (``python -m gilexamples run signals``).

Every function restores the handlers, timers and wakeup fd it touched, joins
its threads and reaps its children before returning.
"""

from gilexamples.signals.handlers import Interrupted, RecordingHandler, alarm, handler, snapshot
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
    "Interrupted", "RecordingHandler", "alarm", "handler", "snapshot",
    "who_runs_the_handler", "c_call_delay", "sleep_with_handler", "lock_wait_with_handler",
    "wakeup_fd_wakes_selector", "threads_need_other_tools", "subinterpreter_refuses_handlers",
    "crash", "hang", "watchdog", "live_dump",
]
