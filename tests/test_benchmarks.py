"""The benchmark script and its corpora run, the realistic corpus is what it says, and the
peers agree with pc-validate on what they can express (timings are printed by the script,
never asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).parent.parent / "benchmarks"
sys.path.insert(0, str(BENCH))

import unicodedata  # noqa: E402
from collections import Counter  # noqa: E402
from typing import Any  # noqa: E402

from corpus import bodies  # noqa: E402
from peers import PEERS  # noqa: E402
from realistic import MISTAKES, Record, market_codes, records  # noqa: E402

from pc_validate import validate  # noqa: E402

#: Enough records for every market (the first len(market_codes()) go through them in order).
REALISTIC = 700


def test_the_repeating_corpus_is_deterministic_and_about_70_percent_valid() -> None:
    first = list(bodies(600))
    assert first == list(bodies(600))
    valid = sum(validate(body).ok for body in first)
    assert 0.6 < valid / len(first) < 0.8
    pascal = sum("BillingProfile" in body for body in first)
    assert 0.2 < pascal / len(first) < 0.45
    countries = {
        (body.get("billingProfile") or body["BillingProfile"])
        .get("defaultAddress", {})
        .get("country")
        for body in first
    }
    assert len(countries) >= 10


@pytest.fixture(scope="module")
def realistic() -> list[Record]:
    return list(records(REALISTIC))


def _get(body: dict[str, Any], *path: str) -> Any:
    """The value at `path` (camelCase names) in a body of either key spelling."""
    value: Any = body
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key, value.get(key[:1].upper() + key[1:]))
    return value


def test_the_realistic_corpus_is_deterministic() -> None:
    assert list(records(300)) == list(records(300))
    assert list(records(300, seed=7)) != list(records(300))


@pytest.mark.parametrize(
    "path",
    [
        ("billingProfile", "email"),
        ("billingProfile", "defaultAddress", "phoneNumber"),
        ("companyProfile", "organizationRegistrationNumber"),
        ("companyProfile", "domain"),
    ],
)
def test_every_email_phone_registration_number_and_domain_is_unique(
    realistic: list[Record], path: tuple[str, ...]
) -> None:
    values = [_get(record.body, *path) for record in realistic]
    given = [value for value in values if value is not None]
    if path[-1] == "phoneNumber":  # the same number written another way is the same number
        import phonenumbers

        given = [
            phonenumbers.format_number(phonenumbers.parse(value, record.country), 0)
            for value, record in zip(values, realistic, strict=True)
            if value is not None and record.mistake is None
        ]
    assert len(given) > 80
    repeated = [value for value, count in Counter(given).items() if count > 1]
    assert not repeated


def test_names_address_lines_cities_and_postal_codes_vary(realistic: list[Record]) -> None:
    for field in ("firstName", "lastName", "addressLine1", "city", "postalCode"):
        values = [_get(r.body, "billingProfile", "defaultAddress", field) for r in realistic]
        assert len(set(values)) > 50, field


def test_every_market_is_present_with_both_key_spellings(realistic: list[Record]) -> None:
    assert {record.country for record in realistic} == set(market_codes())
    pascal = sum("BillingProfile" in record.body for record in realistic)
    assert 0.25 < pascal / len(realistic) < 0.42


def test_names_and_addresses_come_in_many_scripts(realistic: list[Record]) -> None:
    scripts = Counter(
        unicodedata.name(text[0]).split()[0]
        for record in realistic
        for field in ("firstName", "lastName", "addressLine1", "city")
        if (text := str(_get(record.body, "billingProfile", "defaultAddress", field) or "?"))
        and text[0].isalpha()
    )
    for script in ("LATIN", "CYRILLIC", "GREEK", "ARABIC", "HEBREW", "CJK", "HIRAGANA",
                   "HANGUL", "DEVANAGARI", "THAI", "ARMENIAN", "GEORGIAN"):  # fmt: skip
        assert scripts[script] > 0, (script, scripts)
    assert any(ch in "éüøłçşő" for r in realistic for ch in str(_get(r.body, "billingProfile")))


def test_pc_validate_accepts_the_valid_records_and_rejects_each_mistake(
    realistic: list[Record],
) -> None:
    """A benchmark of "valid" bodies is of valid bodies: no error (and no warning but the
    state codes longer than 2 characters that markets such as PH or AR use); each mistake
    makes an error; pc-validate itself measures the invalid share."""
    made: Counter[str] = Counter()
    warned: Counter[str] = Counter()
    rejected = 0
    for record in realistic:
        report = validate(record.body)
        if record.mistake is None:
            assert not report.errors, (record.body, report.errors)
            warned.update(v.rule for v in report.violations if v.severity == "warning")
        else:
            assert report.errors, (record.mistake, record.body)
            made[record.mistake] += 1
            rejected += 1
    assert 0.25 < rejected / len(realistic) < 0.36
    assert set(warned) <= {"address.state.length_elsewhere"}, warned
    assert len(made) > 0.7 * len(MISTAKES), made


def test_the_phone_numbers_are_valid_for_their_country(realistic: list[Record]) -> None:
    """The generator judges numbers by phonenumbers' metadata patterns itself (for speed):
    phonenumbers.is_valid_number agrees on every number."""
    import phonenumbers

    checked = 0
    for record in realistic:
        phone = _get(record.body, "billingProfile", "defaultAddress", "phoneNumber")
        if record.mistake is None and phone is not None:
            number = phonenumbers.parse(phone, record.country)
            assert phonenumbers.is_valid_number(number), (record.country, phone)
            assert phonenumbers.region_code_for_number(number) == record.country, phone
            checked += 1
    assert checked > 200


#: The rules the peers express (benchmarks/peers.py, RULES_EXPRESSED)
_EXPRESSIBLE = {
    "billing.profile.required", "billing.email.required", "billing.culture.required",
    "billing.language.required", "billing.company_name.required", "billing.address.required",
    "billing.culture.supported", "billing.language.code", "address.first_name.required",
    "address.last_name.required", "address.line1.required", "address.country.required",
    "address.first_name.length", "address.last_name.length", "address.line1.length",
    "address.line2.length", "address.city.required", "address.state.required",
    "address.postal_code.required", "address.state.us_code", "address.postal_code.us_format",
    "address.phone.required", "company.profile.required", "company.domain.required",
    "company.registration_number.required",
}  # fmt: skip


@pytest.mark.parametrize("peer", sorted(PEERS))
def test_each_peer_agrees_on_camel_case_bodies(peer: str, realistic: list[Record]) -> None:
    """On the bodies a peer can read (camelCase) and whose errors, if any, it can express,
    it rejects what pc-validate rejects: a peer that checked nothing would make the
    comparison meaningless."""
    check = PEERS[peer]()
    agree = disagree = 0
    for record in realistic:
        if "BillingProfile" in record.body:
            continue
        ours = {v.rule for v in validate(record.body).errors}
        if not ours <= _EXPRESSIBLE:
            continue
        if bool(ours) == bool(check(record.body)):
            agree += 1
        else:
            disagree += 1
    assert agree > 200
    assert agree > 0.9 * (agree + disagree), (agree, disagree)


def test_the_benchmark_script_runs() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH / "run.py"), "--count", "40", "--warmup", "260",
         "--repeat", "1", "--cold-runs", "1", "--bulk", "200", "--python", sys.executable],
        capture_output=True, text=True, check=True, timeout=300,
    )  # fmt: skip
    out = done.stdout
    for needle in ("json.loads (floor)", "pc-validate validate()", "python-jsonschema",
                   "fastjsonschema", "pydantic + EmailStr", "## First sight", "## Warm",
                   "| pc-validate validate() | invalid |", "Validator._violations",
                   "Cold start", f"`{sys.executable} -c pass`", "| 200 |",
                   "load average"):  # fmt: skip
        assert needle in out, needle


def test_the_benchmark_script_refuses_an_unknown_mode() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH / "run.py"), "--modes", "cold"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2
    assert "--modes" in done.stderr


def test_nothing_valid_by_its_source_data_is_an_error(tmp_path: Path) -> None:
    """benchmarks/false_positives.py's corpus (the valid examples, Google's postal examples,
    phonenumbers' example numbers and python-stdnum's, each in an otherwise valid body of
    its market) has no error; its count mode reports per family."""
    corpus = tmp_path / "valid.jsonl"
    script = Path(__file__).parent.parent / "benchmarks" / "false_positives.py"
    run = [sys.executable, str(script)]
    subprocess.run([*run, "write", str(corpus)], check=True, timeout=300)
    done = subprocess.run(
        [*run, "count", str(corpus)], capture_output=True, text=True, check=True, timeout=300
    )
    families = [line for line in done.stdout.splitlines() if not line.startswith(" ")]
    assert [line.split(":")[0] for line in families] == ["examples", "postal", "phone", "stdnum"]
    assert all(line.endswith(", 0 with an error") for line in families), done.stdout
    assert done.stdout.count("  errors: none") == 4
