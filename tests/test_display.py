"""A payload cannot fool the person reading the report (issue 11, section 2).

Keys, values, suggestions, file names and messages come from people who are not the reader.
What a person reads (the text report, coloured or not, every line on stderr, the rule
listing) shows each character that a terminal would act on or that hides or reorders text
(Unicode categories Cc, Cf, Zl, Zp: C0 and C1 controls, DEL, bidi controls, zero-width
characters, U+2028/2029) escaped, ESC as ``\\u001b``: a payload cannot clear the screen, print
a fake "valid", make a hyperlink, set the window title, overwrite a line or reverse text.
The JSON outputs stay exact JSON: parsed, they give back every key and value as sent, and
their text carries those characters as JSON escapes only. A key is cut like a value (200
characters + "…") where a person reads it and in messages; the JSON report's `path` names it
exactly. Under --redact a key that is not a known field is named by its position (`*3`).
"""

from __future__ import annotations

import copy
import json
import re
import sys
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from conftest import TOOL_COLOURS, VALID_US_PAYLOAD, raw_controls, run_cli

from pc_validate import validate
from pc_validate.index import pointer_token
from pc_validate.report import ECHO_LIMIT, dumps, printable

#: Clears the screen, homes the cursor, prints what a clean run prints, then hides the rest.
FORGED = (
    "\x1b[2J\x1b[H\x1b[32mcustomer.json: valid\x1b[0m\n"
    "1 input: 1 valid, 0 invalid, 0 unreadable; 0 errors, 0 warnings, 0 info\x1b[8m"
)
#: A live hyperlink (OSC 8), a window title (OSC 0), a line overwritten by a carriage
#: return, a C1 CSI (U+009B), bidi overrides and isolates, zero-width characters.
HYPERLINK = "\x1b]8;;http://evil.example/\x1b\\click here\x1b]8;;\x1b\\"
TITLE = "\x1b]0;pc-validate: all valid\x07"
OVERWRITE = "wrong\rcustomer.json: valid"
C1_CSI = "\x9b2J\x9b8m"
BIDI = "\u202enosj.remotsuc\u202c \u2066x\u2069 \u200b\u200f\u061c\ufeff\u2028\u2029\u00ad"
HOSTILE = {
    "forged": FORGED,
    "hyperlink": HYPERLINK,
    "title": TITLE,
    "overwrite": OVERWRITE,
    "c1": C1_CSI,
    "bidi": BIDI,
}
#: Escapes that show each attack was there, and harmless.
SHOWN = ["\\u001b[2J", "\\u001b]8;;http:", "\\u001b]0;", "\\u0007", "\\u000d", "\\u009b2J"]
SHOWN_BIDI = ["\\u202e", "\\u2066", "\\u200b", "\\u061c", "\\ufeff", "\\u2028", "\\u00ad"]


def forged_body() -> dict[str, Any]:
    """The valid body with every attack as an unknown key (twice, differing in case, too),
    in a value that is echoed, and in a whitespace suggestion."""
    body = copy.deepcopy(VALID_US_PAYLOAD)
    billing = body["billingProfile"]
    for name, text in HOSTILE.items():
        billing[f"{name}{text}"] = 1
    billing["Ambiguous" + FORGED] = 1
    billing["AMBIGUOUS" + FORGED] = 2
    billing["email"] = f"{FORGED}{C1_CSI}{BIDI}@wingtiptoys.com"
    billing["companyName"] = f"  Wingtip {TITLE}{HYPERLINK} Toys  "  # suggestion: trimmed
    billing["defaultAddress"]["city"] = f"  Redmond{BIDI}{OVERWRITE} "
    return body


def forged_text(body: dict[str, Any]) -> str:
    """The body as JSON text, with a key sent twice (for fix's "sent more than once")."""
    text = json.dumps(body, ensure_ascii=False)
    repeated = json.dumps("twice" + FORGED)
    return text.replace(
        '"billingProfile": {', f'"billingProfile": {{{repeated}: 1, {repeated}: 2, '
    )


def hostile_name(folder: Path, stem: str) -> Path:
    """A file name a person reads on every line about it: a newline, ESC, CR, C1, bidi."""
    return folder / f"{stem}\n{FORGED.replace('/', '|')}\r{C1_CSI}{BIDI}.json"


def assert_clean(text: str, where: str) -> None:
    assert not raw_controls(text), f"{where}: raw {raw_controls(text)} in {text[:300]!r}"


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("display")
    body = hostile_name(folder, "customer")
    body.write_text(forged_text(forged_body()), encoding="utf-8")
    broken = hostile_name(folder, "broken")
    broken.write_text('{"billingProfile": ' + json.dumps(FORGED) + " oops}", encoding="utf-8")
    csv = folder / "no-header.csv"
    cell = HYPERLINK + BIDI
    csv.write_text(f"billingProfile.email,{cell},{cell}\nx,y,z\n", encoding="utf-8")
    return {"folder": folder, "body": body, "broken": broken, "csv": csv}


# --- the text report and stderr ------------------------------------------------------------------


def test_the_forged_report_shows_every_attack_escaped(inputs: dict[str, Path]) -> None:
    result = run_cli("check", inputs["body"])
    assert result.code == 1
    assert_clean(result.out, "text report")
    assert result.err == ""
    for shown in SHOWN + SHOWN_BIDI:
        assert shown in result.out, shown
    lines = result.out.splitlines()
    assert lines[0].startswith(f"{inputs['folder']}/customer\\u000a\\u001b[2J")
    assert lines[-1].startswith("1 input: 0 valid, 1 invalid")  # the real summary, last
    assert not any(line.startswith("1 input: 1 valid") for line in lines)
    # the whitespace rule's suggestion holds the title sequence, escaped
    assert "      suggestion: Wingtip \\u001b]0;pc-validate: all valid\\u0007" in result.out


def test_colour_adds_only_the_tools_own_sequences(inputs: dict[str, Path]) -> None:
    plain = run_cli("check", inputs["body"]).out
    coloured = run_cli("check", "--color", "always", inputs["body"]).out
    assert coloured != plain
    assert TOOL_COLOURS.sub("", coloured) == plain


def test_file_names_from_globs_and_unreadable_files_are_escaped(inputs: dict[str, Path]) -> None:
    folder = inputs["folder"]
    missing = f"{folder}/nothing{FORGED.replace('/', '|')}*.json"
    result = run_cli("check", f"{folder}/*.json", missing, inputs["csv"])
    assert result.code == 2
    for text, where in ((result.out, "text report"), (result.err, "stderr")):
        assert_clean(text, where)
        assert "broken\\u000a\\u001b[2J" in text and "nothing\\u001b[2J" in text
    assert len(result.err.splitlines()) == 3  # the broken file, the pattern, the CSV header
    assert "customer\\u000a\\u001b[2J" in result.out
    assert "columns 2 and 3 of the header both name" in result.err  # quoting the cell


def test_the_json_outputs_stay_exact(inputs: dict[str, Path]) -> None:
    """Parsed, the JSON report names every key exactly; its text holds no raw control."""
    body = forged_body()
    for fmt in ("json", "jsonl"):
        result = run_cli("check", "--format", fmt, inputs["body"])
        assert result.code == 1
        assert_clean(result.out, fmt)
        first = json.loads(result.out.splitlines()[0] if fmt == "jsonl" else result.out)
        entry = first if fmt == "jsonl" else first["results"][0]
        assert entry["input"] == str(inputs["body"])
        paths = {v["path"] for v in entry["violations"]}
        for key in body["billingProfile"]:
            if key.startswith(tuple(HOSTILE)):
                assert f"/billingProfile/{pointer_token(key)}" in paths, key
        email = next(v for v in entry["violations"] if v["rule"] == "billing.email.format")
        assert email["value"] == body["billingProfile"]["email"]
        assert "\\u001b[2J" in email["message"] and "\\u202e" in email["message"]


def test_fix_lists_its_changes_escaped(inputs: dict[str, Path]) -> None:
    result = run_cli("fix", inputs["body"])
    assert_clean(result.err, "fix stderr")  # (the repaired body on stdout is the user's data)
    lines = result.err.splitlines()
    assert any("/billingProfile/companyName:" in line for line in lines), lines
    assert any("/billingProfile/twice\\u001b[2J" in line for line in lines), lines
    assert all(
        line.startswith(f"pc-validate: {inputs['folder']}/customer\\u000a") for line in lines
    )
    assert (
        json.loads(result.out)["billingProfile"]["email"]
        == forged_body()["billingProfile"]["email"]
    )


def test_usage_errors_and_rule_file_errors_are_escaped(tmp_path: Path) -> None:
    usage = run_cli("check", f"--nonsense{FORGED}", "x.json")
    assert usage.code == 2 and "--nonsense\\u001b[2J" in usage.err
    rules = run_cli("check", "--rules", tmp_path / f"rules{FORGED.replace('/', '|')}.yaml", "-")
    assert rules.code == 2 and "rules\\u001b[2J" in rules.err
    for result in (usage, rules):
        assert_clean(result.err, "stderr")


def test_a_user_rule_file_cannot_write_to_the_terminal(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "rules:\n"
        "  - id: user.city\n"
        "    severity: info\n"
        f"    description: {json.dumps('A city' + FORGED)}\n"
        f"    source: {json.dumps('mine' + HYPERLINK)}\n"
        "    field: billingProfile.defaultAddress.city\n"
        "    check: length\n"
        "    params: {max: 3}\n"
        f"    message: {json.dumps('{field} is long' + TITLE)}\n",
        encoding="utf-8",
    )
    for fmt in ("text", "markdown", "json"):
        result = run_cli("rules", "--rules", rules, "--format", fmt)
        assert result.code == 0, result.err
        assert_clean(result.out, f"rules --format {fmt}")
        assert "A city" in result.out
    checked = run_cli("check", "--rules", rules, "-", stdin=json.dumps(VALID_US_PAYLOAD).encode())
    assert "city is long\\u001b]0;" in checked.out
    assert_clean(checked.out, "check with the user rule")


# --- one function: what it escapes ----------------------------------------------------------------


def test_printable_escapes_exactly_the_unicode_controls_and_format_characters() -> None:
    """Every Cc, Cf, Zl and Zp character of this Python's Unicode data, and nothing else
    (a newer Unicode that adds one fails here: add it to report._FORMAT_CHARACTERS)."""
    every = [chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF]
    changed = {c for c in every if printable(c) != c}
    assert changed == {c for c in every if unicodedata.category(c) in {"Cc", "Cf", "Zl", "Zp"}}
    assert {printable(c) for c in "\x1b\x9b\u202e"} == {"\\u001b", "\\u009b", "\\u202e"}
    assert printable("\U000e0041") == "\\U000e0041"
    assert printable("a\ud800b") == "a\ufffdb"  # a lone surrogate cannot be written as UTF-8
    assert printable("Zoë Ødegård, 東京, 👍🏽, a\\u001bb") == "Zoë Ødegård, 東京, 👍🏽, a\\u001bb"


def test_dumps_escapes_them_as_json_and_reads_back_exactly() -> None:
    data = {"k\x9b\u202e": ["\x1b[2J", "\U000e0041\u2028", "\ud800", "é"]}
    text = dumps(data, indent=None)
    assert not raw_controls(text)
    assert json.loads(text) == data
    assert "\\u009b\\u202e" in text and "\\udb40\\udc41\\u2028" in text and "é" in text


def test_dumps_escapes_del_in_ascii_text_too() -> None:
    """DEL (U+007F, a control) was written raw when the rest of the text was ASCII, and
    escaped when it was not: the same value gave two answers."""
    assert dumps(["a\x7fb"], indent=None) == '["a\\u007fb"]'
    assert dumps(["a\x7fb", "é"], indent=None) == '["a\\u007fb", "é"]'


def test_dumps_skips_its_search_only_where_it_would_find_nothing() -> None:
    """dumps() writes text that str.isprintable() accepts as it is: no character it escapes
    (Cc, Cf, Zl, Zp, lone surrogates) is printable, and each is escaped among others."""
    escaped = {"Cc", "Cf", "Zl", "Zp", "Cs"}
    every = [chr(c) for c in range(sys.maxunicode + 1)]
    assert not any(c.isprintable() for c in every if unicodedata.category(c) in escaped)
    for char in (c for c in every if unicodedata.category(c) in escaped and c >= "\x7f"):
        text = dumps({"name": "Zoë 東京", "value": char}, indent=None)
        assert char not in text and json.loads(text)["value"] in (char, "\ufffd")


# --- long keys ------------------------------------------------------------------------------------


def test_a_ten_megabyte_key_is_cut_where_a_person_reads_it(tmp_path: Path) -> None:
    key = "k" * 10_000_000
    body = copy.deepcopy(VALID_US_PAYLOAD)
    body["billingProfile"][key] = 1
    path = tmp_path / "long.json"
    path.write_text(
        json.dumps(body).replace('"billingProfile": {', f'"billingProfile": {{"{key}": 0, '),
        encoding="utf-8",
    )
    text = run_cli("check", path)
    assert text.code == 0
    assert len(text.out) < 2_000
    # sent twice, and unknown: two violations, each naming it in its path and message
    assert text.out.count("k" * ECHO_LIMIT + "…") == 4
    (entry,) = run_cli("check", "--format", "json", path).json()["results"]
    (violation,) = [v for v in entry["violations"] if v["rule"] == "payload.unknown_key"]
    assert violation["path"] == f"/billingProfile/{key}"  # a JSON Pointer names it exactly
    assert len(violation["message"]) < 300 and len(violation["params"]["key"]) == ECHO_LIMIT + 1
    assert len(run_cli("check", "--format", "json", "--redact", path).out) < 5_000
    fixed = run_cli("fix", path)
    assert len(fixed.err) < 1_000 and "k" * ECHO_LIMIT + "…: the key is sent" in fixed.err


# --- redaction: a key that is not a known field is named by its position --------------------------


def test_redaction_names_unknown_keys_by_position() -> None:
    body = copy.deepcopy(VALID_US_PAYLOAD)
    billing = body["billingProfile"]  # email, culture, language, companyName, defaultAddress
    billing["Gena Soto's notes"] = "x"  # the 6th key
    billing["Email"] = "gena@wingtiptoys.com"  # the 7th, a known field spelled otherwise
    body["Zoë"] = 1  # the 4th key of the body
    body["ZOë"] = 2  # the 5th: differs from the 4th in ASCII case only
    report = validate(body, redact=True)
    found = {(v.rule, v.path): v for v in report.violations}
    unknown = found[("payload.unknown_key", "/billingProfile/*6")]
    assert unknown.message == "The key *6 is not a field Partner Center knows in billingProfile."
    assert dict(unknown.params) == {"key": "*6", "parent": "billingProfile"}
    email = found[("payload.ambiguous_key", "/billingProfile/email")]
    assert dict(email.params)["keys"] == ["email", "Email"]  # known names stay as spelled
    assert email.params["used"] == '"Email"'
    zoe = found[("payload.ambiguous_key", "/*4")]
    assert dict(zoe.params) == {
        "keys": ["*4", "*5"],
        "keys_text": "*4 and *5",
        "used": "*5",
        "parent": "the request body",
    }
    assert "has the keys *4 and *5, which differ only in case" in zoe.message
    assert {path for _, path in found} >= {"/*4", "/*5", "/billingProfile/*6"}
    text = json.dumps(report.to_dict(), ensure_ascii=False)
    assert "Soto's" not in text and "Zoë" not in text and "ZOë" not in text
    plain = {v.path for v in validate(body).violations}  # without --redact: exactly as sent
    assert {"/billingProfile/Gena Soto's notes", "/Zoë", "/ZOë"} <= plain


def test_a_key_sent_twice_counts_once_where_it_first_stood() -> None:
    text = json.dumps(VALID_US_PAYLOAD).replace(
        '"billingProfile": {', '"billingProfile": {"aa": 1, "bb": 2, "aa": 3, '
    )
    paths = {v.path for v in validate(text, redact=True).violations}
    assert {"/billingProfile/*1", "/billingProfile/*2"} <= paths
    fixed = run_cli("fix", "--redact", "-", stdin=text.encode())
    assert "pc-validate: <stdin>: /billingProfile/*1: the key is sent more than once" in fixed.err
    assert "aa" not in fixed.err


def test_fix_redacts_keys_inside_unknown_objects_and_arrays() -> None:
    body = json.dumps(VALID_US_PAYLOAD)[:-1] + (
        ', "extra": {"Soto": {"Gena": 1, "Gena": 2}}, "customDomains": [{"Gena": 1, "Gena": 2}]}'
    )
    fixed = run_cli("fix", "--redact", "-", stdin=body.encode())
    assert "/*4/*1/*1: the key is sent more than once" in fixed.err, fixed.err
    assert "/customDomains/0/*1: the key is sent more than once" in fixed.err, fixed.err
    assert "Gena" not in fixed.err and "Soto" not in fixed.err
    assert "/extra/Soto/Gena:" in run_cli("fix", "-", stdin=body.encode()).err


def test_the_report_schema_says_how_a_position_looks() -> None:
    schema = json.loads(
        Path(__file__)
        .parents[1]
        .joinpath("pc_validate", "schemas", "report.schema.json")
        .read_text(encoding="utf-8")
    )
    path = schema["$defs"]["violation"]["properties"]["path"]
    assert "*N" in path["description"] and "/billingProfile/*3" in path["description"]
    assert re.fullmatch(path["pattern"], "/billingProfile/*3")
