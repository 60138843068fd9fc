"""Shared limits for code-like values and 'did you mean' suggestions.

Suggestions use fuzzy matching (difflib) and pycountry look-ups whose cost grows with the
input; nobody mistypes a 10,000-character culture, so long inputs get no suggestion, and
checks of codes (countries, spelling of tags) do not even trim or case-map them.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping

#: Longest input (code points) that can be a code, tag or key worth a suggestion.
SUGGEST_MAX_LENGTH = 64


def worth_suggesting(value: str) -> bool:
    """Short enough to be a code, tag or key (with some whitespace)."""
    return len(value) <= SUGGEST_MAX_LENGTH


def closest(word: str, choices: Mapping[str, str], cutoff: float) -> str | None:
    """The choice whose key is spelled most like `word` (keys already case-folded)."""
    if not worth_suggesting(word):
        return None
    found = difflib.get_close_matches(word, list(choices), n=1, cutoff=cutoff)
    return choices[found[0]] if found else None
