"""--baseline REPORT.json: report only the findings a saved JSON report does not hold yet,
so that a migration can gate on new problems while the known ones are worked off.

A finding is matched on its input (the name as given, normalised: `./a.json` is `a.json`),
its rule and its path (JSON Pointer with keys folded, as the service looks keys up), and
counted: a run reports a finding only when its input holds more findings of that rule at
that path than the baseline did. The record's index, line and row are left out: removing
or inserting a record (a customer migrated, an export re-sorted) shifts every record after
it, and would make all of their known findings look new. The price: when a record with a
known finding is fixed and another gains the same finding in the same run, the count does
not grow and the new one is not reported; and when it grows, the findings reported are the
last ones of the input in order, which may not be those of the record that changed.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from typing import TYPE_CHECKING, Any

from pc_validate.model import SEVERITY_RANK, fold

if TYPE_CHECKING:
    from pc_validate.bulk import Outcome
    from pc_validate.documents import ResultDocument, ViolationDocument

_Key = tuple[str, str, str]


class BaselineError(Exception):
    """A baseline that is not a pc-validate JSON report (or cannot be read)."""


def _input_key(name: Any) -> str:
    if not isinstance(name, str):
        return ""
    return name if name.startswith("<") else os.path.normpath(name)


def _key(input_key: str, violation: Any) -> _Key:
    return (input_key, violation["rule"], fold(violation["path"]))


class Baseline:
    """The findings of a saved report, counted by (input, rule, path), spent as matched."""

    def __init__(self, name: str, findings: Counter[_Key]) -> None:
        self.name = name
        self.left = findings
        #: findings matched so far (not reported)
        self.known = 0

    @classmethod
    def load(cls, path: str) -> Baseline:
        try:
            with open(path, "rb") as handle:
                document = json.load(handle)
        except OSError as exc:
            raise BaselineError(f"{path}: cannot be read: {exc.strerror or exc}") from None
        except (ValueError, RecursionError) as exc:  # JSONDecodeError, UnicodeDecodeError
            raise BaselineError(f"{path}: is not a JSON report ({exc})") from None
        return cls(path, _findings(path, document))

    def sift(self, outcome: Outcome, as_line: bool) -> Outcome:
        """The outcome with the findings the baseline holds taken out (and counted off);
        its status, counts and worst severity follow; as a JSON line when `as_line`."""
        from pc_validate.bulk import Outcome
        from pc_validate.report import dumps

        result: ResultDocument = outcome.result
        violations = result["violations"]
        if violations:
            input_key = _input_key(result["input"])
            kept: list[ViolationDocument] = []
            for violation in violations:
                key = _key(input_key, violation)
                if self.left.get(key, 0) > 0:
                    self.left[key] -= 1
                    self.known += 1
                else:
                    kept.append(violation)
            if len(kept) < len(violations):
                result = _with_violations(result, kept)
        counts = result["counts"]
        trio = (counts["error"], counts["warning"], counts["info"])
        worst = max((SEVERITY_RANK[v["severity"]] for v in result["violations"]), default=-1)
        fired = outcome.fired
        if fired is not None:
            fired = (fired[0], tuple((v["rule"], v["severity"]) for v in result["violations"]))
            fired = fired if fired[1] else None
        body: Any = dumps(result, indent=None) if as_line else result
        return Outcome(result["status"], trio, worst, body, fired)

    def note(self) -> str:
        """What the baseline took out, and what of it was not found again (fixed)."""
        gone = sum(self.left.values())
        text = f"pc-validate: {self.known:,} known finding{'s' if self.known != 1 else ''} "
        text += f"of the baseline {self.name} not reported"
        if gone:
            text += f"; {gone:,} of its findings are gone (fixed? save a new baseline)"
        return text + "\n"


def _with_violations(result: ResultDocument, kept: list[ViolationDocument]) -> ResultDocument:
    from pc_validate.report import zero_counts

    counts = zero_counts()
    for violation in kept:
        counts[violation["severity"]] += 1
    sifted = dict(result)
    ok = counts["error"] == 0
    sifted.update(status="valid" if ok else "invalid", ok=ok, counts=counts, violations=kept)
    return sifted  # type: ignore[return-value]


def _findings(path: str, document: Any) -> Counter[_Key]:
    """The findings of a report document; BaselineError when it is not one of ours."""

    def refuse(why: str) -> BaselineError:
        return BaselineError(
            f"{path}: is not a pc-validate JSON report ({why}); save one with "
            "`pc-validate check --format json ... > REPORT.json`"
        )

    if not isinstance(document, dict):
        raise refuse("not a JSON object")
    tool = document.get("tool")
    if not isinstance(tool, dict) or tool.get("name") != "pc-validate":
        raise refuse('no "tool": {"name": "pc-validate"}')
    version = document.get("version")
    if not isinstance(version, str) or version.split(".")[0] != "1":
        raise refuse(f"report version {version!r}, this pc-validate reads 1.x")
    results = document.get("results")
    if not isinstance(results, list):
        raise refuse('no "results" list')
    findings: Counter[_Key] = Counter()
    for number, result in enumerate(results):
        violations = result.get("violations") if isinstance(result, dict) else None
        if not isinstance(violations, list):
            raise refuse(f'result {number} has no "violations" list')
        input_key = _input_key(result.get("input"))
        for violation in violations:
            if not (
                isinstance(violation, dict)
                and isinstance(violation.get("rule"), str)
                and isinstance(violation.get("path"), str)
            ):
                raise refuse(f'a violation of result {number} lacks a "rule" or a "path"')
            findings[_key(input_key, violation)] += 1
    return findings
