r"""Rule-file regular expressions cannot hang the validator (issue #5, "Rule files are
untrusted too"; issue 11: on RE2, not analysed).

Python's ``re`` backtracks and has no time limit. The patterns of a user rule file run on RE2
(``pc_validate.safe_regex``), whose matching time is linear in the value whatever the
pattern; the bundled rule files and overlays, reviewed data, stay on ``re``. The tests hold:

- known catastrophic patterns (OWASP's ReDoS examples, the literature's classics, and what
  fuzzing once found) are accepted in a user rule file and answer right on long hostile
  values within a hang guard (a child process with a time-out: RE2's C++ code cannot be
  interrupted by a signal), while plain ``re`` really does hang on them (an alarm stops it);
- what RE2 cannot run (backreferences, lookarounds, ``\Z``, possessive and atomic
  repetitions, ...) is refused through the loader (file, line, rule id, reason) and the
  command (exit 2), whichever parameter carries it, and ``{,n}``, which RE2 reads as text;
- RE2 answers as ``re`` does on what both accept (a property over a small grammar), except
  ``\w``, ``\s`` and ``\b``, which are ASCII-only in RE2; ``\d`` is rewritten for RE2 as the
  digits ``re`` takes (every Unicode decimal digit), code point for code point, and every
  bundled pattern answers alike on both engines for values with any kind of digit;
- every bundled pattern stays on ``re``, and RE2 is never imported for the bundled rules.

Hang guards are for hangs only (seconds), never speed asserts.
"""

from __future__ import annotations

import contextlib
import copy
import json
import re
import signal
import subprocess
import sys
import threading
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import VALID_US_PAYLOAD
from conftest import run_cli as _run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_untrusted_rules import child, load_in_child

from pc_validate import RuleFileError, Validator, load_rules, validate
from pc_validate.resources import bundled_rule_files, cloud_overlays
from pc_validate.safe_regex import (
    USER_PROGRAM_SIZE,
    RulePattern,
    UnsafePattern,
    compile_pattern,
)

ROOT = Path(__file__).resolve().parents[1]
SEED_DE = ROOT / "examples" / "valid" / "seed-de-2023.json"

needs_alarm = pytest.mark.skipif(
    not hasattr(signal, "setitimer"), reason="the hang guard needs SIGALRM (POSIX)"
)

#: Known catastrophic patterns for a backtracking engine: (a value they match in full, and
#: prefix, pump, suffix of a hostile value that they do not match: prefix + pump * n + suffix).
CATASTROPHIC: dict[str, tuple[str, str, str, str]] = {
    # OWASP, "Regular expression Denial of Service - ReDoS", evil regex examples
    r"(a+)+$": ("aaaa", "", "a", "!"),
    r"([a-zA-Z]+)*$": ("abC", "", "a", "1"),
    r"(a|aa)+$": ("aaa", "", "a", "!"),
    r"(a|a?)+$": ("aaa", "", "a", "!"),
    r"(.*a){12}": ("a" * 12, "", "a", "!"),
    r"^(([a-z])+.)+[A-Z]([a-z])+$": ("abAbc", "", "a", "!"),  # the Java class name example
    # OWASP's email validation ReDoS
    (
        r"^([a-zA-Z0-9])(([\-.]|[_]+)?([a-zA-Z0-9]+))*(@){1}[a-z0-9]+[.]{1}"
        r"(([a-z]{2,3})|([a-z]{2,3}[.]{1}[a-z]{2,3}))$"
    ): ("ab.c@example.com", "", "a", "!"),
    # nested and overlapping repetition (Kirrage et al. 2013; Weideman et al. 2016)
    r"(a*)*b": ("aab", "", "a", ""),
    r"(a*)+$": ("aa", "", "a", "!"),
    r"(a|a)*$": ("aa", "", "a", "!"),
    r"(\w+\s?)+$": ("ab cd", "", "a", "!"),
    r"(\w+\s*)+$": ("ab  cd", "", "a", "!"),
    r"(\d+[-.]?)+!": ("12-3!", "", "1", ""),
    r"((a?)*b)+$": ("abab", "", "a", "!"),
    r"(?:[a-z]+|[a-z0-9]+)+$": ("ab1", "", "a", "!"),
    r"(x+x+)+y": ("xxy", "", "x", ""),
    # polynomial: overlapping repetitions one after the other (Stack Overflow's 2016 outage
    # came from \s+$ searched over a long run of spaces; in full, \s*\s*$ is the same)
    r"\d+\d+$": ("12", "", "1", "x"),
    r".*.*=.*": ("a=b", "", "a", ""),
    r"\s*\s*$": ("  ", "", " ", "x"),
    r"^\s*(.*?)\s*$": (" a b ", "a", " ", "\nb"),
    r".+@.+\..+": ("a@b.c", "", "a", "@"),
    r"[^@\s]+@[^@\s]+\.[^@\s]+": ("a@b.c", "a@", "a", ""),
    r"(.*a){20}": ("a" * 20, "", "a", "!"),
    r"a.*b.*c.*d": ("abcd", "a", "b", "c"),
    # bounded, but exponential in a large count, or too many ways at once
    r"(a|a){40}": ("a" * 40, "", "a", "!"),
    r"(a{1,2}){1,60}": ("aaa", "", "a", "!"),
    r"((([a-]){1,40}){1,2}){0,3}": ("a-", "", "a", "!"),
    r"\w+(?:(?:ba?){1,40}){1,2}": ("xb", "", "b", "!"),
    # what fuzzing once found slow for the analyser of issue #5, and what was too complex
    # for it to check
    r"(?:(?:(?:(?:[a-]){1,40}){1,2}){0,3}|\b)": ("a-", "", "a", "!"),
    r"a?(?:[ab]){1,2}[a-](?:(?:(?:|.)|\w.a)){1,40}": ("ab-", "ab-", "a", "!" * 41),
    "(?:" + "|".join(f"{chr(97 + i % 26)}+" for i in range(500)) + ")+": ("abz", "", "ab", "!"),
    "[ab]*a[ab]{60}": ("a" * 61, "", "ab", "!"),
}

#: What RE2 cannot run, with the words of the refusal.
REFUSED: dict[str, str] = {
    r"(\d+)-\1": "has no backreferences",
    r"(?P<w>a+)(?P=w)": "has no named backreferences",
    r"(?=(a+)+b)a": "has no lookarounds",
    r"(?:(?=.*x).)*": "has no lookarounds",
    r".*(?=.*x)y": "has no lookarounds",
    r"(?:(?!--).)*": "has no lookarounds",
    r"(?<=a)b": "has no lookarounds",
    r"(?<!a)b": "has no lookarounds",
    r"\A[A-Z]{2}\Z": r"has no \Z; write $ or \z",
    r"\d++\d*": "has no possessive repetitions",
    r"[^@]*+@.+": "has no possessive repetitions",
    r"(?>a+)b": "has no atomic groups",
    r"(?P<n>a)?(?(n)b|c)": "has no conditionals",
    r"(?x) \d{3} - \d{4}  # a US local number": "has no verbose mode",
    r"[\u4e00-\u9fff]{1,10}": r"has no \u escapes; write \x{...}",
    r"a{1001}": "has no counted repetitions of more than 1000 copies",
    r"(?:a{100}){100}": "has no counted repetitions of more than 1000 copies",
    r"\pL{1000}": "has no room for a pattern this large",
    r"([0-9]": "not a valid regular expression (RE2 says: missing ): ([0-9])",
    r"\d{,5}": "'{,5}' repeats from 0 in Python but is literal text in RE2",
    r"[a-z]{,}": "'{,}' repeats from 0 in Python but is literal text in RE2",
}

#: What a rule author reasonably writes: accepted, with a value each matches.
REASONABLE: dict[str, str] = {
    # postal codes
    r"\d{5}(?:-\d{4})?": "98052-6399",
    r"^\d{5}(-\d{4})?$": "98052",
    r"[A-Z]\d[A-Z] ?\d[A-Z]\d": "K1A 0B1",
    r"(?:GIR 0AA|[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2})": "SW1A 1AA",
    r"\d{4} ?[A-Z]{2}": "1234 AB",
    r"[0-9]{2}-[0-9]{3}": "00-950",
    # phone numbers
    r"\+?[1-9]\d{1,14}": "+4930123456",
    r"(?:\+1[ .-]?)?\(?\d{3}\)?[ .-]?\d{3}[ .-]?\d{4}": "(425) 555-0101",
    r"0[1-9](?:[ .-]?\d{2}){4}": "01 23 45 67 89",
    r"\+?[0-9 ()./-]{6,30}": "+49 (30) 1234-56",
    r"(?:\d{1,4}[-. ]?){1,5}": "030 1234 5678",
    # GUIDs
    r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}": "9b2e9f4c-3d1a-4e8b-a6f0-5c7d2e1b8a34",
    # email addresses and domains
    r"[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+": "gena@wingtiptoys.com",
    r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+": "gena.soto+pc@wingtip-toys.com",
    (
        r"(?P<local>[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*)@(?P<domain>(?:[A-Za-z0-9]"
        r"(?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+(?P<tld>[A-Za-z]{2,63}))"
    ): "a.b@c.example.org",
    r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*": "a-b.c",
    r"[A-Za-z0-9]+": "Contoso1",
    # tax and registration numbers
    r"(?:DE)?\d{9}": "DE123456789",
    r"GB(?:\d{9}|\d{12}|GD\d{3}|HA\d{3})": "GBGD123",
    r"[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?": "DE89 3704 0044 0532 0130 00",
    r"\d{2}\.\d{3}\.\d{3}/\d{4}-\d{2}": "11.222.333/0001-81",
    # names and free text
    r"[A-Za-z][A-Za-z .,&'-]{0,99}": "Wingtip Toys, Inc.",
    r"\S(?:.*\S)?": "a b",
    r"[A-Z][a-z]+(?: [A-Z][a-z]+)*": "Gena Soto",
    r"[\p{L} '.-]{1,100}": "Zoë d'Été",
    r"[\x{4e00}-\x{9fff}]{1,10}": "微软",
    # numbers, dates, anchors, flags, laziness
    r"-?\d+(?:,\d{3})*(?:\.\d+)?": "-1,234.5",
    r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})": "2024-02-29",
    r"\A[A-Z]{2}\z": "DE",
    r"\b\d{3}\b": "123",
    r"(\b\w+\b\s*)+": "one two",
    r".*?x": "abx",
    r"(?i)[a-z]{2}-[a-z]{2}": "EN-us",
    r"(?:[A-Z]{2}|\d{2}){1,10}": "AB12",
    r"a{2,}": "aaa",
}


def _rule_file(
    tmp_path: Path,
    regex: str,
    check: str = "pattern",
    name: str = "house.yaml",
    **params: Any,
) -> Path:
    """A user rule file whose only rule (on line 2) carries `regex`."""
    params = {"regex": regex, "format": "as the house wants it", **params}
    field = "billingProfile.companyName"
    if check == "phone_pattern":
        field = "billingProfile.defaultAddress.phoneNumber"
    elif check == "domain_prefix":
        field = "companyProfile.domain"
        params["suffixes"] = [".onmicrosoft.com"]
    rule = {
        "id": "house.pattern",
        "severity": "warning",
        "description": "A house rule.",
        "source": "The test suite.",
        "field": field,
        "check": check,
        "params": params,
    }
    path = tmp_path / name
    path.write_text(yaml.safe_dump({"rules": [rule]}, allow_unicode=True), encoding="utf-8")
    return path


class Hang(Exception):
    """The hang guard went off."""


@contextlib.contextmanager
def hang_guard(seconds: float, what: str) -> Iterator[None]:
    """Fail (raise Hang) when the block runs longer than `seconds`: SIGALRM interrupts the
    ``re`` engine, which checks for signals while it backtracks."""
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("the hang guard needs the main thread")

    def alarm(signum: int, frame: Any) -> None:
        raise Hang(f"still running after {seconds} s: {what}")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _user(regex: str, ignore_case: bool = False) -> Any:
    return compile_pattern(regex, user=True, ignore_case=ignore_case)


# --------------------------------------------------------------------------------------------
# Catastrophic patterns run on RE2 in linear time


def test_catastrophic_patterns_answer_long_hostile_values_in_bounded_time() -> None:
    """Each pattern, on RE2, matches its sample and not its hostile value of 100,000 pumps
    (on ``re``, a few dozen pumps take years for the exponential ones). One child process
    for all, with a time-out that only a hang can reach."""
    cases = [[regex, *spec] for regex, spec in CATASTROPHIC.items()]
    code = (
        "import json, sys\n"
        "from pc_validate.safe_regex import compile_pattern\n"
        f"cases = json.loads({json.dumps(json.dumps(cases))})\n"
        "out = {}\n"
        "for regex, sample, prefix, pump, suffix in cases:\n"
        "    compiled = compile_pattern(regex, user=True)\n"
        "    hostile = prefix + pump * 100_000 + suffix\n"
        "    out[regex] = [bool(compiled.fullmatch(sample)), bool(compiled.fullmatch(hostile))]\n"
        "print(json.dumps(out))\n"
    )
    answers = child(code)
    assert answers == {regex: [True, False] for regex in CATASTROPHIC}


def _short(regex: str) -> str:
    return regex if len(regex) <= 60 else regex[:57] + "..."


@needs_alarm
@pytest.mark.parametrize("regex", sorted(CATASTROPHIC), ids=_short)
def test_re2_answers_as_re_on_short_values(regex: str) -> None:
    """On values short enough for ``re`` to answer, RE2 gives its answers (the 500 looping
    alternatives take ``re`` too long on any value that does not match)."""
    sample, prefix, pump, suffix = CATASTROPHIC[regex]
    compiled = re.compile(regex)
    pumps = 1 if regex.count("|") > 100 else 3
    with hang_guard(5, regex):
        for value in (sample, prefix + pump * pumps + suffix, prefix + pump * pumps):
            assert bool(_user(regex).fullmatch(value)) == bool(compiled.fullmatch(value)), value


@pytest.mark.parametrize(
    "regex", [r"(a+)+$", r"(a|aa)+$", r"(.*a){12}", r"(\w+\s?)+$", r"\d+\d+$", r"^\s*(.*?)\s*$"]
)
def test_a_catastrophic_pattern_in_a_user_rule_file_loads_and_is_used(
    regex: str, tmp_path: Path
) -> None:
    """What issue #5 refused loads now, and judges the value on RE2."""
    path = _rule_file(tmp_path, regex)
    rule = next(rule for rule in load_rules([path]).rules if rule.id == "house.pattern")
    assert rule.params["regex"] == RulePattern(regex, user=True)
    sample, prefix, pump, suffix = CATASTROPHIC[regex]
    payload = copy.deepcopy(VALID_US_PAYLOAD)
    payload["billingProfile"]["companyName"] = prefix + pump * 5_000 + suffix
    (violation,) = [v for v in validate(payload, rules=[path]).violations if v.rule == rule.id]
    assert (violation.code, violation.params["pattern"]) == ("invalid_format", regex)
    payload["billingProfile"]["companyName"] = sample
    assert not [v for v in validate(payload, rules=[path]).violations if v.rule == rule.id]


@needs_alarm
@pytest.mark.parametrize(
    ("regex", "value"),
    [
        (r"(a|aa)+$", "a" * 60 + "!"),  # exponential
        (r"\d+\d+$", "1" * 300_000 + "x"),  # quadratic
        (r"(a{1,2}){1,60}", "a" * 100 + "!"),  # bounded, yet exponential in its count
    ],
    ids=["exponential", "quadratic", "bounded"],
)
def test_plain_re_hangs_where_re2_does_not(regex: str, value: str) -> None:
    """Why user patterns run on RE2: ``re`` does not finish these (RE2: the test above)."""
    assert regex in CATASTROPHIC
    with pytest.raises(Hang), hang_guard(0.5, regex):
        re.fullmatch(regex, value)


# --------------------------------------------------------------------------------------------
# What RE2 cannot run is refused, with the reason


@pytest.mark.parametrize("regex", sorted(REFUSED))
def test_what_re2_cannot_run_is_refused(regex: str) -> None:
    with pytest.raises(UnsafePattern) as caught:
        _user(regex)
    assert REFUSED[regex] in str(caught.value)


@pytest.mark.parametrize("regex", sorted(REFUSED))
def test_a_refused_pattern_in_a_user_rule_file(regex: str, tmp_path: Path) -> None:
    path = _rule_file(tmp_path, regex)
    with pytest.raises(RuleFileError) as caught:
        load_rules([path])
    error = caught.value
    assert (error.path, error.line, error.rule_id) == (str(path), 2, "house.pattern")
    assert error.reason.startswith("'regex': ") and REFUSED[regex] in error.reason
    assert str(error).startswith(f"{path}:2: rule house.pattern: 'regex': ")


@pytest.mark.parametrize("regex", [r"(\d+)-\1", r"(?<=a)b", r"\A[A-Z]{2}\Z", r"\d{,5}", r"([0-9]"])
def test_a_refused_pattern_makes_the_command_exit_2(regex: str, tmp_path: Path) -> None:
    path = _rule_file(tmp_path, regex)
    for argv in (("check", "--rules", path, SEED_DE), ("rules", "--rules", path)):
        code, out, err = _run(*argv)
        assert (code, out) == (2, "")
        assert f"{path}:2: rule house.pattern: 'regex': " in err and REFUSED[regex] in err


def test_a_refusal_in_a_real_process_prints_one_line(tmp_path: Path) -> None:
    """RE2 logs a parse error on stderr unless told not to: the reason is said once."""
    path = _rule_file(tmp_path, r"(?=a)a")
    result = subprocess.run(
        [sys.executable, "-m", "pc_validate", "check", "--rules", str(path), str(SEED_DE)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.count("\n") == 1 and "has no lookarounds" in result.stderr, result.stderr


@pytest.mark.parametrize("check", ["phone_pattern", "domain_prefix"])
def test_every_regex_parameter_runs_on_re2(check: str, tmp_path: Path) -> None:
    path = _rule_file(tmp_path, r"(\d+)\1", check=check)
    with pytest.raises(RuleFileError) as caught:
        load_rules([path])
    assert caught.value.rule_id == "house.pattern" and "backreferences" in caught.value.reason
    assert _run("rules", "--rules", path)[0] == 2
    path = _rule_file(tmp_path, r"(\d+\s?)+", check=check)
    (rule,) = [rule for rule in load_rules([path]).rules if rule.id == "house.pattern"]
    assert rule.params["regex"].user


def test_override_of_a_bundled_rules_regex_runs_on_re2(tmp_path: Path) -> None:
    """A user file may change the pattern of a bundled rule by its id: RE2 then runs it. An
    override that leaves the params alone keeps the bundled pattern on ``re``."""
    ruled = [
        rule
        for path in bundled_rule_files()
        for rule in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("rules") or []
        if "regex" in (rule.get("params") or {})
    ]
    assert len(ruled) >= 3
    for rule in ruled:
        path = tmp_path / "override.yaml"
        override = {"id": rule["id"], "params": {**rule["params"], "regex": "(?!x)y"}}
        path.write_text(yaml.safe_dump({"rules": [override]}), encoding="utf-8")
        with pytest.raises(RuleFileError) as caught:
            load_rules([path])
        assert (caught.value.rule_id, caught.value.line) == (rule["id"], 2)
        assert "has no lookarounds" in caught.value.reason
        override["params"]["regex"] = "(x+x+)+y"
        path.write_text(yaml.safe_dump({"rules": [override]}), encoding="utf-8")
        loaded = {r.id: r for r in load_rules([path]).rules}[rule["id"]]
        assert loaded.params["regex"] == RulePattern("(x+x+)+y", user=True)
        path.write_text(yaml.safe_dump({"rules": [{"id": rule["id"]}]}), encoding="utf-8")
        loaded = {r.id: r for r in load_rules([path]).rules}[rule["id"]]
        assert loaded.params["regex"] == RulePattern(rule["params"]["regex"], user=False)


def test_market_postal_pattern_in_a_user_file_runs_on_re2(tmp_path: Path) -> None:
    """User files may override a market's postal pattern (matched ignoring case)."""
    path = tmp_path / "markets.yaml"
    path.write_text("markets:\n  CA:\n    postal_pattern: '(?=[A-Z])\\w+'\n", encoding="utf-8")
    with pytest.raises(RuleFileError) as caught:
        load_rules([path])
    error = caught.value
    assert error.path == str(path) and error.line in (2, 3)
    assert error.reason.startswith("market 'CA': 'postal_pattern': ")
    assert "has no lookarounds" in error.reason
    code, out, err = _run("check", "--rules", path, SEED_DE)
    assert (code, out) == (2, "") and f"{path}:" in err and "postal_pattern" in err
    # a pattern a backtracking engine chokes on loads, and answers on RE2, ignoring case
    path.write_text("markets:\n  CA:\n    postal_pattern: '([A-Z0-9]+ ?)+'\n", "utf-8")
    payload = copy.deepcopy(VALID_US_PAYLOAD)
    payload["billingProfile"]["defaultAddress"].update(
        country="CA", state="ON", city="Toronto", postalCode="m5v 2t6"
    )
    assert "address.postal_code.format" not in {v.rule for v in validate(payload).violations}
    assert "address.postal_code.format" not in {
        v.rule for v in validate(payload, rules=[path]).violations
    }
    payload["billingProfile"]["defaultAddress"]["postalCode"] = "M5" * 100 + "!"
    rules = {v.rule for v in validate(payload, rules=[path]).violations}
    assert "address.postal_code.format" in rules, rules


def test_the_patterns_of_user_files_have_a_size_budget(tmp_path: Path) -> None:
    """One RE2 compile is bounded by its memory limit, not the number of patterns: a 1 KB file
    of big patterns would take minutes to compile. The budget stops it at the pattern that
    passes it (a child process, so that a hang fails the test)."""
    big = r"[\p{L} '.-]{1,200}"  # about 240,000 instructions, a sixth of a second to compile
    rules = [
        {
            "id": f"house.pattern{n}",
            "severity": "warning",
            "description": "A house rule.",
            "source": "The test suite.",
            "field": "billingProfile.companyName",
            "check": "pattern",
            "params": {"regex": big + "x" * n, "format": "f"},
        }
        for n in range(40)
    ]
    path = tmp_path / "big.yaml"
    path.write_text(yaml.safe_dump({"rules": rules}, width=1000), encoding="utf-8")
    line, rule_id, reason = load_in_child(path)
    starts = [
        n for n, text in enumerate(path.read_text("utf-8").splitlines(), 1) if text[:2] == "- "
    ]
    assert (rule_id, line) == ("house.pattern4", starts[4])
    assert reason.startswith("'regex': with this one, the patterns of the user rule files ")
    assert f"more than {USER_PROGRAM_SIZE:,} instructions together" in reason


# --------------------------------------------------------------------------------------------
# What RE2 runs means what it means in re, except Unicode classes


@pytest.mark.parametrize("regex", sorted(REASONABLE))
def test_reasonable_pattern_is_accepted(regex: str, tmp_path: Path) -> None:
    assert _user(regex).fullmatch(REASONABLE[regex])
    ruleset = load_rules([_rule_file(tmp_path, regex)])
    assert "house.pattern" in {rule.id for rule in ruleset.rules}


def test_word_characters_are_ascii_on_re2() -> None:
    r"""RE2's \w, \s and \b are ASCII; re's are Unicode (the module docstring says so)."""
    e_acute, ideographic_space = "é", "\u3000"
    for regex, value in ((r"\w", e_acute), (r"\s", ideographic_space)):
        assert re.fullmatch(regex, value)
        assert not _user(regex).fullmatch(value)
        assert compile_pattern(regex, user=False).fullmatch(value)
    assert re.search(r"\b", e_acute) and not _user(r".*\b.*").fullmatch(e_acute)
    assert _user(r"\pL").fullmatch(e_acute)


#: Digits 0 to 9 that are not ASCII: ARABIC-INDIC, FULLWIDTH, DEVANAGARI, MATHEMATICAL BOLD
OTHER_DIGITS = tuple(
    "".join(chr(zero + n) for n in range(10)) for zero in (0x660, 0xFF10, 0x966, 0x1D7CE)
)


def _every_code_point(digit: bool) -> str:
    """Every code point but the surrogates that ``re`` takes (or does not take) for a digit."""
    return "".join(
        chr(n)
        for n in range(sys.maxunicode + 1)
        if not 0xD800 <= n <= 0xDFFF and chr(n).isdecimal() == digit
    )


def test_a_digit_is_the_same_code_point_on_re2_as_on_re() -> None:
    r"""\d is any Unicode decimal digit on both engines, code point for code point (RE2's own
    \p{Nd} follows a newer Unicode than Python 3.11's: a user pattern's \d is rewritten to
    re's digits, not to \p{Nd}); \D, [\d], [^\d], [\D] and [^\D] are what they say."""
    digits, others = _every_code_point(True), _every_code_point(False)
    assert len(digits) > 600 and re.fullmatch(r"\d*", digits) and re.fullmatch(r"\D*", others)
    for regex in (r"\d*", r"[\d]*", r"[^\D]*", r"[x\d]*"):
        assert _user(regex).fullmatch(digits), regex
        assert not _user(regex.replace("*", "")).fullmatch("a"), regex
    for regex in (r"\D*", r"[\D]*", r"[^\d]*", r"[0\D]*"):
        assert _user(regex).fullmatch(others), regex
        assert not _user(regex.replace("*", "")).fullmatch("٣"), regex
    assert _user(r"\D").fullmatch("\udc80")  # a lone surrogate is no digit in re either
    for sample in OTHER_DIGITS:
        assert _user(r"\d{10}").fullmatch(sample) and re.fullmatch(r"\d{10}", sample)
        assert not _user(r"[0-9]+").fullmatch(sample) and not re.fullmatch(r"[0-9]+", sample)


def test_the_digit_table_is_what_re_matches() -> None:
    """The table of digits the RE2 rewrite uses is re's own, under this Python's Unicode."""
    from pc_validate import safe_regex

    assert safe_regex.decimal_digits() == safe_regex.scan_decimal_digits()
    if unicodedata.unidata_version == safe_regex._DIGITS_UNICODE:
        assert safe_regex.scan_decimal_digits() == safe_regex._DIGITS


@pytest.mark.parametrize(
    ("regex", "value", "matches"),
    [
        (r"\\d", "\\d", True),  # an escaped backslash, then "d"
        (r"\\\d", "\\٣", True),
        (r"\Q\d\E", "\\d", True),  # RE2's literal text
        (r"\Q\d\E\d", "\\d٣", True),
        (r"\Q\d", "\\d", True),
        (r"[]\d]+", "]٣", True),  # "]" first in a class is a member
        (r"[^]\d]", "x", True),
        (r"[^]\d]", "٣", False),
        (r"[[:alpha:]\d]+", "a٣", True),  # a POSIX class does not end the class
        (r"[\d-]+", "٣-", True),
        # KAWI DIGIT ZERO (Unicode 15): in RE2's \p{Nd}; a digit to re from Python 3.13 on
        (r"\d+", "\U00011f50", "\U00011f50".isdecimal()),
    ],
)
def test_digits_are_rewritten_only_where_they_are_escapes(
    regex: str, value: str, matches: bool
) -> None:
    assert bool(_user(regex).fullmatch(value)) is matches


def test_a_user_pattern_too_large_for_its_unicode_digits_says_so() -> None:
    """\\d costs RE2 some 85 instructions as re's 660 digits; [0-9] costs one."""
    with pytest.raises(UnsafePattern, match=r"write \[0-9\] for the ASCII ones"):
        _user(r"\d{1000}" * 8)
    assert _user(r"[0-9]{1000}" * 8).fullmatch("1" * 8000)


def test_case_folding_and_awkward_values_on_re2() -> None:
    compiled = _user("stra(ß|ss)e k", ignore_case=True)
    assert compiled.fullmatch("STRASSE K") and compiled.fullmatch("Straße \u212a")  # Kelvin
    assert not _user("stra(ß|ss)e k").fullmatch("STRASSE K")
    # a lone surrogate (an undecodable byte) is matched as U+FFFD, not an exception
    assert _user(r"[^@]+").fullmatch("a\udc80b") and not _user(r"[a-z]+").fullmatch("a\udc80")
    assert _user("").fullmatch("") and not _user("a").fullmatch("")


def test_braces_inside_classes_and_escaped_are_not_up_to_repetitions() -> None:
    for regex, value in ((r"[{,5}]", ","), (r"\{,5}", "{,5}"), (r"[]{,5}]", "]"), (r"x{2,}", "xx")):
        assert _user(regex).fullmatch(value), regex
    for regex in (r"\\{,5}", r"[^]]{,5}", r"a{,}"):
        with pytest.raises(UnsafePattern, match="literal text in RE2"):
            _user(regex)


ATOMS = ["a", "b", "-", " ", "1", ".", "[ab]", "[a-]", "[^b]", r"\w", r"\d", r"\s", "ab", "a?"]
ZERO_WIDTH = [r"\b", "^", "$", ""]  # \B: re before 3.14 never matches it in an empty value
QUANTIFIERS = ["*", "+", "?", "{0,3}", "{1,2}", "{2,}", "{3}", "{1,40}", "*?", "+?"]


def _grow(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    parts = st.lists(children, min_size=2, max_size=3)
    sequence = parts.map("".join)
    repeated = st.tuples(children, st.sampled_from(QUANTIFIERS)).map(
        lambda pair: f"(?:{pair[0] or 'a'}){pair[1]}"
    )
    return st.one_of(
        sequence,
        repeated,
        parts.map(lambda items: "(?:" + "|".join(items) + ")"),
        st.tuples(children, children).map(lambda pair: f"({pair[0]}){pair[1]}"),
    )


QUANTIFIED = st.tuples(st.sampled_from(ATOMS), st.sampled_from(QUANTIFIERS)).map(
    lambda pair: f"(?:{pair[0]}){pair[1]}"
)
PATTERNS = st.recursive(
    st.sampled_from(ATOMS) | st.sampled_from(ZERO_WIDTH) | QUANTIFIED, _grow, max_leaves=12
)


def _both_accept(regex: str) -> bool:
    try:
        re.compile(regex)
        _user(regex)
    except (re.error, UnsafePattern):
        return False
    return True


@needs_alarm
@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
)
@given(
    regex=PATTERNS.filter(_both_accept),
    value=st.text(alphabet="ab- 1", max_size=8),
)
def test_re2_answers_as_re_does(regex: str, value: str) -> None:
    """On ASCII values without a newline (where the engines' classes and ``$`` agree), RE2
    matches what re matches."""
    with hang_guard(5, regex):
        expected = bool(re.fullmatch(regex, value))
    assert bool(_user(regex).fullmatch(value)) == expected, (regex, value)


# --------------------------------------------------------------------------------------------
# The bundled patterns stay on re


def _bundled_patterns() -> list[tuple[str, str, list[str]]]:
    """(where, pattern, values it must match) of every bundled rule and market pattern."""
    found = []
    for path in [*bundled_rule_files(), *cloud_overlays().values()]:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for rule in data.get("rules") or []:
            regex = (rule.get("params") or {}).get("regex")
            if regex is not None:
                found.append((f"{path.name}:{rule['id']}", regex, []))
        for code, market in (data.get("markets") or {}).items():
            if "postal_pattern" in market:
                examples = market.get("postal_examples", [])
                found.append((f"{path.name}:{code}", market["postal_pattern"], examples))
    return found


def test_the_bundled_patterns_stay_on_re_and_re2_could_run_them() -> None:
    """Rule patterns and every market's postal pattern (from Google's address data) are
    compiled by ``re``; RE2 accepts each too and matches its examples, so a user file may
    copy any of them."""
    patterns = _bundled_patterns()
    assert len(patterns) > 150
    rules = load_rules(cloud="21vianet").rules
    in_rules = [rule.params["regex"] for rule in rules if "regex" in rule.params]
    assert len(in_rules) >= 3 and not any(pattern.user for pattern in in_rules)
    assert all(isinstance(pattern.compile(), re.Pattern) for pattern in in_rules)
    for where, regex, examples in patterns:
        user = _user(regex, ignore_case=True)
        assert all(user.fullmatch(example) for example in examples), where


def _with_digits(value: str, digits: str) -> str:
    return "".join(digits[int(char)] if char in "0123456789" else char for char in value)


def test_bundled_patterns_answer_alike_on_both_engines_whatever_the_digits() -> None:
    """Each bundled pattern, run on re as the bundled rules run it and on RE2 as a user file
    that copies it would, accepts the same values: its examples, and the same written with
    Arabic-Indic, full-width, Devanagari or mathematical digits."""
    samples = ["98052", "98052-6399", "425-555-0101", "(425) 555-0101", "1 425 555 0101"]
    compared = 0
    for where, regex, examples in _bundled_patterns():
        bundled = compile_pattern(regex, user=False, ignore_case=True)
        user = _user(regex, ignore_case=True)
        for value in [*examples, *samples]:
            for digits in ("0123456789", *OTHER_DIGITS):
                written = _with_digits(value, digits)
                assert bool(bundled.fullmatch(written)) == bool(user.fullmatch(written)), (
                    where,
                    written,
                )
                compared += 1
    assert compared > 4000


def test_a_user_file_that_copies_a_bundled_pattern_judges_digits_alike(tmp_path: Path) -> None:
    """The US ZIP rule and the German market pattern, copied into a user file (so run on RE2),
    judge ASCII, Arabic-Indic and full-width digits as the bundled ones (on re) do; a user's
    \\d{5} for Germany takes what the service's [0-9]{5,5} refuses, as \\d does everywhere."""
    us_rule = next(r for r in load_rules().rules if r.id == "address.postal_code.us_format")
    de_pattern = "[0-9]{5}"
    copied = tmp_path / "copied.yaml"
    copied.write_text(
        yaml.safe_dump(
            {
                "rules": [
                    {
                        "id": us_rule.id,
                        "params": {"regex": us_rule.params["regex"].source, "format": "a ZIP"},
                    }
                ],
                "markets": {"DE": {"postal_pattern": de_pattern}},
            }
        ),
        encoding="utf-8",
    )
    user_rules = load_rules([copied])
    assert {r.id: r for r in user_rules.rules}[us_rule.id].params["regex"].user

    def judged(rules: Any, country: str, postal_code: str) -> set[str]:
        payload = copy.deepcopy(VALID_US_PAYLOAD)
        address = payload["billingProfile"]["defaultAddress"]
        address.update(country=country, postalCode=postal_code, state="")
        fired = {v.rule for v in Validator(rules).validate(payload).violations}
        return fired & {us_rule.id, "address.postal_code.format"}

    for country, code in (("US", "98052"), ("DE", "80331")):
        for digits in ("0123456789", *OTHER_DIGITS):
            written = _with_digits(code, digits)
            bundled = judged(load_rules(), country, written)
            assert judged(user_rules, country, written) == bundled, (country, written)
            ascii_only = digits == "0123456789"
            assert bundled == (
                set() if ascii_only or country == "US" else {"address.postal_code.format"}
            )
    loose = tmp_path / "loose.yaml"
    loose.write_text("markets:\n  DE:\n    postal_pattern: '\\d{5}'\n", encoding="utf-8")
    assert not judged(load_rules([loose]), "DE", _with_digits("80331", OTHER_DIGITS[1]))


@needs_alarm
def test_bundled_patterns_finish_on_long_values() -> None:
    for where, regex, _ in _bundled_patterns():
        compiled = re.compile(regex, re.IGNORECASE)
        with hang_guard(2, where):
            for value in ("9" * 20_000 + "x", "A1" * 10_000 + "!", " " * 20_000, "AB " * 7000):
                compiled.fullmatch(value)


def test_loading_the_bundled_rules_does_not_import_re2(tmp_path: Path) -> None:
    """Cold start: RE2 is imported for a user file's patterns only."""
    plain = tmp_path / "plain.yaml"
    plain.write_text("rules:\n  - id: billing.culture.case\n    enabled: false\n", "utf-8")
    patterned = _rule_file(tmp_path, r"[A-Z].*")
    code = (
        "import sys, json\n"
        "from pc_validate import Validator, load_rules\n"
        "seen = []\n"
        f"for files in ([], [{str(plain)!r}], [{str(patterned)!r}]):\n"
        "    Validator(load_rules(files, cloud='usgov'))\n"
        "    seen.append('re2' in sys.modules)\n"
        "print(json.dumps(seen))\n"
    )
    assert child(code, timeout=120) == [False, False, True]


# --------------------------------------------------------------------------------------------
# A user pattern at work


def test_a_user_rule_file_with_a_pattern_works_end_to_end(tmp_path: Path) -> None:
    path = _rule_file(tmp_path, r"[A-Z][A-Za-z0-9 &.,'-]{1,79}")
    payload = copy.deepcopy(VALID_US_PAYLOAD)
    assert not [v for v in validate(payload, rules=[path]).violations]
    payload["billingProfile"]["companyName"] = "wingtip toys"
    (violation,) = Validator(load_rules([path])).validate(payload).violations
    assert (violation.rule, violation.code) == ("house.pattern", "invalid_format")
    path = _rule_file(tmp_path, r"[A-Z][A-Za-z0-9 &.,'-]{1,79}", ignore_case=True)
    assert not [v for v in validate(payload, rules=[path]).violations]


def test_a_user_pattern_in_check_and_with_two_jobs(tmp_path: Path) -> None:
    """Through the real command, one process and two workers (which load the rules again):
    the same answers."""
    path = tmp_path / "house.yaml"
    path.write_text(
        "rules:\n"
        "  - id: house.company_name\n"
        "    severity: error\n"
        "    description: The company name ends in a capital.\n"
        "    source: The test suite.\n"
        "    field: billingProfile.companyName\n"
        "    check: pattern\n"
        "    params: {regex: '(\\w+\\s?)+[A-Z]', format: a name ending in a capital}\n",
        encoding="utf-8",
    )
    good = copy.deepcopy(VALID_US_PAYLOAD)
    good["billingProfile"]["companyName"] = "Wingtip ToyZ"
    bad = copy.deepcopy(VALID_US_PAYLOAD)
    bad["billingProfile"]["companyName"] = "a" * 200 + "!"
    records = tmp_path / "customers.jsonl"
    records.write_text(
        "".join(json.dumps(record) + "\n" for record in [good, bad] * 50), encoding="utf-8"
    )
    outputs = []
    command = [sys.executable, "-m", "pc_validate", "check", "--rules", str(path)]
    for jobs in ("1", "2"):
        result = subprocess.run(
            [*command, "--jobs", jobs, "--format", "jsonl", "--only-invalid", str(records)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 1, result.stderr
        lines = [json.loads(line) for line in result.stdout.splitlines()]
        lines = [line for line in lines if "violations" in line]  # not the summary
        assert len(lines) == 50
        assert {v["rule"] for line in lines for v in line["violations"]} == {"house.company_name"}
        outputs.append(result.stdout)
    assert outputs[0] == outputs[1]


# --------------------------------------------------------------------------------------------
# The package's own patterns on payload text


@needs_alarm
def test_own_fullmatch_patterns_finish_on_long_values() -> None:
    """Patterns the package matches in full against payload values (on ``re``) are linear:
    long pumped values of their own characters end within a hang guard."""
    from pc_validate import rules
    from pc_validate.checks import email, internet, numbers, text

    for compiled in (
        email._PLAIN,
        internet._LABEL,
        internet._VALID_NAME,
        text._GUID,
        numbers._IndianCin._STRUCTURE,
        rules._ID,
    ):
        with hang_guard(2, compiled.pattern):
            for pump in ("a", "a-", "a.", "1", "a@", "-", ".", "ab.", "{0x1,"):
                compiled.fullmatch(pump * 20_000 + "!")


#: The generic-suffix pattern as it was before it was made linear: the reference for what
#: markets._without_generic_suffix must still remove.
_OLD_GENERIC_SUFFIX = re.compile(
    r"(?<![\s,\-])(?:[\s,\-]+(?:province|governorate|region|district|county|city|state|"
    r"prefecture|department|parish|municipality|territory|island|emirate|sar|oblast'?|oblys|"
    r"kray|krai|okrug|avtonomnyy\s+okrug|sheng|shi|(?:zhuangzu|huizu|uygur|weiwu'?er)?\s*"
    r"zizhiqu|do|si|gwangyeoksi|teukbyeolsi|teukbyeoljachisi|teukbyeoljachido|to|fu|ken|"
    r"respublika|область|край|автономный\s+округ|республика|d\.?\s?c)"
    r"|(?:壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区|省|市|縣|县|都|府|県|"
    r"특별자치시|특별자치도|특별시|광역시|도))\.?$",
    re.IGNORECASE,
)
_STATE_WORDS = ["Sheng", "zizhiqu", "Uygur", "avtonomnyy", "okrug", "D.C", "to", "Tokyo", "都"]
_OTHER_WORDS = ["a", "x", "东京", "도", "특별시"]


@given(
    st.lists(st.sampled_from(_STATE_WORDS + _OTHER_WORDS), min_size=1, max_size=5).flatmap(
        lambda words: st.lists(
            st.sampled_from([" ", "  ", ",", "-", ", ", "\t", " - ", ".", "", "\u3000"]),
            min_size=len(words),
            max_size=len(words),
        ).map(lambda seps: "".join(w + s for w, s in zip(words, seps, strict=True)).strip())
    )
)
def test_state_suffix_removal_is_what_the_old_pattern_removed(text: str) -> None:
    from pc_validate import markets

    assert markets._without_generic_suffix(text) == _OLD_GENERIC_SUFFIX.sub("", text)


@needs_alarm
@pytest.mark.parametrize(
    "text",
    [
        "a" + " " * 200_000 + "x",
        "a" + " -," * 70_000 + "sheng",
        "a avtonomnyy" + " " * 200_000 + "x",
        "a uygur" + "\t" * 200_000 + "x",
    ],
    ids=["spaces", "separators_then_word", "after_avtonomnyy", "after_uygur"],
)
def test_state_suffix_removal_is_linear_in_long_separator_runs(text: str) -> None:
    """The old pattern took quadratic time here (about 10^10 steps for 200,000 characters)."""
    from pc_validate import markets

    with hang_guard(2, "removing a generic state word from 200,000 characters"):
        markets._without_generic_suffix(text)


def _japanese_payload(city: str) -> dict[str, Any]:
    payload = copy.deepcopy(VALID_US_PAYLOAD)
    payload["billingProfile"]["defaultAddress"].update(
        country="JP", state="Nowhere", city=city, postalCode="100-0001"
    )
    return payload


@needs_alarm
def test_long_city_with_an_unknown_state_does_not_hang() -> None:
    payload = _japanese_payload("a" + " " * 3000 + "x")
    with hang_guard(1.5, "validate() of a JP address with a 3,002-character city"):
        validate(payload)


@needs_alarm
def test_long_state_spelling_in_a_user_rule_file_does_not_hang(tmp_path: Path) -> None:
    path = tmp_path / "states.yaml"
    spelling = "a" + " " * 3000 + "x"
    path.write_text(
        yaml.safe_dump({"markets": {"JP": {"states": f"13|Tokyo|{spelling}\n"}}}), "utf-8"
    )
    validator = Validator(load_rules([path]))
    with hang_guard(1.5, "the first JP payload after a rule file with a long state spelling"):
        validator.validate(_japanese_payload("Chiyoda"))
