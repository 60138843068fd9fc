"""The typed request models (pc_validate.models, issue 16 item 1): they hold every field the
rules know, match keys as the service does, keep unknown keys and values as sent, and never
refuse or change what the rules would judge: a model's body draws the report its source
draws, on every rule case and example."""

from __future__ import annotations

import json
import warnings
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from pydantic_core import PydanticSerializationError
from test_rule_cases import ALL_CASES

from pc_validate import validate
from pc_validate.api import validator_for
from pc_validate.inputs import read_records
from pc_validate.model import fold
from pc_validate.models import (
    Address,
    Body,
    Customer,
    CustomerBillingProfile,
    CustomerCompanyProfile,
    UserCredentials,
)
from pc_validate.payload import PayloadError
from pc_validate.records import Body as Record
from pc_validate.report import Report
from pc_validate.rules import load_rules
from pc_validate.testing import VALID_US_PAYLOAD, build_payload

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def _example_payloads() -> list[tuple[str, Any]]:
    """Every body of examples/ that is JSON (one seed has trailing commas on purpose)."""
    found = []
    for path in sorted(EXAMPLES.rglob("*")):
        fmt = {".json": "json", ".jsonl": "jsonl", ".csv": "csv"}.get(path.suffix)
        if fmt is None or path.parent.name == "rules":
            continue
        types = {fold(".".join(p)): t for p, t in load_rules().catalog.types.items()}
        with path.open("rb") as handle:
            for record in read_records(handle, path.name, fmt, types):
                if isinstance(record, Record):
                    try:
                        found.append((f"{path.name}#{record.where.index}", record.parsed()))
                    except PayloadError:
                        continue
    return found


def _judged(report: Report) -> Counter[tuple[str, str, str, str]]:
    """What a report says, with its pointers' keys folded: a model spells known keys in
    camelCase, the source as it was sent."""
    return Counter((v.rule, v.code, v.severity, fold(v.path)) for v in report.violations)


def _assert_faithful(payload: Any, cloud: str) -> None:
    validator = validator_for(cloud=cloud)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no serialiser warning for a value kept as sent
        if not isinstance(payload, dict):
            with pytest.raises(ValueError, match="Customer"):
                Customer.model_validate(payload)
            return
        model = Customer.model_validate(payload)
        body = model.to_body()
        try:
            json_body = json.loads(model.model_dump_json(exclude_unset=True))
        except PydanticSerializationError as exc:  # UTF-8 has no lone surrogate
            assert "surrogates not allowed" in str(exc)
            json_body = body
    assert validate(model, validator=validator) == validate(body, validator=validator)
    assert _judged(validator.validate(body)) == _judged(validator.validate(payload))
    assert _judged(validator.validate(json_body)) == _judged(validator.validate(payload))


def test_a_models_body_draws_the_report_of_every_rule_case() -> None:
    """Valid and invalid alike: a model refuses no value and loosens none (issue 16:
    "building a model never rejects a value that the rules would accept")."""
    for case in ALL_CASES:
        _assert_faithful(build_payload(case.spec), case.cloud)


def test_a_models_body_draws_the_report_of_every_example() -> None:
    examples = _example_payloads()
    assert len(examples) > 10
    for _, payload in examples:
        _assert_faithful(payload, "global")


def test_the_models_hold_every_field_the_rules_know() -> None:
    """fields.yaml (the rules' catalogue of fields) and the models list the same fields."""

    def paths(model: type[Body], prefix: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
        found = set()
        for field in model.model_fields.values():
            assert field.alias is not None
            path = (*prefix, field.alias)
            found.add(path)
            nested = [
                arg
                for arg in getattr(field.annotation, "__args__", ())
                if isinstance(arg, type) and issubclass(arg, Body)
            ]
            for inner in nested:
                found |= paths(inner, path)
        return found

    assert paths(Customer) == set(load_rules().catalog.types) - {()}  # () is the body


def test_keys_in_any_letter_case_fill_the_fields_and_serialise_in_camel_case() -> None:
    sent = {
        "BillingProfile": {"EMAIL": "a@contoso.com", "defaultaddress": {"AddressLine1": "x"}},
        "companyprofile": {"Domain": "contoso.onmicrosoft.com"},
        "ENABLEGDAPBYDEFAULT": True,
    }
    model = Customer.model_validate(sent)
    assert model.billing_profile is not None and model.billing_profile.email == "a@contoso.com"
    assert model.enable_gdap_by_default is True
    assert model.to_body() == {
        "billingProfile": {"email": "a@contoso.com", "defaultAddress": {"addressLine1": "x"}},
        "companyProfile": {"domain": "contoso.onmicrosoft.com"},
        "enableGDAPByDefault": True,
    }


def test_python_code_builds_a_body_by_the_python_names() -> None:
    model = Customer(
        billing_profile=CustomerBillingProfile(
            email="a@contoso.com",
            default_address=Address(address_line1="1 Microsoft Way", middle_name=None),
        ),
        company_profile=CustomerCompanyProfile(organization_registration_number="123"),
        user_credentials=UserCredentials(user_name="admin"),
    )
    assert model.to_body() == {
        "billingProfile": {
            "email": "a@contoso.com",
            "defaultAddress": {"addressLine1": "1 Microsoft Way", "middleName": None},
        },
        "companyProfile": {"organizationRegistrationNumber": "123"},
        "userCredentials": {"userName": "admin"},
    }
    assert Customer(billingProfile={"Email": "x"}).to_body() == {"billingProfile": {"email": "x"}}
    with pytest.raises(TypeError, match="billingProfile is given twice"):
        Customer(billing_profile={}, billingProfile={})


def test_in_a_body_a_python_name_is_an_unknown_key() -> None:
    """The documentation's tables write company_name; the service does not read it, so the
    model keeps it as an unknown key (and the rules warn about it)."""
    sent = {"billingProfile": {"company_name": "Contoso", "email": "a@contoso.com"}}
    model = Customer.model_validate(sent)
    assert model.billing_profile is not None and model.billing_profile.company_name is None
    assert model.billing_profile.model_extra == {"company_name": "Contoso"}
    assert model.to_body() == sent
    rules = {v.rule for v in validate(model).violations}
    assert {"payload.unknown_key", "billing.company_name.required"} <= rules
    only = Customer.model_validate({"billing_profile": {}})
    assert only.billing_profile is None and only.to_body() == {"billing_profile": {}}


def test_values_are_kept_as_sent_never_coerced_or_refused() -> None:
    sent = {
        "enableGDAPByDefault": "yes",
        "billingProfile": {"email": 42, "defaultAddress": "One Microsoft Way"},
        "companyProfile": [1],
        "customDomains": "contoso.com",
        "tags": ["a", 1],
    }
    model = Customer.model_validate(sent)
    assert model.enable_gdap_by_default == "yes"  # type: ignore[comparison-overlap]
    assert model.to_body() == sent
    long = Address.model_validate({"addressLine1": "x" * 500, "country": "USA"})
    assert long.to_body() == {"addressLine1": "x" * 500, "country": "USA"}


def test_keys_that_differ_only_in_case_fill_no_field_and_keep_their_order() -> None:
    """The rules (and the service) use one of them, the last: the body keeps them in order."""
    sent = {"billingProfile": {"EMAIL": "a", "email": "b", "zip": 0, "Email": "c"}}
    profile = Customer.model_validate(sent).billing_profile
    assert profile is not None and profile.email is None
    assert list(profile.to_body().items()) == list(sent["billingProfile"].items())


def test_a_model_validates_as_its_body() -> None:
    model = Customer.model_validate(VALID_US_PAYLOAD)
    assert validate(model).ok and validate(model) == validate(VALID_US_PAYLOAD)
    assert validate(model.model_copy(update={"billing_profile": None})).errors


def test_the_models_json_schema_has_the_documented_limits_and_any_case() -> None:
    schema = Customer.model_json_schema()
    address = schema["$defs"]["Address"]
    line1 = address["properties"]["addressLine1"]["anyOf"][0]
    assert (line1["minLength"], line1["maxLength"]) == (1, 200)
    assert "default" not in address["properties"]["addressLine1"]
    assert address["patternProperties"]["^[Cc][Oo][Uu][Nn][Tt][Rr][Yy]$"]
    assert schema["additionalProperties"] is True
    assert "enableGDAPByDefault" in schema["properties"]
