"""The C side: libc through ctypes, the sizes of the POSIX types, and memory.

Two handles on the same C library, and one rule for choosing between them:

* ``BLOCKING`` is a :class:`ctypes.CDLL`: ctypes releases the GIL around every
  call made through it, so a call that may wait (``pthread_mutex_lock``,
  ``pthread_cond_wait``, ``sem_wait``...) lets other Python threads run, the
  thread that will wake us included.
* ``NONBLOCKING`` is a :class:`ctypes.PyDLL`: the call keeps the GIL. It is
  cheaper (no GIL hand-back and re-take) and is only used for calls that can
  never wait: ``pthread_mutex_trylock``, ``pthread_mutex_unlock``,
  ``pthread_cond_signal``, ``sem_trywait``, ``sem_post``, ``sem_getvalue``.

A waiting call made through ``PyDLL`` would hold the GIL while it waits: every
other Python thread stops, including the one that would release what we wait
for. That is a deadlock, not just a slowdown.

The sizes of ``pthread_mutex_t`` and friends are not visible from Python. They
come from a table of C headers per platform (``KNOWN_SIZES``); an unknown
platform is refused rather than guessed. ``tests/test_locks.py`` checks the
table against the C compiler where there is one, and
``snippets/locks/check_sizes.py`` shows how.

This module imports nothing from gilexamples.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import platform
import sys
import threading

__all__ = [
    "KNOWN_SIZES",
    "PlatformNotSupported",
    "UnsupportedPrimitive",
    "Timespec",
    "alloc",
    "free",
    "libc",
    "platform_key",
    "sizes",
    "timespec_at",
]


class UnsupportedPrimitive(OSError):
    """A POSIX primitive a lock needs does not exist on this platform."""


class PlatformNotSupported(UnsupportedPrimitive):
    """The sizes of the POSIX types are not known for this platform."""


#: sizeof() of the POSIX types, from the C headers, per (system, machine).
#: Each entry says where the numbers come from. "checked" entries were compared
#: with a C compiler's sizeof (tests/test_locks.py does it again wherever a C
#: compiler is installed); the others are read from the headers named.
KNOWN_SIZES: dict[tuple[str, str], dict] = {
    ("Linux", "x86_64"): {
        "pthread_mutex_t": 40, "pthread_mutexattr_t": 4,
        "pthread_cond_t": 48, "pthread_condattr_t": 4, "sem_t": 32,
        "source": "glibc sysdeps/x86/nptl/bits/pthreadtypes-arch.h (musl: same); "
                  "checked with gcc on Debian 12, glibc 2.36",
    },
    ("Linux", "aarch64"): {
        "pthread_mutex_t": 48, "pthread_mutexattr_t": 8,
        "pthread_cond_t": 48, "pthread_condattr_t": 8, "sem_t": 32,
        "source": "glibc sysdeps/aarch64/nptl/bits/pthreadtypes-arch.h (LP64)",
    },
    ("Darwin", "x86_64"): {
        "pthread_mutex_t": 64, "pthread_mutexattr_t": 16,
        "pthread_cond_t": 48, "pthread_condattr_t": 16, "sem_t": 4,
        "source": "macOS SDK sys/_pthread/_pthread_types.h (__PTHREAD_*_SIZE__ + sig)",
    },
    ("Darwin", "arm64"): {
        "pthread_mutex_t": 64, "pthread_mutexattr_t": 16,
        "pthread_cond_t": 48, "pthread_condattr_t": 16, "sem_t": 4,
        "source": "macOS SDK sys/_pthread/_pthread_types.h (__PTHREAD_*_SIZE__ + sig)",
    },
}

#: Every one of these types holds a ``long`` or ``long long`` (or is an int):
#: 8-byte alignment covers them all on the 64-bit platforms above. Memory comes
#: from posix_memalign with this alignment.
ALIGNMENT = 16

TYPE_NAMES = ("pthread_mutex_t", "pthread_mutexattr_t", "pthread_cond_t",
              "pthread_condattr_t", "sem_t")


def platform_key() -> tuple[str, str]:
    machine = platform.machine()
    if machine == "AMD64":
        machine = "x86_64"
    return (platform.system(), machine)


def sizes() -> dict[str, int]:
    """sizeof() of the POSIX lock types on this platform, from KNOWN_SIZES.

    Raises :class:`PlatformNotSupported` on a platform not in the table: a
    wrong size means a C library writing past the end of our memory.
    """
    key = platform_key()
    try:
        entry = KNOWN_SIZES[key]
    except KeyError:
        raise PlatformNotSupported(
            f"the sizes of the pthread and semaphore types are not known for "
            f"{key[0]} on {key[1]}; add them to gilexamples.locks._posix.KNOWN_SIZES "
            f"(snippets/locks/check_sizes.py prints them with a C compiler)") from None
    if ctypes.sizeof(ctypes.c_void_p) != 8:
        raise PlatformNotSupported("only 64-bit builds are covered by KNOWN_SIZES")
    return {name: entry[name] for name in TYPE_NAMES}


class Timespec(ctypes.Structure):
    """struct timespec: time_t and long are both C longs on LP64 POSIX systems."""

    _fields_ = [("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long)]


def timespec_at(ns: int) -> Timespec:
    """An absolute struct timespec for a clock reading of ``ns`` nanoseconds."""
    sec, nsec = divmod(ns, 1_000_000_000)
    return Timespec(sec, nsec)


class _Libc:
    """The C library, with argument types set, opened twice (CDLL and PyDLL)."""

    def __init__(self):
        name = None if sys.platform != "win32" else ctypes.util.find_library("c")
        # dlopen(NULL): the running program and everything it links, which on
        # Linux and macOS includes libc and the pthread functions.
        self.blocking = ctypes.CDLL(name, use_errno=True)
        self.nonblocking = ctypes.PyDLL(name, use_errno=True)
        self._missing: set[str] = set()
        vp, ip, cint = ctypes.c_void_p, ctypes.POINTER(ctypes.c_int), ctypes.c_int
        ts = ctypes.POINTER(Timespec)
        self.signatures = {
            "posix_memalign": [ctypes.POINTER(ctypes.c_void_p), ctypes.c_size_t, ctypes.c_size_t],
            "free": [vp],
            "pthread_mutex_init": [vp, vp],
            "pthread_mutex_destroy": [vp],
            "pthread_mutex_lock": [vp],
            "pthread_mutex_trylock": [vp],
            "pthread_mutex_unlock": [vp],
            "pthread_mutexattr_init": [vp],
            "pthread_mutexattr_settype": [vp, cint],
            "pthread_mutexattr_destroy": [vp],
            "pthread_cond_init": [vp, vp],
            "pthread_cond_destroy": [vp],
            "pthread_cond_wait": [vp, vp],
            "pthread_cond_timedwait": [vp, vp, ts],
            "pthread_cond_signal": [vp],
            "pthread_condattr_init": [vp],
            "pthread_condattr_setclock": [vp, cint],
            "pthread_condattr_destroy": [vp],
            "sem_init": [vp, cint, ctypes.c_uint],
            "sem_destroy": [vp],
            "sem_wait": [vp],
            "sem_trywait": [vp],
            "sem_timedwait": [vp, ts],
            "sem_clockwait": [vp, cint, ts],
            "sem_post": [vp],
            "sem_getvalue": [vp, ip],
        }

    def has(self, name: str) -> bool:
        try:
            getattr(self.blocking, name)
        except AttributeError:
            return False
        return True

    def function(self, name: str, *, blocking: bool, restype=ctypes.c_int):
        """A new foreign function object for ``name`` (CDLL if it may block).

        A fresh object each call (``dll[name]``), so its ``restype`` can be
        set without touching anyone else's.
        """
        dll = self.blocking if blocking else self.nonblocking
        try:
            fn = dll[name]
        except AttributeError:
            raise UnsupportedPrimitive(
                errno.ENOSYS, f"{name}() is not in this platform's C library") from None
        fn.argtypes = self.signatures[name]
        fn.restype = restype
        return fn


_LIBC: _Libc | None = None
_LIBC_LOCK = threading.Lock()


def libc() -> _Libc:
    """The process-wide :class:`_Libc` (opened on first use)."""
    global _LIBC
    if _LIBC is None:
        with _LIBC_LOCK:
            if _LIBC is None:
                _LIBC = _Libc()
    return _LIBC


def alloc(size: int) -> int:
    """posix_memalign(ALIGNMENT, size): C memory we own; free it with :func:`free`."""
    lib = libc()
    out = ctypes.c_void_p()
    status = lib.function("posix_memalign", blocking=False)(ctypes.byref(out), ALIGNMENT, size)
    if status != 0 or not out.value:
        raise MemoryError(f"posix_memalign({ALIGNMENT}, {size}) failed: {os.strerror(status)}")
    ctypes.memset(out.value, 0, size)
    return out.value


def free(address: int) -> None:
    libc().function("free", blocking=False, restype=None)(address)


def check(status: int, what: str) -> None:
    """Raise OSError for a pthread-style status (0 = success, else an errno)."""
    if status != 0:
        raise OSError(status, f"{what}: {os.strerror(status)}")

