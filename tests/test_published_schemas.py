"""The published JSON Schemas are generated, never edited: scripts/generate_schemas.py builds
them from pc_validate.documents and the check-kind registry (docs/architecture.md,
"Contracts kept"), and the committed files must be its output."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import load_script

from pc_validate.checks import REGISTRY, CheckKind, Param, register_kind, unregister_kind
from pc_validate.report import REPORT_FORMAT
from pc_validate.resources import load_schema

ROOT = Path(__file__).resolve().parent.parent


GENERATOR = load_script("generate_schemas")


@pytest.mark.parametrize("file", sorted(GENERATOR.DOCUMENTS))
def test_committed_schema_is_what_the_script_generates(file: str) -> None:
    """Compared as JSON: another pydantic release may order keys differently."""
    committed = json.loads((ROOT / "pc_validate" / "schemas" / file).read_text(encoding="utf-8"))
    assert committed == json.loads(GENERATOR.render(file)), (
        "run: python scripts/generate_schemas.py"
    )


@pytest.mark.parametrize("file", sorted(GENERATOR.DOCUMENTS))
def test_generated_schema_is_a_valid_2020_12_schema(file: str) -> None:
    schema = load_schema(file)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert not any(key.endswith("Document") for key in schema.get("$defs", {}))


def test_a_new_check_kind_appears_in_the_rule_file_schema() -> None:
    """A kind registered anywhere gets its clause, params and enum entry with no other edit."""
    kind = CheckKind(
        name="test_only_kind",
        scope="value",
        summary="A kind the test registers.",
        params={
            "limit": Param("int", "the most allowed", required=True),
            "mode": Param("choice", "how to count", choices=("chars", "bytes")),
        },
        build=lambda params, ctx: lambda value: None,
        templates={"test_only.message": "{field} is wrong."},
    )
    register_kind(kind)
    try:
        schema: dict[str, Any] = GENERATOR.schema_of(*GENERATOR.DOCUMENTS["rules.schema.json"])
    finally:
        unregister_kind(kind.name)
    rule = schema["$defs"]["rule"]
    assert "test_only_kind" in rule["properties"]["check"]["enum"]
    (clause,) = [c for c in rule["allOf"] if c["if"]["properties"]["check"]["const"] == kind.name]
    params = clause["then"]["properties"]["params"]
    assert params["required"] == ["limit"]
    assert params["properties"]["mode"]["enum"] == ["chars", "bytes", None]
    validator = jsonschema.Draft202012Validator(schema)
    rule_file = {"rules": [{"id": "test.x", "check": kind.name, "params": {"limit": 3}}]}
    assert list(validator.iter_errors(rule_file)) == []
    rule_file["rules"][0]["params"] = {"limit": -1}
    assert list(validator.iter_errors(rule_file))
    assert kind.name not in REGISTRY


def test_the_report_schema_names_the_format_the_writer_writes() -> None:
    schema = load_schema("report.schema.json")
    assert schema["properties"]["version"]["const"] == REPORT_FORMAT
    assert schema["$id"].endswith(f":{REPORT_FORMAT}")


def test_the_report_schema_reads_the_models_descriptions() -> None:
    """Descriptions come from the models' docstrings, one line each."""
    schema = load_schema("report.schema.json")
    description = schema["$defs"]["violation"]["properties"]["source"]["description"]
    assert description == "Where the rule comes from: the document and its date."
    text = json.dumps(schema)
    assert "\\n" not in text.replace("\\\\n", "")
