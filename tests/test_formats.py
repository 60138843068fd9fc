"""The CI formats of `check` (issue 15 items 2 and 3): sarif against the OASIS SARIF 2.1.0
schema and GitHub's ingestion limits, junit read back by junitparser, github workflow
commands and their escapes, gitlab Code Quality; each over bulk inputs with unreadable
records, under --redact, byte-identical across runs and --jobs; --output files written whole
or not at all."""

from __future__ import annotations

import copy
import json
import os
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import VALID_US_PAYLOAD, run_cli

from pc_validate.render.github import escape_data, escape_property

DATA = Path(__file__).parent / "data"
SARIF_SCHEMA = json.loads((DATA / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
FORMATS = ("text", "json", "jsonl", "sarif", "junit", "github", "gitlab")
SECRET = "Zq9Secret"  # a value that no output may repeat under --redact


def body(**address: Any) -> dict[str, Any]:
    payload = copy.deepcopy(VALID_US_PAYLOAD)
    payload["billingProfile"]["defaultAddress"].update(address)
    return payload


@pytest.fixture
def inputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A JSON array, JSON Lines with a broken line, and a CSV file, by relative paths."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    records = [body(), body(state=f"Washington {SECRET}"), body(country="uk", city=SECRET)]
    Path("array.json").write_text(json.dumps(records, indent=2), encoding="utf-8")
    lines = [json.dumps(body(postalCode=SECRET)), '{"broken": ', json.dumps(body())]
    Path("lines.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    Path("rows.csv").write_text(
        "billingProfile.email,billingProfile.defaultAddress.country,billingProfile.culture\n"
        f'{SECRET}@contoso.com,US,en-US\n"a@contoso.com",uk,EN-us\n',
        encoding="utf-8",
    )
    return ["array.json", "lines.jsonl", "rows.csv"]


def check(*argv: str) -> Any:
    return run_cli("check", *argv)


def sarif_of(inputs: list[str], *options: str) -> dict[str, Any]:
    done = check("--format", "sarif", *options, *inputs)
    assert done.code == 2, done.err  # an unreadable line
    document: dict[str, Any] = json.loads(done.out)
    return document


def test_sarif_is_valid_against_the_oasis_schema(inputs: list[str]) -> None:
    document = sarif_of(inputs)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(document)
    (run,) = document["runs"]
    assert run["columnKind"] == "utf16CodeUnits"
    assert run["invocations"] == [{"executionSuccessful": False}]
    rules = run["tool"]["driver"]["rules"]
    ids = [rule["id"] for rule in rules]
    assert ids == sorted(ids)
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note")
    unreadable = [r for r in run["results"] if r["ruleId"] == "input.unreadable"]
    assert len(unreadable) == 1
    report = check("--format", "json", *inputs).json()
    (broken,) = [r for r in report["results"] if r["status"] == "unreadable"]
    region = unreadable[0]["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] == broken["error"]["line"]


def test_sarif_meets_github_ingestion_limits(inputs: list[str]) -> None:
    (run,) = sarif_of(inputs)["runs"]
    for rule in run["tool"]["driver"]["rules"]:
        assert len(rule["id"]) <= 255 and len(rule.get("name", "")) <= 255
        assert 0 < len(rule["shortDescription"]["text"]) <= 1024
        assert len(rule["fullDescription"]["text"]) <= 1024
        if "helpUri" in rule:
            assert re.fullmatch(r"https://\S+/docs/rules\.md#[a-z0-9_.]+", rule["helpUri"])
    for result in run["results"]:
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        uri = physical["artifactLocation"]["uri"]
        assert uri in ("array.json", "lines.jsonl", "rows.csv")  # relative to the checkout
        region = physical["region"]
        assert all(region[key] >= 1 for key in region)
        assert region["startLine"] >= 1


def test_sarif_fixes_replace_the_value(inputs: list[str]) -> None:
    (run,) = sarif_of(inputs)["runs"]
    fixes = {
        (r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], r["ruleId"]): r["fixes"][
            0
        ]
        for r in run["results"]
        if "fixes" in r
    }
    fix = fixes[("array.json", "address.country.code")]
    (change,) = fix["artifactChanges"]
    (replacement,) = change["replacements"]
    assert replacement["insertedContent"]["text"] == '"GB"'
    text = Path("array.json").read_text(encoding="utf-8").splitlines()
    region = replacement["deletedRegion"]
    line = text[region["startLine"] - 1]
    assert line[region["startColumn"] - 1 : region["endColumn"] - 1] == '"uk"'
    cell = fixes[("rows.csv", "address.country.code")]["artifactChanges"][0]["replacements"][0]
    assert cell["insertedContent"]["text"] == "GB"  # a CSV cell, not a JSON literal


def test_junit_read_back_by_junitparser(inputs: list[str], tmp_path: Path) -> None:
    junitparser = pytest.importorskip("junitparser")
    report = check("--format", "json", *inputs).json()
    for fail_on in ("error", "warning"):
        levels = ("error",) if fail_on == "error" else ("error", "warning")
        failures = sum(
            1
            for result in report["results"]
            if any(v["severity"] in levels for v in result["violations"])
        )
        out = tmp_path / f"junit-{fail_on}.xml"
        done = check("--output", f"junit={out}", "--fail-on", fail_on, *inputs)
        assert done.code == 2
        xml = junitparser.JUnitXml.fromfile(str(out))
        suites = {suite.name: suite for suite in xml}
        assert set(suites) == set(inputs)
        assert [suites[name].tests for name in inputs] == [3, 3, 2]
        assert sum(suite.failures for suite in xml) == failures
        assert sum(suite.errors for suite in xml) == 1  # the broken line
        cases = [case for suite in xml for case in suite]
        assert len(cases) == 8
        broken = [c for c in cases if c.result and isinstance(c.result[0], junitparser.Error)]
        assert [c.name for c in broken] == ["lines.jsonl line 2"]


def test_github_workflow_commands(inputs: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    done = check(*inputs)  # no --format: chosen by GITHUB_ACTIONS
    commands = [line for line in done.out.splitlines() if line.startswith("::")]
    assert commands
    pattern = re.compile(
        r"::(error|warning|notice) file=[^,:]+(,line=\d+(,col=\d+)?(,endLine=\d+,endColumn=\d+)?)?"
        r",title=[^:,]+::[^\r\n]+"
    )
    for line in commands:
        assert pattern.fullmatch(line), line
    assert any("file=rows.csv,line=3,col=" in line for line in commands)
    assert any(
        line.startswith("::error file=lines.jsonl,line=") and "title=input.unreadable::" in line
        for line in commands
    )
    assert done.out.splitlines()[-1].startswith("8 records:")


def test_github_escapes() -> None:
    assert escape_data("100%\r\nnext") == "100%25%0D%0Anext"
    assert escape_property("a:b,c%") == "a%3Ab%2Cc%25"


def test_gitlab_code_quality(inputs: list[str]) -> None:
    done = check("--format", "gitlab", *inputs)
    issues = json.loads(done.out)
    assert issues
    fingerprints = [issue["fingerprint"] for issue in issues]
    assert len(set(fingerprints)) == len(fingerprints)
    for issue in issues:
        assert issue["check_name"] and issue["description"]
        assert issue["severity"] in ("info", "minor", "major", "critical", "blocker")
        assert issue["location"]["path"] in inputs
        assert issue["location"]["lines"]["begin"] >= 1
    again = json.loads(check("--format", "gitlab", *inputs).out)
    assert [issue["fingerprint"] for issue in again] == fingerprints


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_honours_redact(inputs: list[str], fmt: str) -> None:
    plain = check("--format", fmt, *inputs)
    redacted = check("--format", fmt, "--redact", *inputs)
    assert SECRET in plain.out  # the value is there to be left out
    assert SECRET not in redacted.out
    assert "Washington" not in redacted.out and '"GB"' not in redacted.out


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_is_the_same_across_runs_and_jobs(inputs: list[str], fmt: str) -> None:
    first = check("--format", fmt, "--jobs", "1", *inputs)
    again = check("--format", fmt, "--jobs", "1", *inputs)
    workers = check("--format", fmt, "--jobs", "2", *inputs)
    assert first.out == again.out == workers.out
    assert first.code == workers.code == 2


def test_several_outputs_in_one_run(inputs: list[str], tmp_path: Path) -> None:
    sarif, junit = tmp_path / "out.sarif", tmp_path / "out.xml"
    done = check("--output", f"sarif={sarif}", "--output", f"junit={junit}", *inputs)
    assert done.out.startswith("array.json line 2: valid")  # text on the terminal
    assert json.loads(sarif.read_text(encoding="utf-8"))["version"] == "2.1.0"
    assert junit.read_text(encoding="utf-8").startswith("<?xml")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_an_output_that_cannot_be_written_writes_none(inputs: list[str], tmp_path: Path) -> None:
    good = tmp_path / "good.sarif"
    good.write_text("before", encoding="utf-8")
    done = check("--output", f"sarif={good}", "--output", "gitlab=no/such/folder/x.json", *inputs)
    assert done.code == 2
    assert "no/such/folder/x.json: cannot be written: its folder does not exist" in done.err
    assert done.out == ""
    assert good.read_text(encoding="utf-8") == "before"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".good")) == []


def test_an_output_file_keeps_its_mode_and_link(inputs: list[str], tmp_path: Path) -> None:
    target = tmp_path / "real.json"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o640)
    link = tmp_path / "link.json"
    link.symlink_to(target)
    assert check("--output", f"gitlab={link}", *inputs).code == 2
    assert link.is_symlink()
    assert json.loads(target.read_text(encoding="utf-8"))
    assert oct(target.stat().st_mode & 0o777) == oct(0o640)


def test_a_bad_output_spec_is_a_usage_error(inputs: list[str]) -> None:
    for spec in ("sarif", "xml=out.xml", "sarif="):
        done = check("--output", spec, *inputs)
        assert done.code == 2
        assert "--output" in done.err


def test_renderers_are_imported_only_when_chosen(inputs: list[str]) -> None:
    import subprocess
    import sys

    code = (
        "import sys; from pc_validate.cli import main; main(['check', '--quiet', "
        "'array.json']); print(sorted(m for m in sys.modules if m.startswith("
        "'pc_validate.render')))"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    loaded = done.stdout.strip().splitlines()[-1]
    for name in ("sarif", "junit", "github", "gitlab", "documents"):
        assert f"pc_validate.render.{name}'" not in loaded


def test_every_help_uri_names_an_anchor_of_the_rule_catalogue(inputs: list[str]) -> None:
    catalogue = (Path(__file__).parent.parent / "docs" / "rules.md").read_text(encoding="utf-8")
    (run,) = sarif_of(inputs)["runs"]
    anchors = [
        rule["helpUri"].split("#")[1]
        for rule in run["tool"]["driver"]["rules"]
        if "helpUri" in rule
    ]
    assert anchors
    for anchor in anchors:
        assert f'<a id="{anchor}"></a>' in catalogue
