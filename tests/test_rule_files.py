"""Rule files: the loader's errors and overrides, and the editors' JSON Schema of the format.

A broken rule file must be reported with its file, line and rule id and a reason a rule
maintainer can act on, never executed and never half-applied (docs/architecture.md, "How to add").
The same malformed files are held against ``pc_validate/schemas/rules.schema.json``, which
must accept every bundled file and name exactly the registry's check kinds.
"""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from conftest import VALID_US_PAYLOAD

from pc_validate import RuleFileError, Validator, load_rules, validate
from pc_validate.checks import REGISTRY, Param
from pc_validate.model import SEVERITIES
from pc_validate.resources import bundled_rule_files, cloud_overlays, load_schema, schema_path
from pc_validate.rules import _FIELD_TYPES, _ID, _RULE_KEYS, _Builder

SCHEMA: dict[str, Any] = load_schema("rules.schema.json")
SCHEMA_VALIDATOR = jsonschema.Draft202012Validator(
    SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
)


def write(tmp_path: Path, text: str, name: str = "user.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def load_error(path: Path) -> RuleFileError:
    """The RuleFileError that loading `path` as a user file after the bundled files raises."""
    with pytest.raises(RuleFileError) as caught:
        load_rules([path])
    return caught.value


def schema_errors(text: str) -> list[str]:
    data = yaml.safe_load(text)
    return [error.message for error in SCHEMA_VALIDATOR.iter_errors(data)]


def _valid_us() -> dict[str, Any]:
    return copy.deepcopy(VALID_US_PAYLOAD)


def fired(report: Any, rule_id: str) -> list[Any]:
    return [v for v in report.violations if v.rule == rule_id]


# --------------------------------------------------------------------------------------------
# Malformed rules: one table, held against the loader and (where it can tell) the schema

#: A complete, valid new rule; each case changes it. Removing a key: set it to DELETE.
GOOD_RULE: dict[str, Any] = {
    "id": "test.company_name.short",
    "severity": "warning",
    "description": "A test rule.",
    "source": "The test suite.",
    "field": "billingProfile.companyName",
    "check": "length",
    "params": {"max": 10},
}
DELETE = object()


def rule_file(**changes: Any) -> str:
    """A rule file whose first rule is valid and whose second is GOOD_RULE with `changes`."""
    bad = {**copy.deepcopy(GOOD_RULE), "id": "test.second"}
    for key, value in changes.items():
        if value is DELETE:
            bad.pop(key, None)
        else:
            bad[key] = value
    return "# A user rule file.\n" + yaml.safe_dump(
        {"rules": [GOOD_RULE, bad]}, sort_keys=False, allow_unicode=True
    )


def second_entry_line(text: str) -> int:
    """1-based line of the second rule entry (where its mapping starts)."""
    starts = [n for n, line in enumerate(text.splitlines(), 1) if line.startswith("- ")]
    return starts[1]


@dataclass(frozen=True)
class Broken:
    """A malformed rule: the reason the loader gives, and whether the schema sees it too."""

    text: str
    reason: str
    rule_id: str | None = "test.second"
    schema: bool = True


BROKEN_RULES: dict[str, Broken] = {
    "bad_severity": Broken(rule_file(severity="fatal"), "'severity' must be one of"),
    "severity_upper_case": Broken(rule_file(severity="Error"), "'severity' must be one of"),
    "unknown_check": Broken(rule_file(check="lenght"), "unknown check 'lenght'"),
    "missing_required_param": Broken(
        rule_file(check="pattern", params={"format": "digits"}), "'regex' is required"
    ),
    "missing_params_entirely": Broken(
        rule_file(check="one_of", params=DELETE), "'values' is required"
    ),
    "unknown_param": Broken(
        rule_file(params={"max": 10, "maximum": 3}), "does not take ['maximum']"
    ),
    "param_for_a_check_without_params": Broken(
        rule_file(check="email", params={"strict": True}), "does not take ['strict']"
    ),
    "max_is_text": Broken(rule_file(params={"max": "ten"}), "'max' must be a whole number >= 0"),
    "max_is_negative": Broken(rule_file(params={"max": -1}), "'max' must be a whole number >= 0"),
    "max_is_boolean": Broken(rule_file(params={"max": True}), "'max' must be a whole number >= 0"),
    "min_is_fraction": Broken(rule_file(params={"min": 1.5}), "'min' must be a whole number"),
    "ignore_case_is_text": Broken(
        rule_file(check="pattern", params={"regex": "a", "format": "a", "ignore_case": "yes!"}),
        "'ignore_case' must be true or false",
    ),
    "set_name_is_number": Broken(
        rule_file(check="one_of", params={"values": ["A"], "set_name": 5}), "must be text"
    ),
    "bad_choice": Broken(
        rule_file(check="one_of", params={"values": ["A"], "set_name": "x", "suggest": "magic"}),
        "'suggest' must be one of",
    ),
    "invalid_regex": Broken(
        rule_file(check="pattern", params={"regex": "([0-9]", "format": "digits"}),
        "not a valid regular expression",
    ),
    "regex_not_text": Broken(
        rule_file(check="pattern", params={"regex": 5, "format": "digits"}),
        "must be a regular expression",
    ),
    "params_is_a_list": Broken(rule_file(params=["max", 10]), "'params' must be a mapping"),
    "unknown_field": Broken(
        rule_file(field="billingProfile.emial"),
        "unknown field 'billingProfile.emial'",
        schema=False,
    ),
    "field_not_text": Broken(rule_file(field=5), "'field' must be a dotted field path"),
    "value_check_without_field": Broken(rule_file(field=DELETE), "needs a 'field'", schema=False),
    "object_check_on_a_string_field": Broken(
        rule_file(check="known_fields", params=DELETE, field="billingProfile.email"),
        "needs an object field",
        schema=False,
    ),
    "unknown_dataset": Broken(
        rule_file(check="one_of", params={"values": "no_such_list", "set_name": "x"}),
        "no dataset named 'no_such_list'",
        schema=False,
    ),
    "values_not_text": Broken(
        rule_file(check="one_of", params={"values": [1, 2], "set_name": "x"}),
        "give a dataset name or a list of text",
    ),
    "when_is_text": Broken(rule_file(when="US"), "'when' needs a field"),
    "when_without_field": Broken(rule_file(when={"in": ["US"]}), "'when' needs a field"),
    "when_without_in": Broken(
        rule_file(when={"field": "billingProfile.defaultAddress.country"}), "exactly one of"
    ),
    "when_with_in_and_not_in": Broken(
        rule_file(
            when={"field": "billingProfile.defaultAddress.country", "in": ["US"], "not_in": ["CA"]}
        ),
        "exactly one of",
    ),
    "when_with_unknown_key": Broken(
        rule_file(when={"field": "billingProfile.defaultAddress.country", "in": ["US"], "is": "x"}),
        "exactly one of",
    ),
    "when_unknown_field": Broken(
        rule_file(when={"field": "billingProfile.defaultAddress.land", "in": ["US"]}),
        "unknown field 'billingProfile.defaultAddress.land'",
        schema=False,
    ),
    "when_unknown_dataset": Broken(
        rule_file(when={"field": "billingProfile.defaultAddress.country", "in": "nowhere"}),
        "when: no dataset named 'nowhere'",
        schema=False,
    ),
    "when_list_with_junk": Broken(
        rule_file(when=[{"field": "billingProfile.defaultAddress.country", "in": ["US"]}, 5]),
        "'when' needs a field",
    ),
    "when_values_not_text": Broken(
        rule_file(when={"field": "billingProfile.defaultAddress.country", "in": [1]}),
        "give a dataset name or a list of text",
    ),
    "new_rule_without_severity": Broken(
        rule_file(severity=DELETE), "a new rule needs severity", schema=False
    ),
    "new_rule_without_check_or_source": Broken(
        rule_file(check=DELETE, source=DELETE, params=DELETE),
        "a new rule needs source, check",
        schema=False,
    ),
    "blank_description": Broken(rule_file(description="   "), "'description' must be non-empty"),
    "unknown_rule_key": Broken(rule_file(sevrity="error"), "unknown key(s) ['sevrity']"),
    "id_with_capitals": Broken(rule_file(id="Test.Second"), "lower-case words", "Test.Second"),
    "id_with_spaces": Broken(rule_file(id="test second"), "lower-case words", "test second"),
    "id_missing": Broken(rule_file(id=DELETE), "a rule has no 'id'", None),
    "id_not_text": Broken(rule_file(id=12), "a rule has no 'id'", None),
    "duplicate_id_in_file": Broken(
        rule_file(id=GOOD_RULE["id"]), "appears twice in the file", GOOD_RULE["id"], schema=False
    ),
    "enabled_not_boolean": Broken(
        rule_file(enabled="sometimes"), "'enabled' must be true or false"
    ),
    "partner_center_error_text": Broken(
        rule_file(partner_center_error="600051"), "'partner_center_error' must be a number"
    ),
    "partner_center_error_boolean": Broken(
        rule_file(partner_center_error=True), "'partner_center_error' must be a number"
    ),
    "message_not_text": Broken(rule_file(message=5), "'message' must be text"),
    "note_not_text": Broken(rule_file(note=["a"]), "'note' must be text"),
}


@pytest.mark.parametrize("name", sorted(BROKEN_RULES))
def test_loader_rejects_broken_rule(name: str, tmp_path: Path) -> None:
    case = BROKEN_RULES[name]
    path = write(tmp_path, case.text)
    error = load_error(path)
    assert error.path == str(path)
    assert case.reason in error.reason
    assert error.line == second_entry_line(case.text)
    assert error.rule_id == case.rule_id
    assert str(path) in str(error) and f":{error.line}:" in str(error)
    if case.rule_id:
        assert f"rule {case.rule_id}:" in str(error)


@pytest.mark.parametrize("name", sorted(n for n, case in BROKEN_RULES.items() if case.schema))
def test_schema_rejects_broken_rule(name: str) -> None:
    """What the schema can see without knowing the catalog, datasets or existing ids."""
    assert schema_errors(BROKEN_RULES[name].text), name


@pytest.mark.parametrize(
    "text",
    [
        rule_file(check=["length"]),
        rule_file(check={"length": 1}),
        "fields:\n  billingProfile.vatId: [string]\n",
    ],
    ids=["check_is_a_list", "check_is_a_mapping", "field_type_is_a_list"],
)
def test_unhashable_check_or_field_type(text: str, tmp_path: Path) -> None:
    path = write(tmp_path, text)
    try:
        load_rules([path])
    except RuleFileError as error:
        assert error.path == str(path)
    else:
        pytest.fail("the file was accepted")


def test_table_base_file_is_valid(tmp_path: Path) -> None:
    """Every case above differs from a file that loads and passes the schema in one point."""
    text = rule_file()
    ruleset = load_rules([write(tmp_path, text)])
    assert {"test.company_name.short", "test.second"} <= {rule.id for rule in ruleset.rules}
    assert schema_errors(text) == []
    assert second_entry_line(text) == 11


# --------------------------------------------------------------------------------------------
# File-level errors


@pytest.mark.parametrize(
    ("text", "reason", "line"),
    [
        ("rules:\n\t- id: x\n", "not valid YAML", 2),
        ("rules:\n  - id: a.b\n    params: {max: 3\n  - id: c.d\n", "not valid YAML", 4),
        ('rules:\n  - id: a.b\n    description: "open\n    source: x\n', "not valid YAML", 5),
        ("rules:\n  - id: a.b\n    id: a.c\n", "the key 'id' appears twice", 3),
        ("fields:\n  1: string\n", "a key must be text", 2),
        ("# comment\nfields: {}\nchecks: []\n", "unknown top-level key(s) ['checks']", 2),
        ("rules:\n  id: a.b\n", "'rules' must be a list", 2),
        ("rules:\n  - just text\n", "each rule must be a mapping", None),
        ("- id: a.b\n", "the top level must be a mapping", None),
        ("just text\n", "the top level must be a mapping", None),
        ("datasets: [a, b]\n", "'datasets' must be a mapping", None),
        ("fields: [a]\n", "'fields' must map field paths to types", None),
    ],
    ids=[
        "tab",
        "unclosed_flow_mapping",
        "unterminated_string",
        "duplicate_key",
        "number_as_key",
        "unknown_top_level_key",
        "rules_not_a_list",
        "rule_not_a_mapping",
        "top_level_list",
        "top_level_scalar",
        "datasets_not_a_mapping",
        "fields_not_a_mapping",
    ],
)
def test_loader_rejects_broken_file(
    text: str, reason: str, line: int | None, tmp_path: Path
) -> None:
    path = write(tmp_path, text)
    error = load_error(path)
    assert (error.path, error.line, error.rule_id) == (str(path), line, None)
    assert reason in error.reason


def test_python_object_tags_are_rejected_not_executed(tmp_path: Path) -> None:
    """yaml.load with an unsafe loader would call os.mkdir here; the safe loader must refuse."""
    marker = tmp_path / "created-by-yaml"
    for text in (
        f"!!python/object/apply:os.mkdir [{str(marker)!r}]\n",
        f"rules:\n  - id: a.b\n    check: !!python/object/apply:os.mkdir [{str(marker)!r}]\n",
        'rules:\n  - id: a.b\n    check: !!python/object/apply:os.system ["echo hi"]\n',
        "datasets: !!python/name:os.system\n",
    ):
        path = write(tmp_path, text)
        error = load_error(path)
        assert "could not determine a constructor" in error.reason, error.reason
        assert "python/" in error.reason
        assert error.line == text.count("\n", 0, text.index("!!")) + 1
    assert not marker.exists()


#: Issue #5's rule-file cases: (file text, line, rule id, words of the reason).
ISSUE_CASES: dict[str, tuple[str, int | None, str | None, str]] = {
    "object_tag": (
        "rules:\n  - id: a.b\n    check: !!python/object/apply:os.system ['echo hi']\n",
        3,
        None,
        "could not determine a constructor",
    ),
    "not_yaml": (
        "rules:\n  - id: a.b\n    params: {max: 3\n  - id: c.d\n",
        4,
        None,
        "not valid YAML",
    ),
    "unknown_check": (rule_file(check="lenght"), 11, "test.second", "unknown check 'lenght'"),
    "missing_id": (rule_file(id=DELETE), 11, None, "a rule has no 'id'"),
    "duplicate_id": (
        rule_file(id=GOOD_RULE["id"]),
        11,
        GOOD_RULE["id"],
        "this id appears twice in the file",
    ),
    "unknown_parameter": (
        rule_file(params={"max": 10, "maximum": 3}),
        11,
        "test.second",
        "does not take ['maximum']",
    ),
    "parameter_of_the_wrong_type": (
        rule_file(params={"max": "ten"}),
        11,
        "test.second",
        "'max' must be a whole number >= 0",
    ),
    "regex_that_re2_cannot_run": (  # issue #5 refused (a+)+$ here; RE2 runs it in linear time
        rule_file(check="pattern", params={"regex": r"(\d+)-\1", "format": "a"}),
        11,
        "test.second",
        "'regex': RE2, which runs the patterns of user rule files, has no backreferences",
    ),
}


@pytest.mark.parametrize("command", ["check", "rules"])
@pytest.mark.parametrize("case", sorted(ISSUE_CASES))
def test_issue_cases_name_file_line_rule_and_reason_and_exit_2(
    case: str, command: str, tmp_path: Path
) -> None:
    """Each case of issue #5, through the loader and through the command."""
    import io

    from pc_validate.cli import main

    text, line, rule_id, reason = ISSUE_CASES[case]
    path = write(tmp_path, text)
    error = load_error(path)
    assert (error.path, error.line, error.rule_id) == (str(path), line, rule_id)
    assert reason in error.reason
    out, err = io.StringIO(), io.StringIO()
    seed = Path(__file__).parent.parent / "examples" / "valid" / "seed-de-2023.json"
    argv = [command, "--rules", str(path), *([str(seed)] if command == "check" else [])]
    assert main(argv, stdout=out, stderr=err, stdin=io.StringIO()) == 2
    assert out.getvalue() == "" and "Traceback" not in err.getvalue()
    assert f"{path}:{line}:" in err.getvalue() and reason in err.getvalue()
    if rule_id is not None:
        assert f"rule {rule_id}:" in err.getvalue()


def test_yaml_aliases_are_refused_in_a_user_file(tmp_path: Path) -> None:
    """Issue 11: a few aliases of aliases stand for billions of values, so a user file may
    not have one (test_untrusted_rules.py: the billion laughs); an anchor alone is harmless.
    The bundled files, which are reviewed, use aliases."""
    path = write(
        tmp_path,
        """\
        datasets:
          base: &base {description: d, source: s, values: [A, B]}
          again: *base
        """,
    )
    error = load_error(path)
    assert (error.path, error.line, error.rule_id) == (str(path), 3, None)
    assert error.reason == (
        "an alias (*base) is not allowed in a user rule file, as a few can stand for billions "
        "of values: write the value out"
    )
    merge = write(tmp_path, "rules:\n  - &r {id: a.b}\n  - {<<: *r, id: a.c}\n", "merge.yaml")
    assert (load_error(merge).line, "alias (*r)" in load_error(merge).reason) == (3, True)
    anchored = write(tmp_path, "datasets:\n  base: &b {description: d, source: s, values: [A]}\n")
    assert load_rules([anchored]).datasets["base"] == ("A",)
    assert "*address" in (bundled_rule_files()[0].parent / "address.yaml").read_text("utf-8")


@pytest.mark.parametrize(
    ("data", "reason"),
    [(b"rules:\n  - id: caf\xe9\n", "not UTF-8 text"), (b"\xff\xfe\x00r", "not UTF-8 text")],
)
def test_file_that_is_not_utf8(data: bytes, reason: str, tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(data)
    error = load_error(path)
    assert error.path == str(path) and reason in error.reason


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    """Windows editors write a byte-order mark; the loader reads through it."""
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + rule_file().encode("utf-8"))
    assert "test.second" in {rule.id for rule in load_rules([path]).rules}


def test_missing_file_and_directory(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    error = load_error(missing)
    assert (error.path, error.reason) == (str(missing), "no such file")
    error = load_error(tmp_path)
    assert error.path == str(tmp_path) and "directory" in error.reason


def test_empty_file_changes_nothing(tmp_path: Path) -> None:
    for text in ("", "# only a comment\n", "rules:\ndatasets:\nfields:\n"):
        ruleset = load_rules([write(tmp_path, text)])
        assert [rule.id for rule in ruleset.rules] == [rule.id for rule in load_rules().rules]


def test_deeply_nested_yaml_is_an_error_not_a_crash(tmp_path: Path) -> None:
    path = write(tmp_path, "rules: " + "[" * 200_000 + "\n")
    code = (
        "import sys\n"
        "from pc_validate import RuleFileError, load_rules\n"
        "try:\n"
        f"    load_rules([{str(path)!r}])\n"
        "except RuleFileError as exc:\n"
        "    print(exc.reason)\n"
        "    sys.exit(3)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 3, (result.returncode, result.stderr[-500:])
    assert "YAML" in result.stdout


# --------------------------------------------------------------------------------------------
# Datasets and fields


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            """\
            datasets:
              nordics:
                description: Nordic countries
                source: the test suite
                values: [DK, FI, IS, NO, SE]
            """,
            "dataset 'nordics': every value must be text",
        ),
        (
            """\
            datasets:
              zips:
                description: ZIP prefixes
                source: the test suite
                values: [98052, "10001"]
            """,
            "dataset 'zips': every value must be text",
        ),
        (
            """\
            datasets:
              nordics:
                description: Nordic countries
                source: the test suite
            """,
            "dataset 'nordics' needs a list under 'values'",
        ),
        (
            """\
            datasets:
              nordics:
                description: Nordic countries
                values: [DK]
            """,
            "dataset 'nordics' needs a 'source'",
        ),
        (
            """\
            datasets:
              nordics:
                description: " "
                source: the test suite
                values: [DK]
            """,
            "dataset 'nordics' needs a 'description'",
        ),
        (
            """\
            datasets:
              nordics: [DK, FI]
            """,
            "dataset 'nordics' needs a list under 'values'",
        ),
    ],
    ids=[
        "norway_as_boolean",
        "number_value",
        "no_values",
        "no_source",
        "blank_description",
        "list_instead_of_spec",
    ],
)
def test_loader_rejects_broken_dataset(text: str, reason: str, tmp_path: Path) -> None:
    """YAML 1.1 reads NO (Norway) as false and 98052 as a number: values must be quoted."""
    path = write(tmp_path, text)
    error = load_error(path)
    assert error.path == str(path) and error.rule_id is None
    assert error.reason == reason
    assert error.line in (2, 3), "the line of the dataset, or of its first key"
    assert schema_errors(textwrap.dedent(text))


def test_loader_rejects_unknown_field_type(tmp_path: Path) -> None:
    text = """\
    fields:
      billingProfile.vatId: string
      billingProfile.taxId: strin
    """
    error = load_error(write(tmp_path, text))
    assert "field 'billingProfile.taxId': type must be one of" in error.reason
    assert error.line in (2, 3)  # the start of the fields block (the entry's own line: 3)
    assert schema_errors(textwrap.dedent(text))


def test_field_inside_a_non_object_names_its_file(tmp_path: Path) -> None:
    path = write(tmp_path, "fields:\n  companyProfile.domain.label: string\n")
    error = load_error(path)
    assert "companyProfile.domain.label" in error.reason
    assert error.path == str(path)


# --------------------------------------------------------------------------------------------
# Bundled files and ids


def test_bundled_id_redefined_by_a_non_user_file(tmp_path: Path) -> None:
    """Only user files may override; a second package file reusing an id is a mistake."""
    builder = _Builder()
    for path in bundled_rule_files():
        builder.add_file(path, user=False)
    extra = write(
        tmp_path,
        """\
        # another package file
        rules:
          - id: billing.email.format
            severity: warning
            description: Duplicate.
            source: The test suite.
            field: billingProfile.email
            check: email
        """,
        name="zz-extra.yaml",
    )
    with pytest.raises(RuleFileError) as caught:
        builder.add_file(extra, user=False)
    error = caught.value
    assert error.path == f"rules/{extra.name}"
    assert (error.line, error.rule_id) == (3, "billing.email.format")
    assert "already defined by another rule file" in error.reason


def test_the_same_id_in_a_user_file_overrides(tmp_path: Path) -> None:
    """...whereas the same entry in a user file is an override, not an error."""
    path = write(tmp_path, "rules:\n  - id: billing.email.format\n    severity: warning\n")
    rule = {rule.id: rule for rule in load_rules([path]).rules}["billing.email.format"]
    assert rule.severity == "warning"
    assert rule.check == "email" and rule.field == ("billingProfile", "email")
    assert rule.origin == f"{path}:2"


def test_override_of_an_unknown_id_is_a_new_rule_and_needs_everything(tmp_path: Path) -> None:
    """A misspelt id in an override must not silently add a half rule."""
    path = write(tmp_path, "rules:\n  - id: billing.emial.format\n    severity: warning\n")
    error = load_error(path)
    assert error.rule_id == "billing.emial.format" and error.line == 2
    assert "a new rule needs description, source, check" in error.reason
    assert "exact id" in error.reason


def test_unknown_key_in_an_override(tmp_path: Path) -> None:
    path = write(tmp_path, "rules:\n  - id: billing.email.format\n    level: warning\n")
    error = load_error(path)
    assert (error.rule_id, error.line) == ("billing.email.format", 2)
    assert "unknown key(s) ['level']" in error.reason


@pytest.mark.parametrize(
    "params", [{"values": ["A"], "style": "upper"}, {"style": None}], ids=["both", "neither"]
)
def test_exclusive_parameters_name_rule_and_line(tmp_path: Path, params: dict[str, Any]) -> None:
    """canonical_case takes exactly one of values and style (CheckKind.one_of_params); the
    loader says so, and so does the schema."""
    text = rule_file(check="canonical_case", params=params)
    path = write(tmp_path, text)
    with pytest.raises(RuleFileError) as caught:
        load_rules([path])
    error = caught.value
    assert (error.path, error.line, error.rule_id) == (
        str(path),
        second_entry_line(text),
        "test.second",
    )
    assert "exactly one of 'values' and 'style'" in error.reason
    assert schema_errors(text)


# --------------------------------------------------------------------------------------------
# What a user file may do


def test_user_file_changes_severity(tmp_path: Path) -> None:
    payload = _valid_us()
    payload["billingProfile"]["defaultAddress"].update(country="DE", state="Bayern")
    default = fired(validate(payload), "address.state.length_elsewhere")
    assert [v.severity for v in default] == ["warning"]
    path = write(
        tmp_path,
        """\
        rules:
          - id: address.state.length_elsewhere
            severity: error
        """,
    )
    changed = fired(validate(payload, rules=[path]), "address.state.length_elsewhere")
    assert [v.severity for v in changed] == ["error"]
    assert changed[0].path == default[0].path and changed[0].params == default[0].params
    assert schema_errors(path.read_text()) == []


def test_user_file_changes_params(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        rules:
          - id: address.line1.length
            params: {min: 1, max: 10}
        """,
    )
    (violation,) = fired(validate(_valid_us(), rules=[path]), "address.line1.length")
    assert violation.code == "too_long" and violation.params["max"] == 10
    assert violation.source == fired_source("address.line1.length")


def fired_source(rule_id: str) -> str:
    return {rule.id: rule for rule in load_rules().rules}[rule_id].source


def test_user_file_disables_and_reenables(tmp_path: Path) -> None:
    payload = _valid_us()
    payload["billingProfile"]["culture"] = "EN-US"
    assert fired(validate(payload), "billing.culture.case")
    off = write(tmp_path, "rules:\n  - id: billing.culture.case\n    enabled: false\n", "off.yaml")
    ruleset = load_rules([off])
    assert "billing.culture.case" in ruleset.disabled
    assert "billing.culture.case" not in {rule.id for rule in ruleset.enabled_rules}
    assert not fired(validate(payload, rules=[off]), "billing.culture.case")
    on = write(tmp_path, "rules:\n  - id: billing.culture.case\n    enabled: true\n", "on.yaml")
    assert fired(validate(payload, rules=[off, on]), "billing.culture.case")
    assert "billing.culture.case" in load_rules([on, off]).disabled  # the last file wins


def test_user_file_adds_a_rule(tmp_path: Path) -> None:
    path = write(tmp_path, rule_file())
    report = validate(_valid_us(), rules=[path])
    (violation,) = fired(report, "test.company_name.short")
    assert (violation.severity, violation.code, violation.path) == (
        "warning",
        "too_long",
        "/billingProfile/companyName",
    )
    assert violation.source == "The test suite."
    assert report.ok  # a warning only


def test_user_file_adds_a_field_and_a_rule_on_it(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        fields:
          billingProfile.defaultAddress.county: string
        rules:
          - id: test.county.required
            severity: error
            description: County is given.
            source: The test suite.
            field: billingProfile.defaultAddress.county
            check: required
            when: {field: billingProfile.defaultAddress.country, in: [US]}
        """,
    )
    payload = _valid_us()
    payload["billingProfile"]["defaultAddress"]["County"] = "King"
    assert fired(validate(payload), "payload.unknown_key")
    report = validate(payload, rules=[path])
    assert not fired(report, "payload.unknown_key") and report.violations == ()
    del payload["billingProfile"]["defaultAddress"]["County"]
    (violation,) = fired(validate(payload, rules=[path]), "test.county.required")
    assert violation.path == "/billingProfile/defaultAddress/county"


def test_user_file_extends_a_dataset(tmp_path: Path) -> None:
    """A dataset redefined in a user file replaces the bundled one for every rule using it."""
    states = list(load_rules().datasets["us_states"])
    assert "PR" not in states
    path = write(
        tmp_path,
        "datasets:\n  us_states:\n    description: US states and Puerto Rico\n"
        "    source: The test suite\n"
        f"    values: {json.dumps([*states, 'PR'])}\n",
    )
    payload = _valid_us()
    payload["billingProfile"]["defaultAddress"].update(state="PR", postalCode="00901")
    assert fired(validate(payload), "address.state.us_code")
    assert not fired(validate(payload, rules=[path]), "address.state.us_code")
    assert load_rules([path]).datasets["us_states"][-1] == "PR"
    assert schema_errors(path.read_text()) == []


def test_load_rules_disable() -> None:
    ruleset = load_rules(disable=["billing.culture.case", "payload.whitespace"])
    assert {"billing.culture.case", "payload.whitespace"} <= ruleset.disabled
    enabled = {rule.id for rule in ruleset.enabled_rules}
    assert "billing.culture.case" not in enabled and "billing.email.format" in enabled
    payload = _valid_us()
    payload["billingProfile"]["culture"] = " EN-US "
    report = validate(payload, disable=["billing.culture.case", "payload.whitespace"])
    assert report.violations == ()


def test_load_rules_disable_unknown_id() -> None:
    with pytest.raises(RuleFileError) as caught:
        load_rules(disable=["billing.culture.cases"])
    assert caught.value.path == "--disable"
    assert "'billing.culture.cases'" in caught.value.reason


def test_user_file_only_without_bundled_rules(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        fields:
          name: string
        rules:
          - id: only.name.required
            severity: error
            description: A name is given.
            source: The test suite.
            field: name
            check: required
        """,
    )
    ruleset = load_rules([path], bundled=False)
    assert [rule.id for rule in ruleset.rules] == ["only.name.required"]
    report = Validator(ruleset).validate({})
    assert [(v.rule, v.path) for v in report.violations] == [("only.name.required", "/name")]


# --------------------------------------------------------------------------------------------
# The JSON Schema of the rule-file format


def test_schema_file_is_a_valid_2020_12_schema() -> None:
    assert schema_path("rules.schema.json").is_file()
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize(
    "path", [*bundled_rule_files(), *cloud_overlays().values()], ids=lambda p: p.name
)
def test_bundled_rule_file_matches_schema(path: Path) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    errors = [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in SCHEMA_VALIDATOR.iter_errors(data)
    ]
    assert errors == []


def test_schema_check_enum_is_the_registry() -> None:
    assert SCHEMA["$defs"]["rule"]["properties"]["check"]["enum"] == sorted(REGISTRY)


def test_schema_names_the_loaders_keys_and_values() -> None:
    rule = SCHEMA["$defs"]["rule"]
    assert set(rule["properties"]) == set(_RULE_KEYS)
    assert rule["properties"]["severity"] == {"$ref": "#/$defs/severity"}
    assert SCHEMA["$defs"]["severity"]["enum"] == list(SEVERITIES)
    assert set(SCHEMA["$defs"]["fieldType"]["enum"]) == set(_FIELD_TYPES)
    assert set(SCHEMA["properties"]) == {"fields", "datasets", "markets", "rules"}


@pytest.mark.parametrize(
    "rule_id",
    ["a", "address.line1.length", "a_b.c_1", "a.1", "A", "a..b", "a.", ".a", "1a", "a-b", "a b"],
)
def test_schema_id_pattern_is_the_loaders(rule_id: str) -> None:
    pattern = SCHEMA["$defs"]["rule"]["properties"]["id"]["pattern"]
    assert bool(re.search(pattern, rule_id)) == bool(_ID.fullmatch(rule_id))


def _param_types(param: Param) -> set[str]:
    """The JSON types a parameter of this kind takes (null: left out)."""
    return {
        "int": {"integer"},
        "bool": {"boolean"},
        "str": {"string"},
        "regex": {"string"},
        "values": {"string", "array"},
        "choice": {"string"},
        "field": {"string"},
        "table": {"object"},
    }[param.kind]


def _schema_types(schema: dict[str, Any]) -> set[str]:
    """The JSON types a (small) parameter schema admits, following local $refs."""
    if "$ref" in schema:
        name = schema["$ref"].removeprefix("#/$defs/")
        return _schema_types(SCHEMA["$defs"][name])
    if "anyOf" in schema:
        return set().union(*(_schema_types(option) for option in schema["anyOf"]))
    if "enum" in schema:
        return {"null" if value is None else "string" for value in schema["enum"]}
    kinds = schema["type"]
    return set(kinds) if isinstance(kinds, list) else {kinds}


@pytest.mark.parametrize("check", sorted(REGISTRY))
def test_schema_params_follow_the_registry(check: str) -> None:
    """Each check kind's `params` in the schema: the registry's names, required ones, types."""
    kind = REGISTRY[check]
    (clause,) = [
        c
        for c in SCHEMA["$defs"]["rule"]["allOf"]
        if c["if"]["properties"]["check"].get("const") == check
    ]
    params = clause["then"]["properties"]["params"]
    assert set(params["properties"]) == set(kind.params)
    assert params["additionalProperties"] is False
    required = sorted(name for name, param in kind.params.items() if param.required)
    assert sorted(params.get("required", [])) == required
    for name, param in kind.params.items():
        schema = params["properties"][name]
        expected = _param_types(param) | (set() if param.required else {"null"})
        assert _schema_types(schema) == expected, name
        if param.kind == "choice":
            assert [v for v in schema["enum"] if v is not None] == list(param.choices)
        if param.kind == "int":
            assert schema["minimum"] == 0


def test_schema_accepts_user_overrides() -> None:
    """An override entry needs only its id; the schema cannot know which ids exist."""
    text = """\
    rules:
      - id: billing.culture.case
        enabled: false
      - id: address.state.length_elsewhere
        severity: error
        params: {max: 3}
        when: [{field: billingProfile.defaultAddress.country, not_in: [US, CA]}]
    """
    assert schema_errors(textwrap.dedent(text)) == []


def test_generated_iso_codes_are_pycountrys() -> None:
    """rules/iso-codes.yaml is scripts/generate_iso_codes.py's output for the installed
    pycountry (regenerate it after a pycountry upgrade)."""
    import importlib.util
    from importlib.metadata import version

    from pc_validate.resources import rules_dir

    committed = (rules_dir() / "iso-codes.yaml").read_text(encoding="utf-8")
    if f"pycountry {version('pycountry')} " not in committed.splitlines()[0]:
        pytest.skip("generated from another pycountry version")
    script = Path(__file__).parent.parent / "scripts" / "generate_iso_codes.py"
    spec = importlib.util.spec_from_file_location("generate_iso_codes", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.render() == committed
