"""Fuzz targets: `validate`, `fix` and the input parsers, each a function of the fuzzer's bytes.

A target returns normally when every property held and raises AssertionError (or whatever
escaped pc-validate) when one did not: that is a finding. The targets need no fuzzer:
``fuzz/run.py`` drives them under atheris (coverage-guided), ``tests/test_fuzz_targets.py``
replays the seed corpora in ``fuzz/corpus/<target>/`` with plain pytest, so they keep working.

- ``validate``: bytes that are JSON are validated as they are; any other bytes steer a
  series of mutations of a valid body (fields set to values from the rules' own datasets and
  python-stdnum's example numbers, to fuzzed text, to other JSON types; dropped, renamed,
  duplicated in another letter case, lengthened, nested), in a cloud and with or without
  redaction the bytes choose, so the fuzzer reaches the country-dependent rules deep inside.
  Properties: nothing escapes validate(); bytes that are not JSON give exactly one
  payload.json violation; codes and severities from the closed lists; every path resolves
  in the body (a missing field's parent; under redaction `*N` is the N-th key); the JSON
  report is writable as UTF-8, round-trips and equals to_dict(); every 16th report validates
  against the published schema; the text rendering is writable and holds no raw control,
  bidi or zero-width character; the same report twice; the body is not modified; under
  redaction no value, no suggestion, the same findings as without, and none of the fuzzed
  text (marked with MARKER, in values and in keys) anywhere in the report or its text
  rendering (a key that is not a known field is named by its position).
- ``fix``: the same bodies through ``repair``. Properties: nothing escapes (PayloadError only
  for a root that is text), the argument is not modified, no violation the body did not have,
  each kept change removes one, a second repair changes nothing, the report after equals
  validate() of the repaired body.
- ``parsers``: the same bytes through ``payload.parse`` and the bulk readers (JSON, JSON
  array, JSON Lines, CSV). Properties: parse() raises only PayloadError, with a reason and a
  sensible line and column, the same for UTF-8 bytes as for their text; the JSON reader
  reads what parse() reads (one value, or the array's elements); records are indexed from
  0, lines never go back, CSV rows go forward and are objects; the records are the same
  read in 4-16 byte chunks as in 1 MB ones, and the same from UTF-16 or UTF-32 with a
  byte-order mark as from UTF-8; every record validates and renders (text, JSON line,
  report document checked against the schema) as the command would.
"""

from __future__ import annotations

import copy
import functools
import io
import json
import math
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from pc_validate import Report, Validator, load_rules, validate
from pc_validate import records as records_module
from pc_validate.bulk import Settings, validate_serially
from pc_validate.engine import redacted_pointer
from pc_validate.fix import repair
from pc_validate.inputs import Body, Unreadable, read_records
from pc_validate.model import CODES, SEVERITIES
from pc_validate.payload import PayloadError, encoding_of, parse
from pc_validate.render.text import render_result, render_summary
from pc_validate.report import Summary, document, dumps

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SCHEMA = ROOT / "pc_validate" / "schemas" / "report.schema.json"
CLOUDS = ("global", "21vianet", "usgov")
#: Marks fuzzed text put into a body under redaction: finding it in the report is a leak.
MARKER = "\u00a7pcv\u00a7"
#: Every how many reports the (slow) JSON Schema check runs.
SCHEMA_EVERY = 16

# --------------------------------------------------------------------------------------------
# What the fuzzer's bytes are turned into


class Draw:
    """Values drawn from the fuzzer's bytes, front to back; zeros once they run out.

    A small, deterministic stand-in for atheris.FuzzedDataProvider, so the targets behave
    the same under pytest (without atheris) as under the fuzzer.
    """

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def byte(self) -> int:
        if self.pos >= len(self.data):
            return 0
        self.pos += 1
        return self.data[self.pos - 1]

    def below(self, n: int) -> int:
        """A number in range(n)."""
        if n <= 1:
            return 0
        value = self.byte() if n <= 256 else self.byte() << 8 | self.byte()
        return value % n

    def flag(self) -> bool:
        return bool(self.byte() & 1)

    def pick(self, items: tuple[Any, ...] | list[Any]) -> Any:
        return items[self.below(len(items))]

    def chunk(self, size: int) -> bytes:
        part = self.data[self.pos : self.pos + size]
        self.pos += len(part)
        return part

    def text(self) -> str:
        """Fuzzed text: UTF-8 (invalid bytes become lone surrogates), UTF-16 code units
        (lone surrogates included) or Latin-1."""
        size = self.below(40)
        raw = self.chunk(size)
        mode = self.below(3)
        if mode == 0:
            return raw.decode("utf-8", "surrogateescape")
        if mode == 1:
            return raw[: len(raw) // 2 * 2].decode("utf-16-le", "surrogatepass")
        return raw.decode("latin-1")


def _strings_of(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings_of(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings_of(item)


@functools.cache
def validators() -> dict[str, Validator]:
    return {cloud: Validator(load_rules(cloud=cloud)) for cloud in CLOUDS}


@functools.cache
def vocabulary() -> tuple[str, ...]:
    """Values the rules know: every dataset, every market's codes, cultures, postal-code
    examples and state spellings, plus hand-picked near misses."""
    words: set[str] = set()
    for validator in validators().values():
        ruleset = validator.ruleset
        for values in ruleset.datasets.values():
            words.update(values)
        for code, market in ruleset.markets.items():
            words.add(code)
            words.update(str(c) for c in market.get("cultures", ()))
            words.update(str(p) for p in market.get("postal_examples", ()))
            for line in str(market.get("states", "")).splitlines():
                words.update(part for part in line.split("|") if part)
            if "name" in market:
                words.add(str(market["name"]))
    words.update(
        (
            "UK", "United Kingdom", "usa", "EN-us", "en-UK", "En", "pt-PT", "California",
            "Washington", "Ontario", "", " ", "\t", "\u00a0", "0", "00000", "98052-1234",
            "9805", "SW1A 1AA", "H3Z 2Y7", "10115", "+44 20 7946 0958", "425-555-0101",
            "425 555 0101", "(425) 555-0101", "4255550101", "+7 495 123-45-67", "7707083893",
            "77 0708 3893", "1027700132195", "11.222.333/0001-81", "11222333000181",
            "U72200KA2009PTC049889", "27AAPFU0939F1ZV", "ABCDE1234F", "91110000600037341L",
            "gena@wingtiptoys.com", "a@b", "a@b.c", "@", "x@localhost", "user@xn--bcher-kva.ch",
            "contoso.onmicrosoft.com", "contoso", "a.onmicrosoft.com", "onmicrosoft.com",
            "Wingtip Toys", "Contoso Ltd.", "Fabrikam GmbH", "Pty Ltd", "LLC", "Inc.",
            "One Microsoft Way", "Redmond", "Gena", "Soto", "true", "false", "null",
        )
    )  # fmt: skip
    for base in bases():
        words.update(s for s in _strings_of(base) if len(s) < 80)
    words.update(registration_numbers())
    return tuple(sorted(words))


def registration_numbers() -> list[str]:
    """A few of python-stdnum's example numbers for each country and kind the rules judge
    (tests/data/stdnum_examples.yaml), as the numbers are written there, some with spaces."""
    import yaml

    path = ROOT / "tests" / "data" / "stdnum_examples.yaml"
    if not path.exists():
        return []
    data = yaml.safe_load(path.read_text("utf-8"))
    found: list[str] = []
    for entry in data.get("kinds", ()):
        numbers = [str(n) for n in entry.get("numbers", ())]
        found += numbers[:3] + numbers[-3:]
    return found


@functools.cache
def field_names() -> tuple[str, ...]:
    names = {part for path in validators()["global"].ruleset.catalog.types for part in path}
    return tuple(sorted(names))


@functools.cache
def catalog_paths() -> tuple[tuple[str, ...], ...]:
    return tuple(sorted(p for p in validators()["global"].ruleset.catalog.types if p))


@functools.cache
def bases() -> tuple[dict[str, Any], ...]:
    """Bodies to mutate: the examples that are JSON objects and every JSON Lines record
    (among them a fully valid US body, the tests' VALID_US_PAYLOAD with another domain)."""
    found: list[dict[str, Any]] = []
    for path in sorted(EXAMPLES.glob("*/*.json")):
        try:
            body = parse(path.read_bytes())
        except PayloadError:
            continue
        if isinstance(body, dict):
            found.append(body)
    for line in (EXAMPLES / "bulk" / "customers.jsonl").read_text("utf-8").splitlines():
        try:
            body = parse(line)
        except PayloadError:
            continue  # the example holds a broken line on purpose
        if isinstance(body, dict):
            found.append(body)
    return tuple(found)


# --------------------------------------------------------------------------------------------
# Mutations of a valid body


def _value(draw: Draw, marked: bool, depth: int = 0) -> Any:
    """A JSON-ish value: mostly strings the rules know, else fuzzed text or other types."""
    kind = draw.below(20)
    if kind < 8:
        word: str = draw.pick(vocabulary())
        style = draw.below(6)
        if style == 1:
            word = word.upper()
        elif style == 2:
            word = word.lower()
        elif style == 3:
            word = draw.pick((" ", "\t", "\u00a0", "  ")) + word + draw.pick(("", " ", "\n"))
        return word
    if kind < 12:
        text = draw.text()
        if marked:
            cut = draw.below(len(text) + 1)
            text = text[:cut] + MARKER + text[cut:]
        return text
    if kind == 12:
        return draw.pick((0, 1, -1, 2**31, 98052, 10**40, 2**300, -(10**5)))
    if kind == 13:
        return draw.pick((0.5, -0.0, 1e308, 5e-324, math.inf, -math.inf, math.nan, 98052.0))
    if kind == 14:
        return draw.pick((True, False, None))
    if kind == 15:
        return draw.pick(vocabulary()) * (1 + draw.below(300))
    if depth >= 3:
        return None
    if kind < 18:
        return [_value(draw, marked, depth + 1) for _ in range(draw.below(4))]
    return {_key(draw): _value(draw, marked, depth + 1) for _ in range(draw.below(4))}


def _key(draw: Draw) -> str:
    name: str = draw.pick(field_names())
    style = draw.below(8)
    if style == 0:
        return name.upper()
    if style == 1:
        return name.lower()
    if style == 2 and len(name) > 1:  # a letter dropped
        cut = draw.below(len(name))
        return name[:cut] + name[cut + 1 :]
    if style == 3 and len(name) > 1:  # two letters swapped
        cut = draw.below(len(name) - 1)
        return name[:cut] + name[cut + 1] + name[cut] + name[cut + 2 :]
    if style == 4:  # any text; under redaction not even a key's text may reach the report
        return draw.text()
    if style == 5:
        suffix: str = draw.pick(("s", "_", " ", "1", "Name"))
        return name + suffix
    return name


def _find(node: dict[str, Any], name: str) -> str | None:
    """The key of `node` that spells `name` in any letter case (the first, as sent)."""
    if name in node:
        return name
    folded = name.casefold()
    return next((key for key in node if key.casefold() == folded), None)


def _parent(body: Any, path: tuple[str, ...], create: bool) -> dict[str, Any] | None:
    node = body
    for name in path[:-1]:
        if not isinstance(node, dict):
            return None
        key = _find(node, name)
        if key is None or not isinstance(node[key], dict):
            if not create:
                return None
            key = key or name
            node[key] = {}
        node = node[key]
    return node if isinstance(node, dict) else None


def _existing_paths(node: Any, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*prefix, key)
            yield from _existing_paths(value, (*prefix, key))


def mutate(draw: Draw, marked: bool) -> Any:
    """A valid body changed by up to 8 mutations the bytes choose."""
    body: Any = copy.deepcopy(draw.pick(bases()))
    for _ in range(1 + draw.below(8)):
        if not isinstance(body, dict):
            break
        existing = list(_existing_paths(body))
        path: tuple[str, ...] = (
            draw.pick(existing) if existing and draw.flag() else draw.pick(catalog_paths())
        )
        operation = draw.below(10)
        parent = _parent(body, path, create=operation < 3)
        if parent is None:
            continue
        key = _find(parent, path[-1])
        if operation < 3:  # set
            parent[key or path[-1]] = _value(draw, marked)
        elif key is None:
            continue
        elif operation == 3:  # drop
            del parent[key]
        elif operation == 4:  # rename in another letter case
            value = parent.pop(key)
            parent[draw.pick((key.upper(), key.lower(), key.swapcase(), key.title()))] = value
        elif operation == 5:  # the same field again, in another letter case
            parent[draw.pick((key.upper(), key.lower(), key.swapcase()))] = _value(draw, marked)
        elif operation == 6:  # a misspelt or unknown key next to it
            parent[_key(draw)] = _value(draw, marked)
        elif operation == 7:  # retyped
            old = parent[key]
            parent[key] = draw.pick(([old], {"value": old}, str(old)[:50], None, len(str(old))))
        elif operation == 8 and isinstance(parent[key], str) and len(parent[key]) < 4096:
            # lengthened (at most 400 KB: repeated mutations would otherwise grow it without
            # bound) or padded
            parent[key] = parent[key] * (2 + draw.below(100)) + draw.pick(("", " ", "\u200b"))
        elif operation == 9:  # the whole value replaced by a nested object or list
            parent[key] = _value(draw, marked, depth=1)
    if draw.below(32) == 0:  # a root that is not an object
        body = draw.pick(([body], [], "", None, 0, [body, body], {"customer": body}))
    return body


# --------------------------------------------------------------------------------------------
# Properties of a report


def resolve(document: Any, pointer: str, redact: bool = False) -> Any:
    """The value at a JSON Pointer (RFC 6901); KeyError/IndexError/TypeError when absent.
    Under redaction a token `*N` names an object's N-th key (engine.KeyNames)."""
    node = document
    if pointer == "":
        return node
    for token in pointer.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, list):
            if not token.isdigit():
                raise KeyError(token)
            node = node[int(token)]
        elif isinstance(node, dict) and redact and re.fullmatch(r"\*[1-9][0-9]*", token):
            node = list(node.values())[int(token[1:]) - 1]
        elif isinstance(node, dict):
            node = node[token]
        else:
            raise TypeError(pointer)
    return node


#: The text format's colours: the only control sequences it may hold.
_COLOURS = re.compile(r"\x1b\[(?:3[1-6]|0)m")
_UNSHOWN = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})


def assert_shown_safely(rendered: str) -> None:
    """Nothing a terminal would act on, and nothing that hides or reorders text, apart from
    line ends and the colours (report.printable escapes the rest)."""
    raw = {c for c in _COLOURS.sub("", rendered) if c != "\n"}
    assert not any(unicodedata.category(c) in _UNSHOWN for c in raw), rendered


@functools.cache
def _schema_validator() -> Any:
    import jsonschema  # type: ignore[import-untyped]  # checks reports (a fuzz extra)

    schema = json.loads(SCHEMA.read_text("utf-8"))
    checker: Any = jsonschema.Draft202012Validator(schema)
    return checker


_reports_seen = [0]


def check_schema(doc: Mapping[str, Any]) -> None:
    """Validate a report document against the published schema (every SCHEMA_EVERY calls)."""
    _reports_seen[0] += 1
    if _reports_seen[0] % SCHEMA_EVERY == 1:
        _schema_validator().validate(doc)


def check_report(report: Report, payload: Any, *, redact: bool) -> None:
    """Every contract a report keeps, whatever the payload. Under redaction the marker is
    nowhere, not even where a key holds it (no known field name does)."""
    assert isinstance(report, Report), report
    marker_hidden = redact
    for violation in report.violations:
        assert violation.code in CODES, violation
        assert violation.severity in SEVERITIES, violation
        assert isinstance(violation.message, str) and violation.message.strip(), violation
        assert violation.path == "" or violation.path.startswith("/"), violation
        if violation.rule != "payload.json":
            try:
                resolve(payload, violation.path, redact)
            except (KeyError, IndexError, TypeError):
                assert violation.code == "required", violation  # missing: parent + name
                resolve(payload, violation.path.rsplit("/", 1)[0], redact)
        if redact:
            data = violation.to_dict()
            assert "value" not in data, violation
            assert violation.suggestion is None, violation
            text = json.dumps(data, ensure_ascii=False)
            assert not marker_hidden or MARKER not in text, violation
    text = report.to_json()
    text.encode("utf-8")  # what the command writes must be writable as UTF-8
    rendered = render_result(report.result_dict("fuzz"), colour=bool(len(text) % 2))
    rendered.encode("utf-8")
    assert_shown_safely(rendered)
    if marker_hidden:
        assert MARKER not in rendered, rendered
    doc = json.loads(text)
    assert doc == json.loads(report.to_json(indent=None))
    assert doc == json.loads(json.dumps(report.to_dict(), allow_nan=False))
    check_schema(doc)


def _validate_both_ways(validator: Validator, payload: Any, redact: bool) -> Report:
    report = validator.validate(payload, redact=redact)
    check_report(report, payload, redact=redact)
    again = validator.validate(payload, redact=redact)
    assert again == report, "validate gave two reports for one payload"
    assert again.to_json() == report.to_json()
    return report


def _body(data: bytes) -> tuple[Any, bool, Validator, bool]:
    """The body the bytes stand for: themselves when they are JSON, else a mutated valid
    body; with the redaction switch and the validator (cloud) the bytes choose."""
    try:
        payload = parse(data)
    except PayloadError:
        draw = Draw(data)
        redact = draw.flag()
        cloud = draw.pick(CLOUDS)
        return mutate(draw, marked=redact), True, validators()[cloud], redact
    return payload, False, validators()["global"], False


# --------------------------------------------------------------------------------------------
# The targets


def validate_one(data: bytes) -> None:
    """validate(): never raises, keeps the report contract, same report twice, redaction."""
    payload, mutated, validator, redact = _body(data)
    report = validate(data)  # the bytes themselves, as the API takes them
    if mutated:  # not JSON: exactly one payload.json violation
        assert [v.rule for v in report.violations] == ["payload.json"], report
        check_report(report, None, redact=False)
    else:
        check_report(report, payload, redact=False)
        _validate_both_ways(validator, payload, redact=True)
        return
    before = copy.deepcopy(payload)
    _validate_both_ways(validator, payload, redact)
    if redact:  # the same findings, only the values withheld and unknown keys by position
        plain = validator.validate(payload)
        names: dict[int, Any] = {}
        catalog = validator.catalog
        assert sorted(
            (v.rule, redacted_pointer(catalog, payload, v.path, names), v.code)
            for v in plain.violations
        ) == sorted(
            (v.rule, v.path, v.code) for v in validator.validate(payload, redact=True).violations
        )
    assert payload == before, "validate changed the payload"


def fix_one(data: bytes) -> None:
    """repair(): never raises, leaves its argument alone, adds no violation, repairs for good."""
    payload, _, validator, _ = _body(data)
    before = copy.deepcopy(payload)
    try:
        result = repair(payload, validator=validator)
    except PayloadError:  # documented: a root that is text is parsed as JSON text
        assert isinstance(payload, str), payload
        return
    assert payload == before, "repair changed its argument"
    old = {(v.rule, v.path, v.code) for v in result.before.violations}
    new = {(v.rule, v.path, v.code) for v in result.after.violations}
    assert new <= old, f"repair brought up {sorted(new - old)}"
    if result.changes:
        assert len(new) < len(old), "a kept change must remove a violation"
        check_report(result.after, result.payload, redact=False)
        again = repair(result.payload, validator=validator)
        assert not again.changes, f"a second repair changed more: {again.changes}"
    assert validator.validate(result.payload) == result.after


def _record_key(record: Any) -> tuple[Any, ...]:
    """A record as comparable data (a Body's text parsed, as the workers parse it)."""
    if isinstance(record, Unreadable):
        return ("unreadable", record.where, record.reason, record.line, record.column)
    assert isinstance(record, Body)
    try:
        parsed: Any = ("body", record.parsed())
    except PayloadError as exc:
        parsed = ("not json", exc.reason, exc.line, exc.column)
    return ("record", record.where, parsed)


@functools.cache
def _csv_types() -> dict[str, str]:
    types = validators()["global"].ruleset.catalog.types
    return {".".join(path).lower(): kind for path, kind in types.items()}


def _read(data: bytes, fmt: str, chunk: int | None = None) -> list[Any]:
    """Every record of `data` read as `fmt` (with the readers' chunk size set to `chunk`)."""
    saved = records_module.CHUNK
    if chunk is not None:
        records_module.CHUNK = chunk
    try:
        return list(read_records(io.BytesIO(data), "fuzz", fmt, _csv_types()))
    finally:
        records_module.CHUNK = saved


def _head_verdict(data: bytes, chunk: int) -> tuple[str, bool]:
    """What the JSON reader, reading `chunk` bytes first, makes of the input's head: its
    encoding (or why it is refused: the guess of an unmarked UTF-16/32 text looks at the
    head) and whether it is an array. Chunk sizes are compared only where this agrees."""
    head = data[:chunk]
    try:
        encoding, skip = encoding_of(head)
    except PayloadError as exc:
        return exc.reason, False
    return encoding, head[skip:].decode(encoding, errors="ignore").lstrip(" \t\r\n")[:1] == "["


def _check_records(records: list[Any], fmt: str) -> None:
    """Records come in order, indexed from 0, each placed at a sensible line or row."""
    last_line = 1
    last_row = 0
    for index, record in enumerate(records):
        where = record.where
        assert where.input == "fuzz", record
        assert where.index == index, (record, index)
        if isinstance(record, Unreadable):
            assert record.reason.strip(), record
            assert record.line is None or record.line >= 1, record
            assert record.column is None or record.column >= 1, record
        elif fmt == "csv":
            assert isinstance(record.payload, dict) and record.payload, record
        if where.line is not None:
            assert where.line >= last_line, (record, last_line)
            last_line = where.line
        if fmt == "csv":
            assert where.row is not None and where.row > last_row, (record, last_row)
            last_row = where.row


def _agrees_with_parse(
    records: list[Any], data: bytes, whole: Any, error: PayloadError | None
) -> None:
    """The JSON reader reads what parse() reads: one value, or the elements of an array."""
    bodies = [r.payload for r in records if isinstance(r, Body)]
    if error is None and isinstance(whole, list) and (not records or records[0].where.line):
        assert len(bodies) == len(records) and bodies == whole, "array elements differ"
    elif error is None:
        assert len(records) == 1 and bodies == [whole], records
    elif records and records[0].where.line is None:  # read whole, as one value
        assert len(records) == 1, records
        record = records[0]
        assert isinstance(record, Unreadable), record
        assert record.reason == error.reason, (record, error)
        assert (record.line, record.column) == (error.line, error.column), (record, error)
    else:  # an array with elements that cannot be read: each is reported
        assert any(isinstance(r, Unreadable) for r in records), records


def _rendered(records: list[Any], redact: bool) -> None:
    """The records' results as the command prints them: text, JSON and JSON Lines."""
    summary = Summary(1)
    results = []
    for outcome in validate_serially(records, Settings(redact=redact), validators()["global"]):
        summary.add(outcome.result["status"], outcome.result["counts"])
        rendered = render_result(outcome.result)
        rendered.encode("utf-8")
        assert_shown_safely(rendered)
        dumps(outcome.result, indent=None).encode("utf-8")
        results.append(outcome.result)
    doc = document(results, summary)
    render_summary(summary.to_dict()).encode("utf-8")
    json.loads(dumps(doc))
    check_schema(doc)


def parsers_one(data: bytes) -> None:
    """payload.parse and the bulk readers: only PayloadError/Unreadable, never an exception;
    the readers agree with parse(), with themselves across chunk sizes and encodings."""
    error: PayloadError | None = None
    try:
        whole: Any = parse(data)
    except PayloadError as exc:
        whole, error = None, exc
        assert exc.reason.strip()
        assert exc.line is None or exc.line >= 1
        assert exc.column is None or exc.column >= 1
    try:
        text: str | None = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None and (
        text.startswith(("\ufeff", "\x00"))
        or {_head_verdict(data, 4)[0], _head_verdict(data, len(data))[0]} != {"utf-8"}
    ):
        # A byte-order mark of its own, or one that would read as UTF-32's, or text that
        # looks like unmarked UTF-16/32: bytes and str are rightly read differently.
        text = None
    if text is not None:
        try:
            assert parse(text) == whole and error is None, "str and bytes parse differently"
        except PayloadError as exc:
            assert error is not None, exc
            assert (exc.reason, exc.line, exc.column) == (error.reason, error.line, error.column)

    small = 4 + len(data) % 13
    for fmt in ("json", "jsonl", "csv"):
        records = _read(data, fmt)
        _check_records(records, fmt)
        keys = [_record_key(r) for r in records]
        if fmt == "json":
            _agrees_with_parse(records, data, whole, error)
        if fmt != "json" or _head_verdict(data, small) == _head_verdict(data, len(data) + 4):
            chunked = [_record_key(r) for r in _read(data, fmt, small)]
            assert chunked == keys, "chunk size"
        if text is not None:
            bodies = [k for k in keys if k[2][0] == "body"]
            for encoding, bom in (("utf-16-le", b"\xff\xfe"), ("utf-32-be", b"\0\0\xfe\xff")):
                other = [_record_key(r) for r in _read(bom + text.encode(encoding), fmt)]
                assert [k for k in other if k[2][0] == "body"] == bodies, (fmt, encoding)
        _rendered(records, redact=len(data) % 2 == 1)


TARGETS: dict[str, Callable[[bytes], None]] = {
    "validate": validate_one,
    "fix": fix_one,
    "parsers": parsers_one,
}
