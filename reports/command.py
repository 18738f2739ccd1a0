"""What the command lines (``reports``, ``reports.gate``, ``reports.noise``, ``reports.matrix``) share:
the one-line error. The comparison rule's options are ``reports.options``."""

from __future__ import annotations

import sys


def error(prog: str, message: str) -> int:
    """Print ``PROG: error: <message on one line>`` to stderr; return 2, the exit status for unusable input."""
    print(f"{prog}: error: {' '.join(str(message).split())}", file=sys.stderr)
    return 2


class OptionError(Exception):
    """An option value out of range; ``str()`` is one line naming the option and its valid values."""
