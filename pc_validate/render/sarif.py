"""SARIF 2.1.0: one run per invocation, for GitHub code scanning and other SARIF viewers.

The run's tool lists the rules that fired (id, short and full description, help with the
rule's source, helpUri into the rule catalogue, default level); each result carries its
rule, level (error, warning, note), message, and physical location: the input's path as a
relative URI (a file URI when the path is absolute) and the region of the value (lines and
columns from 1; columns in UTF-16 code units, the run's columnKind). A suggestion of a rule
whose repairs `fix` applies (autofix) becomes the result's `fixes`: the value's region
replaced by the suggestion. Records that could not be read are results of the rule
input.unreadable (or input.not_validated), never dropped.

GitHub's limits are kept: descriptions of at most 1,024 characters, rule names of at most
255, no region without a line of 1 or more. No time or path of this machine is written,
so the document is the same in every run."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from pathlib import PurePath
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import quote

from pc_validate import __version__
from pc_validate.excerpt import clipped
from pc_validate.render.outputs import (
    UNREADABLE_RULES,
    Context,
    region,
    relative_path,
    unreadable_rule,
)
from pc_validate.report import dumps, printable

if TYPE_CHECKING:
    from pc_validate.report import Summary

SCHEMA: Final = "https://json.schemastore.org/sarif-2.1.0.json"
#: The rule catalogue, whose rows are anchored by rule id (render/catalogue.py).
RULES_DOC: Final = "https://github.com/pc-validate/pc-validate/blob/main/docs/rules.md"
#: GitHub code scanning's limit on a description's text.
DESCRIPTION_LIMIT: Final = 1024
_LEVELS: Final = {"error": "error", "warning": "warning", "info": "note"}
_UNREADABLE: Final = {
    "input.unreadable": "The input or record could not be read, or is not JSON; nothing of "
    "it was validated.",
    "input.not_validated": "The record was read but its validation did not finish (its "
    "worker process stopped); it was not validated.",
}
_REGION_KEYS: Final = (
    ("line", "startLine"),
    ("column", "startColumn"),
    ("end_line", "endLine"),
    ("end_column", "endColumn"),
)


def _text(text: str, limit: int = DESCRIPTION_LIMIT) -> dict[str, str]:
    return {"text": clipped(printable(text), limit)}


def artifact_uri(name: str) -> str:
    """The URI of an input: relative (to the working folder, where the upload resolves it
    against the repository) unless the path is absolute."""
    if os.path.isabs(name):
        return PurePath(name).as_uri()
    return quote(relative_path(name), safe="/")


class SarifWriter:
    def __init__(self, context: Context) -> None:
        self.rules = context.rules
        self.language = context.language_tag
        self.results: list[dict[str, Any]] = []
        self.fired: dict[str, str] = {}  # rule id -> severity
        self.complete = True

    def add(self, result: Mapping[str, Any]) -> str:
        rule = unreadable_rule(result)
        if rule is not None:
            self.complete = False
            self.fired[rule] = "error"
            message = result["error"]["message"]
            self.results.append(self._result(result, None, rule, "error", message))
            return ""
        for v in result["violations"]:
            self.fired.setdefault(v["rule"], v["severity"])
            self.results.append(self._result(result, v, v["rule"], v["severity"], v["message"]))
        return ""

    def _result(
        self,
        result: Mapping[str, Any],
        violation: Mapping[str, Any] | None,
        rule: str,
        severity: str,
        message: str,
    ) -> dict[str, Any]:
        found: dict[str, Any] = {
            "ruleId": rule,
            "level": _LEVELS[severity],
            "message": {"text": printable(message)},
        }
        name = result["input"]
        place = region(result, violation)
        path = "" if violation is None else violation["path"]
        if name is not None and name != "<stdin>":
            location: dict[str, Any] = {"artifactLocation": {"uri": artifact_uri(name)}}
            if "line" in place:
                location["region"] = {
                    key: place[field] for field, key in _REGION_KEYS if field in place
                }
            found["locations"] = [{"physicalLocation": location}]
            if violation is not None:
                fix = self._fix(violation, location, table=result.get("row") is not None)
                if fix is not None:
                    found["fixes"] = [fix]
        identity = dumps([name, result["record"], rule, path], indent=None)
        digest = hashlib.sha256(identity.encode("utf-8", "surrogatepass")).hexdigest()
        found["partialFingerprints"] = {"pcValidateFinding/v1": digest}
        found["properties"] = {"record": result["record"], "path": printable(path)}
        return found

    def _fix(
        self, violation: Mapping[str, Any], location: Mapping[str, Any], *, table: bool
    ) -> dict[str, Any] | None:
        """The repair `fix` would make, when the rule's suggestion is one (autofix); never
        under --redact, where no suggestion is given."""
        suggestion = violation.get("suggestion")
        entry = self.rules.get(violation["rule"])
        if suggestion is None or entry is None or not entry.get("autofix"):
            return None
        if "location" not in violation:
            return None
        region = location["region"]
        return {
            "description": {"text": f"Apply the repair of {violation['rule']}"},
            "artifactChanges": [
                {
                    "artifactLocation": dict(location["artifactLocation"]),
                    "replacements": [
                        {
                            "deletedRegion": dict(region),
                            "insertedContent": {"text": _inserted(suggestion, table)},
                        }
                    ],
                }
            ],
        }

    def _rule(self, rule: str, severity: str) -> dict[str, Any]:
        entry = self.rules.get(rule)
        if entry is None:
            description = _UNREADABLE.get(rule, rule)
            return {
                "id": rule,
                "name": rule,
                "shortDescription": _text(description),
                "fullDescription": _text(description),
                "defaultConfiguration": {"level": "error"},
            }
        description = entry["description"]
        full = description + (f" Note: {entry['note']}" if entry.get("note") else "")
        return {
            "id": rule,
            "name": clipped(rule, 255),
            "shortDescription": _text(description),
            "fullDescription": _text(full),
            "help": _text(f"{description} Source: {entry['source']}"),
            "helpUri": f"{RULES_DOC}#{quote(rule, safe='')}",
            "defaultConfiguration": {"level": _LEVELS[entry.get("severity", severity)]},
        }

    def end(self, summary: Summary) -> str:
        ids = sorted(self.fired)
        index = {rule: at for at, rule in enumerate(ids)}
        for result in self.results:
            result["ruleIndex"] = index[result["ruleId"]]
        run = {
            "tool": {
                "driver": {
                    "name": "pc-validate",
                    "version": __version__,
                    "informationUri": RULES_DOC,
                    "rules": [self._rule(rule, self.fired[rule]) for rule in ids],
                }
            },
            "invocations": [{"executionSuccessful": self.complete}],
            "language": self.language,
            "columnKind": "utf16CodeUnits",
            "results": self.results,
        }
        return dumps({"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}) + "\n"


def _inserted(suggestion: Any, table: bool) -> str:
    """The suggestion as text to put in the value's place: a JSON literal, or for a value read
    from a CSV row the cell's text (quoted, as CSV quotes, when it holds a quote, a line end
    or a character that may be the delimiter)."""
    if not table:
        return dumps(suggestion, indent=None)
    text = suggestion if isinstance(suggestion, str) else dumps(suggestion, indent=None)
    if any(char in text for char in '",;\t|\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def writer(fmt: str, context: Context) -> SarifWriter:
    return SarifWriter(context)


__all__ = ["UNREADABLE_RULES", "SarifWriter", "artifact_uri"]
