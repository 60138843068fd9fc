"""What every reader of inputs shares: the records it yields (`Body`, `Unreadable`, where
each came from), the limit on a record's size, and the stream it reads through (`Source`,
`TextLines`).

The readers (inputs.py for JSON and JSON Lines, csv_input.py, xlsx_input.py) depend on
this module and inputs.py picks among them, so imports go one way.
"""

from __future__ import annotations

import codecs
import io
import re
from dataclasses import dataclass
from typing import IO, Any, Final, NamedTuple

from pc_validate.payload import BOMS, PayloadError, encoding_of, parse_fast, signature_of

_ZIP_MAGIC: Final = b"PK\x03\x04"

#: A record larger than this cannot be read: a JSON document, a JSON array element, a JSON
#: Lines line, a CSV row (with its cells) or a workbook cell. It would have to be held whole,
#: and an input that never ends (/dev/zero) would take all memory.
MAX_RECORD_CHARS: Final = 64 * 1024 * 1024
#: Bytes read from an input at a time. Every reader reads it here when it reads, so that
#: tests and fuzz targets can set it small and put a read boundary everywhere.
CHUNK = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Where:
    """Where a record comes from."""

    input: str
    index: int
    line: int | None = None
    row: int | None = None


class Origin(NamedTuple):
    """The text a record was read from, kept so that its violations can be given a line and
    column (locations.py): where text[0] lies in the input (line, and column in UTF-16 code
    units, both from 1), and for a CSV row its delimiter and each column's field path. A
    tuple: it crosses to worker processes with its record."""

    text: str
    line: int = 1
    column: int = 1
    delimiter: str | None = None
    columns: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True, slots=True)
class Body:
    """A record read as a JSON value (`payload`), or as JSON text still to be parsed; `origin`
    is the text it was read from, when that is not `text` itself."""

    where: Where
    payload: Any = None
    text: str | None = None
    origin: Origin | None = None

    def source(self) -> Origin | None:
        """The text this record was read from, and where it lies (None: not known)."""
        if self.origin is not None:
            return self.origin
        if self.text is not None:  # a JSON Lines line
            return Origin(self.text, self.where.line or 1)
        return None

    def parsed(self) -> Any:
        """The JSON value; raises PayloadError for text that is not JSON."""
        return parse_fast(self.text) if self.text is not None else self.payload


@dataclass(frozen=True, slots=True)
class Unreadable:
    """A record (or the rest of an input) that could not be read, and why."""

    where: Where
    reason: str
    line: int | None = None
    column: int | None = None


Record = Body | Unreadable


class LineChunk(NamedTuple):
    """Whole lines of a UTF-8 JSON Lines input, as bytes, for a bulk run's workers to read
    themselves (inputs.chunk_records): no record crosses to a worker one by one. `line` is
    the number of its first line, `record` the index of its first record, `records` how
    many records its lines hold (blank lines hold none). A tuple: it crosses to worker
    processes."""

    label: str
    data: bytes
    line: int
    record: int
    records: int


Item = Record | LineChunk


class ReadFailed(Exception):
    """The input stream itself failed (not its content)."""


class Source(io.RawIOBase):
    """The input stream, read through one place: bytes already read can be put back in
    front, and a read that fails (an I/O error, a closed stream) raises ReadFailed."""

    def __init__(self, stream: IO[bytes] | io.RawIOBase) -> None:
        self._stream = stream
        self._prefix = b""

    def unread(self, data: bytes) -> None:
        self._prefix = data + self._prefix

    def peek(self, size: int) -> bytes:
        """The next `size` bytes (fewer at the end), left to be read."""
        data = b""
        while len(data) < size:
            more = self.read(size - len(data))
            if not more:
                break
            data += more
        self.unread(data)
        return data

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._prefix[: len(buffer)]
        self._prefix = self._prefix[len(data) :]
        if len(data) < len(buffer):
            data += self._read(len(buffer) - len(data))
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
            raise ReadFailed(f"the input cannot be read: {reason}") from None
        return data or b""


def start_text(
    source: Source, label: str, size: int, encoding: str | None
) -> tuple[str, bytes] | Unreadable:
    """Read the head of a text input: its encoding (as given, else as its byte-order mark
    says, else UTF-8) and its bytes after any byte-order mark, or why it is not text that
    pc-validate reads."""
    head = source.read(size) or b""
    what = signature_of(head)
    if head.startswith(_ZIP_MAGIC):
        what = (
            "a ZIP archive: an Excel workbook is read when its name ends in .xlsx, or with "
            "--input-format xlsx"
        )
    if what is not None:
        return Unreadable(Where(label, 0, 1), f"the input is not text but {what}", 1, 1)
    if encoding is not None:
        name = codecs.lookup(encoding).name
        skip = next((len(bom) for bom, of in BOMS if of == name and head.startswith(bom)), 0)
        return name, head[skip:]
    try:
        found, skip = encoding_of(head)
    except PayloadError as exc:
        return Unreadable(Where(label, 0, 1), exc.reason, exc.line, exc.column)
    return found, head[skip:]


class TextLines:
    """The lines of an input's decoded text, each with its line end, read in chunks. A line
    longer than the caller's limit comes in pieces of that limit, so that no line is ever
    held whole. Lines end at "\n", or (`universal`, as CSV reads them) at "\r\n" or "\r"
    too."""

    def __init__(self, source: Source, decoder: codecs.IncrementalDecoder, universal: bool):
        self._source = source
        self._decoder = decoder
        self._end = re.compile("\r\n?|\n") if universal else None
        self._buffer = ""
        self._at = 0
        self._eof = False

    def readline(self, limit: int) -> str:
        """The next line with its end, or its next `limit` characters; "" at the end."""
        pieces: list[str] = []
        size = 0
        while True:
            found, stop = self._line_end()
            take = min(stop, self._at + limit - size)
            pieces.append(self._buffer[self._at : take])
            size += take - self._at
            self._at = take
            if found and take == stop:
                if (
                    self._buffer[take - 1] == "\r"
                    and take == len(self._buffer)
                    and self._crlf_cut()
                ):
                    pieces.append("\n")  # a "\r\n" that the chunk boundary split
                return pieces[0] if len(pieces) == 1 else "".join(pieces)
            if size >= limit or not self._fill():
                return "".join(pieces)

    def _line_end(self) -> tuple[bool, int]:
        """Whether the buffer holds the end of the current line, and the index past it (or
        the buffer's length)."""
        if self._end is None:
            newline = self._buffer.find("\n", self._at)
            return (True, newline + 1) if newline >= 0 else (False, len(self._buffer))
        found = self._end.search(self._buffer, self._at)
        return (True, found.end()) if found else (False, len(self._buffer))

    def skip_line(self, limit: int) -> bool:
        """Read on to the end of the line a piece of which readline gave, if it comes within
        `limit` more characters; False when it does not (an input that never ends)."""
        while limit > 0:
            piece = self.readline(min(CHUNK, limit))
            if not piece or piece[-1] in "\r\n":
                return True
            limit -= len(piece)
        return False

    def _crlf_cut(self) -> bool:
        """After a "\r" that ends the buffer: whether a "\n" starts the next chunk (taken)."""
        if self._at < len(self._buffer) or not self._fill():
            return False
        if self._buffer.startswith("\n"):
            self._at = 1
            return True
        return False

    def _fill(self) -> bool:
        """Replace the (read) buffer with the next chunk; False at the end of the input."""
        while not self._eof:
            data = self._source.read(CHUNK)
            if not data:
                self._eof = True
                text = self._decoder.decode(b"", final=True)  # a cut-off character's marks
            else:
                text = self._decoder.decode(data, final=False)
            if text:
                self._buffer, self._at = text, 0
                return True
        return False


#: After a record over the limit, when the next line does not begin within as many
#: characters again (an input that never ends, such as /dev/zero).
NO_END: Final = "; no line end follows within as many characters again: the rest was not read"


def too_long(what: str) -> str:
    """Why a record over MAX_RECORD_CHARS is not read."""
    return (
        f"{what} is longer than {MAX_RECORD_CHARS:,} characters, the most pc-validate holds of "
        "one record"
    )
