"""What README shows being imported from pc_validate is exported: importable, and in
``__all__`` (the package imports it lazily, through ``_HOMES``)."""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

import pc_validate

README = Path(__file__).resolve().parents[1] / "README.md"


def _readme_names() -> set[str]:
    """Names README imports `from pc_validate import ...` or calls as `pc_validate.name(`."""
    text = README.read_text(encoding="utf-8")
    names: set[str] = set()
    for imported in re.findall(r"^from pc_validate import \(?([^)\n]+)\)?$", text, re.M):
        names |= {name.strip() for name in imported.split(",") if name.strip()}
    names |= set(re.findall(r"\bpc_validate\.([A-Za-z_]\w*)\(", text))
    return names


def test_readme_names_are_found() -> None:
    """The scan itself finds what README is known to use (else the test below is vacuous)."""
    assert {"validate", "Validator", "load_rules", "normalize", "repair"} <= _readme_names()


@pytest.mark.parametrize("name", sorted(_readme_names()))
def test_every_name_readme_imports_is_exported(name: str) -> None:
    assert name in pc_validate.__all__
    assert getattr(importlib.import_module("pc_validate"), name) is not None


def test_every_exported_name_is_importable() -> None:
    """__all__ and the lazy table agree: each name resolves, and from its own module."""
    for name in pc_validate.__all__:
        value = getattr(pc_validate, name)
        home = pc_validate._HOMES.get(name)
        if home is not None:
            assert getattr(importlib.import_module(f"pc_validate.{home}"), name) is value
    assert set(pc_validate._HOMES) <= set(pc_validate.__all__)


def test_import_pc_validate_stays_lazy() -> None:
    """`import pc_validate` loads none of the validator's modules (the CLI relies on it)."""
    code = "import sys, pc_validate; print(sorted(m for m in sys.modules if 'pc_valid' in m))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "['pc_validate']"
