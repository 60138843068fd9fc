"""The terminal format: grouped by input; file:line:column (when known), path, severity,
message, suggestion per line.

Everything that comes from the payload or the input (names, paths, messages, suggestions)
goes through report.printable, so no input can write a control sequence, a line break or a
bidi override to the terminal: the only control sequences are this module's colours."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pc_validate.languages import ENGLISH, Language
from pc_validate.messages import text
from pc_validate.report import printable, printable_pointer

if TYPE_CHECKING:
    from pc_validate.render.outputs import Context
    from pc_validate.report import Summary

_COLOURS = {"error": "31", "warning": "33", "info": "36", "valid": "32", "unreadable": "35"}
_COUNTED = {"error": "text.errors", "warning": "text.warnings", "info": "text.infos"}


def _paint(text: str, kind: str, colour: bool) -> str:
    if not colour or kind not in _COLOURS:
        return text
    return f"\033[{_COLOURS[kind]}m{text}\033[0m"


def _heading(result: Mapping[str, Any], colour: bool, language: Language) -> str:
    name = printable(result["input"] or text(language, "text.payload"))
    if result.get("row") is not None:
        name = text(language, "text.row", name=name, row=result["row"])
    elif result.get("line") is not None:
        name = text(language, "text.line", name=name, line=result["line"])
    status = result["status"]
    if status in ("unreadable", "not_validated"):
        error = result["error"]
        where = ""
        if error.get("line") is not None and error.get("column") is not None:
            at = text(language, "text.at_line_column", line=error["line"], column=error["column"])
            where = f" ({at})"
        elif error.get("line") is not None:
            where = f" ({text(language, 'text.at_line', line=error['line'])})"
        word = text(language, f"text.{status}")
        message = printable(error["message"])
        return f"{name}: {_paint(word, 'unreadable', colour)}{where}: {message}"
    counts = result["counts"]
    parts = [
        text(language, _COUNTED[level], n=counts[level])
        for level in ("error", "warning", "info")
        if counts[level]
    ]
    word = _paint(
        text(language, f"text.{status}"), "valid" if status == "valid" else "error", colour
    )
    return f"{name}: {word}" + (f" ({', '.join(parts)})" if parts else "")


def _severities(language: Language) -> dict[str, str]:
    """The severity words of the text format, padded to one width."""
    words = {level: text(language, f"text.{level}") for level in ("error", "warning", "info")}
    width = max(map(len, words.values()))
    return {level: word.ljust(width) for level, word in words.items()}


def render_result(
    result: Mapping[str, Any], *, colour: bool = False, language: Language = ENGLISH
) -> str:
    """One result: a heading line, then a line (or three) per violation."""
    lines = [_heading(result, colour, language)]
    severities = _severities(language) if result["violations"] else {}
    name = printable(result["input"] or text(language, "text.payload"))
    for v in result["violations"]:
        severity = _paint(severities[v["severity"]], v["severity"], colour)
        path, message = printable_pointer(v["path"] or "/"), printable(v["message"])
        location = v.get("location")
        if location is not None:  # file:line:column, which terminals and editors follow
            path = f"{name}:{location['line']}:{location['column']}  {path}"
        lines.append(f"  {path}  {severity}  {message}  [{printable(v['rule'])}]")
        if v.get("suggestion") is not None:
            shown = printable(str(v["suggestion"]))
            lines.append(f"      {text(language, 'text.suggestion', suggestion=shown)}")
        if v.get("partner_center_error") is not None:
            code = v["partner_center_error"]
            lines.append(f"      {text(language, 'text.pre_empts', code=code)}")
    return "\n".join(lines) + "\n"


def render_summary(summary: Mapping[str, Any], *, language: Language = ENGLISH) -> str:
    """The closing line: records by status, violations by severity."""
    totals = summary["violations"]
    records = summary.get("records", summary["inputs"])
    noun = "text.inputs" if records == summary["inputs"] else "text.records"
    extra = ""
    if summary.get("not_validated"):
        extra = text(language, "text.summary_not_validated", n=summary["not_validated"])
    return (
        text(
            language,
            "text.summary",
            records=text(language, noun, n=records),
            valid=summary["valid"],
            invalid=summary["invalid"],
            unreadable=summary["unreadable"],
            not_validated=extra,
            errors=text(language, "text.errors", n=totals["error"]),
            warnings=text(language, "text.warnings", n=totals["warning"]),
            infos=text(language, "text.infos", n=totals["info"]),
        )
        + "\n"
    )


class TextWriter:
    """The text format as an output of `check` (render.outputs)."""

    def __init__(self, colour: bool, language: Language) -> None:
        self.colour = colour
        self.language = language

    def add(self, result: Mapping[str, Any]) -> str:
        return render_result(result, colour=self.colour, language=self.language)

    def end(self, summary: Summary) -> str:
        return render_summary(summary.to_dict(), language=self.language)


def writer(fmt: str, context: Context) -> TextWriter:
    return TextWriter(context.colour, context.language or ENGLISH)
