"""pc-validate against its peers, side by side in one run, on the same corpus.

    pip install '.[bench]'
    python benchmarks/run.py                      # in-process table and cold start
    python benchmarks/run.py --bulk 1000000       # plus the 1,000,000-record JSON Lines run

In-process: every validator checks every body of the corpus (benchmarks/corpus.py, parsed
once); each body is timed alone, the best of --repeat runs kept, and the table shows the
median µs per body, bodies per second over the whole corpus, and each peer's median as a
multiple of pc-validate's. `json.loads` of the same bodies is the floor. Cold start is the
median wall time of the command on one small body. Bulk is the wall time and the peak
memory of all processes together (sampled from /proc) of `pc-validate check --format jsonl
--jobs 2` over a generated JSON Lines file, and the same for a tenth of it.
"""

from __future__ import annotations

import argparse
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
from datetime import date
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from corpus import bodies, write_jsonl  # noqa: E402
from peers import PEERS, RULES_EXPRESSED  # noqa: E402


def _time_each(check: Callable[[Any], Any], items: list[Any], repeat: int) -> tuple[float, float]:
    """(median µs per item, items per second) with the best of `repeat` runs per item."""
    best = [float("inf")] * len(items)
    clock = time.perf_counter_ns
    total_best = float("inf")
    for _ in range(repeat):
        start_all = clock()
        for index, item in enumerate(items):
            start = clock()
            check(item)
            took = clock() - start
            if took < best[index]:
                best[index] = took
        total_best = min(total_best, clock() - start_all)
    return statistics.median(best) / 1000, len(items) / (total_best / 1e9)


def in_process(count: int, repeat: int) -> list[tuple[str, float, float, str]]:
    from pc_validate import default_validator

    payloads = list(bodies(count))
    texts = [json.dumps(body, ensure_ascii=False) for body in payloads]
    validator = default_validator()
    rows: list[tuple[str, float, float, str]] = []
    median, rate = _time_each(json.loads, texts, repeat)
    rows.append(("json.loads (floor)", median, rate, "parses only"))
    median, rate = _time_each(validator.validate, payloads, repeat)
    rules = len(validator.ruleset.enabled_rules)
    rows.append(("pc-validate validate()", median, rate, f"all {rules} default rules"))
    # Where the median falls: bodies without any violation cost the generated screen alone,
    # the others also the interpreter (pc_validate/screen.py).
    flags = [bool(validator.validate(body).violations) for body in payloads]
    clean = [body for body, flagged in zip(payloads, flags, strict=True) if not flagged]
    flagged = [body for body, flagged in zip(payloads, flags, strict=True) if flagged]
    for label, subset in (("without violations", clean), ("with violations", flagged)):
        median, rate = _time_each(validator.validate, subset, repeat)
        share = f"{len(subset):,} of the {len(payloads):,} bodies"
        rows.append((f"… pc-validate on bodies {label}", median, rate, share))
    for name, make in PEERS.items():
        try:
            check = make()
        except ImportError as exc:
            rows.append((name, float("nan"), float("nan"), f"not installed ({exc.name})"))
            continue
        median, rate = _time_each(check, payloads, repeat)
        rows.append((name, median, rate, RULES_EXPRESSED))
    return rows


def _command() -> list[str]:
    """The console script installed with this Python (not a version manager's shim, which
    adds its own start-up), else `python -m pc_validate`."""
    beside = Path(sys.executable).with_name("pc-validate")
    if beside.exists():
        return [str(beside)]
    script = shutil.which("pc-validate")
    return [script] if script else [sys.executable, "-m", "pc_validate"]


def cold_start(runs: int) -> tuple[float, float]:
    """Median wall seconds of `pc-validate check` on one small body, and of `python -c pass`."""
    sample = HERE.parent / "examples" / "valid" / "seed-de-2023.json"

    def median_of(argv: list[str]) -> float:
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    return median_of([*_command(), "check", str(sample)]), median_of([sys.executable, "-c", "pass"])


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


def bulk(path: Path, jobs: int) -> tuple[float, int, int]:
    """(wall seconds, peak bytes of all processes together, exit status) of one bulk run."""
    argv = [*_command(), "check", "--format", "jsonl", "--jobs", str(jobs), str(path)]
    peak = 0
    start = time.perf_counter()
    with subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) as proc:
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, _tree_rss(proc.pid))
                time.sleep(0.02)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        status = proc.wait()
        done.set()
        sampler.join()
    return time.perf_counter() - start, peak, status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--count", type=int, default=5_000, help="bodies in process")
    parser.add_argument("--repeat", type=int, default=3, help="runs per body; best kept")
    parser.add_argument("--cold-runs", type=int, default=21)
    parser.add_argument("--bulk", type=int, default=0, help="records for the bulk run (0: skip)")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)

    print(
        f"# pc-validate benchmark, {date.today()}, Python {platform.python_version()}, "
        f"{platform.machine()}, {os.cpu_count()} cores"
    )
    rows = in_process(args.count, args.repeat)
    ours = next(r for r in rows if r[0].startswith("pc-validate"))[1]
    floor = rows[0][1]
    print(
        f"\n## In process: {args.count:,} bodies (the corpus makes 30 % invalid on purpose), "
        f"best of {args.repeat}\n"
    )
    print("| validator | median µs per body | bodies per second | times pc-validate's | rules |")
    print("|---|---:|---:|---:|---|")
    for name, median, rate, rules in rows:
        ratio = median / ours if median == median else float("nan")
        print(f"| {name} | {median:.1f} | {rate:,.0f} | {ratio:.2f} | {rules} |")
    print(f"\npc-validate's median is {ours / floor:.1f} times json.loads's.")

    command, python = cold_start(args.cold_runs)
    print(f"\n## Cold start (median of {args.cold_runs})\n")
    print(f"- `pc-validate check` on one body: {command * 1000:.0f} ms")
    print(f"- `python -c pass`: {python * 1000:.0f} ms")

    if args.bulk:
        with tempfile.TemporaryDirectory() as tmp:
            print(f"\n## Bulk: JSON Lines (30 % made invalid), --jobs {args.jobs}\n")
            print("| records | wall s | records per second | peak MB, all processes |")
            print("|---:|---:|---:|---:|")
            for count in sorted({max(args.bulk // 10, 1), args.bulk}):
                path = Path(tmp) / f"corpus-{count}.jsonl"
                with path.open("w", encoding="utf-8") as out:
                    write_jsonl(out, count)
                wall, peak, _ = bulk(path, args.jobs)
                print(f"| {count:,} | {wall:.1f} | {count / wall:,.0f} | {peak / 1e6:.0f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
