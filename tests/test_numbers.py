"""Registration numbers and phone numbers: proofs against the libraries' own examples.

- Every example number of python-stdnum's test files and docstrings for a kind that the rule
  company.registration_number.format accepts (tests/data/stdnum_examples.yaml, extracted from
  the sdist by scripts/extract_stdnum_examples.py) passes the rule for its country: the
  compact form silently, a formatted one with nothing but its compact form as suggestion.
  The same numbers with a broken check digit make the rule fire.
- Every example number phonenumbers ships for a Partner Center market (every number type,
  national, international and E.164 format) passes address.phone.format; the US examples in
  national format pass address.phone.us_format, and their +1 forms get a suggestion that does.
- Junk of every kind into every registered kind of number never raises.
"""

from __future__ import annotations

import copy
import importlib.util
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import phonenumbers
import pytest
import yaml
from conftest import VALID_US_PAYLOAD
from hypothesis import given, settings
from hypothesis import strategies as st
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from pc_validate import Validator, load_rules
from pc_validate.checks import REGISTRY, BuildContext
from pc_validate.checks.numbers import (
    REGISTRATION_NUMBERS,
    judge_phone_number,
    number_format,
    phone_regions,
)
from pc_validate.messages import english
from pc_validate.model import CODES, Finding
from pc_validate.rules import RuleFileError, RuleSet

EXAMPLES = Path(__file__).parent / "data" / "stdnum_examples.yaml"
RULE = "company.registration_number.format"
COUNTRY_PATH = ("billingProfile", "defaultAddress", "country")


@pytest.fixture(scope="module")
def ruleset() -> RuleSet:
    return load_rules()


@pytest.fixture(scope="module")
def validator(ruleset: RuleSet) -> Validator:
    return Validator(ruleset)


def _rule_check(ruleset: RuleSet, rule_id: str) -> Callable[..., Finding | None]:
    (rule,) = [r for r in ruleset.rules if r.id == rule_id]
    ctx = BuildContext(ruleset.catalog, rule.field, ruleset.datasets, ruleset.markets)
    return REGISTRY[rule.check].build(rule.params, ctx)


def _build(kind_name: str, params: dict[str, Any]) -> Callable[..., Finding | None]:
    ruleset = load_rules()
    ctx = BuildContext(ruleset.catalog, None, ruleset.datasets, ruleset.markets)
    return REGISTRY[kind_name].build(params, ctx)


def _payload(country: str, number: str | None = None, phone: str | None = None) -> Any:
    body = copy.deepcopy(VALID_US_PAYLOAD)
    address = body["billingProfile"]["defaultAddress"]
    address["country"] = country
    address["state"] = ""
    if number is not None:
        body["companyProfile"]["organizationRegistrationNumber"] = number
    if phone is not None:
        address["phoneNumber"] = phone
    return body


def _examples() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(EXAMPLES.read_text("utf-8"))
    return data


def _entries() -> Iterator[Any]:
    for entry in _examples()["kinds"]:
        yield pytest.param(entry, id=f"{entry['country']}-{'/'.join(entry['kinds'])}")


# --------------------------------------------------------------------------------------------
# Registration numbers: python-stdnum's examples


def test_examples_cover_every_kind_the_rule_accepts(ruleset: RuleSet) -> None:
    (rule,) = [r for r in ruleset.rules if r.id == RULE]
    data = _examples()
    covered = {(e["country"], name) for e in data["kinds"] for name in e["kinds"]}
    without = {(e["country"], e["kind"]) for e in data["without_stdnum_module"]}
    accepted = {
        (country, name) for country, names in rule.params["kinds"].items() for name in names
    }
    assert covered | without == accepted
    assert not covered & without
    for country, name in without:
        kind = REGISTRATION_NUMBERS[country].kind(name)
        assert kind is not None and kind.module is None
    assert all(entry["numbers"] for entry in data["kinds"])
    assert data["source"]["version"].startswith("2.")
    assert data["source"]["numbers"] == sum(len(e["numbers"]) for e in data["kinds"]) > 1500


@pytest.mark.parametrize("entry", _entries())
def test_every_stdnum_example_passes(entry: dict[str, Any], ruleset: RuleSet) -> None:
    check = _rule_check(ruleset, RULE)
    country = entry["country"]
    kinds = [REGISTRATION_NUMBERS[country].kind(name) for name in entry["kinds"]]
    assert all(kind is not None and kind.module == entry["module"] for kind in kinds)
    compact = number_format(kinds[0]).compact
    for number in entry["numbers"]:
        finding = check(number, country)
        if finding is not None:  # formatted: only the hint, whose suggestion passes
            assert (finding.code, finding.suggestion) == ("non_canonical", compact(number)), number
            assert check(finding.suggestion, country) is None, number
        # The country as people write it does not matter.
        assert check(compact(number), country.lower()) is None, number


@pytest.mark.parametrize("entry", _entries())
def test_every_stdnum_example_passes_end_to_end(
    entry: dict[str, Any], validator: Validator
) -> None:
    kind = REGISTRATION_NUMBERS[entry["country"]].kind(entry["kinds"][0])
    assert kind is not None
    compact = number_format(kind).compact
    for number in entry["numbers"]:
        report = validator.validate(_payload(entry["country"], compact(number)))
        assert [v for v in report.violations if v.rule == RULE] == [], number


def _broken(number: str, is_valid: Callable[[str], bool]) -> str | None:
    """`number` with another last character that the module rejects, if there is one."""
    for replacement in "0123456789":
        candidate = number[:-1] + replacement
        if candidate != number and not is_valid(candidate):
            return candidate
    return None


@pytest.mark.parametrize("entry", _entries())
def test_examples_with_a_broken_last_character_fire(
    entry: dict[str, Any], ruleset: RuleSet
) -> None:
    check = _rule_check(ruleset, RULE)
    kind = REGISTRATION_NUMBERS[entry["country"]].kind(entry["kinds"][0])
    assert kind is not None
    fmt = number_format(kind)
    country = entry["country"]
    fired = 0
    for number in entry["numbers"][:25]:
        broken = _broken(fmt.compact(number), lambda n: _valid_for_rule(ruleset, country, n))
        if broken is None:  # e.g. a Vietnamese branch suffix has no check digit
            continue
        finding = check(broken, country)
        assert finding is not None and finding.code != "non_canonical", broken
        assert finding.code in {"invalid_checksum", "invalid_format", "too_short", "too_long"}
        fired += 1
    assert fired > 0


def _valid_for_rule(ruleset: RuleSet, country: str, number: str) -> bool:
    """Valid for any kind the rule accepts for the country (a broken INN may be an OGRN)."""
    (rule,) = [r for r in ruleset.rules if r.id == RULE]
    kinds = [REGISTRATION_NUMBERS[country].kind(n) for n in rule.params["kinds"][country]]
    out = False
    for kind in kinds:
        assert kind is not None
        try:
            number_format(kind).validate(number)
        except Exception:
            continue
        out = True
    return out


@pytest.mark.parametrize(
    ("country", "number", "code"),
    [
        ("BR", "11.222.333/0001-82", "invalid_checksum"),
        ("BR", "111.444.777-35", "too_short"),  # a CPF
        ("RU", "7707083894", "invalid_checksum"),
        ("RU", "ИНН 7707083893", "invalid_format"),
        ("PL", "123-456-32-19", "invalid_checksum"),
        ("UA", "3285596", "too_short"),
        ("IN", "27AAPFU0939F1ZO", "invalid_checksum"),
        ("TR", "07291716092", "invalid_format"),
        ("VN", "0100233480", "invalid_checksum"),
        ("HU", "12892313", "invalid_checksum"),
        ("CN", "91110000600037341", "too_short"),
        ("VE", "X-11470283-4", "invalid_format"),
        ("AZ", "1400057424", "invalid_format"),
    ],
)
def test_invalid_numbers_fire(country: str, number: str, code: str, validator: Validator) -> None:
    found = [v for v in validator.validate(_payload(country, number)).violations if v.rule == RULE]
    assert [(v.code, v.severity, v.partner_center_error) for v in found] == [
        (code, "warning", 600050)
    ]
    assert found[0].suggestion is None
    assert number not in str(found[0].params)  # params never echo the value


_DOCTEST_SAMPLE = """\
>>> numbers = '''
...
... 7707083893
... 500100732259
...
... '''
>>> [x for x in numbers.splitlines() if x and not inn.is_valid(x)]
[]

>>> invalid = '''
... 7707083894
... '''
>>> [x for x in invalid.splitlines() if x and inn.is_valid(x)]
[]
>>> inn.validate('1234567894')  # a comment
'1234567894'
>>> validate('123456789037')
Traceback (most recent call last):
    ...
InvalidChecksum: ...
"""


def test_the_extractor_reads_only_blocks_of_valid_numbers() -> None:
    path = Path(__file__).parent.parent / "scripts" / "extract_stdnum_examples.py"
    spec = importlib.util.spec_from_file_location("extract_stdnum_examples", path)
    assert spec is not None and spec.loader is not None
    extractor = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(extractor)
    assert list(extractor._block_numbers(_DOCTEST_SAMPLE)) == ["7707083893", "500100732259"]
    examples = [m["number"] for m in extractor._VALIDATE_EXAMPLE.finditer(_DOCTEST_SAMPLE)]
    assert examples == ["1234567894"]
    header = EXAMPLES.read_text("utf-8").splitlines()[:4]
    source = _examples()["source"]
    assert source["sdist"] in header[0] and f"Generated {source['generated']}" in header[3]


# --------------------------------------------------------------------------------------------
# Registration numbers: the registry and the rule's table


def test_unknown_kind_is_a_rule_file_error(tmp_path: Path) -> None:
    user = tmp_path / "mine.yaml"
    user.write_text(
        "rules:\n"
        "  - id: my.snils\n"
        "    severity: warning\n"
        "    description: SNILS\n"
        "    source: me\n"
        "    field: companyProfile.organizationRegistrationNumber\n"
        "    check: registration_number\n"
        "    params:\n"
        "      country: billingProfile.defaultAddress.country\n"
        "      kinds: {RU: [SNILS]}\n",
        "utf-8",
    )
    with pytest.raises(RuleFileError, match=r"SNILS.*known: INN, OGRN") as caught:
        Validator(load_rules([user]))
    assert "my.snils" in str(caught.value)


@pytest.mark.parametrize(
    ("kinds", "message"),
    [
        ({"KZ": ["BIN"]}, "no registration-number kinds are known for 'KZ'"),
        ({"RU": []}, "lists no kind"),
        ({False: ["NIP"]}, "is not a country code"),  # YAML 1.1 reads NO as false
        ({"RU": ["stdnum.ru.inn"]}, "unknown kind 'stdnum.ru.inn'"),  # names, never modules
    ],
)
def test_bad_kinds_tables_are_refused(kinds: dict[Any, list[str]], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _build("registration_number", {"country": COUNTRY_PATH, "kinds": kinds})


def test_kind_names_match_without_regard_to_case() -> None:
    check = _build("registration_number", {"country": COUNTRY_PATH, "kinds": {"ru": ["inn"]}})
    assert check("7707083893", "RU") is None
    assert check("7707083894", "ru") is not None


def test_every_registry_kind_imports_and_judges_its_own_shape() -> None:
    for country, numbers in REGISTRATION_NUMBERS.items():
        for kind in numbers.kinds:
            fmt = number_format(kind)
            assert callable(fmt.compact) and callable(fmt.validate), (country, kind.name)
            assert kind.lengths and all(n > 0 for n in kind.lengths)
            assert numbers.article_adjective.split()[0] in {"a", "an"}


# --------------------------------------------------------------------------------------------
# Robustness: junk into every kind of number


JUNK: dict[str, str] = {
    "emoji": "🇷🇺🏢📞",
    "emoji_digits": "7️⃣7️⃣0️⃣7️⃣",
    "ten_thousand_digits": "7" * 10_000,
    "ten_thousand_spaces": " " * 10_000 + "1",
    "nul": "\x00",
    "nul_inside": "7707\x00083893",
    "lone_surrogate": "\ud800",
    "surrogates_in_digits": "7707\udfff083893",
    "rtl_override": "\u202e7707083893",
    "arabic_indic_digits": "٧٧٠٧٠٨٣٨٩٣",
    "fullwidth_digits": "\uff17\uff17\uff10\uff17\uff10\uff18\uff13\uff18\uff19\uff13",
    "superscript_digits": "¹²³⁴⁵⁶⁷⁸⁹⁰",
    "combining": "7\u03017\u0301",
    "only_separators": " -./\u2013\u2014",
    "prefix_only": "PL",
    "unp_prefix_only": "УНП",
    "letters": "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "mixed_case": "27aApFu0939f1Zv",
    "controls": "".join(chr(c) for c in range(1, 32)),
    "plus": "+",
    "plus_digits": "+7 495 123 45 67",
    "brackets": "(((((((",
    "sql": "'; DROP TABLE customers; --",
    "html": "<script>alert(1)</script>",
    "float": "1e308",
    "nan": "NaN",
    "x_only": "X",
    "dashes_only": "---",
    "unicode_space": "\u2003770708\u20033893",
}


def _every_kind_check() -> Iterator[tuple[str, str, Callable[..., Finding | None]]]:
    for country, numbers in REGISTRATION_NUMBERS.items():
        for kind in numbers.kinds:
            params = {"country": COUNTRY_PATH, "kinds": {country: [kind.name]}}
            yield country, kind.name, _build("registration_number", params)
        every = {country: [kind.name for kind in numbers.kinds]}
        yield (
            country,
            "all",
            _build("registration_number", {"country": COUNTRY_PATH, "kinds": every}),
        )


def _assert_well_formed(finding: Finding | None, where: str) -> None:
    if finding is None:
        return
    assert finding.code in CODES, where
    assert finding.template in english(), where
    if finding.template.endswith("_suggest"):
        assert finding.template.removesuffix("_suggest") in english(), where
        assert isinstance(finding.suggestion, str) and finding.suggestion, where
    assert all(isinstance(v, str) for v in finding.params.values()), where


def test_junk_into_every_registration_number_kind() -> None:
    for country, name, check in _every_kind_check():
        for label, text in JUNK.items():
            where = f"{country}/{name}/{label}"
            _assert_well_formed(check(text, country), where)
            assert check(text, None) is None
            assert check(text, "ZZ") is None


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=40), country=st.sampled_from(sorted(REGISTRATION_NUMBERS)))
def test_any_text_into_every_country(text: str, country: str) -> None:
    numbers = REGISTRATION_NUMBERS[country]
    check = _build(
        "registration_number",
        {"country": COUNTRY_PATH, "kinds": {country: [k.name for k in numbers.kinds]}},
    )
    _assert_well_formed(check(text, country), f"{country}/{text!r}")


def test_junk_into_the_phone_checks() -> None:
    phone = _build("phone_number", {"country": COUNTRY_PATH})
    for label, text in JUNK.items():
        for region in ("RU", "DE", "BR", "IN", "GB", "XK", "AN", "", "ru", "\ud800\ud800"):
            _assert_well_formed(phone(text, region), f"{label}/{region}")
        assert phone(text, None) is None


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=40), region=st.sampled_from(["RU", "DE", "BR", "IN", "JP", "KZ"]))
def test_any_text_into_the_phone_judge(text: str, region: str) -> None:
    _assert_well_formed(judge_phone_number(text, region), f"{region}/{text!r}")


# --------------------------------------------------------------------------------------------
# Phone numbers: phonenumbers' examples

_TYPES = [
    PhoneNumberType.FIXED_LINE,
    PhoneNumberType.MOBILE,
    PhoneNumberType.TOLL_FREE,
    PhoneNumberType.PREMIUM_RATE,
    PhoneNumberType.SHARED_COST,
    PhoneNumberType.VOIP,
    PhoneNumberType.PERSONAL_NUMBER,
    PhoneNumberType.PAGER,
    PhoneNumberType.UAN,
    PhoneNumberType.VOICEMAIL,
]
_FORMATS = [PhoneNumberFormat.NATIONAL, PhoneNumberFormat.INTERNATIONAL, PhoneNumberFormat.E164]


def _phone_examples(region: str) -> Iterator[str]:
    for number_type in _TYPES:
        example = phonenumbers.example_number_for_type(region, number_type)
        if example is not None:
            for style in _FORMATS:
                yield phonenumbers.format_number(example, style)


def _market_regions(ruleset: RuleSet) -> list[str]:
    return sorted(set(ruleset.markets) & phone_regions())


def test_phone_examples_of_every_market_pass(ruleset: RuleSet) -> None:
    check = _rule_check(ruleset, "address.phone.format")
    regions = [r for r in _market_regions(ruleset) if r != "US"]
    assert len(regions) > 200, "expected the markets of rules/markets.yaml"
    proven = 0
    for region in regions:
        for text in _phone_examples(region):
            assert check(text, region) is None, (region, text)
            proven += 1
    assert proven > 3000


def test_phone_examples_pass_end_to_end(validator: Validator) -> None:
    for region in ("RU", "BR", "IN", "DE", "GB", "KZ", "TR", "AE", "VN", "ZA", "CA", "PR"):
        for text in _phone_examples(region):
            report = validator.validate(_payload(region, phone=text))
            assert [v for v in report.violations if v.rule.startswith("address.phone")] == [], (
                region,
                text,
            )


@pytest.mark.parametrize(
    "text",
    [
        "4255550101",
        "425-555-0101",
        "(425) 555-0101",
        "(425)555-0101",
        "1-425-555-0101",
        "1 425 555 0101",
        "1 (425) 555-0101",
        "1.425.555.0101",
        "425/555/0101",
        "14255550101",
    ],
)
def test_us_forms_pass_partner_centers_pattern(text: str, validator: Validator) -> None:
    body = _payload("US", phone=text)
    body["billingProfile"]["defaultAddress"]["state"] = "WA"
    report = validator.validate(body)
    assert [v.rule for v in report.violations if v.rule.startswith("address.phone")] == []


def test_us_examples_pass_or_get_a_passing_suggestion(ruleset: RuleSet) -> None:
    check = _rule_check(ruleset, "address.phone.us_format")
    checked = 0
    for text in _phone_examples("US"):
        finding = check(text)
        if text.startswith("+"):
            assert finding is not None and finding.template == "phone.plus_sign_suggest", text
            assert check(finding.suggestion) is None, text
        else:
            assert finding is None, text
        checked += 1
    assert checked >= 15


# --------------------------------------------------------------------------------------------
# Cold start


def test_the_libraries_load_only_when_a_number_is_judged() -> None:
    code = (
        "import sys, json\n"
        "from pc_validate import validate\n"
        f"body = {VALID_US_PAYLOAD!r}\n"
        "assert validate(body).ok\n"
        "print(json.dumps(['stdnum' in sys.modules, 'phonenumbers' in sys.modules]))\n"
        "body['companyProfile']['organizationRegistrationNumber'] = '7707083893'\n"
        "body['billingProfile']['defaultAddress'].update(country='RU', state='')\n"
        "validate(body)\n"
        "print(json.dumps(['stdnum' in sys.modules, 'phonenumbers' in sys.modules]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["[false,", "false]", "[true,", "true]"]
