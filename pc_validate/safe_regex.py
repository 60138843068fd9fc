"""Compiling regular expressions taken from rule files."""

from __future__ import annotations

import re


class UnsafePattern(ValueError):
    """A rule-file pattern that cannot be used."""


def compile_pattern(source: str) -> re.Pattern[str]:
    """Compile a rule-file regular expression, or say why it cannot be used."""
    try:
        return re.compile(source)
    except re.error as exc:
        raise UnsafePattern(f"not a valid regular expression: {exc}") from None
