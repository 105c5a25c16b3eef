"""Which GIL does each Python on this machine have? Ask them.

The lab finds every interpreter it can (PATH, pyenv, or the ones you name),
runs a small probe in each, and says which kind of GIL it has: the tick GIL
of Python 2, the switching GIL of 3.2 and later, or none (a free-threaded
build with its GIL off).
"""

from gilexamples.lab import find_interpreters


def describe(interp) -> str:
    if interp.era == "tick":
        knob = f"releases the GIL every {interp.check_interval} ticks"
    elif interp.era == "switching":
        knob = f"asks for the GIL after waiting {interp.switch_interval_s * 1e3:g} ms"
    else:
        knob = "runs threads in parallel"
    return f"{interp.label:<18} {interp.era:>9} GIL: {knob}"


def main() -> None:
    found = find_interpreters()
    eras = sorted({interp.era for interp in found})
    print(f"{len(found)} interpreter(s), GIL kinds: {', '.join(eras)}")
    for interp in found:
        print(describe(interp))


if __name__ == "__main__":
    main()
