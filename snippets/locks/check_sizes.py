"""Check the sizes gilexamples.locks allocates against the C compiler's sizeof().

The sizes of pthread_mutex_t, pthread_cond_t, sem_t... are not visible from
Python; the package keeps a table per platform and refuses platforms it does
not know. This script asks the C compiler, if there is one.
"""

import shutil
import subprocess
import tempfile
from pathlib import Path

from gilexamples.locks import primitive_sizes

TYPES = ["pthread_mutex_t", "pthread_mutexattr_t", "pthread_cond_t", "pthread_condattr_t", "sem_t"]
PROGRAM = ("#include <pthread.h>\n#include <semaphore.h>\n#include <stdio.h>\nint main(void) {\n"
           + "".join(f'    printf("%zu\\n", sizeof({t}));\n' for t in TYPES) + "    return 0;\n}\n")


def compiler_sizes():
    cc = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if cc is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        source, binary = Path(tmp, "sizes.c"), Path(tmp, "sizes")
        source.write_text(PROGRAM)
        subprocess.run([cc, str(source), "-o", str(binary), "-pthread"], check=True, timeout=60)
        out = subprocess.run([str(binary)], check=True, capture_output=True, text=True, timeout=10)
    return dict(zip(TYPES, map(int, out.stdout.split())))


def main():
    table = primitive_sizes()
    measured = compiler_sizes()
    for name in TYPES:
        seen = "no C compiler" if measured is None else measured[name]
        print(f"{name:<20} table {table[name]:>3}   sizeof {seen:>3}")
    if measured is None:
        print("no C compiler here: the table was not checked")
    elif measured == table:
        print("the table agrees with sizeof()")
    else:
        print("MISMATCH: fix gilexamples/locks/_posix.py KNOWN_SIZES")
        raise SystemExit(1)


if __name__ == "__main__":
    main()
