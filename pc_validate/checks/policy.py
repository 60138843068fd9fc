"""Partner Center's customer policies: company name, email domain, initial domain name.

- Company names (Partner Center "Validate company names and email addresses",
  validate-names-addresses.md, ms.date 1/11/2023, rules as of September 22, 2021, and its
  current learn.microsoft.com version, rules as of February 5, 2024): not a single character,
  not only special characters, not only a standalone legal-form abbreviation ("llc", "Inc"),
  fewer than 256 characters.
- Email addresses (same page): a customer's address is not at microsoft.com (nor at the
  partner's own domain, which only the partner knows: a user rule can name it).
- Initial domains: a new customer's tenant is created with a name under its cloud's initial
  domain suffix (``.onmicrosoft.com``; ``.partner.onmschina.cn`` for 21Vianet), and the
  tools that create tenants take only letters and digits, at most 27, before it.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from pc_validate.checks.internet import domain_problem
from pc_validate.checks.registry import BuildContext, Param, ValueCheck, check_kind
from pc_validate.checks.text import TOO_LONG
from pc_validate.excerpt import quoted
from pc_validate.model import Finding, Plural, fold

_WHITESPACE = re.compile(r"\s+")
#: A letter or digit in Unicode's sense (str.isalnum: CJK, Cyrillic ... included).
_LETTER_OR_DIGIT = re.compile(r"[^\W_]")
#: Whitespace other than single spaces: only then does a name need squeezing.
_ODD_WHITESPACE = re.compile(r"\s\s|[^\S ]")


def _squeezed(text: str) -> str:
    """Lower-cased (ASCII letters, as the service folds case), trimmed, inner runs of
    whitespace made one space: how a name is compared with a list of abbreviations."""
    text = fold(text.strip())
    return _WHITESPACE.sub(" ", text) if _ODD_WHITESPACE.search(text) else text


COMPANY_NAME = {
    "company_name.single_character": (
        "{field} {value} is a single character; Partner Center does not accept a company name of "
        "one character."
    ),
    "company_name.special_only": (
        "{field} {value} has no letter or digit; Partner Center does not accept a company name of "
        "only special characters."
    ),
    "company_name.abbreviation_only": (
        "{field} {value} is only a legal-form abbreviation; Partner Center does not accept it "
        "without the company's name."
    ),
}


@check_kind(
    "company_name",
    scope="value",
    words=("min", "max", "length"),
    summary=(
        "A company name Partner Center's portal accepts: more than one character, at least "
        "one letter or digit, not only a legal-form abbreviation from `restricted`, and at "
        "most `max_length` characters."
    ),
    params={
        "max_length": Param("int", "most characters allowed (no limit when left out)"),
        "restricted": Param(
            "values",
            "abbreviations that may not stand alone (compared without regard to letter case "
            "and with runs of whitespace as one space): a dataset name or a list",
        ),
    },
    templates={**COMPANY_NAME, **TOO_LONG},
)
def company_name(params: Mapping[str, Any], ctx: BuildContext) -> ValueCheck:
    high: int | None = params["max_length"]
    restricted = frozenset(_squeezed(v) for v in params["restricted"] or ())

    @functools.lru_cache(maxsize=1024)
    def check(value: str) -> Finding | None:
        text = value.strip()
        if len(text) == 1 or (not text.isascii() and len(unicodedata.normalize("NFC", text)) == 1):
            return Finding("too_short", "company_name.single_character", {"min": 2, "length": 1})
        if not _LETTER_OR_DIGIT.search(text):
            return Finding("invalid_format", "company_name.special_only")
        if high is not None and len(value) > high:
            return Finding("too_long", "length.too_long", {"max": high, "length": len(value)})
        if restricted and _squeezed(text) in restricted:
            return Finding("not_allowed", "company_name.abbreviation_only")
        return None

    return check


@check_kind(
    "email_domain",
    scope="value",
    words=("domain",),
    summary=(
        "An email address that is not at one of `domains`: neither the domain itself, nor a "
        "subdomain of it (mail.example.com), nor it followed by more labels (example.com.au)."
    ),
    params={
        "domains": Param("values", "the domains not allowed: a dataset name or a list", True),
    },
    templates={
        "email.domain_not_allowed": (
            "{field} {value} is an address at {domain}, which Partner Center does not accept as a "
            "customer's email address."
        ),
    },
)
def email_domain(params: Mapping[str, Any], ctx: BuildContext) -> ValueCheck:
    domains = tuple(fold(d.strip().strip(".")) for d in params["domains"])
    for domain in domains:
        if not domain or domain_problem(domain) is not None:
            raise ValueError(f"'domains': {quoted(domain)} is not a domain name")
    findings = [
        (d, "." + d, d + ".", Finding("not_allowed", "email.domain_not_allowed", {"domain": d}))
        for d in domains
    ]

    def check(value: str) -> Finding | None:
        at = value.rfind("@")
        if at < 0:
            return None  # not an address at all: the email format rule says so
        host = fold(value[at + 1 :].strip()).rstrip(".")
        for domain, as_parent, as_stem, finding in findings:
            if domain in host and (
                host == domain or host.endswith(as_parent) or host.startswith(as_stem)
            ):
                return finding
        return None

    return check


def _suffix_list(raw: tuple[str, ...], key: str) -> tuple[str, ...]:
    """Suffixes folded and with their leading dot; a malformed one is a rule-file error."""
    out = []
    for item in raw:
        name = fold(item.strip()).lstrip(".")
        if not name or domain_problem(name) is not None:
            raise ValueError(f"{quoted(key)}: {quoted(item)} is not a domain name suffix")
        out.append("." + name)
    return tuple(out)


def _split_domain(text: str, suffixes: tuple[str, ...]) -> tuple[str, str] | None:
    """(prefix as sent, suffix as listed) when `text` ends in one of `suffixes` after a
    non-empty prefix; None otherwise."""
    folded = fold(text)
    if not folded.endswith(suffixes):
        return None
    for suffix in suffixes:
        if len(folded) > len(suffix) and folded.endswith(suffix):
            return text[: -len(suffix)], suffix
    return None


_SUFFIX_PARAMS = {
    "suffixes": Param(
        "values",
        "the cloud's initial domain suffixes, e.g. .onmicrosoft.com (named in messages)",
        True,
    ),
    "also_accept": Param(
        "values", "further suffixes accepted without comment (e.g. the documentation's sandbox)"
    ),
}


@check_kind(
    "domain_suffix",
    scope="value",
    words=("suffixes", "suffix_text"),
    summary=(
        "A domain name under one of the cloud's initial domain suffixes (or `also_accept`), "
        "compared without regard to letter case; a bare name of letters and digits gets the "
        "first suffix as a suggestion."
    ),
    params=_SUFFIX_PARAMS,
    templates={
        "domain.suffix": (
            "{field} {value} does not end in {suffix_text}, the suffix of a new customer's initial "
            "domain in this cloud."
        ),
        "domain.suffix_suggest": (
            "{field} {value} does not end in {suffix_text}, the suffix of a new customer's initial "
            "domain in this cloud; did you mean {suggestion}?"
        ),
    },
)
def domain_suffix(params: Mapping[str, Any], ctx: BuildContext) -> ValueCheck:
    named = _suffix_list(params["suffixes"], "suffixes")
    accepted = named + _suffix_list(params["also_accept"] or (), "also_accept")
    quoted_suffixes = tuple(f'"{s}"' for s in named)
    info = {"suffixes": list(named), "suffix_text": " or ".join(quoted_suffixes)}
    alternatives = {"suffix_text": quoted_suffixes}
    unsuffixed = Finding("invalid_format", "domain.suffix", info, alternatives=alternatives)

    def check(value: str) -> Finding | None:
        text = value.strip()
        folded = fold(text)
        if folded.endswith(accepted) and folded not in accepted:
            return None
        if text.isascii() and text.isalnum() and domain_problem(text) is None:
            suggestion = text + named[0]
            return Finding(
                "invalid_format",
                "domain.suffix_suggest",
                info,
                suggestion,
                alternatives=alternatives,
            )
        return unsuffixed

    return check


@check_kind(
    "domain_prefix",
    scope="value",
    words=("suffix", "format", "max", "length"),
    summary=(
        "The name before the initial domain suffix matches `regex` and has at most "
        "`max_length` characters (domains under other suffixes are left to domain_suffix)."
    ),
    params={
        **_SUFFIX_PARAMS,
        "regex": Param("regex", "what the name before the suffix must match in full", True),
        "format": Param("str", "what a matching name looks like, in words", True),
        "max_length": Param("int", "most characters before the suffix (no limit when left out)"),
    },
    templates={
        "domain.prefix_characters": (
            '{field} {value}: the name before "{suffix}" may contain only {format}.'
        ),
        "domain.prefix_too_long": Plural(
            '{field} {value}: the name before "{suffix}" is {length} character long; the maximum '
            "is {max}.",
            '{field} {value}: the name before "{suffix}" is {length} characters long; the maximum '
            "is {max}.",
            "length",
        ),
    },
)
def domain_prefix(params: Mapping[str, Any], ctx: BuildContext) -> ValueCheck:
    suffixes = _suffix_list(params["suffixes"], "suffixes") + _suffix_list(
        params["also_accept"] or (), "also_accept"
    )
    regex = params["regex"].compile()
    words: str = params["format"]
    high: int | None = params["max_length"]

    def check(value: str) -> Finding | None:
        parts = _split_domain(value.strip(), suffixes)
        if parts is None:
            return None
        prefix, suffix = parts
        if not regex.fullmatch(prefix):
            return Finding(
                "invalid_format", "domain.prefix_characters", {"suffix": suffix, "format": words}
            )
        if high is not None and len(prefix) > high:
            return Finding(
                "too_long",
                "domain.prefix_too_long",
                {"suffix": suffix, "max": high, "length": len(prefix)},
            )
        return None

    return check
