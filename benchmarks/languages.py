"""What a language costs: validate() in English and in German over the same bodies.

    PYTHONPATH=$PWD python benchmarks/languages.py [--count 2000] [--repeat 5]

Bodies: examples/ (valid and invalid) and benchmarks/corpus.py. Three modes: warm (the
shared validator as `validate()` uses it, the bodies validated again and again), first sight
(a fresh validator warmed up on other bodies, then each body validated once, as issue 14's
benchmark does) and nothing remembered (`Validator(..., remember=False)`: every violation
written afresh, the most a language can cost). The best of --repeat passes is kept, in CPU
time; the table gives the total per mode and language, and German's cost over English. Run
it with another checkout on PYTHONPATH (--english-only) to compare the English path.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from corpus import bodies  # noqa: E402


def _examples() -> list[Any]:
    found = []
    for path in sorted((HERE.parent / "examples").rglob("*.json")):
        try:
            found.append(json.loads(path.read_text(encoding="utf-8")))
        except ValueError:
            continue  # the unparsable examples: parsing is not what this measures
    return found


def _total(check: Callable[[Any], Any], items: list[Any], repeat: int) -> float:
    """CPU seconds for one pass over all items, the best of `repeat` passes (CPU time: on a
    shared machine, wall time mostly measures the neighbours)."""
    clock = time.process_time
    passes = []
    for _ in range(repeat):
        start = clock()
        for item in items:
            check(item)
        passes.append(clock() - start)
    return min(passes)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--english-only", action="store_true")
    args = parser.parse_args(argv)
    from pc_validate import load_rules
    from pc_validate.engine import Validator

    payloads = _examples() + list(bodies(args.count))
    others = list(bodies(args.count, seed=7))  # the warm-up of the first-sight mode
    ruleset = load_rules()
    languages = ["en"] if args.english_only else ["en", "de"]
    print(f"{len(payloads)} bodies, best of {args.repeat}")
    for mode in ("warm", "first sight", "nothing remembered"):
        totals = {}
        for lang in languages:
            if mode == "first sight":
                best = float("inf")
                for _ in range(args.repeat):
                    validator = Validator(ruleset)
                    check = functools.partial(validator.validate, language=lang)
                    for body in others:
                        check(body)
                    best = min(best, _total(check, payloads, 1))
                totals[lang] = best
                continue
            # one validator per language: each remembers its own violations
            validator = Validator(ruleset, screen="at_once", remember=mode == "warm")
            check = functools.partial(validator.validate, language=lang)
            check(payloads[0])  # the catalog loads once, outside the timing
            totals[lang] = _total(check, payloads, args.repeat)
        line = ", ".join(f"{lang} {seconds * 1000:.1f} ms" for lang, seconds in totals.items())
        if "de" in totals:
            line += f"; de costs {100 * (totals['de'] / totals['en'] - 1):+.1f}%"
        print(f"{mode:>18}: {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
