"""Bounded memory for pure results, and the one rule that says when remembering stops paying.

Every cache in pc-validate remembers the result of a pure function (a check of a value, the
key index of an object shape, a written violation), so forgetting is always safe. A cache
that is full forgets everything at once: a bulk run sees a handful of shapes and values
that repeat (countries, cultures), which refill it at once, and clearing costs nothing
per look-up, where least-recently-used bookkeeping would cost on every hit.
"""

from __future__ import annotations

from typing import Final, Generic, TypeVar

_K = TypeVar("_K")
_V = TypeVar("_V")

#: Caches by object shape (its keys in order) keep this many shapes of at most this many keys:
#: records of one export share a handful of shapes.
SHAPES_KEPT: Final = 4096
SHAPE_KEYS_AT_MOST: Final = 64
#: Values remembered per field (cultures, countries and states repeat across payloads); a
#: field whose values rarely repeat (names, emails) stops being remembered after a trial of
#: this many look-ups (see remembering_pays).
MEMO_KEPT: Final = 2048
MEMO_TRIAL: Final = 1024


class Bounded(Generic[_K, _V]):
    """A cache of at most `limit` entries that forgets all of them when it is full.

    Look-ups read `entries`, a plain dict (`cache.entries.get(key)`, `key in cache.entries`),
    which is never replaced, only emptied, so a hot path may hold it. CPython runs `in`, `[]`
    and `get` at full speed on an exact dict only: on a dict subclass `in` and `[]` go through
    a slot call and `get` is not specialised. Only `remember` is Python code, and it runs on
    a miss, which costs far more anyway.
    """

    __slots__ = ("entries", "limit")

    def __init__(self, limit: int) -> None:
        self.entries: dict[_K, _V] = {}
        self.limit = limit

    def remember(self, key: _K, value: _V) -> _V:
        """Keep `value` under `key` (forgetting everything first when full); return it."""
        entries = self.entries
        if len(entries) >= self.limit:
            entries.clear()
        entries[key] = value
        return value

    def clear(self) -> None:
        """Forget everything."""
        self.entries.clear()

    def __len__(self) -> int:
        return len(self.entries)


def remembering_pays(lookups: int, misses: int) -> bool:
    """Whether a memo earns its keep: at least one look-up in four finds its answer.

    Below that (names, email addresses: values seen once) building the key and storing the
    outcome cost more than the hits save. Engine and screen both stop remembering a field by
    this rule after MEMO_TRIAL look-ups.
    """
    return (lookups - misses) * 4 >= lookups
