"""Turn request-body text into a JSON value, or a PayloadError that says where it broke.

Strict JSON as the service reads it: no comments, no trailing commas, no NaN/Infinity.
A UTF-8 byte-order mark (what Windows PowerShell writes) is accepted, and so is UTF-16
or UTF-32 text that starts with its byte-order mark; UTF-16/32 without one is named as such.

Hostile input is answered with a position and in bounded time: nesting deeper than
MAX_DEPTH is refused (never a stack overflow), numbers Python will not convert are named,
and a key sent twice in one object is kept on record (see DuplicateKeys).
"""

from __future__ import annotations

import codecs
import json
import re
from dataclasses import dataclass
from typing import Any, Final, Literal

#: Byte-order marks and the encodings they name (UTF-32 first: its LE mark starts like
#: UTF-16's).
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

#: The deepest nesting read. A request body is 3 levels deep; .NET's JSON readers stop at 64
#: by default (System.Text.Json JsonSerializerOptions.MaxDepth), and refusing deeper input
#: here keeps the parser and every later step far from Python's recursion limit.
MAX_DEPTH: Final = 64

#: The codec error handler that stands in for undecodable bytes: each such byte becomes the
#: lone surrogate U+DC00 + byte. No strict UTF-8/16/32 decoding yields a surrogate, so a
#: surrogate in decoded text marks a byte that could not be read (see `undecodable_at`).
MARK_ERRORS: Final = "pc_validate.mark"
MARKS = re.compile("[\udc00-\udcff]+")

_TRAILING_COMMA = re.compile(r",\s*\Z")
_LONG_NUMBER = re.compile(r"-?\d{4300,}")
#: A string (whole), a lone quote (a string that does not end), or a bracket.
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|["\[\]{}]', re.DOTALL)
_SCALAR_END = re.compile(r"[\s,\]}]")
_CLOSING = {"[": "]", "{": "}"}
_CONTROL_NAMES = {0: "NUL", 9: "tab", 10: "line feed", 13: "carriage return"}
#: Leading bytes of files that are not text at all, and what they are.
_SIGNATURES = (
    (b"\x1f\x8b", "gzip-compressed data: decompress it first"),
    (b"PK\x03\x04", "a ZIP archive (an .xlsx workbook is one): export the data as CSV or JSON"),
    (b"%PDF", "a PDF document"),
)


class PayloadError(ValueError):
    """The input is not a JSON document; carries the 1-based line and column where it broke."""

    def __init__(self, reason: str, line: int | None = None, column: int | None = None) -> None:
        self.reason = reason
        self.line = line
        self.column = column
        where = f"line {line}, column {column}: " if line is not None else ""
        super().__init__(f"{where}{reason}")


@dataclass(frozen=True, slots=True)
class _Position:
    line: int
    column: int


def _position(text: str, index: int) -> _Position:
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return _Position(line, column)


# --- bytes to text ----------------------------------------------------------------------------


def _mark(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    bad = exc.object[exc.start : exc.end]
    return "".join(chr(0xDC00 + byte) for byte in bad), exc.end


codecs.register_error(MARK_ERRORS, _mark)


def encoding_of(head: bytes) -> tuple[str, int]:
    """The encoding of input that starts with `head` (its first 4 bytes or more) and the size
    of its byte-order mark: UTF-8 unless a mark names another. Raises PayloadError (line 1,
    column 1) for text that is plainly UTF-16/32 without a mark, and for compressed files."""
    start = head[:4]
    if start.isascii() and 0 not in start and start[:1] not in (b"P", b"%"):
        return "utf-8", 0  # the usual case: no mark, no zero padding, no known signature
    for bom, name in BOMS:
        if head.startswith(bom):
            return name, len(bom)
    what = signature_of(head)
    if what is not None:
        raise PayloadError(f"the input is not text but {what}", 1, 1)
    guess = _unmarked_utf16_or_32(head[:64])
    if guess:
        raise PayloadError(
            f"the input looks like {guess} text without a byte-order mark; pc-validate reads "
            "UTF-8, or UTF-16/UTF-32 that starts with its byte-order mark",
            1,
            1,
        )
    return "utf-8", 0


def signature_of(head: bytes) -> str | None:
    """What the input is when its first bytes are the signature of a file that is not text
    (gzip, ZIP, PDF), and what to do about it; None for anything else."""
    for signature, what in _SIGNATURES:
        if head.startswith(signature):
            return what
    return None


def _unmarked_utf16_or_32(head: bytes) -> str | None:
    """'UTF-16 (little-endian)' etc. when the bytes are ASCII characters padded with zero
    bytes the way UTF-16/32 pads them (JSON and CSV text starts with ASCII characters)."""
    if len(head) < 4 or 0 not in head[:4]:
        return None
    for width in (4, 2):
        usable = len(head) - len(head) % width
        units = [head[i : i + width] for i in range(0, usable, width)]
        zero = bytes(width - 1)
        if all(unit[1:] == zero and unit[0] for unit in units):
            return f"UTF-{width * 8} (little-endian)"
        if all(unit[:-1] == zero and unit[-1] for unit in units):
            return f"UTF-{width * 8} (big-endian)"
    return None


def describe_bytes(bad: bytes, encoding: str) -> str:
    """Why `bad` (the undecodable bytes, and what follows) is not text in `encoding`."""
    name = encoding.upper()
    if name == "UTF-8" and len(bad) >= 3 and bad[0] == 0xED and 0xA0 <= bad[1] <= 0xBF:
        code_point = 0xD000 | (bad[1] & 0x3F) << 6 | (bad[2] & 0x3F)
        return (
            f"not valid UTF-8: bytes {bad[:3].hex(' ').upper()} encode U+{code_point:04X}, a "
            "lone surrogate, which UTF-8 does not allow"
        )
    if name == "UTF-8":
        return f"not valid UTF-8: byte 0x{bad[0]:02x} cannot start or continue a character"
    unit = 2 if "16" in name else 4 if "32" in name else 1  # the first code unit that failed
    if unit == 1:  # a single-byte encoding (Windows-1252 and the like), or one byte of another
        return f"not valid {name}: byte 0x{bad[0]:02x} is not a character"
    return f"not valid {name}: bytes {bad[:unit].hex(' ').upper()} are not a character"


def undecodable_at(text: str, start: int = 0, end: int | None = None) -> re.Match[str] | None:
    """The first run of marked bytes (see MARK_ERRORS) in text[start:end], if any."""
    if text.isascii():  # the usual case, checked at C speed
        return None
    return MARKS.search(text, start, len(text) if end is None else end)


def marks_at(text: str, index: int) -> re.Match[str] | None:
    """The run of marked bytes that starts at text[index], if one does."""
    return MARKS.match(text, index)


def describe_marks(run: str, encoding: str) -> str:
    """describe_bytes of the bytes a run of marks stands for."""
    return describe_bytes(bytes(ord(char) - 0xDC00 for char in run), encoding)


def decode(data: bytes, encoding: str | None = None) -> str:
    """Decode request bytes: UTF-8 unless a byte-order mark names another encoding; in
    `encoding`, when the caller has already read the mark (bulk readers)."""
    if encoding is None:
        encoding, skip = encoding_of(data[:64])
        data = data[skip:]
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        head = data[: exc.start].decode(encoding, errors="replace")
        pos = _position(head, len(head))
        raise PayloadError(
            describe_bytes(data[exc.start : exc.start + 4], encoding), pos.line, pos.column
        ) from None


# --- text to a JSON value ---------------------------------------------------------------------


class NonJsonConstant(ValueError):
    """NaN, Infinity or -Infinity: Python's json accepts them, JSON does not."""


def reject_constant(name: str) -> Any:
    raise NonJsonConstant(name)


class DuplicateKeys(dict[str, Any]):
    """A JSON object in which a key was sent more than once. It holds the last value of
    each key, as json.loads and .NET's readers do; `repeated` names the keys sent more than
    once, in order of appearance, so that the repetition can be reported."""

    repeated: tuple[str, ...] = ()


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) == len(pairs):
        return obj
    seen: set[str] = set()
    repeated: dict[str, None] = {}
    for key, _ in pairs:
        if key in seen:
            repeated[key] = None
        seen.add(key)
    duplicated = DuplicateKeys(obj)
    duplicated.repeated = tuple(repeated)
    return duplicated


#: The decoder every reader uses: strict constants, repeated keys kept on record.
DECODER: Final = json.JSONDecoder(parse_constant=reject_constant, object_pairs_hook=_object)


#: What is wrong where a JSON decoder stopped, judged from the text itself (problem_at);
#: "other" is anything else, said in the decoder's own words.
JsonProblem = Literal[
    "control_character", "bad_escape", "bad_unicode_escape", "unterminated", "extra", "other"
]
#: Problems inside one string token: the text after the string can still be read.
TOKEN_PROBLEMS: Final = frozenset({"control_character", "bad_escape", "bad_unicode_escape"})
_ESCAPES = frozenset('"\\/bfnrtu')


def problem_at(doc: str, pos: int, start: int = 0) -> JsonProblem:
    """What stopped a decoder at `pos` of `doc` (the value began at `start`), read from the
    text rather than from the wording of the decoder's message, which is no contract."""
    in_string = escaped = False
    index = doc.find('"', start, pos)
    while index >= 0:
        end = _STRING_BODY.match(doc, index + 1, pos).end()  # type: ignore[union-attr]
        if end >= pos - 1 and doc[end : end + 1] != '"':
            in_string, escaped = True, end == pos - 1
            break
        index = doc.find('"', end + 1, pos)
    ahead = doc[pos : pos + 1]
    if in_string:
        if escaped and ahead == "u":
            return "bad_unicode_escape"
        if not escaped and ahead == "\\" and doc[pos + 1 : pos + 2] not in _ESCAPES:
            return "bad_escape"
        if ahead and ord(ahead) < 0x20:
            return "control_character"
        return "other"
    if ahead and _value_ends_before(doc, start, pos):
        return "extra"
    if ahead == '"' and _STRING.match(doc, pos) is None and _string_may_start(doc, start, pos):
        return "unterminated"
    return "other"


def _string_may_start(doc: str, start: int, pos: int) -> bool:
    """Whether JSON allows a string at `pos`: first in the value, or after { [ , or :
    (after another string, what is missing is a delimiter, not a closing quote)."""
    before = doc[start:pos].rstrip(" \t\n\r")
    return not before or before[-1] in "{[,:"


#: The text of a string after its opening quote, up to (not including) its closing quote.
_STRING_BODY: Final = re.compile(r'[^"\\]*+(?:\\.[^"\\]*+)*+', re.DOTALL)
#: A whole string, quotes included.
_STRING: Final = re.compile(r'"[^"\\]*+(?:\\.[^"\\]*+)*+"', re.DOTALL)


def _value_ends_before(doc: str, start: int, pos: int) -> bool:
    """Whether one whole JSON value, then only whitespace, stands before `pos`."""
    head = doc[start:pos]
    if not head.strip():
        return False
    try:
        _, end = DECODER.raw_decode(head, len(head) - len(head.lstrip()))
    except (ValueError, RecursionError):
        return False
    return not head[end:].strip()


def explain(exc: json.JSONDecodeError, start: int = 0) -> str:
    """Say what went wrong in words a person who wrote the JSON by hand will recognise."""
    before = exc.doc[start : exc.pos]
    ahead = exc.doc[exc.pos : exc.pos + 1]
    if not exc.doc[start:].strip():
        return "the input is empty; expected a JSON object"
    if ahead in "}]" and ahead and _TRAILING_COMMA.search(before):
        return f"trailing comma before '{ahead}': strict JSON does not allow one"
    problem = problem_at(exc.doc, exc.pos, start)
    if problem == "control_character":
        code = ord(ahead)
        name = _CONTROL_NAMES.get(code, "control character")
        return (
            f"a {name} (U+{code:04X}) inside a string must be written as an escape "
            f"(\\u{code:04x}); JSON does not allow it raw"
        )
    if ahead == "\x00":
        return "a NUL character (U+0000) cannot stand here: JSON text has none outside strings"
    if ahead == "/" or ahead == "#":
        return "comments are not allowed in JSON"
    if problem == "extra":
        return "unexpected text after the end of the JSON value"
    if ahead == "'":
        return "strings and keys must use double quotes, not single quotes"
    if problem == "unterminated":
        return "a string starts here but never ends (no closing double quote)"
    if problem == "bad_unicode_escape":
        return "invalid \\u escape in a string: \\u needs four hexadecimal digits"
    if problem == "bad_escape":
        return 'invalid escape in a string: after \\ JSON allows only " \\ / b f n r t u'
    return exc.msg[0].lower() + exc.msg[1:]


@dataclass(frozen=True, slots=True)
class Extent:
    """What a bracket scan of one JSON value found (see `scan_value`)."""

    #: index of the bracket that opens the first level deeper than the limit
    too_deep: int | None
    #: index just past the value; None when it does not end within the text, or is broken
    end: int | None
    #: its brackets do not pair up: no more text will make it whole
    broken: bool = False


def scan_value(text: str, start: int, limit: int = MAX_DEPTH) -> Extent:
    """Walk the strings and brackets of the JSON value at text[start] without parsing it,
    in linear time and without recursion: how deep it goes, and where it ends. Used to say
    where nesting is too deep, and to step over an unreadable array element."""
    if start >= len(text):
        return Extent(None, None)
    if text[start] not in '[{"':
        found = _SCALAR_END.search(text, start)
        return Extent(None, found.start() if found else None)
    stack: list[str] = []
    too_deep = None
    for token in _TOKEN.finditer(text, start):
        char = token.group()
        if char in _CLOSING:
            stack.append(_CLOSING[char])
            if len(stack) > limit and too_deep is None:
                too_deep = token.start()
        elif char in "]}":
            if not stack or stack.pop() != char:
                return Extent(too_deep, None, broken=True)
        elif char == '"':
            return Extent(too_deep, None)  # a string that does not end here
        if not stack:
            return Extent(too_deep, token.end())
    return Extent(too_deep, None)


def too_deep(text: str, start: int = 0, end: int | None = None) -> int | None:
    """Where the JSON value at text[start] (already known to be well formed, or too deep to
    parse) first nests deeper than MAX_DEPTH; None when it never does. Cheap when the value
    holds few brackets."""
    stop = len(text) if end is None else end
    if text.count("[", start, stop) + text.count("{", start, stop) <= MAX_DEPTH:
        return None
    while start < stop and text[start] in " \t\r\n":
        start += 1
    return scan_value(text, start).too_deep


def too_deep_reason() -> str:
    return (
        f"the JSON value is nested more than {MAX_DEPTH} levels deep; pc-validate reads no "
        "deeper (a request body is 3 levels deep)"
    )


def parse(source: str | bytes | bytearray, encoding: str | None = None) -> Any:
    """Parse one JSON document; raise PayloadError naming line and column on any failure.
    Bytes are decoded as `decode` does (`encoding`: already known, its mark removed)."""
    text = decode(bytes(source), encoding) if isinstance(source, bytes | bytearray) else source
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        value = DECODER.decode(text)
    except json.JSONDecodeError as exc:
        raise PayloadError(explain(exc), exc.lineno, exc.colno) from None
    except RecursionError:
        deep = too_deep(text)
        if deep is None:
            raise PayloadError("the JSON value is nested too deeply to read") from None
        pos = _position(text, deep)
        raise PayloadError(too_deep_reason(), pos.line, pos.column) from None
    except ValueError as exc:
        reason, at = refusal(text, exc)
        pos = _position(text, at)
        raise PayloadError(reason, pos.line, pos.column) from None
    deep = too_deep(text)
    if deep is not None:
        pos = _position(text, deep)
        raise PayloadError(too_deep_reason(), pos.line, pos.column)
    return value


#: parse_fast parses this many texts with parse() before it imports orjson (15 ms): a run of
#: a few records is not made slower to start.
FAST_AFTER: Final = 64
#: orjson turns integers beyond 64 bits into floats; a float outside this range may be one.
_INT_RANGE: Final = (-(2.0**63), 2.0**64)


class _Fast:
    """orjson's loads once imported (None: not yet; False: not installed), and the texts
    parsed before that."""

    loads: Any = None
    errors: Any = ValueError
    calls = 0


def parse_fast(text: str) -> Any:
    """parse(text), by orjson (three times as fast) wherever that gives the same value, and by
    parse() everywhere else, so every error and its message stays parse()'s own.

    orjson refuses what parse() refuses, and more (lone surrogates, numbers beyond a
    double); it keeps the last value of a key sent twice, where parse() keeps them on record
    (DuplicateKeys), and it reads an integer beyond 64 bits as a float. Its value is taken
    only with a proof that neither happened: each key of an object is followed by a colon
    outside strings, so a text with as many colons as its objects have keys has no colon in
    a string and no key twice (a key sent twice leaves one key fewer than colons); and no
    float lies where a wide integer could have become one. A text with more brackets than
    MAX_DEPTH goes to parse(), which refuses nesting deeper than that."""
    if _Fast.loads is None:
        _Fast.calls += 1
        if _Fast.calls <= FAST_AFTER:
            return parse(text)
        try:
            import orjson
        except ImportError:  # a platform without its wheels: parse() alone
            _Fast.loads = False
        else:
            _Fast.loads, _Fast.errors = orjson.loads, orjson.JSONDecodeError
    # More brackets than MAX_DEPTH: parse() says whether it is too deep, and orjson never
    # sees deep nesting (orjson 3.8 crashes at a million levels).
    if _Fast.loads is False or text.count("[") + text.count("{") > MAX_DEPTH:
        return parse(text)
    try:
        value = _Fast.loads(text)
    except _Fast.errors:
        return parse(text)
    kind = type(value)
    if kind is dict or kind is list:
        if _keys(value) != text.count(":"):
            return parse(text)
    elif kind is float and not _INT_RANGE[0] < value < _INT_RANGE[1]:
        return parse(text)
    return value


def _keys(value: dict[str, Any] | list[Any]) -> int:
    """How many keys the objects in `value` have, all told; -1 when it holds a float that
    may have been an integer beyond 64 bits."""
    low, high = _INT_RANGE
    count = 0
    stack: list[Any] = [value]
    pop, push = stack.pop, stack.append
    while stack:
        item = pop()
        if type(item) is dict:
            count += len(item)
            item = item.values()
        for inner in item:
            kind = type(inner)
            if kind is dict or kind is list:
                push(inner)
            elif kind is float and not low < inner < high:
                return -1
    return count


def refusal(text: str, exc: ValueError, start: int = 0) -> tuple[str, int]:
    """Why json's decoder refused a value from text[start:] that is not a syntax error, and
    the index where: NaN or Infinity (NonJsonConstant), or an integer of more than 4,300
    digits, which Python refuses to convert."""
    if isinstance(exc, NonJsonConstant):
        at = find_constant(text, str(exc), start)
        return f"{exc} is not a JSON value (JSON has no NaN or Infinity)", at
    found = _LONG_NUMBER.search(text, start)
    return "a number has too many digits to be read (more than 4,300)", (
        found.start() if found else start
    )


def find_constant(text: str, name: str, start: int = 0) -> int:
    """Index of the first NaN/Infinity/-Infinity called `name` outside a string (`start` if
    none is found). Like json's scanner, it takes the name where a word starts, even when
    more letters follow ("NaNfoo")."""
    pattern = re.compile(rf'"[^"\\]*(?:\\.[^"\\]*)*"|(?<![\w"\-]){re.escape(name)}', re.S)
    for match in pattern.finditer(text, start):
        if not match.group().startswith('"'):
            return match.start()
    return start
