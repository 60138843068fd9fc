"""The rule table of a run: which rules fired, how often, in what share of the records, and
in which countries most (--statistics, and the end of the text report of a bulk run).

It is counted in the main process (bulk.Tally) from what the workers send back for records
with violations (bulk.Outcome.fired), so a run that does not show it pays nothing for it,
and clean records pay nothing in any run; this module is imported only to show it.
Countries are two-letter codes or the placeholders of bulk.country_of (see there for what
--redact names).

Its words are the text report's (messages.TEXTS, `stats.*`), its numbers written as the
language writes them (CLDR, through Babel; English as Python writes them, looking nothing
up), and its columns padded to the width the terminal shows (a CJK character takes two).
"""

from __future__ import annotations

import unicodedata
from collections import Counter

from pc_validate.bulk import NO_COUNTRY, OTHER_COUNTRY, Tally
from pc_validate.languages import ENGLISH, Language
from pc_validate.messages import TEXTS, text
from pc_validate.report import printable

#: Countries named per rule: the most affected.
TOP_COUNTRIES = 3
_COLUMNS = ("violations", "records", "share", "rule", "severity", "countries")
_PLACEHOLDERS = {NO_COUNTRY: "stats.no_country", OTHER_COUNTRY: "stats.other_country"}


#: CLDR's no-break spaces (French "12 345", "40,0 %") as plain ones: the table is plain text
#: for terminals and logs, as the catalogs' own texts are.
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " "})


def _number(n: int, language: Language) -> str:
    if language.english:
        return f"{n:,}"
    from babel.numbers import format_decimal

    return str(format_decimal(n, locale=language.locale)).translate(_SPACES)


def _per_cent(share: float, language: Language) -> str:
    """`share` (in per cent) with one decimal, as the language writes a percentage."""
    if language.english:
        return f"{share:.1f}%"
    from babel.numbers import parse_pattern

    pattern = parse_pattern(language.locale.percent_formats[None].pattern)
    pattern.frac_prec = (1, 1)
    return str(pattern.apply(share / 100, language.locale)).translate(_SPACES)


def _share(part: int, whole: int, language: Language) -> str:
    if whole <= 0:
        return "-"
    share = 100 * part / whole
    if 0 < share < 0.1:
        return "<" + _per_cent(0.1, language)
    return _per_cent(share, language)


def _countries(counts: Counter[str], language: Language) -> str:
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:TOP_COUNTRIES]
    return ", ".join(
        f"{_country(country, language)} {_number(count, language)}" for country, count in ranked
    )


def _country(country: str, language: Language) -> str:
    key = _PLACEHOLDERS.get(country)
    return country if key is None else text(language, key)


def _counted(key: str, n: int, language: Language) -> str:
    """A text of TEXTS whose form follows `n`, with `n` written as the language writes it."""
    return language.template(key, TEXTS[key], {"n": n}).format(n=_number(n, language))


def _width(cell: str) -> int:
    """The columns a terminal gives `cell`: two for a wide (CJK) character."""
    if cell.isascii():
        return len(cell)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in cell)


def _pad(cell: str, width: int, right: bool = False) -> str:
    fill = " " * (width - _width(cell))
    return fill + cell if right else cell + fill


def render_statistics(tally: Tally, records: int, language: Language = ENGLISH) -> str:
    """The table: one line per rule, most records affected first; `records` is the number
    of records validated (the whole that shares are of)."""
    if not tally:
        return _counted("stats.none", records, language) + "\n"
    order = sorted(tally.records, key=lambda rule: (-tally.records[rule], rule))
    severity = {level: text(language, f"text.{level}") for level in ("error", "warning", "info")}
    heading = tuple(text(language, f"stats.{column}") for column in _COLUMNS)
    rows = [
        (
            _number(tally.violations[rule], language),
            _number(tally.records[rule], language),
            _share(tally.records[rule], records, language),
            printable(rule),
            severity.get(tally.severity[rule], tally.severity[rule]),
            _countries(tally.countries[rule], language),
        )
        for rule in order
    ]
    widths = [max(_width(row[column]) for row in (heading, *rows)) for column in range(5)]
    lines = ["", _counted("stats.heading", records, language)]
    for row in (heading, *rows):
        numbers = [_pad(cell, width, True) for cell, width in zip(row[:3], widths, strict=False)]
        words = [_pad(row[3], widths[3]), _pad(row[4], widths[4]), row[5]]
        lines.append(("  " + "  ".join(numbers + words)).rstrip())
    return "\n".join(lines) + "\n"
