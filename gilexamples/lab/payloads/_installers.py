"""Where ``signal.signal`` may install a handler: asked from a worker thread and
from a sub-interpreter, for the ``signals`` payload.

Imported by ``signals.py`` (the payload's folder is first on ``sys.path``).
Standard library only; Python 2.7 and 3.x.
"""
import os
import signal
import threading


def signal_in_worker():
    box = []

    def worker():
        try:
            signal.signal(signal.SIGUSR1, signal.SIG_DFL)
            box.append(None)
        except ValueError as error:
            box.append(str(error))

    thread = threading.Thread(target=worker, name="worker")
    thread.start()
    thread.join()
    return box[0]


SUB_CODE = r"""
import os, signal
try:
    signal.signal(signal.SIGUSR1, signal.SIG_IGN)
    message = "installed"
except ValueError as error:
    message = "ValueError: " + str(error)
os.write(%d, message.encode("utf-8"))
"""


def subinterpreter_signal():
    """What signal.signal says in a sub-interpreter (3.8+, private modules); None before."""
    module = None
    for name in ("_interpreters", "_xxsubinterpreters"):
        try:
            module = __import__(name)
            break
        except ImportError:
            continue
    if module is None:
        return None
    old = signal.getsignal(signal.SIGUSR1)
    read_end, write_end = os.pipe()
    try:
        interp = module.create()
        try:
            module.run_string(interp, SUB_CODE % write_end)
        finally:
            module.destroy(interp)
        os.close(write_end)
        write_end = None
        return os.read(read_end, 500).decode("utf-8")
    finally:
        signal.signal(signal.SIGUSR1, old)
        os.close(read_end)
        if write_end is not None:
            os.close(write_end)
