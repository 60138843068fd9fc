"""Domain names: DNS host-name syntax (RFC 1035 and RFC 1123 labels), and top-level
domains (of a domain or an email address) as the Public Suffix List has them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, NamedTuple

from pc_validate.checks.registry import BuildContext, Param, ValueCheck, check_kind, phrase_words
from pc_validate.memo import SHAPES_KEPT, Bounded
from pc_validate.model import Finding

_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?")
_MAX_NAME = 253
_MAX_LABEL = 63
#: A whole valid name in one match (labels of at most 63 characters): the common case.
_VALID_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_VALID_NAME = re.compile(rf"(?:{_VALID_LABEL}\.)*{_VALID_LABEL}")


#: Why a name is not a DNS name, in words, by message id (translated as messages of their
#: own; the numbers are filled in).
DOMAIN_PROBLEMS: Mapping[str, str] = {
    "domain.too_long": "it is {length} characters long; a domain name has at most {max}",
    "domain.whitespace": "it contains whitespace",
    "domain.empty_label": "it has an empty label (two dots in a row, or a dot at the start or end)",
    "domain.long_label": "a label is {length} characters long; the maximum is {max}",
    "domain.hyphen": "a label starts or ends with a hyphen",
    "domain.character": "a label has a character other than a letter, digit or hyphen",
}


def domain_problem(name: str) -> str | None:
    """None for a valid DNS name, else why not (in words)."""
    if len(name) <= _MAX_NAME and _VALID_NAME.fullmatch(name):
        return None
    if len(name) > _MAX_NAME:
        return DOMAIN_PROBLEMS["domain.too_long"].format(length=len(name), max=_MAX_NAME)
    if any(ch.isspace() for ch in name):
        return DOMAIN_PROBLEMS["domain.whitespace"]
    for label in name.split("."):
        if not label:
            return DOMAIN_PROBLEMS["domain.empty_label"]
        if len(label) > _MAX_LABEL:
            return DOMAIN_PROBLEMS["domain.long_label"].format(length=len(label), max=_MAX_LABEL)
        if not _LABEL.fullmatch(label):
            if label.startswith("-") or label.endswith("-"):
                return DOMAIN_PROBLEMS["domain.hyphen"]
            return DOMAIN_PROBLEMS["domain.character"]
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
    local_words=phrase_words(DOMAIN_PROBLEMS, "reason"),
    phrases=DOMAIN_PROBLEMS,
)
def domain_name(params: Mapping[str, Any], ctx: BuildContext) -> ValueCheck:
    def check(value: str) -> Finding | None:
        reason = domain_problem(value.strip())
        if reason is None:
            return None
        return Finding("invalid_format", "domain.invalid", {"reason": reason})

    return check


#: The dots IDNA reads as a label separator (UTS 46): full stop, ideographic and full-width.
_DOTS = re.compile("[.\u3002\uff0e\uff61]")


def _domain_of(text: str, of: str) -> str | None:
    """The domain name in a value: after the last @ of an email address (none for an
    address literal such as [192.0.2.1]), the whole of a domain field."""
    if of == "email":
        at = text.rfind("@")
        if at < 0 or text.startswith("[", at + 1):
            return None
        return text[at + 1 :]
    return text


def top_level_label(text: str, of: str) -> str | None:
    """The last label of the value's domain, or None when it has no dot or ends in one
    (those are the syntax rules' business)."""
    domain = _domain_of(text, of)
    if domain is None:
        return None
    if domain.isascii():  # only "." separates labels: no split needed
        dot = domain.rfind(".")
        if dot <= 0 or dot == len(domain) - 1 or domain[0] == ".":
            return None
        return domain[dot + 1 :]
    labels = _DOTS.split(domain)
    if len(labels) < 2 or not labels[-1] or not labels[0]:
        return None
    return labels[-1]


class _LabelVerdict(NamedTuple):
    """What the top_level_domain kind says of one top-level label, as sent."""

    impossible: Finding | None  # judge: possible
    unlisted: Finding | None  # judge: listed, when no TLD is likely meant
    meant: str | None  # judge: listed, the TLD likely meant (its finding names the value)


#: The verdict on each top-level label seen. Labels repeat across customers (com, de, ...)
#: where whole addresses never do, so this cache stays small and warm, and the findings it
#: holds are shared by every value with that label.
_LABELS: Bounded[str, _LabelVerdict] = Bounded(SHAPES_KEPT)


def _label_verdict(tld: str) -> _LabelVerdict:
    from pc_validate.suffixes import is_tld, meant_tld

    if len(tld) == 1:
        impossible = Finding("invalid_format", "tld.impossible", {"tld": tld})
        return _LABELS.remember(tld, _LabelVerdict(impossible, None, None))
    if is_tld(tld):
        return _LABELS.remember(tld, _LabelVerdict(None, None, None))
    meant = meant_tld(tld)
    unlisted = Finding("unsupported_value", "tld.unlisted", {"tld": tld}) if meant is None else None
    return _LABELS.remember(tld, _LabelVerdict(None, unlisted, meant))


def tld_finding(text: str, of: str, judge: str) -> Finding | None:
    """The top_level_domain kind's finding on a trimmed value (None: nothing to report)."""
    tld = top_level_label(text, of)
    if tld is None:
        return None
    verdict = _LABELS.entries.get(tld) or _label_verdict(tld)
    if judge == "possible":
        return verdict.impossible
    if verdict.meant is None:
        return verdict.unlisted
    info = {"tld": tld, "meant": verdict.meant}
    return Finding(
        "unsupported_value", "tld.unlisted_suggest", info, text[: -len(tld)] + verdict.meant
    )


@check_kind(
    "top_level_domain",
    scope="value",
    words=("tld", "meant"),
    summary=(
        "The top-level domain of an email address or domain name can exist (judge: possible; "
        "more than one character) or is one the Public Suffix List's ICANN section lists "
        "(judge: listed; one-letter labels are left to possible)."
    ),
    params={
        "of": Param(
            "choice",
            "what the value is: an email address (its domain follows the last @) or a domain",
            required=True,
            choices=("email", "domain"),
        ),
        "judge": Param(
            "choice",
            "possible: a one-letter TLD, which cannot exist; listed: a TLD the list lacks",
            required=True,
            choices=("possible", "listed"),
        ),
    },
    templates={
        "tld.impossible": (
            "{field} {value} ends in the one-letter top-level domain .{tld}; no top-level "
            "domain has a single character."
        ),
        "tld.impossible:redacted": (
            "{field} ends in a one-letter top-level domain; no top-level domain has a single "
            "character."
        ),
        "tld.unlisted": (
            "{field} {value} ends in .{tld}, which is not a top-level domain of the Public "
            "Suffix List (ICANN section)."
        ),
        "tld.unlisted_suggest": (
            "{field} {value} ends in .{tld}, which is not a top-level domain of the Public "
            "Suffix List (ICANN section); did you mean .{meant} ({suggestion})?"
        ),
        "tld.unlisted:redacted": (
            "{field} ends in a label that is not a top-level domain of the Public Suffix List "
            "(ICANN section)."
        ),
    },
    echoing=("tld", "meant"),
)
def top_level_domain(params: Mapping[str, Any], ctx: BuildContext) -> ValueCheck:
    of: str = params["of"]
    judge: str = params["judge"]

    def check(value: str) -> Finding | None:
        return tld_finding(value.strip(), of, judge)

    return check
