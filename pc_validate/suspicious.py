"""Characters that make text other than it looks: controls, bidirectional overrides and
isolates, zero-width characters, the replacement character and lone surrogates.

A company name with U+202E RIGHT-TO-LEFT OVERRIDE displays reversed (the "Trojan Source"
attack, CVE-2021-42574); a zero-width space makes two names that look alike differ; U+FFFD
and lone surrogates are what is left of text decoded wrongly. One precompiled character
class finds them, so a clean string costs a single search.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Final

#: The Unicode name aliases of the C0 and C1 controls and DEL (NameAliases.txt, type
#: control; figment for U+0080, U+0081, U+0084, U+0099, which have none other), which have
#: no character name of their own. tests/test_suspicious.py checks each with
#: unicodedata.lookup.
_CONTROL_NAMES = [
    "NULL",
    "START OF HEADING",
    "START OF TEXT",
    "END OF TEXT",
    "END OF TRANSMISSION",
    "ENQUIRY",
    "ACKNOWLEDGE",
    "ALERT",
    "BACKSPACE",
    "CHARACTER TABULATION",
    "LINE FEED",
    "LINE TABULATION",
    "FORM FEED",
    "CARRIAGE RETURN",
    "SHIFT OUT",
    "SHIFT IN",
    "DATA LINK ESCAPE",
    "DEVICE CONTROL ONE",
    "DEVICE CONTROL TWO",
    "DEVICE CONTROL THREE",
    "DEVICE CONTROL FOUR",
    "NEGATIVE ACKNOWLEDGE",
    "SYNCHRONOUS IDLE",
    "END OF TRANSMISSION BLOCK",
    "CANCEL",
    "END OF MEDIUM",
    "SUBSTITUTE",
    "ESCAPE",
    "INFORMATION SEPARATOR FOUR",
    "INFORMATION SEPARATOR THREE",
    "INFORMATION SEPARATOR TWO",
    "INFORMATION SEPARATOR ONE",
]
_C1_NAMES = [
    "PADDING CHARACTER",
    "HIGH OCTET PRESET",
    "BREAK PERMITTED HERE",
    "NO BREAK HERE",
    "INDEX",
    "NEXT LINE",
    "START OF SELECTED AREA",
    "END OF SELECTED AREA",
    "CHARACTER TABULATION SET",
    "CHARACTER TABULATION WITH JUSTIFICATION",
    "LINE TABULATION SET",
    "PARTIAL LINE FORWARD",
    "PARTIAL LINE BACKWARD",
    "REVERSE LINE FEED",
    "SINGLE SHIFT TWO",
    "SINGLE SHIFT THREE",
    "DEVICE CONTROL STRING",
    "PRIVATE USE ONE",
    "PRIVATE USE TWO",
    "SET TRANSMIT STATE",
    "CANCEL CHARACTER",
    "MESSAGE WAITING",
    "START OF GUARDED AREA",
    "END OF GUARDED AREA",
    "START OF STRING",
    "SINGLE GRAPHIC CHARACTER INTRODUCER",
    "SINGLE CHARACTER INTRODUCER",
    "CONTROL SEQUENCE INTRODUCER",
    "STRING TERMINATOR",
    "OPERATING SYSTEM COMMAND",
    "PRIVACY MESSAGE",
    "APPLICATION PROGRAM COMMAND",
]
CONTROL_NAMES: dict[str, str] = {
    **{chr(code): name for code, name in enumerate(_CONTROL_NAMES)},
    "\x7f": "DELETE",
    **{chr(0x80 + code): name for code, name in enumerate(_C1_NAMES)},
}

_CONTROLS = "\x00-\x1f\x7f-\x9f"
_BIDI = "\u202a-\u202e\u2066-\u2069"
_ZERO_WIDTH = "\u200b-\u200d\u2060\ufeff"
#: Every character judged here, in one class (in a Python str every surrogate is a lone one:
#: json.loads joins escaped pairs).
SUSPICIOUS = re.compile(f"[{_CONTROLS}{_BIDI}{_ZERO_WIDTH}\ufffd\ud800-\udfff]")
_BIDI_CLASS = re.compile(f"[{_BIDI}]")
_ZERO_WIDTH_CLASS = re.compile(f"[{_ZERO_WIDTH}]")


@dataclass(frozen=True, slots=True)
class Suspicious:
    """The first suspicious character of a text, and how many the text has."""

    code_point: str
    name: str
    kind: str
    position: int
    count: int


def character_name(char: str) -> str:
    """The character's Unicode name, a control's name alias, or what a surrogate is."""
    if char in CONTROL_NAMES:
        return CONTROL_NAMES[char]
    if "\ud800" <= char <= "\udbff":
        return "HIGH SURROGATE (alone, without its low half)"
    if "\udc00" <= char <= "\udfff":
        return "LOW SURROGATE (alone, without its high half)"
    return unicodedata.name(char, "UNNAMED CHARACTER")


#: What each kind of suspicious character is, in words, by message id (translated as
#: messages of their own: checks/keys.py, suspicious_characters).
SUSPICIOUS_KINDS: Final = {
    "suspicious.control": "a control character",
    "suspicious.bidi": "a bidirectional control, which reorders the text shown",
    "suspicious.zero_width": "an invisible zero-width character",
    "suspicious.replacement": "the replacement character, left where text was decoded wrongly",
    "suspicious.surrogate": "half of a surrogate pair, left where text was cut or decoded wrongly",
}


def _kind(char: str) -> str:
    if char in CONTROL_NAMES:
        return SUSPICIOUS_KINDS["suspicious.control"]
    if _BIDI_CLASS.match(char):
        return SUSPICIOUS_KINDS["suspicious.bidi"]
    if _ZERO_WIDTH_CLASS.match(char):
        return SUSPICIOUS_KINDS["suspicious.zero_width"]
    if char == "\ufffd":
        return SUSPICIOUS_KINDS["suspicious.replacement"]
    return SUSPICIOUS_KINDS["suspicious.surrogate"]


def first_suspicious(text: str, start: int = 0, end: int | None = None) -> Suspicious | None:
    """The first suspicious character of ``text[start:end]`` (its position 1-based in the
    whole text, in code points), or None when there is none."""
    stop = len(text) if end is None else end
    found = SUSPICIOUS.search(text, start, stop)
    if found is None:
        return None
    char = found.group()
    return Suspicious(
        f"U+{ord(char):04X}",
        character_name(char),
        _kind(char),
        found.start() + 1,
        len(SUSPICIOUS.findall(text, start, stop)),
    )
