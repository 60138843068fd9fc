"""`validate` called from many threads at once gives the reports it gives sequentially
(issue #5, "Rule files are untrusted too": the last point).

Eight threads start together (a barrier) and the interpreter switches threads every
microsecond or so (sys.setswitchinterval), over a corpus of the examples and a few hundred
deterministic mutations of them, in every thread's own order, redacted or not:

- on the shared default validator, built by the threads' first calls;
- on one fresh validator whose lazy parts (the compiled screen after 16 calls, per-field
  memos, per-shape key indexes, market postal patterns and state look-ups, the checks'
  lru_caches) are all filled while the threads race;
- on validators the threads build at the same moment from a user rule file.

Every process-wide cache is emptied first, so the first-use paths run concurrently.
"""

from __future__ import annotations

import copy
import functools
import json
import random
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from pc_validate import Validator, api, load_rules, markets, validate
from pc_validate.memo import Bounded
from pc_validate.report import Violation

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
THREADS = 8
MUTANTS = 360

# --------------------------------------------------------------------------------------------
# The corpus

JUNK: list[Any] = [
    None,
    0,
    -1,
    1.5,
    True,
    "",
    "   ",
    " padded ",
    "x" * 300,
    "Ünïcödé ✓ 北京",
    "a" + " " * 40 + "b",
    "\u200b",
    [],
    {},
    ["a"],
    {"k": "v"},
]
COUNTRIES = ["US", "CA", "GB", "DE", "FR", "JP", "BR", "IN", "CN", "MX", "RU", "us", "UK", "", "ZZ"]
STATES = ["WA", "wa", "Washington", "ON", "Ontario", "QC", "Bayern", "13", "Tokyo", "SP", "XX", ""]
POSTAL = ["98052", "98052-6399", "H3Z 2Y7", "SW1A 1AA", "10115", "100-0001", "01310-100", "x"]
CULTURES = ["en-US", "EN-us", "de-DE", "fr-CA", "ja-JP", "pt-BR", "xx-YY", "en_US", "en", ""]
EMAILS = ["a@b.com", "not-an-email", "x@localhost", "üser@exämple.de", "a" * 70 + "@x.com"]
PHONES = ["4255550101", "+1 425 555 0101", "(425) 555-0101", "030 1234567", "12", "phone"]


def _leaves(value: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield (*path, key)
            yield from _leaves(item, (*path, key))


def _parent(payload: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any] | None:
    node: Any = payload
    for key in path[:-1]:
        node = node.get(key) if isinstance(node, dict) else None
    return node if isinstance(node, dict) else None


def _mutate(rng: random.Random, payload: dict[str, Any]) -> dict[str, Any]:
    """One to three random edits of the kinds real exports carry, and some junk."""
    for _ in range(rng.randint(1, 3)):
        billing = payload.get("billingProfile")
        billing = billing if isinstance(billing, dict) else {}
        address = billing.get("defaultAddress")
        address = address if isinstance(address, dict) else {}
        edit = rng.randrange(8)
        paths = list(_leaves(payload))
        path = rng.choice(paths) if paths else ("extra",)
        parent = _parent(payload, path)
        if edit == 0 and parent is not None:
            parent.pop(path[-1], None)
        elif edit == 1 and parent is not None:
            parent[path[-1]] = copy.deepcopy(rng.choice(JUNK))
        elif edit == 2:
            address["country"] = rng.choice(COUNTRIES)
            address["state"] = rng.choice(STATES)
            address["postalCode"] = rng.choice(POSTAL)
        elif edit == 3:
            billing["culture"] = rng.choice(CULTURES)
            billing["email"] = rng.choice(EMAILS)
        elif edit == 4:
            address["phoneNumber"] = rng.choice(PHONES)
        elif edit == 5 and parent is not None and path[-1] in parent:
            parent[path[-1].upper()] = parent.pop(path[-1])  # the sender's own spelling
        elif edit == 6 and parent is not None and path[-1] in parent:
            parent[path[-1].lower() + "_"] = parent[path[-1]]  # an unknown key beside it
        elif parent is not None:
            parent[path[-1]] = {"nested": parent.get(path[-1])}
    return payload


@functools.lru_cache(maxsize=1)
def corpus() -> tuple[Any, ...]:
    """The examples (valid, invalid, bulk records; unreadable JSON as text) and mutations."""
    bases: list[dict[str, Any]] = []
    texts: list[str] = []
    for path in sorted((EXAMPLES / "valid").glob("*.json")) + sorted(
        (EXAMPLES / "invalid").glob("*.json")
    ):
        text = path.read_text(encoding="utf-8")
        try:
            bases.append(json.loads(text))
        except json.JSONDecodeError:
            texts.append(text)
    for line in (EXAMPLES / "bulk" / "customers.jsonl").read_text("utf-8").splitlines():
        try:
            bases.append(json.loads(line))
        except json.JSONDecodeError:
            texts.append(line)  # the export's broken record
    rng = random.Random(20260505)
    mutants = [_mutate(rng, copy.deepcopy(rng.choice(bases))) for _ in range(MUTANTS)]
    return (*bases, *texts, *mutants, "[]", "{", 5)


Outcome = tuple[Violation, ...]


def sequential(validator: Validator, redact: bool) -> list[Outcome]:
    return [validate(p, validator=validator, redact=redact).violations for p in corpus()]


# --------------------------------------------------------------------------------------------
# Running threads together


@pytest.fixture
def switching_often() -> Iterator[None]:
    """Make the interpreter switch threads as often as it can, to interleave the most."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(before)


def forget_everything() -> None:
    """Empty every process-wide cache and shared validator, so that the next validations
    fill them while the threads race."""
    api._defaults.clear()
    markets._PARSED.clear()
    for name, module in list(sys.modules.items()):
        if name != "pc_validate" and not name.startswith("pc_validate."):
            continue
        for value in list(vars(module).values()):
            holders = [value, *vars(value).values()] if isinstance(value, type) else [value]
            for holder in holders:
                if hasattr(holder, "cache_info") and hasattr(holder, "cache_clear"):
                    holder.cache_clear()
                elif isinstance(holder, Bounded):  # the key indexes by shape, and the like
                    holder.clear()


def together(work: Callable[[int], list[tuple[int, Outcome]]]) -> list[list[tuple[int, Outcome]]]:
    """Run work(thread number) in THREADS threads started at one moment; re-raise nothing
    but fail with every thread's traceback."""
    barrier = threading.Barrier(THREADS)
    results: list[list[tuple[int, Outcome]]] = [[] for _ in range(THREADS)]
    failures: list[str] = []

    def run(number: int) -> None:
        try:
            barrier.wait(timeout=60)
            results[number] = work(number)
        except BaseException:
            failures.append(f"thread {number}:\n{traceback.format_exc()}")

    threads = [threading.Thread(target=run, args=(n,), daemon=True) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(thread.is_alive() for thread in threads), "a thread hangs"
    assert failures == []
    return results


def order(number: int) -> list[int]:
    """Thread `number`'s own order of the corpus."""
    indexes = list(range(len(corpus())))
    random.Random(number).shuffle(indexes)
    return indexes


def check_against(
    results: list[list[tuple[int, Outcome]]], expected: Callable[[int], list[Outcome]]
) -> None:
    for number, outcomes in enumerate(results):
        assert len(outcomes) == len(corpus())
        wanted = expected(number)
        wrong = [index for index, outcome in outcomes if outcome != wanted[index]]
        assert wrong == [], f"thread {number}: other reports for payloads {wrong[:10]}"


# --------------------------------------------------------------------------------------------
# The tests


def test_corpus_is_varied() -> None:
    """The corpus holds clean payloads, many kinds of violation and unreadable input."""
    reports = sequential(Validator(load_rules()), redact=False)
    assert len(reports) > MUTANTS
    assert any(not outcome for outcome in reports)
    rules = {v.rule for outcome in reports for v in outcome}
    assert len(rules) > 25 and "payload.json" in rules
    assert {"address.postal_code.format", "address.state.known"} <= rules, rules


def test_shared_default_validator_from_many_threads(switching_often: None) -> None:
    """validate() as most callers use it: the default validator, built by the first calls."""
    expected = {redact: sequential(Validator(load_rules()), redact) for redact in (False, True)}
    forget_everything()

    def work(number: int) -> list[tuple[int, Outcome]]:
        redact = number % 2 == 1
        items = corpus()
        return [(i, validate(items[i], redact=redact).violations) for i in order(number)]

    results = together(work)
    check_against(results, lambda number: expected[number % 2 == 1])


def test_one_fresh_validator_filled_by_many_threads(switching_often: None) -> None:
    """Every lazy part of one validator is built while eight threads use it."""
    expected = {redact: sequential(Validator(load_rules()), redact) for redact in (False, True)}
    forget_everything()
    shared = Validator(load_rules())

    def work(number: int) -> list[tuple[int, Outcome]]:
        redact = number % 2 == 1
        items = corpus()
        return [
            (i, shared.validate(items[i], redact=redact).violations)
            if not isinstance(items[i], str)
            else (i, validate(items[i], validator=shared, redact=redact).violations)
            for i in order(number)
        ]

    results = together(work)
    check_against(results, lambda number: expected[number % 2 == 1])


def test_validators_built_at_the_same_moment(switching_often: None, tmp_path: Path) -> None:
    """Each thread loads a user rule file (with a pattern, a severity change and a market
    override) and builds its validator while the others do the same."""
    path = tmp_path / "house.yaml"
    house = {
        "markets": {"CA": {"postal_pattern": r"[A-Z]\d[A-Z] ?\d[A-Z]\d"}},
        "rules": [
            {"id": "payload.unknown_key", "severity": "error"},
            {
                "id": "house.company_name.pattern",
                "severity": "warning",
                "description": "Company names start with a letter or digit.",
                "source": "The test suite.",
                "field": "billingProfile.companyName",
                "check": "pattern",
                "params": {"regex": r"[\w&][\w &.,'()-]{0,79}", "format": "a company name"},
            },
        ],
    }
    path.write_text(yaml.safe_dump(house, allow_unicode=True), encoding="utf-8")
    expected = sequential(Validator(load_rules([path])), redact=False)
    assert any(v.rule == "house.company_name.pattern" for outcome in expected for v in outcome)
    forget_everything()  # also the rule-pattern analysis and the parsed markets

    def work(number: int) -> list[tuple[int, Outcome]]:
        validator = Validator(load_rules([path]))
        items = corpus()
        return [(i, validate(items[i], validator=validator).violations) for i in order(number)]

    check_against(together(work), lambda number: expected)


def test_market_data_of_many_rule_sets_parsed_at_once(switching_often: None) -> None:
    """Many rule sets at once (each validate(..., rules=...) call makes one): the parsed
    market data is cached per rule set, and the cache must survive the race."""
    markets._PARSED.clear()
    stop = threading.Event()

    def work(number: int) -> list[tuple[int, Outcome]]:
        try:
            for _ in range(20_000):
                if stop.is_set():
                    break
                parsed = markets.markets({"CA": {"name": "Canada"}})
                assert parsed["CA"].name == "Canada"
        except BaseException:
            stop.set()
            raise
        return []

    together(work)
