"""Traceability of the service's recorded country rules (service-observed.md sections 1 and 4):
every field of each recorded `GET /v1/countryvalidationrules/{country}` answer, the rule that
encodes it, and a payload that proves the rule fires for that country while the country's
valid base payload passes. A field no rule encodes says why."""

from __future__ import annotations

import copy
from typing import Any, NamedTuple

import pytest

from pc_validate import validate
from pc_validate.testing import VALID_US_PAYLOAD

#: A valid address per recorded country: city, postal code, phone, state (None: none sent).
_ADDRESSES = {
    "US": None,
    "GB": ("London", "SW1A 1AA", "+44 20 7946 0958", None),
    "DE": ("München", "80331", "+49 89 1234567", None),
    "CN": ("北京市", "100022", "+86 10 5917 8888", "BJ"),
    "PT": ("Lisboa", "1000-001", "+351 21 123 4567", None),
}
_DROP = object()


def body(country: str, **changes: Any) -> dict[str, Any]:
    """The valid body for `country`, with address fields (or `bp_` billing fields) changed;
    `_DROP` leaves a field out."""
    payload = copy.deepcopy(VALID_US_PAYLOAD)
    address = payload["billingProfile"]["defaultAddress"]
    known = _ADDRESSES[country]
    if known is not None:
        city, postal_code, phone, state = known
        address.update(country=country, city=city, postalCode=postal_code, phoneNumber=phone)
        if state is None:
            del address["state"]
        else:
            address["state"] = state
        if country == "CN":
            payload["companyProfile"]["organizationRegistrationNumber"] = "91110000802100433B"
    for key, value in changes.items():
        target, name = (
            (payload["billingProfile"], key[3:]) if key.startswith("bp_") else (address, key)
        )
        if value is _DROP:
            target.pop(name, None)
        else:
            target[name] = value
    return payload


class Encoded(NamedTuple):
    country: str
    field: str  # the recorded answer's field
    rule: str  # the rule that encodes it
    changes: dict[str, Any]  # what breaks the field in the country's valid body
    severity: str


ENCODED = [
    *(
        Encoded(c, "isCityRequired", "address.city.required", {"city": _DROP}, "error")
        for c in _ADDRESSES
    ),
    *(
        Encoded(
            c,
            "isPostalCodeRequired",
            "address.postal_code.required",
            {"postalCode": _DROP},
            "error",
        )
        for c in _ADDRESSES
    ),
    Encoded("US", "isStateRequired", "address.state.required", {"state": _DROP}, "error"),
    Encoded("CN", "isStateRequired", "address.state.required", {"state": _DROP}, "error"),
    Encoded("US", "supportedStatesList", "address.state.us_code", {"state": "XX"}, "error"),
    Encoded("CN", "supportedStatesList", "address.state.cn_code", {"state": "HK"}, "error"),
    Encoded(
        "US", "postalCodeRegex", "address.postal_code.us_format", {"postalCode": "9805"}, "error"
    ),
    Encoded(
        "DE", "postalCodeRegex", "address.postal_code.de_format", {"postalCode": "8033"}, "error"
    ),
    Encoded(
        "DE",
        "postalCodeRegex",
        "address.postal_code.ascii_digits_required",
        {"postalCode": "\uff18\uff10\uff13\uff13\uff11"},
        "error",
    ),
    Encoded(
        "CN", "postalCodeRegex", "address.postal_code.cn_format", {"postalCode": "10002"}, "error"
    ),
    Encoded(
        "CN",
        "postalCodeRegex",
        "address.postal_code.ascii_digits_required",
        {"postalCode": "\uff11\uff10\uff10\uff10\uff12\uff12"},
        "error",
    ),
    Encoded(
        "PT",
        "postalCodeRegex",
        "address.postal_code.pt_format",
        {"postalCode": "1000 001"},
        "error",
    ),
    Encoded(
        "GB",
        "postalCodeRegex",
        "address.postal_code.gb_format",
        {"postalCode": "BFPO 105"},
        "warning",
    ),
    Encoded("US", "phoneNumberRegex", "address.phone.us_format", {"phoneNumber": "12345"}, "error"),
    *(
        Encoded(
            c, "supportedCulturesList", "billing.culture.market", {"bp_culture": "fr-FR"}, "warning"
        )
        for c in _ADDRESSES
    ),
    *(
        Encoded(c, "defaultCulture", "billing.culture.market", {"bp_culture": "fr-FR"}, "warning")
        for c in _ADDRESSES
    ),
    *(
        Encoded(
            c, "supportedLanguagesList", "billing.language.market", {"bp_language": "ja"}, "warning"
        )
        for c in _ADDRESSES
    ),
]

#: Recorded fields no rule encodes, and why.
NOT_ENCODED = {
    "iso2Code": "the answer's own key: the country the rules are for",
    "phoneNumberRegex (GB, DE, CN, PT)": "not in those answers",
    "supportedStatesList (GB, DE, PT)": "empty in those answers",
    "countryCallingCodesList": (
        "not a rule: a valid number of another country is a real phone of a customer abroad; "
        "address.phone.format (phonenumbers) judges the number itself"
    ),
    "isVatIdSupported, vatIdRegex, taxIdFormat, taxIdSample, isTaxIdSupported, isTaxIdOptional": (
        "no field of the create-customer body carries a VAT or tax ID "
        "(organizationRegistrationNumber has rules of its own, from the documents)"
    ),
}


@pytest.mark.parametrize("country", sorted(_ADDRESSES))
def test_each_recorded_countrys_valid_body_passes(country: str) -> None:
    assert validate(body(country)).violations == ()


@pytest.mark.parametrize("row", ENCODED, ids=lambda r: f"{r.country}-{r.field}-{r.rule}")
def test_each_recorded_field_is_encoded_by_its_rule(row: Encoded) -> None:
    fired = [v for v in validate(body(row.country, **row.changes)).violations if v.rule == row.rule]
    assert fired, f"{row.rule} does not fire for {row.country}'s {row.field}"
    assert {v.severity for v in fired} == {row.severity}


def test_a_lone_digit_problem_gets_one_error() -> None:
    """The DE pattern is two rules (shape, ASCII digits): full-width digits get one error."""
    errors = [
        v.rule
        for v in validate(body("DE", postalCode="\uff18\uff10\uff13\uff13\uff11")).violations
        if v.severity == "error"
    ]
    assert errors == ["address.postal_code.ascii_digits_required"]


def test_languages_the_service_lists_are_no_error() -> None:
    for country, language in (("CN", "zh-CHS"), ("PT", "pt-PT")):
        report = validate(body(country, bp_language=language))
        assert report.ok, [v.rule for v in report.violations]


def test_the_table_names_every_recorded_field() -> None:
    recorded = {
        "defaultCulture",
        "supportedCulturesList",
        "supportedLanguagesList",
        "isStateRequired",
        "supportedStatesList",
        "isPostalCodeRequired",
        "postalCodeRegex",
        "isCityRequired",
        "phoneNumberRegex",
    }
    assert {row.field for row in ENCODED} == recorded
    assert len(NOT_ENCODED) == 5
