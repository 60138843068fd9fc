"""The validators people would otherwise use, given the same rules as far as each can say
them: a JSON Schema (run by python-jsonschema and by fastjsonschema) and a pydantic model
with EmailStr.

What they can express of pc-validate's default rules (RULES_EXPRESSED): required fields,
address lengths, the 135 cultures, the two-letter language and country shapes, the US
state list and ZIP pattern, the registration number and phone number required by country,
and email syntax (pydantic: email-validator, as pc-validate; jsonschema: its "email" format,
which checks little). What they cannot: keys matched without regard to letter case
(PascalCase bodies fail their required checks), unknown and ambiguous keys with "did you
mean", per-market postal codes, states and cultures, registration-number and phone
formats, suggestions, and the JSON Pointers as sent.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import yaml

RULES_EXPRESSED = (
    "required fields; address lengths; culture in the 135; language and country shapes; "
    "US state list and ZIP pattern; registration number and phone required by country; "
    "email syntax"
)


def _datasets() -> dict[str, list[str]]:
    from pc_validate.resources import rules_dir

    data = yaml.safe_load((rules_dir() / "datasets.yaml").read_text(encoding="utf-8"))
    return {name: spec["values"] for name, spec in data["datasets"].items()}


def json_schema() -> dict[str, Any]:
    """pc-validate's default rules, as far as JSON Schema can say them."""
    sets = _datasets()

    def text(low: int, high: int) -> dict[str, Any]:
        return {"type": "string", "minLength": low, "maxLength": high}

    def country_in(codes: list[str]) -> dict[str, Any]:
        return {
            "properties": {
                "billingProfile": {
                    "properties": {"defaultAddress": {"properties": {"country": {"enum": codes}}}}
                }
            }
        }

    address = {
        "type": "object",
        "required": ["firstName", "lastName", "addressLine1", "country"],
        "properties": {
            "firstName": text(1, 50),
            "lastName": text(1, 50),
            "middleName": text(1, 50),
            "addressLine1": text(1, 200),
            "addressLine2": text(0, 200),
            "city": {"type": "string"},
            "state": {"type": "string"},
            "postalCode": {"type": "string"},
            "country": {"type": "string", "pattern": "^[A-Za-z]{2}$"},
            "phoneNumber": {"type": "string"},
        },
        "allOf": [
            {
                "if": {"properties": {"country": {"enum": ["US", "us"]}}},
                "then": {
                    "required": ["city", "state", "postalCode"],
                    "properties": {
                        "state": {"enum": sets["us_states"]},
                        "postalCode": {"pattern": r"^\d{5}(-\d{4})?$"},
                    },
                },
            },
            {
                "if": {"properties": {"country": {"enum": sets["phone_required_countries"]}}},
                "then": {"required": ["phoneNumber"]},
            },
        ],
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "required": ["billingProfile", "companyProfile"],
        "properties": {
            "enableGDAPByDefault": {"type": "boolean"},
            "billingProfile": {
                "type": "object",
                "required": ["email", "culture", "language", "companyName", "defaultAddress"],
                "properties": {
                    "email": {"type": "string", "format": "email"},
                    "culture": {"enum": sets["supported_cultures"]},
                    "language": {"type": "string", "pattern": "^[A-Za-z]{2}$"},
                    "companyName": {"type": "string", "minLength": 1},
                    "defaultAddress": address,
                },
            },
            "companyProfile": {
                "type": "object",
                "required": ["domain"],
                "properties": {
                    "domain": {"type": "string", "minLength": 1},
                    "organizationRegistrationNumber": {"type": "string"},
                },
            },
        },
        "if": country_in(sets["registration_number_countries"]),
        "then": {
            "properties": {"companyProfile": {"required": ["organizationRegistrationNumber"]}}
        },
    }


def jsonschema_validator() -> Callable[[Any], list[str]]:
    import jsonschema

    validator = jsonschema.Draft202012Validator(
        json_schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    return lambda body: [error.message for error in validator.iter_errors(body)]


def fastjsonschema_validator() -> Callable[[Any], list[str]]:
    import fastjsonschema

    validate = fastjsonschema.compile(json_schema())

    def check(body: Any) -> list[str]:
        try:
            validate(body)
        except fastjsonschema.JsonSchemaException as exc:
            return [exc.message]  # fastjsonschema stops at the first problem
        return []

    return check


def pydantic_validator() -> Callable[[Any], list[str]]:
    from typing import Annotated

    from pydantic import BaseModel, EmailStr, Field, ValidationError, model_validator

    sets = _datasets()
    cultures = frozenset(c.lower() for c in sets["supported_cultures"])
    us_states = frozenset(sets["us_states"])
    phone_countries = frozenset(sets["phone_required_countries"])
    registration_countries = frozenset(sets["registration_number_countries"])
    zip_code = re.compile(r"\d{5}(-\d{4})?")
    Name = Annotated[str, Field(min_length=1, max_length=50)]

    class Address(BaseModel):
        firstName: Name
        lastName: Name
        middleName: Name | None = None
        addressLine1: Annotated[str, Field(min_length=1, max_length=200)]
        addressLine2: Annotated[str, Field(max_length=200)] | None = None
        city: str | None = None
        state: str | None = None
        postalCode: str | None = None
        country: Annotated[str, Field(pattern=r"^[A-Za-z]{2}$")]
        phoneNumber: str | None = None

        @model_validator(mode="after")
        def by_country(self) -> Address:
            country = self.country.upper()
            if country == "US":
                if not (self.city and self.state and self.postalCode):
                    raise ValueError("city, state and postalCode are required in the US")
                if self.state.upper() not in us_states:
                    raise ValueError("not a US state")
                if not zip_code.fullmatch(self.postalCode):
                    raise ValueError("not a ZIP code")
            if country in phone_countries and not self.phoneNumber:
                raise ValueError("phoneNumber is required")
            return self

    class Billing(BaseModel):
        email: EmailStr
        culture: str
        language: Annotated[str, Field(pattern=r"^[A-Za-z]{2}$")]
        companyName: Annotated[str, Field(min_length=1)]
        defaultAddress: Address

        @model_validator(mode="after")
        def supported_culture(self) -> Billing:
            if self.culture.lower() not in cultures:
                raise ValueError("culture not supported")
            return self

    class Company(BaseModel):
        domain: Annotated[str, Field(min_length=1)]
        organizationRegistrationNumber: str | None = None

    class Customer(BaseModel):
        enableGDAPByDefault: bool | None = None
        billingProfile: Billing
        companyProfile: Company

        @model_validator(mode="after")
        def registration(self) -> Customer:
            country = self.billingProfile.defaultAddress.country.upper()
            if country in registration_countries and not (
                self.companyProfile.organizationRegistrationNumber
            ):
                raise ValueError("organizationRegistrationNumber is required")
            return self

    def check(body: Any) -> list[str]:
        try:
            Customer.model_validate(body)
        except ValidationError as exc:
            return [error["msg"] for error in exc.errors()]
        return []

    return check


PEERS: dict[str, Callable[[], Callable[[Any], list[str]]]] = {
    "python-jsonschema": jsonschema_validator,
    "fastjsonschema": fastjsonschema_validator,
    "pydantic + EmailStr": pydantic_validator,
}
