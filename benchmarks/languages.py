"""What a language costs: validate() in English and in German over the same bodies.

    PYTHONPATH=$PWD python benchmarks/languages.py [--count 2000] [--repeat 5]

Bodies: examples/ (valid and invalid) and benchmarks/corpus.py. Two modes: the shared
validator as `validate()` uses it (violations remembered), and first sight
(`Validator(..., remember=False)`: every violation written afresh, the most a language can
cost). Each body is timed alone, the best of --repeat runs kept; the table gives the total
per mode and language, and German's cost over English. Run it with another checkout on
PYTHONPATH (English only, --english-only) to compare the English path with that one.
"""

from __future__ import annotations

import argparse
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
    """Seconds for all items, each the best of `repeat` runs."""
    best = [float("inf")] * len(items)
    clock = time.perf_counter
    for _ in range(repeat):
        for index, item in enumerate(items):
            start = clock()
            check(item)
            took = clock() - start
            if took < best[index]:
                best[index] = took
    return sum(best)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--english-only", action="store_true")
    args = parser.parse_args(argv)
    from pc_validate import load_rules
    from pc_validate.engine import Validator

    payloads = _examples() + list(bodies(args.count))
    ruleset = load_rules()
    languages = ["en"] if args.english_only else ["en", "de"]
    print(f"{len(payloads)} bodies, best of {args.repeat}")
    for mode, remember in (("remembered", True), ("first sight", False)):
        totals = {}
        for lang in languages:
            # one validator per language: each remembers its own violations
            validator = Validator(ruleset, screen="at_once", remember=remember)
            if lang == "en":
                check: Callable[[Any], Any] = validator.validate
            else:
                check = lambda body, lang=lang: validator.validate(body, language=lang)  # noqa: E731
            check(payloads[0])  # the catalog loads once, outside the timing
            totals[lang] = _total(check, payloads, args.repeat)
        line = ", ".join(f"{lang} {seconds * 1000:.1f} ms" for lang, seconds in totals.items())
        if "de" in totals:
            line += f"; de costs {100 * (totals['de'] / totals['en'] - 1):+.1f}%"
        print(f"{mode:>12}: {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
