"""The README's CI snippets (section "In CI and editors"): the GitHub workflow and the GitLab
job are valid for their CI system (SchemaStore's schemas, as check-jsonschema ships them,
offline), and the pc-validate commands in them and in the configuration snippet do what the
README says when run on a folder of customers."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT
from conftest import run_cli as run

README = ROOT / "README.md"
VALID = ROOT / "examples" / "valid" / "customer-gb-camelcase.json"  # no finding at all
INVALID = ROOT / "examples" / "invalid" / "us-bad-state-and-zip.json"


def _snippet(marker: str, language: str) -> str:
    text = README.read_text("utf-8")
    start = text.index(f"<!-- {marker} -->")
    found = re.search(rf"^```{language}\n(.*?)^```$", text[start:], flags=re.S | re.M)
    assert found, f"no {language} block after the README marker {marker!r}"
    return found.group(1)


def _validate(path: Path, schema: str) -> subprocess.CompletedProcess[str]:
    """check-jsonschema on `path` with one of the schemas it ships."""
    argv = [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, str(path)]
    return subprocess.run(argv, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(
    ("marker", "schema"),
    [("ci-snippet: github", "vendor.github-workflows"), ("ci-snippet: gitlab", "vendor.gitlab-ci")],
)
def test_the_snippet_is_valid_for_its_ci_system(tmp_path: Path, marker: str, schema: str) -> None:
    snippet = tmp_path / "snippet.yml"
    snippet.write_text(_snippet(marker, "yaml"), "utf-8")
    done = _validate(snippet, schema)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_schemas_refuse_a_broken_snippet(tmp_path: Path) -> None:
    """The check above can fail: a job without steps or runner is refused."""
    snippet = tmp_path / "broken.yml"
    snippet.write_text("on: [push]\njobs:\n  pc-validate:\n    steps: 3\n", "utf-8")
    assert _validate(snippet, "vendor.github-workflows").returncode == 1


def _commands(snippet: str) -> list[list[str]]:
    """The pc-validate command lines of a CI snippet, split as a shell splits them."""
    found = re.findall(r"(?:run:|- )\s*(pc-validate check .*)$", snippet, flags=re.M)
    return [shlex.split(line)[1:] for line in found]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository with customers/ holding a valid and an invalid body (one level down)."""
    (tmp_path / "customers" / "eu").mkdir(parents=True)
    shutil.copy(VALID, tmp_path / "customers" / "valid.json")
    shutil.copy(INVALID, tmp_path / "customers" / "eu" / "invalid.json")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return tmp_path


def test_the_github_step_annotates_and_writes_sarif(project: Path) -> None:
    (argv,) = _commands(_snippet("ci-snippet: github", "yaml"))
    result = run(*argv)
    assert result.code == 1
    assert result.out.count("::error file=customers/eu/invalid.json,line=") == 3
    sarif = json.loads((project / "pc-validate.sarif").read_text("utf-8"))
    assert len(sarif["runs"][0]["results"]) == 3


def test_the_gitlab_job_writes_code_quality_and_junit(project: Path) -> None:
    job = yaml.safe_load(_snippet("ci-snippet: gitlab", "yaml"))["pc-validate"]
    (argv,) = _commands("\n".join(f"- {line}" for line in job["script"]))
    result = run(*argv)
    assert result.code == 1
    reports = job["artifacts"]["reports"]
    quality = json.loads((project / reports["codequality"]).read_text("utf-8"))
    assert {issue["location"]["path"] for issue in quality} == {"customers/eu/invalid.json"}
    assert (project / reports["junit"]).read_text("utf-8").count("<testcase ") == 2


def test_the_configuration_snippet_is_read_as_the_readme_says(project: Path) -> None:
    config = _snippet("config-snippet", "toml")
    (project / "pyproject.toml").write_text(config, "utf-8")
    (project / "rules").mkdir()
    (project / "rules" / "our-overrides.yaml").write_text("rules: []\n", "utf-8")
    (project / "reports").mkdir()
    result = run("check", "customers/eu/invalid.json")
    assert result.code == 1
    assert "invalid (3 errors)" not in result.out  # locale = "de"
    assert "9805" not in result.out  # redact = true
    sarif = json.loads((project / "reports" / "pc-validate.sarif").read_text("utf-8"))
    assert sarif["runs"][0]["language"] == "de"
