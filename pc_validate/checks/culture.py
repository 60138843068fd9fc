"""Cultures (language-region tags Partner Center lists) and ISO 639-1 language codes."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from pc_validate.checks import BuildContext, Param, ValueCheck, check_kind
from pc_validate.checks.suggest import closest, worth_suggesting
from pc_validate.model import Finding


def culture_name(tag: str) -> str:
    """English display name of a culture tag, e.g. "English (United States)"."""
    from babel import Locale, UnknownLocaleError

    try:
        return str(Locale.parse(tag, sep="-").get_display_name("en"))
    except (UnknownLocaleError, ValueError, TypeError):
        return tag


def suggest_culture(value: str, supported: Mapping[str, str]) -> str | None:
    """The supported culture meant by `value` (keys of `supported` are case-folded tags).

    Tries, in order: underscores for hyphens, babel's reading of the tag with the region's
    likely script or the language's likely region filled in, and a close spelling.
    """
    from babel import Locale, UnknownLocaleError
    from babel.core import get_global

    if not worth_suggesting(value):
        return None
    text = value.strip().replace("_", "-")
    if text.casefold() in supported:
        return supported[text.casefold()]
    parts = text.split("-")
    if len(parts) >= 2 and parts[-1].upper() == "UK":
        parts[-1] = "GB"
    try:
        locale = Locale.parse("_".join(parts))
    except (UnknownLocaleError, ValueError, TypeError):
        locale = None
    if locale is not None:
        likely = get_global("likely_subtags")
        full = Locale.parse(likely.get(locale.language, locale.language))
        territory = locale.territory or full.territory
        script = locale.script or full.script
        for candidate in (
            f"{locale.language}-{territory}",
            f"{locale.language}-{script}-{territory}",
        ):
            if candidate.casefold() in supported:
                return supported[candidate.casefold()]
    return closest(text.casefold(), supported, cutoff=0.8)


@check_kind(
    "culture",
    scope="value",
    summary="A culture from a list (matched case-insensitively), with a 'did you mean' via babel.",
    params={"values": Param("values", "the supported cultures", required=True)},
)
def culture(params: Mapping[str, Any], ctx: BuildContext) -> ValueCheck:
    supported = {tag.casefold(): tag for tag in params["values"]}

    @functools.lru_cache(maxsize=1024)
    def suggest(value: str) -> str | None:
        return suggest_culture(value, supported)

    def check(value: str) -> Finding | None:
        if value.strip().casefold() in supported:
            return None
        hint = suggest(value)
        counted = {"supported_count": len(supported)}
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
    head = text.split("-", 1)[0].lower()
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
    summary="A two-letter ISO 639-1 language code in any letter case (pycountry's list).",
)
def language_code(params: Mapping[str, Any], ctx: BuildContext) -> ValueCheck:
    def check(value: str) -> Finding | None:
        code = value.strip().lower()
        known = _iso639_1()
        if len(code) == 2 and code in known:
            return None
        if len(code) == 2 and code.isalpha():
            return Finding("unsupported_value", "language.unknown")
        hint = suggest_language(value)
        if hint is None:
            return Finding("invalid_format", "language.format")
        return Finding(
            "invalid_format",
            "language.format_suggest",
            {"suggestion_name": known[hint]},
            suggestion=hint,
        )

    return check
