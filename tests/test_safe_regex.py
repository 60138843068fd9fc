r"""Rule-file regular expressions cannot hang the validator (issue #5, "Rule files are
untrusted too").

Python's ``re`` has no time limit, so ``pc_validate.safe_regex`` refuses, before use, every
pattern whose matching time could grow faster than linearly with the value. The tests hold:

- known catastrophic patterns (OWASP's ReDoS examples, the literature's classics, and
  what the fuzzing below once got through) are refused, through the loader (file, line,
  rule id, reason) and through the command (exit 2), whichever parameter carries them;
- plain ``re`` really does hang on them (an alarm interrupts it), so the guard matters;
- the patterns a rule author reasonably writes, and every bundled pattern, are accepted;
- property: patterns drawn from a small grammar that the guard accepts finish on long,
  pumped, non-matching values within a hang guard.

Hang guards use SIGALRM, which the ``re`` engine checks while it backtracks; they are for
hangs only (seconds), never speed asserts.
"""

from __future__ import annotations

import contextlib
import copy
import re
import signal
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import VALID_US_PAYLOAD
from conftest import run_cli as _run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pc_validate import RuleFileError, Validator, load_rules, validate
from pc_validate.regex_analysis import (
    _Alphabet,
    _quantifier_spans,
    _repeat_order,
    _sre,
    analyse,
)
from pc_validate.resources import bundled_rule_files, cloud_overlays
from pc_validate.safe_regex import UnsafePattern, compile_pattern, pattern_problem, plainly_linear

ROOT = Path(__file__).resolve().parents[1]
SEED_DE = ROOT / "examples" / "valid" / "seed-de-2023.json"

needs_alarm = pytest.mark.skipif(
    not hasattr(signal, "setitimer"), reason="the hang guard needs SIGALRM (POSIX)"
)

EXPONENTIAL = "in more than one way"
POLYNOMIAL = "one after the other"
CROWDED = "partial matches are tried"

#: Known catastrophic patterns, and the words of the reason they are refused with.
CATASTROPHIC: dict[str, str] = {
    # OWASP, "Regular expression Denial of Service - ReDoS", evil regex examples
    r"(a+)+$": EXPONENTIAL,
    r"([a-zA-Z]+)*$": EXPONENTIAL,
    r"(a|aa)+$": EXPONENTIAL,
    r"(a|a?)+$": EXPONENTIAL,
    r"(.*a){12}": POLYNOMIAL,
    r"^(([a-z])+.)+[A-Z]([a-z])+$": EXPONENTIAL,  # the Java class name example
    # OWASP's email validation ReDoS
    (
        r"^([a-zA-Z0-9])(([\-.]|[_]+)?([a-zA-Z0-9]+))*(@){1}[a-z0-9]+[.]{1}"
        r"(([a-z]{2,3})|([a-z]{2,3}[.]{1}[a-z]{2,3}))$"
    ): EXPONENTIAL,
    # nested and overlapping repetition (Kirrage et al. 2013; Weideman et al. 2016)
    r"(a*)*b": EXPONENTIAL,
    r"(a*)+$": EXPONENTIAL,
    r"(a|a)*$": EXPONENTIAL,
    r"(\w+\s?)+$": EXPONENTIAL,
    r"(\w+\s*)+$": EXPONENTIAL,
    r"(\d+[-.]?)+!": EXPONENTIAL,
    r"((a?)*b)+$": EXPONENTIAL,
    r"(?:[a-z]+|[a-z0-9]+)+$": EXPONENTIAL,
    r"(x+x+)+y": EXPONENTIAL,
    r"(?=(a+)+b)a": EXPONENTIAL,
    # polynomial: overlapping repetitions one after the other (Stack Overflow's 2016 outage
    # came from \s+$ searched over a long run of spaces; in full, \s*\s*$ is the same)
    r"\d+\d+$": POLYNOMIAL,
    r".*.*=.*": POLYNOMIAL,
    r"\s*\s*$": POLYNOMIAL,
    r"^\s*(.*?)\s*$": POLYNOMIAL,
    r".+@.+\..+": POLYNOMIAL,
    r"[^@\s]+@[^@\s]+\.[^@\s]+": POLYNOMIAL,
    r"(.*a){20}": POLYNOMIAL,
    r"a.*b.*c.*d": POLYNOMIAL,
    # bounded, but exponential in a large count, or too many ways at once
    r"(a|a){40}": CROWDED,
    r"(a{1,2}){1,60}": CROWDED,
    r"((([a-]){1,40}){1,2}){0,3}": CROWDED,
    r"\w+(?:(?:ba?){1,40}){1,2}": CROWDED,
    # a lookahead scanning the rest of the value, tried at every place
    r"(?:(?=.*x).)*": "lookaround",
    r".*(?=.*x)y": "lookaround",
    # backreferences are refused outright
    r"(\d+)-\1": "backreferences",
    r"(?P<w>a+)(?P=w)": "backreferences",
}

#: What a rule author reasonably writes: all accepted.
REASONABLE = [
    # postal codes
    r"\d{5}(?:-\d{4})?",
    r"^\d{5}(-\d{4})?$",
    r"[A-Z]\d[A-Z] ?\d[A-Z]\d",
    r"(?:GIR 0AA|[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2})",
    r"\d{4} ?[A-Z]{2}",
    r"\d{3}-\d{4}",
    r"[0-9]{2}-[0-9]{3}",
    r"\d{5}(?:\d{3})?",
    # phone numbers
    r"\+?\d{7,15}",
    r"\+?[1-9]\d{1,14}",
    r"(?:\+1[ .-]?)?\(?\d{3}\)?[ .-]?\d{3}[ .-]?\d{4}",
    r"0[1-9](?:[ .-]?\d{2}){4}",
    r"\+?[0-9 ()./-]{6,30}",
    r"\+\d{1,3}(?: \d{1,4}){1,5}",
    r"\d{2,4}[ -]?\d{2,4}",
    r"(?:\d{1,4}[-. ]?){1,5}",
    # GUIDs
    r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}",
    r"\{?[0-9a-f]{8}(?:-?[0-9a-f]{4}){3}-?[0-9a-f]{12}\}?",
    # email addresses and domains
    r"[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+",
    r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+",
    (
        r"(?P<local>[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*)@(?P<domain>(?:[A-Za-z0-9]"
        r"(?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+(?P<tld>[A-Za-z]{2,63}))"
    ),
    r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*",
    r"(?:https?://)?(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)+(?:/\S*)?",
    r"[A-Za-z0-9]+",
    # tax and registration numbers
    r"(?:DE)?\d{9}",
    r"GB(?:\d{9}|\d{12}|GD\d{3}|HA\d{3})",
    r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}",
    r"[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?",
    r"\d{2}\.\d{3}\.\d{3}/\d{4}-\d{2}",
    r"[0-9]{10}|[0-9]{12}",
    r"[A-Z0-9]{8,12}",
    # names and free text
    r"[A-Za-z][A-Za-z .,&'-]{0,99}",
    r"\S(?:.*\S)?",
    r"[^\d\W]+(?:[ '-][^\d\W]+)*",
    r"[A-Z][a-z]+(?: [A-Z][a-z]+)*",
    r"\w+(?:[-' ]\w+)*",
    r"[\u4e00-\u9fff]{1,10}",
    # numbers and dates
    r"\d+(?:\.\d+)?",
    r"-?\d+(?:,\d{3})*(?:\.\d+)?",
    r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})",
    # anchors, flags, lookarounds, laziness, possessive repetitions, comments
    r"\A[A-Z]{2}\Z",
    r"\b\d{3}\b",
    r"(?:^|\b)(?:1[0-2]|[1-9])\d{2}(?:$|\b)",
    r"(\b\w+\b\s*)+",
    r"(?=.*\d)(?=.*[a-z]).{8,64}",
    r"(?:(?!--).)*",
    r".*?x",
    r"\d++\d*",
    r"[^@]++@.+",
    r"(?i)[a-z]{2}-[a-z]{2}",
    r"(?x) \d{3} - \d{4}  # a US local number",
    r"(?:[A-Z]{2}|\d{2}){1,10}",
]


def _rule_file(
    tmp_path: Path, regex: str, check: str = "pattern", name: str = "house.yaml"
) -> Path:
    """A user rule file whose only rule (on line 2) carries `regex`."""
    params: dict[str, Any] = {"regex": regex, "format": "as the house wants it"}
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


# --------------------------------------------------------------------------------------------
# Catastrophic patterns are refused, with the reason


@pytest.mark.parametrize("regex", sorted(CATASTROPHIC))
def test_catastrophic_pattern_is_refused(regex: str) -> None:
    re.compile(regex)  # valid: refused for its matching time, not its syntax
    problem = pattern_problem(regex)
    assert problem is not None, regex
    assert CATASTROPHIC[regex] in problem
    with pytest.raises(UnsafePattern) as caught:
        compile_pattern(regex)
    assert str(caught.value) == problem


@pytest.mark.parametrize("regex", sorted(CATASTROPHIC))
def test_catastrophic_pattern_in_a_user_rule_file(regex: str, tmp_path: Path) -> None:
    path = _rule_file(tmp_path, regex)
    with pytest.raises(RuleFileError) as caught:
        load_rules([path])
    error = caught.value
    assert (error.path, error.line, error.rule_id) == (str(path), 2, "house.pattern")
    assert error.reason.startswith("'regex': ")
    assert CATASTROPHIC[regex] in error.reason
    assert str(error).startswith(f"{path}:2: rule house.pattern: 'regex': ")


@pytest.mark.parametrize("regex", sorted(CATASTROPHIC))
def test_catastrophic_pattern_makes_the_command_exit_2(regex: str, tmp_path: Path) -> None:
    path = _rule_file(tmp_path, regex)
    code, out, err = _run("check", "--rules", path, SEED_DE)
    assert (code, out) == (2, "")
    assert f"{path}:2:" in err and "house.pattern" in err
    assert str(pattern_problem(regex)) in err


@pytest.mark.parametrize("check", ["phone_pattern", "domain_prefix"])
def test_every_regex_parameter_is_guarded(check: str, tmp_path: Path) -> None:
    path = _rule_file(tmp_path, r"(\d+\s?)+", check=check)
    with pytest.raises(RuleFileError) as caught:
        load_rules([path])
    assert caught.value.rule_id == "house.pattern" and EXPONENTIAL in caught.value.reason
    assert _run("rules", "--rules", path)[0] == 2


def test_override_of_a_bundled_rules_regex_is_guarded(tmp_path: Path) -> None:
    """A user file may change the pattern of a bundled rule by its id: the same guard."""
    ruled = [
        rule
        for path in bundled_rule_files()
        for rule in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("rules") or []
        if "regex" in (rule.get("params") or {})
    ]
    assert len(ruled) >= 3
    for rule in ruled:
        path = tmp_path / "override.yaml"
        override = {"id": rule["id"], "params": {**rule["params"], "regex": "(x+x+)+y"}}
        path.write_text(yaml.safe_dump({"rules": [override]}), encoding="utf-8")
        with pytest.raises(RuleFileError) as caught:
            load_rules([path])
        assert (caught.value.rule_id, caught.value.line) == (rule["id"], 2)
        assert EXPONENTIAL in caught.value.reason


def test_market_postal_pattern_in_a_user_file_is_guarded(tmp_path: Path) -> None:
    """User files may override a market's postal pattern (matched ignoring case)."""
    path = tmp_path / "markets.yaml"
    path.write_text("markets:\n  CA:\n    postal_pattern: '([A-Z0-9]+ ?)+'\n", encoding="utf-8")
    with pytest.raises(RuleFileError) as caught:
        load_rules([path])
    error = caught.value
    assert error.path == str(path) and error.line in (2, 3)
    assert error.reason.startswith("market 'CA': 'postal_pattern': ")
    assert EXPONENTIAL in error.reason
    code, out, err = _run("check", "--rules", path, SEED_DE)
    assert (code, out) == (2, "") and f"{path}:" in err and "postal_pattern" in err
    # a safe override loads and is used
    path.write_text("markets:\n  CA:\n    postal_pattern: '[A-Z]\\d[A-Z]\\d[A-Z]\\d'\n", "utf-8")
    payload = copy.deepcopy(VALID_US_PAYLOAD)
    payload["billingProfile"]["defaultAddress"].update(
        country="CA", state="ON", city="Toronto", postalCode="M5V 2T6"
    )
    rules = {v.rule for v in validate(payload, rules=[path]).violations}
    assert "address.postal_code.format" in rules, rules
    assert "address.postal_code.format" not in {v.rule for v in validate(payload).violations}


def test_messages_say_where() -> None:
    assert pattern_problem(r"x(\d+\s?)+y") == (
        r"the repetition '(\d+\s?)+' at position 1 repeats a part that can match the same "
        "text in more than one way (nested or overlapping repetitions), so a value that does "
        "not match may take exponential time"
    )
    assert pattern_problem(r"[a-z]+\.\d+\d+") == (
        r"the repetitions '\d+' at position 8 and '\d+' at position 11 can match the same "
        "text one after the other (overlapping repetitions), so a long value that does not "
        "match may take quadratic or worse time"
    )
    copies = str(pattern_problem(r"(.*,){5}"))
    assert copies.startswith("copies of the repetition '.*' at position 1, made by the ")
    assert "'(.*,){5}' at position 0" in copies
    # a verbose pattern's positions are not worked out, but it is refused all the same
    assert str(pattern_problem("(?x) ( a+ )+ $")).startswith("a repetition repeats a part")


def test_invalid_and_absurd_patterns_are_errors_not_crashes() -> None:
    with pytest.raises(UnsafePattern, match="not a valid regular expression"):
        compile_pattern("([0-9]")
    with pytest.raises(UnsafePattern, match="nested too deeply"):
        compile_pattern("(" * 5000 + "a" + ")" * 5000)
    with pytest.raises(UnsafePattern, match="too complex"):
        compile_pattern("(?:" + "|".join(f"a{{{n}}}b" for n in range(1, 200)) + ")+")


# --------------------------------------------------------------------------------------------
# The guard matters: plain re hangs on them


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
def test_plain_re_hangs_on_refused_patterns(regex: str, value: str) -> None:
    assert pattern_problem(regex) is not None
    with pytest.raises(Hang), hang_guard(0.5, regex):
        re.fullmatch(regex, value)


# --------------------------------------------------------------------------------------------
# Reasonable and bundled patterns are accepted


@pytest.mark.parametrize("regex", REASONABLE)
def test_reasonable_pattern_is_accepted(regex: str, tmp_path: Path) -> None:
    assert pattern_problem(regex) is None
    assert compile_pattern(regex).pattern == regex
    ruleset = load_rules([_rule_file(tmp_path, regex)])
    assert "house.pattern" in {rule.id for rule in ruleset.rules}


def _bundled_patterns() -> list[tuple[str, str]]:
    found = []
    for path in [*bundled_rule_files(), *cloud_overlays().values()]:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for rule in data.get("rules") or []:
            for key, value in (rule.get("params") or {}).items():
                if key == "regex":
                    found.append((f"{path.name}:{rule['id']}", value))
        for code, market in (data.get("markets") or {}).items():
            if "postal_pattern" in market:
                found.append((f"{path.name}:{code}", market["postal_pattern"]))
    return found


def test_every_bundled_pattern_is_accepted() -> None:
    """Rule patterns and every market's postal pattern (from Google's address data)."""
    patterns = _bundled_patterns()
    assert len(patterns) > 150
    refused = {where: pattern_problem(regex) for where, regex in patterns if pattern_problem(regex)}
    assert refused == {}


@needs_alarm
def test_bundled_patterns_finish_on_long_values() -> None:
    for where, regex in _bundled_patterns():
        compiled = re.compile(regex, re.IGNORECASE)
        with hang_guard(2, where):
            for value in ("9" * 20_000 + "x", "A1" * 10_000 + "!", " " * 20_000, "AB " * 7000):
                compiled.fullmatch(value)


# --------------------------------------------------------------------------------------------
# Property: what the guard accepts does not hang

ATOMS = ["a", "b", "-", " ", "1", ".", "[ab]", "[a-]", "[^b]", r"\w", r"\d", r"\s", "ab", "a?"]
ZERO_WIDTH = [r"\b", r"\B", "^", "$", ""]
QUANTIFIERS = ["*", "+", "?", "{0,3}", "{1,2}", "{2,}", "{3}", "{1,40}", "*?", "+?"]
if sys.version_info >= (3, 11):
    QUANTIFIERS += ["*+", "++"]


def _grow(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    parts = st.lists(children, min_size=2, max_size=3)
    sequence = parts.map("".join)
    repeated = st.tuples(children, st.sampled_from(QUANTIFIERS)).map(
        lambda pair: f"(?:{pair[0] or 'a'}){pair[1]}"
    )
    return st.one_of(
        sequence,
        repeated,
        sequence,
        repeated,
        parts.map(lambda items: "(?:" + "|".join(items) + ")"),
        st.tuples(children, children).map(lambda pair: f"(?={pair[0]}){pair[1]}"),
    )


QUANTIFIED = st.tuples(st.sampled_from(ATOMS), st.sampled_from(QUANTIFIERS)).map(
    lambda pair: f"(?:{pair[0]}){pair[1]}"
)
PATTERNS = st.recursive(
    st.sampled_from(ATOMS) | st.sampled_from(ZERO_WIDTH) | QUANTIFIED, _grow, max_leaves=16
)


def _valid(regex: str) -> bool:
    try:
        re.compile(regex)
    except re.error:
        return False
    return True


@needs_alarm
@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
)
@given(
    regex=PATTERNS.filter(_valid),
    pump=st.text(alphabet="ab- 1", min_size=1, max_size=3),
    prefix=st.sampled_from(["", "a", "1", "-"]),
    suffix=st.sampled_from(["!", "\n", "", "b", " "]),
)
def test_accepted_patterns_do_not_hang(regex: str, pump: str, prefix: str, suffix: str) -> None:
    if plainly_linear(regex):
        assert analyse(regex) is None, "the glance passed what the analysis refuses"
    if pattern_problem(regex) is not None:
        return  # refused: nothing runs it
    compiled = compile_pattern(regex)
    with hang_guard(3, regex):
        for repeated in (pump, "a", "ab", "1 ", "a-"):
            compiled.fullmatch(prefix + repeated * (8000 // len(repeated)) + suffix)
            compiled.fullmatch(prefix + repeated * (8000 // len(repeated)) + suffix, 0, 5000)


#: Patterns the fuzzing once found slow but accepted; each is refused now.
FUZZ_FOUND = [
    r"(?:(?:(?:(?:(?:1)*+){1,2}){2,})+){3}",  # nested repetitions of empty matches
    r"(?:(?:[^\s]a?[a-]\d|(?=b)|[^b])[^\s]){1,2}(?:(?:[^b]){1,40}){0,3}",
    r"(?:(?:(?:(?:[a-]){1,40}){1,2}){0,3}|\b)",
    r"(?:|[^b]|[ab])(?:(?:a){1,40}|(?:[a-])++|(?:\w)+)(?:(?:-)++)*(?:(?:ba?){1,40}){1,2}",
    r"a?(?:[ab]){1,2}[a-](?:(?:(?:|.)|\w.a)){1,40}",
]


@pytest.mark.parametrize("regex", FUZZ_FOUND)
def test_patterns_fuzzing_found_are_refused(regex: str) -> None:
    if not _valid(regex):
        pytest.skip("needs a newer re (possessive repetitions)")
    assert pattern_problem(regex) is not None


# --------------------------------------------------------------------------------------------
# The analysis' own parts, held against the re engine


def test_the_glance_passes_only_what_the_analysis_passes() -> None:
    """plainly_linear() spares most patterns the full analysis; it must never pass one the
    analysis would refuse, and it passes the bundled rule patterns (kept off start-up)."""
    patterns = [*REASONABLE, *CATASTROPHIC, *(regex for _, regex in _bundled_patterns())]
    glanced = [regex for regex in patterns if plainly_linear(regex)]
    assert len(glanced) > len(patterns) // 2
    assert [regex for regex in glanced if analyse(regex) is not None] == []
    assert not any(plainly_linear(regex) for regex in CATASTROPHIC)


def test_loading_the_bundled_rules_does_not_import_the_analysis() -> None:
    """Cold start: the bundled rules' patterns pass at a glance."""
    code = (
        "import sys\n"
        "from pc_validate import load_rules\n"
        "load_rules()\n"
        "print('pc_validate.regex_analysis' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip() == "False", result.stderr


@pytest.mark.parametrize(
    "regex",
    [
        r"[\d\s]",
        r"[^\W_]",
        r"[a-fK]",
        r"[^a-z0-9]",
        r"[\u0600-\u06ff]",
        r"(?a)[\w]",
        r"[.\-\]]",
        r"[^\S\n]",
        r"\D",
        "[\u017f]",  # long s, which matches s and S ignoring case
    ],
)
def test_character_sets_agree_with_re(regex: str) -> None:
    """The masks the analysis compares sets with are the engine's sets (ignoring case)."""
    tree = _sre.parse(regex, re.IGNORECASE)
    (op, av), *_ = list(tree)
    flags = tree.state.flags | re.IGNORECASE
    alphabet = _Alphabet(set())
    mask = alphabet.mask(op, av, flags)
    compiled = re.compile(regex, re.IGNORECASE)
    for i, char in enumerate(alphabet.chars):
        assert bool(mask >> i & 1) == bool(compiled.fullmatch(char)), (regex, char)


@pytest.mark.parametrize(
    "regex",
    [
        r"a+b*c?",
        r"(a{2,3}|b{,4}?)+",
        r"[*+?]{2}\{3\}x{}y{,}",
        r"[]a-]*(?#a comment with + and *)b+",
        r"\N{DIGIT ONE}+\x2a*\u0041?",
        r"(?P<n>a)(?:b|c)*+(?>d+)(?=e*)(?<!f)g{1,2}?",
        r"(?P<n>(?i:x+))?(?(n)y*|z+)",
        textwrap.dedent(r"[\]]+[^]x]*\\+"),
    ],
)
def test_repetitions_are_found_in_the_source(regex: str) -> None:
    """One span per repeat node, in the order a post-order walk meets them."""
    if not _valid(regex):
        pytest.skip("needs a newer re")
    tree = _sre.parse(regex, 0)
    spans = _quantifier_spans(regex)
    assert len(spans) == len(_repeat_order(tree)[0])
    for start, end in spans:
        assert regex[end - 1] in "*+?}", regex[start:end]


def test_a_user_rule_file_with_a_pattern_works_end_to_end(tmp_path: Path) -> None:
    path = _rule_file(tmp_path, r"[A-Z][A-Za-z0-9 &.,'-]{1,79}")
    payload = copy.deepcopy(VALID_US_PAYLOAD)
    assert not [v for v in validate(payload, rules=[path]).violations]
    payload["billingProfile"]["companyName"] = "wingtip toys"
    (violation,) = Validator(load_rules([path])).validate(payload).violations
    assert (violation.rule, violation.code) == ("house.pattern", "invalid_format")


# --------------------------------------------------------------------------------------------
# The package's own patterns on payload text


def test_own_fullmatch_patterns_pass_the_same_analysis() -> None:
    """Patterns the package matches in full against payload values pass the guard too."""
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
        assert pattern_problem(compiled.pattern, compiled.flags) is None, compiled.pattern


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


@needs_alarm
@pytest.mark.parametrize(
    "regex",
    [
        "(?:" + "|".join(f"{chr(97 + i % 26)}+" for i in range(500)) + ")+",
        "[ab]*a[ab]{60}",
    ],
    ids=["500_looping_alternatives", "subset_blow_up"],
)
def test_a_hostile_pattern_cannot_hang_the_analysis(regex: str) -> None:
    """The analysis has a work budget; beyond it the pattern is refused as too complex."""
    with hang_guard(15, "the analysis"):
        problem = pattern_problem(regex)
    assert problem is not None and problem.startswith("too complex to check")
