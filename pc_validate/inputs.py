"""Reading request bodies in bulk: JSON files (one object or an array), JSON Lines, CSV and
Excel workbooks, any of them gzip-compressed.

Every reader is a generator that holds one record at a time (a JSON array is decoded
element by element from a sliding buffer), so memory does not grow with the number of
records, and no record is held past MAX_RECORD_CHARS characters. Each record says where it
came from: the input's name, its index in the input (from 0), and the line (JSON, JSON
Lines) or row (CSV, workbooks) it starts on. A record that cannot be read is yielded as an
`Unreadable` with its reason, line and column, and reading goes on with the next record
wherever the format allows it (JSON Lines: the next line; CSV: the next row that can be
read, see csv_input; a JSON array: the next element, when the bad one is whole, e.g. NaN,
undecodable bytes, a raw control character, a number too long or nesting too deep; after
broken JSON syntax the rest of the array is reported as not read). A stream that fails
mid-way (an I/O error, a closed stdin, gzip data that is corrupt or cut short) ends its input
with one more `Unreadable`.
"""

from __future__ import annotations

import codecs
import io
import json
import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import PurePath
from typing import Any, BinaryIO, Final, cast

from pc_validate import records
from pc_validate.payload import (
    DECODER,
    MARK_ERRORS,
    TOKEN_PROBLEMS,
    JsonProblem,
    PayloadError,
    decode,
    describe_marks,
    explain,
    marks_at,
    parse,
    problem_at,
    refusal,
    scan_value,
    too_deep,
    too_deep_reason,
    undecodable_at,
)
from pc_validate.records import (
    NO_END,
    Item,
    LineChunk,
    Origin,
    ReadFailed,
    Source,
    TextLines,
    start_text,
    too_long,
)

# The record types, importable from here as before.
from pc_validate.records import Body as Body
from pc_validate.records import Record as Record
from pc_validate.records import Unreadable as Unreadable
from pc_validate.records import Where as Where

FORMATS: Final = ("auto", "json", "jsonl", "csv", "xlsx")
_JSONL_SUFFIXES: Final = frozenset({".jsonl", ".ndjson", ".jsonlines"})
_WORKBOOK_SUFFIXES: Final = frozenset({".xlsx", ".xlsm"})
_GZIP_MAGIC: Final = b"\x1f\x8b"
_ZLIB_PREFIX: Final = re.compile(r"^Error -?\d+ while decompressing data: ")

#: JSON syntax errors inside one string: the element's strings and brackets can still be
#: walked, so reading may go on after it.
#: What may follow a number that ends where the buffer does and still belong to it.
_NUMBER_TAIL = re.compile(r"[0-9.eE+\-]*\Z")


def detect_format(name: str, declared: str = "auto") -> str:
    """The input format: as declared, else by file extension (a gzip-compressed file by the
    name it has without .gz); JSON for stdin and others."""
    if declared != "auto":
        return declared
    path = PurePath(name)
    suffix = path.suffix.lower()
    if suffix == ".gz":
        suffix = PurePath(path.stem).suffix.lower()
    if suffix in _JSONL_SUFFIXES:
        return "jsonl"
    if suffix == ".csv":
        return "csv"
    if suffix in _WORKBOOK_SUFFIXES:
        return "xlsx"
    return "json"


def read_records(
    stream: BinaryIO,
    label: str,
    fmt: str,
    types: Mapping[str, str] | None = None,
    *,
    encoding: str | None = None,
    sheet: str | None = None,
    note: Callable[[str], None] | None = None,
) -> Iterator[Record]:
    """Yield the records of one input in order. `types` maps dotted field paths to JSON
    types (the rule catalog), so that CSV cells of boolean fields become booleans.
    `encoding` (a Python codec name) overrides what the bytes say; `sheet` names the sheet
    of a workbook (default: its first); `note` is told what a reader assumed (the encoding
    of a CSV file that is not UTF-8). Gzip-compressed input is decompressed as it is read."""
    items = _read(stream, label, fmt, types, encoding=encoding, sheet=sheet, note=note)
    return cast(Iterator[Record], items)


def read_items(
    stream: BinaryIO, label: str, fmt: str, types: Mapping[str, str] | None = None, **options: Any
) -> Iterator[Item]:
    """read_records (with its options), but UTF-8 JSON Lines come as LineChunks of whole
    lines, each counted (records and lines) but not cut into records: a bulk run's workers
    do that (chunk_records), so that the main process does little more than count lines."""
    return _read(stream, label, fmt, types, chunks=True, **options)


def _read(
    stream: BinaryIO,
    label: str,
    fmt: str,
    types: Mapping[str, str] | None,
    *,
    encoding: str | None = None,
    sheet: str | None = None,
    note: Callable[[str], None] | None = None,
    chunks: bool = False,
) -> Iterator[Item]:
    source = Source(stream)
    seekable = stream if _can_seek(stream) else None  # a workbook is read at any position
    index = 0
    try:
        if source.peek(len(_GZIP_MAGIC)) == _GZIP_MAGIC:
            source = Source(_Gunzipped(source))
            seekable = None
        read: Iterator[Item]
        if fmt == "xlsx":
            from pc_validate.xlsx_input import workbook_rows

            read = workbook_rows(seekable, source, label, types or {}, sheet)
        elif fmt == "csv":
            from pc_validate.csv_input import csv_rows

            read = csv_rows(source, label, types or {}, encoding, note)
        elif fmt == "jsonl":
            read = _json_lines(source, label, encoding, chunks)
        else:
            read = _json_document(source, label, encoding)
        for item in read:
            if isinstance(item, LineChunk):
                index = item.record + item.records
            else:
                index = item.where.index + 1
            yield item
    except ReadFailed as exc:
        yield Unreadable(Where(label, index), f"{exc}; the rest was not read")


def _can_seek(stream: BinaryIO) -> bool:
    try:
        return bool(stream.seekable())
    except (AttributeError, OSError, ValueError):
        return False


class _Gunzipped(io.RawIOBase):
    """The decompressed bytes of a gzip stream, read as they are needed (memory stays
    bounded however far the data would expand); corrupt or cut-off data raises ReadFailed."""

    def __init__(self, source: Source) -> None:
        import gzip

        self._file = gzip.GzipFile(fileobj=source, mode="rb")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        import zlib

        try:  # read1: what one read gives, so that the records before a failure are kept
            return self._file.readinto1(buffer)
        except EOFError:
            raise ReadFailed("the gzip data ends too soon (the file is cut short)") from None
        except (OSError, zlib.error) as exc:
            reason = _ZLIB_PREFIX.sub("", str(exc))
            raise ReadFailed(f"the gzip data is corrupt: {reason}") from None


def _json_lines(
    source: Source, label: str, encoding: str | None, chunks: bool = False
) -> Iterator[Item]:
    started = start_text(source, label, 4, encoding)
    if isinstance(started, Unreadable):
        yield started
        return
    encoding, head = started
    source.unread(head)
    if chunks and encoding == "utf-8":
        yield from _line_chunks(source, label)
    else:
        yield from _lines(source, label, encoding)


def _lines(
    source: Source, label: str, encoding: str, number: int = 0, index: int = 0
) -> Iterator[Record]:
    """The records of the lines of `source` (after `number` lines holding `index` records)."""
    decoder = codecs.getincrementaldecoder(encoding)(errors=MARK_ERRORS)
    lines = TextLines(source, decoder, universal=False)
    while True:
        text = lines.readline(records.MAX_RECORD_CHARS + 1)
        if not text:
            return
        number += 1
        if len(text) > records.MAX_RECORD_CHARS and not text.endswith("\n"):
            ended = lines.skip_line(records.MAX_RECORD_CHARS)
            reason = too_long("the line") + ("; it was skipped" if ended else NO_END)
            where = Where(label, index, number)
            yield Unreadable(where, reason, number, records.MAX_RECORD_CHARS + 1)
            if not ended:
                return
            index += 1
            continue
        record = line_record(label, index, number, text, encoding)
        if record is not None:
            yield record
            index += 1


def line_record(
    label: str, index: int, number: int, text: str, encoding: str, marked: bool = True
) -> Record | None:
    """The record of JSON Lines line `number` (its text decoded with MARK_ERRORS, its line
    end kept), the record `index` of its input; None for a blank line, which separates
    records and is none. `marked`: the text may hold marks of undecodable bytes (False: it
    was decoded strictly)."""
    bad = undecodable_at(text) if marked else None
    if bad is not None:
        reason = describe_marks(bad.group(), encoding)
        return Unreadable(Where(label, index, number), reason, number, bad.start() + 1)
    if not text.strip():
        return None
    return Body(Where(label, index, number), text=text)


#: Bytes of JSON Lines read for one LineChunk (whole lines; a longer line makes a chunk alone).
LINES_CHUNK = 256 * 1024
#: A line longer than this many bytes, and the rest of its input, is read by the line reader,
#: which holds no line past MAX_RECORD_CHARS characters; a chunk never holds one so long.
LONG_LINE = 4 * 1024 * 1024
#: The first byte of every character str.strip() removes, in UTF-8 (a test derives it from
#: str.isspace): a line that starts with none of them is a record, blank or not.
BLANK_START = b"\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \xc2\xe1\xe2\xe3"
_MAYBE_BLANK = re.compile(b"\n(?=[" + re.escape(BLANK_START) + b"])")


def _line_chunks(source: Source, label: str) -> Iterator[Item]:
    """The lines of a UTF-8 input as LineChunks; a line longer than LONG_LINE bytes, and
    the rest after it, as records of the line reader. The records before a read that
    fails are yielded before its ReadFailed; a line it cut short is lost, as a line reader
    loses it."""
    number = index = 0
    pieces: list[bytes] = []  # a line begun and not ended
    size = 0
    while True:
        data = source.read(LINES_CHUNK)  # ReadFailed: the records before are yielded
        if not data:
            if pieces:
                rest = b"".join(pieces)
                yield _chunk(label, rest, number, index, rest.count(b"\n"))
            return
        cut = data.rfind(b"\n") + 1
        if not cut:
            pieces.append(data)
            size += len(data)
            if size > LONG_LINE:
                source.unread(b"".join(pieces))
                yield from _lines(source, label, "utf-8", number, index)
                return
            continue
        whole = b"".join([*pieces, data[:cut]]) if pieces else data[:cut]
        ends = whole.count(b"\n")
        chunk = _chunk(label, whole, number, index, ends)
        yield chunk
        number += ends
        index += chunk.records
        pieces = [data[cut:]] if cut < len(data) else []
        size = len(data) - cut


def _chunk(label: str, data: bytes, number: int, index: int, ends: int) -> LineChunk:
    """A LineChunk of `data` (whole lines, the last one's end missing only at the end of the
    input) after `number` lines holding `index` records, its records counted: every line
    but the blank ones, which can only be lines that start with a byte of BLANK_START."""
    lines = ends + (not data.endswith(b"\n"))  # ends: its line ends, counted by the caller
    blank = 0
    starts = [match.start() + 1 for match in _MAYBE_BLANK.finditer(data)]
    if data[:1] and data[0] in BLANK_START:
        starts.insert(0, 0)
    for start in starts:
        end = data.find(b"\n", start) + 1 or len(data)
        if start < end and _is_blank(data[start:end].decode("utf-8", MARK_ERRORS)):
            blank += 1
    return LineChunk(label, data, number + 1, index, lines - blank)


def _is_blank(text: str) -> bool:
    return undecodable_at(text) is None and not text.strip()


def chunk_records(chunk: LineChunk) -> Iterator[Record]:
    """The records of a LineChunk, as the line reader makes them. Its bytes are decoded
    strictly first: UTF-8 that decodes so holds no undecodable byte in any line, and no
    line's text need be searched for one (a search that cost 12 µs a line beyond ASCII)."""
    try:
        text, marked = chunk.data.decode("utf-8"), False
    except UnicodeDecodeError:
        text, marked = chunk.data.decode("utf-8", MARK_ERRORS), True
    lines = text.split("\n")
    last = lines.pop()  # "" after a final line end, else the input's last line, unended
    label, index, number = chunk.label, chunk.record, chunk.line
    for line in lines:
        record = line_record(label, index, number, line + "\n", "utf-8", marked)
        number += 1
        if record is not None:
            yield record
            index += 1
    if last:
        record = line_record(label, index, number, last, "utf-8", marked)
        if record is not None:
            yield record
            index += 1
    if index != chunk.record + chunk.records:  # _chunk and line_record disagree: a bug
        held = index - chunk.record
        raise RuntimeError(f"{label}: a chunk of {chunk.records} records held {held}")


# --- JSON: one value, or an array of records --------------------------------------------------


_SPACE = " \t\r\n"


def _json_document(source: Source, label: str, encoding: str | None) -> Iterator[Record]:
    started = start_text(source, label, records.CHUNK, encoding)
    if isinstance(started, Unreadable):
        yield Unreadable(Where(label, 0), started.reason, started.line, started.column)
        return
    encoding, head = started
    read = _Document(source, encoding, head)
    if read.first() == "[":
        decoder = codecs.getincrementaldecoder(encoding)(errors=MARK_ERRORS)
        reader = _TextChunks(source, decoder)
        reader.feed(b"".join(read.pieces))
        yield from _json_array(label, reader, encoding)
        return
    # One JSON value: read whole (up to the limit); parse() says where any error is.
    if not read.to_end():
        assert read.over is not None
        line, column = read.over
        reason = too_long("the JSON document") + "; it was not read"
        yield Unreadable(Where(label, 0), reason, line, column)
        return
    try:
        text = decode(b"".join(read.pieces), encoding).removeprefix("\ufeff")
        yield Body(Where(label, 0), payload=parse(text), origin=Origin(text))
    except PayloadError as exc:
        yield Unreadable(Where(label, 0), exc.reason, exc.line, exc.column)


class _Document:
    """The bytes of a JSON input read so far, counted in characters, so that a document is
    never held past MAX_RECORD_CHARS characters; `over` is the line and column of the first
    character past that limit, once there is one."""

    def __init__(self, source: Source, encoding: str, head: bytes) -> None:
        self.source = source
        self.decoder = codecs.getincrementaldecoder(encoding)(errors=MARK_ERRORS)
        self.pieces: list[bytes] = []
        self.text = ""  # the text of the last piece
        self.size = 0
        self.line = 1
        self.column = 1  # of the next character
        self.over: tuple[int, int] | None = None
        self._add(head)

    def _add(self, data: bytes, final: bool = False) -> None:
        self.pieces.append(data)
        text = self.text = self.decoder.decode(data, final)
        if self.over is None and self.size + len(text) > records.MAX_RECORD_CHARS:
            self.over = self._position(text, records.MAX_RECORD_CHARS - self.size)
        self.size += len(text)
        self.line, self.column = self._position(text, len(text))

    def _position(self, text: str, index: int) -> tuple[int, int]:
        """Line and column of text[index], text being the next piece."""
        newline = text.rfind("\n", 0, index)
        if newline < 0:
            return self.line, self.column + index
        return self.line + text.count("\n", 0, index), index - newline

    def more(self) -> bool:
        data = self.source.read(records.CHUNK)
        self._add(data, final=not data)
        return bool(data)

    def first(self) -> str:
        """The first character other than blanks ("" when there is none): "[" is an array
        of records. Reads on past blanks (up to the limit)."""
        while True:
            text = self.text.lstrip(_SPACE)
            if text or self.over is not None or not self.more():
                return text[:1]

    def to_end(self) -> bool:
        """Read the rest of the input; False when it is longer than the limit."""
        while self.over is None:
            if not self.more():
                return True
        return False


class _TextChunks:
    """Decoded text read in chunks, with the line number of the buffer's first character."""

    def __init__(self, stream: Source, decoder: codecs.IncrementalDecoder) -> None:
        self.stream = stream
        self.decoder = decoder
        self.buffer = ""
        self.first_line = 1
        self.first_column = 1
        self.first_column16 = 1  # the same column in UTF-16 code units
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
        data = self.stream.read(max(records.CHUNK, at_least))
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
            self.first_column16 = self.first_column + _astral(self.buffer, newline + 1, index)
        else:
            self.first_column += index - self.start
            self.first_column16 += index - self.start + _astral(self.buffer, self.start, index)
        self.start = index
        if index > len(self.buffer) // 2:  # amortised: each character is moved at most once
            self.buffer = self.buffer[index:]
            self.start = 0

    def position(self, index: int) -> tuple[int, int]:
        newline = self.buffer.rfind("\n", self.start, index)
        if newline < 0:
            return self.first_line, self.first_column + index - self.start
        return self.first_line + self.buffer.count("\n", self.start, index), index - newline

    def column16(self, index: int) -> int:
        """The column of buffer[index] in UTF-16 code units (as editors count them)."""
        newline = self.buffer.rfind("\n", self.start, index)
        if newline < 0:
            start = self.start
            return self.first_column16 + index - start + _astral(self.buffer, start, index)
        return index - newline + _astral(self.buffer, newline + 1, index)

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


_ASTRAL: Final = re.compile("[\U00010000-\U0010ffff]")


def _astral(text: str, start: int, end: int) -> int:
    """How many characters of text[start:end] lie beyond U+FFFF (two UTF-16 code units)."""
    return len(_ASTRAL.findall(text, start, end))


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
            origin = Origin(reader.buffer[index:end], line, reader.column16(index))
            yield Body(where, payload=value, origin=origin)
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
            problem = problem_at(reader.buffer, exc.pos, index)
            if problem in TOKEN_PROBLEMS and not _cut_escape(reader, problem, exc.pos):
                # The element's strings still end, so reading can go on after it.
                raise _ElementError(explain(exc, reader.start), exc.pos, resumable=True) from None
            # An element cut off by the end of the buffer fails too: read on and retry.
            size = len(reader.buffer) - index
            if size < records.MAX_RECORD_CHARS and reader.more(size):
                continue
            reason = explain(exc, reader.start)
            if not reader.eof:
                reason += "; " + too_long("the element")
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


def _cut_escape(reader: _TextChunks, problem: JsonProblem, pos: int) -> bool:
    """Whether a \\uXXXX escape failed only because the buffer ends inside it or just
    after it (the error points at its "u"; json wants one more character after the four hex
    digits)."""
    return problem == "bad_unicode_escape" and not reader.eof and len(reader.buffer) - pos < 6


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
        if extent.broken or size >= records.MAX_RECORD_CHARS or not reader.more(size):
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
