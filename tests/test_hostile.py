"""Hostile input: what pc-validate answers to each entry of the catalogue (issue #5).

Every entry goes through the command in-process (`pc-validate check FILE` and the same bytes
on stdin, `--format json` and the stderr line), through `validate()` where a library caller
could send it, and through `pc-validate fix`; the heaviest also run through the real command
in a child process with a 1.5 GB address-space limit and a time-out (all of them in one run:
about 0.7 GB peak, with its two worker processes). Nothing may print a traceback.
Exit status: 0 nothing at or above --fail-on, 1 violations, 2 could not validate. An
unreadable input is named on stderr as ``pc-validate: FILE:LINE:COLUMN: reason`` (no position
where there is none: a directory, a missing file) and in the JSON report as an `unreadable`
result whose `error` holds the same message, line and column; `validate()` answers it with
one `payload.json` error carrying the line and column in its params.

The catalogue (derived from running it; `test_the_catalogue_below_is_complete` keeps the
table and the cases in step). "at L:C" is the position reported.

=============================  ====  =====================================================
input                          exit  answer
=============================  ====  =====================================================
deep_objects_100k              2     at 1:321 (the 65th "{"): "the JSON value is nested
                                     more than 64 levels deep; pc-validate reads no
                                     deeper (a request body is 3 levels deep)"
deep_arrays_100k               2     the same, at 1:70 ({"a": [[[...: the 65th opening
                                     bracket)
string_50mb                    1     billing.email.format error; the value is echoed cut
                                     to 200 characters + "…" (real command: about 1 s and
                                     0.2 GB peak; the same as an element of a JSON array
                                     and as a JSON Lines record between good ones)
million_keys                   0     payload.unknown_key warnings: 50 named keys, then
                                     "The request body has 999950 more keys that are not
                                     fields Partner Center knows (only the first 50 are
                                     listed one by one)." (real command: about 3 s and
                                     0.35 GB peak)
nan                            2     at the token: "NaN is not a JSON value (JSON has no
                                     NaN or Infinity)"
infinity, minus_infinity       2     the same for "Infinity" / "-Infinity"
huge_exponent (1e400)          1     payload.type error "billingProfile.email must be a
                                     string, not a number": JSON allows the literal, Python
                                     reads it as infinity, and every Partner Center field
                                     is text, so it is judged as a wrong type (echoed as
                                     "inf"); `fix` exits 2: "the body cannot be written
                                     back: it holds a number beyond the range of a double"
huge_exponent_at_root          1     payload.type error at "" (an object is expected);
                                     `fix` exits 2 as above
huge_integer (5000 digits)     2     at the number: "a number has too many digits to be
                                     read (more than 4,300)"
long_fraction (100000 digits)  1     payload.type error (a number, not a string)
duplicate_key                  1     the last value is judged (here billing.email.format),
                                     and the repetition is a payload.ambiguous_key warning:
                                     'has the key "email" more than once; only one value is
                                     used (pc-validate checks the last)'; `fix` writes the
                                     key once and says so on stderr
duplicate_key_other_case       0     payload.ambiguous_key warning at /companyProfile:
                                     'has the keys "companyProfile" and "CompanyProfile",
                                     which differ only in case; ... (pc-validate checks the
                                     last, "CompanyProfile")'
lone_surrogate_escape          1     billing.email.format error; echoed as U+FFFD; and a
                                     payload.suspicious_characters warning naming "U+D800
                                     HIGH SURROGATE (alone, ...) at character 1"
lone_surrogate_key             0     payload.unknown_key warning; the report escapes the key
                                     exactly in its JSON Pointer and stays writable as UTF-8
lone_surrogate_bytes           2     at the byte: "not valid UTF-8: bytes ED A0 80 encode
                                     U+D800, a lone surrogate, which UTF-8 does not allow"
surrogate_pair_as_cesu8        2     the same, naming U+D83D
nul_in_string                  2     at the NUL: "a NUL (U+0000) inside a string must be
                                     written as an escape (\\u0000); JSON does not allow
                                     it raw"
nul_escaped                    1     billing.email.format error (\\u0000 is a character),
                                     and a payload.suspicious_characters warning: "U+0000
                                     NULL at character 5"
nul_escaped_in_name            0     payload.suspicious_characters warning at
                                     /billingProfile/companyName: "U+0000 NULL at
                                     character 8, a control character"
bidi_override_value            0     payload.suspicious_characters warning: "has U+202E
                                     RIGHT-TO-LEFT OVERRIDE at character 8, a
                                     bidirectional control, which reorders the text
                                     shown"; the value is shown escaped
nul_after_document             2     at the first NUL: "a NUL character (U+0000) cannot
                                     stand here: JSON text has none outside strings"
nul_bytes_only                 2     the same, at 1:1
invalid_utf8                   2     at the byte: "not valid UTF-8: byte 0xff cannot start
                                     or continue a character"
overlong_utf8                  2     the same for byte 0xc0
truncated_utf8                 2     the same for byte 0xe2 (a character cut short)
utf8_bom                       0     read as UTF-8 (what Windows PowerShell writes)
utf16_le_bom, utf16_be_bom     0     read as UTF-16
utf32_le_bom                   0     read as UTF-32
utf16_le_no_bom                2     at 1:1: "the input looks like UTF-16 (little-endian)
                                     text without a byte-order mark; pc-validate reads
                                     UTF-8, or UTF-16/UTF-32 that starts with its
                                     byte-order mark"
utf16_be_no_bom                2     the same, "(big-endian)"
utf32_le_no_bom                2     the same, "UTF-32 (little-endian)"
utf16_truncated                2     "not valid UTF-16-LE: bytes 7D are not a character"
comment_line (//)              2     at the comment: "comments are not allowed in JSON"
comment_block (/* */)          2     the same
comment_hash (#)               2     the same
comment_trailing               2     the same (a comment after the document)
trailing_garbage               2     at the garbage: "unexpected text after the end of the
                                     JSON value"
two_documents                  2     the same, at the second document
trailing_comma                 2     "trailing comma before '}': strict JSON does not allow
                                     one"
unterminated_string            2     at the quote: "a string starts here but never ends
                                     (no closing double quote)"
invalid_escape                 2     'invalid escape in a string: after \\ JSON allows only
                                     " \\ / b f n r t u'
raw_tab_in_string              2     "a tab (U+0009) inside a string must be written as an
                                     escape (\\u0009); JSON does not allow it raw"
empty                          2     at 1:1: "the input is empty; expected a JSON object"
whitespace_only, bom_only      2     the same (at the end of the blanks)
gzip                           0     `check` decompresses gzip as it reads it (by its
                                     first bytes, whatever the name), then reads the JSON;
                                     validate() and `fix` take one body, not a file: "the
                                     input is not text but gzip-compressed data: decompress
                                     it first"
gzip_corrupt                   2     "the gzip data is corrupt: invalid block type; the
                                     rest was not read" (no position: the bytes are not text)
gzip_truncated                 2     "the gzip data ends too soon (the file is cut short);
                                     the rest was not read"
zip_archive                    2     at 1:1: "the input is not text but a ZIP archive: an
                                     Excel workbook is read when its name ends in .xlsx, or
                                     with --input-format xlsx" (validate(): "... (an .xlsx
                                     workbook is one): export the data as CSV or JSON")
top_level_string               1     payload.type error at "" (an object is expected)
empty_array                    0     `check`: a JSON array is a list of records, and this
                                     one has none ("0 records"); validate([]) answers a
                                     payload.type error
a directory                    2     "is a directory, not a file" (no position)
a missing file                 2     "no such file"
a symlink loop                 2     "cannot be read: Too many levels of symbolic links"
/dev/null                      2     at 1:1: "the input is empty; expected a JSON object"
empty stdin                    2     the same, named "<stdin>"
closed stdin                   2     "standard input is closed" (check and fix; before: a
                                     traceback)
a FIFO                         0     read like a file once a writer opens it
escape_sequence_key            0     payload.unknown_key warning; a key that clears the
                                     screen and prints "customer.json: valid" (ESC, OSC 8,
                                     OSC 0, CR, U+009B, bidi overrides) is shown escaped
                                     ("\\u001b[2J") wherever a person reads it; the
                                     JSON path names it exactly (as JSON escapes)
c1_and_bidi_value              1     billing.email.format error; the value's U+009B and
                                     U+202E are shown escaped in the message; a
                                     payload.suspicious_characters warning counts both and
                                     names the first, "U+009B CONTROL SEQUENCE INTRODUCER
                                     at character 5"
long_key_10mb                  0     payload.unknown_key warning; the key is cut to 200
                                     characters + "…" in the message and the text report
                                     (both: a few hundred bytes); the JSON path names it
                                     exactly
/dev/zero                      2     at 1:67108865: "the JSON document is longer than
                                     67,108,864 characters, the most pc-validate holds of
                                     one record; it was not read" (real command, at the
                                     real limit: under 0.7 GB peak); as JSON Lines "the
                                     line is longer ...; no line end follows within as
                                     many characters again: the rest was not read", as CSV
                                     "the header row cannot be read: the row is longer ..."
jsonl_line_over_limit          2     that line is unreadable at LINE:67108865 ("the line
                                     is longer than ...; it was skipped"); the next lines
                                     are read
csv_stray_quote                2     a cell that opens a quote and never closes it: that
                                     row is unreadable ("a quoted cell in this row never
                                     closes: the file ends before its closing quote"), and
                                     the rows it swallowed are read from the next line on
                                     that is a whole row (as many cells as the header)
csv_huge_cell                  1     a 1 MB notes cell (over the csv module's 128 KiB) is
                                     read like any other; cells up to the record limit
csv_row_over_limit             2     "the row is longer than 67,108,864 characters ...";
                                     the next row is read
xlsx without the extra         2     "reading an Excel workbook needs openpyxl: pip
                                     install 'pc-validate[xlsx]'"
a ZIP that is not a workbook   2     "not an Excel workbook that can be read: There is no
                                     item named '[Content_Types].xml' in the archive"
a glob through a symlink loop  0     'dir/**/*.json' does not descend through links to
                                     folders: each file once (before: 41 times, or never
                                     ending)
fix --in-place via a symlink   0     the link's target is repaired and the link stays a
                                     link (before: replaced by a regular file)
fix --in-place on a FIFO       2     "is a FIFO (named pipe), not a regular file;
                                     --in-place writes regular files only; nothing was
                                     written", without blocking; /dev/stdin as a pipe
                                     and /proc/self/fd links to one the same; /dev/zero
                                     "is a character device, ..."
fix --in-place on a hard link  2     "has 2 hard links: replacing it would leave the other
                                     names with the unrepaired text; ..."
fix --in-place on a 0444 file  2     "is read-only (mode 0444); make it writable first if
                                     it is to be repaired"
fix on UTF-16 or a BOM         0     written back in its encoding, with its mark; only the
                                     bytes of the repaired values change (CRLF, indent,
                                     "\\u00e9", 1E5 and 1e400 kept as written)
=============================  ====  =====================================================

A hostile record between good ones (JSON Lines, and elements of a JSON array): the good ones
are still validated and the bad one is counted as unreadable with its own line and column,
for every entry above that is a whole record (NaN, deep nesting, long numbers, NUL, bad
bytes, lone surrogates...). A JSON array element whose syntax is broken (a comment, garbage
between elements) ends the array instead: it is reported with "the rest of the array was not
read" (its extent cannot be trusted); JSON Lines go on with the next line. Where the
readers' 1 MB buffer ends makes no difference: an escape, a surrogate pair, a number or a
run of bad bytes cut by it is read as a whole (test_fuzz_targets.py reads arrays at every
chunk size), and bad bytes are named alike by validate(), the JSON reader and JSON Lines.
A CSV file whose first row names no known field is unreadable ("is the header row
missing?"), so a row of customer data never becomes column names.

Python values that no JSON text can make: normalize() and repair() refuse a dict that
contains itself ("the value at '/a/b' contains itself (it is one of the objects or arrays
around it), so it cannot be a JSON document") and one nested 10,000 deep ("... is nested
more than 64 levels deep ...") with a ValueError (PayloadError); validate() judges both by
the fields it knows, and never walks further.
"""

from __future__ import annotations

import codecs
import copy
import gzip
import io
import json
import os
import re
import resource
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import VALID_US_PAYLOAD, Run, peak_rss_kb, raw_controls, run_cli

from pc_validate import validate
from pc_validate.cli import main
from pc_validate.fix import repair
from pc_validate.payload import MAX_DEPTH, DuplicateKeys, PayloadError, decode, parse

ROOT = Path(__file__).resolve().parents[1]
GOOD = json.dumps(VALID_US_PAYLOAD).encode()
EMAIL = b'"gena@wingtiptoys.com"'


def run(*argv: str | Path, stdin: bytes = b"") -> Run:
    """`run_cli`, with an exit status the command documents."""
    result = run_cli(*argv, stdin=stdin)
    assert result.code in (0, 1, 2), result.code
    return result


def with_email(raw: bytes) -> bytes:
    """The valid body with raw bytes in place of billingProfile.email's value."""
    return GOOD.replace(EMAIL, raw)


def at(data: bytes, needle: bytes, start: int = 0) -> tuple[int, int]:
    """Line and column (in characters, 1-based) of the first `needle` in `data`."""
    index = data.index(needle, start)
    before = data[:index].decode("utf-8", errors="replace")
    return before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1


def opening(data: bytes, n: int) -> tuple[int, int]:
    """Position of the n-th opening bracket (the data holds no brackets inside strings)."""
    found = [m.start() for m in re.finditer(rb"[\[{]", data)][n - 1]
    return 1, found + 1


def utf(encoding: str, bom: bytes = b"") -> bytes:
    return bom + GOOD.decode().encode(encoding)


def nested(opener: bytes, closer: bytes, depth: int) -> bytes:
    return b'{"a": ' + opener * depth + closer * depth + b"}"


@dataclass(frozen=True)
class Hostile:
    """One catalogue entry: the bytes, the exit status and what the answer must say."""

    id: str
    data: Callable[[], bytes]
    exit: int
    #: exit 2: a fragment of the reason; exit 0/1: the rule id expected
    says: str
    #: exit 2: line and column reported (None: no position); exit 0/1: the violation's path
    where: Callable[[bytes], tuple[int, int] | None] | str | None = None
    #: validate() on the same bytes answers the same (False: see the note in the table)
    library: bool = True


DEEP = f"nested more than {MAX_DEPTH} levels deep"
NOT_JSON_CONSTANT = "is not a JSON value (JSON has no NaN or Infinity)"
COMMENT = "comments are not allowed in JSON"
EMPTY = "the input is empty; expected a JSON object"
NO_BOM = "text without a byte-order mark; pc-validate reads UTF-8, or UTF-16/UTF-32"
EMAIL_PATH = "/billingProfile/email"


def _case_duplicate() -> bytes:
    return with_email(EMAIL + b', "email": "not-an-email"')


def _case_other_case() -> bytes:
    body = copy.deepcopy(VALID_US_PAYLOAD)
    body["CompanyProfile"] = dict(body["companyProfile"])
    return json.dumps(body).encode()


def _case_surrogate_key() -> bytes:
    return GOOD.replace(b'"culture"', b'"\\ud800x": 1, "culture"')


#: A key that clears the screen, prints what a clean run prints and hides the rest, with a
#: hyperlink (OSC 8), a window title (OSC 0), a carriage return, a C1 CSI and a bidi override.
ESCAPE_KEY = (
    "\x1b[2J\x1b[Hcustomer.json: valid\n1 input: 1 valid\x1b]8;;http:\x1b\\link"
    "\x1b]0;title\x07\r\x9b8m\u202eevil\u202c\x1b[8m"
)
LONG_KEY = "k" * 10_000_000


def _with_key(key: str) -> bytes:
    return GOOD.replace(b'"culture"', json.dumps(key).encode() + b': 1, "culture"')


CATALOGUE = [
    Hostile(
        "deep_objects_100k",
        lambda: b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
        2,
        DEEP,
        lambda d: opening(d, MAX_DEPTH + 1),
    ),
    Hostile(
        "deep_arrays_100k",
        lambda: nested(b"[", b"]", 100_000),
        2,
        DEEP,
        lambda d: opening(d, MAX_DEPTH + 1),
    ),
    Hostile(
        "nan", lambda: with_email(b"NaN"), 2, f"NaN {NOT_JSON_CONSTANT}", lambda d: at(d, b"NaN")
    ),
    Hostile(
        "infinity",
        lambda: with_email(b"Infinity"),
        2,
        f"Infinity {NOT_JSON_CONSTANT}",
        lambda d: at(d, b"Infinity"),
    ),
    Hostile(
        "minus_infinity",
        lambda: with_email(b"-Infinity"),
        2,
        f"-Infinity {NOT_JSON_CONSTANT}",
        lambda d: at(d, b"-Infinity"),
    ),
    Hostile("huge_exponent", lambda: with_email(b"1e400"), 1, "payload.type", EMAIL_PATH),
    Hostile("huge_exponent_at_root", lambda: b"1e400", 1, "payload.type", ""),
    Hostile(
        "huge_integer",
        lambda: with_email(b"1" * 5000),
        2,
        "a number has too many digits to be read (more than 4,300)",
        lambda d: at(d, b"1" * 5000),
    ),
    Hostile(
        "long_fraction", lambda: with_email(b"0." + b"1" * 100_000), 1, "payload.type", EMAIL_PATH
    ),
    Hostile("duplicate_key", _case_duplicate, 1, "billing.email.format", EMAIL_PATH),
    Hostile(
        "duplicate_key_other_case", _case_other_case, 0, "payload.ambiguous_key", "/companyProfile"
    ),
    Hostile(
        "lone_surrogate_escape",
        lambda: with_email(b'"\\ud800@example.com"'),
        1,
        "billing.email.format",
        EMAIL_PATH,
    ),
    Hostile(
        "lone_surrogate_key",
        _case_surrogate_key,
        0,
        "payload.unknown_key",
        "/billingProfile/\ud800x",
    ),
    Hostile(
        "lone_surrogate_bytes",
        lambda: with_email(b'"\xed\xa0\x80@example.com"'),
        2,
        "not valid UTF-8: bytes ED A0 80 encode U+D800, a lone surrogate",
        lambda d: at(d, b"\xed"),
    ),
    Hostile(
        "surrogate_pair_as_cesu8",
        lambda: with_email(b'"\xed\xa0\xbd\xed\xb8\x80@example.com"'),
        2,
        "encode U+D83D, a lone surrogate",
        lambda d: at(d, b"\xed"),
    ),
    Hostile(
        "nul_in_string",
        lambda: with_email(b'"gena\x00@wingtiptoys.com"'),
        2,
        "a NUL (U+0000) inside a string must be written as an escape",
        lambda d: at(d, b"\x00"),
    ),
    Hostile(
        "nul_escaped",
        lambda: with_email(b'"gena\\u0000@wingtiptoys.com"'),
        1,
        "billing.email.format",
        EMAIL_PATH,
    ),
    Hostile(
        "nul_escaped_in_name",
        lambda: GOOD.replace(b"Wingtip Toys", b"Wingtip\\u0000Toys"),
        0,
        "payload.suspicious_characters",
        "/billingProfile/companyName",
    ),
    Hostile(
        "bidi_override_value",
        lambda: GOOD.replace(b"Wingtip Toys", b"Wingtip\\u202eToys"),
        0,
        "payload.suspicious_characters",
        "/billingProfile/companyName",
    ),
    Hostile(
        "nul_after_document",
        lambda: GOOD + b"\x00" * 512,
        2,
        "a NUL character (U+0000) cannot stand here",
        lambda d: at(d, b"\x00"),
    ),
    Hostile(
        "nul_bytes_only",
        lambda: b"\x00" * 64,
        2,
        "a NUL character (U+0000) cannot stand here",
        lambda d: (1, 1),
    ),
    Hostile(
        "invalid_utf8",
        lambda: GOOD.replace(b"Wingtip Toys", b"Wingtip \xff Toys"),
        2,
        "not valid UTF-8: byte 0xff cannot start or continue a character",
        lambda d: at(d, b"\xff"),
    ),
    Hostile(
        "overlong_utf8",
        lambda: GOOD.replace(b"Redmond", b"Red\xc0\xafmond"),
        2,
        "byte 0xc0 cannot start or continue a character",
        lambda d: at(d, b"\xc0"),
    ),
    Hostile(
        "truncated_utf8",
        lambda: GOOD.replace(b'"Wingtip Toys"', b'"Wingtip Toys \xe2\x82"'),
        2,
        "byte 0xe2 cannot start or continue a character",
        lambda d: at(d, b"\xe2"),
    ),
    Hostile("utf8_bom", lambda: codecs.BOM_UTF8 + GOOD, 0, ""),
    Hostile("utf16_le_bom", lambda: utf("utf-16-le", codecs.BOM_UTF16_LE), 0, ""),
    Hostile("utf16_be_bom", lambda: utf("utf-16-be", codecs.BOM_UTF16_BE), 0, ""),
    Hostile("utf32_le_bom", lambda: utf("utf-32-le", codecs.BOM_UTF32_LE), 0, ""),
    Hostile(
        "utf16_le_no_bom",
        lambda: utf("utf-16-le"),
        2,
        f"looks like UTF-16 (little-endian) {NO_BOM}",
        lambda d: (1, 1),
    ),
    Hostile(
        "utf16_be_no_bom",
        lambda: utf("utf-16-be"),
        2,
        f"looks like UTF-16 (big-endian) {NO_BOM}",
        lambda d: (1, 1),
    ),
    Hostile(
        "utf32_le_no_bom",
        lambda: utf("utf-32-le"),
        2,
        f"looks like UTF-32 (little-endian) {NO_BOM}",
        lambda d: (1, 1),
    ),
    Hostile(
        "utf16_truncated",
        lambda: utf("utf-16-le", codecs.BOM_UTF16_LE)[:-1],
        2,
        "not valid UTF-16-LE: bytes 7D are not a character",
        lambda d: (1, len(GOOD)),
    ),
    Hostile("comment_line", lambda: b"// exported\n" + GOOD, 2, COMMENT, lambda d: (1, 1)),
    Hostile(
        "comment_block",
        lambda: GOOD.replace(b'"companyProfile"', b'/* company */ "companyProfile"'),
        2,
        COMMENT,
        lambda d: at(d, b"/*"),
    ),
    Hostile("comment_hash", lambda: b"# exported\n" + GOOD, 2, COMMENT, lambda d: (1, 1)),
    Hostile("comment_trailing", lambda: GOOD + b" // done", 2, COMMENT, lambda d: at(d, b"//")),
    Hostile(
        "trailing_garbage",
        lambda: GOOD + b" xyz",
        2,
        "unexpected text after the end of the JSON value",
        lambda d: at(d, b"xyz"),
    ),
    Hostile(
        "two_documents",
        lambda: GOOD + b"\n" + GOOD,
        2,
        "unexpected text after the end of the JSON value",
        lambda d: (2, 1),
    ),
    Hostile(
        "trailing_comma",
        lambda: GOOD[:-1] + b", }",
        2,
        "trailing comma before '}'",
        lambda d: at(d, b"}", len(GOOD) - 1),
    ),
    Hostile(
        "unterminated_string",
        lambda: GOOD[: GOOD.index(EMAIL) + 5],
        2,
        "a string starts here but never ends",
        lambda d: at(d, EMAIL[:5]),
    ),
    Hostile(
        "invalid_escape",
        lambda: with_email(b'"gena\\x41@wingtiptoys.com"'),
        2,
        "invalid escape in a string",
        lambda d: at(d, b"\\x"),
    ),
    Hostile(
        "raw_tab_in_string",
        lambda: with_email(b'"gena\t@wingtiptoys.com"'),
        2,
        "a tab (U+0009) inside a string must be written as an escape",
        lambda d: at(d, b"\t"),
    ),
    Hostile("empty", lambda: b"", 2, EMPTY, lambda d: (1, 1)),
    Hostile("whitespace_only", lambda: b" \n\t\r\n  ", 2, EMPTY, lambda d: (3, 3)),
    Hostile("bom_only", lambda: codecs.BOM_UTF8, 2, EMPTY, lambda d: (1, 1)),
    Hostile("gzip", lambda: gzip.compress(GOOD), 0, "", library=False),
    Hostile(
        "gzip_corrupt",
        lambda: b"\x1f\x8b\x08\x00" + bytes(range(40)),
        2,
        "the gzip data is corrupt: invalid block type; the rest was not read",
        library=False,
    ),
    Hostile(
        "gzip_truncated",
        lambda: gzip.compress(GOOD)[:-30],
        2,
        "the gzip data ends too soon (the file is cut short); the rest was not read",
        library=False,
    ),
    Hostile(
        "zip_archive",
        lambda: b"PK\x03\x04\x14\x00\x06\x00" + bytes(40),
        2,
        "the input is not text but a ZIP archive",
        lambda d: (1, 1),
    ),
    Hostile("top_level_string", lambda: b'"hello"', 1, "payload.type", ""),
    Hostile("empty_array", lambda: b"[]", 0, "", library=False),
    Hostile(
        "escape_sequence_key",
        lambda: _with_key(ESCAPE_KEY),
        0,
        "payload.unknown_key",
        "/billingProfile/" + ESCAPE_KEY,
    ),
    Hostile(
        "c1_and_bidi_value",
        lambda: with_email('"gena\x9b2J\u202e@wingtiptoys.com"'.encode()),
        1,
        "billing.email.format",
        EMAIL_PATH,
    ),
    Hostile(
        "long_key_10mb",
        lambda: _with_key(LONG_KEY),
        0,
        "payload.unknown_key",
        "/billingProfile/" + LONG_KEY,
    ),
]
HEAVY = {"string_50mb", "million_keys"}  # run in a child process only: see below
BY_ID = {case.id: case for case in CATALOGUE}


def _expected_where(case: Hostile, data: bytes) -> tuple[int, int] | None:
    assert callable(case.where) or case.where is None
    return case.where(data) if callable(case.where) else None


def check_answer(case: Hostile, data: bytes, result: Run, label: str) -> None:
    """The command's answer to one catalogue entry: exit status, report and stderr."""
    assert result.code == case.exit, (result.code, result.err, result.out[-500:])
    (entry,) = result.json()["results"] or [None]
    if case.exit == 2:
        assert entry["status"] == "unreadable"
        error = entry["error"]
        assert case.says in error["message"], error
        where = _expected_where(case, data)
        position = f":{where[0]}:{where[1]}" if where else ""
        assert (error["line"], error["column"]) == (where or (None, None)), error
        assert result.err == f"pc-validate: {label}{position}: {error['message']}\n"
        return
    assert result.err == ""
    if entry is None:  # an empty array: no records
        assert result.json()["summary"]["records"] == 0
        return
    found = {(v["rule"], v["path"]) for v in entry["violations"]}
    if case.says:
        assert (case.says, case.where) in found, found
    assert entry["status"] == ("valid" if case.exit == 0 else "invalid")


@pytest.mark.parametrize("case", CATALOGUE, ids=lambda c: c.id)
def test_the_command_answers_a_hostile_file(case: Hostile, tmp_path: Path) -> None:
    data = case.data()
    path = tmp_path / f"{case.id}.json"
    path.write_bytes(data)
    check_answer(case, data, run("check", "--format", "json", path), str(path))


@pytest.mark.parametrize("case", CATALOGUE, ids=lambda c: c.id)
def test_the_command_answers_hostile_stdin(case: Hostile) -> None:
    data = case.data()
    check_answer(case, data, run("check", "--format", "json", "-", stdin=data), "<stdin>")


@pytest.mark.parametrize("case", CATALOGUE, ids=lambda c: c.id)
def test_the_text_report_names_the_problem(case: Hostile, tmp_path: Path) -> None:
    """The default (text) format says the same on stdout, with the position."""
    data = case.data()
    path = tmp_path / f"{case.id}.json"
    path.write_bytes(data)
    result = run("check", path)
    assert result.code == case.exit
    assert not raw_controls(result.out + result.err), raw_controls(result.out + result.err)
    assert len(result.out) < 10_000  # nothing long is repeated in full
    if case.exit == 2:
        where = _expected_where(case, data)
        position = f" (line {where[0]}, column {where[1]})" if where else ""
        assert f"{path}: unreadable{position}: " in result.out
        assert case.says in result.out
    elif case.says:
        assert f"[{case.says}]" in result.out


@pytest.mark.parametrize("case", [c for c in CATALOGUE if c.library], ids=lambda c: c.id)
def test_validate_answers_the_same_bytes(case: Hostile) -> None:
    data = case.data()
    for source in (data, bytearray(data)):
        report = validate(source)
        assert report == validate(source)  # the same answer every time
        json.loads(report.to_json())
        if case.exit == 2:
            (violation,) = report.violations
            assert (violation.rule, violation.code, violation.path) == (
                "payload.json",
                "invalid_format",
                "",
            )
            assert case.says in violation.message
            where = _expected_where(case, data)
            assert (violation.params["line"], violation.params["column"]) == (where or (None, None))
        else:
            assert report.ok == (case.exit == 0)
            if case.says:
                assert (case.says, case.where) in {(v.rule, v.path) for v in report.violations}


@pytest.mark.parametrize("case", CATALOGUE, ids=lambda c: c.id)
def test_fix_answers_a_hostile_file(case: Hostile, tmp_path: Path) -> None:
    """`fix` reads with the same parser: unreadable input is exit 2 with the same message;
    anything it reads it writes back as it was, but for the repaired values (1e400 too)."""
    data = case.data()
    path = tmp_path / f"{case.id}.json"
    path.write_bytes(data)
    result = run("fix", path)
    if case.id.startswith("gzip"):  # fix takes one body, not a compressed file
        assert result.code == 2 and result.out == ""
        assert "not text but gzip-compressed data: decompress it first" in result.err
    elif case.exit == 2:
        assert result.code == 2
        assert case.says in result.err and result.out == ""
        where = _expected_where(case, data)
        position = f":{where[0]}:{where[1]}" if where else ""
        assert result.err.startswith(f"pc-validate: {path}{position}: ")
    else:
        assert result.code in (0, 1)
        json.loads(result.out)
        if result.err.endswith(": nothing to repair\n"):
            assert result.out == decode(data)


def test_fix_in_place_keeps_a_number_beyond_double_range(tmp_path: Path) -> None:
    """1e400 reads as infinity, which JSON cannot carry: the file keeps the literal, and
    only the repaired value changes (before: refused, as re-serialising could not write it)."""
    path = tmp_path / "huge.json"
    data = with_email(b"1e400").replace(b'"US"', b'"us"')
    path.write_bytes(data)
    assert run("fix", "--in-place", path).code == 1  # payload.type: the email is a number
    assert path.read_bytes() == data.replace(b'"us"', b'"US"')


def test_huge_exponent_is_a_wrong_type_not_a_crash() -> None:
    """The decision for 1e400: valid JSON, read as infinity, judged as a number where a string
    belongs; the value is echoed as text so that the report stays strict JSON."""
    report = validate(with_email(b"1e400"))
    (violation,) = [v for v in report.violations if v.rule == "payload.type"]
    assert violation.message == "billingProfile.email must be a string, not a number."
    assert violation.value == "inf"
    assert "Infinity" not in report.to_json()


# --- inputs that are not files with content ----------------------------------------------------


def test_a_directory(tmp_path: Path) -> None:
    result = run("check", "--format", "json", tmp_path)
    assert result.code == 2
    assert result.err == f"pc-validate: {tmp_path}: is a directory, not a file\n"
    assert result.json()["results"][0]["error"]["line"] is None
    assert run("fix", tmp_path).code == 2


def test_a_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    result = run("check", missing)
    assert (result.code, result.err) == (2, f"pc-validate: {missing}: no such file\n")
    assert run("fix", missing).err == f"pc-validate: {missing}: no such file\n"


def test_a_symlink_loop(tmp_path: Path) -> None:
    loop = tmp_path / "loop.json"
    loop.symlink_to(loop)
    result = run("check", loop)
    assert result.code == 2
    assert result.err == f"pc-validate: {loop}: cannot be read: Too many levels of symbolic links\n"


@pytest.mark.skipif(not os.path.exists("/dev/null"), reason="no /dev/null")
def test_dev_null_is_an_empty_input() -> None:
    result = run("check", "/dev/null")
    assert (result.code, result.err) == (2, f"pc-validate: /dev/null:1:1: {EMPTY}\n")


def test_empty_stdin() -> None:
    result = run("check", "-", stdin=b"")
    assert (result.code, result.err) == (2, f"pc-validate: <stdin>:1:1: {EMPTY}\n")


def test_closed_stdin_in_process() -> None:
    """A caller's stream that is already closed (regression: ValueError traceback)."""
    for stream in (io.TextIOWrapper(io.BytesIO(GOOD)), io.BytesIO(GOOD)):
        stream.close()
        for command in ("check", "fix"):
            out, err = io.StringIO(), io.StringIO()
            assert main([command, "-"], stdout=out, stderr=err, stdin=stream) == 2
            assert "standard input is closed" in err.getvalue()
            assert "Traceback" not in err.getvalue()


def test_a_stream_that_fails_mid_way_ends_its_input_with_a_reason() -> None:
    """An I/O error while reading (a disk or a pipe gone bad) is one more unreadable record,
    after the records read before it."""

    class Failing(io.RawIOBase):
        """Serves a good record, then fails."""

        def __init__(self) -> None:
            self.left = GOOD + b"\n"

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: Any) -> int:
            if not self.left:
                raise OSError(5, "Input/output error")
            n = min(len(buffer), len(self.left))
            buffer[:n], self.left = self.left[:n], self.left[n:]
            return n

    class Stdin:
        buffer = Failing()

    out, err = io.StringIO(), io.StringIO()
    argv = ["check", "--format", "json", "--input-format", "jsonl", "-"]
    code = main(argv, stdout=out, stderr=err, stdin=Stdin())
    results = json.loads(out.getvalue())["results"]
    assert code == 2
    assert [r["status"] for r in results] == ["valid", "unreadable"]
    assert results[1]["record"] == 1
    assert "the input cannot be read: Input/output error; the rest was not read" in err.getvalue()


def _child_env() -> dict[str, str]:
    path = os.environ.get("PYTHONPATH")
    return {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{path}" if path else str(ROOT)}


COMMAND = [sys.executable, "-m", "pc_validate"]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file descriptors")
def test_closed_stdin_in_a_real_process() -> None:
    """`pc-validate check - <&-`: Python starts with sys.stdin None (regression: traceback)."""
    for command in ("check", "fix"):
        done = subprocess.run(
            [*COMMAND, command, "-"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            preexec_fn=lambda: os.close(0),
            env=_child_env(),
            timeout=60,
            check=False,
        )
        assert done.returncode == 2, done.stderr
        assert b"standard input is closed" in done.stderr
        assert b"Traceback" not in done.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes")
def test_a_fifo_is_read_once_a_writer_opens_it(tmp_path: Path) -> None:
    fifo = tmp_path / "customer.json"
    os.mkfifo(fifo)

    def write() -> None:
        with open(fifo, "wb") as pipe:
            pipe.write(GOOD)

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    done = subprocess.run(
        [*COMMAND, "check", str(fifo)], capture_output=True, env=_child_env(), timeout=60
    )
    writer.join(timeout=10)
    assert done.returncode == 0, done.stderr
    assert b"Traceback" not in done.stderr


# --- a hostile record between good ones -------------------------------------------------------

#: Whole records that cannot be read: the records around them must still be validated.
RECORD_CASES = [
    "deep_objects_100k",
    "deep_arrays_100k",
    "nan",
    "infinity",
    "minus_infinity",
    "huge_integer",
    "lone_surrogate_bytes",
    "surrogate_pair_as_cesu8",
    "nul_in_string",
    "invalid_utf8",
    "overlong_utf8",
    "truncated_utf8",
    "raw_tab_in_string",
    "invalid_escape",
]
#: Records that are read and judged.
JUDGED_CASES = [
    "huge_exponent",
    "long_fraction",
    "duplicate_key",
    "lone_surrogate_escape",
    "nul_escaped",
]


def _surrounded(bad: bytes, fmt: str) -> bytes:
    if fmt == "jsonl":
        return GOOD + b"\n" + GOOD + b"\n" + bad + b"\n" + GOOD + b"\n"
    return b"[\n" + GOOD + b",\n" + GOOD + b",\n" + bad + b",\n" + GOOD + b"\n]\n"


@pytest.mark.parametrize("fmt", ["jsonl", "json"])
@pytest.mark.parametrize("name", RECORD_CASES + JUDGED_CASES)
def test_a_hostile_record_among_good_ones(name: str, fmt: str, tmp_path: Path) -> None:
    case = BY_ID[name]
    bad = case.data()
    data = _surrounded(bad, fmt)
    path = tmp_path / f"records.{fmt}"
    path.write_bytes(data)
    result = run("check", "--format", "json", "--input-format", fmt, path)
    assert result.code == case.exit
    doc = result.json()
    statuses = [r["status"] for r in doc["results"]]
    expected = "unreadable" if case.exit == 2 else "invalid" if case.exit == 1 else "valid"
    assert statuses == ["valid", "valid", expected, "valid"]
    assert doc["summary"]["records"] == 4
    assert [r["record"] for r in doc["results"]] == [0, 1, 2, 3]
    record = doc["results"][2]
    first_line = 3 if fmt == "jsonl" else 4
    assert record["line"] == first_line
    if case.exit == 2:
        where = _expected_where(case, bad)
        assert where is not None
        error = record["error"]
        assert case.says in error["message"]
        assert (error["line"], error["column"]) == (first_line + where[0] - 1, where[1])
        assert f"pc-validate: {path}:{error['line']}:{error['column']}: " in result.err
        assert result.err.count("\n") == 1


@pytest.mark.parametrize(
    ("bad", "says"),
    [
        (b"// a comment\n" + GOOD, COMMENT),
        (GOOD + b" xyz", "expected ',' or ']' between array elements"),
        (GOOD[:-1] + b",}", "trailing comma"),
    ],
    ids=["comment", "garbage", "trailing_comma"],
)
def test_broken_syntax_in_an_array_ends_it_with_a_reason(bad: bytes, says: str) -> None:
    """Broken syntax leaves the element's extent in doubt: the records before it are
    validated, the rest is reported as not read (in JSON Lines, only that line is lost)."""
    result = run("check", "--format", "json", "-", stdin=_surrounded(bad, "json"))
    assert result.code == 2
    results = result.json()["results"]
    assert [r["status"] for r in results][:2] == ["valid", "valid"]
    assert results[-1]["status"] == "unreadable"
    assert says in results[-1]["error"]["message"]
    assert "the rest" in results[-1]["error"]["message"]
    lines = run("check", "--format", "json", "--input-format", "jsonl", "-",
                stdin=_surrounded(bad.replace(b"\n", b" "), "jsonl"))  # fmt: skip
    assert [r["status"] for r in lines.json()["results"]] == [
        "valid",
        "valid",
        "unreadable",
        "valid",
    ]


def test_an_undecodable_byte_between_array_elements() -> None:
    data = b"[" + GOOD + b", \xff, " + GOOD + b"]"
    result = run("check", "--format", "json", "-", stdin=data)
    assert result.code == 2
    results = result.json()["results"]
    assert [r["status"] for r in results] == ["valid", "unreadable", "valid"]
    assert results[1]["error"]["column"] == len(GOOD) + 4
    assert "byte 0xff" in results[1]["error"]["message"]


def test_a_utf16_array_with_a_bad_element_keeps_the_good_ones() -> None:
    good = GOOD.decode()
    data = codecs.BOM_UTF16_LE + ("[" + ", ".join([good] * 3) + "]").encode("utf-16-le")
    name = "Wingtip".encode("utf-16-le")
    second = data.index(name, data.index(name) + 1)
    data = data[:second] + b"\x00\xdc" + data[second:]  # a lone low surrogate in a string
    result = run("check", "--format", "json", "-", stdin=data)
    results = result.json()["results"]
    assert [r["status"] for r in results] == ["valid", "unreadable", "valid"]
    assert results[1]["error"]["message"] == "not valid UTF-16-LE: bytes 00 DC are not a character"
    assert results[1]["error"]["column"] == len(good) + 4 + good.index("Wingtip")


def test_a_cut_off_last_character_after_a_utf16_array_is_reported() -> None:
    """The decoder gives the marks of a half character only when told the input ended;
    they are reported after the array's records, not dropped."""
    data = codecs.BOM_UTF16_LE + ("[" + GOOD.decode() + "]").encode("utf-16-le") + b"\x00"
    result = run("check", "--format", "json", "-", stdin=data)
    assert result.code == 2
    results = result.json()["results"]
    assert [r["status"] for r in results] == ["valid", "unreadable"]
    assert results[1]["error"]["message"] == "not valid UTF-16-LE: bytes 00 are not a character"


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_bad_utf16_is_named_by_its_first_code_unit_everywhere(fmt: str) -> None:
    """validate(bytes) and every reader name the same bytes: the first unit that failed."""
    text = GOOD.decode()
    at = text.index("Wingtip")
    bad = codecs.BOM_UTF16_LE + (
        text[:at].encode("utf-16-le") + b"\x00\xdc\x00\xdc" + text[at:].encode("utf-16-le")
    )
    expected = "not valid UTF-16-LE: bytes 00 DC are not a character"
    (violation,) = validate(bad).violations
    assert violation.message.endswith(f"column {at + 1}: {expected}."), violation.message
    result = run("check", "--format", "json", "--input-format", fmt, "-", stdin=bad)
    (entry,) = result.json()["results"]
    assert entry["error"]["message"] == expected
    assert entry["error"]["column"] == at + 1


def test_the_file_reader_reads_after_a_utf8_mark_as_validate_does() -> None:
    """A mark followed by bytes that look like unmarked UTF-32 is read once, by the same
    rules, whether the bytes come from a file or from validate()."""
    data = codecs.BOM_UTF8 + b"\x01\x00\x00\x00"
    (violation,) = validate(data).violations
    result = run("check", "--format", "json", "-", stdin=data)
    (entry,) = result.json()["results"]
    assert f": {entry['error']['message']}." in violation.message, (violation, entry)


def test_an_array_element_longer_than_the_record_limit_says_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pc_validate import records

    monkeypatch.setattr(records, "MAX_RECORD_CHARS", 3 * 1024 * 1024)
    huge = with_email(b'"' + b"x" * (5 * 1024 * 1024) + b'"')
    result = run("check", "--format", "json", "-", stdin=b"[" + GOOD + b"," + huge + b"]")
    assert result.code == 2
    results = result.json()["results"]
    assert [r["status"] for r in results] == ["valid", "unreadable"]
    assert "longer than 3,145,728 characters" in results[1]["error"]["message"]


def test_undecodable_cells_spoil_only_their_csv_row() -> None:
    """In a file that is UTF-8 (its first letter beyond ASCII is), a byte that is not."""
    header = b"billingProfile.email,billingProfile.companyName\n"
    data = header + b"a@b.co,Z\xc3\xbcrich AG\nc@d.co,Fab\xffrikam\ne@f.co,Wingtip\n"
    result = run("check", "--format", "json", "--input-format", "csv", "-", stdin=data)
    results = result.json()["results"]
    assert [r["status"] for r in results] == ["invalid", "unreadable", "invalid"]
    assert results[1]["error"]["message"] == (
        "not valid UTF-8: byte 0xff cannot start or continue a character (cell 2)"
    )
    assert results[1]["row"] == 3


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "json"])
def test_utf16_without_a_mark_is_named_in_every_format(fmt: str) -> None:
    data = "billingProfile.email\na@b.co\n".encode("utf-16-le")
    result = run("check", "--format", "json", "--input-format", fmt, "-", stdin=data)
    assert result.code == 2
    (entry,) = result.json()["results"]
    assert "looks like UTF-16 (little-endian)" in entry["error"]["message"]


# --- inputs as exports are (issue 11): CSV, JSON Lines and documents over the limit, -------
# --- workbooks, globs, Python values ---------------------------------------------------------

CSV_HEAD = b"billingProfile.email,billingProfile.companyName,billingProfile.defaultAddress.city\n"


def _rows(result: Run) -> list[tuple[Any, Any, str]]:
    return [(r["row"], r["line"], r["status"]) for r in result.json()["results"]]


def test_csv_stray_quote(tmp_path: Path) -> None:
    """A quote that opens a cell and never closes it swallowed the rest of the file (every
    later customer unchecked and uncounted); now only its row is lost."""
    path = tmp_path / "crm.csv"
    path.write_bytes(
        CSV_HEAD
        + b"a@b.co,Contoso,Redmond\n"
        + b'c@d.co,"Fabrikam,Seattle\n'
        + b"e@f.co,Wingtip,Bonn\n"
        + b"g@h.co,Tailspin,Paris\n"
    )
    result = run("check", "--format", "json", path)
    assert result.code == 2
    assert _rows(result) == [(2, 2, "invalid"), (3, 3, "unreadable"), (4, 4, "invalid"),
                             (5, 5, "invalid")]  # fmt: skip
    message = "a quoted cell in this row never closes: the file ends before its closing quote"
    assert result.json()["results"][1]["error"] == {"message": message, "line": 3, "column": None}
    assert result.err == f"pc-validate: {path}:3: {message}\n"


def test_csv_stray_quote_closed_by_a_later_one(tmp_path: Path) -> None:
    """A stray quote that a later cell's quote "closes" is a syntax error there; the rows
    it ran over are read again from the next whole row on."""
    path = tmp_path / "crm.csv"
    path.write_bytes(
        CSV_HEAD
        + b'c@d.co,"Fabrikam,Seattle\n'
        + b"e@f.co,Wingtip,Bonn\n"
        + b'g@h.co,"Tail"spin,Paris\n'
        + b"i@j.co,Contoso,Oslo\n"
    )
    result = run("check", "--format", "json", path)
    assert _rows(result) == [(2, 2, "unreadable"), (3, 3, "invalid"), (4, 4, "unreadable"),
                             (5, 5, "invalid")]  # fmt: skip
    errors = [r["error"]["message"] for r in result.json()["results"] if "error" in r]
    assert errors == [
        "not valid CSV on line 4, inside a quoted cell that runs on from line 2: "
        "',' expected after '\"'",
        "not valid CSV: ',' expected after '\"'",
    ]


def test_csv_huge_cell(tmp_path: Path) -> None:
    """A 1 MB notes cell (the csv module stops at 128 KiB) is read, and the module's limit,
    process-wide, is what it was before and after."""
    import csv

    before = csv.field_size_limit()
    path = tmp_path / "crm.csv"
    notes = b"n" * 1_000_000
    path.write_bytes(b"billingProfile.email,notes\n" + b'a@b.co,"' + notes + b'"\nc@d.co,short\n')
    result = run("check", "--format", "json", path)
    assert result.code == 1
    assert _rows(result) == [(2, 2, "invalid"), (3, 3, "invalid")]
    assert csv.field_size_limit() == before == 131072


def test_csv_row_over_limit(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from pc_validate import records

    monkeypatch.setattr(records, "MAX_RECORD_CHARS", 100_000)
    path = tmp_path / "crm.csv"
    path.write_bytes(CSV_HEAD + b'a@b.co,"' + b"x" * 100_000 + b'",Redmond\ne@f.co,Wingtip,Bonn\n')
    result = run("check", "--format", "json", path)
    assert _rows(result) == [(2, 2, "unreadable"), (3, 3, "invalid")]
    assert result.json()["results"][0]["error"]["message"] == (
        "the row is longer than 100,000 characters, the most pc-validate holds of one record"
    )


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_jsonl_line_over_limit(monkeypatch: pytest.MonkeyPatch, jobs: str) -> None:
    """One JSON Lines line was read whole, without a limit; now a longer line is skipped
    (never held whole) and the next lines are read. With workers (chunks of lines), the line
    and the rest go to the line reader once a line is longer than a chunk holds."""
    from pc_validate import records

    monkeypatch.setattr(records, "MAX_RECORD_CHARS", 3 * 1024 * 1024)
    huge = with_email(b'"' + b"x" * (5 * 1024 * 1024) + b'"')
    data = GOOD + b"\n" + huge + b"\n" + GOOD + b"\n"
    argv = ["check", "--format", "json", "--input-format", "jsonl", "--jobs", jobs, "-"]
    result = run(*argv, stdin=data)
    assert result.code == 2
    results = result.json()["results"]
    assert [(r["line"], r["status"]) for r in results] == [
        (1, "valid"),
        (2, "unreadable"),
        (3, "valid"),
    ]
    assert results[1]["error"] == {
        "message": "the line is longer than 3,145,728 characters, the most pc-validate holds "
        "of one record; it was skipped",
        "line": 2,
        "column": 3 * 1024 * 1024 + 1,
    }


def test_a_json_document_over_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    from pc_validate import records

    monkeypatch.setattr(records, "MAX_RECORD_CHARS", 1000)
    data = b'{"a":\n"' + b"x" * 2000 + b'"}'
    result = run("check", "--format", "json", "-", stdin=data)
    assert result.code == 2
    (entry,) = result.json()["results"]
    assert entry["error"] == {
        "message": "the JSON document is longer than 1,000 characters, the most pc-validate "
        "holds of one record; it was not read",
        "line": 2,
        "column": 1000 - 6 + 1,  # the 1,001st character
    }
    blanks = b" " * 5000  # blanks are characters to hold too, until something else comes
    assert "<stdin>:1:1001: the JSON document is longer" in run("check", "-", stdin=blanks).err


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS and /dev/zero")
def test_dev_zero_ends_with_an_unreadable_record() -> None:
    """An input that never ends (before: all memory) gives one unreadable record, in a real
    process with bounded memory and time, at the real limit."""
    done, peak_kb = _limited_run(["check", "/dev/zero"])
    assert done.returncode == 2, done.stderr
    assert done.stderr.decode() == (
        "pc-validate: /dev/zero:1:67108865: the JSON document is longer than 67,108,864 "
        "characters, the most pc-validate holds of one record; it was not read"
    )
    assert peak_kb * 1024 < 700_000_000, peak_kb


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
@pytest.mark.parametrize(
    ("fmt", "says"),
    [
        ("jsonl", "1:1001: the line is longer than 1,000 characters, the most pc-validate "
                  "holds of one record; no line end follows within as many characters "
                  "again: the rest was not read"),
        ("csv", "1: the header row cannot be read: the row is longer than 1,000 characters, "
                "the most pc-validate holds of one record; no line end follows within as "
                "many characters again: the rest was not read"),
    ],
)  # fmt: skip
def test_dev_zero_as_lines_ends_too(fmt: str, says: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A line that never ends is skipped only as far again as the limit: then the input
    ends (before: read for ever, all memory)."""
    from pc_validate import records

    monkeypatch.setattr(records, "MAX_RECORD_CHARS", 1000)
    result = run("check", "--input-format", fmt, "/dev/zero")
    assert (result.code, result.err) == (2, f"pc-validate: /dev/zero:{says}\n")


def test_xlsx_without_the_extra(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "openpyxl", None)  # import openpyxl -> ImportError
    path = tmp_path / "customers.xlsx"
    path.write_bytes(b"PK\x03\x04" + bytes(40))
    result = run("check", path)
    assert result.code == 2
    assert result.err == (
        f"pc-validate: {path}: reading an Excel workbook needs openpyxl: "
        "pip install 'pc-validate[xlsx]'\n"
    )


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"", "not an Excel workbook: an .xlsx file is a ZIP archive, this is not"),
        (GOOD, "not an Excel workbook: an .xlsx file is a ZIP archive, this is not"),
        (b"PK\x03\x04" + bytes(40), "not an Excel workbook: the ZIP archive cannot be read"),
        (None, "not an Excel workbook that can be read: There is no item named "
               "'[Content_Types].xml' in the archive"),
    ],
    ids=["empty", "json", "broken_zip", "zip_of_text"],
)  # fmt: skip
def test_a_zip_that_is_not_a_workbook(data: bytes | None, says: str, tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    import zipfile

    path = tmp_path / "customers.xlsx"
    if data is None:
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("customers.json", GOOD)
    else:
        path.write_bytes(data)
    for result in (run("check", path), run("check", "--input-format", "xlsx", "-",
                                          stdin=path.read_bytes())):  # fmt: skip
        assert result.code == 2
        assert says in result.err, result.err


def test_a_glob_through_a_symlink_loop(tmp_path: Path) -> None:
    """'dir/**/*.json' followed links to folders: a loop counted one file 41 times, two
    loops never ended. ** now descends through no link, and each file counts once."""
    folder = tmp_path / "exports"
    (folder / "2023").mkdir(parents=True)
    (folder / "a.json").write_bytes(GOOD)
    (folder / "2023" / "b.json").write_bytes(GOOD)
    (folder / "2023" / "up").symlink_to(folder)  # a loop
    (folder / "again").symlink_to(folder / "2023")  # a second way to b.json, and a loop
    (folder / "same.json").symlink_to(folder / "a.json")  # one file, two names
    outcome: list[Run] = []
    worker = threading.Thread(
        target=lambda: outcome.append(run("check", "--format", "json", f"{folder}/**/*.json")),
        daemon=True,
    )
    worker.start()
    worker.join(60)
    assert outcome, "the glob never ended"
    result = outcome[0]
    assert result.code == 0
    assert [r["input"] for r in result.json()["results"]] == [
        str(folder / "2023" / "b.json"),
        str(folder / "a.json"),
    ]


def test_normalize_refuses_a_value_that_contains_itself() -> None:
    from pc_validate import normalize

    body = copy.deepcopy(VALID_US_PAYLOAD)
    body["billingProfile"]["loop"] = body
    with pytest.raises(ValueError, match=re.escape(
        "the value at '/billingProfile/loop' contains itself (it is one of the objects or "
        "arrays around it), so it cannot be a JSON document"
    )):  # fmt: skip
        normalize(body)
    items: list[Any] = [1]
    items.append(items)
    with pytest.raises(PayloadError, match="'/companyProfile/list/1' contains itself"):
        repair({"companyProfile": {"list": items}})
    shared = {"k": "v"}  # one value in two places is no cycle
    assert normalize({"a": shared, "b": shared}).payload == {"a": shared, "b": shared}


def test_normalize_refuses_a_value_10000_deep() -> None:
    from pc_validate import normalize

    deep: dict[str, Any] = {}
    node = deep
    for _ in range(10_000):
        node["a"] = node = {}
    body = copy.deepcopy(VALID_US_PAYLOAD)
    body["companyProfile"]["notes"] = deep
    with pytest.raises(ValueError, match=f"is nested more than {MAX_DEPTH} levels deep"):
        normalize(body)
    # validate() judges it by the fields it knows: an unknown key, a warning
    assert [v.rule for v in validate(body).violations] == ["payload.unknown_key"]
    within = copy.deepcopy(VALID_US_PAYLOAD)
    node = within
    for _ in range(MAX_DEPTH - 1):  # the root and 63 levels below: what parse() reads
        node["x"] = node = {}
    assert normalize(within).payload == within


# --- duplicate keys ---------------------------------------------------------------------------


def test_the_parser_keeps_a_repeated_key_on_record() -> None:
    """json.loads keeps the last value of a repeated key and forgets the others; parse()
    marks the object so the repetition can be reported."""
    payload = parse(_case_duplicate())
    billing = payload["billingProfile"]
    assert isinstance(billing, DuplicateKeys)
    assert billing.repeated == ("email",)
    assert billing["email"] == "not-an-email"
    assert type(payload) is dict  # objects without repetition stay plain
    assert parse('{"a": {"b": 1, "b": 2, "c": 3, "c": 4, "b": 5}}')["a"].repeated == ("b", "c")


def test_a_key_sent_twice_is_reported_by_validate() -> None:
    report = validate(_case_duplicate())
    assert any(
        v.code == "ambiguous_field" and v.path == EMAIL_PATH and v.severity == "warning"
        for v in report.violations
    ), report.violations


def test_a_key_sent_twice_is_reported_by_the_command() -> None:
    doc = run("check", "--format", "json", "-", stdin=_case_duplicate()).json()
    rules = {(v["rule"], v["path"]) for v in doc["results"][0]["violations"]}
    assert ("payload.ambiguous_key", EMAIL_PATH) in rules


def test_fix_does_not_silently_drop_a_repeated_key() -> None:
    """fix writes the text back as it was: both copies stay, and stderr says so."""
    result = run("fix", "-", stdin=_case_duplicate())
    assert (
        f"{EMAIL_PATH}: the key is sent more than once (payload.ambiguous_key); every copy "
        "is kept as it was" in result.err
    )
    assert result.out == _case_duplicate().decode()


def test_repair_names_the_keys_it_writes_once() -> None:
    """The Python API says what writing the repaired body back collapses: only keys sent
    more than once, not keys that differ in case (both are kept)."""
    assert repair(_case_duplicate()).collapsed == (EMAIL_PATH,)
    assert repair(_case_other_case()).collapsed == ()
    assert repair(parse(_case_duplicate())).collapsed == (EMAIL_PATH,)
    assert repair(json.loads(_case_duplicate())).collapsed == ()  # json.loads forgot them


# --- the heaviest, in a real process with bounded memory and time ------------------------------

#: Address space allowed to the command (and its worker processes, each).
MEMORY_LIMIT = 1_500_000_000


def _limited_run(argv: list[str]) -> tuple[subprocess.CompletedProcess[bytes], int]:
    """Run `python -m pc_validate argv` under MEMORY_LIMIT and a time-out; its peak resident
    memory in kB (Linux), measured by a parent that runs nothing else."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))

    return peak_rss_kb([*COMMAND, *argv], preexec_fn=limit, env=_child_env(), timeout=120)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS and ru_maxrss (kB)")
def test_the_heaviest_inputs_in_bounded_memory(tmp_path: Path) -> None:
    """A 50 MB string (as one body, as an element of a JSON array, as a JSON Lines record),
    an object with a million keys and 100,000-deep nesting, in one run of the real command."""
    string = "x" * 50_000_000
    big = copy.deepcopy(VALID_US_PAYLOAD)
    big["billingProfile"]["email"] = string
    big_text = json.dumps(big).encode()
    (tmp_path / "string.json").write_bytes(big_text)
    (tmp_path / "array.json").write_bytes(b"[" + GOOD + b"," + big_text + b"," + GOOD + b"]")
    (tmp_path / "records.jsonl").write_bytes(GOOD + b"\n" + big_text + b"\n" + GOOD + b"\n")
    del big, big_text
    unknown = b", ".join(b'"unknown%d": %d' % (i, i) for i in range(1_000_000))
    (tmp_path / "keys.json").write_bytes(GOOD[:-1] + b", " + unknown + b"}")
    del unknown
    (tmp_path / "deep.json").write_bytes(BY_ID["deep_objects_100k"].data())
    names = ["string.json", "array.json", "records.jsonl", "keys.json", "deep.json"]

    done, peak_kb = _limited_run(
        ["check", "--format", "json", *(str(tmp_path / name) for name in names)]
    )
    assert b"Traceback" not in done.stderr and b"MemoryError" not in done.stderr
    assert done.returncode == 2, done.stderr  # deep.json cannot be read
    results = json.loads(done.stdout)["results"]
    by_input: dict[str, list[dict[str, Any]]] = {}
    for result in results:
        by_input.setdefault(Path(result["input"]).name, []).append(result)
    for name in ("string.json", "array.json", "records.jsonl"):
        statuses = [r["status"] for r in by_input[name]]
        assert statuses == (["invalid"] if name == "string.json" else ["valid", "invalid", "valid"])
        bad = by_input[name][0 if name == "string.json" else 1]
        (violation,) = bad["violations"]
        assert violation["rule"] == "billing.email.format"
        assert violation["value"] == "x" * 200 + "…"
        assert len(violation["message"]) < 1000
    (keys_result,) = by_input["keys.json"]
    assert keys_result["status"] == "valid"
    unknown = [v for v in keys_result["violations"] if v["rule"] == "payload.unknown_key"]
    assert len(unknown) == 51 == len(keys_result["violations"])
    assert any("999950 more keys" in v["message"] for v in unknown)
    (deep_result,) = by_input["deep.json"]
    assert DEEP in deep_result["error"]["message"]
    assert (deep_result["error"]["line"], deep_result["error"]["column"]) == (1, 321)
    assert len(done.stdout) < 200_000  # nothing of the 50 MB is repeated
    assert peak_kb * 1024 < MEMORY_LIMIT
    print(f"peak resident memory of the heaviest run: {peak_kb / 1024:.0f} MB")


def test_validate_takes_a_50mb_string_and_a_100000_deep_body() -> None:
    """The library: the same bodies as Python values (parsed elsewhere) and as text."""
    body = copy.deepcopy(VALID_US_PAYLOAD)
    body["billingProfile"]["companyName"] = "y" * 50_000_000
    report = validate(body)
    assert [v.rule for v in report.violations] == ["billing.company_name.policy"]
    assert len(report.to_json()) < 10_000
    deep: dict[str, Any] = {}
    node = deep
    for _ in range(100_000):
        node["a"] = node = {}
    body = copy.deepcopy(VALID_US_PAYLOAD)
    body["billingProfile"]["defaultAddress"]["addressLine2"] = deep
    report = validate(body)
    assert [v.rule for v in report.violations] == ["payload.type"]
    with pytest.raises(PayloadError, match=DEEP):
        parse(BY_ID["deep_objects_100k"].data())


# --- the catalogue in the docstring -----------------------------------------------------------


def test_the_catalogue_below_is_complete() -> None:
    """Every case is in the module docstring's table with its exit status, and every input
    the table names is a case or one of the named tests above."""
    assert __doc__ is not None
    rows = {}
    for line in __doc__.splitlines():
        found = re.match(r"^(\S.*?)\s{2,}([012])\s{2,}\S", line)
        if found and not line.startswith("="):
            for name in found.group(1).split(","):
                rows[name.split(" (")[0].strip()] = int(found.group(2))
    for case in CATALOGUE:
        assert rows.get(case.id) == case.exit, case.id
    extra = set(rows) - set(BY_ID) - HEAVY
    assert extra == {
        "a directory",
        "a missing file",
        "a symlink loop",
        "/dev/null",
        "empty stdin",
        "closed stdin",
        "a FIFO",
        "/dev/zero",
        "jsonl_line_over_limit",
        "csv_stray_quote",
        "csv_huge_cell",
        "csv_row_over_limit",
        "xlsx without the extra",
        "a ZIP that is not a workbook",
        "a glob through a symlink loop",
        "fix --in-place via a symlink",
        "fix --in-place on a FIFO",
        "fix --in-place on a hard link",
        "fix --in-place on a 0444 file",
        "fix on UTF-16 or a BOM",
    }, extra
    fixed = {name for name in extra if name.startswith("fix ")}  # tests/test_fix_file.py
    for name in extra - fixed - {"/dev/zero", "a FIFO", "empty stdin", "closed stdin"}:
        test = "test_" + re.sub(r"\W+", "_", name.lower()).strip("_")
        assert test in globals() or name.startswith(("a ", "/")), test
