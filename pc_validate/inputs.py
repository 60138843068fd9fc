"""Reading request bodies in bulk: JSON files (one object or an array), JSON Lines and CSV.

Every reader is a generator that holds one record at a time (a JSON array is decoded
element by element from a sliding buffer), so memory does not grow with the number of
records. Each record says where it came from: the input's name, its index in the input
(from 0), and the line (JSON, JSON Lines) or row (CSV) it starts on. A record that cannot be
read is yielded as an `Unreadable` with its reason, line and column, and reading goes on with
the next record wherever the format allows it (JSON Lines: the next line; CSV: the next row).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any, BinaryIO, Final

from pc_validate.payload import (
    BOMS,
    NonJsonConstant,
    PayloadError,
    explain,
    parse,
    reject_constant,
)

FORMATS: Final = ("auto", "json", "jsonl", "csv")
_JSONL_SUFFIXES: Final = frozenset({".jsonl", ".ndjson", ".jsonlines"})

#: A JSON array element (or CSV record) larger than this cannot be read: it would have to
#: be held whole, and the buffer would grow without bound on a broken file.
MAX_RECORD_CHARS: Final = 64 * 1024 * 1024
_CHUNK = 1024 * 1024


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
    if fmt == "jsonl":
        yield from _json_lines(stream, label)
    elif fmt == "csv":
        yield from _csv_rows(stream, label, types or {})
    else:
        yield from _json_document(stream, label)


def _encoding(head: bytes) -> tuple[str, int]:
    """The text encoding named by a byte-order mark (UTF-8 without one), and the mark's size."""
    for bom, name in BOMS:
        if head.startswith(bom):
            return name, len(bom)
    return "utf-8", 0


def _position(text: str, index: int, first_line: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + first_line
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


# --- JSON Lines -------------------------------------------------------------------------------


def _json_lines(stream: BinaryIO, label: str) -> Iterator[Record]:
    head = stream.read(4)
    encoding, skip = _encoding(head)
    if encoding != "utf-8":
        # UTF-16/32 lines cannot be split on b"\n"; such files are small: decode them whole.
        text_stream: Any = io.TextIOWrapper(
            io.BufferedReader(_Prefixed(head[skip:], stream)), encoding=encoding, newline=""
        )
        lines: Iterator[bytes | str] = iter(text_stream)
    else:
        lines = iter(io.BufferedReader(_Prefixed(head[skip:], stream), _CHUNK))
    index = 0
    number = 0
    while True:
        try:
            raw = next(lines)
        except StopIteration:
            return
        except UnicodeDecodeError as exc:
            yield Unreadable(
                Where(label, index, number + 1),
                f"not valid {encoding.upper()} text ({exc.reason}); the rest was not read",
                number + 1,
            )
            return
        number += 1
        if isinstance(raw, bytes):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                column = len(raw[: exc.start].decode("utf-8", errors="replace")) + 1
                yield Unreadable(
                    Where(label, index, number),
                    f"not valid UTF-8: byte 0x{raw[exc.start]:02x} cannot start or continue "
                    "a character",
                    number,
                    column,
                )
                index += 1
                continue
        else:
            text = raw
        if not text.strip():
            continue  # blank lines separate records; they are not records
        yield Body(Where(label, index, number), text=text)
        index += 1


class _Prefixed(io.RawIOBase):
    """A binary stream with some bytes already read put back in front."""

    def __init__(self, prefix: bytes, rest: BinaryIO) -> None:
        self._prefix = prefix
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._prefix:
            n = min(len(buffer), len(self._prefix))
            buffer[:n] = self._prefix[:n]
            self._prefix = self._prefix[n:]
            return n
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


# --- JSON: one value, or an array of records --------------------------------------------------


_DECODER = json.JSONDecoder(parse_constant=reject_constant)
_SPACE = " \t\r\n"


def _json_document(stream: BinaryIO, label: str) -> Iterator[Record]:
    head = stream.read(_CHUNK)
    encoding, skip = _encoding(head)
    if head[skip:].decode(encoding, errors="ignore").lstrip(_SPACE)[:1] != "[":
        # One JSON value: small, read whole; parse() says where any error is.
        try:
            yield Body(Where(label, 0), payload=parse(head + stream.read()))
        except PayloadError as exc:
            yield Unreadable(Where(label, 0), exc.reason, exc.line, exc.column)
        return
    decoder = codecs.getincrementaldecoder(encoding)()
    reader = _TextChunks(stream, decoder)
    try:
        reader.feed(head[skip:])
    except UnicodeDecodeError as exc:
        yield _undecodable(label, reader, encoding, exc)
        return
    yield from _json_array(label, reader, encoding)


def _undecodable(label: str, reader: _TextChunks, encoding: str, exc: Exception) -> Unreadable:
    line = reader.line_at(len(reader.buffer))
    return Unreadable(
        Where(label, reader.records, line),
        f"not valid {encoding.upper()} text ({getattr(exc, 'reason', exc)}); the rest was not read",
        line,
    )


class _TextChunks:
    """Decoded text read in chunks, with the line number of the buffer's first character."""

    def __init__(self, stream: BinaryIO, decoder: codecs.IncrementalDecoder) -> None:
        self.stream = stream
        self.decoder = decoder
        self.buffer = ""
        self.first_line = 1
        self.first_column = 1
        self.eof = False
        self.records = 0

    def feed(self, data: bytes) -> None:
        self.buffer += self.decoder.decode(data, final=False)

    def more(self) -> bool:
        """Read another chunk into the buffer; False at the end of the input."""
        if self.eof:
            return False
        data = self.stream.read(_CHUNK)
        if not data:
            self.eof = True
            self.buffer += self.decoder.decode(b"", final=True)
            return False
        self.buffer += self.decoder.decode(data, final=False)
        return True

    def drop(self, index: int) -> None:
        """Forget the buffer up to `index`, keeping count of its lines."""
        newlines = self.buffer.count("\n", 0, index)
        if newlines:
            self.first_line += newlines
            self.first_column = index - self.buffer.rfind("\n", 0, index)
        else:
            self.first_column += index
        self.buffer = self.buffer[index:]

    def line_at(self, index: int) -> int:
        return self.buffer.count("\n", 0, index) + self.first_line

    def position(self, index: int) -> tuple[int, int]:
        line, column = _position(self.buffer, index, self.first_line)
        if line == self.first_line:
            column += self.first_column - 1
        return line, column

    def skip_space(self) -> int:
        """Index of the next non-blank character, reading more as needed (-1 at the end)."""
        index = 0
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
    first = True
    while True:
        try:
            index = reader.skip_space()
        except UnicodeDecodeError as exc:
            yield _undecodable(label, reader, encoding, exc)
            return
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
        if char == "]" and (first or not expect_value):
            reader.drop(index + 1)
            yield from _after_array(label, reader, encoding)
            return
        if not expect_value:
            if char != ",":
                line, column = reader.position(index)
                yield Unreadable(
                    Where(label, reader.records, line),
                    "expected ',' or ']' between array elements; the rest was not read",
                    line,
                    column,
                )
                return
            reader.drop(index + 1)
            expect_value = True
            continue
        line, _ = reader.position(index)
        try:
            value, end = _decode_element(reader, index)
        except UnicodeDecodeError as exc:
            yield _undecodable(label, reader, encoding, exc)
            return
        except _ElementError as exc:
            yield Unreadable(
                Where(label, reader.records, line),
                f"{exc.reason}; the rest of the array was not read",
                exc.line,
                exc.column,
            )
            return
        yield Body(Where(label, reader.records, line), payload=value)
        reader.records += 1
        reader.drop(end)
        expect_value = False
        first = False


class _ElementError(Exception):
    def __init__(self, reason: str, line: int, column: int) -> None:
        self.reason, self.line, self.column = reason, line, column


def _decode_element(reader: _TextChunks, index: int) -> tuple[Any, int]:
    """Decode the array element starting at `index`, reading more input until it is whole."""
    while True:
        try:
            value, end = _DECODER.raw_decode(reader.buffer, index)
            if end < len(reader.buffer) or not reader.more():
                return value, end
            continue  # a number may go on in the next chunk
        except json.JSONDecodeError as exc:
            # An element cut off by the end of the buffer fails too: read on and retry.
            if len(reader.buffer) - index < MAX_RECORD_CHARS and reader.more():
                continue
            line, column = reader.position(exc.pos)
            raise _ElementError(explain(exc), line, column) from None
        except NonJsonConstant as exc:
            line, column = reader.position(index)
            raise _ElementError(
                f"{exc} is not a JSON value (JSON has no NaN or Infinity)", line, column
            ) from None
        except ValueError:  # Python refuses to convert integers of more than 4,300 digits
            line, column = reader.position(index)
            raise _ElementError(
                "a number has too many digits to be read (more than 4,300)", line, column
            ) from None
        except RecursionError:
            line, column = reader.position(index)
            raise _ElementError(
                "the JSON value is nested too deeply to read", line, column
            ) from None


def _after_array(label: str, reader: _TextChunks, encoding: str) -> Iterator[Record]:
    try:
        index = reader.skip_space()
    except UnicodeDecodeError as exc:
        yield _undecodable(label, reader, encoding, exc)
        return
    if index >= 0:
        line, column = reader.position(index)
        yield Unreadable(
            Where(label, reader.records, line),
            "unexpected text after the end of the array",
            line,
            column,
        )


# --- CSV --------------------------------------------------------------------------------------


class _CsvHeaderError(Exception):
    pass


def _csv_rows(stream: BinaryIO, label: str, types: Mapping[str, str]) -> Iterator[Record]:
    head = stream.read(4)
    encoding, skip = _encoding(head)
    text = io.TextIOWrapper(
        io.BufferedReader(_Prefixed(head[skip:], stream)), encoding=encoding, newline=""
    )
    reader = csv.reader(text, strict=True)
    line = 1
    try:
        header = next(reader, None)
    except (csv.Error, UnicodeDecodeError) as exc:
        yield Unreadable(Where(label, 0, row=1), f"the header row cannot be read: {exc}", 1)
        return
    if header is None:
        yield Unreadable(Where(label, 0, row=1), "the file is empty; expected a header row", 1)
        return
    try:
        paths = _header_paths(header)
    except _CsvHeaderError as exc:
        yield Unreadable(Where(label, 0, 1, row=1), str(exc), 1)
        return
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
        except UnicodeDecodeError as exc:
            yield Unreadable(
                where,
                f"not valid {encoding.upper()} text ({exc.reason}); the rest was not read",
                start,
            )
            return
        except csv.Error as exc:
            yield Unreadable(where, f"not valid CSV: {exc}; the rest was not read", reader.line_num)
            return
        line = reader.line_num + 1
        if not any(cells):
            continue  # an empty line, or a row of empty cells, is not a record
        index += 1
        if len(cells) > len(paths):
            yield Unreadable(
                where,
                f"row has {len(cells)} cells but the header names {len(paths)} columns",
                start,
            )
            continue
        yield Body(where, payload=_nest(paths, cells, types))


def _header_paths(header: list[str]) -> list[tuple[str, ...]]:
    """Each column's dotted path, split; a duplicate or clashing column is an error."""
    paths: list[tuple[str, ...]] = []
    seen: dict[tuple[str, ...], int] = {}
    for number, name in enumerate(header, 1):
        dotted = name.strip()
        parts = tuple(dotted.split("."))
        if not dotted or any(not part for part in parts):
            raise _CsvHeaderError(f"column {number} of the header, {name!r}, is not a field path")
        if parts in seen:
            raise _CsvHeaderError(
                f"columns {seen[parts]} and {number} of the header both name {dotted!r}"
            )
        seen[parts] = number
        paths.append(parts)
    for parts, number in seen.items():
        for cut in range(1, len(parts)):
            if parts[:cut] in seen:
                raise _CsvHeaderError(
                    f"column {number} ({'.'.join(parts)!r}) lies inside column "
                    f"{seen[parts[:cut]]} ({'.'.join(parts[:cut])!r}), which holds a value"
                )
    return paths


def _nest(
    paths: list[tuple[str, ...]], cells: list[str], types: Mapping[str, str]
) -> dict[str, Any]:
    """A body from one row: empty cells are left out; booleans of boolean fields converted."""
    body: dict[str, Any] = {}
    for parts, cell in zip(paths, cells, strict=False):
        if cell == "":
            continue
        node = body
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        value: Any = cell
        if types.get(".".join(parts).lower()) == "boolean" and cell.strip().lower() in (
            "true",
            "false",
        ):
            value = cell.strip().lower() == "true"
        node[parts[-1]] = value
    return body
