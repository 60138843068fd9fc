"""The pre-commit hooks of `.pre-commit-hooks.yaml` (issue 15, item 5), run by the real
pre-commit with `try-repo` on this checkout in a temporary git repository: pre-commit clones
the checkout and installs the hook's environment from the package registry, as for a user.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, VALID_US_PAYLOAD

pre_commit = pytest.importorskip("pre_commit.clientlib", reason="pre-commit is not installed")

HOOKS = ROOT / ".pre-commit-hooks.yaml"
#: pre-commit builds a virtualenv and pip-installs the checkout and its dependencies.
INSTALL_TIMEOUT = 900


def test_the_manifest_is_valid_and_names_both_hooks() -> None:
    hooks = {hook["id"]: hook for hook in pre_commit.load_manifest(str(HOOKS))}
    assert set(hooks) == {"pc-validate", "pc-validate-fix"}
    assert hooks["pc-validate"]["entry"].startswith("pc-validate check")
    assert hooks["pc-validate-fix"]["entry"] == "pc-validate fix --in-place"


@pytest.mark.parametrize(
    ("name", "check", "fix"),
    [
        ("customers/a.json", True, True),
        ("exports/B.JSONL", True, True),
        ("exports/c.ndjson", True, True),
        ("exports/d.jsonlines", True, True),
        ("exports/e.csv", True, False),  # fix does not write CSV
        ("notes.txt", False, False),
        ("a.json.bak", False, False),
    ],
)
def test_the_file_patterns_take_json_json_lines_and_csv(name: str, check: bool, fix: bool) -> None:
    import re

    hooks = {hook["id"]: hook for hook in pre_commit.load_manifest(str(HOOKS))}
    assert bool(re.search(hooks["pc-validate"]["files"], name)) is check
    assert bool(re.search(hooks["pc-validate-fix"]["files"], name)) is fix


def _git(repo: Path, *argv: str, env: dict[str, str]) -> None:
    subprocess.run(["git", *argv], cwd=repo, env=env, check=True, capture_output=True, timeout=60)


def _body(**billing: Any) -> str:
    payload = json.loads(json.dumps(VALID_US_PAYLOAD))
    payload["billingProfile"].update(billing)
    return json.dumps(payload, indent=2) + "\n"


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_try_repo_runs_both_hooks_as_a_user_would(tmp_path: Path) -> None:
    repo = tmp_path / "onboarding"
    (repo / "customers").mkdir(parents=True)
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "GIT_AUTHOR_NAME": "test",
        "GIT_AUTHOR_EMAIL": "test@example.com",
        "GIT_COMMITTER_NAME": "test",
        "GIT_COMMITTER_EMAIL": "test@example.com",
        "GIT_CONFIG_NOSYSTEM": "1",
        "NO_COLOR": "1",
    }
    env.pop("PYTHONPATH", None)  # the hook runs the installed package, not this tree
    _git(repo, "init", "-q", env=env)
    good, bad = repo / "customers" / "good.json", repo / "customers" / "bad.json"
    good.write_text(_body(), "utf-8")
    bad.write_text(_body(culture="EN-us", email="not an email"), "utf-8")
    (repo / "notes.txt").write_text("not a body\n", "utf-8")
    _git(repo, "add", ".", env=env)

    def try_repo(hook: str, *files: Path) -> subprocess.CompletedProcess[str]:
        argv = [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), hook, "--files"]
        return subprocess.run(
            [*argv, *(str(path.relative_to(repo)) for path in files)],
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT,
        )

    passed = try_repo("pc-validate", good, repo / "notes.txt")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "pc-validate check" in passed.stdout and "Passed" in passed.stdout

    failed = try_repo("pc-validate", good, bad)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "billing.email.format" in failed.stdout
    assert "customers/bad.json: invalid" in failed.stdout

    before = bad.read_text("utf-8")
    fixed = try_repo("pc-validate-fix", good, bad)
    assert fixed.returncode == 1  # files were modified (and an error is left)
    assert "files were modified by this hook" in fixed.stdout
    assert bad.read_text("utf-8") == before.replace('"EN-us"', '"en-US"')
    assert good.read_text("utf-8") == _body()


def test_the_readme_pre_commit_snippet_is_a_valid_config(tmp_path: Path) -> None:
    """The README's .pre-commit-config.yaml snippet, read as pre-commit reads a config."""
    import re

    readme = (ROOT / "README.md").read_text("utf-8")
    snippets = [
        block
        for block in re.findall(r"```yaml\n(.*?)```", readme, re.DOTALL)
        if "repos:" in block and "id: pc-validate" in block
    ]
    if not snippets:
        pytest.skip("the README has no .pre-commit-config.yaml snippet yet")
    for snippet in snippets:
        config = tmp_path / ".pre-commit-config.yaml"
        config.write_text(snippet, "utf-8")
        hooks = [
            hook["id"]
            for repo in pre_commit.load_config(str(config))["repos"]
            for hook in repo["hooks"]
        ]
        assert set(hooks) <= {"pc-validate", "pc-validate-fix"}
