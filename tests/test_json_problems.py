"""payload.problem_at reads what stopped the JSON decoder from the text, not from the wording
of CPython's messages. The wording serves here, and only here, as the oracle."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from pc_validate.payload import problem_at

_ORACLE = {
    "Invalid control character": "control_character",
    "Invalid \\escape": "bad_escape",
    "Invalid \\uXXXX escape": "bad_unicode_escape",
    "Unterminated string": "unterminated",
    "Extra data": "extra",
}


def _expected(message: str) -> str:
    return next((p for m, p in _ORACLE.items() if message.startswith(m)), "other")


_pieces = st.sampled_from(
    ['"', "\\", "\\u", "\\u12", "\\u00e9", "\\q", "\\n", "\x01", "\x1f", " ", ":", ",", "{",
     "}", "[", "]", "1", "a", "é", "null", '"k"', "\n"]
)  # fmt: skip


@settings(max_examples=1500, deadline=None)
@given(st.lists(_pieces, max_size=16).map("".join), st.integers(0, 3))
def test_problem_at_agrees_with_the_decoder(text: str, lead: int) -> None:
    doc = " " * lead + text
    try:
        json.loads(doc)
    except json.JSONDecodeError as exc:
        assert problem_at(doc, exc.pos) == _expected(exc.msg), (doc, exc.msg, exc.pos)


def test_each_problem_has_its_case() -> None:
    cases = {
        '{"a": "x\x01y"}': "control_character",
        '{"a": "\\q"}': "bad_escape",
        '{"a": "\\u12"}': "bad_unicode_escape",
        '{"a": "abc': "unterminated",
        '{"a": "b\\\\"} x': "extra",
        '{"a" 1}': "other",
        '{"""': "other",  # a missing ':' before a string, not an unterminated string
        '["a" "b': "other",
    }
    for doc, problem in cases.items():
        try:
            json.loads(doc)
        except json.JSONDecodeError as exc:
            assert problem_at(doc, exc.pos) == problem, doc
        else:
            raise AssertionError(doc)
