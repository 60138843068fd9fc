"""User rule files are untrusted (issue 11, "Rule files are untrusted"): what a hostile one
meets besides its patterns (test_safe_regex.py).

- YAML aliases are refused (a 1 KB "billion laughs" once grew to 10 GB), and so is a number
  too long for Python to read;
- a file that is not a regular file (a FIFO nobody writes, /dev/zero) or larger than
  USER_FILE_BYTES is refused before it is read, and never waited for;
- what a message repeats of the file is cut short;
- a rule's own `message` is held, when the rules load, to plain ``{name}`` fields of the
  names its check gives.

Every refusal names the file and line (and the rule where there is one), and the command
exits 2. What could hang or exhaust memory runs in a child process with a time-out (and an
address-space limit where it could grow).
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import VALID_US_PAYLOAD
from conftest import run_cli as _run
from test_rule_cases import ALL_CASES, build_payload
from test_rule_files import load_error, write

from pc_validate import default_validator, load_rules, validate
from pc_validate.checks import REGISTRY
from pc_validate.messages import ENGINE_WORDS, message_words, template_problem
from pc_validate.model import Plural
from pc_validate.rules import USER_FILE_BYTES

ROOT = Path(__file__).resolve().parents[1]
SEED_DE = ROOT / "examples" / "valid" / "seed-de-2023.json"
BIG = "x" * 100_000


def child(code: str, *, timeout: float = 60, memory: int | None = None) -> Any:
    """Run `code` in a child process (with an address-space limit of `memory` bytes, where
    the platform has one); the JSON it prints."""
    if memory is not None:
        code = (
            f"import resource\nresource.setrlimit(resource.RLIMIT_AS, ({memory}, {memory}))\n"
            + code
        )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout)


def load_in_child(path: Path | str, *, memory: int | None = None) -> Any:
    """[line, rule id, reason] of the RuleFileError that loading `path` raises in a child."""
    code = (
        "import json\n"
        "from pc_validate import RuleFileError, load_rules\n"
        "try:\n"
        f"    load_rules([{str(path)!r}])\n"
        "except RuleFileError as exc:\n"
        "    print(json.dumps([exc.line, exc.rule_id, exc.reason]))\n"
        "else:\n"
        "    print(json.dumps('loaded'))\n"
    )
    return child(code, memory=memory)


def command_in_child(*argv: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pc_validate", *map(str, argv)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        stdin=subprocess.DEVNULL,
    )


# --------------------------------------------------------------------------------------------
# YAML aliases

#: The classic "billion laughs": nine levels of nine aliases, 9**9 values from 1 KB, used as
#: a key (whose repr an error message once printed).
BILLION_LAUGHS = (
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    + "".join(
        f"{name}: &{name} [{','.join([f'*{before}'] * 9)}]\n"
        for before, name in zip("abcdefgh", "bcdefghi", strict=True)
    )
    + "fields:\n  ? *i\n  : string\n"
)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS")
def test_a_billion_laughs_is_refused_fast_in_bounded_memory(tmp_path: Path) -> None:
    path = write(tmp_path, BILLION_LAUGHS, "laughs.yaml")
    assert len(BILLION_LAUGHS) < 1024
    line, rule_id, reason = load_in_child(path, memory=1 << 30)
    assert (line, rule_id) == (2, None)
    assert reason.startswith("an alias (*a) is not allowed in a user rule file")
    result = command_in_child("check", "--rules", path, SEED_DE)
    assert (result.returncode, result.stdout) == (2, "")
    assert f"{path}:2: an alias (*a) is not allowed" in result.stderr


def test_a_merge_key_needs_an_alias_and_is_refused_too(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        datasets:
          base: {description: d, source: s, values: [A]}
          more:
            <<: {description: d, source: s}
            values: [B]
          again:
            <<: *base
        """,
    )
    error = load_error(path)
    assert (error.line, error.reason[:18]) == (7, "an alias (*base) i")


def test_a_number_too_long_to_read_is_refused_not_a_traceback(tmp_path: Path) -> None:
    path = write(tmp_path, "fields:\n  billingProfile.vatId: " + "9" * 5000 + "\n")
    error = load_error(path)
    assert (error.line, error.reason) == (2, "a number has too many digits to be read")
    code, out, err = _run("rules", "--rules", path)
    assert (code, out) == (2, "") and f"{path}:2: a number has too many digits" in err


# --------------------------------------------------------------------------------------------
# What is not a regular file, or too large


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes")
def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "rules.yaml"
    os.mkfifo(fifo)
    line, rule_id, reason = load_in_child(fifo)
    assert (line, rule_id) == (None, None)
    assert reason == "is a FIFO, not a regular file; a rule file must be one"
    result = command_in_child("check", "--rules", fifo, SEED_DE)
    assert (result.returncode, result.stdout) == (2, "")
    assert f"{fifo}: is a FIFO, not a regular file" in result.stderr


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_dev_zero_is_refused_without_reading_it(tmp_path: Path) -> None:
    link = tmp_path / "rules.yaml"
    link.symlink_to("/dev/zero")
    for path in ("/dev/zero", link):
        line, _, reason = load_in_child(path, memory=1 << 30)
        assert (line, reason) == (
            None,
            "is a character device, not a regular file; a rule file must be one",
        )
    result = command_in_child("rules", "--rules", "/dev/zero")
    assert (result.returncode, result.stdout) == (2, "")
    assert "/dev/zero: is a character device" in result.stderr


def test_a_file_over_the_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    """USER_FILE_BYTES (2 MiB) is well above the largest bundled file; all of them together
    are a fifteenth of it."""
    bundled = sorted(path.stat().st_size for path in (ROOT / "rules").rglob("*.yaml"))
    assert bundled[-1] * 20 < USER_FILE_BYTES and sum(bundled) * 10 < USER_FILE_BYTES
    path = tmp_path / "huge.yaml"
    path.write_bytes(b"# " + b"x" * USER_FILE_BYTES + b"\n")
    error = load_error(path)
    assert (error.line, error.reason) == (
        None,
        f"is too large for a rule file: it has {USER_FILE_BYTES + 3:,} bytes; "
        f"the most is {USER_FILE_BYTES:,} bytes (2 MiB)",
    )
    code, out, err = _run("check", "--rules", path, SEED_DE)
    assert (code, out) == (2, "") and f"{path}: is too large for a rule file" in err
    # at the limit, a file is read
    path.write_bytes(b"# " + b"x" * (USER_FILE_BYTES - 3) + b"\n")
    assert load_rules([path]).rules


def test_a_file_that_grows_after_it_was_looked_at_is_read_only_to_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A /proc file says it is empty, and a file may grow between stat() and read(): at most
    one byte over the limit is read."""
    from pc_validate import rules

    monkeypatch.setattr(rules, "_is_small_regular_file", lambda status, name: None)
    path = tmp_path / "growing.yaml"
    path.write_bytes(b"#" * (USER_FILE_BYTES + 10))
    error = load_error(path)
    assert error.reason == (
        f"is too large for a rule file: it has more than {USER_FILE_BYTES:,} bytes (2 MiB), "
        "the most it may have"
    )


def test_a_directory_is_still_named_as_one(tmp_path: Path) -> None:
    assert load_error(tmp_path).reason == "is a directory, not a rule file"


# --------------------------------------------------------------------------------------------
# Messages repeat user data cut short


def _us_state_rule(*lines: str) -> str:
    """A user file overriding address.state.us_code with `lines` (indented under it)."""
    return "rules:\n  - id: address.state.us_code\n" + "".join(f"    {line}\n" for line in lines)


#: (file text, words of the message): each repeats 100,000 characters of the file.
CUT_SHORT: dict[str, tuple[str, str]] = {
    "top_level_key": (f"? {BIG}\n: 1\n", "unknown top-level key(s) ['xxx"),
    "key_not_text": (f"fields:\n  ? [{', '.join(['1'] * 5_000)}]\n  : string\n", "not [1, 1"),
    "field_path": (f"fields:\n  ? a.{BIG}\n  : string\n", "field 'a.xxx"),
    "field_type": (f"fields:\n  billingProfile.vatId: {BIG}\n", "not 'xxx"),
    "dataset_name": (f"datasets:\n  ? {BIG}\n  : []\n", "dataset 'xxx"),
    "market_code": (f"markets:\n  ? {BIG}\n  : {{}}\n", "market 'xxx"),
    "dataset_in_when": (
        _us_state_rule(f"when: {{field: billingProfile.defaultAddress.country, in: {BIG}}}"),
        "when: no dataset named 'xxx",
    ),
    "severity": (_us_state_rule(f"severity: {BIG}"), "not 'xxx"),
    "check": (_us_state_rule(f"check: {BIG}"), "check 'xxx"),
    "field": (_us_state_rule(f"field: {BIG}"), "field 'xxx"),
    "rule_key": (_us_state_rule(f"? {BIG}", ": 1"), "key(s) ['xxx"),
    "rule_id": (f"rules:\n  - id: a.{'b' * 100_000}\n", "rule a.bbb"),
    "choice": (
        _us_state_rule(f"params: {{values: [A], set_name: x, suggest: {BIG}}}"),
        "'suggest' must be one of ['closest', 'us_state'], not 'xxx",
    ),
    "param_name": (
        f"rules:\n  - id: company.domain.prefix\n    params:\n      ? {BIG}\n      : 1\n",
        "does not take ['xxx",
    ),
    "registration_number_country": (
        "rules:\n  - id: company.registration_number.format\n    params:\n"
        "      country: billingProfile.defaultAddress.country\n"
        f"      kinds:\n        ? {BIG}\n        : [INN]\n",
        "no registration-number kinds are known for 'xxx",
    ),
    "domain": (
        f"rules:\n  - id: billing.email.not_microsoft\n    params: {{domains: ['{BIG}!']}}\n",
        "'domains': 'xxx",
    ),
    "tag": (f"rules:\n  - id: !!python/name:{BIG}\n", "could not determine a constructor"),
}


@pytest.mark.parametrize("case", sorted(CUT_SHORT))
def test_a_message_repeats_what_the_file_gave_cut_short(case: str, tmp_path: Path) -> None:
    text, words = CUT_SHORT[case]
    path = write(tmp_path, text)
    code, out, err = _run("check", "--rules", path, SEED_DE)
    assert (code, out) == (2, "")
    assert words in err and len(err) < 1000, err[:1000]


def test_a_states_line_is_named_cut_short() -> None:
    from pc_validate.markets import parse_states

    with pytest.raises(ValueError) as caught:
        parse_states(f"ON|{BIG}|\n", "CA")
    assert "states line 1 ('ON|xxx" in str(caught.value) and len(str(caught.value)) < 300


# --------------------------------------------------------------------------------------------
# A rule's own message

RULE = """\
rules:
  - id: house.company_name.short
    severity: warning
    description: A house rule.
    source: The test suite.
    field: billingProfile.companyName
    check: {check}
    params: {params}
    message: {message}
"""


def house_rule(
    tmp_path: Path, message: str, check: str = "length", params: str = "{max: 5}"
) -> Path:
    text = RULE.format(check=check, params=params, message=json.dumps(message))
    return write(tmp_path, text, "house.yaml")


#: Templates refused, and the reason (after "'message': ").
BAD_TEMPLATES: dict[str, str] = {
    "{0} is too long": "{0} is a field by position; name what it shows, e.g. {field}",
    "{} is too long": "{} is a field by position; name what it shows, e.g. {field}",
    "{0.__class__}": "{0.__class__} is a field by position; name what it shows, e.g. {field}",
    "{field:>2000000000}": "{field:>2000000000} has a format spec; write {field}",
    "{length:,}": "{length:,} has a format spec; write {length}",
    "{field:{value}}": "{field:{value}} has a format spec; write {field}",
    "{field.__class__.__mro__[1].__subclasses__}": (
        "{field.__class__.__mro__[1].__subclasses__} reaches into a value; a field is a plain "
        "name, e.g. {field}"
    ),
    "{value[0]}": "{value[0]} reaches into a value; a field is a plain name, e.g. {value}",
    "{value!r}": "{value!r} has a conversion (!r); write {value}",
    "{value!s:>9}": "{value!s:>9} has a conversion (!s); write {value}",
    "{pattern} is not for length": (
        "{pattern} is not a name this check gives; it gives condition, field, length, max, "
        "min, suggestion, value"
    ),
    "{key_pointer}": (
        "{key_pointer} is not a name this check gives; it gives condition, field, length, "
        "max, min, suggestion, value"
    ),
    "{field} is {": (
        "not a valid template (Single '{' encountered in format string); write {{ and }} for "
        "a literal brace"
    ),
    "} {field}": (
        "not a valid template (Single '}' encountered in format string); write {{ and }} for "
        "a literal brace"
    ),
    "{field": (
        "not a valid template (expected '}' before end of string); write {{ and }} for a "
        "literal brace"
    ),
}


@pytest.mark.parametrize("template", sorted(BAD_TEMPLATES))
def test_a_bad_template_is_refused_when_the_rules_load(template: str, tmp_path: Path) -> None:
    path = house_rule(tmp_path, template)
    error = load_error(path)
    assert (error.path, error.line, error.rule_id) == (str(path), 2, "house.company_name.short")
    assert error.reason == "'message': " + BAD_TEMPLATES[template]


@pytest.mark.parametrize("template", ["{0}", "{field:>2000000000}", "{field.__class__}"])
def test_a_bad_template_makes_the_command_exit_2(template: str, tmp_path: Path) -> None:
    """Before issue 11: a crash when the message was shown, 2 GB, and object internals."""
    path = house_rule(tmp_path, template)
    for argv in (("check", "--rules", path, SEED_DE), ("rules", "--rules", path)):
        code, out, err = _run(*argv)
        assert (code, out) == (2, "")
        assert f"{path}:2: rule house.company_name.short: 'message': {{" in err


def test_a_long_template_is_named_cut_short(tmp_path: Path) -> None:
    error = load_error(house_rule(tmp_path, "{" + "a" * 100_000 + "}"))
    assert len(error.reason) < 400 and "…" in error.reason


def test_a_good_template_is_used_with_its_words_and_literal_braces(tmp_path: Path) -> None:
    path = house_rule(tmp_path, "{{house}} {field} has {length} characters (over {max}).")
    payload = copy.deepcopy(VALID_US_PAYLOAD)
    (violation,) = [
        v
        for v in validate(payload, rules=[path]).violations
        if v.rule == "house.company_name.short"
    ]
    assert violation.message == "{house} billingProfile.companyName has 12 characters (over 5)."
    path = house_rule(
        tmp_path,
        "{field} {value} is not {format} ({pattern})",
        "pattern",
        "{regex: 'W.*s', format: f}",
    )
    payload["billingProfile"]["companyName"] = "Contoso"
    (violation,) = [
        v
        for v in validate(payload, rules=[path]).violations
        if v.rule == "house.company_name.short"
    ]
    assert violation.message == 'billingProfile.companyName "Contoso" is not f (W.*s)'


def test_an_override_of_a_bundled_rules_message_is_held_to_its_check(tmp_path: Path) -> None:
    path = write(tmp_path, "rules:\n  - id: address.state.us_code\n    message: '{length}'\n")
    error = load_error(path)
    assert (error.line, error.rule_id) == (2, "address.state.us_code")
    assert error.reason.startswith("'message': {length} is not a name this check gives; it gives ")
    assert error.reason.endswith(
        "allowed, allowed_count, condition, field, set_name, suggestion, value"
    )
    path = write(
        tmp_path, "rules:\n  - id: payload.unknown_key\n    message: '{key_pointer} in {parent}'\n"
    )
    assert load_rules([path])


def test_the_engine_fills_in_every_word_a_message_may_name(tmp_path: Path) -> None:
    """A message naming every word of ENGINE_WORDS (and of OBJECT_WORDS, for an object-scope
    check) gets each filled in by the engine: the list rules.py holds messages to is the
    list the engine fills (an unfilled word would stay visible as "{word}")."""
    every = " | ".join(f"{{{word}}}" for word in sorted(ENGINE_WORDS))
    text = RULE.format(check="length", params="{max: 5}", message=json.dumps(every)) + (
        "    when: {field: billingProfile.defaultAddress.country, in: [US]}\n"
        "  - id: payload.unknown_key\n"
        f"    message: {json.dumps('{key_pointer} | ' + every)}\n"
    )
    value_rule = write(tmp_path, text, "house.yaml")
    payload = copy.deepcopy(VALID_US_PAYLOAD)
    payload["billingProfile"]["companyName"] = "Contoso"
    payload["billingProfile"]["extra"] = 1
    messages = {v.rule: v.message for v in validate(payload, rules=[value_rule]).violations}
    assert messages["house.company_name.short"] == (
        ' when billingProfile.defaultAddress.country is "US" | billingProfile.companyName | '
        ' | "Contoso"'
    )
    assert messages["payload.unknown_key"] == '"extra" |  | billingProfile.extra |  | "extra"'


def test_each_check_kind_declares_the_words_its_findings_carry() -> None:
    """Over every rule case (each rule fires in one), a violation's params are words its
    check kind declares, so a template with them is accepted and filled in."""
    seen: dict[str, set[str]] = {}
    for case in ALL_CASES:
        payload = build_payload(case.spec, copy.deepcopy(VALID_US_PAYLOAD))
        validator = default_validator(case.cloud)
        checks = {rule.id: rule.check for rule in validator.ruleset.rules}
        for violation in validator.validate(payload).violations:
            check = checks[violation.rule]
            seen.setdefault(check, set()).update(violation.params)
    assert len(seen) > 25
    for check, params in seen.items():
        assert params <= REGISTRY[check].words, check


def test_every_bundled_template_is_plain_fields_of_its_kind() -> None:
    for kind in REGISTRY.values():
        for key, template in kind.templates.items():
            forms = (template.one, template.other) if isinstance(template, Plural) else (template,)
            for form in forms:
                assert template_problem(form, message_words(kind)) is None, key
    for rule in load_rules(cloud="21vianet").rules + load_rules(cloud="usgov").rules:
        if rule.message is not None:
            assert template_problem(rule.message, message_words(REGISTRY[rule.check])) is None
