"""Where each value of a JSON document lies in its text, by JSON Pointer.

One mechanism for everything that must point into the text a user wrote: `fix` patches
repaired values into the original text at these spans (so nothing else of the file
changes), and a report can turn a violation's path into a line and column (`Lines`).

The text is known to be well-formed JSON (it parsed): the scan only needs to tell strings,
punctuation and bare literals apart, in one pass and without recursion. A key sent more than
once in an object names its last occurrence, the one every JSON reader keeps.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass
from typing import Final, NamedTuple

from pc_validate.index import pointer_token

#: Whitespace, then one token: a whole string, a punctuation mark, or a bare literal
#: (number, true, false, null).
_TOKEN: Final = re.compile(
    r'[ \t\r\n]*(?:("[^"\\]*(?:\\.[^"\\]*)*")|([{}\[\],:])|([^ \t\r\n{}\[\],:"]+))', re.DOTALL
)


@dataclass(frozen=True, slots=True)
class Span:
    """The characters text[start:end] of one value (its quotes included, for a string)."""

    start: int
    end: int


class _Frame:
    """An open object or array: its pointer, the key or index of the next value, and the
    index where the container opened."""

    __slots__ = ("index", "is_object", "key", "opened", "pointer")

    def __init__(self, is_object: bool, pointer: str, opened: int) -> None:
        self.is_object = is_object
        self.pointer = pointer
        self.key: str | None = None
        self.index = 0
        self.opened = opened


def value_spans(text: str, start: int = 0) -> dict[str, Span]:
    """The span of every value of the JSON document at text[start:], by JSON Pointer ("" is
    the whole document). Spans index `text` itself, so a document inside a larger text (a
    line of JSON Lines) is scanned in place."""
    return scan(text, start).values


class Spans(NamedTuple):
    """What scan finds: the span of every value, and (when asked) of every key, by the JSON
    Pointer of the value the key names."""

    values: dict[str, Span]
    keys: dict[str, Span]


def scan(text: str, start: int = 0, *, keys: bool = False) -> Spans:
    """The spans of the JSON document at text[start:] (see value_spans); with `keys`, the
    span of each key too (its quotes included)."""
    spans: dict[str, Span] = {}
    key_spans: dict[str, Span] = {}
    frames: list[_Frame] = []
    expect_key = False
    position = start
    length = len(text)
    while position < length:
        found = _TOKEN.match(text, position)
        if found is None:  # only whitespace is left
            break
        position = found.end()
        string, mark, _literal = found.groups()
        if string is not None and expect_key:
            frame = frames[-1]
            frame.key = json.loads(string) if "\\" in string else string[1:-1]
            if keys:
                key_spans[_child(frames)] = Span(found.start(1), position)
            expect_key = False
            continue
        if mark == ":":
            continue
        if mark == ",":
            frame = frames[-1]
            if frame.is_object:
                expect_key = True
            else:
                frame.index += 1
            continue
        if mark in ("}", "]"):
            frame = frames.pop()
            spans[frame.pointer] = Span(frame.opened, position)
            expect_key = False
            if not frames:
                break
            continue
        pointer = _child(frames)
        if mark is None:  # a string value or a literal
            spans[pointer] = Span(found.start(1 if string is not None else 3), position)
            if not frames:
                break
            continue
        frames.append(_Frame(mark == "{", pointer, position - 1))
        expect_key = mark == "{"
    return Spans(spans, key_spans)


def _child(frames: list[_Frame]) -> str:
    """The pointer of the value that comes next inside the innermost container."""
    if not frames:
        return ""
    frame = frames[-1]
    if frame.is_object:
        return f"{frame.pointer}/{pointer_token(frame.key or '')}"
    return f"{frame.pointer}/{frame.index}"


class Lines:
    """Line and column of an index into a text: 1-based, the column counted in UTF-16 code
    units (as SARIF's default columnKind, editors and the LSP count them) or in characters.
    Lines end at LF (JSON: a lone CR is blank space there, as the readers count lines), or,
    `universal`, at CR LF, CR or LF (CSV, as its reader counts them)."""

    def __init__(self, text: str, *, universal: bool = False) -> None:
        self._text = text
        ends = _ANY_LINE_END if universal else _LINE_FEED
        self._starts = [0] + [found.end() for found in ends.finditer(text)]

    def position(self, index: int, *, utf16: bool = True) -> tuple[int, int]:
        line = bisect.bisect_right(self._starts, index)
        before = self._text[self._starts[line - 1] : index]
        column = len(before)
        if utf16 and not before.isascii():
            column += sum(1 for char in before if ord(char) > 0xFFFF)
        return line, column + 1


_LINE_FEED: Final = re.compile("\n")
_ANY_LINE_END: Final = re.compile("\r\n?|\n")
