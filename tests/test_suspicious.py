"""Suspicious characters (pc_validate.suspicious, rule payload.suspicious_characters): the
class holds exactly the characters issue 13 names, each is named as Unicode names it, and
a message about one never carries it."""

from __future__ import annotations

import unicodedata

import pytest

from pc_validate import validate
from pc_validate.suspicious import CONTROL_NAMES, SUSPICIOUS, character_name, first_suspicious
from pc_validate.testing import base_payload

EXPECTED = {
    *range(0x00, 0x20),  # C0, NUL included
    0x7F,  # DEL
    *range(0x80, 0xA0),  # C1
    *range(0x202A, 0x202F),  # embeddings, pop, overrides
    *range(0x2066, 0x206A),  # isolates
    0x200B,
    0x200C,
    0x200D,
    0x2060,
    0xFEFF,  # zero-width
    0xFFFD,
    *range(0xD800, 0xE000),  # surrogates (always lone in a str)
}


def test_the_class_is_exactly_the_characters_named() -> None:
    found = {code for code in range(0x110000) if SUSPICIOUS.fullmatch(chr(code))}
    assert found == EXPECTED


def test_control_names_are_unicodes_aliases() -> None:
    assert len(CONTROL_NAMES) == 65
    for char, name in CONTROL_NAMES.items():
        assert unicodedata.lookup(name) == char, name


#: The characters judged, with the surrogates stood for by the ends of their two ranges.
SAMPLE = sorted(EXPECTED - set(range(0xD800, 0xE000)) | {0xD800, 0xDBFF, 0xDC00, 0xDFFF})


@pytest.mark.parametrize("code", SAMPLE)
def test_every_character_has_a_name(code: int) -> None:
    name = character_name(chr(code))
    assert name and "UNNAMED" not in name
    if 0xD800 <= code <= 0xDBFF:
        assert name.startswith("HIGH SURROGATE")
    elif 0xDC00 <= code <= 0xDFFF:
        assert name.startswith("LOW SURROGATE")
    elif chr(code) not in CONTROL_NAMES:
        assert name == unicodedata.name(chr(code))


def test_position_and_count() -> None:
    hit = first_suspicious("ab\u202ecd\u200b")
    assert hit is not None
    assert (hit.code_point, hit.name, hit.position, hit.count) == (
        "U+202E",
        "RIGHT-TO-LEFT OVERRIDE",
        3,
        2,
    )
    assert first_suspicious("plain text, ünïcödé, 中文, עברית") is None


@pytest.mark.parametrize("code", SAMPLE)
def test_the_message_is_printable(code: int) -> None:
    payload = base_payload()
    payload["billingProfile"]["companyName"] = f"Wingtip{chr(code)}Toys"
    for redact in (False, True):
        (violation,) = [
            v
            for v in validate(payload, redact=redact).violations
            if v.rule == "payload.suspicious_characters"
        ]
        assert violation.message.isprintable(), violation.message
        assert f"U+{code:04X}" in violation.message
        assert "at character 8" in violation.message
