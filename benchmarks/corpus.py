"""A deterministic corpus of realistic "create a customer" bodies for the benchmarks.

About 70 % are valid; the rest carry one of the mistakes partners make (a missing field, a
state name, an unsupported culture, UK for GB, a missing registration number, a bad email,
an over-long address line, a postal code of the wrong shape). Customers come from a dozen
countries; about a third use PascalCase keys as the documentation's example does.

    python benchmarks/corpus.py --count 1000000 --output /tmp/corpus.jsonl
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from typing import Any, TextIO

from realistic import cli, pascal

#: Per country: culture, language, city, state, postal code, phone, registration number.
_MARKETS: list[dict[str, str]] = [
    {"country": "US", "culture": "en-US", "language": "en", "city": "Redmond", "state": "WA",
     "postalCode": "98052", "phoneNumber": "425-555-0101"},
    {"country": "US", "culture": "es-US", "language": "es", "city": "Miami", "state": "FL",
     "postalCode": "33101-1234", "phoneNumber": "(305) 555-0199"},
    {"country": "GB", "culture": "en-GB", "language": "en", "city": "London",
     "postalCode": "SW1A 1AA", "phoneNumber": "+44 20 7946 0958"},
    {"country": "DE", "culture": "de-DE", "language": "de", "city": "Berlin",
     "postalCode": "10117"},
    {"country": "FR", "culture": "fr-FR", "language": "fr", "city": "Paris",
     "postalCode": "75001"},
    {"country": "CA", "culture": "fr-CA", "language": "fr", "city": "Montréal", "state": "QC",
     "postalCode": "H2Y 1C6", "phoneNumber": "514-555-0142"},
    {"country": "BR", "culture": "pt-BR", "language": "pt", "city": "São Paulo", "state": "SP",
     "postalCode": "01310-100", "phoneNumber": "+55 11 3555-0100",
     "organizationRegistrationNumber": "11222333000181"},
    {"country": "RU", "culture": "ru-RU", "language": "ru", "city": "Москва",
     "postalCode": "125009", "phoneNumber": "+7 495 123-45-67",
     "organizationRegistrationNumber": "7707083893"},
    {"country": "IN", "culture": "en-IN", "language": "en", "city": "Bengaluru",
     "state": "Karnataka", "postalCode": "560001", "phoneNumber": "+91 80 2222 3333",
     "organizationRegistrationNumber": "AAACM3025E"},
    {"country": "JP", "culture": "ja-JP", "language": "ja", "city": "Chiyoda-ku",
     "state": "Tokyo", "postalCode": "100-0001"},
    {"country": "AU", "culture": "en-AU", "language": "en", "city": "Sydney", "state": "NSW",
     "postalCode": "2000"},
    {"country": "PL", "culture": "pl-PL", "language": "pl", "city": "Warszawa",
     "postalCode": "00-950", "phoneNumber": "+48 22 123 45 67",
     "organizationRegistrationNumber": "8567346215"},
    {"country": "NL", "culture": "nl-NL", "language": "nl", "city": "Amsterdam",
     "postalCode": "1012 JS"},
    {"country": "SE", "culture": "sv-SE", "language": "sv", "city": "Stockholm",
     "postalCode": "111 52"},
]  # fmt: skip

_FIRST = ["Gena", "Anna", "Li", "João", "Olga", "Priya", "Yuki", "Sam", "Marta", "Lars"]
_LAST = ["Soto", "Schmidt", "Chen", "Silva", "Ivanova", "Rao", "Sato", "Taylor", "Nowak"]
_COMPANY = [
    "Wingtip Toys", "Fabrikam", "Contoso", "Adventure Works", "Northwind Traders",
    "Tailspin Toys", "Litware", "Proseware", "Woodgrove Bank", "Alpine Ski House",
]  # fmt: skip


def _body(rng: random.Random, index: int) -> dict[str, Any]:
    market = rng.choice(_MARKETS)
    company = rng.choice(_COMPANY)
    prefix = "".join(ch for ch in company.lower() if ch.isalnum()) + str(index)
    address: dict[str, Any] = {
        "firstName": rng.choice(_FIRST),
        "lastName": rng.choice(_LAST),
        "addressLine1": f"{rng.randint(1, 999)} Main Street",
        "city": market["city"],
        "postalCode": market["postalCode"],
        "country": market["country"],
    }
    for optional in ("state", "phoneNumber"):
        if optional in market:
            address[optional] = market[optional]
    company_profile: dict[str, Any] = {"domain": f"{prefix}.onmicrosoft.com"}
    if "organizationRegistrationNumber" in market:
        company_profile["organizationRegistrationNumber"] = market["organizationRegistrationNumber"]
    return {
        "enableGDAPByDefault": rng.random() < 0.5,
        "companyProfile": company_profile,
        "billingProfile": {
            "email": f"{address['firstName'].lower()}.{index}@{prefix}.com",
            "culture": market["culture"],
            "language": market["language"],
            "companyName": company,
            "defaultAddress": address,
        },
    }


def _drop_email(body: dict[str, Any]) -> None:
    del body["billingProfile"]["email"]


def _state_name(body: dict[str, Any]) -> None:
    address = body["billingProfile"]["defaultAddress"]
    address.update(country="US", state="Washington", postalCode="98052", phoneNumber="4255550101")
    body["billingProfile"].update(culture="en-US", language="en")
    body["companyProfile"].pop("organizationRegistrationNumber", None)


def _bad_culture(body: dict[str, Any]) -> None:
    body["billingProfile"]["culture"] = "en-UK"


def _uk(body: dict[str, Any]) -> None:
    body["billingProfile"]["defaultAddress"]["country"] = "UK"


def _no_registration(body: dict[str, Any]) -> None:
    body["billingProfile"]["defaultAddress"].update(
        country="BR", state="SP", postalCode="01310-100", phoneNumber="+55 11 3555-0100"
    )
    body["billingProfile"].update(culture="pt-BR", language="pt")
    body["companyProfile"].pop("organizationRegistrationNumber", None)


def _bad_email(body: dict[str, Any]) -> None:
    body["billingProfile"]["email"] = "gena at wingtiptoys.com"


def _long_line(body: dict[str, Any]) -> None:
    body["billingProfile"]["defaultAddress"]["addressLine1"] = "Main Street " * 20


def _zip(body: dict[str, Any]) -> None:
    address = body["billingProfile"]["defaultAddress"]
    address.update(country="US", state="WA", postalCode="9805", phoneNumber="4255550101")
    body["billingProfile"].update(culture="en-US", language="en")
    body["companyProfile"].pop("organizationRegistrationNumber", None)


MISTAKES: list[Callable[[dict[str, Any]], None]] = [
    _drop_email,
    _state_name,
    _bad_culture,
    _uk,
    _no_registration,
    _bad_email,
    _long_line,
    _zip,
]


def bodies(count: int, seed: int = 2026, invalid_share: float = 0.3) -> Iterator[Any]:
    """`count` bodies, the same ones for the same seed."""
    rng = random.Random(seed)
    for index in range(count):
        body = _body(rng, index)
        if rng.random() < invalid_share:
            rng.choice(MISTAKES)(body)
        if rng.random() < 0.33:
            body = pascal(body)
        yield body


def write_jsonl(out: TextIO, count: int, seed: int = 2026, invalid_share: float = 0.3) -> None:
    """The corpus as JSON Lines, one body a line."""
    for body in bodies(count, seed, invalid_share):
        out.write(json.dumps(body, ensure_ascii=False) + "\n")


def main(argv: list[str] | None = None) -> int:
    return cli(__doc__, write_jsonl, argv)


if __name__ == "__main__":
    raise SystemExit(main())
