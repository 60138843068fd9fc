"""The one result model: violations, a report per payload, and the JSON report document.

Every renderer (text, JSON, ...) works from these objects; the JSON document's shape is
published as ``schemas/report.schema.json`` and is the same for one input or many.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import MISSING as MISSING_FIELD
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from typing import TYPE_CHECKING, Any, Final

from pc_validate import __version__
from pc_validate.excerpt import clipped
from pc_validate.model import MISSING, SEVERITY_RANK, STATUSES, Severity, Status

if TYPE_CHECKING:
    from pc_validate.documents import (
        CountsDocument,
        ReportDocument,
        ResultDocument,
        SummaryDocument,
        ViolationDocument,
    )

#: The report format's version (docs/architecture.md, "Report versioning"); the documents'
#: models (pc_validate.documents) say the same.
REPORT_FORMAT: Final = "1.2"
#: In a Python str every surrogate code point is a lone one (json.loads joins escaped pairs).
_SURROGATE = re.compile("[\ud800-\udfff]")
#: Characters that would act on a terminal or hide text from the person reading it: every
#: character of Unicode category Cc, Cf, Zl or Zp (Unicode 14, tests/test_display.py keeps it
#: complete). The C0 and C1 controls and DEL (ESC starts a sequence that clears the screen,
#: hides text, sets the title or makes a hyperlink; CR overwrites a line; U+009B is a CSI of
#: its own), the bidi embeddings, overrides, isolates and marks that reorder text, the
#: zero-width and other invisible format characters (U+200B-U+200F, U+2060-U+2064, U+FEFF,
#: the tag characters), and the line and paragraph separators U+2028/U+2029.
_FORMAT_CHARACTERS = (
    "\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e"
    "\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U00013438\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f"
)
_UNSHOWABLE = re.compile(f"[\x00-\x1f\x7f-\x9f{_FORMAT_CHARACTERS}\ud800-\udfff]")
#: What dumps() escapes beyond JSON's own escapes (C0, quote, backslash), and lone surrogates.
_UNSHOWABLE_IN_JSON = re.compile(f"[\x7f-\x9f{_FORMAT_CHARACTERS}\ud800-\udfff]")
#: Echoed string values are cut to this many code points (the message says the length).
ECHO_LIMIT: Final = 200
#: Integers wider than this are not repeated in reports.
_INT_BITS: Final = 256


def zero_counts() -> CountsDocument:
    """Violations by severity, none yet: the `counts` of a result and a summary."""
    return {"error": 0, "warning": 0, "info": 0}


def writable(text: str) -> str:
    """Text that can be written as UTF-8: lone surrogates become U+FFFD."""
    if text.isascii():
        return text
    return _SURROGATE.sub("\ufffd", text)


def _escape(found: re.Match[str]) -> str:
    code = ord(found.group())
    if 0xD800 <= code <= 0xDFFF:
        return "\ufffd"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def printable(text: str) -> str:
    """Text fit to show a person: what would act on a terminal or hide text (see
    _UNSHOWABLE: controls, line breaks included, bidi and zero-width characters) is shown
    escaped, ESC as ``\\u001b`` (as Python writes it: ``\\U000e0041`` beyond U+FFFF); lone
    surrogates become U+FFFD. The one function every
    human-facing writer (text report, stderr, messages) passes payload text through."""
    if text.isprintable():  # str.isprintable is false for every character escaped here
        return text
    return _UNSHOWABLE.sub(_escape, text)


def printable_pointer(pointer: str) -> str:
    """A JSON Pointer as a person reads it: each token cut like an echoed value (a key can be
    megabytes long), then made printable."""
    if len(pointer) > ECHO_LIMIT:
        pointer = "/".join(clipped(token, ECHO_LIMIT) for token in pointer.split("/"))
    return printable(pointer)


def echo(value: Any) -> Any:
    """The form of a payload value that a report repeats (MISSING: not repeated at all)."""
    if isinstance(value, str):
        return clipped(writable(value), ECHO_LIMIT)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > _INT_BITS:
        return MISSING  # too long to repeat (and beyond what Python will turn into text)
    if value is None or isinstance(value, bool | int | float):
        return value
    return MISSING


def clean(value: Any) -> Any:
    """A params or suggestion value fit for a report: text made writable and cut to length."""
    if isinstance(value, str):
        return echo(value)
    if isinstance(value, list | tuple):
        return [clean(item) for item in value]
    if isinstance(value, dict):
        return {key: clean(item) for key, item in value.items()}
    return value


@dataclass(frozen=True, slots=True)
class Violation:
    """One problem found in a payload (fields as in docs/architecture.md, "Contracts kept")."""

    rule: str
    code: str
    severity: Severity
    path: str
    message: str
    source: str
    params: Mapping[str, Any] = field(default_factory=dict)
    value: Any = MISSING
    suggestion: Any = None
    partner_center_error: int | None = None

    def to_dict(self) -> ViolationDocument:
        data: ViolationDocument = {  # type: ignore[typeddict-item]  # the rest follows in order
            "rule": self.rule,
            "code": self.code,
            "severity": self.severity,
            "path": self.path,
            "message": self.message,
            "params": dict(self.params),
        }
        if self.value is not MISSING:
            data["value"] = self.value
        data["suggestion"] = self.suggestion
        data["partner_center_error"] = self.partner_center_error
        data["source"] = self.source
        return data


def _violation_maker() -> Callable[..., Violation]:
    """A function that makes a Violation as `Violation(...)` does, keyword for keyword, but
    sets its slots through their descriptors: a frozen dataclass's __init__ sets each field
    through object.__setattr__, which costs more than all the rest of writing a violation.
    Generated from the dataclass's own fields and defaults, so it stays in step with them;
    tests/test_fast_paths.py holds the two equal."""
    made = dataclass_fields(Violation)
    names: dict[str, Any] = {"new": object.__new__, "Violation": Violation, "FACTORY": _FACTORY}
    params, body = [], []
    for n, item in enumerate(made):
        names[f"set{n}"] = getattr(Violation, item.name).__set__
        if item.default is not MISSING_FIELD:
            names[f"default{n}"] = item.default
            params.append(f"{item.name}=default{n}")
        elif item.default_factory is not MISSING_FIELD:
            names[f"factory{n}"] = item.default_factory
            params.append(f"{item.name}=FACTORY")
            body.append(f"    if {item.name} is FACTORY: {item.name} = factory{n}()")
        else:
            params.append(item.name)
        body.append(f"    set{n}(made, {item.name})")
    source = "\n".join(
        [
            f"def make(*, {', '.join(params)}):",
            "    made = new(Violation)",
            *body,
            "    return made",
        ]
    )
    exec(compile(source, "<pc_validate violation>", "exec"), names)
    maker: Callable[..., Violation] = names["make"]
    return maker


_FACTORY: Final = object()
#: Violation(...), made faster (see _violation_maker): the engine writes violations with it.
new_violation: Final = _violation_maker()


def _counts(violations: Iterable[Violation]) -> CountsDocument:
    counts = zero_counts()
    for violation in violations:
        counts[violation.severity] += 1
    return counts


@dataclass(frozen=True, slots=True)
class Report:
    """The result of validating one payload."""

    violations: tuple[Violation, ...]
    #: the language of the messages, a BCP 47 tag ("en", "de", "pt-BR")
    language: str = "en"

    @property
    def ok(self) -> bool:
        """True when no violation has error severity (Partner Center would accept the body)."""
        return not any(v.severity == "error" for v in self.violations)

    @property
    def errors(self) -> list[Violation]:
        return [v for v in self.violations if v.severity == "error"]

    @property
    def warnings(self) -> list[Violation]:
        return [v for v in self.violations if v.severity == "warning"]

    def worst(self) -> int:
        """Rank of the most severe violation (-1 when there is none)."""
        return max((SEVERITY_RANK[v.severity] for v in self.violations), default=-1)

    def result_dict(
        self,
        input_name: str | None = None,
        record: int = 0,
        line: int | None = None,
        row: int | None = None,
    ) -> ResultDocument:
        """This report as one entry of a JSON report's `results`."""
        return {
            "input": input_name,
            "record": record,
            "line": line,
            "row": row,
            "status": "valid" if self.ok else "invalid",
            "ok": self.ok,
            "counts": _counts(self.violations),
            "violations": [v.to_dict() for v in self.violations],
        }

    def to_dict(self) -> ReportDocument:
        """The JSON report document for this one payload."""
        return document([self.result_dict()], language=self.language)

    def to_json(self, indent: int | None = 2) -> str:
        return dumps(self.to_dict(), indent=indent)


def unreadable_result(
    input_name: str | None,
    message: str,
    line: int | None = None,
    column: int | None = None,
    record: int = 0,
    *,
    record_line: int | None = None,
    row: int | None = None,
    status: Status = "unreadable",
) -> ResultDocument:
    """A JSON report entry for an input or record that could not be read or parsed
    (status "unreadable") or whose validation failed (status "not_validated")."""
    return {
        "input": input_name,
        "record": record,
        "line": record_line,
        "row": row,
        "status": status,
        "ok": False,
        "counts": zero_counts(),
        "violations": [],
        "error": {"message": printable(message), "line": line, "column": column},
    }


class Summary:
    """Totals over a run's results, counted as they go by (also those left out of the
    output, such as valid records under --only-invalid)."""

    def __init__(self, inputs: int | None = None) -> None:
        self.inputs = inputs
        self.statuses: dict[str, int] = dict.fromkeys(STATUSES, 0)
        self.totals = zero_counts()

    def add(self, status: str, counts: CountsDocument) -> None:
        self.add_counts(status, (counts["error"], counts["warning"], counts["info"]))

    def add_counts(self, status: str, counts: tuple[int, int, int]) -> None:
        """add() with the counts as (errors, warnings, infos): the bulk run's per-record path."""
        self.statuses[status] += 1
        if counts != (0, 0, 0):
            totals = self.totals
            totals["error"] += counts[0]
            totals["warning"] += counts[1]
            totals["info"] += counts[2]

    def add_statuses(self, statuses: Sequence[int], totals: Sequence[int]) -> None:
        """Many records at once: how many had each status (in STATUSES order), and their
        violations by severity (errors, warnings, infos)."""
        for status, count in zip(STATUSES, statuses, strict=True):
            self.statuses[status] += count
        for severity, count in zip(("error", "warning", "info"), totals, strict=True):
            self.totals[severity] += count  # type: ignore[literal-required]

    @property
    def records(self) -> int:
        return sum(self.statuses.values())

    def to_dict(self) -> SummaryDocument:
        inputs = self.records if self.inputs is None else self.inputs
        statuses = self.statuses
        return {
            "inputs": inputs,
            "records": self.records,
            "valid": statuses["valid"],
            "invalid": statuses["invalid"],
            "unreadable": statuses["unreadable"],
            "not_validated": statuses["not_validated"],
            "violations": self.totals.copy(),
        }


def document(
    results: Sequence[ResultDocument], summary: Summary | None = None, language: str = "en"
) -> ReportDocument:
    """The JSON report: format version, tool, the language of its messages, per-record
    results and a summary."""
    if summary is None:
        summary = Summary()
        for result in results:
            summary.add(result["status"], result["counts"])
    return {
        "version": REPORT_FORMAT,
        "tool": {"name": "pc-validate", "version": __version__},
        "language": language,
        "results": list(results),
        "summary": summary.to_dict(),
    }


def _json_escape(found: re.Match[str]) -> str:
    code = ord(found.group())
    if code > 0xFFFF:  # a JSON escape names a UTF-16 code unit: the surrogate pair
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def dumps(data: Any, indent: int | None = 2) -> str:
    """Serialise a report deterministically (keys in contract order).

    Non-ASCII text is written as is, except what would act on a terminal or hide text
    (controls, bidi and zero-width characters: see printable) and lone surrogates: those are
    written as JSON escapes ("\\u202e"), so the document reads back exactly as the data (a
    key sent as "\\ud800" is named exactly in its JSON Pointer), can be written as UTF-8, and
    shows no raw control on a terminal. JSON escapes the C0 controls itself; outside strings
    the text holds none of these characters, so every one found is inside a string.
    """
    text = json.dumps(data, ensure_ascii=False, indent=indent, allow_nan=False)
    # C-speed tests first: in ASCII only DEL is escaped here, and every character escaped
    # is one str.isprintable() is false for (categories Cc, Cf, Cs, Zl, Zp)
    if (text.isascii() and "\x7f" not in text) or text.isprintable():
        return text
    return _UNSHOWABLE_IN_JSON.sub(_json_escape, text)
