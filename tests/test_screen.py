"""The screen (pc_validate/screen.py) may only skip what the interpreter would not report,
and remembered violations must be the ones the interpreter would write.

Each payload is judged twice: through the screen and the validator's caches, as validate()
does once a validator has warmed up, and by a second validator of the same rules whose
interpreter goes over every field and object and writes every violation afresh. The
reports must be equal, field for field, for every rule case of every cloud, every example,
the benchmark corpus, user rule sets with odd shapes, and arbitrary JSON spliced into valid
payloads.
"""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import VALID_US_PAYLOAD
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_rule_cases import ALL_CASES, build_payload

from pc_validate import Report, Validator, load_rules
from pc_validate.engine import SCREEN_AFTER
from pc_validate.rules import clouds
from pc_validate.screen import CLEAN

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from corpus import bodies  # noqa: E402


def _screened(ruleset_cloud: str = "global", rules: list[Path] | None = None) -> Validator:
    validator = Validator(load_rules(rules or [], cloud=ruleset_cloud), screen="at_once")
    assert validator.screen is not None
    validator.reference = _reference(ruleset_cloud, rules)  # type: ignore[attr-defined]
    return validator


def _reference(cloud: str, rules: list[Path] | None) -> Validator:
    """A validator that never uses a screen and judges and writes everything afresh."""
    return Validator(load_rules(rules or [], cloud=cloud), screen="never", remember=False)


VALIDATORS = {cloud: _screened(cloud) for cloud in clouds()}


def _both(validator: Validator, payload: Any, redact: bool = False) -> tuple[Report, Report]:
    screened = validator.validate(copy.deepcopy(payload), redact=redact)
    reference: Validator = validator.reference  # type: ignore[attr-defined]
    return screened, reference.validate(payload, redact=redact)


def _assert_same(validator: Validator, payload: Any) -> None:
    for redact in (False, True):
        screened, interpreted = _both(validator, payload, redact)
        assert screened.to_dict() == interpreted.to_dict(), json.dumps(
            payload, ensure_ascii=False, default=repr
        )[:2000]


@pytest.mark.parametrize("case", ALL_CASES, ids=lambda case: case.id)
def test_rule_cases_are_reported_alike(case: Any) -> None:
    payload = build_payload(case.spec, copy.deepcopy(VALID_US_PAYLOAD))
    _assert_same(VALIDATORS[case.cloud], payload)


@pytest.mark.parametrize("path", sorted((ROOT / "examples").glob("*/*.json")), ids=str)
def test_examples_are_reported_alike(path: Path) -> None:
    try:
        payload = json.loads(path.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError:
        pytest.skip("not JSON (reported as unreadable)")
    _assert_same(VALIDATORS["global"], payload)


def test_the_benchmark_corpus_is_reported_alike_and_mostly_screened_out() -> None:
    validator = VALIDATORS["global"]
    clean = screened_out = 0
    for payload in bodies(3000):
        _assert_same(validator, payload)
        if not validator.validate(payload).violations:
            clean += 1
            screened_out += validator.screen(payload) is CLEAN  # type: ignore[misc]
    # A screen that flags clean payloads is correct but useless: it must let them through.
    assert screened_out == clean


def test_the_screen_flags_fields_in_plan_order_and_shares_its_results() -> None:
    validator = VALIDATORS["global"]
    screen = validator.screen
    assert screen is not None
    payload = copy.deepcopy(VALID_US_PAYLOAD)
    address = payload["billingProfile"]["defaultAddress"]
    address.update(city="", postalCode="1", state="ZZ")
    flagged = screen(payload)
    assert flagged is not None and flagged is not CLEAN
    assert len(flagged.fields) >= 3
    assert list(flagged.fields) == sorted(set(flagged.fields))  # the interpreter's order
    assert flagged.objects == frozenset()
    assert screen(copy.deepcopy(payload)) is flagged  # immutable, so one per set of fields
    address["city"] = " Redmond"  # surrounding whitespace: an object rule's finding too
    with_object = screen(payload)
    assert with_object is not None
    assert with_object.objects == {("billingProfile", "defaultAddress")}


def test_a_validator_compiles_its_screen_after_a_few_calls() -> None:
    validator = Validator(load_rules())
    for _ in range(SCREEN_AFTER):
        assert validator.screen is None
        validator.validate(copy.deepcopy(VALID_US_PAYLOAD))
    assert validator.screen is not None


def test_user_rules_with_when_context_and_new_fields(tmp_path: Path) -> None:
    extra = tmp_path / "extra.yaml"
    extra.write_text(
        """
fields:
  companyProfile.contact: object
  companyProfile.contact.phone: string
rules:
  - id: custom.contact.phone.required
    severity: error
    description: A contact phone for German customers.
    source: house rule
    field: companyProfile.contact.phone
    check: required
    when:
      field: billingProfile.defaultAddress.country
      in: [DE]
  - id: custom.contact.phone.length
    severity: warning
    description: Short contact phones.
    source: house rule
    field: companyProfile.contact.phone
    check: length
    params: {max: 5}
  - id: address.state.known
    enabled: false
""",
        encoding="utf-8",
    )
    validator = _screened(rules=[extra])
    german = copy.deepcopy(VALID_US_PAYLOAD)
    address = german["billingProfile"]["defaultAddress"]
    address.update(country="DE", state="", postalCode="10115", city="Berlin")
    payloads = [german, VALID_US_PAYLOAD]
    for phone in ("12345", "123456", "  12 ", 12, None):
        for base in (german, VALID_US_PAYLOAD):
            payload = copy.deepcopy(base)
            payload["companyProfile"]["contact"] = {"phone": phone}
            payloads.append(payload)
    for payload in payloads:
        _assert_same(validator, payload)


def test_when_clauses_of_several_conditions(tmp_path: Path) -> None:
    """A clause of conditions on two fields, and one of two conditions on the same field,
    the screen evaluates as the interpreter does, for texts of every kind."""
    extra = tmp_path / "extra.yaml"
    extra.write_text(
        """
rules:
  - id: custom.city.two_fields
    severity: warning
    description: A city of at most 3 characters for German customers of one culture.
    source: house rule
    field: billingProfile.defaultAddress.city
    check: length
    params: {max: 3}
    when:
      - {field: billingProfile.defaultAddress.country, in: [DE]}
      - {field: billingProfile.culture, not_in: [en-US]}
  - id: custom.city.one_field
    severity: warning
    description: A city of at most 4 characters in Germany, not in the US.
    source: house rule
    field: billingProfile.defaultAddress.city
    check: length
    params: {max: 4}
    when:
      - {field: billingProfile.defaultAddress.country, in: [DE, US]}
      - {field: billingProfile.defaultAddress.country, not_in: [US]}
""",
        encoding="utf-8",
    )
    validator = _screened(rules=[extra])
    for country in ("DE", " de ", "US", "DEU", "", 7, None):
        for culture in ("en-US", "de-DE", None):
            for city in ("Ulm", "Bonn", "Berlin"):
                payload = copy.deepcopy(VALID_US_PAYLOAD)
                payload["billingProfile"]["culture"] = culture
                payload["billingProfile"]["defaultAddress"].update(country=country, city=city)
                _assert_same(validator, payload)


def test_field_names_beyond_ascii_are_looked_up_as_the_engine_folds_them(
    tmp_path: Path,
) -> None:
    """Keys match in ASCII letter case only (model.fold), through the screen too."""
    extra = tmp_path / "extra.yaml"
    extra.write_text(
        """
fields:
  Ärger: string
  companyProfile.Größe: string
rules:
  - id: custom.aerger.length
    severity: warning
    description: Short.
    source: house rule
    field: Ärger
    check: length
    params: {max: 3}
  - id: custom.groesse.length
    severity: warning
    description: Short.
    source: house rule
    field: companyProfile.Größe
    check: length
    params: {max: 3}
""",
        encoding="utf-8",
    )
    validator = _screened(rules=[extra])
    for key, inner in (("Ärger", "Größe"), ("ärger", "GRößE"), ("ÄRGER", "größe")):
        payload = copy.deepcopy(VALID_US_PAYLOAD)
        payload[key] = "toolong"
        payload["companyProfile"][inner] = "toolong"
        _assert_same(validator, payload)
    payload = copy.deepcopy(VALID_US_PAYLOAD)
    payload["Ärger"] = "toolong"
    assert "custom.aerger.length" in {v.rule for v in validator.validate(payload).violations}


def test_keys_that_are_not_text_are_left_to_the_interpreter() -> None:
    payload: dict[Any, Any] = copy.deepcopy(VALID_US_PAYLOAD)
    payload[1] = "one"
    payload["billingProfile"][("a", 1)] = "tuple"
    validator = VALIDATORS["global"]
    assert validator.screen(payload) is None  # type: ignore[misc]
    _assert_same(validator, payload)


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)
_FIELDS = [
    ("billingProfile", "email"),
    ("billingProfile", "Culture"),
    ("billingProfile", "defaultAddress", "country"),
    ("billingProfile", "defaultAddress", "State"),
    ("billingProfile", "defaultAddress", "postalCode"),
    ("billingProfile", "defaultAddress"),
    ("companyProfile", "organizationRegistrationNumber"),
    ("companyProfile", "domain"),
    ("CompanyProfile",),
    ("links",),
    ("unknownKey",),
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(st.sampled_from(_FIELDS), _json), max_size=4),
    st.sampled_from(["US", "DE", "IN", "CN", "uk", " us"]),
)
def test_junk_spliced_into_valid_payloads_is_reported_alike(
    edits: list[tuple[tuple[str, ...], Any]], country: str
) -> None:
    payload = copy.deepcopy(VALID_US_PAYLOAD)
    payload["billingProfile"]["defaultAddress"]["country"] = country
    for path, value in edits:
        node: Any = payload
        for key in path[:-1]:
            node = node.setdefault(key, {}) if isinstance(node, dict) else None
            if not isinstance(node, dict):
                break
        else:
            node[path[-1]] = value
    _assert_same(VALIDATORS["global"], payload)
