"""Bounded excerpts of user data for error messages.

A message that repeats what a rule file or an input gave (a key, a value, a pattern) must
stay short however large that is: an unbounded ``repr()`` of a 4 MB key, or of a YAML
structure built from aliases, makes a message of that size. Every such repetition goes
through :func:`quoted` (a repr) or :func:`clipped` (text), which cut to about 80 characters
and end in "…".
"""

from __future__ import annotations

import functools
from typing import Any, Final

#: What a message repeats of one piece of user data, in characters.
LIMIT: Final = 80


@functools.cache
def _repr() -> Any:
    """A reprlib.Repr that stops early in large containers (imported on the error path)."""
    import reprlib

    bounded = reprlib.Repr()
    bounded.maxlevel = 3
    bounded.maxstring = bounded.maxother = bounded.maxlong = LIMIT
    bounded.maxlist = bounded.maxtuple = bounded.maxdict = bounded.maxset = 8
    bounded.maxfrozenset = 8
    return bounded


def clipped(text: str, limit: int = LIMIT) -> str:
    """`text` cut to `limit` characters, ending in "…" when it was cut."""
    return text if len(text) <= limit else text[:limit] + "…"


def quoted(value: object, limit: int = LIMIT) -> str:
    """``repr(value)`` cut to `limit` characters (ending in "…" when cut), computed without
    ever building the whole repr of a large value."""
    if isinstance(value, str):
        return clipped(repr(value[: limit + 1]), limit)
    try:
        return clipped(_repr().repr(value), limit)
    except ValueError:  # an integer too long to write out (sys.get_int_max_str_digits)
        return "(too long to show)"
