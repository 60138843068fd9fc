"""Test rule files the way the bundled rules are tested: YAML case files, one rule each.

>>> from pc_validate.testing import run_case_file
>>> results = run_case_file("my-cases.yaml", rules=["my-rules.yaml"])  # doctest: +SKIP
>>> [r.status for r in results]  # doctest: +SKIP
['passed', 'failed', 'xfail']

A case file holds the cases of one rule::

    rule: address.line1.length        # the rule id
    cloud: global                     # optional: the cloud whose rules validate the cases
                                      #   (global, 21vianet, usgov; default global)
    cases:
      - name: 201 characters is too long   # unique within the file
        cloud: 21vianet               # optional; this case only: overrides the file's cloud
        base: us                      # optional. "us" (default): start from VALID_US_PAYLOAD;
                                      #   "cn": from VALID_CN_PAYLOAD (clean under 21vianet);
                                      #   "raw": use `payload`
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
        xfail: "BUG: ..."             # optional; a known bug: the case must fail (strict)

Edits apply in the order delete, set, repeat. Dotted paths cannot name keys that contain a
dot; use ``base: raw`` for those. Quote every string value: YAML 1.1 reads ``NO`` (Norway)
and ``yes`` as booleans and ``98052`` as a number. A loaded case carries its effective cloud
(its own, else the file's) in ``spec["cloud"]``, also given by ``Case.cloud``.

A case passes when the built payload, validated with the rules of the case's cloud (plus any
user rule files), draws every expected violation of the file's rule and no other violation
of that rule, the ``also_fired`` rules fire, and, if ``exclusive``, nothing else is reported.
The rule (and each ``also_fired`` rule) must be one of the rules loaded. An ``xfail`` case
is the other way round: it passes when it fails, and fails when it passes.

Case files are test code: YAML anchors and aliases are allowed (the bundled ones use merge
keys), so run only case files you trust.
"""

from __future__ import annotations

import copy
import os
import stat
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pc_validate.api import validator_for
from pc_validate.engine import Validator
from pc_validate.model import CODES, SEVERITIES
from pc_validate.report import Violation
from pc_validate.rules import clouds

__all__ = [
    "BASE_CLOUD",
    "VALID_CN_PAYLOAD",
    "VALID_US_PAYLOAD",
    "Case",
    "CaseFileError",
    "CaseResult",
    "Validators",
    "base_payload",
    "build_payload",
    "check_case",
    "compare",
    "describe",
    "load_case_file",
    "load_case_files",
    "run_case",
    "run_case_file",
    "run_cases",
]

#: A camelCase US body that passes every bundled rule of the global cloud with no violation
#: at all (not even info). ``base: us`` starts from a copy of it.
VALID_US_PAYLOAD: dict[str, Any] = {
    "enableGDAPByDefault": False,
    "companyProfile": {"domain": "contoso.onmicrosoft.com"},
    "billingProfile": {
        "email": "gena@wingtiptoys.com",
        "culture": "en-US",
        "language": "en",
        "companyName": "Wingtip Toys",
        "defaultAddress": {
            "firstName": "Gena",
            "lastName": "Soto",
            "addressLine1": "One Microsoft Way",
            "city": "Redmond",
            "state": "WA",
            "postalCode": "98052",
            "country": "US",
            "phoneNumber": "4255550101",
        },
    },
}

#: A China body as a customer of Partner Center operated by 21Vianet would send it: free of
#: violations under --cloud 21vianet (a fictitious company; the registration number is a
#: well-formed unified social credit code). ``base: cn`` starts from a copy of it.
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
            "state": "BJ",
            "postalCode": "100022",
            "country": "CN",
            "phoneNumber": "+86 10 5917 8888",
        },
    },
}

_BASES: dict[str, dict[str, Any]] = {"us": VALID_US_PAYLOAD, "cn": VALID_CN_PAYLOAD}
#: The cloud whose bundled rules leave each base payload without any violation.
BASE_CLOUD: Mapping[str, str] = {"us": "global", "cn": "21vianet"}

#: The most a case file may hold (16 MiB); a FIFO or device is refused, not waited for.
CASE_FILE_BYTES = 16 * 1024 * 1024

Status = Literal["passed", "failed", "xfail"]

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
    """A case file that cannot be used; the message names the file (and case) and says why."""


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
        """Whether the case expects the rule to report something."""
        return bool(self.spec["expect"])

    @property
    def xfail(self) -> str | None:
        """The known bug that makes the case fail, or None."""
        return str(self.spec["xfail"]) if "xfail" in self.spec else None

    @property
    def id(self) -> str:
        return f"{self.rule}::{self.name}"


@dataclass(frozen=True)
class CaseResult:
    """The outcome of one case: passed, failed (with the reasons) or xfail (failed as its
    `xfail` said it would; the reasons say how)."""

    case: Case
    status: Status
    problems: tuple[str, ...] = ()
    #: every violation the case's payload drew
    violations: tuple[Violation, ...] = ()

    @property
    def ok(self) -> bool:
        """True unless the case failed (an xfail case is ok)."""
        return self.status != "failed"

    @property
    def reason(self) -> str:
        """The problems on one line ("" for a passed case)."""
        return "; ".join(self.problems)


def _fail(file: str, case: str | None, reason: str) -> CaseFileError:
    where = f"{file}, case {case!r}" if case is not None else file
    return CaseFileError(f"{where}: {reason}")


def _check_case(file: str, raw: Any, known_clouds: Sequence[str]) -> Mapping[str, Any]:
    """The case as given, after checking its keys and value types (else CaseFileError)."""
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
        raise _fail(file, None, f"a case must be a mapping with a string name: {raw!r}")
    name = raw["name"]
    unknown = set(raw) - _CASE_KEYS
    if unknown:
        raise _fail(file, name, f"unknown keys {sorted(unknown)}")
    if raw.get("base", "us") not in ("us", "cn", "raw"):
        raise _fail(file, name, "base must be 'us', 'cn' or 'raw'")
    if raw.get("cloud", "global") not in known_clouds:
        raise _fail(file, name, f"cloud must be one of {known_clouds}, not {raw['cloud']!r}")
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
        if not isinstance(item.get("params", {}), dict):
            raise _fail(file, name, "params must be a mapping")
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
        if not all(isinstance(spec.get(k, ""), str) for k in ("text", "prefix", "suffix")):
            raise _fail(file, name, f"repeat text, prefix and suffix must be strings: {spec!r}")
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
    try:
        build_payload(raw)
    except CaseFileError as exc:
        raise _fail(file, name, str(exc)) from None
    return raw


def _read_text(path: Path, label: str) -> str:
    """A case file's text: only a regular file of at most CASE_FILE_BYTES, UTF-8."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            if path.is_dir():
                raise _fail(label, None, "is a directory, not a case file")
            raise _fail(label, None, "is not a regular file")
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with open(fd, "rb") as file:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise _fail(label, None, "is not a regular file")
            data = file.read(CASE_FILE_BYTES + 1)
    except FileNotFoundError:
        raise _fail(label, None, "no such file") from None
    except PermissionError:
        raise _fail(label, None, "permission denied") from None
    except OSError as exc:
        raise _fail(label, None, f"cannot be read: {exc.strerror or exc}") from None
    if len(data) > CASE_FILE_BYTES:
        raise _fail(label, None, f"is larger than {CASE_FILE_BYTES:,} bytes")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _fail(label, None, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def _parse_yaml(text: str, label: str) -> Any:
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f" (line {mark.line + 1})" if mark is not None else ""
        raise _fail(label, None, f"not valid YAML{line}: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise _fail(label, None, f"not valid YAML: {exc}") from None
    except RecursionError:
        raise _fail(label, None, "not valid YAML: nested too deeply") from None


def load_case_file(
    path: str | Path,
    *,
    cloud: str = "global",
    name: str | None = None,
    named_after_rule: bool = False,
) -> list[Case]:
    """The cases of one case file, checked against the format (else CaseFileError).

    `cloud` is the cloud of a file that names none; `name` labels the file in messages and
    in `Case.file` (default: the path as given). With `named_after_rule`, the file must be
    called ``<rule id>.yaml``."""
    path = Path(path)
    label = str(path) if name is None else name
    data = _parse_yaml(_read_text(path, label), label)
    if not isinstance(data, dict) or not {"rule", "cases"} <= set(data) <= _FILE_KEYS:
        raise _fail(
            label, None, "a case file is a mapping with the keys rule and cases (and cloud)"
        )
    known_clouds = clouds()
    file_cloud = data.get("cloud", cloud)
    if file_cloud not in known_clouds:
        raise _fail(label, None, f"cloud must be one of {known_clouds}, not {file_cloud!r}")
    rule = data["rule"]
    if not isinstance(rule, str) or not rule:
        raise _fail(label, None, f"rule must be a rule id, not {rule!r}")
    if named_after_rule and f"{rule}.yaml" != path.name:
        raise _fail(label, None, f"rule {rule!r} does not match the file name")
    if not isinstance(data["cases"], list) or not data["cases"]:
        raise _fail(label, None, "cases must be a non-empty list")
    # Each spec carries its effective cloud, so that a reader of the spec alone sees it.
    cases = [
        Case(
            rule, label, {"cloud": file_cloud, **_check_case(label, raw, known_clouds)}, file_cloud
        )
        for raw in data["cases"]
    ]
    names = [case.name for case in cases]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise _fail(label, None, f"case names used twice: {duplicated}")
    return cases


def load_case_files(
    directory: str | Path, *, cloud: str = "global", named_after_rule: bool = True
) -> dict[str, list[Case]]:
    """Rule id -> its cases, for every ``*.yaml`` file in `directory` (files are labelled
    by their name); by default each file must be named after its rule."""
    files: dict[str, list[Case]] = {}
    for path in sorted(Path(directory).glob("*.yaml")):
        cases = load_case_file(path, cloud=cloud, name=path.name, named_after_rule=named_after_rule)
        files.setdefault(cases[0].rule, []).extend(cases)
    return files


def base_payload(base: str = "us") -> dict[str, Any]:
    """A fresh copy of a base payload: "us" (VALID_US_PAYLOAD) or "cn" (VALID_CN_PAYLOAD)."""
    return copy.deepcopy(_BASES[base])


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


def build_payload(spec: Mapping[str, Any], base: dict[str, Any] | None = None) -> Any:
    """The payload a case describes: the base (or its raw payload) with its edits applied.

    `base` is the US payload to start from (edited in place; default: a fresh copy of
    VALID_US_PAYLOAD); ``base: cn`` starts from a copy of VALID_CN_PAYLOAD instead. An edit
    that cannot be made raises CaseFileError."""
    if spec.get("base") == "raw":
        payload = copy.deepcopy(spec["payload"])
    elif spec.get("base") == "cn":
        payload = base_payload("cn")
    else:
        payload = base_payload("us") if base is None else base
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
    return str(expected.get("message_contains", "")) in violation.message


def describe(violation: Violation) -> str:
    """One violation on one line, with everything a case can expect of it."""
    return (
        f"{violation.rule} {violation.code} {violation.path!r} [{violation.severity}] "
        f"suggestion={violation.suggestion!r} params={dict(violation.params)!r} "
        f"pc_error={violation.partner_center_error!r}"
    )


def compare(expected: Iterable[Mapping[str, Any]], actual: Iterable[Violation]) -> list[str]:
    """Problems found comparing expected with actual violations as multisets ([] if equal)."""
    left = list(actual)
    problems = []
    for item in expected:
        hit = next((v for v in left if _matches(item, v)), None)
        if hit is None:
            problems.append(f"expected but not reported: {dict(item)!r}")
        else:
            left.remove(hit)
    problems.extend(f"reported but not expected: {describe(v)}" for v in left)
    return problems


def _problems(case: Case, validator: Validator, violations: Sequence[Violation]) -> list[str]:
    loaded = {rule.id for rule in validator.ruleset.rules}
    if case.rule not in loaded:
        return [
            f"no rule {case.rule!r} is loaded in cloud {case.cloud} (a typo? a missing --rules?)"
        ]
    own = [v for v in violations if v.rule == case.rule]
    problems = compare(case.spec["expect"], own)
    also = case.spec.get("also_fired", [])
    unknown = [r for r in also if r not in loaded]
    if unknown:
        problems.append(f"also_fired names rules that are not loaded: {unknown}")
    fired = {v.rule for v in violations}
    missing = [r for r in also if r not in fired and r in loaded]
    if missing:
        problems.append(f"also_fired rules that did not fire: {missing}")
    others = [v for v in violations if v.rule != case.rule]
    if case.spec.get("exclusive") and others:
        listed = "; ".join(describe(v) for v in others)
        problems.append(f"exclusive, but other rules reported: {listed}")
    return problems


def check_case(case: Case, validator: Validator) -> tuple[list[str], tuple[Violation, ...]]:
    """What is wrong with the case's outcome under `validator` ([] when it holds), and every
    violation its payload drew. `xfail` is not looked at here (see run_case)."""
    try:
        payload = build_payload(case.spec)
    except CaseFileError as exc:
        raise _fail(case.file, case.name, str(exc)) from None
    violations = tuple(validator.validate(payload).violations)
    return _problems(case, validator, violations), violations


class Validators:
    """The validator of each cloud for the bundled rules plus user rule files `rules`
    (and `disable`d rules switched off), each compiled once, on first use. A broken rule
    file or an unknown cloud raises RuleFileError."""

    def __init__(self, rules: Sequence[str | Path] = (), disable: Iterable[str] = ()) -> None:
        self.rules = tuple(rules)
        self.disable = tuple(disable)
        self._compiled: dict[str, Validator] = {}

    def __call__(self, cloud: str) -> Validator:
        validator = self._compiled.get(cloud)
        if validator is None:
            validator = validator_for(self.rules, self.disable, cloud)
            self._compiled[cloud] = validator
        return validator


def run_case(
    case: Case, validator: Validator | None = None, *, rules: Sequence[str | Path] = ()
) -> CaseResult:
    """Run one case with `validator` (default: the bundled rules of the case's cloud plus
    the user rule files `rules`) and judge it, `xfail` included."""
    if validator is None:
        validator = validator_for(rules, (), case.cloud)
    problems, violations = check_case(case, validator)
    status: Status = "failed" if problems else "passed"
    if case.xfail is not None:
        if problems:
            status = "xfail"
        else:
            status = "failed"
            problems = [f"marked xfail ({case.xfail}), but it passed"]
    return CaseResult(case, status, tuple(problems), violations)


def run_cases(
    cases: Iterable[Case],
    *,
    rules: Sequence[str | Path] = (),
    validators: Validators | None = None,
) -> list[CaseResult]:
    """Run cases, each with its cloud's validator from `validators` (default: the bundled
    rules plus the user rule files `rules`)."""
    validators = Validators(rules) if validators is None else validators
    return [run_case(case, validators(case.cloud)) for case in cases]


def run_case_file(
    path: str | Path, *, rules: Sequence[str | Path] = (), cloud: str = "global"
) -> list[CaseResult]:
    """Load a case file and run its cases with the bundled rules plus the user rule files
    `rules`; `cloud` is the cloud of a file that names none. CaseFileError for a broken
    case file, RuleFileError for a broken rule file."""
    return run_cases(load_case_file(path, cloud=cloud), rules=rules)
