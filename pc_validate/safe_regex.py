r"""Compiling the regular expressions of rule files: a user's on RE2, the bundled ones on ``re``.

Python's ``re`` backtracks, so some patterns take it exponential or polynomial time on a
long value that does not match (``(a+)+$``, ``\d+\d+$``). Rule files given with ``--rules``
are untrusted, so every pattern they hold (rule parameters of kind ``regex``, a market's
``postal_pattern``) runs on RE2 (PyPI ``google-re2``), which matches in time linear in the
value by construction, whatever the pattern. The bundled rule files and cloud overlays are
reviewed data and stay on ``re``, which is some twenty times quicker a match; ``re2`` is
imported only when a user file has a pattern, so a run with the bundled rules never loads it.

RE2 is not ``re``. A pattern it cannot run is refused with its reason: backreferences
(``\1``, ``(?P=name)``), lookarounds (``(?=``, ``(?!``, ``(?<=``, ``(?<!``), possessive and
atomic repetitions (``a++``, ``(?>...)``), conditionals, ``\Z`` (write ``$`` or ``\z``),
``\u`` escapes (write ``\x{...}``), verbose mode and more than 1000 copies in a counted
repetition. What both accept means the same, except:

- ``\d`` and ``\D`` mean the same in both: ``\d`` is any Unicode decimal digit (category
  Nd: "٣" ARABIC-INDIC DIGIT THREE, U+FF13 FULLWIDTH DIGIT THREE), as in ``re`` and in .NET,
  whose ``\d`` Partner Center's own patterns use; RE2 reads ``\d`` as ``[0-9]``, so a user
  pattern's ``\d`` and ``\D`` are rewritten, before RE2 compiles it, as classes of exactly the
  code points ``re`` takes for digits (:func:`re2_source`). Write ``[0-9]`` for ASCII digits
  only, in either kind of file. ``\p{Nd}`` (RE2 only) is RE2's own Unicode table, which may
  be newer than this Python's;
- ``\w``, ``\s`` and ``\b`` are ASCII-only in RE2 and Unicode in ``re``: in a user pattern
  ``\w`` does not match "é"; ``\p{L}`` names the Unicode letters in RE2;
- ``{,n}`` (0 to n copies) and ``{,}`` (any number) are repetitions in ``re`` but literal
  text in RE2, so a user pattern with one is refused (write ``{0,n}``, ``*``);
- ``$`` is the end of the value in RE2; in ``re`` also the place before a final newline
  (which only matters where the pattern goes on to match that newline);
- a lone surrogate in a value (what an undecodable byte becomes) is matched as U+FFFD.

Patterns are matched in full (:meth:`Matcher.fullmatch`); ``ignore_case`` folds case in
either engine. Compiling one pattern is bounded by RE2's memory limit (8 MB), but not the
number of patterns a file holds, so the user patterns of one rule set may have RE2 programs
of USER_PROGRAM_SIZE instructions together (:class:`PatternBudget`).
"""

from __future__ import annotations

import functools
import re
import sys
import unicodedata
from collections.abc import Sequence
from typing import Any, Final, NamedTuple, Protocol

from pc_validate.excerpt import clipped, quoted

#: The RE2 program size (instructions) the user patterns of one rule set may have together:
#: 400 times all the bundled patterns (about 2,500), about a second of compiling.
USER_PROGRAM_SIZE = 1_000_000


class UnsafePattern(ValueError):
    """A rule-file pattern that cannot be used."""


class Matcher(Protocol):
    """What the check kinds use of a compiled pattern (``re.Pattern`` is one)."""

    @property
    def pattern(self) -> str: ...

    def fullmatch(self, string: str, /) -> Any: ...


class RulePattern(NamedTuple):
    """A pattern as a rule file gives it; `user`: from a user rule file, so it runs on RE2."""

    source: str
    user: bool = False

    def compile(self, *, ignore_case: bool = False) -> Matcher:
        """The pattern compiled (remembered), or UnsafePattern saying why it cannot be."""
        return compile_pattern(self.source, user=self.user, ignore_case=ignore_case)


@functools.lru_cache(maxsize=256)
def compile_pattern(source: str, *, user: bool, ignore_case: bool = False) -> Matcher:
    """Compile a rule-file pattern: with RE2 when `user` gave it, else with ``re``."""
    if user:
        return _Re2Pattern(source, ignore_case)
    try:
        return re.compile(source, re.IGNORECASE if ignore_case else 0)
    except re.error as exc:
        raise UnsafePattern(f"not a valid regular expression: {clipped(str(exc))}") from None
    except RecursionError:
        raise UnsafePattern("not a valid regular expression: nested too deeply") from None


class PatternBudget:
    """Checks the patterns of one rule set as it loads, holding its user patterns' RE2
    programs to USER_PROGRAM_SIZE instructions together."""

    def __init__(self, size: int = USER_PROGRAM_SIZE) -> None:
        self.size = size
        self.left = size

    def checked(self, source: str, *, user: bool, ignore_case: bool = False) -> RulePattern:
        """The pattern, once it has compiled (UnsafePattern says why it does not)."""
        pattern = RulePattern(source, user)
        compiled = pattern.compile(ignore_case=ignore_case)
        if isinstance(compiled, _Re2Pattern):
            self.left -= compiled.program_size
            if self.left < 0:
                raise UnsafePattern(
                    f"with this one, the patterns of the user rule files compile to RE2 "
                    f"programs of more than {self.size:,} instructions together (this one: "
                    f"{compiled.program_size:,}); write fewer or smaller patterns"
                )
        return pattern


#: How RE2's error begins for what it lacks: what the refusal names, what to write instead.
_UNSUPPORTED = (
    (tuple(f"invalid escape sequence: \\{n}" for n in range(1, 10)), "backreferences", ""),
    (("invalid escape sequence: \\k", "invalid escape sequence: \\g"), "backreferences", ""),
    (("invalid perl operator: (?P", "invalid perl operator: (?&"), "named backreferences", ""),
    (("invalid perl operator: (?=", "invalid perl operator: (?!"), "lookarounds", ""),
    (("invalid perl operator: (?<=", "invalid perl operator: (?<!"), "lookarounds", ""),
    (("invalid perl operator: (?>",), "atomic groups", ""),
    (("invalid perl operator: (?(",), "conditionals", ""),
    (("invalid perl operator: (?R",), "recursion", ""),
    (("invalid escape sequence: \\Z",), "\\Z", "write $ or \\z"),
    (
        ("invalid escape sequence: \\u", "invalid escape sequence: \\U"),
        "\\u escapes",
        "write \\x{...}",
    ),
    (("invalid perl operator: (?x",), "verbose mode", ""),
    (("invalid perl operator: (?#",), "comments", ""),
    (("invalid repetition size",), "counted repetitions of more than 1000 copies", ""),
    (("pattern too large",), "room for a pattern this large", ""),
)
#: ``{,n}`` and ``{,}`` (re compiles and caches it on first use)
_UP_TO = r"\{,\d*\}"
_SURROGATES = "[\ud800-\udfff]"
#: A POSIX class inside a class (RE2): ``[[:digit:]]``
_POSIX_CLASS: Final = re.compile(r"\[:\^?[A-Za-z]+:\]")

#: What ``\d`` matches in ``re`` under Unicode 14.0 (Python 3.11): the runs of decimal digits
#: (category Nd), first and last code point. tests/test_safe_regex.py compares it with ``re``.
_DIGITS_UNICODE: Final = "14.0.0"
_DIGITS: Final = (
    (0x30, 0x39), (0x660, 0x669), (0x6F0, 0x6F9), (0x7C0, 0x7C9), (0x966, 0x96F),
    (0x9E6, 0x9EF), (0xA66, 0xA6F), (0xAE6, 0xAEF), (0xB66, 0xB6F), (0xBE6, 0xBEF),
    (0xC66, 0xC6F), (0xCE6, 0xCEF), (0xD66, 0xD6F), (0xDE6, 0xDEF), (0xE50, 0xE59),
    (0xED0, 0xED9), (0xF20, 0xF29), (0x1040, 0x1049), (0x1090, 0x1099), (0x17E0, 0x17E9),
    (0x1810, 0x1819), (0x1946, 0x194F), (0x19D0, 0x19D9), (0x1A80, 0x1A89), (0x1A90, 0x1A99),
    (0x1B50, 0x1B59), (0x1BB0, 0x1BB9), (0x1C40, 0x1C49), (0x1C50, 0x1C59), (0xA620, 0xA629),
    (0xA8D0, 0xA8D9), (0xA900, 0xA909), (0xA9D0, 0xA9D9), (0xA9F0, 0xA9F9), (0xAA50, 0xAA59),
    (0xABF0, 0xABF9), (0xFF10, 0xFF19), (0x104A0, 0x104A9), (0x10D30, 0x10D39),
    (0x11066, 0x1106F), (0x110F0, 0x110F9), (0x11136, 0x1113F), (0x111D0, 0x111D9),
    (0x112F0, 0x112F9), (0x11450, 0x11459), (0x114D0, 0x114D9), (0x11650, 0x11659),
    (0x116C0, 0x116C9), (0x11730, 0x11739), (0x118E0, 0x118E9), (0x11950, 0x11959),
    (0x11C50, 0x11C59), (0x11D50, 0x11D59), (0x11DA0, 0x11DA9), (0x16A60, 0x16A69),
    (0x16AC0, 0x16AC9), (0x16B50, 0x16B59), (0x1D7CE, 0x1D7FF), (0x1E140, 0x1E149),
    (0x1E2F0, 0x1E2F9), (0x1E950, 0x1E959), (0x1FBF0, 0x1FBF9),
)  # fmt: skip


@functools.cache
def decimal_digits() -> tuple[tuple[int, int], ...]:
    r"""The runs of code points (first, last) that ``\d`` matches in ``re``: the table above,
    or, under a Python of another Unicode version, found by asking ``re`` (some 60 ms)."""
    if unicodedata.unidata_version == _DIGITS_UNICODE:
        return _DIGITS
    return scan_decimal_digits()


def scan_decimal_digits() -> tuple[tuple[int, int], ...]:
    r"""The runs of code points that ``\d`` matches in ``re``, asked of every code point."""
    every = "".join(map(chr, range(0xD800))) + "".join(map(chr, range(0xE000, sys.maxunicode + 1)))

    def code_point(index: int) -> int:
        return index + 0x800 if index >= 0xD800 else index  # the surrogates are left out

    return tuple(
        (code_point(found.start()), code_point(found.end() - 1))
        for found in re.finditer(r"\d+", every)
    )


@functools.cache
def _re2_digit_classes() -> tuple[str, str]:
    """The members of an RE2 class of ``re``'s digits, and of one of every other code point
    (surrogates aside: RE2 sees U+FFFD for a lone one, as a non-digit)."""
    digits = decimal_digits()
    others, start = [], 0
    for first, last in sorted([*digits, (0xD800, 0xDFFF)]):
        if start < first:
            others.append((start, first - 1))
        start = last + 1
    others.append((start, sys.maxunicode))
    return _re2_members(digits), _re2_members(others)


def _re2_members(runs: Sequence[tuple[int, int]]) -> str:
    return "".join(
        f"\\x{{{first:X}}}" + ("" if first == last else f"-\\x{{{last:X}}}") for first, last in runs
    )


def re2_source(source: str) -> str:
    r"""`source` with each ``\d`` and ``\D`` (outside ``\Q...\E``) written as an RE2 class of
    exactly what ``re`` takes for a digit and a non-digit; `source` itself when it has none."""
    if "\\d" not in source and "\\D" not in source:
        return source
    digits, others = _re2_digit_classes()
    return rewrite_digit_escapes(
        source,
        digit=(f"[{digits}]", digits),
        non_digit=(f"[^{digits}]", others),
    )


def rewrite_digit_escapes(
    source: str, *, digit: tuple[str, str], non_digit: tuple[str, str] | None
) -> str:
    r"""`source` with each ``\d`` written as ``digit[0]`` outside a class and ``digit[1]``
    inside one, and each ``\D`` as `non_digit`'s (ValueError if None and there is one).
    Escaped backslashes, ``\Q...\E`` and POSIX classes (``[[:digit:]]``) are skipped."""
    out: list[str] = []
    index, in_class, first_member = 0, False, 0
    while index < len(source):
        char = source[index]
        if char == "\\":
            escaped = source[index + 1 : index + 2]
            if escaped in ("d", "D"):
                written = digit if escaped == "d" else non_digit
                if written is None:
                    raise ValueError(f"{source!r} has \\D, which is not to be rewritten")
                out.append(written[1] if in_class else written[0])
            elif escaped == "Q" and not in_class:
                end = source.find("\\E", index + 2)
                end = len(source) if end < 0 else end + 2
                out.append(source[index:end])
                index = end
                continue
            else:
                out.append(source[index : index + 2])
            index += 2
            continue
        if in_class:
            posix = _POSIX_CLASS.match(source, index)
            if posix:
                out.append(posix.group())
                index = posix.end()
                continue
            in_class = char != "]" or index == first_member  # "[]...]": "]" is a member
        elif char == "[":
            in_class = True
            first_member = index + (2 if source.startswith("^", index + 1) else 1)
        out.append(char)
        index += 1
    return "".join(out)


class _Re2Pattern:
    """A user pattern compiled by RE2, matched in full."""

    __slots__ = ("_compiled", "ignore_case", "pattern", "program_size")

    def __init__(self, source: str, ignore_case: bool) -> None:
        import re2  # only for user patterns: a run with the bundled rules never loads it

        self.pattern = source
        self.ignore_case = ignore_case
        _refuse_python_only(source)
        options = re2.Options()
        options.log_errors = False  # the reason is raised, not printed on stderr
        options.case_sensitive = not ignore_case
        try:
            self._compiled: Any = re2.compile(source, options)
        except re2.error as exc:
            raise UnsafePattern(_re2_reason(exc)) from None
        rewritten = re2_source(source)
        if rewritten != source:  # the user's own text was checked first, for its errors
            try:
                self._compiled = re2.compile(rewritten, options)
            except re2.error as exc:
                raise UnsafePattern(
                    f"{_re2_reason(exc)}; here \\d stands for every Unicode decimal digit "
                    "(write [0-9] for the ASCII ones)"
                ) from None
        self.program_size: int = self._compiled.programsize

    def fullmatch(self, string: str, /) -> Any:
        try:
            return self._compiled.fullmatch(string)
        except UnicodeEncodeError:  # lone surrogates: RE2 reads UTF-8
            return self._compiled.fullmatch(re.sub(_SURROGATES, "\ufffd", string))

    def __reduce__(self) -> tuple[Any, ...]:
        return (_Re2Pattern, (self.pattern, self.ignore_case))


def _refuse_python_only(source: str) -> None:
    """Refuse what both engines accept but RE2 reads otherwise (see the module docstring)."""
    found = _up_to(source)
    if found is not None:
        instead = "{0," + found[2:]
        raise UnsafePattern(
            f"{quoted(found)} repeats from 0 in Python but is literal text in RE2, which runs "
            f"the patterns of user rule files: write {quoted(instead)}"
        )


def _up_to(source: str) -> str | None:
    """The first ``{,n}`` or ``{,}`` outside a character class, or None."""
    index, in_class, first_member = 0, False, 0
    while index < len(source):
        char = source[index]
        if char == "\\":
            index += 2
            continue
        if in_class:
            in_class = char != "]" or index == first_member  # "[]...]": "]" is a member
        elif char == "[":
            in_class = True
            first_member = index + (2 if source.startswith("^", index + 1) else 1)
        elif char == "{":
            found = re.compile(_UP_TO).match(source, index)
            if found:
                return found.group()
        index += 1
    return None


def _re2_reason(exc: Exception) -> str:
    raw = exc.args[0] if exc.args else str(exc)
    error = clipped(raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw))
    lacks, instead = _lacking(error)
    if not lacks:
        return f"not a valid regular expression (RE2 says: {error})"
    advice = f"; {instead}" if instead else ""
    return (
        f"RE2, which runs the patterns of user rule files, has no {lacks}{advice} "
        f"(RE2 says: {error})"
    )


def _lacking(error: str) -> tuple[str, str]:
    """What RE2 lacks, by its error, and what to write instead; ("", "") for a plain error."""
    if error.startswith("bad repetition operator: ") and error.endswith("+"):
        return "possessive repetitions", ""
    for starts, lacks, instead in _UNSUPPORTED:
        if error.startswith(starts):
            return lacks, instead
    return "", ""
