"""Country codes: ISO 3166-1 alpha-2, as the Address resource documents them."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pc_validate.checks.registry import BuildContext, Param, ValueCheck, check_kind
from pc_validate.checks.suggest import worth_suggesting
from pc_validate.model import Finding, ascii_upper

if TYPE_CHECKING:
    from pc_validate.languages import Language

#: Codes people write for a country whose ISO code differs; only unambiguous ones.
_COMMON_MISTAKES = {"UK": "GB", "EL": "GR"}


@functools.cache
def iso_alpha2() -> frozenset[str]:
    """Every ISO 3166-1 alpha-2 code pycountry knows (for suggestions; checks use the
    generated dataset, which spares loading pycountry's database at start-up)."""
    import pycountry

    return frozenset(c.alpha_2 for c in pycountry.countries)


def country_name(code: str) -> str:
    import pycountry

    country = pycountry.countries.get(alpha_2=code)
    return str(getattr(country, "common_name", None) or country.name) if country else code


@functools.lru_cache(maxsize=1024)
def suggest_country(value: str) -> str | None:
    """The alpha-2 code meant by a wrong-case code, an alpha-3 code, a known mistake or a name."""
    import pycountry

    if not worth_suggesting(value):
        return None
    text = value.strip()
    upper = ascii_upper(text)
    if upper in _COMMON_MISTAKES:
        return _COMMON_MISTAKES[upper]
    if upper in iso_alpha2():
        return upper
    try:
        found = pycountry.countries.lookup(text)
    except LookupError:
        return None
    code: str = found.alpha_2
    return code


def _named_country(
    params: Mapping[str, Any], suggestion: Any, language: Language
) -> Mapping[str, Any]:
    """The suggested country's name in the language (CLDR): "Vereinigtes Königreich"."""
    name = language.country_name(suggestion) if isinstance(suggestion, str) else None
    return {"suggestion_name": name} if name else {}


@check_kind(
    "country_code",
    scope="value",
    words=("suggestion_name",),
    summary="A two-letter ISO 3166-1 alpha-2 country code (any letter case), or one of `extra`.",
    params={
        "codes": Param("values", "the ISO 3166-1 alpha-2 codes (a dataset name)", required=True),
        "extra": Param("values", "further codes to accept (a dataset name or a list)"),
    },
    templates={
        "country.format": "{field} {value} is not a two-letter ISO 3166-1 alpha-2 country code.",
        "country.format_suggest": (
            "{field} {value} is not a two-letter ISO 3166-1 alpha-2 country code; did you mean "
            "{suggestion} ({suggestion_name})?"
        ),
        "country.unknown": "{field} {value} is not an ISO 3166-1 alpha-2 country code.",
        "country.unknown_suggest": (
            "{field} {value} is not an ISO 3166-1 alpha-2 country code; did you mean {suggestion} "
            "({suggestion_name})?"
        ),
    },
    echoing=("suggestion_name",),
    local_words=_named_country,
)
def country_code(params: Mapping[str, Any], ctx: BuildContext) -> ValueCheck:
    extra = frozenset(ascii_upper(code) for code in params["extra"] or ())
    known = frozenset(ascii_upper(code) for code in params["codes"]) | extra

    def check(value: str) -> Finding | None:
        if not worth_suggesting(value):  # certainly not a code: not worth trimming
            return Finding("invalid_format", "country.format")
        code = ascii_upper(value.strip())
        if len(code) == 2 and code in known:
            return None
        shaped = len(code) == 2 and code.isascii() and code.isalpha()
        hint = suggest_country(value)
        if hint is None:
            if shaped:
                return Finding("unsupported_value", "country.unknown")
            return Finding("invalid_format", "country.format")
        named = {"suggestion_name": country_name(hint)}
        if shaped:
            return Finding("unsupported_value", "country.unknown_suggest", named, hint)
        return Finding("invalid_format", "country.format_suggest", named, hint)

    return check
