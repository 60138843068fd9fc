"""Shared fixtures: a fully valid "create a customer" body that other tests start from."""

from __future__ import annotations

import copy
from typing import Any

import pytest

#: A camelCase US body that passes every bundled rule with no violation at all (not even info).
VALID_US_PAYLOAD: dict[str, Any] = {
    "enableGDAPByDefault": False,
    "companyProfile": {"domain": "contoso.onmicrosoft.com"},
    "billingProfile": {
        "email": "gena@wingtiptoys.com",
        "culture": "en-US",
        "language": "en",
        "companyName": "Wingtip Toys",
        "defaultAddress": {
            "firstName": "Gena",
            "lastName": "Soto",
            "addressLine1": "One Microsoft Way",
            "city": "Redmond",
            "state": "WA",
            "postalCode": "98052",
            "country": "US",
            "phoneNumber": "4255550101",
        },
    },
}


@pytest.fixture
def valid_payload() -> dict[str, Any]:
    """A fresh deep copy of the valid US payload, free for the test to modify."""
    return copy.deepcopy(VALID_US_PAYLOAD)
