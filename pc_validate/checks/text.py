"""Checks on the text of a string field: length and pattern."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pc_validate.checks import BuildContext, Param, ValueCheck, check_kind
from pc_validate.model import Finding


@check_kind(
    "length",
    scope="value",
    summary="The string's length in Unicode code points lies between min and max.",
    params={
        "min": Param("int", "fewest code points allowed", default=0),
        "max": Param("int", "most code points allowed (no limit when left out)"),
    },
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
    summary="The string, without surrounding whitespace, matches a regular expression in full.",
    params={
        "regex": Param("regex", "the regular expression (Python syntax)", required=True),
        "format": Param("str", "what a matching value looks like, in words", required=True),
        "ignore_case": Param("bool", "match without regard to letter case", default=False),
    },
)
def pattern(params: Mapping[str, Any], ctx: BuildContext) -> ValueCheck:
    regex: re.Pattern[str] = params["regex"]
    if params["ignore_case"]:
        regex = re.compile(regex.pattern, regex.flags | re.IGNORECASE)
    info = {"pattern": regex.pattern, "format": params["format"]}

    def check(value: str) -> Finding | None:
        if regex.fullmatch(value.strip()):
            return None
        return Finding("invalid_format", "pattern.mismatch", info)

    return check
