"""pc-validate against its peers, side by side in one run, on a corpus of realistic records.

    pip install '.[bench]'
    python benchmarks/run.py                      # first-sight and warm tables, cold start
    python benchmarks/run.py --bulk 1000000       # plus the 1,000,000-record JSON Lines run
    python benchmarks/run.py --python .venv/bin/python   # cold start with that interpreter

The corpus is benchmarks/realistic.py: every email, phone number, registration number and
domain unique, every market, many scripts, 30 % invalid. Two modes, each reporting mean,
median and p90 µs per payload for valid and invalid records apart, and each validator's mean
as a multiple of pc-validate's:

- first sight (what users see): each record is validated once by each validator, after a
  warm-up on --warmup other records of the corpus (imports, compiled rules and the values
  that repeat across customers, such as countries and cultures, are warm; no cache has seen
  a timed record's own values). The validators take turns per record, each record starting
  with the next one, so load on the machine falls on all of them alike;
- warm: each validator in turn checks the first --warm-count of those records --repeat
  times, and the best time of each record is kept: from the second run on, pc-validate's
  value caches (WARM_CACHES, and the functools caches listed after the table) answer. The
  default 1,000 fits every cache; over a few thousand unique records they forget (a full
  memo.Bounded empties, an LRU cycles) or stop remembering (memo.remembering_pays), and
  "warm" figures would be first-sight ones.

`json.loads` of the same records as JSON is the floor. Cold start is the median wall time of
`pc-validate check` on one small body, and of `python -c pass`, both with --python (default:
this interpreter, sys.executable, never a version manager's shim). Bulk is the wall time and
the peak memory of all processes together (sampled from /proc) of `pc-validate check
--format jsonl --jobs 2` over the corpus written as JSON Lines, and over its first tenth.
The load average (os.getloadavg, 1 minute) is printed beside every figure: the machine is
shared, so figures taken under load are slower.
"""

from __future__ import annotations

import argparse
import functools
import gc
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from itertools import islice
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from peers import PEERS, RULES_EXPRESSED  # noqa: E402
from realistic import Record, records, write_jsonl  # noqa: E402

#: The memo.Bounded caches of pc-validate that hold values and shapes between payloads (the
#: warm mode's second run finds its answers there; first sight finds only what repeats
#: across customers: shapes, countries, cultures, states).
WARM_CACHES = (
    ("screen: clean values per field", "pc_validate/screen.py, clean_values (MEMO_KEPT "
     "per field; a field stops remembering after MEMO_TRIAL look-ups if under 1 in 4 hit)"),
    ("screen: key index per object shape", "pc_validate/screen.py, _shape_learner"),
    ("screen: `when` clauses per condition text", "pc_validate/screen.py, _clause_learner"),
    ("screen: Flagged per set of fields", "pc_validate/screen.py, _flagged_fields"),
    ("plan: field outcomes per value", "pc_validate/plan.py, outcomes (same trial rule)"),
    ("engine: cleaned values", "pc_validate/engine.py, Validator._cleaned"),
    ("engine: written violations", "pc_validate/engine.py, Validator._violations"),
    ("key index per object shape", "pc_validate/index.py, _SHAPES"),
    ("key checks per path and shape", "pc_validate/checks/keys.py, _by_shape"),
    ("state look-ups per market", "pc_validate/markets.py, Market._found"),
)  # fmt: skip

Check = Callable[[Any], Any]


def _load() -> float:
    return os.getloadavg()[0]


@dataclass
class Row:
    """The times of one validator on one mode's records, in nanoseconds, by record."""

    name: str
    note: str
    times: list[float]
    load: float


def _stats(times: list[float]) -> tuple[float, float, float]:
    """(mean, median, p90) in µs."""
    p90 = statistics.quantiles(times, n=10)[8] if len(times) > 1 else times[0]
    return statistics.fmean(times) / 1000, statistics.median(times) / 1000, p90 / 1000


def _validators() -> list[tuple[str, str, Check | None]]:
    """(name, what it checks, check) of pc-validate and each peer; check None when the peer
    is not installed (the note says which package)."""
    from pc_validate import default_validator

    validator = default_validator()
    rules = len(validator.ruleset.enabled_rules)
    out: list[tuple[str, str, Check | None]] = [
        ("pc-validate validate()", f"all {rules} default rules", validator.validate)
    ]
    for name, make in PEERS.items():
        try:
            out.append((name, RULES_EXPRESSED, make()))
        except ImportError as exc:
            out.append((name, f"not installed ({exc.name})", None))
    return out


def first_sight(
    timed: list[Record], warmup: list[Record], validators: list[tuple[str, str, Check | None]]
) -> list[Row]:
    """Each timed record once per validator, the validators taking turns, after a warm-up."""
    texts = [json.dumps(record.body, ensure_ascii=False) for record in timed]
    checks: list[tuple[str, str, Check, bool]] = [
        ("json.loads (floor)", "parses only", json.loads, True)
    ]
    checks += [(name, note, check, False) for name, note, check in validators if check]
    for record in warmup:
        text = json.dumps(record.body, ensure_ascii=False)
        for _, _, check, parses in checks:
            check(text if parses else record.body)
    times: list[list[float]] = [[0.0] * len(timed) for _ in checks]
    loads = [_load()]
    clock = time.perf_counter_ns
    turns = len(checks)
    for index, record in enumerate(timed):
        for turn in range(turns):
            which = (index + turn) % turns
            check, parses = checks[which][2], checks[which][3]
            item = texts[index] if parses else record.body
            start = clock()
            check(item)
            times[which][index] = clock() - start
        if index % 1000 == 999:
            loads.append(_load())
    load = statistics.fmean(loads)
    return [Row(name, note, t, load) for (name, note, _, _), t in zip(checks, times, strict=True)]


def warm(
    timed: list[Record], validators: list[tuple[str, str, Check | None]], repeat: int
) -> list[Row]:
    """Each validator in turn over every record `repeat` times; the best time per record."""
    texts = [json.dumps(record.body, ensure_ascii=False) for record in timed]
    rows = []
    clock = time.perf_counter_ns
    plan: list[tuple[str, str, Check, list[Any]]] = [
        ("json.loads (floor)", "parses only", json.loads, texts)
    ]
    plan += [(n, note, c, [r.body for r in timed]) for n, note, c in validators if c]
    for name, note, check, items in plan:
        loads = [_load()]
        best = [float("inf")] * len(items)
        for _ in range(repeat):
            for index, item in enumerate(items):
                start = clock()
                check(item)
                took = clock() - start
                if took < best[index]:
                    best[index] = took
            loads.append(_load())
        rows.append(Row(name, note, best, statistics.fmean(loads)))
    return rows


def _table(title: str, rows: list[Row], timed: list[Record], skipped: list[str]) -> None:
    valid = [i for i, record in enumerate(timed) if record.mistake is None]
    invalid = [i for i, record in enumerate(timed) if record.mistake is not None]
    ours = next(row for row in rows if row.name.startswith("pc-validate"))
    print(f"\n## {title}\n")
    print(f"{len(timed):,} records: {len(valid):,} valid, {len(invalid):,} invalid.\n")
    print(
        "| validator | records | mean µs | median µs | p90 µs | mean, times pc-validate's "
        "| load avg |"
    )
    print("|---|---|---:|---:|---:|---:|---:|")
    for label, subset in (("all", None), ("valid", valid), ("invalid", invalid)):
        base = _stats(ours.times if subset is None else [ours.times[i] for i in subset])[0]
        for row in rows:
            times = row.times if subset is None else [row.times[i] for i in subset]
            if not times:
                continue
            mean, median, p90 = _stats(times)
            print(
                f"| {row.name} | {label} | {mean:.1f} | {median:.1f} | {p90:.1f} "
                f"| {mean / base:.2f} | {row.load:.2f} |"
            )
    print(f"\nThe peers check: {RULES_EXPRESSED}; pc-validate: {ours.note}.")
    for line in skipped:
        print(f"- {line}")


def _lru_caches() -> dict[str, tuple[int, int, int]]:
    """pc-validate's functools caches: name -> (hits, misses, entries)."""
    out = {}
    for obj in gc.get_objects():
        if isinstance(obj, functools._lru_cache_wrapper) and getattr(
            obj, "__module__", ""
        ).startswith("pc_validate"):
            info = obj.cache_info()
            name = f"{obj.__module__}.{obj.__qualname__}"
            hits, misses, size = out.get(name, (0, 0, 0))
            out[name] = (hits + info.hits, misses + info.misses, size + info.currsize)
    return out


def _print_caches(before: dict[str, tuple[int, int, int]]) -> None:
    after = _lru_caches()
    print("\nThe warm figures rely on these caches of values (memo.Bounded):\n")
    for name, where in WARM_CACHES:
        print(f"- {name} ({where})")
    print("\nand on these functools caches (hits during the warm runs; data loaders too):\n")
    print("| cache | hits | misses | entries |")
    print("|---|---:|---:|---:|")
    rows = []
    for name, (hits, misses, size) in after.items():
        old = before.get(name, (0, 0, 0))
        rows.append((hits - old[0], misses - old[1], size, name))
    for hits, misses, size, name in sorted(rows, reverse=True):
        if hits:
            print(f"| {name} | {hits:,} | {misses:,} | {size:,} |")


def in_process(count: int, warmup: int, repeat: int, modes: list[str], warm_count: int) -> None:
    corpus = list(records(warmup + count))
    warm_up, timed = corpus[:warmup], corpus[warmup:]
    validators = _validators()
    skipped = [f"{name}: {note}" for name, note, check in validators if check is None]
    if "first-sight" in modes:
        rows = first_sight(timed, warm_up, validators)
        _table(
            f"First sight: each record once, after a warm-up on {warmup:,} others, "
            "validators in turn per record",
            rows,
            timed,
            skipped,
        )
    if "warm" in modes:
        before = _lru_caches()
        kept = timed[:warm_count]
        rows = warm(kept, validators, repeat)
        _table(
            f"Warm: best of {repeat} runs over the first {len(kept):,} of the same records",
            rows,
            kept,
            skipped,
        )
        _print_caches(before)


def _command(python: str) -> list[str]:
    """The console script installed beside `python` (never one found on PATH, which may be a
    version manager's shim with its own start-up), else `python -m pc_validate`."""
    beside = Path(python).with_name("pc-validate")
    if beside.exists():
        return [str(beside)]
    return [python, "-m", "pc_validate"]


def cold_start(python: str, runs: int) -> tuple[list[str], float, float, float]:
    """(the command, median wall seconds of `pc-validate check` on one small body, of
    `python -c pass`, the mean load average meanwhile)."""
    sample = HERE.parent / "examples" / "valid" / "seed-de-2023.json"
    loads = [_load()]

    def median_of(argv: list[str]) -> float:
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
            times.append(time.perf_counter() - start)
            loads.append(_load())
        return statistics.median(times)

    argv = [*_command(python), "check", str(sample)]
    check = median_of(argv)
    bare = median_of([python, "-c", "pass"])
    return argv, check, bare, statistics.fmean(loads)


def _tree_rss(pid: int) -> int:
    """Resident memory of a process and all its descendants, in bytes (Linux /proc)."""
    total = 0
    pending = [pid]
    seen: set[int] = set()
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        try:
            with open(f"/proc/{current}/statm") as handle:
                total += int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            with open(f"/proc/{current}/task/{current}/children") as handle:
                pending.extend(int(child) for child in handle.read().split())
        except (OSError, ValueError):
            continue
    return total


def bulk(python: str, path: Path, jobs: int) -> tuple[float, int, int, float]:
    """(wall seconds, peak bytes of all processes together, exit status, mean load average)
    of one bulk run."""
    argv = [*_command(python), "check", "--format", "jsonl", "--jobs", str(jobs), str(path)]
    peak = 0
    loads = [_load()]
    start = time.perf_counter()
    with subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) as proc:
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            ticks = 0
            while not done.is_set():
                peak = max(peak, _tree_rss(proc.pid))
                ticks += 1
                if ticks % 50 == 0:
                    loads.append(_load())
                time.sleep(0.02)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        status = proc.wait()
        done.set()
        sampler.join()
    return time.perf_counter() - start, peak, status, statistics.fmean(loads)


def bulk_runs(python: str, count: int, jobs: int) -> None:
    """The corpus as JSON Lines (streamed to disk), then its first tenth, each checked."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"realistic-{count}.jsonl"
        start = time.perf_counter()
        with path.open("w", encoding="utf-8") as out:
            write_jsonl(out, count)
        made = time.perf_counter() - start
        tenth = max(count // 10, 1)
        head = Path(tmp) / f"realistic-{tenth}.jsonl"
        with path.open(encoding="utf-8") as source, head.open("w", encoding="utf-8") as out:
            out.writelines(islice(source, tenth))
        print(f"\n## Bulk: the realistic corpus as JSON Lines, --format jsonl --jobs {jobs}\n")
        print(f"{count:,} records written in {made:.0f} s ({path.stat().st_size / 1e6:.0f} MB).\n")
        print("| records | wall s | records per second | peak MB, all processes | load avg |")
        print("|---:|---:|---:|---:|---:|")
        for size, file in sorted({(tenth, head), (count, path)}):
            wall, peak, status, load = bulk(python, file, jobs)
            failed = "" if status in (0, 1) else f" (exit {status})"
            print(
                f"| {size:,} | {wall:.1f}{failed} | {size / wall:,.0f} | {peak / 1e6:.0f} "
                f"| {load:.2f} |"
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--count", type=int, default=20_000, help="records timed in process")
    parser.add_argument("--warmup", type=int, default=2_000, help="records of the warm-up")
    parser.add_argument("--repeat", type=int, default=3, help="warm mode: runs, best kept")
    parser.add_argument(
        "--warm-count",
        type=int,
        default=1_000,
        help="warm mode: records (few enough for every value cache to keep them all)",
    )
    parser.add_argument(
        "--modes", default="first-sight,warm", help="in process: first-sight, warm or both"
    )
    parser.add_argument("--cold-runs", type=int, default=21)
    parser.add_argument(
        "--python", default=sys.executable, help="interpreter for cold start and bulk"
    )
    parser.add_argument("--bulk", type=int, default=0, help="records for the bulk run (0: skip)")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    modes = [mode.strip() for mode in args.modes.split(",") if mode.strip()]
    if not set(modes) <= {"first-sight", "warm"}:
        parser.error(f"--modes: first-sight, warm or both, not {args.modes!r}")
    python = shutil.which(args.python) or args.python

    print(
        f"# pc-validate benchmark, {date.today()}, Python {platform.python_version()} "
        f"({sys.executable}), {platform.machine()}, {os.cpu_count()} cores, "
        f"load average {_load():.2f}"
    )
    if modes and args.count:
        in_process(args.count, args.warmup, args.repeat, modes, args.warm_count)

    if args.cold_runs:
        command, check, bare, load = cold_start(python, args.cold_runs)
        print(f"\n## Cold start (median of {args.cold_runs}, load avg {load:.2f})\n")
        print(f"- `{' '.join(command)}`: {check * 1000:.0f} ms")
        print(f"- `{python} -c pass`: {bare * 1000:.0f} ms")

    if args.bulk:
        bulk_runs(python, args.bulk, args.jobs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
