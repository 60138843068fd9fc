"""Robustness: junk into every check and every field, in the manner of python-stdnum.

Bad payload content must never raise (docs/architecture.md, "Contracts kept"): it becomes
violations. These
tests feed values no client should send (wrong JSON types, NaN, lone surrogates, bidi controls,
a million characters, ten thousand keys, deep nesting, bytes that are not text) to

- every compiled check function, exactly as the engine builds it from the bundled rules;
- every field of the catalog, spliced into an otherwise valid payload;
- the root of the payload and the text/bytes parser;

and hold each report to its contract: no exception, codes from the closed list, JSON that
round-trips, paths that are JSON Pointers resolving in the payload, messages without unfilled
placeholders, and the same report for the same input. Hypothesis adds arbitrary JSON values.
"""

from __future__ import annotations

import codecs
import copy
import functools
import json
import math
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from conftest import VALID_US_PAYLOAD
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pc_validate import Report, Validator, load_rules, validate
from pc_validate.checks import REGISTRY, BuildContext
from pc_validate.index import index_object
from pc_validate.messages import english
from pc_validate.model import CODES, MISSING, SEVERITIES, FieldPath, Finding
from pc_validate.rules import RuleSet

# --------------------------------------------------------------------------------------------
# Inputs


def _deep_dict(depth: int) -> dict[str, Any]:
    """{"a": {"a": ...}} nested `depth` levels, built without recursion."""
    root: dict[str, Any] = {}
    node = root
    for _ in range(depth):
        child: dict[str, Any] = {}
        node["a"] = child
        node = child
    return root


def _deep_list(depth: int) -> list[Any]:
    root: list[Any] = []
    node = root
    for _ in range(depth):
        child: list[Any] = []
        node.append(child)
        node = child
    return root


#: Junk strings; none contains "{" or "}", so a brace in a message is an unfilled placeholder.
JUNK_STRINGS: dict[str, str] = {
    "empty": "",
    "space": " ",
    "blank_mixed": " \t\n\r\u00a0\u2003\u3000",
    "nul": "\x00",
    "nul_inside": "a\x00b@example.com",
    "controls": "".join(chr(c) for c in range(32)) + "\x7f\x85\u2028\u2029",
    "lone_surrogate": "\ud800",
    "reversed_surrogates": "\udc00\ud800",
    "surrogate_in_text": "en-\udfffUS",
    "rtl_override": "\u202e",
    "rtl_override_text": "gena\u202emoc.elpmaxe@",
    "rtl_text": "שלום עולם",
    "arabic": "مرحبا بالعالم",
    "bom": "\ufeff",
    "nbsp_wrapped": "\u00a0US\u00a0",
    "zero_width": "U\u200bS",
    "emoji": "🦜",
    "zwj_family": "👨\u200d👩\u200d👧\u200d👦",
    "flag": "🇺🇸",
    "skin_tone": "👋🏽" * 30,
    "combining": "e\u0301\u0308\u0323" * 25,
    "zalgo": "Z" + "\u0336\u0334\u0335" * 300,
    "dotted_i": "İı",
    "sharp_s": "ß" * 40,
    "ligature": "ﬃ",
    "fullwidth": "\uff35\uff33",
    "digits_other_scripts": "٠١٢٣٤٥٦٧٨٩",
    "private_use": "\ue000\U000f0000",
    "noncharacter": "\uffff\ufffe",
    "max_codepoint": "\U0010ffff",
    "million": "x" * 1_000_000,
    "million_spaces_around": " " + "y" * 1_000_000 + " ",
    "at_only": "@",
    "dots": "...",
    "hyphen": "-",
    "percent": "%s%n%x",
    "backslashes": "\\\\\\",
    "quotes": "'\"`",
    "pointer_chars": "~/~0~1",
    "newlines": "a\nb\r\nc",
    "sqlish": "'; DROP TABLE customers;--",
    "html": "<script>alert(1)</script>",
    "long_label": "a@" + "b" * 300 + ".com",
    "many_ats": "@" * 1000,
}

JUNK_VALUES: dict[str, Any] = {
    "null": None,
    "true": True,
    "false": False,
    "zero": 0,
    "minus_one": -1,
    "big_int": 10**40,
    "huge_float": 1e308,
    "tiny_float": 5e-324,
    "nan": float("nan"),
    "inf": float("inf"),
    "minus_inf": float("-inf"),
    **{f"str_{name}": value for name, value in JUNK_STRINGS.items()},
    "empty_list": [],
    "list_of_junk": [None, "", {}, [], float("nan"), "\ud800"],
    "nested_lists": [[[[[]]]]],
    "empty_dict": {},
    "nested_dict": {"a": {"b": {"c": [1, {"d": None}]}}},
    "wide_dict": {f"k{i}": i for i in range(10_000)},
    "case_clash_keys": {"email": "a@b.co", "EMAIL": 1, "Email": None},
    "junk_keys": {"\ud800": 1, "": 2, "~/": 3, "a/b~c": 4, "🦜": 5, "\u202e": 6, " ": 7},
    "known_child_names": {"country": [], "Culture": {}, "DOMAIN": 3, "email": "\x00"},
    "deep_list": _deep_list(300),
}

#: Non-JSON Python values a careless caller may hand over inside a dict.
PYTHON_VALUES: dict[str, Any] = {
    "tuple": ("a", "b"),
    "bytes": b"\xff\x00",
    "set": {"a"},
    "complex": 1j,
    "object": object(),
}

# --------------------------------------------------------------------------------------------
# Shared fixtures and helpers


def _valid_base() -> dict[str, Any]:
    """A US body that passes every bundled rule (a fresh copy of conftest's)."""
    return copy.deepcopy(VALID_US_PAYLOAD)


def _valid_in_base() -> dict[str, Any]:
    """A body for India, where phone number and registration number are required."""
    body = _valid_base()
    body["companyProfile"]["organizationRegistrationNumber"] = "U72200KA2009PTC049889"
    address = body["billingProfile"]["defaultAddress"]
    address.update(country="IN", state="KA", city="Bengaluru", postalCode="560001")
    return body


BASES: dict[str, Callable[[], dict[str, Any]]] = {"us": _valid_base, "in": _valid_in_base}

RULESET: RuleSet = load_rules()
CATALOG = RULESET.catalog
FIELDS: list[FieldPath] = sorted(path for path in CATALOG.types if path)
TYPED_FIELDS: list[FieldPath] = [path for path in FIELDS if CATALOG.types[path] != "any"]
OBJECT_PATHS: list[FieldPath] = sorted(path for path in CATALOG.types if CATALOG.is_object(path))

#: Extra rules that build check kinds with parameters the bundled rules do not use.
EXTRA_RULES = """\
rules:
  - id: robust.one_of.closest
    severity: warning
    description: one_of with a close-spelling suggestion, case-sensitive
    source: robustness test
    field: billingProfile.companyName
    check: one_of
    params: {values: [Contoso, Fabrikam, "Wingtip Toys"], ignore_case: false,
             set_name: a known company, suggest: closest}
  - id: robust.one_of.plain
    severity: warning
    description: one_of without suggestions, on a big dataset
    source: robustness test
    field: billingProfile.culture
    check: one_of
    params: {values: supported_cultures, set_name: a culture}
  - id: robust.canonical_case.upper
    severity: info
    description: canonical_case by style
    source: robustness test
    field: billingProfile.companyName
    check: canonical_case
    params: {style: upper}
  - id: robust.pattern.ignore_case
    severity: warning
    description: pattern with ignore_case
    source: robustness test
    field: billingProfile.defaultAddress.postalCode
    check: pattern
    params: {regex: '[a-z]+(?:-[0-9]{2,})?', format: letters, ignore_case: true}
  - id: robust.length.min_only
    severity: warning
    description: length with only a minimum
    source: robustness test
    field: billingProfile.companyName
    check: length
    params: {min: 3}
  - id: robust.country.plain
    severity: warning
    description: country_code without extra codes
    source: robustness test
    field: billingProfile.defaultAddress.country
    check: country_code
    params: {codes: iso_3166_1_alpha2}
  - id: robust.known_fields.address
    severity: warning
    description: known_fields aimed at one object
    source: robustness test
    field: billingProfile.defaultAddress
    check: known_fields
"""


@pytest.fixture(scope="module")
def extended_ruleset(tmp_path_factory: pytest.TempPathFactory) -> RuleSet:
    path = tmp_path_factory.mktemp("robust") / "extra.yaml"
    path.write_text(EXTRA_RULES, encoding="utf-8")
    return load_rules([path])


#: Values a check's context fields (see checks.CheckKind.context) are fed with: real ones,
#: odd spellings and junk, as the engine passes them (trimmed text, or None).
CONTEXT_TEXTS = (
    "US", "CA", "BR", "RU", "GB", "CN", "JP", "IN", "PL", "XK", "AN", "de", "ZZ", "UK",
    "en-US", "fr-CA", "az-Latn-AZ", "EN-us", "xx-YY", "", "\ud800", "x" * 10_000, None,
)  # fmt: skip


def _compiled(ruleset: RuleSet) -> Iterator[tuple[str, str, Callable[..., Any]]]:
    """(rule id, scope, check function) for every rule, built the way the engine builds it.
    A check that takes context fields comes once per context value (given to every field)."""
    for rule in ruleset.rules:
        kind = REGISTRY[rule.check]
        context = BuildContext(ruleset.catalog, rule.field, ruleset.datasets, ruleset.markets)
        check = kind.build(rule.params, context)
        if not kind.context:
            yield rule.id, kind.scope, check
            continue
        for text in CONTEXT_TEXTS:
            texts = [text] * len(kind.context)
            yield f"{rule.id}[{text!r:.20}]", kind.scope, functools.partial(_with, check, texts)


def _with(check: Callable[..., Any], texts: list[str | None], value: Any) -> Any:
    return check(value, *texts)


def assert_finding(result: Any, where: str) -> None:
    """A check's verdict: None or a Finding the engine can render and serialise."""
    if result is None:
        return
    assert isinstance(result, Finding), f"{where}: returned {type(result).__name__}"
    assert result.code in CODES, f"{where}: code {result.code!r} is not in the closed list"
    assert result.template in english(), f"{where}: no message template {result.template!r}"
    json.dumps(dict(result.params), allow_nan=False)
    json.dumps(result.suggestion, allow_nan=False)


def resolve(document: Any, pointer: str, *, redact: bool = False) -> Any:
    """The value an RFC 6901 JSON Pointer names; KeyError/IndexError/TypeError if none.
    Under redaction a token `*N` names an object's N-th key (engine.key_names)."""
    if pointer == "":
        return document
    assert pointer.startswith("/"), f"{pointer!r} is not a JSON Pointer"
    node = document
    for token in pointer[1:].split("/"):
        assert not re.search(r"~[^01]|~\Z", token), f"bad escape in {pointer!r}"
        key = token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, list):
            assert re.fullmatch(r"0|[1-9][0-9]*", key), f"bad array index in {pointer!r}"
            node = node[int(key)]
        elif isinstance(node, dict) and redact and re.fullmatch(r"\*[1-9][0-9]*", key):
            node = list(node.values())[int(key[1:]) - 1]
        elif isinstance(node, dict):
            node = node[key]
        else:
            raise TypeError(f"{pointer!r} walks into a {type(node).__name__}")
    return node


#: What an empty-filled template slot leaves behind: "mean ?", "is .", "( ", double spaces.
EMPTY_SLOT = re.compile(r"\s[?.,;:)]|\(\s|\s\s|\(\)")

#: Junk strings distinctive enough that finding them in a redacted report means a leak.
SECRETS = ("sqlish", "html", "rtl_text", "arabic", "long_label", "skin_tone", "million")


def _parent(pointer: str) -> str:
    return pointer.rsplit("/", 1)[0]


def check_report(report: Report, payload: Any, *, redact: bool, placeholders: bool = True) -> None:
    """Every contract a report must keep, whatever the payload."""
    assert isinstance(report, Report)
    text = report.to_json()
    text.encode("utf-8")  # what the command line writes
    assert json.loads(text) == json.loads(report.to_json(indent=None))
    document = json.loads(text)
    assert len(document["results"][0]["violations"]) == len(report.violations)
    for violation in report.violations:
        assert violation.code in CODES, violation
        assert violation.severity in SEVERITIES, violation
        assert violation.message.strip(), violation
        if placeholders:
            assert "{" not in violation.message, f"unfilled placeholder: {violation.message!r}"
        if violation.rule == "payload.json":
            continue
        if violation.code == "required":
            try:
                resolve(payload, violation.path, redact=redact)
            except (KeyError, IndexError, TypeError):
                resolve(payload, _parent(violation.path), redact=redact)
        else:
            resolve(payload, violation.path, redact=redact)
        if redact:
            assert "value" not in violation.to_dict(), violation
            assert violation.suggestion is None, violation
            assert not EMPTY_SLOT.search(violation.message), violation.message


def assert_no_leak(report: Report, secret: str) -> None:
    """A redacted report repeats nothing of `secret` (compared on its first 50 characters)."""
    probe = secret[:50]
    for violation in report.violations:
        assert probe not in json.dumps(violation.to_dict(), ensure_ascii=False), violation


def check_deterministic(payload: Any, redact: bool) -> Report:
    first = validate(payload, redact=redact)
    second = validate(payload, redact=redact)
    assert first == second
    assert first.to_json() == second.to_json()
    return first


def splice(base: dict[str, Any], path: FieldPath, value: Any) -> dict[str, Any]:
    """`base` with `value` at `path` (missing or non-object parents become objects)."""
    node = base
    for name in path[:-1]:
        if not isinstance(node.get(name), dict):
            node[name] = {}
        node = node[name]
    node[path[-1]] = value
    return base


# --------------------------------------------------------------------------------------------
# 1. Every check function, called directly


def test_every_check_kind_has_a_bundled_rule() -> None:
    """Otherwise the junk tests below would not reach that kind at all."""
    used = {rule.check for rule in RULESET.rules}
    assert used == set(REGISTRY)


def test_base_payloads_are_valid() -> None:
    """The junk tests measure against bodies with no violation of their own."""
    for name, make in BASES.items():
        assert validate(make()).violations == (), name


@pytest.mark.parametrize("scope", ["presence", "value"])
def test_field_checks_take_junk(scope: str, extended_ruleset: RuleSet) -> None:
    """Presence checks take any JSON value and MISSING; value checks any string at all."""
    junk: dict[str, Any] = (
        {**JUNK_VALUES, **PYTHON_VALUES, "MISSING": MISSING}
        if scope == "presence"
        else JUNK_STRINGS
    )
    ran = 0
    for rule_id, rule_scope, check in _compiled(extended_ruleset):
        if rule_scope != scope:
            continue
        for name, value in junk.items():
            assert_finding(check(value), f"{rule_id}({name})")
            ran += 1
    assert ran > 0


def test_presence_checks_judge_missing_null_and_blank() -> None:
    """A spot check that the presence functions under test are the real ones."""
    checks = {rule_id: check for rule_id, _, check in _compiled(RULESET)}
    required = checks["billing.email.required"]
    assert [required(v).code for v in (MISSING, None, "", " \t")] == [
        "required",
        "required",
        "empty",
        "empty",
    ]
    assert required("\x00") is None
    absent = checks["company.registration_number.not_expected"]
    assert absent(MISSING) is None and absent(None) is None and absent("  ") is None
    assert absent({}).code == "not_allowed"


def _junk_objects() -> dict[str, dict[str, Any]]:
    objects = {name: value for name, value in JUNK_VALUES.items() if isinstance(value, dict)}
    objects["values_of_every_kind"] = {
        f"k{i}": value for i, value in enumerate(JUNK_VALUES.values()) if value is not None
    }
    objects["known_names_every_kind"] = {
        name.upper() if i % 2 else name: value
        for i, (name, value) in enumerate(
            zip(
                ["email", "culture", "language", "companyName", "country", "domain", "state"],
                [None, float("nan"), " \ud800 ", "x" * 1_000_000, [], {}, " WA "],
                strict=True,
            )
        )
    }
    objects["million_char_key"] = {"k" * 1_000_000: 1, "K" * 1_000_000: 2}
    return objects


def test_object_checks_take_junk_objects(extended_ruleset: RuleSet) -> None:
    """Object checks get junk objects at every known object path, as the engine indexes them."""
    objects = _junk_objects()
    ran = 0
    for rule_id, scope, check in _compiled(extended_ruleset):
        if scope != "object":
            continue
        for path in OBJECT_PATHS:
            for name, value in objects.items():
                node = index_object(value, path, "/x")
                result = check(node)
                assert isinstance(result, list), f"{rule_id}({name})"
                for finding in result:
                    assert_finding(finding, f"{rule_id}@{'.'.join(path)}({name})")
                    assert finding.key is None or finding.key in value
                ran += 1
    assert ran > 0


_SURROGATE_TEXT = st.text(
    st.one_of(
        st.characters(),
        st.characters(categories=["Cs"]),
        st.sampled_from("@.-_+~/ \t\u00a0\u202e\u200d\ufeff"),
    ),
    max_size=80,
)


@settings(max_examples=150, deadline=None)
@given(data=st.data(), text=_SURROGATE_TEXT)
def test_value_checks_take_any_text(data: st.DataObject, text: str) -> None:
    """Any text, lone surrogates included, to any value-scope check: a verdict, never an error."""
    value_checks = [(rid, check) for rid, scope, check in _compiled(RULESET) if scope == "value"]
    rule_id, check = data.draw(st.sampled_from(value_checks))
    assert_finding(check(text), f"{rule_id}({text!r})")


# --------------------------------------------------------------------------------------------
# 2. Junk at every field of the catalog, in a valid payload


@pytest.mark.parametrize("base", sorted(BASES))
@pytest.mark.parametrize("path", FIELDS, ids=".".join)
def test_junk_at_every_field(path: FieldPath, base: str) -> None:
    """Each junk value at the field: no exception, a well-formed and deterministic report."""
    for name, value in JUNK_VALUES.items():
        payload = splice(BASES[base](), path, value)
        snapshot = copy.deepcopy(payload)
        for redact in (False, True):
            try:
                report = check_deterministic(payload, redact)
                check_report(report, payload, redact=redact)
                if redact and name.removeprefix("str_") in SECRETS:
                    assert_no_leak(report, value)
            except Exception as exc:
                raise AssertionError(f"{name} at {'.'.join(path)} (redact={redact})") from exc
        assert payload == snapshot, f"validate modified the payload ({name})"


@pytest.mark.parametrize("path", FIELDS, ids=".".join)
def test_python_values_at_every_field(path: FieldPath) -> None:
    """Non-JSON Python values (tuple, bytes, set, ...) inside a dict are judged, not raised on."""
    for name, value in PYTHON_VALUES.items():
        payload = splice(_valid_base(), path, value)
        report = check_deterministic(payload, False)
        check_report(report, payload, redact=False)
        if CATALOG.types[path] != "any":
            assert not report.ok, f"{name} at {'.'.join(path)} was accepted"


@pytest.mark.parametrize("path", TYPED_FIELDS, ids=".".join)
def test_wrong_type_at_every_typed_field_is_an_error(path: FieldPath) -> None:
    """The junk is not just survived but seen: a value of the wrong JSON type is a type error."""
    declared = CATALOG.types[path]
    wrong = {"object": "text", "array": {}, "string": 42, "boolean": "true"}[declared]
    payload = splice(_valid_base(), path, wrong)
    report = validate(payload)
    assert any(v.code == "type" and v.severity == "error" for v in report.violations), report


def test_format_strings_in_values_are_echoed_literally() -> None:
    """A value that looks like a message template is data, not a template."""
    for text in ("{field}@", "{0}@{1}", "{__class__.__init__}@x", "{value!r:>99999}"):
        payload = splice(_valid_base(), ("billingProfile", "email"), text)
        report = validate(payload)
        (violation,) = [v for v in report.violations if v.rule == "billing.email.format"]
        assert json.dumps(text, ensure_ascii=False) in violation.message
        check_report(report, payload, redact=False, placeholders=False)


# --------------------------------------------------------------------------------------------
# 3. Junk at the root, and junk text and bytes


ROOTS: dict[str, Any] = {
    "null": None,
    "true": True,
    "zero": 0,
    "nan": float("nan"),
    "inf": float("inf"),
    "empty_list": [],
    "list_of_bodies": [_valid_base(), _valid_base()],
    "empty_dict": {},
    "deep_dict": _deep_dict(10_000),
    "deep_list": _deep_list(10_000),
    "deep_in_billing": {"billingProfile": _deep_dict(10_000), "companyProfile": {}},
    "deep_in_address": {"billingProfile": {"defaultAddress": _deep_list(10_000)}},
    "many_unknown_keys": {f"unknown{i}": i for i in range(5_000)},
    "case_variants_of_everything": {
        "BILLINGPROFILE": {"EMAIL": "a@b.co"},
        "billingprofile": {"email": 1},
        "CompanyProfile": None,
        "companyprofile": [],
    },
    "junk_keys": JUNK_VALUES["junk_keys"],
}


@pytest.mark.parametrize("name", sorted(ROOTS))
def test_junk_at_the_root(name: str) -> None:
    """Parsed values other than a body (a str would be read as JSON text: see below)."""
    payload = ROOTS[name]
    for redact in (False, True):
        report = check_deterministic(payload, redact)
        check_report(report, payload, redact=redact)
    assert not report.ok
    if not isinstance(payload, dict):
        (violation,) = report.violations
        assert (violation.rule, violation.code, violation.path) == ("payload.type", "type", "")


NOT_JSON: dict[str, str | bytes] = {
    "random_bytes": bytes.fromhex("d0b672cacc49364bbfb6a3e1ff00fe"),
    "invalid_utf8": b'{"a": "\xc3\x28"}',
    "lone_continuation_byte": b"\x80",
    "truncated_utf16": codecs.BOM_UTF16_LE + b"{",
    "empty_bytes": b"",
    "empty_text": "",
    "bom_only": codecs.BOM_UTF8,
    "bom_only_text": "\ufeff",
    "whitespace_only": " \n\t ",
    "nan_bytes": b"NaN",
    "nan_text": "NaN",
    "infinity": '{"a": Infinity}',
    "minus_infinity": "[-Infinity]",
    "trailing_comma": '{"a":1,}',
    "trailing_comma_bytes": b'{"a":1,}',
    "single_quotes": "{'a': 1}",
    "comment": '{"a": 1} // note',
    "two_documents": "{} {}",
    "unclosed": '{"billingProfile": {',
    "nul_byte": b"\x00",
    "deep_unclosed": "[" * 100_000,
    "deep_closed": "[" * 100_000 + "]" * 100_000,
    "python_literal": "{'billingProfile': None}",
    "control_in_string": '{"a": "\x01"}',
    "bare_word": "hello",
}

JSON_TEXT: dict[str, str | bytes] = {
    "huge_exponent": "1e400",
    "huge_exponent_bytes": b"1e400",
    "utf16_with_bom": "{}".encode("utf-16"),
    "utf16_be_with_bom": codecs.BOM_UTF16_BE + '{"a": "\u00e9"}'.encode("utf-16-be"),
    "utf32_with_bom": '{"billingProfile": 1}'.encode("utf-32"),
    "utf8_bom": codecs.BOM_UTF8 + b"{}",
    "escaped_lone_surrogate_value": '{"billingProfile": {"email": "\\ud800@x.com"}}',
    "huge_number_at_field": '{"billingProfile": {"email": 1e400}}',
    "null": "null",
    "string": '"\\u0000"',
    "duplicate_keys": '{"billingProfile": {}, "billingProfile": 1}',
}


@pytest.mark.parametrize("name", sorted(NOT_JSON))
def test_text_that_is_not_json_is_one_error(name: str) -> None:
    source = NOT_JSON[name]
    for redact in (False, True):
        report = validate(source, redact=redact)
        (violation,) = report.violations
        assert violation.rule == "payload.json"
        assert (violation.code, violation.severity, violation.path) == (
            "invalid_format",
            "error",
            "",
        )
        assert "value" not in violation.to_dict()
        for key in ("line", "column"):
            assert violation.params[key] is None or violation.params[key] >= 1
        check_report(report, None, redact=redact)
        assert report.to_json() == validate(source, redact=redact).to_json()


@pytest.mark.parametrize("name", sorted(JSON_TEXT))
def test_odd_but_valid_json_text_is_judged(name: str) -> None:
    source = JSON_TEXT[name]
    report = validate(source)
    assert all(v.rule != "payload.json" for v in report.violations), report.violations
    check_report(report, json.loads(_as_text(source)), redact=False)


def _as_text(source: str | bytes) -> str:
    if isinstance(source, str):
        return source
    for bom, encoding in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig")):
        if source.startswith(bom):
            return source.decode(encoding)
    if source.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return source.decode("utf-16")
    return source.decode("utf-8")


@pytest.mark.parametrize(
    "payload",
    [
        {"billingProfile": {"companyName": " \ud800 "}},
        {"billingProfile": {"EMAIL\ud800": "x"}},
    ],
    ids=["whitespace_suggestion", "unknown_key"],
)
def test_report_json_is_writable_as_utf8(payload: dict[str, Any]) -> None:
    """A lone surrogate in a key or value must not make the report unwritable as UTF-8
    (regression: `pc-validate check` died with UnicodeEncodeError)."""
    for redact in (False, True):
        report = validate(payload, redact=redact)
        assert report.violations
        report.to_json().encode("utf-8")


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("billingProfile", "defaultAddress", "country"), "UK"),
        (("billingProfile", "culture"), "EN-us"),
        (("billingProfile", "defaultAddress", "state"), "Washington"),
        (("billingProfile", "Emial"), "x@y.co"),
    ],
    ids=["country", "culture_case", "us_state", "unknown_key"],
)
def test_redacted_messages_have_no_empty_slots(path: FieldPath, value: str) -> None:
    """Withheld suggestions leave no hole ("did you mean ?"); regression test."""
    payload = splice(_valid_base(), path, value)
    plain = validate(payload)
    assert any(v.suggestion is not None for v in plain.violations)
    report = validate(payload, redact=True)
    assert report.violations
    for violation in report.violations:
        assert not EMPTY_SLOT.search(violation.message), violation.message


def test_huge_integer_value_is_judged_not_raised() -> None:
    payload = splice(_valid_base(), ("billingProfile", "email"), 10**5000)
    report = validate(payload)
    assert [v.code for v in report.violations] == ["type"]
    report.to_json().encode("utf-8")


def test_huge_number_in_json_text_gets_a_truthful_message() -> None:
    text = '{"billingProfile": {"email": ' + "1" * 5000 + "}}"
    report = validate(text)
    for violation in report.violations:
        assert "NaN" not in violation.message and "sys." not in violation.message
        if violation.rule == "payload.json":
            assert violation.params["column"] == text.index("1") + 1


# --------------------------------------------------------------------------------------------
# 4. Properties over arbitrary JSON values (hypothesis)

_KEY_NAMES = sorted({name for children in CATALOG.children.values() for name in children.values()})
_KEYS = st.one_of(
    st.sampled_from(_KEY_NAMES),
    st.sampled_from(_KEY_NAMES).map(str.upper),
    st.sampled_from(_KEY_NAMES).map(lambda k: k.replace("e", "_e", 1)),
    st.text(max_size=8),
    _SURROGATE_TEXT.filter(lambda s: len(s) < 10),
)
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.sampled_from(list(JUNK_STRINGS.values())[:-6]),
    _SURROGATE_TEXT,
    st.sampled_from(["US", "us", "IN", "UK", "en-US", "EN-us", "en_us", "a@b.co", "Washington"]),
)
JSON_VALUES = st.recursive(
    _SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(_KEYS, children, max_size=5)
    ),
    max_leaves=12,
)

_PROPERTY_SETTINGS = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def _holds_braces(value: Any) -> bool:
    return "{" in repr(value) or "}" in repr(value)


@_PROPERTY_SETTINGS
@given(payload=JSON_VALUES, redact=st.booleans())
def test_any_json_value_at_the_root(payload: Any, redact: bool) -> None:
    report = check_deterministic(payload, redact)
    check_report(report, payload, redact=redact, placeholders=not _holds_braces(payload))


@_PROPERTY_SETTINGS
@given(
    path=st.sampled_from(FIELDS),
    value=JSON_VALUES,
    base=st.sampled_from(sorted(BASES)),
    redact=st.booleans(),
)
def test_any_json_value_spliced_into_a_valid_payload(
    path: FieldPath, value: Any, base: str, redact: bool
) -> None:
    payload = splice(BASES[base](), path, value)
    report = check_deterministic(payload, redact)
    check_report(report, payload, redact=redact, placeholders=not _holds_braces(value))


@_PROPERTY_SETTINGS
@given(
    source=st.one_of(
        st.binary(max_size=200),
        st.text(max_size=200),
        st.builds(lambda v: json.dumps(v, ensure_ascii=False), JSON_VALUES),
        st.builds(lambda v: json.dumps(v).encode("utf-16"), JSON_VALUES),
    )
)
def test_any_text_or_bytes(source: str | bytes) -> None:
    """Whatever the input, one report; a payload.json error, if any, stands alone."""
    report = validate(source)
    assert report == validate(source)
    json.loads(report.to_json())
    rules = [v.rule for v in report.violations]
    if "payload.json" in rules:
        assert rules == ["payload.json"]


# --------------------------------------------------------------------------------------------
# 5. Sanity of the helpers themselves (so that the tests above can fail)


def test_resolve_follows_rfc6901() -> None:
    doc = {"a/b": {"m~n": [10, {"": 1}]}}
    assert resolve(doc, "") is doc
    assert resolve(doc, "/a~1b/m~0n/1/") == 1
    with pytest.raises(KeyError):
        resolve(doc, "/ab")
    with pytest.raises(AssertionError):
        resolve(doc, "a")


def test_check_report_catches_a_dangling_path() -> None:
    report = validate({"billingProfile": {"Emial": 1}})
    assert any(v.path == "/billingProfile/Emial" for v in report.violations)
    with pytest.raises(KeyError):
        check_report(report, {"billingProfile": {}}, redact=False)


def test_junk_tables_hold_no_braces() -> None:
    """The placeholder check relies on junk strings having no braces of their own."""
    assert not any(set(text) & set("{}") for text in JUNK_STRINGS.values())


def test_validator_instances_agree() -> None:
    """A second compiled validator gives the same report as the shared default."""
    other = Validator(load_rules())
    for name in ("list_of_bodies", "case_variants_of_everything", "junk_keys"):
        payload = ROOTS[name]
        assert other.validate(payload) == validate(payload)


def test_nan_and_infinity_are_echoed_as_text() -> None:
    """Non-finite numbers cannot appear in strict JSON output; the report echoes them as text."""
    for value in (float("nan"), float("inf"), float("-inf")):
        payload = splice(_valid_base(), ("billingProfile", "email"), value)
        report = validate(payload)
        (violation,) = [v for v in report.violations if v.code == "type"]
        assert isinstance(violation.value, str) and not math.isfinite(float(violation.value))
        json.loads(report.to_json())
