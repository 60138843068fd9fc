"""JUnit XML: one test suite per input, one test case per record, failed when the record
has a violation at or above --fail-on, in error when it could not be read or validated.
Violations below --fail-on are listed in the case's system-out. Jenkins, GitLab and most CI
systems read this format; no time is written, so the document is the same in every run.

Payload text has passed report.printable (no control character is left raw); what XML 1.0
cannot hold besides (U+FFFE, U+FFFF) becomes U+FFFD."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final
from xml.etree import ElementTree

from pc_validate.model import SEVERITY_RANK
from pc_validate.render.outputs import Context, record_name, region, unreadable_rule
from pc_validate.report import printable, printable_pointer

if TYPE_CHECKING:
    from pc_validate.report import Summary

_NOT_XML: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _xml(text: str) -> str:
    return _NOT_XML.sub("\ufffd", printable(text))


def _line(result: Mapping[str, Any], violation: Mapping[str, Any]) -> str:
    place = region(result, violation)
    where = result["input"] or "<payload>"
    if "line" in place:
        where += f":{place['line']}" + (f":{place['column']}" if "column" in place else "")
    return (
        f"{where}: {printable_pointer(violation['path'] or '/')} {violation['severity']}: "
        f"{violation['message']} [{violation['rule']}]"
    )


class JUnitWriter:
    def __init__(self, fail_on: str) -> None:
        self.threshold = SEVERITY_RANK[fail_on]
        self.suites: dict[str, list[ElementTree.Element]] = {}
        self.counts: dict[str, list[int]] = {}  # per input: tests, failures, errors

    def add(self, result: Mapping[str, Any]) -> str:
        name = _xml(result["input"] or "<payload>")
        case = ElementTree.Element(
            "testcase", {"classname": name, "name": _xml(record_name(result)), "file": name}
        )
        if result.get("line") is not None:
            case.set("line", str(result["line"]))
        counts = self.counts.setdefault(name, [0, 0, 0])
        counts[0] += 1
        rule = unreadable_rule(result)
        if rule is not None:
            message = _xml(result["error"]["message"])
            error = ElementTree.SubElement(case, "error", {"type": rule, "message": message})
            error.text = message
            counts[2] += 1
        else:
            failing = [
                v for v in result["violations"] if SEVERITY_RANK[v["severity"]] >= self.threshold
            ]
            others = [v for v in result["violations"] if v not in failing]
            if failing:
                first = failing[0]
                more = f" (and {len(failing) - 1} more)" if len(failing) > 1 else ""
                failure = ElementTree.SubElement(
                    case,
                    "failure",
                    {"type": _xml(first["rule"]), "message": _xml(first["message"] + more)},
                )
                failure.text = "\n".join(_xml(_line(result, v)) for v in failing)
                counts[1] += 1
            if others:
                out = ElementTree.SubElement(case, "system-out")
                out.text = "\n".join(_xml(_line(result, v)) for v in others)
        self.suites.setdefault(name, []).append(case)
        return ""

    def end(self, summary: Summary) -> str:
        totals = [sum(c[i] for c in self.counts.values()) for i in range(3)]
        root = ElementTree.Element("testsuites", _counted("pc-validate", totals))
        for name, cases in self.suites.items():
            suite = ElementTree.SubElement(root, "testsuite", _counted(name, self.counts[name]))
            suite.extend(cases)
        ElementTree.indent(root)
        body = ElementTree.tostring(root, encoding="unicode")
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def _counted(name: str, counts: list[int]) -> dict[str, str]:
    tests, failures, errors = counts
    return {
        "name": name,
        "tests": str(tests),
        "failures": str(failures),
        "errors": str(errors),
        "skipped": "0",
    }


def writer(fmt: str, context: Context) -> JUnitWriter:
    return JUnitWriter(context.fail_on)
