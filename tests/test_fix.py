"""normalize() and `pc-validate fix`: only certain repairs, never a new violation."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import VALID_US_PAYLOAD, Run, run_cli
from test_rule_cases import build_payload, load_case_files

from pc_validate import Change, default_validator, normalize, validate
from pc_validate.fix import repair
from pc_validate.payload import PayloadError

EXAMPLES = Path(__file__).parent.parent / "examples"


def us(**address: Any) -> dict[str, Any]:
    """The valid US payload with some defaultAddress values replaced."""
    payload = copy.deepcopy(VALID_US_PAYLOAD)
    payload["billingProfile"]["defaultAddress"].update(address)
    return payload


def keys(value: Any, prefix: str = "") -> set[str]:
    """Every key path of a JSON value, as sent."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            found.add(f"{prefix}/{key}")
            found |= keys(item, f"{prefix}/{key}")
    return found


def identities(payload: Any) -> set[tuple[str, str, str]]:
    return {(v.rule, v.path, v.code) for v in validate(payload).violations}


# --- the repairs the issue lists ----------------------------------------------------------

REPAIRS = {
    "culture case": (
        {"billingProfile.culture": "EN-us"},
        "/billingProfile/culture",
        "en-US",
        "billing.culture.case",
    ),
    "script culture case": (
        {
            "billingProfile.culture": "SR-LATN-RS",
            "billingProfile.defaultAddress.country": "RS",
            "billingProfile.defaultAddress.state": "",
            "billingProfile.defaultAddress.postalCode": "11000",
        },
        "/billingProfile/culture",
        "sr-Latn-RS",
        "billing.culture.case",
    ),
    "country case": (
        {"billingProfile.defaultAddress.country": "us"},
        "/billingProfile/defaultAddress/country",
        "US",
        "address.country.case",
    ),
    "UK to GB": (
        {
            "billingProfile.defaultAddress.country": "UK",
            "billingProfile.defaultAddress.state": "",
            "billingProfile.defaultAddress.postalCode": "SW1A 1AA",
        },
        "/billingProfile/defaultAddress/country",
        "GB",
        "address.country.code",
    ),
    "alpha-3 country": (
        {"billingProfile.defaultAddress.country": "USA"},
        "/billingProfile/defaultAddress/country",
        "US",
        "address.country.code",
    ),
    "US state name": (
        {"billingProfile.defaultAddress.state": "Washington"},
        "/billingProfile/defaultAddress/state",
        "WA",
        "address.state.us_code",
    ),
    "surrounding whitespace": (
        {"billingProfile.companyName": "  Wingtip Toys "},
        "/billingProfile/companyName",
        "Wingtip Toys",
        "payload.whitespace",
    ),
    "language case": (
        {"billingProfile.language": "EN"},
        "/billingProfile/language",
        "en",
        "billing.language.case",
    ),
    "language given as a culture": (
        {"billingProfile.language": "en-US"},
        "/billingProfile/language",
        "en",
        "billing.language.code",
    ),
}


@pytest.mark.parametrize("name", sorted(REPAIRS))
def test_each_certain_repair_is_made(name: str) -> None:
    edits, path, after, rule = REPAIRS[name]
    payload = build_payload({"name": name, "set": edits}, copy.deepcopy(VALID_US_PAYLOAD))
    original = copy.deepcopy(payload)
    repaired, changes = normalize(payload)
    assert payload == original, "normalize must not modify its argument"
    assert [(c.path, c.after, c.rule) for c in changes] == [(path, after, rule)]
    assert validate(repaired).violations == ()


def test_a_country_name_and_a_state_name_are_both_repaired() -> None:
    repaired, changes = normalize(us(country="us", state="new york", postalCode="10001"))
    assert {(c.path, c.after) for c in changes} == {
        ("/billingProfile/defaultAddress/country", "US"),
        ("/billingProfile/defaultAddress/state", "NY"),
    }
    assert validate(repaired).ok


def test_repairs_that_reveal_each_other_are_all_made() -> None:
    # Trimming " en-us " leaves a case hint that the second pass repairs.
    payload = build_payload({"name": "x", "set": {"billingProfile.culture": " en-us "}}, us())
    repaired, changes = normalize(payload)
    assert repaired["billingProfile"]["culture"] == "en-US"
    assert changes
    assert validate(repaired).violations == ()


def test_a_valid_payload_needs_no_change() -> None:
    repaired, changes = normalize(VALID_US_PAYLOAD)
    assert changes == []
    assert repaired == VALID_US_PAYLOAD
    assert repaired is not VALID_US_PAYLOAD


def test_json_text_is_accepted_and_bad_json_raises() -> None:
    repaired, changes = normalize(json.dumps(us(country="us")))
    assert repaired["billingProfile"]["defaultAddress"]["country"] == "US"
    assert [c.rule for c in changes] == ["address.country.case"]
    with pytest.raises(PayloadError):
        normalize('{"billingProfile": {},}')


def test_change_records_before_and_after() -> None:
    _, changes = normalize(us(state="Washington"))
    assert changes == [
        Change("/billingProfile/defaultAddress/state", "address.state.us_code", "Washington", "WA")
    ]
    assert changes[0].to_dict() == {
        "path": "/billingProfile/defaultAddress/state",
        "rule": "address.state.us_code",
        "before": "Washington",
        "after": "WA",
    }


# --- what it never does ---------------------------------------------------------------------


def test_nothing_missing_is_invented() -> None:
    payload = {"billingProfile": {"culture": "EN-us", "defaultAddress": {"country": "us"}}}
    repaired, _ = normalize(payload)
    assert keys(repaired) == keys(payload)
    assert repaired["billingProfile"]["culture"] == "en-US"


def test_keys_are_never_renamed() -> None:
    payload = copy.deepcopy(VALID_US_PAYLOAD)
    payload["billingProfile"]["CULTURE"] = payload["billingProfile"].pop("culture").upper()
    payload["billingProfile"]["compnyName"] = "Typo Inc"
    repaired, changes = normalize(payload)
    assert keys(repaired) == keys(payload)
    assert repaired["billingProfile"]["CULTURE"] == "en-US"
    assert [c.path for c in changes] == ["/billingProfile/CULTURE"]


def test_guesses_are_not_repairs() -> None:
    # "en" for a culture could mean en-US or en-GB; a mistyped state could be several.
    payload = us(state="Wshington")
    payload["billingProfile"]["culture"] = "english"
    repaired, changes = normalize(payload)
    assert changes == []
    assert repaired == payload


def test_a_repair_that_would_bring_up_a_new_violation_is_withheld(tmp_path: Path) -> None:
    rule_file = tmp_path / "gb.yaml"
    rule_file.write_text(
        "rules:\n"
        "  - id: local.gb_without_phone\n"
        "    severity: warning\n"
        "    description: Our GB customers are registered without a phone number.\n"
        "    source: house rule\n"
        "    field: billingProfile.defaultAddress.phoneNumber\n"
        "    check: absent\n"
        "    when: {field: billingProfile.defaultAddress.country, in: [GB]}\n",
        encoding="utf-8",
    )
    payload = us(country="UK", state="", postalCode="SW1A 1AA")
    result = repair(payload, rules=[rule_file])
    assert result.changes == []
    assert [(w.path, w.after, w.would_raise) for w in result.withheld] == [
        (
            "/billingProfile/defaultAddress/country",
            "GB",
            (("local.gb_without_phone", "/billingProfile/defaultAddress/phoneNumber"),),
        )
    ]
    assert result.payload == payload


# --- never more violations: the whole corpus --------------------------------------------------


def corpus() -> Iterator[tuple[str, Any]]:
    """Every example payload and every rule-case payload."""
    for path in sorted(EXAMPLES.glob("*/*.json")):
        try:
            yield path.name, json.loads(path.read_text(encoding="utf-8-sig"))
        except json.JSONDecodeError:
            continue  # the Swedish seed: not JSON, nothing to repair
    for cases in load_case_files().values():
        for case in cases:
            if case.spec.get("cloud", "global") != "global":
                continue
            payload = build_payload(case.spec, copy.deepcopy(VALID_US_PAYLOAD))
            if not isinstance(payload, str):  # text would be read as JSON text
                yield case.id, payload


CORPUS = list(corpus())


def test_the_corpus_is_large_and_has_something_to_repair() -> None:
    assert len(CORPUS) > 400
    assert sum(bool(normalize(p).changes) for _, p in CORPUS) >= 20


@pytest.mark.parametrize(("name", "payload"), CORPUS, ids=[name for name, _ in CORPUS])
def test_a_repair_never_brings_up_a_violation(name: str, payload: Any) -> None:
    before = identities(payload)
    repaired, changes = normalize(payload)
    after = identities(repaired)
    assert after <= before, f"new after repair: {sorted(after - before)}"
    assert len(after) <= len(before) - len(changes) or not changes
    again, more = normalize(repaired)
    assert more == [], "a second repair finds nothing left to do"
    assert again == repaired


# --- the command -----------------------------------------------------------------------------


def fix(*argv: str | Path, stdin: bytes = b"") -> Run:
    return run_cli("fix", *argv, stdin=stdin)


def test_fix_writes_the_repaired_body_to_stdout_and_changes_to_stderr(tmp_path: Path) -> None:
    source = tmp_path / "in.json"
    source.write_text(json.dumps(us(state="Washington", country="us")), encoding="utf-8")
    code, out, err = fix(source)
    assert code == 0
    assert json.loads(out)["billingProfile"]["defaultAddress"]["state"] == "WA"
    assert f'{source}: /billingProfile/defaultAddress/state: "Washington" -> "WA"' in err
    assert "(address.state.us_code)" in err
    assert len(err.splitlines()) == 2
    assert json.loads(source.read_text(encoding="utf-8"))["billingProfile"]["defaultAddress"][
        "state"
    ] == ("Washington")


def test_fix_in_place_rewrites_only_when_something_changed(tmp_path: Path) -> None:
    target = tmp_path / "c.json"
    target.write_text(json.dumps(us(country="us")), encoding="utf-8")
    code, out, err = fix(target, "--in-place")
    assert (code, out) == (0, "")
    assert json.loads(target.read_text(encoding="utf-8")) == VALID_US_PAYLOAD
    untouched = '{"billingProfile":   {"culture": "en-US"}}'
    target.write_text(untouched, encoding="utf-8")
    code, out, err = fix(target, "--in-place")
    assert code == 1  # required fields are still missing
    assert "nothing to repair" in err
    assert target.read_text(encoding="utf-8") == untouched
    assert [p.name for p in tmp_path.iterdir()] == ["c.json"], "no temporary file left behind"


def test_fix_reads_stdin_and_refuses_in_place_on_it() -> None:
    code, out, _ = fix("-", stdin=json.dumps(us(country="us")).encode())
    assert code == 0
    assert json.loads(out) == VALID_US_PAYLOAD
    code, out, err = fix("-", "--in-place", stdin=b"{}")
    assert (code, out) == (2, "")
    assert "--in-place needs a file" in err


def test_fix_exit_status_follows_what_is_left(tmp_path: Path) -> None:
    source = tmp_path / "in.json"
    source.write_text(json.dumps(us(state="Wshington")), encoding="utf-8")
    assert fix(source)[0] == 1
    source.write_text(json.dumps(us(country="us")), encoding="utf-8")
    assert fix(source, "--fail-on", "warning")[0] == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"a": 1,}', ":1:9: trailing comma"),
        (b"", "empty"),
        (b"\xff\xfe\x00", "UTF"),
    ],
)
def test_fix_on_unreadable_input_exits_2_with_where(
    tmp_path: Path, content: bytes, message: str
) -> None:
    source = tmp_path / "bad.json"
    source.write_bytes(content)
    code, out, err = fix(source)
    assert (code, out) == (2, "")
    assert str(source) in err
    assert message in err


def test_fix_on_a_missing_file_or_directory_exits_2(tmp_path: Path) -> None:
    assert fix(tmp_path / "nope.json")[0] == 2
    code, _, err = fix(tmp_path)
    assert code == 2
    assert "directory" in err


def test_fix_redact_lists_paths_and_rules_without_values(tmp_path: Path) -> None:
    source = tmp_path / "in.json"
    source.write_text(json.dumps(us(state="Washington")), encoding="utf-8")
    code, out, err = fix(source, "--redact")
    assert code == 0
    assert json.loads(out)["billingProfile"]["defaultAddress"]["state"] == "WA"
    assert "Washington" not in err
    assert "/billingProfile/defaultAddress/state" in err
    assert "address.state.us_code" in err


def test_fix_output_keeps_every_character(tmp_path: Path) -> None:
    payload = us(city="Zürich", state="Washington")
    payload["billingProfile"]["companyName"] = "\ud800 odd"
    source = tmp_path / "in.json"
    source.write_text(json.dumps(payload), encoding="utf-8")
    code, out, _ = fix(source)
    assert code == 0
    assert json.loads(out)["billingProfile"]["companyName"] == "\ud800 odd"
    assert json.loads(out)["billingProfile"]["defaultAddress"]["city"] == "Zürich"


@pytest.mark.parametrize("call", [validate, normalize, repair])
@pytest.mark.parametrize(
    "rule_choice", [{"cloud": "usgov"}, {"disable": ["address.state.us_code"]}, {"cloud": "global"}]
)
def test_a_validator_and_rule_choices_together_are_refused(
    call: Callable[..., Any], rule_choice: dict[str, Any]
) -> None:
    validator = default_validator()
    with pytest.raises(TypeError, match="not both"):
        call({}, validator=validator, **rule_choice)
    call({}, validator=validator)  # alone, it is used
    call({}, **rule_choice)
