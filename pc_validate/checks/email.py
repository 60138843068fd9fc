"""Email address syntax, judged by email-validator offline (no DNS lookups).

email-validator is thorough but costs tens of microseconds a call, so a plain ASCII address
that it is certain to accept (dot-atom local part, LDH domain with an alphabetic top-level
label that is not special-use) is accepted without calling it. Everything else, and every
rejection, is its verdict; a test holds the shortcut to agreeing with it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

from pc_validate.checks.registry import BuildContext, ValueCheck, check_kind
from pc_validate.model import Finding

_PLAIN = re.compile(
    r"(?P<local>[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*)"
    r"@(?P<domain>(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+(?P<tld>[A-Za-z]{2,63}))"
)
#: RFC 5321's limit on a whole address, which email-validator enforces.
MAX_ADDRESS = 254
#: Beyond this many code points no normalisation can bring an address under MAX_ADDRESS,
#: so the verdict is given without email-validator (whose run time grows with the input).
HOPELESS_LENGTH = 16 * MAX_ADDRESS
#: email-validator's SPECIAL_USE_DOMAIN_NAMES (a test keeps the two equal).
SPECIAL_USE_TLDS = frozenset({"arpa", "invalid", "local", "localhost", "onion", "test"})


def certainly_valid(address: str) -> bool:
    """True only for addresses email-validator is known to accept; False means 'ask it'."""
    if len(address) > MAX_ADDRESS:
        return False
    match = _PLAIN.fullmatch(address)
    if match is None:
        return False
    local, domain, tld = match.group("local", "domain", "tld")
    return (
        len(local) <= 64
        and len(domain) <= 253
        and "--" not in domain
        and tld.lower() not in SPECIAL_USE_TLDS
    )


def email_problem(address: str) -> str | None:
    """None if the address is valid, else email-validator's reason."""
    if certainly_valid(address):  # most addresses, each seen once: nothing to remember
        return None
    return _doubtful_problem(address)


@functools.lru_cache(maxsize=4096)
def _doubtful_problem(address: str) -> str | None:
    if len(address) > HOPELESS_LENGTH:
        return f"it is {len(address)} characters long; an email address has at most {MAX_ADDRESS}."
    from email_validator import EmailNotValidError, validate_email

    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError as exc:
        return str(exc)
    return None


@check_kind(
    "email",
    scope="value",
    words=("reason",),
    summary="A syntactically valid email address (email-validator, no network lookups).",
    templates={
        "email.invalid": "{field} {value} is not a valid email address: {reason}",
    },
    echoing=("reason",),
)
def email(params: Mapping[str, Any], ctx: BuildContext) -> ValueCheck:
    def check(value: str) -> Finding | None:
        reason = email_problem(value.strip())
        if reason is None:
            return None
        return Finding("invalid_format", "email.invalid", {"reason": reason})

    return check
