"""Options from a configuration file (pc_validate/config.py): `.pc-validate.toml` or the
`[tool.pc-validate]` table of a `pyproject.toml`, found from the current directory upwards
or named with --config; the command line wins; a file that cannot be used is exit 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT
from conftest import run_cli as run

EXAMPLES = ROOT / "examples"
SEED_DE = EXAMPLES / "valid" / "seed-de-2023.json"  # one info: billing.culture.case
US_INVALID = EXAMPLES / "invalid" / "us-bad-state-and-zip.json"  # three errors
#: A rule file that raises the info SEED_DE has (billing.culture.case) to a warning.
RAISED = "rules:\n  - id: billing.culture.case\n    severity: warning\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty project directory, and a directory below it as the current one."""
    below = tmp_path / "project" / "requests"
    below.mkdir(parents=True)
    monkeypatch.chdir(below)
    return tmp_path / "project"


def rules_of(result_json: dict[str, object]) -> list[str]:
    results = result_json["results"]
    assert isinstance(results, list)
    return [v["rule"] for result in results for v in result["violations"]]


def test_pyproject_table_found_from_a_directory_below(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.pc-validate]\nformat = "json"\n'
        'disable = ["billing.culture.case"]\n',
        "utf-8",
    )
    result = run("check", SEED_DE)
    assert result.code == 0
    assert rules_of(result.json()) == []


def test_pc_validate_toml_takes_keys_at_the_top_level(project: Path) -> None:
    (project / "raised.yaml").write_text(RAISED, "utf-8")
    (project / ".pc-validate.toml").write_text(
        'fail-on = "warning"\nformat = "json"\nrules = ["raised.yaml"]\n', "utf-8"
    )
    result = run("check", SEED_DE)
    assert result.code == 1  # the raised rule's warning fails under fail-on = "warning"
    assert result.json()["results"][0]["violations"][0]["severity"] == "warning"


def test_rule_paths_are_relative_to_the_file_not_to_the_current_directory(
    project: Path,
) -> None:
    (project / "rules").mkdir()
    (project / "rules" / "raised.yaml").write_text(RAISED, "utf-8")
    (project / ".pc-validate.toml").write_text('rules = ["rules/raised.yaml"]\n', "utf-8")
    result = run("check", "--format", "json", SEED_DE)
    assert result.json()["results"][0]["violations"][0]["severity"] == "warning"


def test_the_command_line_wins_option_by_option(project: Path) -> None:
    (project / ".pc-validate.toml").write_text(
        'format = "json"\nfail-on = "warning"\ndisable = ["address.state.us_code"]\n', "utf-8"
    )
    result = run("check", "--format", "jsonl", "--disable", "address.state.length", US_INVALID)
    lines = result.out.splitlines()
    assert len(lines) == 2  # jsonl, not json
    # The command line's --disable replaces the file's list: us_code is back, length is off.
    assert "address.state.us_code" in lines[0]
    assert "address.state.length" not in lines[0]


def test_redact_and_cloud_come_from_the_file(project: Path) -> None:
    (project / ".pc-validate.toml").write_text(
        'redact = true\ncloud = "usgov"\nformat = "json"\n', "utf-8"
    )
    result = run("check", US_INVALID)
    violations = result.json()["results"][0]["violations"]
    assert violations and all("value" not in v for v in violations)
    assert (
        run("check", "--no-config", "--format", "json", US_INVALID)
        .json()["results"][0]["violations"][0]
        .get("value")
    )


def test_fix_and_rules_read_the_file_too(project: Path) -> None:
    (project / ".pc-validate.toml").write_text('disable = ["billing.culture.case"]\n', "utf-8")
    listed = {rule["id"]: rule for rule in json.loads(run("rules", "--format", "json").out)}
    assert listed["billing.culture.case"]["enabled"] is False
    fixed = run("fix", SEED_DE)
    assert (fixed.code, fixed.err) == (0, f"pc-validate: {SEED_DE}: nothing to repair\n")
    assert "nothing to repair" not in run("fix", "--no-config", SEED_DE).err


def test_config_names_a_file_and_no_config_reads_none(project: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "ci.toml"
    elsewhere.write_text('format = "json"\n', "utf-8")
    (project / ".pc-validate.toml").write_text('format = "jsonl"\n', "utf-8")
    assert run("check", "--config", elsewhere, SEED_DE).out.startswith("{\n")
    assert run("check", "--no-config", SEED_DE).out.startswith(str(SEED_DE))
    assert run("check", SEED_DE).out.startswith('{"input"')


def test_a_pyproject_without_the_table_is_passed_over(project: Path) -> None:
    (project / ".pc-validate.toml").write_text('format = "json"\n', "utf-8")
    below = project / "requests"
    (below / "pyproject.toml").write_text(
        '[project]\nname = "onboarding"\ndependencies = ["pc-validate"]\n', "utf-8"
    )
    assert run("check", SEED_DE).out.startswith("{\n")


def test_no_toml_reader_is_imported_when_no_file_is_found(tmp_path: Path) -> None:
    code = (
        "import sys; from pc_validate.cli import main; main(['check', '--quiet', sys.argv[1]]);"
        "print(sorted(m for m in sys.modules if 'toml' in m))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(SEED_DE)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PYTHONPATH": str(ROOT), "PATH": ""},
    )
    assert done.stdout.splitlines()[-1] == "[]"


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        (".pc-validate.toml", "format = [\n", ".pc-validate.toml: is not TOML: "),
        (".pc-validate.toml", "fail_on = 'warning'\n", ".pc-validate.toml: fail_on: unknown key"),
        (
            ".pc-validate.toml",
            "fail-on = 'fatal'\n",
            '.pc-validate.toml: fail-on: must be one of "error", "warning", not str',
        ),
        (
            ".pc-validate.toml",
            "format = 'xml'\n",
            '.pc-validate.toml: format: must be one of "text", "json", "jsonl"',
        ),
        (".pc-validate.toml", "redact = 'yes'\n", ".pc-validate.toml: redact: must be true or"),
        (
            ".pc-validate.toml",
            "disable = 'address.state.us_code'\n",
            ".pc-validate.toml: disable: must be a list of strings, not str",
        ),
        (".pc-validate.toml", "rules = [1]\n", "rules: must be a list of strings, not list [1]"),
        (
            "pyproject.toml",
            "[tool.pc-validate]\ncolour = true\n",
            "pyproject.toml: tool.pc-validate.colour: unknown key",
        ),
        ("pyproject.toml", "[tool]\npc-validate = 3\n", "tool.pc-validate: must be a table"),
        (".pc-validate.toml", b"format = '\xff'\n", ".pc-validate.toml: is not UTF-8 text"),
    ],
)
def test_a_bad_file_is_exit_2_naming_file_and_key(
    project: Path, name: str, text: str | bytes, message: str
) -> None:
    path = project / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, "utf-8")
    result = run("check", SEED_DE)
    assert result.code == 2
    assert result.out == ""
    assert result.err.startswith(f"pc-validate: config error: {path}")
    assert message in result.err


def test_config_naming_a_missing_file_or_a_pyproject_without_the_table(tmp_path: Path) -> None:
    result = run("check", "--config", tmp_path / "nope.toml", SEED_DE)
    assert (result.code, result.err) == (
        2,
        f"pc-validate: config error: {tmp_path / 'nope.toml'}: cannot be read: "
        "No such file or directory\n",
    )
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n', "utf-8")
    result = run("check", "--config", tmp_path / "pyproject.toml", SEED_DE)
    assert result.code == 2
    assert result.err.endswith("pyproject.toml: has no [tool.pc-validate] table\n")


def test_an_unknown_cloud_in_the_file_is_exit_2(project: Path) -> None:
    (project / ".pc-validate.toml").write_text('cloud = "mars"\n', "utf-8")
    result = run("check", SEED_DE)
    assert result.code == 2
    assert "mars" in result.err


def test_outputs_come_from_the_file_relative_to_it(project: Path) -> None:
    (project / ".pc-validate.toml").write_text(
        'format = "json"\noutput = ["sarif=reports/run.sarif", "junit=run.xml"]\n', "utf-8"
    )
    (project / "reports").mkdir()
    result = run("check", US_INVALID)
    assert result.code == 1
    sarif = json.loads((project / "reports" / "run.sarif").read_text("utf-8"))
    assert sarif["version"] == "2.1.0"
    assert len(sarif["runs"][0]["results"]) == 3
    assert (project / "run.xml").read_text("utf-8").startswith("<?xml")
    assert result.json()["summary"]["records"] == 1  # --format from the file too


def test_the_command_line_s_outputs_replace_the_file_s(project: Path) -> None:
    (project / ".pc-validate.toml").write_text('output = ["sarif=from-file.sarif"]\n', "utf-8")
    result = run("check", "--output", "gitlab=cli.json", SEED_DE)
    assert result.code == 0
    assert not (project / "from-file.sarif").exists()
    assert (project / "requests" / "cli.json").is_file()  # the command line's: from here


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ('["results.sarif"]', "output: must be FORMAT=PATH, not 'results.sarif'"),
        ('["xml=out.xml"]', "output: 'xml' is not one of text, json, jsonl, sarif"),
        ('"sarif=out.sarif"', "output: must be a list of strings, not str"),
    ],
)
def test_a_bad_output_in_the_file_is_exit_2(project: Path, entries: str, message: str) -> None:
    (project / ".pc-validate.toml").write_text(f"output = {entries}\n", "utf-8")
    result = run("check", SEED_DE)
    assert result.code == 2
    assert message in result.err
    assert list(project.rglob("*.sarif")) == []


def test_no_format_in_the_file_leaves_the_choice_to_github_actions(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / ".pc-validate.toml").write_text('fail-on = "warning"\n', "utf-8")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    result = run("check", US_INVALID)
    assert result.code == 1
    assert result.out.startswith("::error ")
