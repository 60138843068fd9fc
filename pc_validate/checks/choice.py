"""Checks against a closed list of values: membership and canonical spelling."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

from pc_validate.checks.registry import BuildContext, Param, ValueCheck, check_kind
from pc_validate.checks.suggest import closest, worth_suggesting
from pc_validate.model import Finding, ascii_upper, fold

Suggester = Callable[[str], "str | None"]

#: Sets up to this size are listed in a violation's params; larger ones only counted.
_LISTED_AT_MOST = 60


@functools.lru_cache(maxsize=1024)
def _us_state(value: str) -> str | None:
    """A US state or district name ("Washington") to its USPS code ("WA"), via pycountry
    (remembered: a scan of pycountry's subdivisions costs a few hundred microseconds)."""
    import pycountry

    if not worth_suggesting(value):
        return None
    wanted = value.strip().casefold()
    for sub in pycountry.subdivisions.get(country_code="US") or ():  # type: ignore[no-untyped-call]
        if sub.name.casefold() == wanted:
            code: str = sub.code.split("-", 1)[1]
            return code
    return None


SUGGESTERS: Mapping[str, Suggester] = {"us_state": _us_state}


UNSUPPORTED = {
    "one_of.unsupported": "{field} {value} is not {set_name}.",
    "one_of.unsupported_suggest": "{field} {value} is not {set_name}; did you mean {suggestion}?",
}


@check_kind(
    "one_of",
    scope="value",
    words=("set_name", "allowed_count", "allowed"),
    summary="The string, without surrounding whitespace, is one of a set of values.",
    params={
        "values": Param("values", "the allowed values: a dataset name or a list", required=True),
        "ignore_case": Param("bool", "compare without regard to letter case", default=True),
        "set_name": Param("str", "what the set is, in words", required=True),
        "suggest": Param(
            "choice", "how to find a 'did you mean'", choices=("closest", *SUGGESTERS)
        ),
    },
    templates=UNSUPPORTED,
)
def one_of(params: Mapping[str, Any], ctx: BuildContext) -> ValueCheck:
    values: tuple[str, ...] = params["values"]
    key_of = fold if params["ignore_case"] else str
    allowed = {key_of(v): v for v in values}
    info: dict[str, Any] = {"set_name": params["set_name"], "allowed_count": len(values)}
    if len(values) <= _LISTED_AT_MOST:
        info["allowed"] = list(values)
    suggester = SUGGESTERS.get(params["suggest"] or "")

    def suggest(value: str) -> str | None:
        if suggester is not None:
            hit = suggester(value)
            if hit is not None and key_of(hit) in allowed:
                return allowed[key_of(hit)]
        if params["suggest"] != "closest":
            return None
        return closest(key_of(value.strip()), allowed, cutoff=0.75)

    def check(value: str) -> Finding | None:
        if key_of(value.strip()) in allowed:
            return None
        hint = suggest(value)
        if hint is None:
            return Finding("unsupported_value", "one_of.unsupported", info)
        return Finding("unsupported_value", "one_of.unsupported_suggest", info, suggestion=hint)

    return check


@check_kind(
    "canonical_case",
    scope="value",
    summary=(
        "The string is spelled in its canonical letter case: as listed in `values`, "
        "or all upper or all lower case (`style`)."
    ),
    params={
        "values": Param("values", "canonical spellings: a dataset name or a list"),
        "style": Param("choice", "upper or lower case", choices=("upper", "lower")),
    },
    one_of_params=("values", "style"),
    templates={
        "case.non_canonical": (
            "{field} {value} is accepted, but its canonical spelling is {suggestion}."
        ),
        "case.non_canonical:redacted": "{field} is accepted, but not in its canonical spelling.",
    },
)
def canonical_case(params: Mapping[str, Any], ctx: BuildContext) -> ValueCheck:
    values: tuple[str, ...] | None = params["values"]
    style: str | None = params["style"]
    canonical = {fold(v): v for v in values or ()}

    def spelled(value: str) -> str | None:
        if style == "upper":
            return ascii_upper(value)
        if style == "lower":
            return fold(value)
        return canonical.get(fold(value))

    def check(value: str) -> Finding | None:
        if not worth_suggesting(value):  # spelling hints are for codes, not for long text
            return None
        text = value.strip()
        want = spelled(text)
        if want is None or want == text:
            return None
        return Finding("non_canonical", "case.non_canonical", suggestion=want)

    return check
