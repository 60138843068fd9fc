r"""Compiling regular expressions taken from rule files, refusing those that could hang.

Python's ``re`` has no time limit, and some patterns take it exponential or polynomial time
on a long value that does not match (``(a+)+``, ``\d+\d+``). Rule files are untrusted, so
every pattern they give (rule parameters of kind ``regex``, a market's ``postal_pattern``)
goes through :func:`compile_pattern`, which refuses such a pattern, saying why.

Most rule patterns can be seen at a glance to be linear (:func:`plainly_linear`); the rest
go to the full analysis of ``pc_validate.regex_analysis``, imported only then, to keep the
command's start quick.
"""

from __future__ import annotations

import functools
import importlib
import re
import sys
from typing import Any

_sre: Any = importlib.import_module("re._parser" if sys.version_info >= (3, 11) else "sre_parse")
_CHARS = (_sre.LITERAL, _sre.NOT_LITERAL, _sre.ANY, _sre.IN)
_REPEATS = (_sre.MAX_REPEAT, _sre.MIN_REPEAT, getattr(_sre, "POSSESSIVE_REPEAT", object()))
_GROUPS = (_sre.SUBPATTERN, getattr(_sre, "ATOMIC_GROUP", object()))

#: What "at a glance" allows: ways through the pattern times its length without a loop;
#: ways times length of the rest beside its one loop (work at each character).
_GLANCE_WORK = 4096
_GLANCE_WORK_PER_CHARACTER = 32
#: A counted repetition with more copies than this counts as a loop.
_GLANCE_COPIES = 64
_MANY = 1 << 40


class UnsafePattern(ValueError):
    """A rule-file pattern that cannot be used."""


def compile_pattern(source: str) -> re.Pattern[str]:
    """Compile a rule-file regular expression, or say why it cannot be used (UnsafePattern).

    The pattern is refused when it is not valid, or when matching it in full against a
    long value that does not match could take more than linear time.
    """
    try:
        compiled = re.compile(source)
    except re.error as exc:
        raise UnsafePattern(f"not a valid regular expression: {exc}") from None
    except RecursionError:
        raise UnsafePattern("nested too deeply to check") from None
    problem = pattern_problem(source, compiled.flags)
    if problem is not None:
        raise UnsafePattern(problem)
    return compiled


def pattern_problem(source: str, flags: int = 0) -> str | None:
    """Why the valid pattern `source` could take more than linear time; None if it cannot."""
    if plainly_linear(source, flags):
        return None
    from pc_validate.regex_analysis import analyse

    return analyse(source, flags)


@functools.lru_cache(maxsize=512)
def plainly_linear(source: str, flags: int = 0) -> bool:
    """Whether the valid pattern `source` is linear at a glance: no lookaround or
    backreference; at most one unbounded repetition, of a single character and inside no
    other repetition; and few ways through the rest (an alternative, an optional copy: a
    way each), so that the engine's work is small at each character (with the loop) or
    along the whole value (without).

    A sufficient test, never a refusal: what it does not pass goes to the full analysis.
    """
    try:
        tree = _sre.parse(source, flags)
        ways, longest, loops = _glance(tree, nested=False)
    except RecursionError:
        return False
    if loops == 0:
        return ways * longest <= _GLANCE_WORK
    return loops == 1 and ways * longest <= _GLANCE_WORK_PER_CHARACTER


def _glance(items: Any, *, nested: bool) -> tuple[int, int, int]:
    """(ways through the items, the most characters they match beside the loop, loops);
    _MANY ways for anything the glance does not judge."""
    ways, longest, loops = 1, 0, 0
    for op, av in items:
        if op in _CHARS:
            longest += 1
        elif op is _sre.AT:
            pass
        elif op in _GROUPS:
            inner = _glance(av[-1] if op is _sre.SUBPATTERN else av, nested=nested)
            ways, longest, loops = ways * inner[0], longest + inner[1], loops + inner[2]
        elif op is _sre.BRANCH:
            branches = [_glance(branch, nested=nested) for branch in av[1]]
            ways *= sum(branch[0] for branch in branches)
            longest += max(branch[1] for branch in branches)
            loops += sum(branch[2] for branch in branches)
        elif op in _REPEATS:
            low, high, body = av
            if high == _sre.MAXREPEAT or high > _GLANCE_COPIES:
                if nested or len(body) != 1 or body[0][0] not in _CHARS:
                    return _MANY, _MANY, _MANY
                loops += 1
                longest += low
            else:
                inner_ways, inner_longest, inner_loops = _glance(body, nested=True)
                if inner_loops:
                    return _MANY, _MANY, _MANY
                ways *= _powers(inner_ways, low, high)
                longest += high * inner_longest
        else:  # lookarounds, backreferences, conditionals
            return _MANY, _MANY, _MANY
        ways, longest = min(ways, _MANY), min(longest, _MANY)
    return ways, longest, loops


def _powers(base: int, low: int, high: int) -> int:
    """base**low + ... + base**high, capped at _MANY."""
    total, power = 0, 1
    for count in range(high + 1):
        if count >= low:
            total = min(total + power, _MANY)
        power = min(power * base, _MANY)
    return total
