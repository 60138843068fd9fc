"""GitHub Actions workflow commands: one `::error`, `::warning` or `::notice` line per
violation (and per record that could not be read), which GitHub shows as annotations on
the file, line and column; then the summary line.

GitHub reads a command's properties up to `,` and `::` and its message up to the line's
end, so data is escaped as its runner's toolkit does (`%` -> %25, CR -> %0D, LF -> %0A),
and properties also `:` -> %3A and `,` -> %2C. Payload text has passed report.printable
already (no control character is left raw); the escapes keep the command's own syntax."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from pc_validate.render.outputs import Context, region, relative_path, unreadable_rule
from pc_validate.render.text import render_summary
from pc_validate.report import printable

if TYPE_CHECKING:
    from pc_validate.report import Summary

_LEVELS: Final = {"error": "error", "warning": "warning", "info": "notice"}
_PROPERTIES: Final = (
    ("line", "line"),
    ("column", "col"),
    ("end_line", "endLine"),
    ("end_column", "endColumn"),
)


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(level: str, file: str | None, place: Mapping[str, int], title: str, text: str) -> str:
    properties = [] if file is None else [f"file={escape_property(file)}"]
    properties += [f"{key}={place[field]}" for field, key in _PROPERTIES if field in place]
    properties.append(f"title={escape_property(title)}")
    return f"::{level} {','.join(properties)}::{escape_data(text)}\n"


class GitHubWriter:
    def add(self, result: Mapping[str, Any]) -> str:
        name = result["input"]
        file = None if name in (None, "<stdin>") else printable(relative_path(name))
        rule = unreadable_rule(result)
        if rule is not None:
            message = printable(result["error"]["message"])
            return command("error", file, region(result, None), rule, message)
        lines = []
        for violation in result["violations"]:
            place = region(result, violation)
            title = f"{printable(violation['rule'])} ({violation['severity']})"
            text = printable(violation["message"])
            lines.append(command(_LEVELS[violation["severity"]], file, place, title, text))
        return "".join(lines)

    def end(self, summary: Summary) -> str:
        return render_summary(summary.to_dict())


def writer(fmt: str, context: Context) -> GitHubWriter:
    return GitHubWriter()
