"""The pydantic integration (issue 16 item 2): PartnerCenterCustomer raises one pydantic
ValidationError with every error-severity violation (loc from the JSON Pointer, type the rule
id, msg the message, severity, code, suggestion and Partner Center code in ctx); warnings
pass and stay readable. Tested in a real FastAPI app through its test client."""

from __future__ import annotations

import copy
from typing import Annotated, Any

import pytest
from pydantic import BaseModel, ValidationError

from pc_validate import validate
from pc_validate.models import Customer
from pc_validate.pydantic_types import CheckedBody, PartnerCenterCustomer
from pc_validate.testing import VALID_US_PAYLOAD


def _invalid() -> dict[str, Any]:
    """Three errors (e-mail, culture, postal code) and a warning (an unknown key)."""
    payload = copy.deepcopy(VALID_US_PAYLOAD)
    payload["billingProfile"]["email"] = "not-an-email"
    payload["billingProfile"]["culture"] = "xx-YY"
    payload["billingProfile"]["defaultAddress"]["postalCode"] = "ABC"
    payload["companyProfile"]["comment"] = "kept"
    return payload


def _expected_errors(payload: Any) -> list[dict[str, Any]]:
    """The errors pydantic should list, built from pc-validate's own report."""
    return [
        {
            "type": v.rule,
            "loc": tuple(v.path.split("/")[1:]),
            "msg": v.message,
            "ctx": {
                "severity": "error",
                "code": v.code,
                "suggestion": v.suggestion,
                "partner_center_error": v.partner_center_error,
                "message": v.message,
            },
        }
        for v in validate(payload).errors
    ]


class Onboarding(BaseModel):
    customer: Annotated[dict[str, Any], PartnerCenterCustomer()]


def test_one_validation_error_holds_every_error_of_the_report() -> None:
    payload = _invalid()
    assert len(validate(payload).errors) >= 3
    with pytest.raises(ValidationError) as raised:
        Onboarding(customer=payload)
    errors = [
        {key: error[key] for key in ("type", "loc", "msg", "ctx")}
        for error in raised.value.errors()
    ]
    expected = _expected_errors(payload)
    for error in expected:
        error["loc"] = ("customer", *error["loc"])
    assert errors == expected


def test_a_body_that_passes_carries_its_warnings() -> None:
    payload = copy.deepcopy(VALID_US_PAYLOAD)
    payload["companyProfile"]["comment"] = "kept"
    customer = Onboarding(customer=payload).customer
    assert isinstance(customer, CheckedBody) and customer == payload
    assert [v.rule for v in customer.warnings] == ["payload.unknown_key"]


def test_fail_on_warning_fails_on_warnings_and_keeps_pointer_tokens_exact() -> None:
    """~1 and ~0 in a pointer are "/" and "~" in loc; an array index is an int."""
    payload = copy.deepcopy(VALID_US_PAYLOAD)
    payload["companyProfile"]["a/b~c"] = 1
    payload["billingProfile"]["email"] = ["x"]
    strict = PartnerCenterCustomer(fail_on="warning")
    with pytest.raises(ValidationError) as raised:
        strict.check(payload)
    locs = {error["loc"] for error in raised.value.errors()}
    assert ("companyProfile", "a/b~c") in locs
    assert ("billingProfile", "email") in locs


def test_the_message_is_never_filled_from_the_context() -> None:
    """pydantic replaces {name} in a message template: a value that reads like one stays."""
    payload = copy.deepcopy(VALID_US_PAYLOAD)
    payload["billingProfile"]["email"] = "{severity}{code}@{message}"
    with pytest.raises(ValidationError) as raised:
        PartnerCenterCustomer().check(payload)
    (error,) = raised.value.errors()
    (violation,) = validate(payload).errors
    assert error["msg"] == violation.message and "{severity}" in error["msg"]


def test_redact_leaves_the_values_out() -> None:
    with pytest.raises(ValidationError) as raised:
        PartnerCenterCustomer(redact=True).check(_invalid())
    assert all(error["input"] is None for error in raised.value.errors())
    assert "not-an-email" not in str(raised.value)


def test_a_body_that_is_not_an_object_fails_by_the_rules() -> None:
    with pytest.raises(ValidationError) as raised:
        Onboarding(customer=[1])  # type: ignore[arg-type]
    (error,) = raised.value.errors()
    assert error["type"] == "payload.type" and error["loc"] == ("customer",)


def test_the_model_method_raises_the_errors_and_returns_the_warnings() -> None:
    with pytest.raises(ValidationError) as raised:
        Customer.model_validate(_invalid()).check()
    assert [e["type"] for e in raised.value.errors()] == [
        v.rule for v in validate(_invalid()).errors
    ]
    payload = copy.deepcopy(VALID_US_PAYLOAD)
    payload["companyProfile"]["comment"] = "kept"
    assert [v.rule for v in Customer.model_validate(payload).check().warnings] == [
        "payload.unknown_key"
    ]


# --- inside a real FastAPI app ------------------------------------------------------------------


@pytest.fixture(scope="module")
def client() -> Any:
    fastapi = pytest.importorskip("fastapi", reason="the server extra is not installed")
    from fastapi.testclient import TestClient

    app = fastapi.FastAPI()

    @app.post("/customers")
    def create(body: Annotated[dict[str, Any], PartnerCenterCustomer()]) -> dict[str, Any]:
        assert isinstance(body, CheckedBody)
        return {"warnings": [v.rule for v in body.warnings]}

    @app.post("/typed")
    def typed(body: Annotated[Customer, PartnerCenterCustomer()]) -> dict[str, Any]:
        return {"email": body.billing_profile.email if body.billing_profile else None}

    return TestClient(app)


def test_fastapi_answers_422_listing_every_violation(client: Any) -> None:
    payload = _invalid()
    for path in ("/customers", "/typed"):
        answer = client.post(path, json=payload)
        assert answer.status_code == 422
        detail = answer.json()["detail"]
        expected = _expected_errors(payload)
        assert [(e["type"], e["loc"], e["msg"]) for e in detail] == [
            (e["type"], ["body", *e["loc"]], e["msg"]) for e in expected
        ]
        assert all(e["ctx"]["severity"] == "error" for e in detail)


def test_fastapi_passes_a_valid_body_with_its_warnings(client: Any) -> None:
    payload = copy.deepcopy(VALID_US_PAYLOAD)
    payload["companyProfile"]["comment"] = "kept"
    answer = client.post("/customers", json=payload)
    assert answer.status_code == 200 and answer.json() == {"warnings": ["payload.unknown_key"]}
    pascal = {"BillingProfile": payload["billingProfile"], "CompanyProfile": {"Domain": "x"}}
    pascal["CompanyProfile"] = payload["companyProfile"]
    answer = client.post("/typed", json=pascal)
    assert answer.status_code == 200
    assert answer.json() == {"email": payload["billingProfile"]["email"]}
