"""Reading Excel workbooks (.xlsx): one request body per row of a sheet, below its header row.

Read with openpyxl in read-only mode (rows are streamed), an optional extra
(`pip install 'pc-validate[xlsx]'`). The sheet is the first, or the one named; its first
row that holds anything is the header, as in a CSV file, and every result carries the row
number Excel shows. Formula cells are read by the values Excel last calculated for them.

A cell is read as Excel displays it, never silently changed: a ZIP code or phone number
stored as a number comes out as the text its number format shows (`00000` keeps the
leading zero of 01234; `(###) ###-####`, `000-00-0000` and `#,##0` place their digits
and characters; a General integer is its digits, never "4255550101.0" or "4.26E+09").
Formats that only dress a number (dates, fractions, scientific, colours and conditions
aside) give its General text, the digits of the value itself. Booleans stay booleans,
dates become ISO 8601 text, text stays as it is.
"""

from __future__ import annotations

import datetime
import re
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import IO, Any, Final

from pc_validate import records
from pc_validate.columns import Columns, HeaderError
from pc_validate.excerpt import quoted
from pc_validate.records import Body, Record, Source, Unreadable, Where, too_long

#: How much of a workbook that comes through a pipe (not a file) is held in a temporary
#: file, where the ZIP reader can seek.
MAX_SPOOLED_BYTES: Final = 512 * 1024 * 1024
#: The most a part of the workbook that openpyxl reads whole (shared strings, styles, ...)
#: may expand to; worksheets themselves are streamed.
MAX_PART_BYTES: Final = 256 * 1024 * 1024
INSTALL: Final = "pip install 'pc-validate[xlsx]'"
_ZIP_MAGIC: Final = b"PK\x03\x04"
_WORKSHEET_PART: Final = re.compile(r"xl/worksheets/[^/]+\.xml")


def workbook_rows(
    seekable: IO[bytes] | None,
    source: Source,
    label: str,
    types: Mapping[str, str],
    sheet: str | None,
) -> Iterator[Record]:
    """The records of a workbook. `seekable`: the input itself, when it is a file that can
    be read at any position (else the bytes of `source` are held in a temporary file)."""
    try:
        import openpyxl
    except ImportError:
        yield _whole(label, f"reading an Excel workbook needs openpyxl: {INSTALL}")
        return
    if source.peek(len(_ZIP_MAGIC)) != _ZIP_MAGIC:
        yield _whole(label, "not an Excel workbook: an .xlsx file is a ZIP archive, this is not")
        return
    with _Seekable(seekable, source) as file:
        if isinstance(file, str):
            yield _whole(label, file)
            return
        problem = _unsafe_part(file)
        if problem is not None:
            yield _whole(label, problem)
            return
        try:
            book = openpyxl.load_workbook(file, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl meets a damaged workbook with any exception
            yield _whole(label, f"not an Excel workbook that can be read: {_said(exc)}")
            return
        try:
            yield from _sheet_rows(book, label, types, sheet)
        finally:
            book.close()


def _whole(label: str, reason: str) -> Unreadable:
    return Unreadable(Where(label, 0), reason)


def _said(exc: Exception) -> str:
    """An exception's message, cut to a length fit for one line."""
    text = str(exc.args[0] if isinstance(exc, KeyError) and exc.args else exc)  # no quotes
    text = text or type(exc).__name__
    return text if len(text) <= 200 else text[:200] + "…"


class _Seekable:
    """The workbook as a file the ZIP reader can seek in: the input itself, or a temporary
    copy of what came through a pipe (a str: why there is none)."""

    def __init__(self, seekable: IO[bytes] | None, source: Source) -> None:
        self.seekable, self.source = seekable, source
        self.copy: IO[bytes] | None = None

    def __enter__(self) -> IO[bytes] | str:
        if self.seekable is not None:
            self.seekable.seek(0)
            return self.seekable
        import tempfile

        self.copy = tempfile.TemporaryFile()
        size = 0
        while chunk := self.source.read(records.CHUNK):
            size += len(chunk)
            if size > MAX_SPOOLED_BYTES:
                return (
                    f"a workbook read from a pipe is held in a temporary file, up to "
                    f"{MAX_SPOOLED_BYTES // 2**20:,} MB; this one is larger: name its file"
                )
            self.copy.write(chunk)
        self.copy.seek(0)
        return self.copy

    def __exit__(self, *exc: object) -> None:
        if self.copy is not None:
            self.copy.close()


def _unsafe_part(file: IO[bytes]) -> str | None:
    """Why the ZIP archive cannot be read safely: it is damaged, or a part that is read
    whole expands past MAX_PART_BYTES (a decompression bomb)."""
    try:
        with zipfile.ZipFile(file) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        return f"not an Excel workbook: the ZIP archive cannot be read ({_said(exc)})"
    finally:
        file.seek(0)
    for part in parts:
        if part.file_size > MAX_PART_BYTES and not _WORKSHEET_PART.fullmatch(part.filename):
            return (
                f"the workbook's part {quoted(part.filename)} expands to {part.file_size:,} bytes, "
                f"more than the {MAX_PART_BYTES:,} pc-validate reads"
            )
    return None


def _sheet_rows(
    book: Any, label: str, types: Mapping[str, str], name: str | None
) -> Iterator[Record]:
    names = list(book.sheetnames)
    if name is not None and name not in names:
        listed = ", ".join(quoted(n) for n in names[:20]) + (", ..." if len(names) > 20 else "")
        yield _whole(label, f"the workbook has no sheet named {quoted(name)}; its sheets: {listed}")
        return
    if not book.worksheets:
        yield _whole(label, "the workbook has no worksheet")
        return
    sheet = book[name] if name is not None else book.worksheets[0]
    if not hasattr(sheet, "iter_rows"):
        yield _whole(label, f"the sheet {quoted(name)} is a chart, not a worksheet")
        return
    sheet.reset_dimensions()  # a sheet's stated size may be wrong: read the rows it has
    columns: Columns | None = None
    index = 0
    number = 0
    try:
        for number, cells in enumerate(sheet.iter_rows(), 1):
            values, problem = _row_values(cells)
            if not values and problem is None:
                continue  # an empty row is not a record
            where = Where(label, index, row=number)
            if columns is None:
                try:
                    if problem is not None:
                        raise HeaderError(f"the header row cannot be read: {problem}")
                    columns = Columns.of([_header_text(value) for value in values], types)
                except HeaderError as exc:
                    yield Unreadable(where, str(exc))
                    return
                continue
            problem = problem or columns.too_many(len(values))
            if problem is not None:
                yield Unreadable(where, problem)
            else:
                yield Body(where, payload=columns.body(values))
            index += 1
    except Exception as exc:  # openpyxl meets a damaged sheet with any exception
        reason = f"the sheet cannot be read after row {number}: {_said(exc)}; the rest was not read"
        yield Unreadable(Where(label, index, row=number + 1), reason)
        return
    if columns is None:
        yield _whole(label, "the sheet is empty; expected a header row")


def _row_values(cells: Sequence[Any]) -> tuple[list[Any], str | None]:
    """A row's values as Excel displays them (trailing empty cells left out), or why the
    row cannot be read (a cell over the record limit)."""
    values = [cell_value(cell) for cell in cells]
    while values and (values[-1] is None or values[-1] == ""):
        values.pop()
    size = 0
    for column, value in enumerate(values, 1):
        if isinstance(value, str):
            size += len(value)
            if size > records.MAX_RECORD_CHARS:
                from openpyxl.utils import get_column_letter

                return [], too_long(f"the row (at column {get_column_letter(column)})")
    return values, None


def _header_text(value: Any) -> str:
    return "" if value is None else value if isinstance(value, str) else str(value)


def cell_value(cell: Any) -> Any:
    """A cell's value as Excel displays it (see the module's docstring); None when empty."""
    value = cell.value
    if value is None or isinstance(value, str | bool):
        return value
    if isinstance(value, int | float):
        return displayed(value, getattr(cell, "number_format", None) or "General")
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time():
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value)  # a duration, and anything newer


# --- numbers as their number format shows them -----------------------------------------------

_CONDITION: Final = re.compile(r"\[(<=|>=|<>|<|>|=)(-?[0-9.]+)\]")
_COLOUR: Final = re.compile(
    r"\[(?:black|blue|cyan|green|magenta|red|white|yellow|color\d+)\]", re.I
)
#: Characters a number format shows as they are.
_LITERAL: Final = set(" $-+/():!^&'~{}<>=") | {"\u00a0"}


def general(value: int | float) -> str:
    """A number's General text: an integer's digits, else at most 15 significant digits."""
    if isinstance(value, int):
        return str(value)
    if value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return format(value, ".15g")


def displayed(value: int | float, number_format: str) -> str:
    """A number as Excel displays it under `number_format` (see the module's docstring)."""
    chosen = _section(value, number_format)
    if chosen is None:
        return general(value)
    section, minus = chosen
    tokens = _tokens(section)
    if tokens is None:
        return general(value)
    text = _render(tokens, abs(value))
    if text is None or not text.strip():
        return general(value)  # a zero that "#" shows as nothing is still a value
    return (
        "-" + text if minus and value < 0 and any(c.isdigit() and c != "0" for c in text) else text
    )


def _sections(number_format: str) -> list[str]:
    """The sections of a format, split at ";" outside quotes, escapes and brackets."""
    sections: list[str] = []
    current: list[str] = []
    quoted = bracket = escaped = False
    for char in number_format:
        if escaped:
            escaped = False
        elif char == "\\" and not quoted:
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == "[" and not quoted:
            bracket = True
        elif char == "]" and not quoted:
            bracket = False
        elif char == ";" and not quoted and not bracket:
            sections.append("".join(current))
            current = []
            continue
        current.append(char)
    sections.append("".join(current))
    return sections


def _holds(condition: re.Match[str], value: float) -> bool:
    op, limit = condition.group(1), float(condition.group(2))
    return {
        "<": value < limit,
        "<=": value <= limit,
        ">": value > limit,
        ">=": value >= limit,
        "=": value == limit,
        "<>": value != limit,
    }[op]


def _section(value: float, number_format: str) -> tuple[str, bool] | None:
    """The section of a format that shows `value`, and whether a minus sign goes in front
    (Excel's rules: positive;negative;zero, or sections chosen by [conditions])."""
    if number_format.strip().lower() in ("general", "@", ""):
        return None
    sections = _sections(number_format)
    conditions = [_CONDITION.search(section) for section in sections]
    plain = [_CONDITION.sub("", _COLOUR.sub("", section)) for section in sections]
    if any(conditions):
        for section, condition in zip(plain[:3], conditions[:3], strict=False):
            if condition is None or _holds(condition, value):
                return section, True
        return None
    if len(plain) == 1 or value > 0 or (value == 0 and len(plain) < 3):
        return plain[0], True
    return (plain[1], False) if value < 0 else (plain[2], False)


def _tokens(section: str) -> list[tuple[str, str]] | None:
    """A section as (kind, text) tokens: digit (0 # ?), point, comma, percent, literal; None
    for what only a date, text, fraction or scientific format holds."""
    tokens: list[tuple[str, str]] = []
    chars = iter(section)
    for char in chars:
        if char in "0#?":
            tokens.append(("digit", char))
        elif char == ".":
            if any(kind == "point" for kind, _ in tokens):
                return None
            tokens.append(("point", char))
        elif char == ",":
            tokens.append(("comma", char))
        elif char == "%":
            tokens.append(("percent", char))
        elif char == '"':
            text = "".join(iter(lambda: next(chars, '"'), '"'))
            tokens.append(("literal", text))
        elif char == "\\":
            tokens.append(("literal", next(chars, "")))
        elif char == "_":
            next(chars, None)
            tokens.append(("literal", " "))
        elif char == "*":
            next(chars, None)
        elif char == "[":
            inside = "".join(iter(lambda: next(chars, "]"), "]"))
            if not inside.startswith("$"):
                return None  # elapsed time, a locale without a currency, ...
            tokens.append(("literal", inside[1:].split("-")[0]))
        elif char in _LITERAL or not char.isascii():
            tokens.append(("literal", char))
        else:
            return None  # letters: a date or time, General, scientific (E+), text (@)
    return tokens


def _render(tokens: list[tuple[str, str]], value: float) -> str | None:
    point = next((i for i, (kind, _) in enumerate(tokens) if kind == "point"), len(tokens))
    digits = [i for i, (kind, _) in enumerate(tokens) if kind == "digit"]
    if not digits:
        return "".join(text for kind, text in tokens if kind == "literal") or None
    whole = [i for i in digits if i < point]
    fraction = [i for i in digits if i > point]
    grouping = False
    scale = 0
    kinds = [kind for kind, _ in tokens]
    for i, kind in enumerate(kinds):
        if kind == "comma" and i < point:
            if any(j > i for j in whole):
                grouping = True
            elif any(j < i for j in whole):
                scale += 1
    number = Decimal(repr(value)) * Decimal(100) ** kinds.count("percent") / Decimal(1000) ** scale
    text = format(number.quantize(Decimal(1).scaleb(-len(fraction)), ROUND_HALF_UP), "f")
    integer, _, decimals = text.partition(".")
    if integer == "0" and not any(tokens[i][1] == "0" for i in whole):
        integer = ""
    if grouping:
        zeros = sum(1 for i in whole if tokens[i][1] == "0")
        integer = f"{int(integer or 0):,}" if integer else ""
        integer = integer.rjust(zeros, "0") if len(integer) < zeros else integer
    out = [""] * len(tokens)
    remaining = integer
    for i in reversed(whole):
        if grouping:
            out[i] = integer if i == whole[0] else ""
            continue
        if i == whole[0]:
            out[i] = remaining or _pad(tokens[i][1])
        elif remaining:
            out[i], remaining = remaining[-1], remaining[:-1]
        else:
            out[i] = _pad(tokens[i][1])
    kept = len(decimals.rstrip("0"))
    for place, i in enumerate(fraction):
        out[i] = decimals[place] if place < kept or tokens[i][1] == "0" else _pad(tokens[i][1])
    for i, (kind, text) in enumerate(tokens):
        # a comma among the integer digits groups or scales them; anywhere else it is shown
        if kind in ("literal", "point", "percent") or (kind == "comma" and i > point):
            out[i] = text
    return "".join(out)


def _pad(placeholder: str) -> str:
    """What a digit placeholder with no digit left shows: 0 a zero, ? a space, # nothing."""
    return {"0": "0", "?": " "}.get(placeholder, "")
