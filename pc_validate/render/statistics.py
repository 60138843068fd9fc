"""The rule table of a run: which rules fired, how often, in what share of the records, and
in which countries most (--statistics, and the end of the text report of a bulk run).

It is counted in the main process from what the workers send back for records with
violations (bulk.Outcome.fired), so a run that does not show it pays nothing for it, and
clean records pay nothing in any run. Countries are two-letter codes or the two
placeholders of bulk.country_of: no value of a payload is repeated, under --redact or not.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from pc_validate.report import printable

#: Countries named per rule: the most affected.
TOP_COUNTRIES = 3


class Tally:
    """Counts of the rules that fired, over the records added."""

    def __init__(self) -> None:
        self.violations: Counter[str] = Counter()
        self.records: Counter[str] = Counter()
        self.countries: dict[str, Counter[str]] = {}
        self.severity: dict[str, str] = {}

    def add(self, country: str, fired: Iterable[tuple[str, str]]) -> None:
        """One record's violations, as (rule, severity) pairs, and its country."""
        seen: set[str] = set()
        for rule, severity in fired:
            self.violations[rule] += 1
            if rule not in seen:
                seen.add(rule)
                self.severity.setdefault(rule, severity)
        for rule in seen:
            self.records[rule] += 1
            by_country = self.countries.get(rule)
            if by_country is None:
                by_country = self.countries[rule] = Counter()
            by_country[country] += 1

    def __bool__(self) -> bool:
        return bool(self.violations)


def _share(part: int, whole: int) -> str:
    if whole <= 0:
        return "-"
    share = 100 * part / whole
    if 0 < share < 0.1:
        return "<0.1%"
    return f"{share:.1f}%"


def _countries(counts: Counter[str]) -> str:
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:TOP_COUNTRIES]
    return ", ".join(f"{country} {count:,}" for country, count in ranked)


def render_statistics(tally: Tally, records: int) -> str:
    """The table: one line per rule, most records affected first; `records` is the number
    of records validated (the whole that shares are of)."""
    noun = "record" if records == 1 else "records"
    if not tally:
        return f"no rule fired in {records:,} {noun} validated\n"
    order = sorted(tally.records, key=lambda rule: (-tally.records[rule], rule))
    heading = ("violations", "records", "share", "rule", "severity", "countries most affected")
    rows = [
        (
            f"{tally.violations[rule]:,}",
            f"{tally.records[rule]:,}",
            _share(tally.records[rule], records),
            printable(rule),
            tally.severity[rule],
            _countries(tally.countries[rule]),
        )
        for rule in order
    ]
    widths = [max(len(row[column]) for row in (heading, *rows)) for column in range(5)]
    lines = ["", f"rules that fired in {records:,} {noun} validated:"]
    for row in (heading, *rows):
        numbers = [cell.rjust(width) for cell, width in zip(row[:3], widths, strict=False)]
        words = [row[3].ljust(widths[3]), row[4].ljust(widths[4]), row[5]]
        lines.append(("  " + "  ".join(numbers + words)).rstrip())
    return "\n".join(lines) + "\n"
