"""``python -m gilexamples``: see :mod:`gilexamples.cli`."""

import sys

from gilexamples.cli import main

sys.exit(main())
