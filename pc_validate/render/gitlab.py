"""GitLab Code Quality: a JSON array of issues (description, check_name, fingerprint,
severity, location.path, location.lines.begin), which a merge request shows in its
widget and its diff. GitLab drops a whole report in which an issue lacks `check_name`, so
every issue has one (a record that could not be read: input.unreadable).

The fingerprint is the SHA-256 of the input's name, the record's index, the rule, the
violation's path and the how-many-th such issue it is: the same finding in the same place
has the same fingerprint in every run, and no two issues of a report share one."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from pc_validate.render.outputs import Context, region, relative_path, unreadable_rule
from pc_validate.report import dumps

if TYPE_CHECKING:
    from pc_validate.report import Summary

#: GitLab's severities: info, minor, major, critical, blocker.
SEVERITIES: Final = {"error": "major", "warning": "minor", "info": "info"}


class GitLabWriter:
    def __init__(self) -> None:
        self.issues: list[dict[str, Any]] = []
        self.seen: dict[str, int] = {}

    def _issue(
        self, result: Mapping[str, Any], rule: str, path: str, severity: str, text: str, place: Any
    ) -> dict[str, Any]:
        name = relative_path(result["input"] or "<payload>")
        identity = dumps([name, result["record"], rule, path], indent=None)
        count = self.seen.get(identity, 0)
        self.seen[identity] = count + 1
        digest = hashlib.sha256(f"{identity}#{count}".encode("utf-8", "surrogatepass"))
        lines = {"begin": place.get("line", 1)}
        if "end_line" in place:
            lines["end"] = place["end_line"]
        return {
            "description": text,
            "check_name": rule,
            "fingerprint": digest.hexdigest(),
            "severity": severity,
            "location": {"path": name, "lines": lines},
        }

    def add(self, result: Mapping[str, Any]) -> str:
        rule = unreadable_rule(result)
        if rule is not None:
            text = result["error"]["message"]
            self.issues.append(self._issue(result, rule, "", "major", text, region(result, None)))
            return ""
        for v in result["violations"]:
            severity = SEVERITIES[v["severity"]]
            place = region(result, v)
            issue = self._issue(result, v["rule"], v["path"], severity, v["message"], place)
            self.issues.append(issue)
        return ""

    def end(self, summary: Summary) -> str:
        return dumps(self.issues) + "\n"


def writer(fmt: str, context: Context) -> GitLabWriter:
    return GitLabWriter()
