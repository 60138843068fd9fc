"""Where each violation lies in the text its record was read from: line and column of the
start and the end of the offending value.

A violation names its place by JSON Pointer; this module finds that place in the record's
text (`records.Origin`) by the scan `fix` patches values by (positions.scan), or, for a CSV
row, among the row's cells. What is located: the value; for a key that is not known or is
sent more than once (codes unknown_field, ambiguous_field), the key; for a missing field,
the nearest object that is there (for CSV, the row), as Spectral does. A key sent twice
names its last occurrence, the one that is judged. Lines and columns count from 1; columns
count UTF-16 code units (as SARIF's default columnKind, the LSP and editors do); the end is
the position just past the last character (SARIF's endColumn).

Only records with violations are located, after they are judged (bulk.py), so a clean
record costs nothing, and a record read without its text (an in-memory payload, a workbook
row) simply has no `location`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Final

from pc_validate.index import pointer_token
from pc_validate.positions import Lines, Span, scan
from pc_validate.records import Origin

if TYPE_CHECKING:
    from pc_validate.documents import LocationDocument, ViolationDocument

#: Codes whose violation is about the key rather than its value.
KEY_CODES: Final = frozenset({"unknown_field", "ambiguous_field"})
#: A key renamed by redaction: the N-th key of its object (engine.KeyNames).
_RENAMED: Final = re.compile(r"\*([1-9][0-9]*)")


def locate(
    violations: Iterable[ViolationDocument], origin: Origin, payload: Any, *, redact: bool
) -> None:
    """Give each violation whose place is found in `origin`'s text its `location`.
    `payload` is the record's value (under `redact`, keys renamed `*N` are looked up in it)."""
    if origin.delimiter is None:
        values, keys = scan(origin.text, keys=True)
        lines = Lines(origin.text)
    else:
        values, keys = _cells(origin), {}
        lines = Lines(origin.text, universal=True)
    for violation in violations:
        pointer = violation["path"]
        if redact:
            pointer = unredacted(pointer, payload)
        span = keys.get(pointer) if violation["code"] in KEY_CODES else None
        if span is None:
            span = _nearest(values, pointer)
        if span is not None:
            violation["location"] = _location(lines, span, origin)


def _nearest(spans: dict[str, Span], pointer: str) -> Span | None:
    """The span of the value at `pointer`, else of its nearest ancestor that is there."""
    while pointer not in spans:
        if not pointer:
            return None
        pointer = pointer[: pointer.rfind("/")]
    return spans[pointer]


def unredacted(pointer: str, payload: Any) -> str:
    """A redacted JSON Pointer with each `*N` token given back the key it stands for (the
    N-th key of its object in the order sent), found in the payload itself."""
    tokens = []
    node = payload
    for token in pointer.split("/")[1:]:
        renamed = _RENAMED.fullmatch(token)
        if renamed is not None and isinstance(node, dict) and int(renamed.group(1)) <= len(node):
            key = list(node)[int(renamed.group(1)) - 1]
            token = pointer_token(key) if isinstance(key, str) else token
        else:
            key = token.replace("~1", "/").replace("~0", "~")
        tokens.append(token)
        if isinstance(node, dict):
            node = node.get(key)
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            node = None
    return "".join("/" + token for token in tokens)


def _location(lines: Lines, span: Span, origin: Origin) -> LocationDocument:
    line, column = _position(lines, span.start, origin)
    end_line, end_column = _position(lines, span.end, origin)
    return {"line": line, "column": column, "end_line": end_line, "end_column": end_column}


def _position(lines: Lines, index: int, origin: Origin) -> tuple[int, int]:
    """Line and column in the input of origin.text[index]."""
    line, column = lines.position(index)
    if line == 1:
        column += origin.column - 1
    return origin.line + line - 1, column


def _cells(origin: Origin) -> dict[str, Span]:
    """The span of each cell of a CSV row, by the JSON Pointer of the field its column
    holds ("" for the whole row, its line end left out). The csv module read the row
    strictly, so a quoted cell closes with a quote that a delimiter or the line end follows."""
    assert origin.delimiter is not None
    text, delimiter = origin.text, origin.delimiter
    row_end = len(text.rstrip("\r\n"))
    spans: dict[str, Span] = {"": Span(0, row_end)}
    at = 0
    for parts in origin.columns:
        if at > row_end:
            break
        if text.startswith('"', at):
            end = at + 1
            while True:
                end = text.find('"', end)
                if end < 0:
                    end = row_end
                    break
                end += 1
                if not text.startswith('"', end):
                    break
                end += 1  # a doubled quote inside the cell
        else:
            end = at
            while end < row_end and text[end] != delimiter and text[end] not in "\r\n":
                end += 1
        if end > at:
            spans["".join("/" + pointer_token(part) for part in parts)] = Span(at, end)
        at = end + 1
    return spans
