"""Sub-interpreters that each have their own GIL, for the ``scaling`` payload.

One small class over the three APIs CPython has had for them:
``concurrent.interpreters`` (3.14+), ``_interpreters`` (3.13, config
``"isolated"``: ``gil="own"``) and ``_xxsubinterpreters`` (3.12,
``create(isolated=True)``). Before 3.12 there is none, and the class says so
in ``note``.

Imported by ``scaling.py`` (the payload's folder is first on ``sys.path``).
Standard library only; Python 2.7 and 3.x.
"""
import sys


class SubInterpreters(object):
    """Create, run code in, and destroy sub-interpreters that each have their own GIL."""

    def __init__(self):
        self.name = None
        self.note = None
        if sys.version_info[:2] < (3, 12):
            self.note = "no sub-interpreter with its own GIL before 3.12"
            return
        try:
            from concurrent import interpreters  # 3.14+
            self.mod, self.name = interpreters, "concurrent.interpreters"
            return
        except ImportError:
            pass
        for name in ("_interpreters", "_xxsubinterpreters"):
            try:
                self.mod = __import__(name)
                self.name = name
                return
            except ImportError:
                pass
        self.note = "this build has no sub-interpreter module"

    def create(self):
        if self.name == "concurrent.interpreters":
            return self.mod.create()
        if self.name == "_interpreters":
            return self.mod.create("isolated")   # config.gil == "own"
        return self.mod.create(isolated=True)    # 3.12: its own GIL

    def gil(self, handle):
        """The new interpreter's GIL as its config says (``"own"``), or None where unknown.

        3.13+ can be asked (``_interpreters.get_config``); 3.12 cannot, but its
        ``create(isolated=True)`` uses the isolated config, whose ``gil`` is
        ``PyInterpreterConfig_OWN_GIL``.
        """
        if self.name == "_xxsubinterpreters":
            return "own"
        try:
            import _interpreters
            ident = getattr(handle, "id", handle)
            return getattr(_interpreters.get_config(ident), "gil", None)
        except Exception:
            return None

    def run(self, handle, source):
        if self.name == "concurrent.interpreters":
            getattr(handle, "exec")(source)   # "exec" is a keyword in Python 2
            return
        failure = self.mod.run_string(handle, source)
        if failure is not None:   # 3.13 returns what went wrong instead of raising
            raise RuntimeError("sub-interpreter failed: %r" % (failure,))

    def destroy(self, handle):
        if self.name == "concurrent.interpreters":
            handle.close()
        else:
            self.mod.destroy(handle)
