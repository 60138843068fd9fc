"""Properties of the command under generated input (issue #5, "never crash, never hang").

Hypothesis writes, as a file or on stdin, in every input format the command reads:

- arbitrary JSON values (surrogates, NaN and Infinity tokens, huge numbers, odd keys), in
  UTF-8, UTF-8 with a mark, UTF-16/32 with a mark;
- valid bodies (conftest's US body and every file in examples/valid) mutated the way broken
  exports are: fields dropped, retyped, lengthened, repeated in another letter case or
  exactly (a key twice in the text), nested into objects and arrays, keys renamed, junk keys
  added; one body, a JSON array or JSON Lines of several, or a CSV export of them;
- raw bytes;

and holds every run to the same contract: no traceback, exit status 0, 1 or 2, the same
bytes on stdout and stderr when run again, a `--format json` report (or `--format jsonl`
lines) that validates against pc_validate/schemas/report.schema.json, and an exit status
that agrees with the report (2 when a record is unreadable, else 1 when a record has a
violation at or above --fail-on, else 0). `pc-validate fix` is held to the first three and
writes strict JSON. `validate()` on the mutated bodies gives a deterministic, schema-valid
report (tests/test_robustness.py already covers arbitrary values at the root and spliced
into every field; this adds the mutations above and exact repeated keys in text).

To search longer: PC_VALIDATE_EXAMPLES_SCALE=20 python -m pytest tests/test_properties.py
"""

from __future__ import annotations

import codecs
import copy
import csv
import io
import itertools
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from conftest import VALID_US_PAYLOAD, Run, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from pc_validate import __version__, validate
from pc_validate.report import REPORT_FORMAT
from pc_validate.resources import load_schema

ROOT = Path(__file__).resolve().parents[1]
BASES: list[dict[str, Any]] = [VALID_US_PAYLOAD] + [
    json.loads(path.read_text(encoding="utf-8"))
    for path in sorted((ROOT / "examples" / "valid").glob("*.json"))
]
REPORT = Draft202012Validator(load_schema("report.schema.json"))
_RANK = {"error": ("error",), "warning": ("error", "warning")}

_COUNTER = itertools.count()
_TEXT_SUMMARY = re.compile(
    r"\d+ (?:inputs?|records?): \d+ valid, \d+ invalid, (?P<unreadable>\d+) unreadable"
    r"(?:, (?P<not_validated>\d+) not validated)?; (?P<errors>\d+) errors?, "
    r"(?P<warnings>\d+) warnings?, \d+ info"
)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("properties")


# --- running the command ----------------------------------------------------------------------


def run_twice(argv: list[str], stdin: bytes = b"") -> Run:
    """Run the command twice: no traceback, a known exit status, the same bytes each time."""
    first = run_cli(*argv, stdin=stdin)
    assert first.code in (0, 1, 2), first
    second = run_cli(*argv, stdin=stdin)
    assert (second.code, second.out, second.err) == (first.code, first.out, first.err)
    return first


def expected_exit(results: list[dict[str, Any]], fail_on: str) -> int:
    if any(r["status"] in ("unreadable", "not_validated") for r in results):
        return 2
    counted = _RANK[fail_on]
    return 1 if any(r["counts"][s] for r in results for s in counted) else 0


def check_command(
    data: bytes,
    draw: st.DrawFn,
    workdir: Path,
    suffix: str,
    input_format: str = "auto",
) -> list[dict[str, Any]]:
    """Run `check` on `data` (a file or stdin, options drawn) and hold it to the contract;
    return the report's results."""
    fmt = draw(st.sampled_from(["json", "jsonl", "text"]))
    fail_on = draw(st.sampled_from(["error", "warning"]))
    redact = draw(st.booleans())
    argv = ["check", "--format", fmt, "--fail-on", fail_on, "--input-format", input_format]
    argv += ["--redact"] if redact else []
    if draw(st.booleans()):
        path = workdir / f"input-{next(_COUNTER)}{suffix}"
        path.write_bytes(data)
        result = run_twice([*argv, str(path)])
    else:
        result = run_twice([*argv, "-"], data)
    if fmt == "text":
        summary = _TEXT_SUMMARY.fullmatch(result.out.splitlines()[-1])
        assert summary is not None, result.out[-300:]
        lost = int(summary["unreadable"]) + int(summary["not_validated"] or 0)
        counted = int(summary["errors"]) + (int(summary["warnings"]) if fail_on == "warning" else 0)
        assert result.code == (2 if lost else 1 if counted else 0)
        return []
    if fmt == "json":
        doc = json.loads(result.out)
    else:
        lines = [json.loads(line) for line in result.out.splitlines()]
        *results, summary = lines
        doc = {
            "version": REPORT_FORMAT,
            "tool": {"name": "pc-validate", "version": __version__},
            "results": results,
            "summary": summary["summary"],
        }
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in REPORT.iter_errors(doc)]
    assert errors == [], errors
    results = doc["results"]
    assert result.code == expected_exit(results, fail_on), (result.code, result.err)
    assert doc["summary"]["records"] == len(results)
    unreadable = [r for r in results if r["status"] == "unreadable"]
    # one stderr line per unreadable record, besides the note of an encoding assumed
    lines = [
        line for line in result.err.splitlines() if "; it was read as Windows-1252" not in line
    ]
    assert len(lines) == len(unreadable)
    if redact:
        assert all("value" not in v for r in results for v in r["violations"])
    return list(results)


# --- arbitrary JSON values -------------------------------------------------------------------

_NAMES = sorted(
    {
        name
        for body in BASES
        for name in json.dumps(body).replace("{", " ").replace("}", " ").split('"')[1::2]
    }
)
_TEXT = st.text(
    st.one_of(st.characters(), st.characters(categories=["Cs"]), st.sampled_from('\x00\t\n"\\')),
    max_size=20,
)
KEYS = st.one_of(
    st.sampled_from(_NAMES),
    st.sampled_from(_NAMES).map(str.upper),
    _TEXT.filter(lambda t: len(t) < 8),
)
LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(),
    _TEXT,
    st.sampled_from(["US", "en-US", "EN-us", "UK", "a@b.co", "98052", " WA ", "x" * 300]),
)
JSON_VALUES = st.recursive(
    LEAVES,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=12,
)


def encode(text: str, draw: st.DrawFn) -> bytes:
    """The text as bytes the way one tool or another writes it (lone surrogates pass through
    as the bytes a careless encoder writes)."""
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-be", "utf-32"]))
    data = text.encode(encoding.removesuffix("-be"), "surrogatepass")
    if encoding == "utf-16-be":
        data = codecs.BOM_UTF16_BE + text.encode("utf-16-be", "surrogatepass")
    return data


def dump(value: Any, draw: st.DrawFn) -> str:
    return json.dumps(
        value,
        ensure_ascii=draw(st.booleans()),
        indent=draw(st.sampled_from([None, 1])),
        allow_nan=True,  # NaN and Infinity tokens: hostile input of their own
    )


def examples(n: int) -> settings:
    """Hypothesis settings for `n` examples (times PC_VALIDATE_EXAMPLES_SCALE, to search
    longer locally); no deadline: each example runs the whole command."""
    scale = float(os.environ.get("PC_VALIDATE_EXAMPLES_SCALE", "1"))
    return settings(
        max_examples=max(1, int(n * scale)),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )


@examples(30)
@given(data=st.data(), value=JSON_VALUES)
def test_any_json_value_to_the_command(data: st.DataObject, value: Any, workdir: Path) -> None:
    check_command(encode(dump(value, data.draw), data.draw), data.draw, workdir, ".json")


# --- mutated valid bodies ---------------------------------------------------------------------


@dataclass
class Mutated:
    """A body and the extra (key, value) pairs to write before an object's own, by the
    object's id: a key sent twice, which a dict cannot hold."""

    body: Any
    repeats: dict[int, list[tuple[str, Any]]] = field(default_factory=dict)

    def text(self, indent: int | None = None, ascii_only: bool = False) -> str:
        return self._dump(self.body, indent, ascii_only, 0)

    def _dump(self, value: Any, indent: int | None, ascii_only: bool, level: int) -> str:
        if isinstance(value, dict):
            pairs = [*self.repeats.get(id(value), []), *value.items()]
            if not pairs:
                return "{}"
            inner = [
                f"{json.dumps(k, ensure_ascii=ascii_only)}: "
                f"{self._dump(v, indent, ascii_only, level + 1)}"
                for k, v in pairs
            ]
            return self._wrap("{", inner, "}", indent, level)
        if isinstance(value, list):
            if not value:
                return "[]"
            inner = [self._dump(v, indent, ascii_only, level + 1) for v in value]
            return self._wrap("[", inner, "]", indent, level)
        return json.dumps(value, ensure_ascii=ascii_only)

    @staticmethod
    def _wrap(start: str, inner: list[str], end: str, indent: int | None, level: int) -> str:
        if indent is None:
            return start + ", ".join(inner) + end
        pad = "\n" + " " * indent * (level + 1)
        return start + pad + ("," + pad).join(inner) + "\n" + " " * indent * level + end


def _slots(value: Any) -> Iterator[tuple[dict[str, Any], str]]:
    """Every (object, key) of the body, depth first."""
    if isinstance(value, dict):
        for key in list(value):
            yield value, key
            yield from _slots(value[key])
    elif isinstance(value, list):
        for item in value:
            yield from _slots(item)


def _other_case(key: str) -> list[str]:
    variants = {key.upper(), key.lower(), key.swapcase(), key[:1].upper() + key[1:]}
    return sorted(variants - {key})


_OTHER_TYPES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.just([]),
    st.just({}),
    _TEXT,
    st.lists(LEAVES, max_size=2),
    st.dictionaries(KEYS, LEAVES, max_size=2),
)
MUTATIONS = [
    "drop",
    "retype",
    "lengthen",
    "case_twin",
    "repeat",
    "nest",
    "rename",
    "junk_key",
    "whitespace",
]


def mutate(body: dict[str, Any], draw: st.DrawFn) -> Mutated:
    """A copy of `body` with one to four mutations."""
    mutated = Mutated(copy.deepcopy(body))
    for _ in range(draw(st.integers(1, 4))):
        slots = list(_slots(mutated.body))
        if not slots:
            break
        parent, key = draw(st.sampled_from(slots))
        value = parent[key]
        kind = draw(st.sampled_from(MUTATIONS))
        if kind == "drop":
            del parent[key]
        elif kind == "retype":
            parent[key] = draw(_OTHER_TYPES)
        elif kind == "lengthen":
            times = draw(st.sampled_from([2, 10, 300, 5000]))
            parent[key] = (value if isinstance(value, str) and value else "x") * times
        elif kind == "case_twin" and _other_case(key):
            twin = draw(st.sampled_from(_other_case(key)))
            parent[twin] = draw(st.one_of(st.just(copy.deepcopy(value)), _OTHER_TYPES))
        elif kind == "repeat":
            first = draw(st.one_of(st.just(copy.deepcopy(value)), _OTHER_TYPES))
            mutated.repeats.setdefault(id(parent), []).append((key, first))
        elif kind == "nest":
            parent[key] = draw(st.sampled_from([[value], {"value": value}, {key: value}]))
        elif kind == "rename":
            new = draw(
                st.sampled_from(
                    [key[:-1], key + "s", key.replace("e", "_e", 1), f"{key}Id", key.upper()]
                )
                | _TEXT
            )
            if new and new not in parent:
                parent[new] = parent.pop(key)
        elif kind == "junk_key":
            parent[draw(KEYS)] = draw(LEAVES)
        elif kind == "whitespace" and isinstance(value, str):
            parent[key] = draw(st.sampled_from([" ", "\t", "\u00a0", "\u3000"])) + value + " "
    return mutated


@examples(40)
@given(data=st.data(), layout=st.sampled_from(["one", "array", "lines"]))
def test_mutated_bodies_to_the_command(data: st.DataObject, layout: str, workdir: Path) -> None:
    count = 1 if layout == "one" else data.draw(st.integers(1, 3))
    bodies = [mutate(data.draw(st.sampled_from(BASES)), data.draw) for _ in range(count)]
    indent = data.draw(st.sampled_from([None, 2])) if layout != "lines" else None
    ascii_only = data.draw(st.booleans())
    texts = [body.text(indent, ascii_only) for body in bodies]
    if layout == "one":
        text, suffix = texts[0], ".json"
    elif layout == "array":
        text, suffix = "[" + ",\n".join(texts) + "]", ".json"
    else:
        text, suffix = "\n".join(texts) + "\n", ".jsonl"
    raw = encode(text, data.draw)
    input_format = "jsonl" if layout == "lines" else "auto"
    results = check_command(raw, data.draw, workdir, suffix, input_format)
    if results and not any(r["status"] == "unreadable" for r in results):
        assert len(results) == count


@examples(25)
@given(data=st.data())
def test_fix_on_mutated_bodies(data: st.DataObject) -> None:
    body = mutate(data.draw(st.sampled_from(BASES)), data.draw)
    raw = encode(body.text(data.draw(st.sampled_from([None, 2]))), data.draw)
    argv = ["fix", "-"] + (["--redact"] if data.draw(st.booleans()) else [])
    result = run_twice(argv, raw)
    if result.code == 2:
        assert result.out == ""
    else:
        json.loads(result.out)  # strict JSON (no NaN/Infinity)


def _flatten(value: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _flatten(item, f"{prefix}{key}.")
    else:
        yield prefix[:-1], value if isinstance(value, str) else json.dumps(value)


@examples(20)
@given(data=st.data())
def test_csv_exports_of_mutated_bodies_to_the_command(data: st.DataObject, workdir: Path) -> None:
    """Mutated bodies flattened to dotted columns, one row each, cells messed with."""
    rows = []
    for _ in range(data.draw(st.integers(1, 3))):
        body = mutate(data.draw(st.sampled_from(BASES)), data.draw).body
        rows.append(dict(_flatten(body)))
    header = sorted({column for row in rows for column in row})
    text = io.StringIO()
    writer = csv.writer(text, lineterminator=data.draw(st.sampled_from(["\n", "\r\n"])))
    writer.writerow(header)
    for row in rows:
        cells = [row.get(column, "") for column in header]
        if cells and data.draw(st.booleans()):
            at = data.draw(st.integers(0, len(cells) - 1))
            cells[at] = data.draw(st.sampled_from(['"', "a,b", "line\nbreak", "\x00", ""]))
        writer.writerow(cells)
    raw = encode(text.getvalue(), data.draw)
    check_command(raw, data.draw, workdir, ".csv")


# --- raw bytes --------------------------------------------------------------------------------

_BYTES = st.one_of(
    st.binary(max_size=300),
    st.binary(max_size=40).map(lambda b: b"[" + b),
    st.binary(max_size=40).map(lambda b: json.dumps(VALID_US_PAYLOAD).encode()[:120] + b),
    st.binary(max_size=40).map(lambda b: codecs.BOM_UTF16_LE + b),
)


@examples(30)
@given(data=st.data(), raw=_BYTES, suffix=st.sampled_from([".json", ".jsonl", ".csv"]))
def test_raw_bytes_to_the_command(
    data: st.DataObject, raw: bytes, suffix: str, workdir: Path
) -> None:
    check_command(raw, data.draw, workdir, suffix, data.draw(st.sampled_from(["auto", "json"])))


@examples(20)
@given(raw=_BYTES)
def test_raw_bytes_to_fix(raw: bytes) -> None:
    result = run_twice(["fix", "-"], raw)
    if result.code != 2:
        json.loads(result.out)


# --- validate() on mutated bodies -------------------------------------------------------------


@examples(150)
@given(data=st.data(), redact=st.booleans(), as_text=st.booleans())
def test_validate_on_mutated_bodies(data: st.DataObject, redact: bool, as_text: bool) -> None:
    mutated = mutate(data.draw(st.sampled_from(BASES)), data.draw)
    payload: Any = mutated.text() if as_text or mutated.repeats else mutated.body
    snapshot = copy.deepcopy(payload)
    first = validate(payload, redact=redact)
    second = validate(payload, redact=redact)
    assert first == second
    assert first.to_json() == second.to_json()
    doc = first.to_dict()
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in REPORT.iter_errors(doc)]
    assert errors == [], errors
    json.dumps(doc, allow_nan=False)
    assert payload == snapshot  # never modified
    if redact:
        assert all("value" not in v.to_dict() for v in first.violations)


# --- the generators themselves ----------------------------------------------------------------


def test_mutated_text_holds_a_key_twice() -> None:
    body = {"a": {"b": 1}}
    mutated = Mutated(body, {id(body["a"]): [("b", "first")]})
    assert mutated.text() == '{"a": {"b": "first", "b": 1}}'
    assert json.loads(mutated.text(indent=2)) == body


def test_flatten_gives_dotted_columns() -> None:
    assert dict(_flatten({"a": {"b": "x", "c": 1}, "d": None})) == {
        "a.b": "x",
        "a.c": "1",
        "d": "null",
    }


def test_expected_exit_follows_the_documented_rule() -> None:
    ok = {"status": "valid", "counts": {"error": 0, "warning": 1, "info": 0}}
    bad = {"status": "invalid", "counts": {"error": 1, "warning": 0, "info": 0}}
    lost = {"status": "unreadable", "counts": {"error": 0, "warning": 0, "info": 0}}
    assert expected_exit([ok], "error") == 0
    assert expected_exit([ok], "warning") == 1
    assert expected_exit([ok, bad], "error") == 1
    assert expected_exit([bad, lost], "error") == 2
