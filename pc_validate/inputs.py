"""Reading request bodies in bulk: JSON files (one object or an array), JSON Lines and CSV.

Every reader is a generator that holds one record at a time (a JSON array is decoded
element by element from a sliding buffer), so memory does not grow with the number of
records. Each record says where it came from: the input's name, its index in the input
(from 0), and the line (JSON, JSON Lines) or row (CSV) it starts on. A record that cannot be
read is yielded as an `Unreadable` with its reason, line and column, and reading goes on with
the next record wherever the format allows it (JSON Lines: the next line; CSV: the next row;
a JSON array: the next element, when the bad one is whole, e.g. NaN, undecodable bytes, a
raw control character, a number too long or nesting too deep; after broken JSON syntax the
rest of the array is reported as not read). A stream that fails mid-way (an I/O error, a
closed stdin) ends its input with one more `Unreadable`.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any, BinaryIO, Final

from pc_validate.excerpt import quoted
from pc_validate.payload import (
    DECODER,
    MARK_ERRORS,
    PayloadError,
    decode,
    describe_marks,
    encoding_of,
    explain,
    marks_at,
    parse,
    refusal,
    scan_value,
    too_deep,
    too_deep_reason,
    undecodable_at,
)

FORMATS: Final = ("auto", "json", "jsonl", "csv")
_JSONL_SUFFIXES: Final = frozenset({".jsonl", ".ndjson", ".jsonlines"})

#: A JSON array element (or CSV record) larger than this cannot be read: it would have to
#: be held whole, and the buffer would grow without bound on a broken file.
MAX_RECORD_CHARS: Final = 64 * 1024 * 1024
_CHUNK = 1024 * 1024
#: JSON syntax errors inside one string: the element's strings and brackets can still be
#: walked, so reading may go on after it.
_TOKEN_ERRORS = ("Invalid control character", "Invalid \\escape", "Invalid \\uXXXX escape")
_UNICODE_ESCAPE_ERROR = "Invalid \\uXXXX escape"
#: What may follow a number that ends where the buffer does and still belong to it.
_NUMBER_TAIL = re.compile(r"[0-9.eE+\-]*\Z")


@dataclass(frozen=True, slots=True)
class Where:
    """Where a record comes from."""

    input: str
    index: int
    line: int | None = None
    row: int | None = None


@dataclass(frozen=True, slots=True)
class Body:
    """A record read as a JSON value (`payload`), or as JSON text still to be parsed."""

    where: Where
    payload: Any = None
    text: str | None = None

    def parsed(self) -> Any:
        """The JSON value; raises PayloadError for text that is not JSON."""
        return parse(self.text) if self.text is not None else self.payload


@dataclass(frozen=True, slots=True)
class Unreadable:
    """A record (or the rest of an input) that could not be read, and why."""

    where: Where
    reason: str
    line: int | None = None
    column: int | None = None


Record = Body | Unreadable


def detect_format(name: str, declared: str = "auto") -> str:
    """The input format: as declared, else by file extension (JSON for stdin and others)."""
    if declared != "auto":
        return declared
    suffix = PurePath(name).suffix.lower()
    if suffix in _JSONL_SUFFIXES:
        return "jsonl"
    if suffix == ".csv":
        return "csv"
    return "json"


def read_records(
    stream: BinaryIO, label: str, fmt: str, types: Mapping[str, str] | None = None
) -> Iterator[Record]:
    """Yield the records of one input in order. `types` maps dotted field paths to JSON
    types (the rule catalog), so that CSV cells of boolean fields become booleans."""
    source = _Source(stream)
    if fmt == "jsonl":
        records = _json_lines(source, label)
    elif fmt == "csv":
        records = _csv_rows(source, label, types or {})
    else:
        records = _json_document(source, label)
    index = 0
    try:
        for record in records:
            index = record.where.index + 1
            yield record
    except _ReadFailed as exc:
        yield Unreadable(Where(label, index), f"{exc}; the rest was not read")


class _ReadFailed(Exception):
    """The input stream itself failed (not its content)."""


class _Source(io.RawIOBase):
    """The input stream, read through one place: bytes already read can be put back in
    front, and a read that fails (an I/O error, a closed stream) raises _ReadFailed."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self._prefix = b""

    def unread(self, data: bytes) -> None:
        self._prefix = data + self._prefix

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._prefix:
            n = min(len(buffer), len(self._prefix))
            buffer[:n] = self._prefix[:n]
            self._prefix = self._prefix[n:]
            return n
        data = self._read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def readall(self) -> bytes:
        data, self._prefix = self._prefix + self._read(-1), b""
        return data

    def _read(self, size: int) -> bytes:
        try:
            data = self._stream.read(size)
        except (OSError, ValueError) as exc:  # ValueError: read from a closed stream
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            raise _ReadFailed(f"the input cannot be read: {reason}") from None
        return data or b""


def _start(source: _Source, label: str, size: int) -> tuple[str, bytes] | Unreadable:
    """Read the head of an input: its encoding and its bytes after any byte-order mark, or
    why it is not text that pc-validate reads."""
    head = source.read(size) or b""
    try:
        encoding, skip = encoding_of(head)
    except PayloadError as exc:
        return Unreadable(Where(label, 0, 1), exc.reason, exc.line, exc.column)
    return encoding, head[skip:]


# --- JSON Lines -------------------------------------------------------------------------------


def _json_lines(source: _Source, label: str) -> Iterator[Record]:
    started = _start(source, label, 4)
    if isinstance(started, Unreadable):
        yield started
        return
    encoding, head = started
    source.unread(head)
    lines: Iterator[bytes | str]
    if encoding != "utf-8":
        # UTF-16/32 lines cannot be split on b"\n": decode first, undecodable bytes marked.
        lines = iter(
            io.TextIOWrapper(
                io.BufferedReader(source), encoding=encoding, errors=MARK_ERRORS, newline="\n"
            )
        )
    else:
        lines = iter(io.BufferedReader(source, _CHUNK))
    index = 0
    number = 0
    for raw in lines:
        number += 1
        if isinstance(raw, bytes):
            try:
                text = decode(raw, "utf-8")
            except PayloadError as exc:
                yield Unreadable(Where(label, index, number), exc.reason, number, exc.column)
                index += 1
                continue
        else:
            text = raw
            bad = undecodable_at(text)
            if bad is not None:
                reason = describe_marks(bad.group(), encoding)
                yield Unreadable(Where(label, index, number), reason, number, bad.start() + 1)
                index += 1
                continue
        if not text.strip():
            continue  # blank lines separate records; they are not records
        yield Body(Where(label, index, number), text=text)
        index += 1


# --- JSON: one value, or an array of records --------------------------------------------------


_SPACE = " \t\r\n"


def _json_document(source: _Source, label: str) -> Iterator[Record]:
    started = _start(source, label, _CHUNK)
    if isinstance(started, Unreadable):
        yield Unreadable(Where(label, 0), started.reason, started.line, started.column)
        return
    encoding, head = started
    head, first = _first_character(source, head, encoding)
    if first != "[":
        # One JSON value: small, read whole; parse() says where any error is.
        try:
            yield Body(Where(label, 0), payload=parse(head + source.read(), encoding))
        except PayloadError as exc:
            yield Unreadable(Where(label, 0), exc.reason, exc.line, exc.column)
        return
    decoder = codecs.getincrementaldecoder(encoding)(errors=MARK_ERRORS)
    reader = _TextChunks(source, decoder)
    reader.feed(head)
    yield from _json_array(label, reader, encoding)


def _first_character(source: _Source, head: bytes, encoding: str) -> tuple[bytes, str]:
    """The head of a JSON input, read on past any blanks, and its first other character
    ("" when there is none): "[" means an array of records."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="ignore")
    pieces = [head]
    text = decoder.decode(head).lstrip(_SPACE)
    while not text:
        more = source.read(_CHUNK)
        if not more:
            break
        pieces.append(more)
        text = decoder.decode(more).lstrip(_SPACE)
    return b"".join(pieces), text[:1]


class _TextChunks:
    """Decoded text read in chunks, with the line number of the buffer's first character."""

    def __init__(self, stream: _Source, decoder: codecs.IncrementalDecoder) -> None:
        self.stream = stream
        self.decoder = decoder
        self.buffer = ""
        self.first_line = 1
        self.first_column = 1
        self.eof = False
        self.records = 0
        self.start = 0

    def feed(self, data: bytes) -> None:
        self.buffer += self.decoder.decode(data, final=False)

    def more(self, at_least: int = 0) -> bool:
        """Read another chunk (at least `at_least` bytes, so that a long element is decoded
        a bounded number of times) into the buffer; False when the buffer did not grow, at
        the end of the input (where the decoder may still give the marks of a cut-off
        character)."""
        if self.eof:
            return False
        data = self.stream.read(max(_CHUNK, at_least))
        if not data:
            self.eof = True
            rest = self.decoder.decode(b"", final=True)
            self.buffer += rest
            return bool(rest)
        self.buffer += self.decoder.decode(data, final=False)
        return True

    def drop(self, index: int) -> None:
        """Forget the buffer up to `index`, keeping count of its lines."""
        newline = self.buffer.rfind("\n", self.start, index)
        if newline >= 0:
            self.first_line += self.buffer.count("\n", self.start, index)
            self.first_column = index - newline
        else:
            self.first_column += index - self.start
        self.start = index
        if index > len(self.buffer) // 2:  # amortised: each character is moved at most once
            self.buffer = self.buffer[index:]
            self.start = 0

    def position(self, index: int) -> tuple[int, int]:
        newline = self.buffer.rfind("\n", self.start, index)
        if newline < 0:
            return self.first_line, self.first_column + index - self.start
        return self.first_line + self.buffer.count("\n", self.start, index), index - newline

    def skip_space(self) -> int:
        """Index of the next non-blank character, reading more as needed (-1 at the end)."""
        index = self.start
        while True:
            while index < len(self.buffer) and self.buffer[index] in _SPACE:
                index += 1
            if index < len(self.buffer):
                return index
            if not self.more():
                return -1


def _json_array(label: str, reader: _TextChunks, encoding: str) -> Iterator[Record]:
    start = reader.skip_space()
    reader.drop(start + 1)  # past "["
    expect_value = True  # after "[" or ","
    while True:
        index = reader.skip_space()
        if index < 0:
            line, column = reader.position(len(reader.buffer))
            yield Unreadable(
                Where(label, reader.records, line),
                "the input ends inside the array (no closing ']')",
                line,
                column,
            )
            return
        char = reader.buffer[index]
        if char == "]" and (reader.records == 0 or not expect_value):
            reader.drop(index + 1)
            yield from _after_array(label, reader, encoding)
            return
        if not expect_value:
            if char != ",":
                line, column = reader.position(index)
                reason = _undecodable_reason(reader.buffer, index, encoding) or (
                    "expected ',' or ']' between array elements"
                )
                yield Unreadable(
                    Where(label, reader.records, line),
                    f"{reason}; the rest was not read",
                    line,
                    column,
                )
                return
            reader.drop(index + 1)
            expect_value = True
            continue
        line, _ = reader.position(index)
        where = Where(label, reader.records, line)
        try:
            value, end = _decode_element(reader, index, encoding)
        except _ElementError as exc:
            skip_to = exc.end if exc.end is not None else _element_end(reader, index, exc)
            error_line, error_column = reader.position(exc.at)
            if skip_to is None:
                yield Unreadable(
                    where,
                    f"{exc.reason}; the rest of the array was not read",
                    error_line,
                    error_column,
                )
                return
            yield Unreadable(where, exc.reason, error_line, error_column)
            end = skip_to
        else:
            yield Body(where, payload=value)
        reader.records += 1
        reader.drop(end)
        expect_value = False


class _ElementError(Exception):
    """An array element that cannot be read: why, where (a buffer index), and where it ends
    when that is known. `resumable`: the element's extent can be trusted, so reading may go
    on with the next element; `too_deep`: Python's recursion limit stopped the decoder, and
    where the element goes too deep is still to be found."""

    def __init__(
        self,
        reason: str,
        at: int,
        *,
        resumable: bool = False,
        end: int | None = None,
        too_deep: bool = False,
    ) -> None:
        super().__init__(reason)
        self.reason, self.at, self.resumable, self.end = reason, at, resumable, end
        self.too_deep = too_deep


def _undecodable_reason(text: str, index: int, encoding: str) -> str | None:
    run = marks_at(text, index)
    return None if run is None else describe_marks(run.group(), encoding)


def _decode_element(reader: _TextChunks, index: int, encoding: str) -> tuple[Any, int]:
    """Decode the array element starting at `index`, reading more input until it is whole."""
    while True:
        try:
            value, end = DECODER.raw_decode(reader.buffer, index)
        except json.JSONDecodeError as exc:
            bad = _undecodable_reason(reader.buffer, exc.pos, encoding)
            if bad is not None:
                raise _ElementError(bad, exc.pos, resumable=True) from None
            if exc.msg.startswith(_TOKEN_ERRORS) and not _cut_escape(reader, exc):
                # The element's strings still end, so reading can go on after it.
                raise _ElementError(explain(exc, reader.start), exc.pos, resumable=True) from None
            # An element cut off by the end of the buffer fails too: read on and retry.
            size = len(reader.buffer) - index
            if size < MAX_RECORD_CHARS and reader.more(size):
                continue
            reason = explain(exc, reader.start)
            if not reader.eof:
                reason += (
                    f"; the element is longer than {MAX_RECORD_CHARS:,} characters, the most "
                    "pc-validate holds of one record"
                )
            raise _ElementError(reason, exc.pos) from None
        except RecursionError:
            raise _ElementError(
                "the JSON value is nested too deeply to read", index, resumable=True, too_deep=True
            ) from None
        except ValueError as exc:
            reason, at = refusal(reader.buffer, exc, index)
            raise _ElementError(reason, at, resumable=True) from None
        if _cut_number(reader, value, end) and reader.more():
            continue  # "12." or "1e" at the buffer's end: the number goes on in the next chunk
        bad_at = undecodable_at(reader.buffer, index, end)
        if bad_at is not None:
            reason = describe_marks(bad_at.group(), encoding)
            raise _ElementError(reason, bad_at.start(), resumable=True, end=end)
        deep = too_deep(reader.buffer, index, end)
        if deep is not None:
            raise _ElementError(too_deep_reason(), deep, resumable=True, end=end)
        return value, end


def _cut_escape(reader: _TextChunks, error: json.JSONDecodeError) -> bool:
    """Whether a \\uXXXX escape failed only because the buffer ends inside it or just
    after it (the error points at its "u"; json wants one more character after the four hex
    digits)."""
    return (
        error.msg.startswith(_UNICODE_ESCAPE_ERROR)
        and not reader.eof
        and len(reader.buffer) - error.pos < 6
    )


def _cut_number(reader: _TextChunks, value: Any, end: int) -> bool:
    """Whether a number element may go on past the buffer's end: only number characters
    follow it up to there (json reads "12." as 12 and "1e" as 1, leaving the rest)."""
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and _NUMBER_TAIL.match(reader.buffer, end) is not None
    )


def _element_end(reader: _TextChunks, index: int, error: _ElementError) -> int | None:
    """Where an unreadable element ends, when its brackets and strings say so (reading more
    as needed); None when reading cannot go on after it."""
    if not error.resumable:
        return None
    run = marks_at(reader.buffer, index)
    if run is not None:
        # Undecodable bytes where a value starts: step over them (and blanks) first, reading
        # on while they reach the buffer's end, so that one run is one record.
        while True:
            after = run.end()
            while after < len(reader.buffer) and reader.buffer[after] in _SPACE:
                after += 1
            if after < len(reader.buffer) or not reader.more():
                break
            run = marks_at(reader.buffer, index)
            assert run is not None
        if after >= len(reader.buffer) or reader.buffer[after] in ",]":
            return after
        index = after
    while True:
        extent = scan_value(reader.buffer, index)
        if error.too_deep and extent.too_deep is not None:
            error.reason, error.at = too_deep_reason(), extent.too_deep
        if extent.end is not None:
            return extent.end
        size = len(reader.buffer) - index
        if extent.broken or size >= MAX_RECORD_CHARS or not reader.more(size):
            return None


def _after_array(label: str, reader: _TextChunks, encoding: str) -> Iterator[Record]:
    index = reader.skip_space()
    if index >= 0:
        line, column = reader.position(index)
        reason = _undecodable_reason(reader.buffer, index, encoding)
        yield Unreadable(
            Where(label, reader.records, line),
            reason or "unexpected text after the end of the array",
            line,
            column,
        )


# --- CSV --------------------------------------------------------------------------------------


class _CsvHeaderError(Exception):
    pass


def _csv_rows(source: _Source, label: str, types: Mapping[str, str]) -> Iterator[Record]:
    started = _start(source, label, 4)
    if isinstance(started, Unreadable):
        yield Unreadable(Where(label, 0, 1, row=1), started.reason, started.line, started.column)
        return
    encoding, head = started
    source.unread(head)
    text = io.TextIOWrapper(
        io.BufferedReader(source), encoding=encoding, errors=MARK_ERRORS, newline=""
    )
    reader = csv.reader(text, strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        yield Unreadable(Where(label, 0, row=1), f"the header row cannot be read: {exc}", 1)
        return
    if header is None:
        yield Unreadable(Where(label, 0, row=1), "the file is empty; expected a header row", 1)
        return
    undecodable = _undecodable_cell(header, encoding)
    if undecodable is not None:
        yield Unreadable(Where(label, 0, 1, row=1), f"the header row is {undecodable}", 1)
        return
    try:
        _names_a_known_field(header, types)
        paths = _header_paths(header)
    except _CsvHeaderError as exc:
        yield Unreadable(Where(label, 0, 1, row=1), str(exc), 1)
        return
    booleans = [types.get(".".join(parts).lower()) == "boolean" for parts in paths]
    line = reader.line_num + 1
    index = 0
    row = 1  # the header; rows are numbered as a spreadsheet shows them
    while True:
        start = line
        row += 1
        where = Where(label, index, start, row=row)
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield Unreadable(where, f"not valid CSV: {exc}; the rest was not read", reader.line_num)
            return
        line = reader.line_num + 1
        if not any(cells):
            continue  # an empty line, or a row of empty cells, is not a record
        index += 1
        undecodable = _undecodable_cell(cells, encoding)
        if undecodable is not None:
            yield Unreadable(where, undecodable, start)
            continue
        if len(cells) > len(paths):
            yield Unreadable(
                where,
                f"row has {len(cells)} cells but the header names {len(paths)} columns",
                start,
            )
            continue
        yield Body(where, payload=_nest(paths, booleans, cells))


def _undecodable_cell(cells: list[str], encoding: str) -> str | None:
    """Why a row holds bytes that are not text, if it does (see payload.MARK_ERRORS)."""
    if undecodable_at("".join(cells)) is None:
        return None
    for number, cell in enumerate(cells, 1):
        bad = undecodable_at(cell)
        if bad is not None:
            return f"{describe_marks(bad.group(), encoding)} (cell {number})"
    return None


def _names_a_known_field(header: list[str], types: Mapping[str, str]) -> None:
    """A header row that names no field of the rules is taken for a missing one: the file's
    first row would otherwise become column names, and its values (personal data) keys
    that every report repeats, under --redact too. Checked only when the fields are known."""
    known = {name for name in types if name}
    if known and not any(cell.strip().lower() in known for cell in header):
        raise _CsvHeaderError(
            "the header row names none of the fields pc-validate knows (columns are named "
            "by dotted field paths, such as billingProfile.email); is the header row missing?"
        )


def _header_paths(header: list[str]) -> list[tuple[str, ...]]:
    """Each column's dotted path, split; a duplicate or clashing column is an error."""
    paths: list[tuple[str, ...]] = []
    seen: dict[tuple[str, ...], int] = {}
    for number, name in enumerate(header, 1):
        dotted = name.strip()
        parts = tuple(dotted.split("."))
        if not dotted or any(not part for part in parts):
            raise _CsvHeaderError(
                f"column {number} of the header, {quoted(name)}, is not a field path"
            )
        if parts in seen:
            raise _CsvHeaderError(
                f"columns {seen[parts]} and {number} of the header both name {quoted(dotted)}"
            )
        seen[parts] = number
        paths.append(parts)
    for parts, number in seen.items():
        for cut in range(1, len(parts)):
            if parts[:cut] in seen:
                raise _CsvHeaderError(
                    f"column {number} ({quoted('.'.join(parts))}) lies inside column "
                    f"{seen[parts[:cut]]} ({quoted('.'.join(parts[:cut]))}), which holds a value"
                )
    return paths


def _nest(paths: list[tuple[str, ...]], booleans: list[bool], cells: list[str]) -> dict[str, Any]:
    """A body from one row: empty cells are left out; booleans of boolean fields converted."""
    body: dict[str, Any] = {}
    for parts, boolean, cell in zip(paths, booleans, cells, strict=False):
        if cell == "":
            continue
        node = body
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        value: Any = cell
        if boolean and (word := cell.strip().lower()) in ("true", "false"):
            value = word == "true"
        node[parts[-1]] = value
    return body
