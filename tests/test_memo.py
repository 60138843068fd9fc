"""memo.Bounded: the one cache type (docs/architecture.md, "Caches")."""

from __future__ import annotations

from pc_validate.memo import Bounded, remembering_pays


def test_a_full_cache_forgets_everything_and_keeps_its_dict() -> None:
    cache: Bounded[str, int] = Bounded(2)
    entries = cache.entries
    assert cache.remember("a", 1) == 1
    cache.remember("b", 2)
    assert entries == {"a": 1, "b": 2}
    assert len(cache) == 2
    cache.remember("c", 3)  # full: everything goes, then "c" is kept
    assert cache.entries is entries
    assert entries == {"c": 3}
    cache.clear()
    assert cache.entries is entries
    assert len(cache) == 0


def test_look_ups_read_a_plain_dict() -> None:
    # The screen and the interpreter hold `entries` and read it with `in` and `get`, which
    # CPython runs at full speed on an exact dict only (not on a dict subclass).
    assert type(Bounded[str, int](4).entries) is dict


def test_remembering_pays_from_one_hit_in_four() -> None:
    assert remembering_pays(1024, 768)
    assert not remembering_pays(1024, 769)
