"""--baseline REPORT.json (pc_validate/baseline.py): only findings a saved JSON report does
not hold are reported, matched on input, rule and path (keys folded) and counted, so that
records removed, inserted or re-spelt do not make known findings look new."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import VALID_US_PAYLOAD
from conftest import run_cli as run


def body(**address: Any) -> dict[str, Any]:
    payload = copy.deepcopy(VALID_US_PAYLOAD)
    payload["billingProfile"]["defaultAddress"].update(address)
    return payload


def write(path: Path, records: list[Any]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    return path


@pytest.fixture
def known(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """An export with known problems, and its saved report (paths relative, as CI gives)."""
    monkeypatch.chdir(tmp_path)
    export = write(tmp_path / "export.jsonl", [body(), body(state="Washington"), body()])
    report = tmp_path / "baseline.json"
    saved = run("check", "--format", "json", "export.jsonl")
    assert saved.code == 1
    report.write_text(saved.out, "utf-8")
    return export, report


def test_known_findings_are_not_reported_and_the_run_passes(known: tuple[Path, Path]) -> None:
    result = run("check", "--format", "json", "--baseline", "baseline.json", "./export.jsonl")
    assert result.code == 0
    summary = result.json()["summary"]
    assert (summary["valid"], summary["invalid"], summary["violations"]["error"]) == (3, 0, 0)
    note = "pc-validate: 2 known findings of the baseline baseline.json not reported\n"
    assert result.err == note


def test_a_new_finding_is_reported_alone(known: tuple[Path, Path]) -> None:
    export, _ = known
    write(export, [body(), body(state="Washington"), body(postalCode="1")])
    result = run("check", "--format", "jsonl", "--baseline", "baseline.json", "export.jsonl")
    assert result.code == 1
    lines = [json.loads(line) for line in result.out.splitlines()]
    assert [len(line.get("violations", [])) for line in lines[:3]] == [0, 0, 1]
    assert lines[1]["status"] == "valid" and lines[1]["counts"]["error"] == 0
    assert lines[2]["violations"][0]["rule"] == "address.postal_code.us_format"
    assert lines[3]["summary"]["violations"]["error"] == 1


def test_records_removed_inserted_or_respelt_keep_their_findings_known(
    known: tuple[Path, Path],
) -> None:
    export, _ = known
    respelt = body(state="Washington")
    respelt["BillingProfile"] = respelt.pop("billingProfile")
    respelt["BillingProfile"]["DefaultAddress"] = respelt["BillingProfile"].pop("defaultAddress")
    respelt["BillingProfile"]["DefaultAddress"]["State"] = respelt["BillingProfile"][
        "DefaultAddress"
    ].pop("state")
    for records in ([body(state="Washington")], [body(), body(), respelt, body()]):
        write(export, records)
        result = run("check", "--baseline", "baseline.json", "export.jsonl")
        assert result.code == 0, result.out


def test_more_of_a_known_finding_is_new_and_fixed_ones_are_said_gone(
    known: tuple[Path, Path],
) -> None:
    export, _ = known
    write(export, [body(state="Washington"), body(state="Oregon")])
    result = run("check", "--baseline", "baseline.json", "export.jsonl")
    assert result.code == 1
    assert "export.jsonl line 1: valid" in result.out
    assert "export.jsonl line 2: invalid (2 errors, 1 warning)" in result.out
    write(export, [body()])
    result = run("check", "--baseline", "baseline.json", "export.jsonl")
    assert result.code == 0
    assert result.err == (
        "pc-validate: 0 known findings of the baseline baseline.json not reported; "
        "2 of its findings are gone (fixed? save a new baseline)\n"
    )


def test_another_input_has_no_known_findings(known: tuple[Path, Path], tmp_path: Path) -> None:
    write(tmp_path / "other.jsonl", [body(state="Washington")])
    assert run("check", "--baseline", "baseline.json", "other.jsonl").code == 1


def test_the_rule_table_counts_only_new_findings(known: tuple[Path, Path]) -> None:
    export, _ = known
    write(export, [body(state="Washington"), body(postalCode="1")])
    out = run("check", "--baseline", "baseline.json", "export.jsonl").out
    table = out[out.index("rules that fired") :]
    assert "address.postal_code.us_format" in table
    assert "address.state" not in table


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b"{not json", "is not a JSON report ("),
        (b"[]", "is not a pc-validate JSON report (not a JSON object)"),
        (b'{"summary": {}}', 'no "tool": {"name": "pc-validate"}'),
        (
            b'{"version": "2.0", "tool": {"name": "pc-validate"}, "results": []}',
            "report version '2.0', this pc-validate reads 1.x",
        ),
        (b'{"version": "1.1", "tool": {"name": "pc-validate"}}', 'no "results" list'),
        (
            b'{"version": "1.1", "tool": {"name": "pc-validate"}, "results": [{"violations": '
            b'[{"rule": "x"}]}]}',
            'a violation of result 0 lacks a "rule" or a "path"',
        ),
        (b"\xff\xfe", "is not a JSON report ("),
    ],
)
def test_a_baseline_that_is_not_a_report_is_exit_2(
    tmp_path: Path, content: bytes, why: str
) -> None:
    baseline = tmp_path / "baseline.json"
    baseline.write_bytes(content)
    err = _refused(tmp_path, baseline)
    assert err.startswith(f"pc-validate: baseline error: {baseline}: ")
    assert why in err


def test_a_missing_baseline_is_exit_2(tmp_path: Path) -> None:
    assert _refused(tmp_path, tmp_path / "nope.json") == (
        f"pc-validate: baseline error: {tmp_path / 'nope.json'}: cannot be read: "
        "No such file or directory\n"
    )


def _refused(tmp_path: Path, baseline: Path) -> str:
    """stderr of a run refused for its baseline: exit 2, before any output."""
    export = write(tmp_path / "export.jsonl", [body()])
    result = run("check", "--baseline", baseline, export)
    assert (result.code, result.out) == (2, "")
    return result.err
