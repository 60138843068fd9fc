"""Where the package finds its bundled data: rule files and JSON Schemas.

In a wheel the rule files sit inside the package (``pc_validate/rules``); in a source
checkout or an editable install they are the repository's top-level ``rules/`` folder.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

_PACKAGE = Path(__file__).resolve().parent


@cache
def rules_dir() -> Path:
    for candidate in (_PACKAGE / "rules", _PACKAGE.parent / "rules"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("pc-validate's bundled rules folder is missing from this install")


def bundled_rule_files() -> list[Path]:
    """The bundled rule files in the order they are read (by name)."""
    return sorted(rules_dir().glob("*.yaml"))


def cloud_overlays() -> dict[str, Path]:
    """Each cloud's rule overlay file by cloud name (``rules/clouds/NAME.yaml``)."""
    return {path.stem: path for path in sorted((rules_dir() / "clouds").glob("*.yaml"))}


def schema_path(name: str) -> Path:
    return _PACKAGE / "schemas" / name


@cache
def load_schema(name: str) -> Any:
    """A bundled JSON Schema, e.g. ``report.schema.json``."""
    return json.loads(schema_path(name).read_text(encoding="utf-8"))
