"""The bundled rules' JSON twin (rules/bundled.json) says exactly what the YAML files say."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from conftest import load_script

import pc_validate.resources as resources
from pc_validate import rules
from pc_validate.resources import rules_dir
from pc_validate.rules import TWIN, load_rules

ROOT = Path(__file__).resolve().parent.parent


def _generator() -> ModuleType:
    return load_script("generate_rules_json")


def test_the_twin_is_current() -> None:
    expected = _generator().render()
    actual = (rules_dir() / TWIN).read_text(encoding="utf-8")
    assert actual == expected, "run: python scripts/generate_rules_json.py"


@pytest.mark.parametrize("cloud", rules.clouds())
def test_rules_from_the_twin_equal_rules_from_yaml(
    cloud: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from_twin = load_rules(cloud=cloud)
    monkeypatch.setattr(rules, "_twin", lambda: {})
    from_yaml = load_rules(cloud=cloud)
    assert from_twin == from_yaml
    assert [rule.origin for rule in from_twin.rules] == [rule.origin for rule in from_yaml.rules]


def test_an_edited_rule_file_is_read_from_its_yaml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "rules"
    shutil.copytree(rules_dir(), copy)
    billing = copy / "billing.yaml"
    billing.write_text(
        billing.read_text(encoding="utf-8").replace("severity: error", "severity: warning", 1),
        encoding="utf-8",
    )
    monkeypatch.setattr(rules, "rules_dir", lambda: copy)
    monkeypatch.setattr(resources, "rules_dir", lambda: copy)
    edited = load_rules()
    first_billing = next(rule for rule in edited.rules if rule.origin.startswith("rules/billing"))
    assert first_billing.severity == "warning"


def test_the_default_rules_do_not_import_yaml() -> None:
    code = "import sys, pc_validate; pc_validate.validate({}); print('yaml' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
