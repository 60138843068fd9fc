"""The terminal format: grouped by input; file:line:column (when known), path, severity,
message, suggestion per line.

Everything that comes from the payload or the input (names, paths, messages, suggestions)
goes through report.printable, so no input can write a control sequence, a line break or a
bidi override to the terminal: the only control sequences are this module's colours."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pc_validate.report import printable, printable_pointer

if TYPE_CHECKING:
    from pc_validate.render.outputs import Context
    from pc_validate.report import Summary

_COLOURS = {"error": "31", "warning": "33", "info": "36", "valid": "32", "unreadable": "35"}


def _paint(text: str, kind: str, colour: bool) -> str:
    if not colour or kind not in _COLOURS:
        return text
    return f"\033[{_COLOURS[kind]}m{text}\033[0m"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _heading(result: Mapping[str, Any], colour: bool) -> str:
    name = printable(result["input"] or "<payload>")
    if result.get("row") is not None:
        name = f"{name} row {result['row']}"
    elif result.get("line") is not None:
        name = f"{name} line {result['line']}"
    status = result["status"]
    if status in ("unreadable", "not_validated"):
        error = result["error"]
        where = ""
        if error.get("line") is not None and error.get("column") is not None:
            where = f" (line {error['line']}, column {error['column']})"
        elif error.get("line") is not None:
            where = f" (line {error['line']})"
        word = status.replace("_", " ")
        message = printable(error["message"])
        return f"{name}: {_paint(word, 'unreadable', colour)}{where}: {message}"
    counts = result["counts"]
    parts = [
        _plural(counts[level], level) for level in ("error", "warning", "info") if counts[level]
    ]
    word = _paint(status, "valid" if status == "valid" else "error", colour)
    return f"{name}: {word}" + (f" ({', '.join(parts)})" if parts else "")


def render_result(result: Mapping[str, Any], *, colour: bool = False) -> str:
    """One result: a heading line, then a line (or three) per violation."""
    lines = [_heading(result, colour)]
    name = printable(result["input"] or "<payload>")
    for v in result["violations"]:
        severity = _paint(f"{v['severity']:<7}", v["severity"], colour)
        path, message = printable_pointer(v["path"] or "/"), printable(v["message"])
        location = v.get("location")
        if location is not None:  # file:line:column, which terminals and editors follow
            path = f"{name}:{location['line']}:{location['column']}  {path}"
        lines.append(f"  {path}  {severity}  {message}  [{printable(v['rule'])}]")
        if v.get("suggestion") is not None:
            lines.append(f"      suggestion: {printable(str(v['suggestion']))}")
        if v.get("partner_center_error") is not None:
            lines.append(f"      pre-empts Partner Center error {v['partner_center_error']}")
    return "\n".join(lines) + "\n"


def render_summary(summary: Mapping[str, Any]) -> str:
    """The closing line: records by status, violations by severity."""
    totals = summary["violations"]
    records = summary.get("records", summary["inputs"])
    noun = "input" if records == summary["inputs"] else "record"
    extra = f", {summary['not_validated']} not validated" if summary.get("not_validated") else ""
    return (
        f"{_plural(records, noun)}: {summary['valid']} valid, "
        f"{summary['invalid']} invalid, {summary['unreadable']} unreadable{extra}; "
        f"{_plural(totals['error'], 'error')}, {_plural(totals['warning'], 'warning')}, "
        f"{totals['info']} info\n"
    )


class TextWriter:
    """The text format as an output of `check` (render.outputs)."""

    def __init__(self, colour: bool) -> None:
        self.colour = colour

    def add(self, result: Mapping[str, Any]) -> str:
        return render_result(result, colour=self.colour)

    def end(self, summary: Summary) -> str:
        return render_summary(summary.to_dict())


def writer(fmt: str, context: Context) -> TextWriter:
    return TextWriter(context.colour)
