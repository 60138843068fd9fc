"""Rule cases: one YAML file per rule in ``tests/rules/``, run by one generic test.

Each file is named ``<rule id>.yaml`` and holds the cases of that one rule, in the format
documented in ``pc_validate/testing.py`` (the harness users run on their own rule files
with ``pc-validate rules test``); this module is a thin pytest layer over that harness.

The generic test validates the built payload with the bundled rules of the case's cloud (its
overlay in ``rules/clouds/`` applied) and compares the report's violations of the file's rule
with ``expect``: every expected violation must be present and no other violation of that rule
may be. The other tests hold the case files and the rule set together, cloud by cloud: every
rule of every cloud has a file; a rule has a case where it fires and one where it stays silent
in the global cloud, and also in each cloud whose overlay adds or changes it (a rule only an
overlay defines can be tested only there); every case names a rule loaded in its cloud; and
each base payload is free of violations in its cloud.
"""

from __future__ import annotations

import copy
import functools
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from pc_validate import default_validator, load_rules
from pc_validate.model import Rule as _Rule
from pc_validate.rules import clouds
from pc_validate.testing import (
    BASE_CLOUD,
    VALID_CN_PAYLOAD,
    Case,
    CaseFileError,
    build_payload,
    check_case,
    compare,
    describe,
)
from pc_validate.testing import load_case_files as _load_case_files

__all__ = ["BASE_CLOUD", "VALID_CN_PAYLOAD", "Case", "CaseFileError", "build_payload"]

CASE_DIR = Path(__file__).parent / "rules"
CLOUDS = clouds()


def load_case_files(directory: Path = CASE_DIR) -> dict[str, list[Case]]:
    """Rule id -> its cases, for every ``*.yaml`` file in `directory` (named after its rule)."""
    return _load_case_files(directory)


CASE_FILES = load_case_files()
ALL_CASES = [case for cases in CASE_FILES.values() for case in cases]


def _describe(violations: list[Any]) -> str:
    return "\n".join(f"  - {describe(v)}" for v in violations) or "  (none)"


def _params(cases: list[Case]) -> list[Any]:
    out = []
    for case in cases:
        marks = []
        if "xfail" in case.spec:
            marks.append(pytest.mark.xfail(reason=str(case.spec["xfail"]), strict=True))
        out.append(pytest.param(case, id=case.id, marks=marks))
    return out


@pytest.mark.parametrize("case", _params(ALL_CASES))
def test_rule_case(case: Case) -> None:
    """The case's payload draws exactly the expected violations of the case's rule."""
    problems, violations = check_case(case, default_validator(case.cloud))
    assert not problems, (
        f"{case.id} [cloud {case.cloud}]\n"
        + "\n".join(problems)
        + f"\nall violations:\n{_describe(list(violations))}"
    )


@functools.cache
def rules_of(cloud: str) -> dict[str, _Rule]:
    """The rules loaded in a cloud (switched-off ones included), by id."""
    return {rule.id: rule for rule in load_rules(cloud=cloud).rules}


def rules_needing_cases(cloud: str) -> set[str]:
    """Ids of the rules that need cases of their own in `cloud`: all of them in the global
    cloud; elsewhere those the overlay adds or changes (and does not switch off)."""
    ruleset = load_rules(cloud=cloud)
    enabled = {rule.id for rule in ruleset.enabled_rules}
    if cloud == "global":
        return enabled
    base = rules_of("global")
    return {
        rule.id
        for rule in ruleset.rules
        if rule.id in enabled
        and (rule.id not in base or replace(rule, origin="") != replace(base[rule.id], origin=""))
    }


def test_the_clouds_are_the_overlays() -> None:
    """The meta-tests below run for every cloud; a cloud without rules would make them vacuous."""
    assert {"global", "21vianet", "usgov"} <= set(CLOUDS)
    assert all(rules_of(cloud) for cloud in CLOUDS)


@pytest.mark.parametrize("cloud", CLOUDS)
def test_every_rule_has_a_case_file(cloud: str) -> None:
    """Each rule of each cloud is covered by tests/rules/<id>.yaml."""
    assert sorted(set(rules_of(cloud)) - set(CASE_FILES)) == []


def test_every_case_names_a_rule_of_its_cloud() -> None:
    """No case is left over for a rule that was renamed or removed, or that its cloud lacks."""
    stray = [
        f"{case.id} [cloud {case.cloud}]"
        for case in ALL_CASES
        if case.rule not in rules_of(case.cloud)
    ]
    assert stray == []


def test_also_fired_names_existing_rules() -> None:
    """A typo in also_fired would make a case check nothing."""
    unknown = [
        f"{case.id}: {name}"
        for case in ALL_CASES
        for name in case.spec.get("also_fired", [])
        if name not in rules_of(case.cloud)
    ]
    assert unknown == []


@pytest.mark.parametrize("cloud", CLOUDS)
def test_every_rule_fires_and_stays_silent(cloud: str) -> None:
    """Each rule has a sound case where it fires and one where it stays silent, in the global
    cloud and in every cloud whose overlay adds or changes it."""
    lacking = []
    for rule in sorted(rules_needing_cases(cloud)):
        sound = [
            case
            for case in CASE_FILES.get(rule, [])
            if case.cloud == cloud and "xfail" not in case.spec
        ]
        if not any(case.fires for case in sound):
            lacking.append(f"{rule}: no case where it fires in cloud {cloud}")
        if not any(not case.fires for case in sound):
            lacking.append(f"{rule}: no case where it stays silent in cloud {cloud}")
    assert lacking == []


def test_expected_severity_is_the_rules_severity() -> None:
    """A severity written in a case file agrees with the rule's severity in the case's cloud."""
    wrong = []
    for case in ALL_CASES:
        rule = rules_of(case.cloud).get(case.rule)
        declared = rule.severity if rule is not None else None
        wrong.extend(
            f"{case.id}: {item['severity']} (rule says {declared})"
            for item in case.spec["expect"]
            if "severity" in item and item["severity"] != declared
        )
    assert wrong == []


def test_valid_base_payload_has_no_violations(valid_payload: dict[str, Any]) -> None:
    """The base every case starts from is clean, so a case's violations come from its edits."""
    report = default_validator().validate(valid_payload)
    assert list(report.violations) == []


def test_cn_base_payload_has_no_violations_under_21vianet() -> None:
    """``base: cn`` is clean in the cloud it belongs to."""
    report = default_validator(BASE_CLOUD["cn"]).validate(copy.deepcopy(VALID_CN_PAYLOAD))
    assert list(report.violations) == []


def test_cloud_of_a_case_file_and_of_a_case(tmp_path: Path) -> None:
    """The file's cloud applies to its cases; a case's own cloud wins; unknown clouds fail."""
    (tmp_path / "x.y.yaml").write_text(
        "rule: x.y\ncloud: usgov\ncases:\n"
        "  - {name: a, expect: []}\n"
        "  - {name: b, cloud: 21vianet, expect: []}\n",
        encoding="utf-8",
    )
    (a, b) = load_case_files(tmp_path)["x.y"]
    assert (a.cloud, b.cloud) == ("usgov", "21vianet")
    (tmp_path / "x.y.yaml").write_text(
        "rule: x.y\ncloud: mars\ncases: [{name: a, expect: []}]\n", encoding="utf-8"
    )
    with pytest.raises(CaseFileError, match="cloud must be one of"):
        load_case_files(tmp_path)


def test_compare_reports_missing_and_unexpected(valid_payload: dict[str, Any]) -> None:
    """The comparison itself can fail: a wrong expectation and a surplus violation are caught."""
    valid_payload["billingProfile"]["email"] = "not an email"
    own = [
        v
        for v in default_validator().validate(valid_payload).violations
        if v.rule == "billing.email.format"
    ]
    assert compare([{"code": "invalid_format", "path": "/billingProfile/email"}], own) == []
    assert compare([], own) != []
    assert compare([{"code": "too_long", "path": "/billingProfile/email"}], own) != []
    wrong_params = {"code": "invalid_format", "path": "/billingProfile/email", "params": {"x": 1}}
    assert compare([wrong_params], own) != []


def test_build_payload_edits_a_copy(valid_payload: dict[str, Any]) -> None:
    """set creates intermediate objects, delete removes, repeat builds long strings."""
    spec = {
        "delete": ["billingProfile.email"],
        "set": {"companyProfile.extra.deep": 1},
        "repeat": {"billingProfile.companyName": {"text": "ab", "times": 3, "suffix": "!"}},
    }
    payload = build_payload(spec, valid_payload)
    assert "email" not in payload["billingProfile"]
    assert payload["companyProfile"]["extra"] == {"deep": 1}
    assert payload["billingProfile"]["companyName"] == "ababab!"
    with pytest.raises(CaseFileError):
        build_payload({"delete": ["billingProfile.nope"]}, valid_payload)
