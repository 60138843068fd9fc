"""The published JSON Schema of the report matches what the library and the command produce.

Real output (library and CLI, every example, redacted or not, unreadable inputs, stdin) must
validate; hand-broken documents must not, so the schema is shown to constrain something.
The examples under examples/valid and examples/invalid must behave as their folder says.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from pc_validate import Report, validate
from pc_validate.model import CODES, SEVERITIES
from pc_validate.payload import PayloadError, parse
from pc_validate.report import REPORT_FORMAT, document, unreadable_result
from pc_validate.resources import load_schema, schema_path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
VALID = sorted((EXAMPLES / "valid").glob("*.json"))
INVALID = sorted((EXAMPLES / "invalid").glob("*.json"))
SCHEMA_FILE = ROOT / "pc_validate" / "schemas" / "report.schema.json"


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def validator(schema: dict[str, Any]) -> Draft202012Validator:
    return Draft202012Validator(schema)


def errors(validator: Draft202012Validator, doc: Any) -> list[str]:
    """Every schema error, as 'where: message' lines (empty when the document conforms)."""
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(doc)
    ]


def cli_json(*argv: str | Path, stdin: bytes = b"") -> tuple[int, Any]:
    """Run `pc-validate check --format json argv...` in-process; return exit code and document."""
    result = run_cli("check", "--format", "json", *argv, stdin=stdin)
    return result.code, result.json()


# --- the schema itself ----------------------------------------------------------------------


def test_schema_is_a_valid_draft_2020_12_schema(schema: dict[str, Any]) -> None:
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"]
    assert {"result", "violation"} <= set(schema["$defs"])


def test_schema_ships_where_the_package_looks_for_it(schema: dict[str, Any]) -> None:
    assert schema_path("report.schema.json").resolve() == SCHEMA_FILE.resolve()
    assert load_schema("report.schema.json") == schema


def test_code_enum_is_the_closed_list_of_codes(schema: dict[str, Any]) -> None:
    enum = schema["$defs"]["violation"]["properties"]["code"]["enum"]
    assert len(enum) == len(set(enum))
    assert set(enum) == set(CODES)


def test_severity_enum_and_format_version_agree_with_the_code(schema: dict[str, Any]) -> None:
    assert schema["$defs"]["severity"]["enum"] == list(SEVERITIES)
    assert schema["properties"]["version"]["const"] == REPORT_FORMAT


def test_every_property_has_a_description(schema: dict[str, Any]) -> None:
    """Editors show descriptions; a property without one (or a $ref to a def) is a gap."""
    undocumented: list[str] = []

    def walk(node: Any, where: str) -> None:
        if not isinstance(node, dict):
            return
        for name, sub in node.get("properties", {}).items():
            if "description" not in sub and "$ref" not in sub:
                undocumented.append(f"{where}/{name}")
            walk(sub, f"{where}/{name}")
        for name, sub in node.get("$defs", {}).items():
            walk(sub, f"#/$defs/{name}")
        walk(node.get("items"), f"{where}[]")

    walk(schema, "#")
    assert undocumented == []


# --- real output conforms -------------------------------------------------------------------


@pytest.mark.parametrize("path", VALID + INVALID, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_validate_on_every_example_conforms(validator: Draft202012Validator, path: Path) -> None:
    """validate() on the raw bytes: parsed examples and the unparsable one (payload.json)."""
    report = validate(path.read_bytes())
    assert errors(validator, report.to_dict()) == []
    assert errors(validator, validate(path.read_bytes(), redact=True).to_dict()) == []


def test_report_to_dict_for_a_valid_payload_conforms(validator: Draft202012Validator) -> None:
    report = validate(json.loads((EXAMPLES / "valid" / "customer-gb-camelcase.json").read_text()))
    doc = report.to_dict()
    assert report.ok
    assert errors(validator, doc) == []
    assert doc["results"][0]["input"] is None
    assert json.loads(report.to_json()) == doc


def test_report_to_dict_for_an_invalid_payload_conforms(validator: Draft202012Validator) -> None:
    payload = json.loads((EXAMPLES / "invalid" / "us-bad-state-and-zip.json").read_text())
    report = validate(payload)
    assert not report.ok
    assert errors(validator, report.to_dict()) == []


def test_non_object_and_odd_payloads_conform(validator: Draft202012Validator) -> None:
    for payload in ([], "text", 3, None, {"billingProfile": [1, {"a": None}], "~/": 1.5}):
        assert errors(validator, validate(payload).to_dict()) == [], payload


def test_cli_single_input_conforms(validator: Draft202012Validator) -> None:
    code, doc = cli_json(EXAMPLES / "valid" / "seed-de-2023.json")
    assert code == 0
    assert errors(validator, doc) == []


def test_cli_several_inputs_conform(validator: Draft202012Validator) -> None:
    code, doc = cli_json(*VALID, *INVALID)
    assert code == 2  # the Swedish seed is unreadable
    assert errors(validator, doc) == []
    assert {r["status"] for r in doc["results"]} == {"valid", "invalid", "unreadable"}


def test_cli_unreadable_inputs_conform(validator: Draft202012Validator, tmp_path: Path) -> None:
    (tmp_path / "empty.json").write_bytes(b"")
    (tmp_path / "hello.json").write_bytes(b"hello")
    (tmp_path / "bad.json").write_bytes(b'{"a": "\xff"}')
    code, doc = cli_json(
        tmp_path / "empty.json",
        tmp_path / "hello.json",
        tmp_path / "bad.json",
        tmp_path / "missing.json",
        tmp_path,
        EXAMPLES / "invalid" / "seed-sv-2021-trailing-commas.json",
    )
    assert code == 2
    assert errors(validator, doc) == []
    assert doc["summary"]["unreadable"] == 6
    no_position = doc["results"][3]["error"]
    assert (no_position["line"], no_position["column"]) == (None, None)


def test_cli_stdin_conforms(validator: Draft202012Validator) -> None:
    data = (
        b"\xef\xbb\xbf" + (EXAMPLES / "invalid" / "uk-country-and-en-uk-culture.json").read_bytes()
    )
    code, doc = cli_json("-", stdin=data)
    assert code == 1
    assert errors(validator, doc) == []
    assert doc["results"][0]["input"] == "<stdin>"


def test_cli_redacted_output_conforms(validator: Draft202012Validator) -> None:
    code, doc = cli_json("--redact", *VALID, *INVALID)
    assert code == 2
    assert errors(validator, doc) == []
    violations = [v for r in doc["results"] for v in r["violations"]]
    assert violations and all("value" not in v for v in violations)


def test_unreadable_result_and_document_helpers_conform(validator: Draft202012Validator) -> None:
    doc = document(
        [unreadable_result("x.json", "no such file"), unreadable_result(None, "bad", 1, 2)]
    )
    assert errors(validator, doc) == []
    assert errors(validator, document([])) == []


JSON_LEAF = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
)
KEYS = st.one_of(
    st.sampled_from(
        [
            "billingProfile",
            "BillingProfile",
            "companyProfile",
            "defaultAddress",
            "DefaultAddress",
            "email",
            "culture",
            "language",
            "country",
            "Country",
            "state",
            "postalCode",
            "domain",
            "phoneNumber",
            "organizationRegistrationNumber",
            "enableGDAPByDefault",
        ]
    ),
    st.text(max_size=8),
)
JSON_VALUE = st.recursive(
    JSON_LEAF,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=5),
    max_leaves=25,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(payload=JSON_VALUE, redact=st.booleans())
def test_any_payload_gives_a_conforming_report(payload: Any, redact: bool) -> None:
    """Whatever JSON arrives, the report validates (pointers escaped, values echoed safely)."""
    validator = Draft202012Validator(load_schema("report.schema.json"))
    doc = validate(payload, redact=redact).to_dict()
    assert errors(validator, doc) == []
    json.dumps(doc, allow_nan=False)  # serialisable as strict JSON


# --- the schema bites -----------------------------------------------------------------------


def _sample() -> dict[str, Any]:
    """A real invalid-payload document with at least one error, one info and a value."""
    payload = json.loads((EXAMPLES / "invalid" / "uk-country-and-en-uk-culture.json").read_text())
    payload["billingProfile"]["language"] = "EN"
    doc = validate(payload).to_dict()
    assert doc["results"][0]["counts"]["info"] >= 1
    return doc


def _first_violation(doc: dict[str, Any]) -> dict[str, Any]:
    violation: dict[str, Any] = doc["results"][0]["violations"][0]
    return violation


Mutation = Callable[[dict[str, Any]], None]

BROKEN: dict[str, Mutation] = {
    "unknown code": lambda d: _first_violation(d).update(code="bad_thing"),
    "unknown severity": lambda d: _first_violation(d).update(severity="fatal"),
    "extra violation key": lambda d: _first_violation(d).update(hint="x"),
    "missing message": lambda d: _first_violation(d).pop("message"),
    "missing suggestion key": lambda d: _first_violation(d).pop("suggestion"),
    "path without leading slash": lambda d: _first_violation(d).update(path="billingProfile"),
    "path with a bad ~ escape": lambda d: _first_violation(d).update(path="/a~2b"),
    "rule id with capitals": lambda d: _first_violation(d).update(rule="Address.Country"),
    "params not an object": lambda d: _first_violation(d).update(params=[]),
    "partner_center_error as text": lambda d: _first_violation(d).update(
        partner_center_error="600049"
    ),
    "empty source": lambda d: _first_violation(d).update(source=""),
    "unknown status": lambda d: d["results"][0].update(status="broken"),
    "ok disagrees with status": lambda d: d["results"][0].update(ok=True),
    "invalid with an error entry": lambda d: d["results"][0].update(
        error={"message": "x", "line": None, "column": None}
    ),
    "invalid without error counts": lambda d: d["results"][0]["counts"].update(error=0),
    "valid with an error violation": lambda d: d["results"][0].update(status="valid", ok=True),
    "negative count": lambda d: d["summary"]["violations"].update(info=-1),
    "extra count key": lambda d: d["summary"]["violations"].update(fatal=0),
    "extra result key": lambda d: d["results"][0].update(record_label="#1"),
    "record not a number": lambda d: d["results"][0].update(record="0"),
    "extra top-level key": lambda d: d.update(generated="today"),
    "missing summary": lambda d: d.pop("summary"),
    "other tool": lambda d: d["tool"].update(name="other"),
    "other format version": lambda d: d.update(version="2.0"),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_schema_rejects_a_malformed_document(validator: Draft202012Validator, name: str) -> None:
    doc = _sample()
    assert errors(validator, doc) == []
    BROKEN[name](doc)
    assert errors(validator, doc) != []


UNREADABLE_BROKEN: dict[str, Mutation] = {
    "no error entry": lambda r: r.pop("error"),
    "ok true": lambda r: r.update(ok=True),
    "has a violation": lambda r: r["violations"].append(
        {
            "rule": "payload.json",
            "code": "invalid_format",
            "severity": "error",
            "path": "",
            "message": "m",
            "params": {},
            "suggestion": None,
            "partner_center_error": None,
            "source": "s",
        }
    ),
    "column without line": lambda r: r["error"].update(line=None),
    "line 0": lambda r: r["error"].update(line=0),
    "empty message": lambda r: r["error"].update(message=""),
    "extra error key": lambda r: r["error"].update(offset=3),
}


@pytest.mark.parametrize("name", sorted(UNREADABLE_BROKEN))
def test_schema_rejects_a_malformed_unreadable_result(
    validator: Draft202012Validator, name: str
) -> None:
    result = unreadable_result("x.json", "trailing comma", 4, 5)
    assert errors(validator, document([result])) == []
    broken = copy.deepcopy(result)
    UNREADABLE_BROKEN[name](broken)
    assert errors(validator, document([broken])) != []


@pytest.mark.parametrize("path", ["", "/", "/billingProfile", "/a~0b/c~1d", "/x/0/", "/é  ü"])
def test_schema_accepts_json_pointers(validator: Draft202012Validator, path: str) -> None:
    doc = _sample()
    _first_violation(doc)["path"] = path
    assert errors(validator, doc) == []


# --- the examples behave as their folder says -----------------------------------------------


def test_there_are_examples_in_both_folders() -> None:
    assert len(VALID) >= 4 and len(INVALID) >= 5


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_every_valid_example_is_ok(path: Path) -> None:
    report = validate(path.read_bytes())
    assert report.ok, [v.to_dict() for v in report.errors]


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.name)
def test_every_invalid_example_is_unparsable_or_not_ok(path: Path) -> None:
    try:
        payload = parse(path.read_bytes())
    except PayloadError:
        return
    assert not validate(payload).ok


EXPECTED_RULES = {
    "missing-required-fields.json": {
        "billing.company_name.required",
        "billing.culture.required",
        "billing.language.required",
        "address.line1.required",
        "address.first_name.required",
        "address.last_name.required",
        "address.state.required",
        "address.postal_code.required",
        "company.domain.required",
    },
    "us-bad-state-and-zip.json": {"address.state.us_code", "address.postal_code.us_format"},
    "uk-country-and-en-uk-culture.json": {"address.country.code", "billing.culture.supported"},
    "br-missing-registration-number.json": {"company.registration_number.required"},
}


@pytest.mark.parametrize("name", sorted(EXPECTED_RULES))
def test_invalid_examples_fail_for_the_reason_their_name_gives(name: str) -> None:
    report: Report = validate((EXAMPLES / "invalid" / name).read_bytes())
    found = {v.rule for v in report.errors}
    assert EXPECTED_RULES[name] <= found, found


def test_invalid_examples_suggest_the_fix() -> None:
    by_rule = {
        v.rule: v.suggestion
        for name in ("us-bad-state-and-zip.json", "uk-country-and-en-uk-culture.json")
        for v in validate((EXAMPLES / "invalid" / name).read_bytes()).violations
    }
    assert by_rule["address.state.us_code"] == "WA"
    assert by_rule["address.country.code"] == "GB"
    assert by_rule["billing.culture.supported"] == "en-GB"


def test_br_example_pre_empts_partner_center_error_600049() -> None:
    report = validate((EXAMPLES / "invalid" / "br-missing-registration-number.json").read_bytes())
    (violation,) = report.errors
    assert violation.partner_center_error == 600049
