"""payload.parse_fast (orjson, with a proof) gives exactly what payload.parse gives: the same
value of the same types (a DuplicateKeys with its `repeated` where a key was sent twice),
or the same PayloadError (reason, line, column), on hypothesis-made texts, hostile texts
and the realistic corpus."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import pytest
from conftest import realistic_jsonl
from hypothesis import given, settings
from hypothesis import strategies as st

from pc_validate import payload
from pc_validate.payload import DuplicateKeys, PayloadError, parse, parse_fast

pytest.importorskip("orjson")


@pytest.fixture(autouse=True)
def at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """orjson from the first text on (it is imported after FAST_AFTER texts otherwise)."""
    monkeypatch.setattr(payload, "FAST_AFTER", 0)


def outcome(parser: Any, text: str) -> Any:
    try:
        return ("value", shape(parser(text)))
    except PayloadError as exc:
        return ("error", exc.reason, exc.line, exc.column)


def shape(value: Any) -> Any:
    """The value with every type and DuplicateKeys' record made part of what compares."""
    if isinstance(value, dict):
        repeated = value.repeated if isinstance(value, DuplicateKeys) else None
        items = [(key, shape(item)) for key, item in value.items()]
        return (type(value).__name__, repeated, items)
    if isinstance(value, list):
        return ("list", [shape(item) for item in value])
    return (type(value).__name__, repr(value))


def same(text: str) -> None:
    assert outcome(parse_fast, text) == outcome(parse, text), text


numbers = st.one_of(
    st.integers(-(2**70), 2**70).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.sampled_from(["1e400", "-1e400", "1.7976931348623159e308", "-0", "-0.0", "0.1e-400",
                     "4.9406564584124654e-324", "18446744073709551616", "9" * 30, "1E5", "01"]),
    st.from_regex(r"-?[0-9]{1,25}(\.[0-9]{1,25})?([eE][+-]?[0-9]{1,3})?", fullmatch=True),
)  # fmt: skip
strings = st.one_of(
    st.text(max_size=8).map(lambda text: json.dumps(text, ensure_ascii=False)),
    st.sampled_from(['"a:b"', '"\\u003a"', '"\\ud800"', '"\\udc00x"', '"\\ud83d\\ude00"',
                     '"\\u0000"', '"\t"', '"\\/"', '"\\x"', '"é"', '":"']),
)  # fmt: skip
keys = st.sampled_from(['"a"', '"b"', '"A"', '"a:"', '"\\u0061"', '"é"', '""'])


def objects(inner: Any) -> Any:
    pairs = st.lists(st.tuples(keys, inner), max_size=4)
    return pairs.map(lambda items: "{" + ", ".join(f"{k}: {v}" for k, v in items) + "}")


values = st.recursive(
    st.one_of(numbers, strings, st.sampled_from(["true", "false", "null", "NaN"])),
    lambda inner: st.one_of(
        objects(inner), st.lists(inner, max_size=4).map(lambda items: f"[{', '.join(items)}]")
    ),
    max_leaves=12,
)


@settings(max_examples=3000, deadline=None)
@given(values, st.sampled_from(["", " ", "\n", "\ufeff", "\r\n"]))
def test_fast_and_strict_parse_agree_on_made_texts(text: str, around: str) -> None:
    same(around + text + around.replace("\ufeff", ""))


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(['{"a": 1', ', "a": 2', ', "b": "x:y"', "}", "]", "[", ",",
                                 ":", '"', "1e999", " ", "\\u003a", "{}", "[1,]"]),
                max_size=10).map("".join))  # fmt: skip
def test_fast_and_strict_parse_agree_on_broken_texts(text: str) -> None:
    same(text)


@pytest.mark.parametrize(
    "text",
    [
        '{"a": 1, "a": 2}',
        '{"a": "x:y", "a": 2}',  # a colon in a string and a key twice: the counts balance
        '{"a": "\\u003a", "a": 1}',
        '{"a": {"b": 1, "b": 2}}',
        '[{"a": 1}, {"a": 1, "a": 1}]',
        "[" * 65 + "]" * 65,
        "[" * 1100 + "]" * 1100,
        "[" * 1_000_000 + "]" * 1_000_000,  # orjson 3.8 crashed the process on it
        '{"a": ' * 100_000 + "1" + "}" * 100_000,
        '{"n": 18446744073709551616}',
        '{"n": -9223372036854775809}',
        '{"n": 1e19}',
        '{"n": 1e400}',
        '{"e": "\\ud800"}',
        "\ufeff{}",
        "1" * 5000,
        "",
        "  ",
        "{",
    ],
)
def test_fast_and_strict_parse_agree_on_hostile_texts(text: str) -> None:
    same(text)


def test_fast_and_strict_parse_agree_on_the_realistic_corpus() -> None:
    for line in realistic_jsonl(1000).splitlines():
        same(line)


def test_without_orjson_the_strict_parser_parses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(payload._Fast, "loads", False)
    assert isinstance(parse_fast('{"a": 1, "a": 2}'), DuplicateKeys)


def test_orjson_parses_what_it_can_prove_and_the_strict_parser_the_rest(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    strict: list[str] = []
    monkeypatch.setattr(payload, "parse", lambda text: strict.append(text) or parse(text))
    for text in ('{"a": [1, {"b": null}], "c": "d"}', "[1.5, -2]", '"x"', "7"):
        parse_fast(text)
    assert strict == []
    for text in ('{"a": "x:y"}', '{"a": 1, "a": 2}', '{"n": 18446744073709551616}', "NaN"):
        with contextlib.suppress(PayloadError):
            parse_fast(text)
    assert len(strict) == 4
