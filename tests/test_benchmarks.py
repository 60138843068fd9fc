"""The benchmark script and its corpus run, and its peers agree with pc-validate on what
they can express (timings are printed by the script, never asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).parent.parent / "benchmarks"
sys.path.insert(0, str(BENCH))

from corpus import bodies  # noqa: E402
from peers import PEERS  # noqa: E402

from pc_validate import validate  # noqa: E402


def test_the_corpus_is_deterministic_and_about_70_percent_valid() -> None:
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


@pytest.mark.parametrize("peer", sorted(PEERS))
def test_each_peer_agrees_on_camel_case_bodies(peer: str) -> None:
    """On the bodies a peer can read (camelCase), it rejects what pc-validate rejects for the
    rules it expresses: a peer that checked nothing would make the comparison meaningless."""
    check = PEERS[peer]()
    expressible = {
        "billing.email.required",
        "billing.culture.supported",
        "address.state.us_code",
        "address.postal_code.us_format",
        "address.line1.length",
        "company.registration_number.required",
    }
    agree = disagree = 0
    for body in bodies(400):
        if "BillingProfile" in body:
            continue
        ours = validate(body)
        theirs = check(body)
        ours_fail = any(v.rule in expressible for v in ours.errors)
        if ours_fail == bool(theirs):
            agree += 1
        else:
            disagree += 1
    assert agree > 0.9 * (agree + disagree), (agree, disagree)


def test_the_benchmark_script_runs() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH / "run.py"), "--count", "30", "--repeat", "1",
         "--cold-runs", "1", "--bulk", "200"],
        capture_output=True, text=True, check=True, timeout=300,
    )  # fmt: skip
    out = done.stdout
    for needle in ("json.loads (floor)", "pc-validate validate()", "python-jsonschema",
                   "fastjsonschema", "pydantic + EmailStr", "Cold start", "| 200 |"):  # fmt: skip
        assert needle in out, needle
