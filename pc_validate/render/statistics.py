"""The rule table of a run: which rules fired, how often, in what share of the records, and
in which countries most (--statistics, and the end of the text report of a bulk run).

It is counted in the main process (bulk.Tally) from what the workers send back for records
with violations (bulk.Outcome.fired), so a run that does not show it pays nothing for it,
and clean records pay nothing in any run; this module is imported only to show it.
Countries are two-letter codes or the placeholders of bulk.country_of (see there for what
--redact names).
"""

from __future__ import annotations

from collections import Counter

from pc_validate.bulk import Tally
from pc_validate.report import printable

#: Countries named per rule: the most affected.
TOP_COUNTRIES = 3


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
