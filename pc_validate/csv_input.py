"""Reading CSV files as exports are: one request body per row below a header row.

The delimiter is the one of `,` `;` tab `|` that splits the header row into the most field
names the rules know (Excel writes `;` under a German or other European locale), unless
an Excel `sep=X` first line names it. The text is UTF-8 (or what its byte-order mark or
`--encoding` says); a file whose first bytes that are not ASCII are not UTF-8 is read as
Windows-1252, the encoding Excel saves CSV in on Western Windows, and the caller is told.

A row that cannot be read is one unreadable record, and reading goes on (the README's
promise): after a CSV syntax error, a quoted cell that reaches the end of the file without
its closing quote, or a row over records.MAX_RECORD_CHARS characters, reading resumes at
the first of the row's later lines that is a whole row of its own (as many cells as the
header, quotes closed), so the rows a stray quote swallowed are read; when none is, after
the row's last line. A quoted cell that spans lines and closes is a cell like any other,
however many lines it has; but one that has run on for MAX_ROW_LINES lines over lines that
are whole rows is taken for a stray quote there and then, so that a quote never swallows
more than that many rows. Cells may be as large as a record (the csv module's own limit,
128 KiB, is lifted for the row that needs it only).
"""

from __future__ import annotations

import codecs
import csv
import re
import threading
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, Final, NamedTuple

from pc_validate import records
from pc_validate.columns import Columns, HeaderError, known_names
from pc_validate.payload import MARK_ERRORS, describe_marks, undecodable_at
from pc_validate.records import (
    NO_END,
    Body,
    Origin,
    Record,
    Source,
    TextLines,
    Unreadable,
    Where,
    start_text,
    too_long,
)

#: A quoted cell that runs on for more lines than this, over lines that are whole rows, is
#: taken for a stray quote: a quote that swallows thousands of rows is no cell.
MAX_ROW_LINES: Final = 1000
_DELIMITERS: Final = (",", ";", "\t", "|")
_SEP_LINE: Final = re.compile(r'(?:sep=(.)|"sep=(.)")[ \t]*(?:\r\n|\r|\n)?')
_NON_ASCII: Final = re.compile(rb"[\x80-\xff]")
_END_OF_DATA: Final = "unexpected end of data"
_FIELD_LIMIT: Final = "field larger than field limit"


def csv_rows(
    source: Source,
    label: str,
    types: Mapping[str, str],
    encoding: str | None,
    note: Callable[[str], None] | None,
) -> Iterator[Record]:
    """The records of a CSV input (see the module's docstring)."""
    marked = source.peek(len(codecs.BOM_UTF8)) == codecs.BOM_UTF8
    started = start_text(source, label, 4, encoding)
    if isinstance(started, Unreadable):
        yield Unreadable(Where(label, 0, 1, row=1), started.reason, started.line, started.column)
        return
    name, head = started
    source.unread(head)
    decoder: codecs.IncrementalDecoder
    if encoding is None and name == "utf-8" and not marked:
        decoder = _Utf8OrWindows1252(note)
    else:
        decoder = codecs.getincrementaldecoder(name)(errors=MARK_ERRORS)
    rows = _Rows(TextLines(source, decoder, universal=True), types)

    def encoding_name() -> str:
        return getattr(decoder, "encoding", None) or name

    header = rows.next()
    if header is None:
        yield Unreadable(Where(label, 0, row=1), "the file is empty; expected a header row", 1)
        return
    if isinstance(header, _Failed):
        reason = f"the header row cannot be read: {header.reason}"
        yield Unreadable(Where(label, 0, header.start, row=1), reason, header.start)
        return
    cells, first = header
    undecodable = _undecodable_cell(cells, encoding_name())
    try:
        if undecodable is not None:
            raise HeaderError(f"the header row is {undecodable}")
        columns = Columns.of(cells, types)
    except HeaderError as exc:
        yield Unreadable(Where(label, 0, first, row=1), str(exc), first)
        return
    rows.width = columns.width
    index = 0
    row = 1  # the header; rows are numbered as a spreadsheet shows them
    while True:
        found = rows.next()
        if found is None:
            return
        row += 1
        if isinstance(found, _Failed):
            yield Unreadable(Where(label, index, found.start, row=row), found.reason, found.start)
            index += 1
            continue
        cells, start = found
        if not any(cells):
            continue  # an empty line, or a row of empty cells, is not a record
        where = Where(label, index, start, row=row)
        index += 1
        problem = _undecodable_cell(cells, encoding_name()) or columns.too_many(len(cells))
        if problem is not None:
            yield Unreadable(where, problem, start)
            continue
        text = rows.feed.text()
        origin = None if text is None else Origin(text, start, 1, rows.delimiter, columns.paths)
        yield Body(where, payload=columns.body(cells), origin=origin)


def _undecodable_cell(cells: list[str], encoding: str) -> str | None:
    """Why a row holds bytes that are not text, if it does (see payload.MARK_ERRORS)."""
    if undecodable_at("".join(cells)) is None:
        return None
    for number, cell in enumerate(cells, 1):
        bad = undecodable_at(cell)
        if bad is not None:
            return f"{describe_marks(bad.group(), encoding)} (cell {number})"
    return None


# --- rows, and what to do after one that cannot be read ---------------------------------------


class _Line(NamedTuple):
    number: int
    text: str
    #: only the first MAX_RECORD_CHARS characters of a longer line (the rest is skipped)
    cut: bool = False


class _Failed(NamedTuple):
    """A row that cannot be read: why, and the line it starts on."""

    reason: str
    start: int


class _Overrun(Exception):
    """A row grew past a limit while the csv module read it."""


class _Feed:
    """The physical lines the csv module reads, kept per row (to be read again after a row
    that cannot be read) and counted: a row that grows past a limit stops with _Overrun."""

    def __init__(self, lines: TextLines, is_row: Callable[[_Line], bool]) -> None:
        self.lines = lines
        self.is_row = is_row
        self.again: deque[_Line] = deque()
        self.taken: list[_Line] = []
        self.keeping = True
        self.size = 0
        self.last = 0  # the number of the row's last line so far
        self.number = 0  # of the last line read from the input
        self.ended = True  # False: a line too long went on past all bounds; nothing more read

    def start(self) -> None:
        self.taken = []
        self.keeping = True
        self.size = 0

    def __iter__(self) -> _Feed:
        return self

    def __next__(self) -> str:
        line = self.again.popleft() if self.again else self.read_line()
        if line is None:
            raise StopIteration
        if self.keeping or not self.taken:
            self.taken.append(line)
        self.last = line.number
        self.size += len(line.text)
        if line.cut or self.size > records.MAX_RECORD_CHARS:
            raise _Overrun(too_long("the row"))
        if self.keeping and len(self.taken) > MAX_ROW_LINES:
            if any(self.is_row(taken) for taken in self.taken[1:]):
                raise _Overrun(
                    f"a quoted cell in this row runs on for more than {MAX_ROW_LINES:,} "
                    "lines, over lines that are rows of their own: a quote out of place?"
                )
            # A long cell of lines that are no rows: read on, with nothing to go back to.
            self.keeping = False
            del self.taken[1:]
        return line.text

    def text(self) -> str | None:
        """The text of the row just read, its line ends included (None when a long cell made
        its lines too many to keep)."""
        if not self.keeping:
            return None
        return "".join(line.text for line in self.taken)

    def read_line(self) -> _Line | None:
        """The next line of the input (None at its end), or a mark of one that is too long."""
        if not self.ended:
            return None
        budget = records.MAX_RECORD_CHARS - self.size
        text = self.lines.readline(budget + 1)
        if not text:
            return None
        self.number += 1
        if len(text) > budget and text[-1] not in "\r\n":
            self.ended = self.lines.skip_line(records.MAX_RECORD_CHARS)
            return _Line(self.number, "", cut=True)
        return _Line(self.number, text)


class _Rows:
    """The rows of a CSV text, read with the csv module (strict: a quote out of place is an
    error, never silently taken in), each with the line it starts on."""

    def __init__(self, lines: TextLines, types: Mapping[str, str]) -> None:
        self.feed = _Feed(lines, self._whole_row)
        self.width = 0  # the header's number of cells, once it is read
        self.delimiter = self._delimiter(types)
        self.reader = csv.reader(self.feed, delimiter=self.delimiter, strict=True)

    def _delimiter(self, types: Mapping[str, str]) -> str:
        """Excel's `sep=X` first line (skipped), else the delimiter that splits the header
        row into the most known field names (then: into the most cells; then ',')."""
        first = self.feed.read_line()
        named = None if first is None else _SEP_LINE.fullmatch(first.text)
        if named is not None:
            first = self.feed.read_line()
        if first is not None:
            self.feed.again.append(first)
        if named is not None:
            return named.group(1) or named.group(2)
        if first is None:
            return ","
        best, score = ",", (-1, -1)
        for candidate in _DELIMITERS:
            try:
                cells = next(csv.reader([first.text], delimiter=candidate))
            except (csv.Error, StopIteration):
                continue
            found = (known_names(cells, types), len(cells))
            if found > score:
                best, score = candidate, found
        return best

    def next(self) -> tuple[list[str], int] | _Failed | None:
        """The next row's cells and first line, or why it cannot be read (the lines to read
        again put back); None at the end of the input."""
        self.feed.start()
        lifted = False
        while True:
            try:
                if lifted:
                    with _large_fields():
                        cells = next(self.reader)
                else:
                    cells = next(self.reader)
            except StopIteration:
                return None
            except _Overrun as exc:
                return self._failed(str(exc))
            except csv.Error as exc:
                if str(exc).startswith(_FIELD_LIMIT) and not lifted:
                    self._again(self.feed.taken)  # a large cell: read the row once more
                    self.feed.start()
                    lifted = True
                    continue
                return self._failed(self._syntax(str(exc)))
            return cells, self.feed.taken[0].number

    def _syntax(self, error: str) -> str:
        taken = self.feed.taken
        if error.startswith(_END_OF_DATA):
            return "a quoted cell in this row never closes: the file ends before its closing quote"
        if len(taken) > 1:
            return (
                f"not valid CSV on line {taken[-1].number}, inside a quoted cell that runs on "
                f"from line {taken[0].number}: {error}"
            )
        return f"not valid CSV: {error}"

    def _failed(self, reason: str) -> _Failed:
        """A row that cannot be read: its later lines are read again from the first that is a
        whole row of its own (stray quotes swallow rows), else after its last line."""
        taken = self.feed.taken
        last = self.feed.last
        for at in range(1, len(taken)):
            if self._whole_row(taken[at]):
                self._again(taken[at:])
                last = taken[at - 1].number
                break
        if last > taken[0].number:
            reason += f"; lines {taken[0].number}-{last} were skipped"
        if not self.feed.ended:
            reason += NO_END
        return _Failed(reason, taken[0].number)

    def _whole_row(self, line: _Line) -> bool:
        if line.cut or not self.width:
            return False
        try:
            cells = next(csv.reader([line.text], delimiter=self.delimiter, strict=True))
        except (csv.Error, StopIteration):
            return False
        return len(cells) == self.width

    def _again(self, lines: Sequence[_Line]) -> None:
        self.feed.again.extendleft(reversed(lines))


# --- the csv module's field size limit --------------------------------------------------------

_limit_lock = threading.Lock()
_lifted = 0
_saved_limit = 0


@contextmanager
def _large_fields() -> Iterator[None]:
    """Lift the csv module's field size limit (process-wide, 128 KiB by default) to the
    record limit while a row with a larger cell is read, and put it back after: a library
    caller's own limit holds at every other moment. Counted, for threads reading at once."""
    global _lifted, _saved_limit
    with _limit_lock:
        if not _lifted:
            _saved_limit = csv.field_size_limit()
            csv.field_size_limit(max(_saved_limit, records.MAX_RECORD_CHARS + 1))
        _lifted += 1
    try:
        yield
    finally:
        with _limit_lock:
            _lifted -= 1
            if not _lifted:
                csv.field_size_limit(_saved_limit)


# --- UTF-8, or Windows-1252 -------------------------------------------------------------------


class _Utf8OrWindows1252(codecs.IncrementalDecoder):
    """UTF-8, unless the first bytes that are not ASCII are not UTF-8: then Windows-1252
    (cp1252), which Excel saves CSV in on Western Windows. ASCII reads the same in both, so
    the text before the decision stays right. A file that mixes the two is read as UTF-8,
    and its rows with other bytes are unreadable. `note` is told of the choice."""

    def __init__(self, note: Callable[[str], None] | None, errors: str = MARK_ERRORS) -> None:
        super().__init__(errors)
        self.encoding: str | None = None
        self._note = note
        self._chosen: codecs.IncrementalDecoder | None = None
        self._held = b""

    def decode(self, input: Any, final: bool = False) -> str:
        if self._chosen is not None:
            return self._chosen.decode(input, final)
        data = self._held + bytes(input)
        found = _NON_ASCII.search(data)
        if found is None:
            self._held = b""
            return data.decode("ascii")
        at = found.start()
        width = _utf8_width(data[at])
        if at + width > len(data) and not final:
            self._held = data[at:]  # the character is cut by the chunk: wait for the rest
            return data[:at].decode("ascii")
        self.encoding = "utf-8" if width and _is_utf8(data[at : at + width]) else "cp1252"
        if self.encoding == "cp1252" and self._note is not None:
            self._note(
                "the file is not UTF-8; it was read as Windows-1252 (cp1252), as Excel saves "
                "CSV on Western Windows (--encoding NAME reads it as another)"
            )
        self._chosen = codecs.getincrementaldecoder(self.encoding)(self.errors)
        return data[:at].decode("ascii") + self._chosen.decode(data[at:], final)

    def reset(self) -> None:
        self._chosen, self.encoding, self._held = None, None, b""


def _utf8_width(lead: int) -> int:
    """The length of the UTF-8 sequence a byte starts (0: it starts none)."""
    if 0xC2 <= lead <= 0xDF:
        return 2
    if 0xE0 <= lead <= 0xEF:
        return 3
    return 4 if 0xF0 <= lead <= 0xF4 else 0


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
