"""Checks on the text of a string field: length, pattern, and GUID syntax."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pc_validate.checks.registry import BuildContext, Param, ValueCheck, check_kind
from pc_validate.model import Finding, Plural

TOO_SHORT = {
    "length.too_short": Plural(
        "{field} is {length} character long; the minimum is {min}.",
        "{field} is {length} characters long; the minimum is {min}.",
        "length",
    )
}
TOO_LONG = {
    "length.too_long": Plural(
        "{field} is {length} character long; the maximum is {max}.",
        "{field} is {length} characters long; the maximum is {max}.",
        "length",
    )
}
PATTERN_MISMATCH = {"pattern.mismatch": "{field} {value} is not {format}."}


def _length_test(params: Mapping[str, Any], value: str) -> str | None:
    low, high = params["min"], params["max"]
    if type(low) is not int or (high is not None and type(high) is not int):
        return None
    bound = f"{low} <= len({value})" + ("" if high is None else f" <= {high}")
    return f"judgeable and isinstance({value}, str) and not ({bound})"


@check_kind(
    "length",
    scope="value",
    words=("min", "max", "length"),
    summary="The string's length in Unicode code points lies between min and max.",
    params={
        "min": Param("int", "fewest code points allowed", default=0),
        "max": Param("int", "most code points allowed (no limit when left out)"),
    },
    templates={**TOO_SHORT, **TOO_LONG},
    inline=_length_test,
)
def length(params: Mapping[str, Any], ctx: BuildContext) -> ValueCheck:
    low: int = params["min"]
    high: int | None = params["max"]
    bounds = {"min": low, "max": high}

    def check(value: str) -> Finding | None:
        n = len(value)
        if n < low:
            return Finding("too_short", "length.too_short", {**bounds, "length": n})
        if high is not None and n > high:
            return Finding("too_long", "length.too_long", {**bounds, "length": n})
        return None

    return check


@check_kind(
    "pattern",
    scope="value",
    words=("pattern", "format"),
    summary="The string, without surrounding whitespace, matches a regular expression in full.",
    params={
        "regex": Param("regex", "the regular expression (matched in full)", required=True),
        "format": Param("str", "what a matching value looks like, in words", required=True),
        "ignore_case": Param("bool", "match without regard to letter case", default=False),
    },
    templates=PATTERN_MISMATCH,
)
def pattern(params: Mapping[str, Any], ctx: BuildContext) -> ValueCheck:
    regex = params["regex"].compile(ignore_case=params["ignore_case"])
    info = {"pattern": regex.pattern, "format": params["format"]}

    def check(value: str) -> Finding | None:
        if regex.fullmatch(value.strip()):
            return None
        return Finding("invalid_format", "pattern.mismatch", info)

    return check


_HEX = "[0-9A-Fa-f]"
_GUID_D = rf"{_HEX}{{8}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{12}}"
#: The five spellings .NET's Guid.Parse accepts: N (32 digits), D (hyphenated), B ({D}),
#: P ((D)) and X ({0x..,0x..,0x..,{0x..,...}}, whitespace anywhere, leading zeros optional).
_GUID = re.compile(
    rf"{_GUID_D}|{_HEX}{{32}}|\{{{_GUID_D}\}}|\({_GUID_D}\)"
    rf"|\{{0[xX]{_HEX}{{1,8}},0[xX]{_HEX}{{1,4}},0[xX]{_HEX}{{1,4}},"
    rf"\{{0[xX]{_HEX}{{1,2}}(?:,0[xX]{_HEX}{{1,2}}){{7}}\}}\}}"
)
_NON_ZERO = re.compile(r"[1-9A-Fa-f]")
_INNER_SPACE = re.compile(r"\s+")
_NOT_A_GUID = Finding("invalid_format", "guid.invalid")
_NIL_GUID = Finding("unsupported_value", "guid.nil")


@check_kind(
    "guid",
    scope="value",
    summary=(
        "A GUID in one of the spellings .NET's Guid.Parse accepts (32 hex digits; hyphenated "
        "8-4-4-4-12; that in braces or parentheses; the {0x...} form), and not the nil GUID."
    ),
    templates={
        "guid.invalid": (
            "{field} {value} is not a GUID (a tenant ID such as "
            "9b2e9f4c-3d1a-4e8b-a6f0-5c7d2e1b8a34)."
        ),
        "guid.nil": "{field} is the nil GUID (all zeros), which is never a tenant ID.",
    },
)
def guid(params: Mapping[str, Any], ctx: BuildContext) -> ValueCheck:
    def check(value: str) -> Finding | None:
        text = value.strip()
        hex_form = "x" in text or "X" in text
        if hex_form:
            text = _INNER_SPACE.sub("", text)  # .NET ignores whitespace inside the X form
        if not _GUID.fullmatch(text):
            return _NOT_A_GUID
        digits = text.replace("0x", "").replace("0X", "") if hex_form else text
        return None if _NON_ZERO.search(digits) else _NIL_GUID

    return check
