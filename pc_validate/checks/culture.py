"""Cultures (language-region tags Partner Center lists) and ISO 639-1 language codes."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pc_validate.checks.registry import BuildContext, Param, ValueCheck, check_kind
from pc_validate.checks.suggest import closest, worth_suggesting
from pc_validate.markets import markets
from pc_validate.model import Finding, ascii_upper, fold

if TYPE_CHECKING:
    from pc_validate.languages import Language


def culture_name(tag: str) -> str:
    """English display name of a culture tag, e.g. "English (United States)"."""
    from babel import Locale, UnknownLocaleError

    try:
        return str(Locale.parse(tag, sep="-").get_display_name("en"))
    except (UnknownLocaleError, ValueError, TypeError):
        return tag


def _named_culture(
    params: Mapping[str, Any], suggestion: Any, language: Language
) -> Mapping[str, Any]:
    """The suggested culture's name in the language (CLDR): "Deutsch (Schweiz)"."""
    name = language.culture_name(suggestion) if isinstance(suggestion, str) else None
    return {"suggestion_name": name} if name else {}


def _named_language(
    params: Mapping[str, Any], suggestion: Any, language: Language
) -> Mapping[str, Any]:
    """The suggested language's name in the language (CLDR): "Französisch"."""
    name = language.language_name(suggestion) if isinstance(suggestion, str) else None
    return {"suggestion_name": name} if name else {}


@dataclass(frozen=True)
class Cultures:
    """A list of supported culture tags, indexed for exact and fuzzy look-ups."""

    #: case-folded tag -> tag as listed
    by_fold: Mapping[str, str]
    #: (language, region) -> tag, ignoring any script subtag: ("az", "AZ") -> "az-Latn-AZ"
    by_region: Mapping[tuple[str, str], str]

    @classmethod
    def of(cls, tags: tuple[str, ...]) -> Cultures:
        by_region: dict[tuple[str, str], str] = {}
        for tag in tags:
            parts = tag.split("-")
            by_region.setdefault((fold(parts[0]), ascii_upper(parts[-1])), tag)
        return cls({fold(tag): tag for tag in tags}, by_region)


def suggest_culture(value: str, cultures: Cultures) -> str | None:
    """The supported culture meant by `value`, if one is clear.

    Tries, in order: underscores for hyphens; babel's reading of the tag (which also maps
    old codes such as iw -> he and no -> nb), with the language's likely region filled in
    when none is given, matched on language and region whatever the script; a close spelling.
    """
    from babel import Locale, UnknownLocaleError
    from babel.core import get_global

    if not worth_suggesting(value) or not value.isascii():
        return None
    text = value.strip().replace("_", "-")
    if fold(text) in cultures.by_fold:
        return cultures.by_fold[fold(text)]
    parts = [part for part in text.split("-") if part]
    if len(parts) >= 2 and ascii_upper(parts[-1]) == "UK":
        parts[-1] = "GB"
    try:
        locale = Locale.parse("_".join(parts))
        likely = Locale.parse(get_global("likely_subtags").get(locale.language, locale.language))
    except (UnknownLocaleError, ValueError, TypeError):
        pass
    else:
        region = locale.territory or likely.territory
        if region and (locale.language, region) in cultures.by_region:
            return cultures.by_region[(locale.language, region)]
    return closest(fold(text), cultures.by_fold, cutoff=0.8)


@check_kind(
    "culture",
    scope="value",
    words=("supported_count", "suggestion_name"),
    summary="A culture from a list (matched case-insensitively), with a 'did you mean' via babel.",
    params={"values": Param("values", "the supported cultures", required=True)},
    templates={
        "culture.unsupported": (
            "{field} {value} is not one of the cultures Partner Center supports."
        ),
        "culture.unsupported_suggest": (
            "{field} {value} is not one of the cultures Partner Center supports; did you mean "
            "{suggestion} ({suggestion_name})?"
        ),
    },
    echoing=("suggestion_name",),
    local_words=_named_culture,
)
def culture(params: Mapping[str, Any], ctx: BuildContext) -> ValueCheck:
    cultures = Cultures.of(params["values"])

    @functools.lru_cache(maxsize=1024)
    def suggest(value: str) -> str | None:
        return suggest_culture(value, cultures)

    def check(value: str) -> Finding | None:
        if fold(value.strip()) in cultures.by_fold:
            return None
        hint = suggest(value)
        counted = {"supported_count": len(cultures.by_fold)}
        if hint is None:
            return Finding("unsupported_value", "culture.unsupported", counted)
        return Finding(
            "unsupported_value",
            "culture.unsupported_suggest",
            {**counted, "suggestion_name": culture_name(hint)},
            suggestion=hint,
        )

    return check


@functools.cache
def _iso639_1() -> Mapping[str, str]:
    """ISO 639-1 code -> English language name, from pycountry."""
    import pycountry

    return {lang.alpha_2: lang.name for lang in pycountry.languages if hasattr(lang, "alpha_2")}


@functools.lru_cache(maxsize=1024)
def suggest_language(value: str) -> str | None:
    """The ISO 639-1 code meant by a culture tag ("pt-PT"), an ISO 639-2/3 code or a name."""
    import pycountry

    if not worth_suggesting(value):
        return None
    text = value.strip().replace("_", "-")
    head = fold(text.split("-", 1)[0])
    if "-" in text and head in _iso639_1():
        return head
    try:
        found = pycountry.languages.lookup(text)
    except LookupError:
        return None
    code: str | None = getattr(found, "alpha_2", None)
    return code


@check_kind(
    "language_code",
    scope="value",
    words=("suggestion_name",),
    summary=(
        "A two-letter ISO 639-1 language code in any letter case, or a language Partner "
        "Center's country validation rules list for the address country ('zh-CHS' for CN)."
    ),
    params={
        "codes": Param("values", "the ISO 639-1 codes (a dataset name)", required=True),
        "country": Param(
            "field",
            "the address country field: a language its market lists (markets.yaml "
            "`languages`) is accepted as given",
            default=("billingProfile", "defaultAddress", "country"),
        ),
    },
    context=("country",),
    templates={
        "language.format": "{field} {value} is not a two-letter ISO 639-1 language code.",
        "language.format_suggest": (
            "{field} {value} is not a two-letter ISO 639-1 language code; did you mean "
            "{suggestion} ({suggestion_name})?"
        ),
        "language.unknown": "{field} {value} is not an ISO 639-1 language code.",
    },
    echoing=("suggestion_name",),
    local_words=_named_language,
)
def language_code(params: Mapping[str, Any], ctx: BuildContext) -> Any:
    known = frozenset(fold(code) for code in params["codes"])
    table = markets(ctx.markets)

    def check(value: str, country: str | None) -> Finding | None:
        code = fold(value.strip())
        if len(code) == 2 and code in known:
            return None
        market = table.get(ascii_upper(country)) if country else None
        if market is not None and market.lists_language(value.strip()):
            return None
        if len(code) == 2 and code.isascii() and code.isalpha():
            return Finding("unsupported_value", "language.unknown")
        hint = suggest_language(value)
        if hint is None:
            return Finding("invalid_format", "language.format")
        return Finding(
            "invalid_format",
            "language.format_suggest",
            {"suggestion_name": _iso639_1()[hint]},
            suggestion=hint,
        )

    return check
