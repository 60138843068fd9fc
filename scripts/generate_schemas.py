"""Write pc_validate/schemas/*.schema.json from the typed models and the check-kind registry.

    python scripts/generate_schemas.py

The report's schema comes from pc_validate.documents.ReportDocument, the rule file's from
RuleFileDocument and every registered check kind's parameters (docs/architecture.md,
"Contracts kept"), the request body's from pc_validate.models.Customer. pydantic builds
them; `check` never needs it (the service reads the committed files), and a test keeps the
committed files equal to this script's output.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter
from pydantic.json_schema import GenerateJsonSchema

from pc_validate.documents import ReportDocument, RuleFileDocument, add_check_kinds
from pc_validate.models import Customer
from pc_validate.report import REPORT_FORMAT

SCHEMAS = Path(__file__).resolve().parent.parent / "pc_validate" / "schemas"
DIALECT = "https://json-schema.org/draft/2020-12/schema"
#: file -> (model, $id): the $id names the format's version (docs/architecture.md).
DOCUMENTS: dict[str, tuple[Any, str]] = {
    "report.schema.json": (ReportDocument, f"urn:pc-validate:schema:report:{REPORT_FORMAT}"),
    "rules.schema.json": (RuleFileDocument, "urn:pc-validate:schema:rules:1"),
    # The request body, for editors (`pc-validate schema request`): pc_validate.models.
    "request.schema.json": (Customer, "urn:pc-validate:schema:request:1"),
}


class _Untitled(GenerateJsonSchema):
    """pydantic's generator without the titles it makes up from Python names."""

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False


def _def_name(python_name: str) -> str:
    """A $defs name as the schemas have always spelled it: ResultDocument -> result."""
    name = python_name.removesuffix("Document")
    return name[:1].lower() + name[1:]


def _published(node: Any, names: dict[str, str]) -> Any:
    """`node` as published: every $ref to a renamed definition follows it, and descriptions
    (docstrings, wrapped in the source) are one line each."""
    if isinstance(node, list):
        return [_published(item, names) for item in node]
    if not isinstance(node, dict):
        return node
    published = {}
    for key, value in node.items():
        if key == "$ref" and value.removeprefix("#/$defs/") in names:
            published[key] = "#/$defs/" + names[value.removeprefix("#/$defs/")]
        elif key == "description" and isinstance(value, str):
            published[key] = " ".join(value.split())
        else:
            published[key] = _published(value, names)
    return published


def schema_of(model: Any, schema_id: str) -> dict[str, Any]:
    """The published JSON Schema of one model."""
    generated = TypeAdapter(model).json_schema(schema_generator=_Untitled)
    definitions = generated.pop("$defs", {})
    names = {name: _def_name(name) for name in definitions}
    for definition in definitions.values():
        definition.pop("title", None)
    schema = {"$schema": DIALECT, "$id": schema_id, **_published(generated, names)}
    if definitions:
        schema["$defs"] = {
            names[name]: _published(definitions[name], names) for name in sorted(definitions)
        }
    if "rule" in schema.get("$defs", {}):
        add_check_kinds(schema["$defs"]["rule"])
    return schema


def render(file: str) -> str:
    """The text of one schema file, as committed."""
    return json.dumps(schema_of(*DOCUMENTS[file]), indent=2, ensure_ascii=False) + "\n"


def main() -> int:
    for file in DOCUMENTS:
        (SCHEMAS / file).write_text(render(file), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
