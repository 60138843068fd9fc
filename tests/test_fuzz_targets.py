"""The fuzz targets keep working: each runs over its seed corpus (fuzz/corpus/<target>/) and
over some pseudo-random inputs, without atheris, as CI runs them.

The seeds include every finding the fuzzer made, so each is a regression test too. The
fuzzing itself is `python fuzz/run.py TARGET` (see README.md, "Fuzzing").
"""

from __future__ import annotations

import importlib.util
import io
import json
import random
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from pc_validate import records as records_module
from pc_validate.inputs import Body, read_records
from pc_validate.payload import PayloadError

FUZZ = Path(__file__).resolve().parents[1] / "fuzz"
TARGET_NAMES = ("validate", "fix", "parsers")


def _load(name: str) -> ModuleType:
    """A module of fuzz/ loaded from its file, with atheris made unimportable."""
    spec = importlib.util.spec_from_file_location(f"fuzz_{name}", FUZZ / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    saved = sys.modules.get("atheris")
    sys.modules["atheris"] = None  # type: ignore[assignment]  # import atheris -> ImportError
    try:
        spec.loader.exec_module(module)
    finally:
        if saved is None:
            del sys.modules["atheris"]
        else:
            sys.modules["atheris"] = saved
    return module


@pytest.fixture(scope="module")
def targets() -> ModuleType:
    return _load("targets")


def _seeds(target: str) -> list[Path]:
    return sorted((FUZZ / "corpus" / target).iterdir())


def test_every_target_has_seeds(targets: ModuleType) -> None:
    assert set(targets.TARGETS) == set(TARGET_NAMES)
    for name in TARGET_NAMES:
        assert len(_seeds(name)) >= 5, name


@pytest.mark.parametrize("name", TARGET_NAMES)
def test_target_passes_its_seed_corpus(targets: ModuleType, name: str) -> None:
    for seed in _seeds(name):
        targets.TARGETS[name](seed.read_bytes())


@pytest.mark.parametrize("name", TARGET_NAMES)
def test_target_passes_random_inputs(targets: ModuleType, name: str) -> None:
    """Bytes that are not JSON steer mutations of valid bodies: a quick sample of them."""
    rng = random.Random(name)
    for _ in range(100):
        targets.TARGETS[name](rng.randbytes(rng.randrange(1, 300)))


def test_mutations_reach_past_the_valid_bodies(targets: ModuleType) -> None:
    """The mutations make bodies the rules find fault with, in many ways (else the fuzzer
    would only ever see valid bodies)."""
    rng = random.Random(7)
    rules: set[str] = set()
    validator = targets.validators()["global"]
    for _ in range(300):
        body = targets.mutate(targets.Draw(rng.randbytes(120)), marked=False)
        rules |= {v.rule for v in validator.validate(body).violations}
    assert len(rules) >= 25, sorted(rules)


def test_targets_report_a_broken_property(targets: ModuleType, monkeypatch: Any) -> None:
    """Guard: a target fails when what it checks goes wrong (here: a report that changes
    from one call to the next)."""
    from pc_validate import Report, Validator

    calls = iter(range(10**6))
    real = Validator.validate

    def unstable(self: Validator, payload: Any, **options: Any) -> Report:
        report = real(self, payload, **options)
        return Report(report.violations[: next(calls) % 2 or None])

    monkeypatch.setattr(Validator, "validate", unstable)
    bad = (FUZZ / "corpus" / "validate" / "invalid-us-bad-state-and-zip.json").read_bytes()
    with pytest.raises(AssertionError):
        targets.validate_one(bad)


def test_runner_says_how_to_install_atheris(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    run = _load("run")
    monkeypatch.setitem(sys.modules, "atheris", None)  # import atheris -> ImportError
    assert run.main(["validate"]) == 2
    assert "pip install -e '.[fuzz]'" in capsys.readouterr().err


# --- findings of the fuzzer, fixed ------------------------------------------------------------


def _jsonl(data: bytes) -> list[Any]:
    found: list[Any] = []
    for record in read_records(io.BytesIO(data), "x", "jsonl"):
        try:
            found.append((record.where.line, record.parsed() if isinstance(record, Body) else None))
        except PayloadError:
            found.append((record.where.line, "unreadable"))
    return found


def test_json_lines_split_on_cr_alike_in_every_encoding() -> None:
    text = '{"a":\r 1}\n{"b": 2}\n'
    utf8 = _jsonl(text.encode("utf-8"))
    assert utf8 == [(1, {"a": 1}), (2, {"b": 2})]
    assert _jsonl(b"\xff\xfe" + text.encode("utf-16-le")) == utf8


def test_json_array_escape_cut_by_a_chunk_boundary() -> None:
    """A valid export over 1 MB written with json.dumps' default ensure_ascii=True (every
    non-ASCII letter a \\uXXXX escape), the read boundary inside "Z\\u00fcrich"."""
    pad = json.dumps({"billingProfile": {"companyName": "a" * (records_module.CHUNK // 2)}})
    prefix = f'[{pad}, {{"billingProfile": {{"defaultAddress": {{"city": "Z'
    cut = records_module.CHUNK - len(prefix.encode()) - 3  # the boundary falls after "\\u0"
    data = (prefix + "y" * cut + '\\u00fcrich"}}}]').encode()
    assert data[records_module.CHUNK - 3 : records_module.CHUNK + 3] == b"\\u00fc"
    records = list(read_records(io.BytesIO(data), "x", "json"))
    assert [type(r).__name__ for r in records] == ["Body", "Body"], records


def test_json_array_number_cut_by_a_chunk_boundary() -> None:
    pad = json.dumps({"billingProfile": {"companyName": "a" * (records_module.CHUNK // 2)}})
    prefix = f"[{pad}, "
    spaces = records_module.CHUNK - len(prefix.encode()) - 3  # the boundary falls after "12."
    data = (prefix + " " * spaces + '12.5, {"companyProfile": {}}]').encode()
    assert data[records_module.CHUNK - 3 : records_module.CHUNK + 1] == b"12.5"
    records = list(read_records(io.BytesIO(data), "x", "json"))
    assert [getattr(r, "payload", None) for r in records][1:] == [12.5, {"companyProfile": {}}]


_CUT_PRONE_ARRAY = json.dumps(
    [
        {"city": "Z\u00fcrich", "name": "\U0001f600 \u00e9t\u00e9", "n": -12.5e3},
        12.5,
        -0.25e-2,
        1e5,
        -7,
        '\u0041\\"\u00fc',
        [3.0, 4e-1, True, None],
    ],
    ensure_ascii=True,
)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-32"])
def test_json_array_read_alike_at_every_chunk_size(
    encoding: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every read boundary, inside each \\uXXXX escape, surrogate pair and number, gives
    the elements json.loads gives."""
    expected = json.loads(_CUT_PRONE_ARRAY)
    data = _CUT_PRONE_ARRAY.encode(encoding)
    for chunk in range(4, len(data) + 1):
        monkeypatch.setattr(records_module, "CHUNK", chunk)
        records = list(read_records(io.BytesIO(data), "x", "json"))
        found = [getattr(record, "payload", record) for record in records]
        assert found == expected, (chunk, found)
