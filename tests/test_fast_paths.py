"""Every fast path of the per-payload work gives the report its slow path gives, byte for byte.

The fast paths (docs/architecture.md, "Fast paths") are answers remembered or computed more
cheaply than the code they replace. Each has its slow path here (SLOW_PATHS: the function
the fast one replaced, or the library call it stands in for). A payload is validated by the
default rules with every fast path in place, through the screen and the caches as validate()
does, and again with the slow paths patched in, by a validator that never screens and
remembers nothing; the two JSON reports must be the same text, plain and redacted, for every
example, every rule case of every cloud, the realistic benchmark corpus (each record seen
once, as a real export is) and bodies hypothesis builds.
"""

from __future__ import annotations

import copy
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from conftest import VALID_US_PAYLOAD
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_rule_cases import ALL_CASES, build_payload
from test_suffixes import _finding_afresh

from pc_validate import Validator, engine, load_rules, phones
from pc_validate.checks import internet
from pc_validate.model import MISSING
from pc_validate.report import Violation, new_violation
from pc_validate.rules import clouds

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from realistic import bodies  # noqa: E402

#: (module, name, the slow path that stands in for it)
SLOW_PATHS: list[tuple[Any, str, Callable[..., Any]]] = [
    (internet, "tld_finding", _finding_afresh),
    # every number to phonenumbers.parse()
    (phones, "plain_problem", lambda value, region: phones.ASK),
    # the dataclass's own __init__
    (engine, "new_violation", Violation),
]


@contextmanager
def _slow_paths() -> Iterator[None]:
    saved = [(module, name, getattr(module, name)) for module, name, _ in SLOW_PATHS]
    try:
        for module, name, slow in SLOW_PATHS:
            setattr(module, name, slow)
        yield
    finally:
        for module, name, fast in saved:
            setattr(module, name, fast)


FAST = {cloud: Validator(load_rules(cloud=cloud), screen="at_once") for cloud in clouds()}
SLOW = {
    cloud: Validator(load_rules(cloud=cloud), screen="never", remember=False) for cloud in clouds()
}


def assert_same_reports(payloads: list[Any], cloud: str = "global") -> None:
    """Each payload's report, fast and slow, plain and redacted, is the same JSON text."""
    fast = [
        FAST[cloud].validate(copy.deepcopy(p), redact=redact).to_json()
        for p in payloads
        for redact in (False, True)
    ]
    with _slow_paths():
        slow = [
            SLOW[cloud].validate(p, redact=redact).to_json()
            for p in payloads
            for redact in (False, True)
        ]
    for n, (quick, reference) in enumerate(zip(fast, slow, strict=True)):
        assert quick == reference, json.dumps(payloads[n // 2], ensure_ascii=False)[:2000]


@pytest.mark.parametrize("cloud", clouds())
def test_rule_cases(cloud: str) -> None:
    cases = [case for case in ALL_CASES if case.cloud == cloud]
    assert cases
    payloads = [build_payload(case.spec, copy.deepcopy(VALID_US_PAYLOAD)) for case in cases]
    assert_same_reports(payloads, cloud)


def test_examples() -> None:
    payloads = []
    for path in sorted((ROOT / "examples").glob("*/*.json")):
        try:
            payloads.append(json.loads(path.read_text(encoding="utf-8-sig")))
        except json.JSONDecodeError:
            continue  # not JSON: reported as unreadable, before any check
    with (ROOT / "examples" / "bulk" / "customers.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            try:
                payloads.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    assert len(payloads) > 10
    assert_same_reports(payloads)


def test_the_realistic_corpus_each_record_once() -> None:
    assert_same_reports(list(bodies(3000, seed=14)))


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
_FIELDS = [
    ("billingProfile", "email"),
    ("billingProfile", "culture"),
    ("billingProfile", "language"),
    ("billingProfile", "defaultAddress", "country"),
    ("billingProfile", "defaultAddress", "state"),
    ("billingProfile", "defaultAddress", "city"),
    ("billingProfile", "defaultAddress", "postalCode"),
    ("billingProfile", "defaultAddress", "phoneNumber"),
    ("companyProfile", "organizationRegistrationNumber"),
    ("companyProfile", "domain"),
]
_texts = st.one_of(
    _json,
    st.text(alphabet="0123456789 +-().x#@.comCOMdeuk", max_size=24),
    st.sampled_from(["a@b.con", "a@b.c", "x.onmicrosoft.com", "+49 30 123456", "(030) 1234"]),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(st.sampled_from(_FIELDS), _texts), max_size=4),
    st.sampled_from(["US", "DE", "IN", "CN", "GB", "BR", "FR", "uk", " us", "ZZ"]),
)
def test_bodies_hypothesis_builds(edits: list[tuple[tuple[str, ...], Any]], country: str) -> None:
    payload = copy.deepcopy(VALID_US_PAYLOAD)
    payload["billingProfile"]["defaultAddress"]["country"] = country
    for path, value in edits:
        node: Any = payload
        for key in path[:-1]:
            node = node.setdefault(key, {})
        node[path[-1]] = value
    assert_same_reports([payload])


def test_a_violation_made_fast_is_the_dataclass_made() -> None:
    every = {
        "rule": "r",
        "code": "required",
        "severity": "error",
        "path": "/a",
        "message": "m",
        "source": "s",
        "params": {"max": 2},
        "value": "v",
        "suggestion": "w",
        "partner_center_error": 27002,
    }
    least = {key: every[key] for key in ("rule", "code", "severity", "path", "message", "source")}
    for kwargs in (every, least):
        made, reference = new_violation(**kwargs), Violation(**kwargs)
        assert made == reference and repr(made) == repr(reference)
        assert made.to_dict() == reference.to_dict()
    assert new_violation(**least).value is MISSING
    assert new_violation(**least).params == {}
    assert new_violation(**least).params is not new_violation(**least).params
    with pytest.raises(TypeError):
        new_violation(**{**least, "unknown": 1})
    with pytest.raises(TypeError):
        new_violation(rule="r")
