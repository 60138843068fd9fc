"""Turn request-body text into a JSON value, or a PayloadError that says where it broke.

Strict JSON as the service reads it: no comments, no trailing commas, no NaN/Infinity.
A UTF-8 byte-order mark (what Windows PowerShell writes) is accepted, and so is UTF-16
or UTF-32 text that starts with its byte-order mark.
"""

from __future__ import annotations

import codecs
import json
import re
from dataclasses import dataclass
from typing import Any

#: Byte-order marks and the encodings they name (UTF-32 first: its LE mark starts like
#: UTF-16's).
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_TRAILING_COMMA = re.compile(r",\s*\Z")
_LONG_NUMBER = re.compile(r"-?\d{4300,}")


class PayloadError(ValueError):
    """The input is not a JSON document; carries the 1-based line and column where it broke."""

    def __init__(self, reason: str, line: int | None = None, column: int | None = None) -> None:
        self.reason = reason
        self.line = line
        self.column = column
        where = f"line {line}, column {column}: " if line is not None else ""
        super().__init__(f"{where}{reason}")


@dataclass(frozen=True, slots=True)
class _Position:
    line: int
    column: int


def _position(text: str, index: int) -> _Position:
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return _Position(line, column)


def decode(data: bytes) -> str:
    """Decode request bytes: UTF-8 unless a byte-order mark names another encoding."""
    encoding = "utf-8"
    for bom, name in BOMS:
        if data.startswith(bom):
            data, encoding = data[len(bom) :], name
            break
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        head = data[: exc.start].decode(encoding, errors="replace")
        pos = _position(head, len(head))
        raise PayloadError(
            f"not valid {encoding.upper()}: byte 0x{data[exc.start]:02x} cannot start or continue "
            "a character",
            pos.line,
            pos.column,
        ) from None


class NonJsonConstant(ValueError):
    """NaN, Infinity or -Infinity: Python's json accepts them, JSON does not."""


def reject_constant(name: str) -> Any:
    raise NonJsonConstant(name)


def explain(exc: json.JSONDecodeError) -> str:
    """Say what went wrong in words a person who wrote the JSON by hand will recognise."""
    before = exc.doc[: exc.pos]
    ahead = exc.doc[exc.pos : exc.pos + 1]
    if not exc.doc.strip():
        return "the input is empty; expected a JSON object"
    if ahead in "}]" and ahead and _TRAILING_COMMA.search(before):
        return f"trailing comma before '{ahead}': strict JSON does not allow one"
    if exc.msg == "Extra data":
        return "unexpected text after the end of the JSON value"
    if ahead == "/" or ahead == "#":
        return "comments are not allowed in JSON"
    if ahead == "'":
        return "strings and keys must use double quotes, not single quotes"
    return exc.msg[0].lower() + exc.msg[1:]


def parse(source: str | bytes | bytearray) -> Any:
    """Parse one JSON document; raise PayloadError naming line and column on any failure."""
    text = decode(bytes(source)) if isinstance(source, bytes | bytearray) else source
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        return json.loads(text, parse_constant=reject_constant)
    except json.JSONDecodeError as exc:
        raise PayloadError(explain(exc), exc.lineno, exc.colno) from None
    except NonJsonConstant as exc:
        pos = _position(text, _find_constant(text, str(exc)))
        raise PayloadError(
            f"{exc} is not a JSON value (JSON has no NaN or Infinity)", pos.line, pos.column
        ) from None
    except ValueError:  # Python refuses to convert integers of more than 4,300 digits
        long_number = _LONG_NUMBER.search(text)
        pos = _position(text, long_number.start() if long_number else 0)
        raise PayloadError(
            "a number has too many digits to be read (more than 4,300)", pos.line, pos.column
        ) from None
    except RecursionError:
        raise PayloadError("the JSON value is nested too deeply to read") from None


def _find_constant(text: str, name: str) -> int:
    match = re.search(rf"(?<![\w\"]){re.escape(name)}(?![\w\"])", text)
    return match.start() if match else 0
