"""Standard streams that never stop the program over bytes or characters they cannot carry.

Under a strict UTF-8 locale (``PYTHONIOENCODING=utf-8:strict``) one invalid byte on standard input
would end ``kpop-bot chat`` with a traceback, and every line after it would be lost; a character
the output encoding lacks would do the same on the way out. Text is replaced instead (U+FFFD
coming in, ``?`` going out), which the matcher treats as any other unknown character.
"""

from __future__ import annotations

import io
import sys

__all__ = ["tolerate_bad_text"]


def tolerate_bad_text() -> None:
    """Reconfigure stdin, stdout and stderr to replace what they cannot decode or encode."""
    for stream in (sys.stdin, sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="replace")
