"""Message templates, keyed by rule id or by a check's template key, one catalog per language.

Templates are `str.format` strings. Every template may use `{field}` (the canonical dotted
path) and `{value}` (the offending value, or a neutral word when redaction is on) besides the
finding's own params. A new language is a new entry in CATALOGS; a missing key falls back to
English.

A rule's own `message` comes from a rule file, so :func:`template_problem` holds it, when the
rules load, to plain ``{name}`` fields of the names its check kind gives: ``str.format``
would otherwise fail on ``{0}`` only when the message is shown, allocate 2 GB for
``{field:>2000000000}`` and print object internals for ``{field.__class__}``.
"""

from __future__ import annotations

import string
from collections.abc import Collection, Mapping
from typing import Any, Final

from pc_validate.excerpt import clipped

EN: Final[Mapping[str, str]] = {
    "required.missing": "{field} is missing; Partner Center requires it{condition}.",
    "required.null": "{field} is null; Partner Center requires a value{condition}.",
    "required.empty": "{field} is empty; Partner Center requires a value{condition}.",
    "absent.present": "{field} is given{condition}; Partner Center does not expect it there.",
    "type.mismatch": "{field} must be {expected}, not {actual}.",
    "length.too_short": "{field} is {length} characters long; the minimum is {min}.",
    "length.too_long": "{field} is {length} characters long; the maximum is {max}.",
    "pattern.mismatch": "{field} {value} is not {format}.",
    "one_of.unsupported": "{field} {value} is not {set_name}.",
    "one_of.unsupported_suggest": "{field} {value} is not {set_name}; did you mean {suggestion}?",
    "case.non_canonical": (
        "{field} {value} is accepted, but its canonical spelling is {suggestion}."
    ),
    "case.non_canonical:redacted": "{field} is accepted, but not in its canonical spelling.",
    "country.format": "{field} {value} is not a two-letter ISO 3166-1 alpha-2 country code.",
    "country.format_suggest": (
        "{field} {value} is not a two-letter ISO 3166-1 alpha-2 country code; "
        "did you mean {suggestion} ({suggestion_name})?"
    ),
    "country.unknown": "{field} {value} is not an ISO 3166-1 alpha-2 country code.",
    "country.unknown_suggest": (
        "{field} {value} is not an ISO 3166-1 alpha-2 country code; "
        "did you mean {suggestion} ({suggestion_name})?"
    ),
    "culture.unsupported": "{field} {value} is not one of the cultures Partner Center supports.",
    "culture.unsupported_suggest": (
        "{field} {value} is not one of the cultures Partner Center supports; "
        "did you mean {suggestion} ({suggestion_name})?"
    ),
    "language.format": "{field} {value} is not a two-letter ISO 639-1 language code.",
    "language.format_suggest": (
        "{field} {value} is not a two-letter ISO 639-1 language code; "
        "did you mean {suggestion} ({suggestion_name})?"
    ),
    "language.unknown": "{field} {value} is not an ISO 639-1 language code.",
    "email.invalid": "{field} {value} is not a valid email address: {reason}",
    "domain.invalid": "{field} {value} is not a valid domain name: {reason}.",
    "domain.suffix": (
        "{field} {value} does not end in {suffix_text}, the suffix of a new customer's "
        "initial domain in this cloud."
    ),
    "domain.suffix_suggest": (
        "{field} {value} does not end in {suffix_text}, the suffix of a new customer's "
        "initial domain in this cloud; did you mean {suggestion}?"
    ),
    "domain.prefix_characters": (
        '{field} {value}: the name before "{suffix}" may contain only {format}.'
    ),
    "domain.prefix_too_long": (
        '{field} {value}: the name before "{suffix}" is {length} characters long; '
        "the maximum is {max}."
    ),
    "email.domain_not_allowed": (
        "{field} {value} is an address at {domain}, which Partner Center does not accept "
        "as a customer's email address."
    ),
    "company_name.single_character": (
        "{field} {value} is a single character; Partner Center does not accept a company "
        "name of one character."
    ),
    "company_name.special_only": (
        "{field} {value} has no letter or digit; Partner Center does not accept a company "
        "name of only special characters."
    ),
    "company_name.abbreviation_only": (
        "{field} {value} is only a legal-form abbreviation; Partner Center does not accept "
        "it without the company's name."
    ),
    "guid.invalid": (
        "{field} {value} is not a GUID (a tenant ID such as 9b2e9f4c-3d1a-4e8b-a6f0-5c7d2e1b8a34)."
    ),
    "guid.nil": "{field} is the nil GUID (all zeros), which is never a tenant ID.",
    "market.postal_code": (
        "{field} {value} does not have the form Google's address data gives for postal "
        "codes{condition} (examples: {examples_text})."
    ),
    "market.missing": (
        "{field} is missing; Google's address data expects {part} in an address{condition}."
    ),
    "market.empty": (
        "{field} is empty; Google's address data expects {part} in an address{condition}."
    ),
    "market.state": (
        "{field} {value} is not {kind_article} that Google's address data or ISO 3166-2 "
        "lists{condition} ({known_count} known)."
    ),
    "market.culture": (
        "{field} {value} is not one of the cultures Partner Center lists for the address "
        "country ({cultures_text})."
    ),
    "market.culture_suggest": (
        "{field} {value} is not one of the cultures Partner Center lists for the address "
        "country ({cultures_text}); did you mean {suggestion}?"
    ),
    "market.language": (
        "{field} {value} is neither the culture's language nor one Partner Center lists "
        "for the address country ({languages_text})."
    ),
    "market.language_suggest": (
        "{field} {value} is neither the culture's language nor one Partner Center lists "
        "for the address country ({languages_text}); did you mean {suggestion}, the "
        "culture's language?"
    ),
    "keys.unknown": "{key_pointer} is not a field Partner Center knows in {parent}.",
    "keys.unknown_suggest": (
        "{key_pointer} is not a field Partner Center knows in {parent}; did you mean {suggestion}?"
    ),
    "keys.unknown:redacted": (
        "The key {key_pointer} is not a field Partner Center knows in {parent}."
    ),
    "keys.unknown_more": (
        "{parent} has {count} more keys that are not fields Partner Center knows "
        "(only the first 50 are listed one by one)."
    ),
    "keys.repeated": (
        "{parent} has the key {key_pointer} more than once; only one value is used "
        "(pc-validate checks the last)."
    ),
    "keys.ambiguous": (
        "{parent} has the keys {keys_text}, which differ only in case; Partner Center matches "
        "keys case-insensitively, so only one is used (pc-validate checks the last, {used})."
    ),
    "registration_number.invalid_format": "{field} {value} is not {expected} ({shapes}).",
    "registration_number.invalid_checksum": (
        "{field} {value} is not {expected}: its {kind} check digit does not match."
    ),
    "registration_number.too_short": "{field} {value} is too short for {expected} ({shapes}).",
    "registration_number.too_long": "{field} {value} is too long for {expected} ({shapes}).",
    "registration_number.non_canonical": (
        "{field} {value} is a valid {kind} but not in compact form (its letters and digits "
        "only, without spaces, separators or prefix); Partner Center checks the number "
        "against a pattern."
    ),
    "registration_number.non_canonical_suggest": (
        "{field} {value} is a valid {kind} but not in compact form; Partner Center checks "
        "the number against a pattern, so send {suggestion}."
    ),
    "phone.impossible": "{field} {value} cannot be a valid phone number{condition}: {problem}.",
    "phone.plus_sign": (
        "{field} {value} is not {format}: the pattern has no room for a leading + sign."
    ),
    "phone.plus_sign_suggest": (
        "{field} {value} is not {format}: the pattern has no room for a leading + sign; "
        "did you mean {suggestion}?"
    ),
    "whitespace.surrounding": "{field} has leading or trailing whitespace.",
}

CATALOGS: Final[Mapping[str, Mapping[str, str]]] = {"en": EN}

#: The names the engine gives every template besides the finding's params
#: (engine.Validator._write_violation); OBJECT_WORDS only mean something for object-scope
#: checks, whose findings are about a key.
ENGINE_WORDS: Final = frozenset({"field", "value", "suggestion", "condition"})
OBJECT_WORDS: Final = frozenset({"key_pointer"})

REDACTED_VALUE: Final = "(value withheld)"


def template_for(
    rule_id: str, template: str, rule_message: str | None, language: str, redact: bool = False
) -> str:
    """Pick the template: a catalog entry for the rule, the rule's own message, the check's.

    Under redaction no suggestion may be shown, so a check's `..._suggest` template gives way
    to its plain form, and a template with a `:redacted` variant to that variant.
    """
    catalog = CATALOGS.get(language, EN)
    if rule_id in catalog:
        return catalog[rule_id]
    if rule_message is not None:
        return rule_message
    if redact:
        template = template.removesuffix("_suggest")
        if f"{template}:redacted" in EN:
            template = f"{template}:redacted"
    return catalog.get(template) or EN[template]


def template_problem(template: str, words: Collection[str]) -> str | None:
    """Why `template` is not a message a rule may give (None when it is): only plain
    ``{name}`` fields with a name from `words`; ``{{`` and ``}}`` are literal braces."""
    try:
        fields = [
            (name, spec, conversion) for _, name, spec, conversion in _FORMATTER.parse(template)
        ]
    except ValueError as exc:
        return f"not a valid template ({exc}); write {{{{ and }}}} for a literal brace"
    for name, spec, conversion in fields:
        if name is None:
            continue
        shown = clipped(
            "{"
            + name
            + (f"!{conversion}" if conversion else "")
            + (f":{spec}" if spec else "")
            + "}"
        )
        head = name.partition(".")[0].partition("[")[0]
        if not head or head.isdigit():
            return f"{shown} is a field by position; name what it shows, e.g. {{field}}"
        if head != name:
            return (
                f"{shown} reaches into a value; a field is a plain name, e.g. {{{clipped(head)}}}"
            )
        if conversion:
            return f"{shown} has a conversion (!{conversion}); write {{{clipped(name)}}}"
        if spec:
            return f"{shown} has a format spec; write {{{clipped(name)}}}"
        if name not in words:
            return f"{shown} is not a name this check gives; it gives {', '.join(sorted(words))}"
    return None


_FORMATTER = string.Formatter()


class _Defaulting(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render(template: str, values: Mapping[str, Any]) -> str:
    """Fill a template; an unknown placeholder stays visible instead of raising."""
    text = template.format_map(_Defaulting(values))
    # Field paths keep their camelCase; only a sentence opening with prose is capitalised.
    return "The" + text[3:] if text.startswith("the ") else text
