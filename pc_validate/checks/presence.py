"""Presence checks: a field that must be there, and one that should not be."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pc_validate.checks.registry import BuildContext, ValueCheck, check_kind
from pc_validate.model import MISSING, Finding

_MISSING = Finding("required", "required.missing")
_NULL = Finding("required", "required.null")
_EMPTY = Finding("empty", "required.empty")


def _required_test(params: Mapping[str, Any], value: str) -> str:
    return "not judgeable"


@check_kind(
    "required",
    scope="presence",
    summary="The field is present, not null, and not an empty or all-blank string.",
    templates={
        "required.missing": "{field} is missing; Partner Center requires it{condition}.",
        "required.null": "{field} is null; Partner Center requires a value{condition}.",
        "required.empty": "{field} is empty; Partner Center requires a value{condition}.",
    },
    inline=_required_test,
)
def required(params: Mapping[str, Any], ctx: BuildContext) -> ValueCheck:
    def check(value: Any) -> Finding | None:
        if value is MISSING:
            return _MISSING
        if value is None:
            return _NULL
        if isinstance(value, str) and not value.strip():
            return _EMPTY
        return None

    return check


_PRESENT = Finding("not_allowed", "absent.present")


@check_kind(
    "absent",
    scope="presence",
    summary="The field is missing, null or blank (for fields the service rejects when given).",
    templates={
        "absent.present": "{field} is given{condition}; Partner Center does not expect it there.",
    },
)
def absent(params: Mapping[str, Any], ctx: BuildContext) -> ValueCheck:
    def check(value: Any) -> Finding | None:
        if value is MISSING or value is None:
            return None
        if isinstance(value, str) and not value.strip():
            return None
        return _PRESENT

    return check
