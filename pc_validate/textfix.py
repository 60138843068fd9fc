"""Repairs patched into the text of a file: what `pc-validate fix` writes.

A repaired file differs from the original only in the repaired values. Each value is
replaced at its span (see positions) by the repaired value written in the style of the
literal it replaces (``\\u`` escapes kept where the original used them); the encoding, the
byte-order mark, line ends, indentation, escapes and numbers of everything else are the
user's. A file holds one body, a JSON array of bodies, or JSON Lines (one body a line);
each body is repaired on its own.

The patched text is parsed again and must give exactly the repaired bodies: a patch that
would change anything else is refused, never written.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final

from pc_validate.engine import Validator
from pc_validate.fix import Repair, repair
from pc_validate.payload import PayloadError, decode, encoding_of, parse
from pc_validate.positions import Span, value_spans

#: The largest file fix reads: it holds the whole text, and its repaired copy.
MAX_FILE_BYTES: Final = 256 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class RecordRepair:
    """One body of the file and its repair: `prefix` is the body's JSON Pointer in the
    document ("" for a single body, "/3" for an array's fourth element), `line` the line it
    starts on (JSON Lines; None otherwise)."""

    prefix: str
    line: int | None
    repair: Repair


@dataclass(frozen=True, slots=True)
class Unreadable:
    """A JSON Lines line that is not a JSON document."""

    line: int
    column: int | None
    reason: str


@dataclass(frozen=True, slots=True)
class FileRepair:
    """A whole file repaired: its text before and after, and how to write it back."""

    encoding: str
    bom: bytes
    original: str
    patched: str
    records: tuple[RecordRepair, ...]
    unreadable: tuple[Unreadable, ...]

    @property
    def changed(self) -> bool:
        return self.patched != self.original

    def encoded(self) -> bytes:
        """The patched text as the original was stored: same encoding, same mark."""
        return self.bom + self.patched.encode(self.encoding)


class PatchError(Exception):
    """The repaired values could not be patched in without changing something else."""


def repair_file(data: bytes, fmt: str, validator: Validator) -> FileRepair:
    """Repair every body of a file's bytes (`fmt`: "json" or "jsonl"). Raises PayloadError
    when the file is not text, or (JSON) not a JSON document; an unreadable JSON Lines line
    is listed in `unreadable`, the others are repaired."""
    encoding, skip = encoding_of(data[:64])
    text = decode(data[skip:], encoding)
    records: list[RecordRepair] = []
    unreadable: list[Unreadable] = []
    replacements: list[tuple[Span, str]] = []
    if fmt == "jsonl":
        for line, start, end in _lines(text):
            try:
                value = parse(text[start:end])
            except PayloadError as exc:
                unreadable.append(
                    Unreadable(line, exc.column if exc.line == 1 else None, exc.reason)
                )
                continue
            record = _repaired("", line, value, text[start:end], validator)
            records.append(record)
            replacements += _replacements(record, text, value_spans(text, start))
    else:
        value = parse(text)
        bodies = list(enumerate(value)) if isinstance(value, list) else [(None, value)]
        spans = value_spans(text)
        for index, body in bodies:
            prefix = "" if index is None else f"/{index}"
            whole = spans[prefix]
            record = _repaired(prefix, None, body, text[whole.start : whole.end], validator)
            records.append(record)
            replacements += _replacements(record, text, spans)
    patched = _patch(text, replacements)
    result = FileRepair(encoding, data[:skip], text, patched, tuple(records), tuple(unreadable))
    _verify(result, fmt)
    return result


def _lines(text: str) -> Iterator[tuple[int, int, int]]:
    """(line number, start, end) of each line of JSON Lines that is not blank."""
    start = 0
    number = 0
    while start < len(text):
        number += 1
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        if text[start:end].strip(" \t\r"):
            yield number, start, end
        start = end + 1


def _repaired(
    prefix: str, line: int | None, body: Any, text: str, validator: Validator
) -> RecordRepair:
    # A body that is a JSON string goes to repair() as its text: given the str, repair()
    # would read it as JSON text once more.
    return RecordRepair(
        prefix, line, repair(text if isinstance(body, str) else body, validator=validator)
    )


def _replacements(
    record: RecordRepair, text: str, spans: dict[str, Span]
) -> list[tuple[Span, str]]:
    found: list[tuple[Span, str]] = []
    for change in record.repair.changes:
        span = spans.get(record.prefix + change.path)
        if span is None:
            raise PatchError(f"the value at {change.path} was not found in the text")
        found.append((span, literal_like(change.after, text[span.start : span.end])))
    return found


def literal_like(value: Any, original: str) -> str:
    """`value` as JSON, written as the literal it replaces was: with ``\\u`` escapes for
    characters beyond ASCII when the original wrote them so and held no others."""
    if not isinstance(value, str):
        return json.dumps(value)
    escaped = "\\u" in original and original.isascii()
    surrogates = any("\ud800" <= char <= "\udfff" for char in value)
    return json.dumps(value, ensure_ascii=escaped or surrogates)


def _patch(text: str, replacements: list[tuple[Span, str]]) -> str:
    if not replacements:
        return text
    parts: list[str] = []
    at = 0
    for span, literal in sorted(replacements, key=lambda item: item[0].start):
        if span.start < at:
            raise PatchError("two repairs overlap")
        parts += [text[at : span.start], literal]
        at = span.end
    parts.append(text[at:])
    return "".join(parts)


def _verify(result: FileRepair, fmt: str) -> None:
    """The patched text must read as exactly the repaired bodies."""
    if not result.changed:
        return
    try:
        _compare(result, fmt)
    except PayloadError as exc:
        raise PatchError(f"the patched text is not JSON: {exc.reason}") from None


def _compare(result: FileRepair, fmt: str) -> None:
    if fmt == "jsonl":
        read = {record.line for record in result.records}
        text = result.patched
        bodies = [parse(text[start:end]) for line, start, end in _lines(text) if line in read]
    else:
        value = parse(result.patched)
        bodies = value if isinstance(value, list) else [value]
    wanted = [record.repair.payload for record in result.records]
    if bodies != wanted:
        raise PatchError("the patched text does not read as the repaired bodies")
