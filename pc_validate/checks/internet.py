"""Domain names: DNS host-name syntax (RFC 1035 and RFC 1123 labels)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pc_validate.checks.registry import BuildContext, ValueCheck, check_kind
from pc_validate.model import Finding

_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?")
_MAX_NAME = 253
_MAX_LABEL = 63
#: A whole valid name in one match (labels of at most 63 characters): the common case.
_VALID_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_VALID_NAME = re.compile(rf"(?:{_VALID_LABEL}\.)*{_VALID_LABEL}")


def domain_problem(name: str) -> str | None:
    """None for a valid DNS name, else why not (in words)."""
    if len(name) <= _MAX_NAME and _VALID_NAME.fullmatch(name):
        return None
    if len(name) > _MAX_NAME:
        return f"it is {len(name)} characters long; a domain name has at most {_MAX_NAME}"
    if any(ch.isspace() for ch in name):
        return "it contains whitespace"
    for label in name.split("."):
        if not label:
            return "it has an empty label (two dots in a row, or a dot at the start or end)"
        if len(label) > _MAX_LABEL:
            return f"a label is {len(label)} characters long; the maximum is {_MAX_LABEL}"
        if not _LABEL.fullmatch(label):
            if label.startswith("-") or label.endswith("-"):
                return "a label starts or ends with a hyphen"
            return "a label has a character other than a letter, digit or hyphen"
    return None


@check_kind(
    "domain_name",
    scope="value",
    words=("reason",),
    summary=(
        "A syntactically valid DNS name: labels of 1-63 letters, digits or hyphens, "
        "no hyphen at either end of a label, at most 253 characters."
    ),
    templates={
        "domain.invalid": "{field} {value} is not a valid domain name: {reason}.",
    },
    echoing=("reason",),
)
def domain_name(params: Mapping[str, Any], ctx: BuildContext) -> ValueCheck:
    def check(value: str) -> Finding | None:
        reason = domain_problem(value.strip())
        if reason is None:
            return None
        return Finding("invalid_format", "domain.invalid", {"reason": reason})

    return check
