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

- ``\d``, ``\w``, ``\s`` and ``\b`` are ASCII-only in RE2 and Unicode in ``re``: in a user
  pattern ``\d`` is ``[0-9]`` and does not match "٣" (ARABIC-INDIC DIGIT THREE), which it
  matches in a bundled one (which of the two digits mean is a project-wide decision still
  open); ``\p{L}``, ``\p{Nd}`` name Unicode classes in RE2;
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
from typing import Any, NamedTuple, Protocol

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
