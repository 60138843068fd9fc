"""The output formats of `check`: one writer per format, each fed the run's result entries
(report.result_dict, in input order) and its summary, and each module imported only when its
format is chosen. A writer returns the text to write at once for each result (the streaming
formats: text, jsonl, github) and the rest at the end (the documents: json, sarif, junit,
gitlab)."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, Protocol

if TYPE_CHECKING:
    from pc_validate.languages import Language
    from pc_validate.report import Summary

#: Every format, and the module (under pc_validate.render) whose Writer writes it.
FORMATS: Final = {
    "text": "text",
    "json": "documents",
    "jsonl": "documents",
    "sarif": "sarif",
    "junit": "junit",
    "github": "github",
    "gitlab": "gitlab",
}
#: Formats that show no line and column unless asked (--positions): finding them costs
#: time on every record with violations, and these are read by programs.
POSITIONS_ON_REQUEST: Final = frozenset({"json", "jsonl"})
#: The violation of a record that could not be read ("unreadable") or validated.
UNREADABLE_RULES: Final = {
    "unreadable": "input.unreadable",
    "not_validated": "input.not_validated",
}


@dataclass(frozen=True)
class Context:
    """What a writer may need beyond the results: the rules (by id, as rule_entries gives
    them: description, source, severity, autofix), --fail-on, --redact, colour, and the
    language of the messages (None: English)."""

    rules: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    fail_on: str = "error"
    redact: bool = False
    colour: bool = False
    language: Language | None = None

    @property
    def language_tag(self) -> str:
        """The tag of the messages' language, as the JSON report names it."""
        return "en" if self.language is None else self.language.tag


class Writer(Protocol):
    def add(self, result: Any) -> str:
        """Take one result entry (a dict, or its JSON line); the text to write now."""

    def end(self, summary: Summary) -> str:
        """The text to write after the last result."""


def writer(fmt: str, context: Context) -> Writer:
    """The writer of a format, its module imported now."""
    module = importlib.import_module(f"pc_validate.render.{FORMATS[fmt]}")
    made: Writer = module.writer(fmt, context)
    return made


def record_name(result: Mapping[str, Any]) -> str:
    """A record as people name it: the input, and its row or line when it has one."""
    name = result["input"] or "<payload>"
    if result.get("row") is not None:
        return f"{name} row {result['row']}"
    if result.get("line") is not None:
        return f"{name} line {result['line']}"
    return str(name)


def region(result: Mapping[str, Any], violation: Mapping[str, Any] | None) -> dict[str, int]:
    """Where a violation (or, None, the problem of an unreadable record) lies: line, column,
    end_line, end_column as far as known ({} when nothing is)."""
    if violation is not None and "location" in violation:
        return dict(violation["location"])
    error = result.get("error")
    if violation is None and error is not None and error.get("line") is not None:
        found = {"line": error["line"]}
        if error.get("column") is not None:
            found["column"] = error["column"]
        return found
    return {"line": result["line"]} if result.get("line") is not None else {}


def unreadable_rule(result: Mapping[str, Any]) -> str | None:
    """The rule id under which a record that was not judged is reported, or None."""
    return UNREADABLE_RULES.get(result["status"])


def relative_path(name: str) -> str:
    """An input's name as a path relative to the working folder where it is one ("./a" ->
    "a"), with forward slashes: what GitHub and GitLab match against repository files."""
    path = name.replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    return path
