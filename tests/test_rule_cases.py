"""Rule cases: one YAML file per rule in ``tests/rules/``, run by one generic test.

Each file is named ``<rule id>.yaml`` and holds the cases of that one rule::

    rule: address.line1.length        # the rule id; equals the file name without ".yaml"
    cloud: global                     # optional: the cloud whose rules validate the cases
                                      #   (global, 21vianet, usgov; default global)
    cases:
      - name: 201 characters is too long   # unique within the file; shown in the test id
        cloud: 21vianet               # optional; this case only: overrides the file's cloud
        base: us                      # optional. "us" (default): start from the valid US
                                      #   payload of conftest.py; "cn": from VALID_CN_PAYLOAD
                                      #   below (clean under 21vianet); "raw": use `payload`
        payload: [1, 2]               # only with base: raw; any YAML value (object, list, ...)
        delete:                       # optional; dotted paths of keys to remove (each must
          - billingProfile.email      #   exist, or the case file is reported as broken)
        set:                          # optional; dotted path -> value, applied in order.
          billingProfile.Email: x@y.z #   Missing intermediate objects are created. Keys are
                                      #   used exactly as written (no case folding), so this
                                      #   adds "Email" next to the base's "email".
        repeat:                       # optional; dotted path -> a long string, built as
          billingProfile.defaultAddress.addressLine1:   # prefix + text * times + suffix
            {text: "x", times: 201, prefix: "", suffix: ""}
        expect:                       # the violations of THIS rule, as a multiset; [] says
          - code: too_long            #   the rule stays silent. code and path are required
            path: /billingProfile/defaultAddress/addressLine1    # JSON Pointer, as sent
            severity: error           # optional
            suggestion: null          # optional; compared exactly when given (null too)
            params: {length: 201}     # optional; must be a subset of the violation's params
            partner_center_error: 600051        # optional; compared exactly (null too)
            value: "..."              # optional; the value the report echoes
            message_contains: "200"   # optional; a substring of the message
        also_fired: [address.state.us_code]     # optional; other rules that must fire too
        exclusive: true               # optional; no other rule may report anything
        xfail: "BUG: ..."             # optional; a known bug: the case runs as strict xfail

Edits apply in the order delete, set, repeat. Dotted paths cannot name keys that contain a
dot; use ``base: raw`` for those. Quote every string value: YAML 1.1 reads ``NO`` (Norway)
and ``yes`` as booleans and ``98052`` as a number. A loaded case carries its effective cloud
(its own, else the file's) in ``spec["cloud"]``, also given by ``Case.cloud``.

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
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from pc_validate import Violation, default_validator, load_rules
from pc_validate.model import CODES, SEVERITIES
from pc_validate.model import Rule as _Rule
from pc_validate.rules import clouds

CASE_DIR = Path(__file__).parent / "rules"
CLOUDS = clouds()

#: A China body as a customer of Partner Center operated by 21Vianet would send it: free of
#: violations under --cloud 21vianet (a fictitious company; the registration number is a
#: well-formed unified social credit code).
VALID_CN_PAYLOAD: dict[str, Any] = {
    "enableGDAPByDefault": True,
    "companyProfile": {
        "domain": "kangtuokeji.partner.onmschina.cn",
        "organizationRegistrationNumber": "91110105MA01R7K52W",
    },
    "billingProfile": {
        "email": "li.wei@kangtuo-tech.cn",
        "culture": "zh-CN",
        "language": "zh",
        "companyName": "北京康拓科技有限公司",
        "defaultAddress": {
            "firstName": "伟",
            "lastName": "李",
            "addressLine1": "朝阳区建国路88号",
            "city": "北京市",
            "postalCode": "100022",
            "country": "CN",
            "phoneNumber": "+86 10 5917 8888",
        },
    },
}
#: The cloud whose rules leave each base payload without any violation.
BASE_CLOUD = {"us": "global", "cn": "21vianet"}

_CASE_KEYS = frozenset(
    {
        "name",
        "cloud",
        "base",
        "payload",
        "delete",
        "set",
        "repeat",
        "expect",
        "also_fired",
        "exclusive",
        "xfail",
    }
)
_EXPECT_KEYS = frozenset(
    {
        "code",
        "path",
        "severity",
        "suggestion",
        "params",
        "partner_center_error",
        "value",
        "message_contains",
    }
)
_REPEAT_KEYS = frozenset({"text", "times", "prefix", "suffix"})
_FILE_KEYS = frozenset({"rule", "cloud", "cases"})


class CaseFileError(ValueError):
    """A case file that does not follow the format in this module's docstring."""


@dataclass(frozen=True)
class Case:
    """One case of one rule, as read from its case file."""

    rule: str
    file: str
    spec: Mapping[str, Any]
    #: the file's cloud; the case's own `cloud` key wins (see `cloud`)
    file_cloud: str = "global"

    @property
    def name(self) -> str:
        return str(self.spec["name"])

    @property
    def cloud(self) -> str:
        return str(self.spec.get("cloud", self.file_cloud))

    @property
    def fires(self) -> bool:
        return bool(self.spec["expect"])

    @property
    def id(self) -> str:
        return f"{self.rule}::{self.name}"


def _fail(file: str, case: str | None, reason: str) -> CaseFileError:
    where = f"{file}, case {case!r}" if case is not None else file
    return CaseFileError(f"{where}: {reason}")


def _check_case(file: str, raw: Any) -> Mapping[str, Any]:
    """The case as given, after checking its keys and value types (else CaseFileError)."""
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
        raise _fail(file, None, f"a case must be a mapping with a string name: {raw!r}")
    name = raw["name"]
    unknown = set(raw) - _CASE_KEYS
    if unknown:
        raise _fail(file, name, f"unknown keys {sorted(unknown)}")
    if raw.get("base", "us") not in ("us", "cn", "raw"):
        raise _fail(file, name, "base must be 'us', 'cn' or 'raw'")
    if raw.get("cloud", "global") not in CLOUDS:
        raise _fail(file, name, f"cloud must be one of {CLOUDS}, not {raw['cloud']!r}")
    if (raw.get("base") == "raw") != ("payload" in raw):
        raise _fail(file, name, "payload is given exactly when base is 'raw'")
    if not isinstance(raw.get("expect"), list):
        raise _fail(file, name, "expect must be a list (use [] for 'stays silent')")
    for item in raw["expect"]:
        if not isinstance(item, dict) or not {"code", "path"} <= set(item):
            raise _fail(file, name, f"an expected violation needs code and path: {item!r}")
        if set(item) - _EXPECT_KEYS:
            raise _fail(file, name, f"unknown expect keys {sorted(set(item) - _EXPECT_KEYS)}")
        if item["code"] not in CODES:
            raise _fail(file, name, f"code {item['code']!r} is not in the closed list")
        if item.get("severity", "error") not in SEVERITIES:
            raise _fail(file, name, f"severity {item['severity']!r} is unknown")
        if not isinstance(item["path"], str) or not (item["path"] == "" or item["path"][0] == "/"):
            raise _fail(file, name, f"path {item['path']!r} is not a JSON Pointer")
    for key in ("set", "repeat"):
        if not isinstance(raw.get(key, {}), dict):
            raise _fail(file, name, f"{key} must be a mapping of dotted paths")
        for path in raw.get(key, {}):
            if not isinstance(path, str):
                raise _fail(file, name, f"{key} path {path!r} is not a string (quote it)")
    for spec in raw.get("repeat", {}).values():
        if not isinstance(spec, dict) or set(spec) - _REPEAT_KEYS or "text" not in spec:
            raise _fail(file, name, f"repeat needs text and times: {spec!r}")
        if not isinstance(spec.get("times"), int):
            raise _fail(file, name, f"repeat times must be an integer: {spec!r}")
    delete = raw.get("delete", [])
    if not isinstance(delete, list) or not all(isinstance(p, str) for p in delete):
        raise _fail(file, name, "delete must be a list of dotted paths")
    also = raw.get("also_fired", [])
    if not isinstance(also, list) or not all(isinstance(r, str) for r in also):
        raise _fail(file, name, "also_fired must be a list of rule ids")
    if not isinstance(raw.get("exclusive", False), bool):
        raise _fail(file, name, "exclusive must be true or false")
    if "xfail" in raw and not str(raw["xfail"]).startswith("BUG: "):
        raise _fail(file, name, "xfail must be a reason starting with 'BUG: '")
    return raw


def load_case_files(directory: Path = CASE_DIR) -> dict[str, list[Case]]:
    """Rule id -> its cases, for every ``*.yaml`` file in `directory`."""
    files: dict[str, list[Case]] = {}
    for path in sorted(directory.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or not {"rule", "cases"} <= set(data) <= _FILE_KEYS:
            raise _fail(path.name, None, "a case file has the keys rule and cases (and cloud)")
        file_cloud = data.get("cloud", "global")
        if file_cloud not in CLOUDS:
            raise _fail(path.name, None, f"cloud must be one of {CLOUDS}, not {file_cloud!r}")
        rule = data["rule"]
        if f"{rule}.yaml" != path.name:
            raise _fail(path.name, None, f"rule {rule!r} does not match the file name")
        if not isinstance(data["cases"], list) or not data["cases"]:
            raise _fail(path.name, None, "cases must be a non-empty list")
        # Each spec carries its effective cloud, so that a reader of the spec alone sees it.
        cases = [
            Case(rule, path.name, {"cloud": file_cloud, **_check_case(path.name, raw)}, file_cloud)
            for raw in data["cases"]
        ]
        names = [case.name for case in cases]
        duplicated = sorted({n for n in names if names.count(n) > 1})
        if duplicated:
            raise _fail(path.name, None, f"case names used twice: {duplicated}")
        files[rule] = cases
    return files


CASE_FILES = load_case_files()
ALL_CASES = [case for cases in CASE_FILES.values() for case in cases]


def _walk(root: Any, dotted: str, *, create: bool) -> tuple[dict[str, Any], str]:
    """The object holding the last key of `dotted`, and that key."""
    *parents, last = dotted.split(".")
    node = root
    for key in parents:
        if not isinstance(node, dict):
            raise CaseFileError(f"{dotted}: {key!r} is not inside an object")
        if key not in node and create:
            node[key] = {}
        if key not in node:
            raise CaseFileError(f"{dotted}: no key {key!r} to walk through")
        node = node[key]
    if not isinstance(node, dict):
        raise CaseFileError(f"{dotted}: the parent of {last!r} is not an object")
    return node, last


def build_payload(spec: Mapping[str, Any], base: dict[str, Any]) -> Any:
    """The payload a case describes: the base (or its raw payload) with its edits applied.

    `base` is the US payload (edited in place); ``base: cn`` starts from a copy of
    VALID_CN_PAYLOAD instead.
    """
    if spec.get("base") == "raw":
        payload = copy.deepcopy(spec["payload"])
    elif spec.get("base") == "cn":
        payload = copy.deepcopy(VALID_CN_PAYLOAD)
    else:
        payload = base
    for dotted in spec.get("delete", []):
        parent, key = _walk(payload, dotted, create=False)
        if key not in parent:
            raise CaseFileError(f"delete {dotted}: no such key")
        del parent[key]
    for dotted, value in spec.get("set", {}).items():
        parent, key = _walk(payload, dotted, create=True)
        parent[key] = copy.deepcopy(value)
    for dotted, rep in spec.get("repeat", {}).items():
        parent, key = _walk(payload, dotted, create=True)
        parent[key] = rep.get("prefix", "") + rep["text"] * rep["times"] + rep.get("suffix", "")
    return payload


def _matches(expected: Mapping[str, Any], violation: Violation) -> bool:
    if violation.code != expected["code"] or violation.path != expected["path"]:
        return False
    for key in ("severity", "suggestion", "partner_center_error", "value"):
        if key in expected and getattr(violation, key) != expected[key]:
            return False
    params = expected.get("params", {})
    if any(k not in violation.params or violation.params[k] != v for k, v in params.items()):
        return False
    return expected.get("message_contains", "") in violation.message


def _describe(violations: list[Violation]) -> str:
    lines = [
        f"  - {v.rule} {v.code} {v.path!r} [{v.severity}] suggestion={v.suggestion!r} "
        f"params={dict(v.params)!r} pc_error={v.partner_center_error!r}"
        for v in violations
    ]
    return "\n".join(lines) or "  (none)"


def compare(expected: list[Mapping[str, Any]], actual: list[Violation]) -> list[str]:
    """Problems found comparing expected with actual violations as multisets ([] if equal)."""
    left = list(actual)
    problems = []
    for item in expected:
        hit = next((v for v in left if _matches(item, v)), None)
        if hit is None:
            problems.append(f"expected but not reported: {dict(item)!r}")
        else:
            left.remove(hit)
    problems.extend(f"reported but not expected: {_describe([v])}" for v in left)
    return problems


def _params(cases: list[Case]) -> list[Any]:
    out = []
    for case in cases:
        marks = []
        if "xfail" in case.spec:
            marks.append(pytest.mark.xfail(reason=str(case.spec["xfail"]), strict=True))
        out.append(pytest.param(case, id=case.id, marks=marks))
    return out


@pytest.mark.parametrize("case", _params(ALL_CASES))
def test_rule_case(case: Case, valid_payload: dict[str, Any]) -> None:
    """The case's payload draws exactly the expected violations of the case's rule."""
    payload = build_payload(case.spec, valid_payload)
    report = default_validator(case.cloud).validate(payload)
    own = [v for v in report.violations if v.rule == case.rule]
    problems = compare(case.spec["expect"], own)
    fired = {v.rule for v in report.violations}
    missing = [r for r in case.spec.get("also_fired", []) if r not in fired]
    if missing:
        problems.append(f"also_fired rules that did not fire: {missing}")
    others = [v for v in report.violations if v.rule != case.rule]
    if case.spec.get("exclusive") and others:
        problems.append(f"exclusive, but other rules reported:\n{_describe(others)}")
    assert not problems, (
        f"{case.id} [cloud {case.cloud}]\n"
        + "\n".join(problems)
        + f"\nall violations:\n{_describe(own + others)}"
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
