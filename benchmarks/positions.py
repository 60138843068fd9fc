"""What finding violations' lines and columns costs a bulk run (issue 15 item 1).

    python benchmarks/positions.py                 # 20,000 records, best of 5
    python benchmarks/positions.py --records 100000 --repeat 3

The benchmark corpus (30 % invalid records) is written as JSON Lines, as a JSON array and
as CSV; each is read and validated in this process (bulk.validate_serially, --jobs 1) with
positions off (Settings(), what json and jsonl do without --positions) and on (what the
other formats do), the two in turn, best of --repeat runs each.
The table shows records per second and what positions add, in per cent.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from corpus import bodies  # noqa: E402


def _flat(value: Any, prefix: str = "") -> dict[str, str]:
    cells: dict[str, str] = {}
    for key, item in value.items():
        name = f"{prefix}{key[:1].lower()}{key[1:]}"  # one column per field, whatever the case
        if isinstance(item, dict):
            cells.update(_flat(item, name + "."))
        else:
            cells[name] = "" if item is None else str(item).lower() if item is True else str(item)
    return cells


def inputs(count: int) -> dict[str, bytes]:
    records = [body for body in bodies(count) if isinstance(body, dict)]
    as_csv = io.StringIO()
    rows = [_flat(body) for body in records]
    columns = sorted({name for row in rows for name in row})
    writer = csv.DictWriter(as_csv, columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return {
        "jsonl": "".join(json.dumps(body) + "\n" for body in records).encode(),
        "json": json.dumps(records, indent=2).encode(),
        "csv": as_csv.getvalue().encode(),
    }


def timed(data: bytes, fmt: str, repeat: int) -> tuple[float, float]:
    """Best seconds with positions off and on, the two runs taken in turn (the load of a
    shared machine then weighs on both alike)."""
    from pc_validate import bulk
    from pc_validate.api import validator_for
    from pc_validate.inputs import read_records
    from pc_validate.model import fold
    from pc_validate.rules import load_rules

    validator = validator_for((), (), "global")
    types = {fold(".".join(path)): kind for path, kind in load_rules().catalog.types.items()}
    best = {False: float("inf"), True: float("inf")}
    for _ in range(repeat):
        for positions in (False, True):
            settings = bulk.Settings(positions=positions)
            start = time.perf_counter()
            records = read_records(io.BytesIO(data), "input", fmt, types)
            for _outcome in bulk.validate_serially(records, settings, validator):
                pass
            best[positions] = min(best[positions], time.perf_counter() - start)
    return best[False], best[True]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"{args.records:,} records, best of {args.repeat}, --jobs 1")
    print(f"{'input':<6} {'off rec/s':>10} {'on rec/s':>10} {'cost':>7}")
    for fmt, data in inputs(args.records).items():
        off, on = timed(data, fmt, args.repeat)
        print(
            f"{fmt:<6} {args.records / off:>10,.0f} {args.records / on:>10,.0f} "
            f"{(on / off - 1) * 100:>6.1f}%"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
