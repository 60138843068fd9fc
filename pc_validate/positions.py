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
from typing import Final, NamedTuple

from pc_validate.index import pointer_token

#: One token: a whole string (a key, when a colon follows: group 1), a punctuation mark, or
#: a bare literal (number, true, false, null); finditer steps over the blank space between.
_TOKEN: Final = re.compile(
    r'"[^"\\]*(?:\\.[^"\\]*)*"([ \t\r\n]*:)?|[{}\[\],]|[^ \t\r\n{}\[\],:"]+', re.DOTALL
)
_new_span = tuple.__new__


class Span(NamedTuple):
    """The characters text[start:end] of one value (its quotes included, for a string)."""

    start: int
    end: int


class _Frame:
    """An open object or array: its pointer, the index where it opened, and (an array) the
    index of its current element."""

    __slots__ = ("index", "is_object", "opened", "pointer")

    def __init__(self, is_object: bool, pointer: str, opened: int) -> None:
        self.is_object = is_object
        self.pointer = pointer
        self.opened = opened
        self.index = 0


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
    pointer = ""  # of the value that comes next
    for found in _TOKEN.finditer(text, start):
        at, end = found.span()
        first = text[at]
        if found.lastindex:  # a key and its colon
            close = found.start(1)
            key = text[at + 1 : close - 1]
            if "\\" in key:
                key = json.loads(text[at:close])
            pointer = f"{frames[-1].pointer}/{pointer_token(key)}"
            if keys:
                key_spans[pointer] = _new_span(Span, (at, close))
        elif first == ",":
            frame = frames[-1]
            if not frame.is_object:
                frame.index += 1
                pointer = f"{frame.pointer}/{frame.index}"
        elif first == "}" or first == "]":
            frame = frames.pop()
            spans[frame.pointer] = _new_span(Span, (frame.opened, end))
            if not frames:
                break
        elif first == "{" or first == "[":
            frames.append(_Frame(first == "{", pointer, at))
            if first == "[":
                pointer += "/0"  # its first element (an object's keys name theirs)
        else:  # a string value or a literal
            spans[pointer] = _new_span(Span, (at, end))
            if not frames:
                break
    return Spans(spans, key_spans)


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
