"""Registration numbers (python-stdnum) and phone numbers (phonenumbers, Partner Center's US
pattern).

Rule files name kinds of registration number ("INN", "CNPJ"), never modules: the closed
registry :data:`REGISTRATION_NUMBERS` maps each country's kind names to the python-stdnum
module that knows their format and check digits. Both libraries are imported only when a
value has to be judged, and each judgement is cached per value.
"""

from __future__ import annotations

import functools
import importlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Protocol, cast

from pc_validate.checks.registry import (
    BuildContext,
    Param,
    ValueCheck,
    check_kind,
    phrase_words,
)
from pc_validate.checks.text import PATTERN_MISMATCH
from pc_validate.excerpt import quoted
from pc_validate.model import Finding, ascii_upper, fold

if TYPE_CHECKING:
    from pc_validate.languages import Language
    from pc_validate.markets import Market

#: Longer input is no number of any kind here (the longest compact form has 21 characters);
#: it is judged without the per-value caches, which should not hold 10,000-character keys.
_CACHEABLE_LENGTH: Final = 64


class NumberFormat(Protocol):
    """What the checks use of a python-stdnum module (or an adapter with the same calls)."""

    def compact(self, number: str) -> str: ...

    def validate(self, number: str) -> str: ...


class _HungarianTaxNumber:
    """Hungarian tax number (adószám): 8 digits, a VAT code digit and a 2-digit county code,
    written 12345678-1-23; or its first 8 digits alone (the törzsszám, which is also the EU
    VAT number without "HU"). python-stdnum's hu.anum knows the check digit of those 8 digits
    but not the 11-digit form, so this adapter checks the 8 digits with hu.anum and the rest
    only for being digits."""

    def compact(self, number: str) -> str:
        from stdnum.hu import anum

        return anum.compact(number)

    def validate(self, number: str) -> str:
        from stdnum.exceptions import InvalidFormat
        from stdnum.hu import anum

        number = anum.compact(number)
        if len(number) == 11:
            if not (number.isascii() and number.isdigit()):
                raise InvalidFormat()
            anum.validate(number[:8])
            return number
        return anum.validate(number)


class _IndianCin:
    """Indian CIN (Corporate Identity Number) that the Registrars of Companies allot since
    November 2000: 21 characters, L or U (listed or not), a 5-digit industry code, a 2-letter
    state code, the 4-digit year of incorporation, a 3-letter ownership code (PTC, PLC...)
    and a 6-digit number. It has no check digit and python-stdnum has no module for it, so
    only this structure is checked."""

    _STRUCTURE: Final = re.compile(r"[LU][0-9]{5}[A-Z]{2}[0-9]{4}[A-Z]{3}[0-9]{6}")

    def compact(self, number: str) -> str:
        from stdnum.util import clean

        return clean(number, " -").strip().upper()

    def validate(self, number: str) -> str:
        from stdnum.exceptions import InvalidFormat, InvalidLength

        number = self.compact(number)
        if len(number) != 21:
            raise InvalidLength()
        if not self._STRUCTURE.fullmatch(number):
            raise InvalidFormat()
        return number


@dataclass(frozen=True, slots=True)
class NumberKind:
    """One kind of registration number, as a rule file names it."""

    name: str
    #: The python-stdnum module that knows the format and check digits (None: the adapter's)
    module: str | None
    #: The compact form in words, for messages
    shape: str
    #: Lengths of the compact form
    lengths: tuple[int, ...]
    #: Used instead of the module where the module alone does not cover the kind
    adapter: NumberFormat | None = None


@dataclass(frozen=True, slots=True)
class CountryNumbers:
    """The registration numbers of one country that python-stdnum can judge."""

    #: "a Russian": how a message names a number of this country
    article_adjective: str
    kinds: tuple[NumberKind, ...]

    def kind(self, name: str) -> NumberKind | None:
        folded = fold(name.strip())
        return next((kind for kind in self.kinds if fold(kind.name) == folded), None)


def _country(article_adjective: str, *kinds: NumberKind) -> CountryNumbers:
    return CountryNumbers(article_adjective, kinds)


#: Every kind of registration number a rule file may name, by country. Names follow Partner
#: Center's registration-ID table (includes/countries-registration-id-table.md, 06/02/2023)
#: where it names the kind; the other entries are there for rule files that accept more.
REGISTRATION_NUMBERS: Final[Mapping[str, CountryNumbers]] = {
    "AZ": _country("an Azerbaijani", NumberKind("VOEN", "stdnum.az.voen", "10 digits", (10,))),
    "BR": _country(
        "a Brazilian",
        NumberKind("CNPJ", "stdnum.br.cnpj", "14 digits (letters too from July 2026)", (14,)),
        NumberKind("CPF", "stdnum.br.cpf", "11 digits", (11,)),
    ),
    "BY": _country("a Belarusian", NumberKind("UNP", "stdnum.by.unp", "9 digits or letters", (9,))),
    "CN": _country(
        "a Chinese",
        NumberKind("USCC", "stdnum.cn.uscc", "18 digits or letters", (18,)),
        NumberKind("RIC", "stdnum.cn.ric", "18 digits (the last may be X)", (18,)),
    ),
    "HU": _country(
        "a Hungarian",
        NumberKind(
            "tax number",
            "stdnum.hu.anum",
            "11 digits, or the first 8 of them",
            (8, 11),
            _HungarianTaxNumber(),
        ),
    ),
    "IN": _country(
        "an Indian",
        NumberKind("GSTIN", "stdnum.in_.gstin", "15 digits or letters", (15,)),
        NumberKind("PAN", "stdnum.in_.pan", "5 letters, 4 digits and a letter", (10,)),
        NumberKind("CIN", None, "21 letters and digits", (21,), _IndianCin()),
    ),
    "MD": _country(
        "a Moldovan",
        NumberKind("IDNO", "stdnum.md.idno", "13 digits", (13,)),
        # The personal IDNP has the IDNO's structure and check digit.
        NumberKind("IDNP", "stdnum.md.idno", "13 digits", (13,)),
    ),
    "PL": _country(
        "a Polish",
        NumberKind("NIP", "stdnum.pl.nip", "10 digits", (10,)),
        NumberKind("PESEL", "stdnum.pl.pesel", "11 digits", (11,)),
        NumberKind("REGON", "stdnum.pl.regon", "9 or 14 digits", (9, 14)),
    ),
    "RU": _country(
        "a Russian",
        NumberKind("INN", "stdnum.ru.inn", "10 or 12 digits", (10, 12)),
        NumberKind("OGRN", "stdnum.ru.ogrn", "13 or 15 digits", (13, 15)),
    ),
    "TH": _country("a Thai", NumberKind("TIN", "stdnum.th.tin", "13 digits", (13,))),
    "TR": _country(
        "a Turkish",
        NumberKind("VKN", "stdnum.tr.vkn", "10 digits", (10,)),
        NumberKind("TCKN", "stdnum.tr.tckimlik", "11 digits", (11,)),
    ),
    "UA": _country(
        "a Ukrainian",
        NumberKind("EDRPOU", "stdnum.ua.edrpou", "8 digits", (8,)),
        NumberKind("RNOKPP", "stdnum.ua.rntrc", "10 digits", (10,)),
    ),
    "US": _country("a US", NumberKind("EIN", "stdnum.us.ein", "9 digits", (9,))),
    "VE": _country(
        "a Venezuelan", NumberKind("RIF", "stdnum.ve.rif", "a letter and 9 digits", (10,))
    ),
    "VN": _country("a Vietnamese", NumberKind("MST", "stdnum.vn.mst", "10 or 13 digits", (10, 13))),
    "ZA": _country(
        "a South African",
        NumberKind("TIN", "stdnum.za.tin", "10 digits", (10,)),
        NumberKind("ID number", "stdnum.za.idnr", "13 digits", (13,)),
    ),
}


@functools.cache
def number_format(kind: NumberKind) -> NumberFormat:
    """The python-stdnum module (or adapter) that judges numbers of `kind`."""
    if kind.adapter is not None:
        return kind.adapter
    assert kind.module is not None, kind
    return cast(NumberFormat, importlib.import_module(kind.module))


def _or_list(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _slug(words: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", words.lower()).strip("_")


#: The words of a registration-number finding in another language, by message id: how it
#: names the kinds expected of a country (the kinds, joined as the language lists
#: alternatives, and the country's CLDR name), the kinds whose names are words, and the
#: compact forms.
NUMBER_PHRASES: Final[Mapping[str, str]] = {
    "registration_number.expected": "{kinds} ({country})",
    **{
        f"registration_number.name_{_slug(kind.name)}": kind.name
        for country in REGISTRATION_NUMBERS.values()
        for kind in country.kinds
        if not kind.name.isupper()
    },
    **{
        f"registration_number.shape_{_slug(kind.shape)}": kind.shape
        for country in REGISTRATION_NUMBERS.values()
        for kind in country.kinds
    },
}


@functools.lru_cache(maxsize=256)
def _described(expected: str) -> tuple[str, tuple[NumberKind, ...]] | None:
    """The country and the kinds of a finding's `expected` (_Expected writes it: "a Russian
    INN or OGRN"), read back; None for any other text."""
    for code, country in REGISTRATION_NUMBERS.items():
        head = country.article_adjective + " "
        if not expected.startswith(head):
            continue
        names = expected[len(head) :].replace(" or ", ", ").split(", ")
        kinds = tuple(kind for name in names if (kind := country.kind(name)) is not None)
        if len(kinds) == len(names) and _or_list([k.name for k in kinds]) == expected[len(head) :]:
            return code, kinds
    return None


def _kind_name(name: str, language: Language) -> str:
    key = f"registration_number.name_{_slug(name)}"
    return language.text(key, name) if key in NUMBER_PHRASES else name


def _number_words(
    params: Mapping[str, Any], suggestion: Any, language: Language
) -> Mapping[str, Any]:
    """A registration-number finding's kinds, country and compact forms in the language."""
    local: dict[str, Any] = {}
    if isinstance(params.get("kind"), str):
        local["kind"] = _kind_name(params["kind"], language)
    expected = params.get("expected")
    described = _described(expected) if isinstance(expected, str) else None
    if described is None:
        return local
    code, kinds = described
    names = [_kind_name(kind.name, language) for kind in kinds]
    pattern = language.text(
        "registration_number.expected", NUMBER_PHRASES["registration_number.expected"]
    )
    local["expected"] = pattern.format(
        kinds=language.join(names, "or"), country=language.country_name(code) or code
    )
    local["shapes"] = "; ".join(
        f"{name}: {language.text(f'registration_number.shape_{_slug(kind.shape)}', kind.shape)}"
        for name, kind in zip(names, kinds, strict=True)
    )
    return local


class _Expected:
    """The kinds accepted for one country, and the message params that describe them."""

    __slots__ = ("kinds", "params")

    def __init__(self, country: CountryNumbers, kinds: tuple[NumberKind, ...]) -> None:
        self.kinds = kinds
        names = _or_list([kind.name for kind in kinds])
        self.params: Mapping[str, str] = {
            "kinds": names,
            "expected": f"{country.article_adjective} {names}",
            "shapes": "; ".join(f"{kind.name}: {kind.shape}" for kind in kinds),
        }


def _expectations(table: Mapping[Any, tuple[str, ...]]) -> dict[str, _Expected]:
    """Resolve a rule's `kinds` table against the registry; unknown names are errors."""
    out: dict[str, _Expected] = {}
    for code, names in table.items():
        if not isinstance(code, str):
            raise ValueError(f"'kinds': {quoted(code)} is not a country code (quote it in YAML)")
        country = REGISTRATION_NUMBERS.get(ascii_upper(code.strip()))
        if country is None:
            raise ValueError(
                f"'kinds': no registration-number kinds are known for {quoted(code)}; "
                f"known countries: {', '.join(sorted(REGISTRATION_NUMBERS))}"
            )
        if not names:
            raise ValueError(f"'kinds': {quoted(code)} lists no kind")
        kinds = []
        for name in names:
            kind = country.kind(name)
            if kind is None:
                known = ", ".join(k.name for k in country.kinds)
                raise ValueError(
                    f"'kinds': unknown kind {quoted(name)} for {quoted(code)}; known: {known}"
                )
            kinds.append(kind)
        out[ascii_upper(code.strip())] = _Expected(country, tuple(kinds))
    return out


def _compact_or_value(fmt: NumberFormat, value: str) -> str:
    try:
        return fmt.compact(value)
    except Exception:  # see judge_registration_number
        return value


def judge_registration_number(expected: _Expected, value: str) -> Finding | None:
    """None when `value` is a compact number of an expected kind, else what is wrong."""
    from stdnum.exceptions import InvalidChecksum, InvalidLength, ValidationError

    written = value.strip()
    canonical: tuple[NumberKind, str] | None = None
    bad_checksum: NumberKind | None = None
    lengths_only = True  # every kind rejected the number for its length alone
    shorter = longer = True
    for kind in expected.kinds:
        fmt = number_format(kind)
        try:
            compact = fmt.validate(value)
        except InvalidChecksum:
            bad_checksum = bad_checksum or kind
            lengths_only = False
        except InvalidLength:
            size = len(_compact_or_value(fmt, value))
            shorter = shorter and size < min(kind.lengths)
            longer = longer and size > max(kind.lengths)
        except ValidationError:
            lengths_only = False
        except Exception:  # a library bug on odd input must not escape validate()
            lengths_only = False
        else:
            if compact == written:
                return None
            canonical = canonical or (kind, compact)
    if canonical is not None:
        kind, compact = canonical
        # Under redaction the engine uses "registration_number.non_canonical".
        return Finding(
            "non_canonical",
            "registration_number.non_canonical_suggest",
            {**expected.params, "kind": kind.name},
            compact,
        )
    if bad_checksum is not None:
        return Finding(
            "invalid_checksum",
            "registration_number.invalid_checksum",
            {**expected.params, "kind": bad_checksum.name},
        )
    if lengths_only and shorter:
        return Finding("too_short", "registration_number.too_short", expected.params)
    if lengths_only and longer:
        return Finding("too_long", "registration_number.too_long", expected.params)
    return Finding("invalid_format", "registration_number.invalid_format", expected.params)


PLUS_SIGN = {
    "phone.plus_sign": (
        "{field} {value} is not {format}: the pattern has no room for a leading + sign."
    ),
    "phone.plus_sign_suggest": (
        "{field} {value} is not {format}: the pattern has no room for a leading + sign; did you "
        "mean {suggestion}?"
    ),
}


def _registration_coverage(params: Mapping[str, Any]) -> Callable[[Market], bool]:
    kinds: Mapping[str, Any] = params["kinds"]
    return lambda market: market.code in kinds


def _phone_coverage(params: Mapping[str, Any]) -> Callable[[Market], bool]:
    regions = phone_regions()
    return lambda market: market.code in regions


@check_kind(
    "registration_number",
    scope="value",
    words=("kinds", "expected", "shapes", "kind"),
    summary=(
        "A registration number of one of the kinds `kinds` lists for the country in `country`, "
        "in compact form (python-stdnum: format and check digits); silent for other countries."
    ),
    params={
        "country": Param("field", "the field that holds the country code", required=True),
        "kinds": Param(
            "table",
            "country code -> the kinds of number accepted there (names known to pc-validate, "
            "e.g. RU: [INN])",
            required=True,
        ),
    },
    context=("country",),
    templates={
        "registration_number.invalid_format": "{field} {value} is not {expected} ({shapes}).",
        "registration_number.invalid_checksum": (
            "{field} {value} is not {expected}: its {kind} check digit does not match."
        ),
        "registration_number.too_short": "{field} {value} is too short for {expected} ({shapes}).",
        "registration_number.too_long": "{field} {value} is too long for {expected} ({shapes}).",
        "registration_number.non_canonical": (
            "{field} {value} is a valid {kind} but not in compact form (its letters and digits "
            "only, without spaces, separators or prefix); Partner Center checks the number against "
            "a pattern."
        ),
        "registration_number.non_canonical_suggest": (
            "{field} {value} is a valid {kind} but not in compact form; Partner Center checks the "
            "number against a pattern, so send {suggestion}."
        ),
    },
    coverage=_registration_coverage,
    authority="python-stdnum",
    local_words=_number_words,
    phrases=NUMBER_PHRASES,
)
def registration_number(
    params: Mapping[str, Any], ctx: BuildContext
) -> Callable[[str, str | None], Finding | None]:
    expectations = _expectations(params["kinds"])

    @functools.lru_cache(maxsize=1024)
    def judge(code: str, value: str) -> Finding | None:
        return judge_registration_number(expectations[code], value)

    def check(value: str, country: str | None = None) -> Finding | None:
        if country is None:
            return None
        code = ascii_upper(country)
        expected = expectations.get(code)
        if expected is None:
            return None
        if len(value) > _CACHEABLE_LENGTH:
            return judge_registration_number(expected, value)
        return judge(code, value)

    return check


# --------------------------------------------------------------------------------------------
# Phone numbers


@functools.cache
def phone_regions() -> frozenset[str]:
    """The regions phonenumbers has metadata for."""
    import phonenumbers

    return frozenset(phonenumbers.SUPPORTED_REGIONS)


#: phonenumbers' reasons, in the words of the messages, by message id (translated as
#: messages of their own)
PHONE_PROBLEMS: Final[Mapping[str, str]] = {
    "phone.too_short": "it has too few digits",
    "phone.too_long": "it has too many digits",
    "phone.invalid_length": "no phone number there has this many digits",
    "phone.invalid_country_code": "its country calling code belongs to no country",
    "phone.not_a_number": "it is not a phone number",
}
_PHONE_CODES: Final = {"too_short": "too_short", "too_long": "too_long"}


#: One finding per problem, shared by every number that has it.
_PHONE_FINDINGS: Final[Mapping[str, Finding]] = {
    key.removeprefix("phone."): Finding(
        _PHONE_CODES.get(key.removeprefix("phone."), "invalid_format"),
        "phone.impossible",
        {"problem": words},
    )
    for key, words in PHONE_PROBLEMS.items()
}


def phone_finding(problem: str) -> Finding:
    """The phone_number kind's finding for one of phonenumbers' problems (PHONE_PROBLEMS,
    without its "phone." prefix)."""
    return _PHONE_FINDINGS[problem]


def judge_phone_number(value: str, region: str) -> Finding | None:
    """None when `value` can be a phone number dialled from `region`, else what is wrong.

    "Can be" is phonenumbers' is_possible_number (the length fits the numbering plan), not
    is_valid_number (the number lies in a range known to be allocated): allocation data
    changes with every metadata release, so an older install would flag new mobile ranges.
    A number written with a country calling code is judged against that code's plan, even
    when it is another country's: a contact phone abroad is not wrong, and Partner Center
    documents no such restriction.
    """
    import phonenumbers
    from phonenumbers import NumberParseException, ValidationResult

    try:
        number = phonenumbers.parse(value, region)
    except NumberParseException as exc:
        if exc.error_type == NumberParseException.INVALID_COUNTRY_CODE:
            return phone_finding("invalid_country_code")
        if exc.error_type in (
            NumberParseException.TOO_SHORT_AFTER_IDD,
            NumberParseException.TOO_SHORT_NSN,
        ):
            return phone_finding("too_short")
        if exc.error_type == NumberParseException.TOO_LONG:
            return phone_finding("too_long")
        return phone_finding("not_a_number")
    except Exception:  # a library bug on odd input must not escape validate()
        return phone_finding("not_a_number")
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason == ValidationResult.IS_POSSIBLE:
        return None
    if reason == ValidationResult.IS_POSSIBLE_LOCAL_ONLY:
        # Long enough only for a call inside the area (the area code is missing), unless it
        # is a short service number that the plan knows, such as Canada's 310-xxxx.
        if phonenumbers.is_valid_number(number):
            return None
        return phone_finding("too_short")
    if reason == ValidationResult.TOO_SHORT:
        return phone_finding("too_short")
    if reason == ValidationResult.TOO_LONG:
        return phone_finding("too_long")
    if reason == ValidationResult.INVALID_COUNTRY_CODE:
        return phone_finding("invalid_country_code")
    return phone_finding("invalid_length")


_judge_phone_cached = functools.lru_cache(maxsize=2048)(judge_phone_number)


@check_kind(
    "phone_number",
    scope="value",
    words=("problem",),
    summary=(
        "A number that can be a phone number of the country in `country` (phonenumbers: "
        "possible length), or of the country calling code it starts with; silent for "
        "countries phonenumbers does not know."
    ),
    params={
        "country": Param("field", "the field that holds the country code", required=True),
    },
    context=("country",),
    templates={
        "phone.impossible": "{field} {value} cannot be a valid phone number{condition}: {problem}.",
    },
    coverage=_phone_coverage,
    authority="phonenumbers (libphonenumber)",
    local_words=phrase_words(PHONE_PROBLEMS, "problem"),
    phrases=PHONE_PROBLEMS,
)
def phone_number(
    params: Mapping[str, Any], ctx: BuildContext
) -> Callable[[str, str | None], Finding | None]:
    def check(value: str, country: str | None = None) -> Finding | None:
        if country is None or len(country) != 2:
            return None
        region = ascii_upper(country)
        if region not in phone_regions():
            return None
        from pc_validate.phones import ASK, plain_problem

        problem = plain_problem(value, region)  # the same verdict, cheaper (phones.py)
        if problem is not ASK:
            return None if problem is None else phone_finding(problem)
        if len(value) > _CACHEABLE_LENGTH:
            return judge_phone_number(value, region)
        return _judge_phone_cached(value, region)

    return check


@check_kind(
    "phone_pattern",
    scope="value",
    words=("pattern", "format"),
    summary=(
        "The phone number, without surrounding whitespace, matches a country's pattern in "
        "full; when only a leading + stands in the way, the number without it is the "
        "suggestion."
    ),
    params={
        "regex": Param("regex", "the pattern (matched in full)", required=True),
        "format": Param("str", "what a matching number looks like, in words", required=True),
    },
    templates={**PATTERN_MISMATCH, **PLUS_SIGN},
)
def phone_pattern(params: Mapping[str, Any], ctx: BuildContext) -> ValueCheck:
    regex = params["regex"].compile()
    info = {"pattern": regex.pattern, "format": params["format"]}

    def check(value: str) -> Finding | None:
        text = value.strip()
        if regex.fullmatch(text):
            return None
        if text.startswith("+"):
            without_plus = text[1:].lstrip()
            if regex.fullmatch(without_plus):
                # Under redaction the engine uses "phone.plus_sign".
                return Finding("invalid_format", "phone.plus_sign_suggest", info, without_plus)
        return Finding("invalid_format", "pattern.mismatch", info)

    return check
