"""Extract python-stdnum's own example numbers for the registration-number rule.

python-stdnum's source distribution (not the wheel) ships tests/test_<cc>_<module>.doctest
files with blocks of real numbers that the module must accept::

    >>> numbers = '''
    ...
    ... 7707083893
    ... '''
    >>> [x for x in numbers.splitlines() if x and not inn.is_valid(x)]
    []

For every kind of number that the rule ``company.registration_number.format`` accepts (as
the bundled rule files say), this script collects the numbers of such blocks from

- the module's test file, tests/test_<cc>_<module>.doctest;
- the ``>>> validate('...')`` examples that do not raise, in that file and in the module's
  own docstring;
- tests/test_eu_vat.doctest, where the module is its country's EU VAT module (HU, PL),

keeps those the module itself (the sdist's, not the installed one) accepts as valid, and
writes them to tests/data/stdnum_examples.yaml, which tests/test_numbers.py reads offline.

Get the sdist with pip (PyPI is needed here, never in the tests), then run::

    pip download --no-deps --no-binary :all: python-stdnum==2.2 -d /tmp/stdnum
    python scripts/extract_stdnum_examples.py /tmp/stdnum/python_stdnum-2.2.tar.gz

``--date`` pins the date in the header; ``--output -`` writes to stdout.
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import re
import sys
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "tests" / "data" / "stdnum_examples.yaml"
RULE_ID = "company.registration_number.format"

#: A block of numbers that a doctest checks with is_valid (the list of failures must be []).
_VALID_BLOCK = re.compile(
    r">>> (?P<var>\w+) = '''\n(?P<body>(?:\.\.\.[^\n]*\n)*?)\.\.\. '''\n"
    r">>> \[x for x in (?P=var)\.splitlines\(\) if x and not \w+\.is_valid\(x\)\]\n\[\]\n"
)
#: An example ``>>> validate('...')`` whose next line is a result, not a traceback.
_VALIDATE_EXAMPLE = re.compile(
    r">>> (?:\w+\.)?validate\('(?P<number>[^'\n]*)'\)[^\n]*\n(?!Traceback)[^\n]+\n"
)


class _Quoted(str):
    """A number, written quoted: no YAML reader may take 0400198812 for an integer."""


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(
    _Quoted, lambda dumper, text: dumper.represent_scalar("tag:yaml.org,2002:str", text, "'")
)


def _block_numbers(text: str) -> Iterator[str]:
    for match in _VALID_BLOCK.finditer(text):
        for line in match["body"].splitlines():
            number = line.removeprefix("...").strip()
            if number:
                yield number


def _sdist_root(sdist: Path, into: Path) -> Path:
    with tarfile.open(sdist) as archive:
        archive.extractall(into, filter="data")
    (root,) = [p for p in into.iterdir() if p.is_dir()]
    return root


def _rule_kinds() -> list[tuple[str, Any]]:
    """(country, NumberKind) for every kind the bundled rule accepts, in the rule's order."""
    from pc_validate.checks.numbers import REGISTRATION_NUMBERS
    from pc_validate.rules import load_rules

    (rule,) = [r for r in load_rules().rules if r.id == RULE_ID]
    out = []
    for country, names in rule.params["kinds"].items():
        for name in names:
            kind = REGISTRATION_NUMBERS[country].kind(name)
            assert kind is not None, (country, name)
            out.append((country, kind))
    return out


def _sources(root: Path, module_name: str) -> list[tuple[str, str]]:
    """(file name relative to the sdist, text) of every file with examples of the module."""
    _, cc, name = module_name.split(".")
    candidates = [
        f"tests/test_{cc.rstrip('_')}_{name}.doctest",
        f"stdnum/{cc}/{name}.py",
    ]
    country_package = importlib.import_module(f"stdnum.{cc}")
    if getattr(country_package, "vat", None) is importlib.import_module(module_name):
        candidates.append("tests/test_eu_vat.doctest")
    return [(c, (root / c).read_text("utf-8")) for c in candidates if (root / c).is_file()]


def _examples(root: Path, module_name: str) -> tuple[list[str], list[str], int]:
    """The module's valid example numbers, the files they came from, and how many the
    module itself rejected (left out)."""
    module = importlib.import_module(module_name)
    cc = module_name.split(".")[1].rstrip("_").upper()
    numbers: dict[str, None] = {}
    files = []
    rejected = 0
    for file, text in _sources(root, module_name):
        found = [*_block_numbers(text), *(m["number"] for m in _VALIDATE_EXAMPLE.finditer(text))]
        if file.endswith("test_eu_vat.doctest"):  # numbers of every EU country
            found = [n for n in found if n.upper().startswith(cc)]
        kept = [n for n in found if module.is_valid(n)]
        rejected += len(found) - len(kept)
        if kept:
            files.append(file)
            numbers.update(dict.fromkeys(kept))
    return list(numbers), files, rejected


def build(sdist: Path, date: str) -> str:
    """The text of stdnum_examples.yaml for the sdist."""
    with tempfile.TemporaryDirectory() as tmp:
        root = _sdist_root(sdist, Path(tmp))
        # The examples are judged by the sdist's own modules: they must be the ones imported.
        sys.path.insert(0, str(root))
        import stdnum

        if not Path(stdnum.__file__).resolve().is_relative_to(root.resolve()):
            raise SystemExit("stdnum was imported before the sdist could be put first")
        version = stdnum.__version__
        entries: dict[tuple[str, str], dict[str, Any]] = {}
        uncovered = []
        skipped = 0
        for country, kind in _rule_kinds():
            if kind.module is None:
                uncovered.append({"country": country, "kind": kind.name})
                continue
            key = (country, kind.module)
            if key in entries:
                entries[key]["kinds"].append(kind.name)
                continue
            numbers, files, rejected = _examples(root, kind.module)
            skipped += rejected
            entries[key] = {
                "country": country,
                "kinds": [kind.name],
                "module": kind.module,
                "files": files,
                "numbers": [_Quoted(n) for n in numbers],
            }
    total = sum(len(e["numbers"]) for e in entries.values())
    data = {
        "source": {
            "sdist": sdist.name,
            "version": version,
            "generated": date,
            "rule": RULE_ID,
            "numbers": total,
            "rejected_by_their_module": skipped,
        },
        "kinds": list(entries.values()),
        "without_stdnum_module": uncovered,
    }
    header = (
        f"# Example numbers from python-stdnum {version} ({sdist.name}), for the rule {RULE_ID}:\n"
        "# per country and kind, the numbers of its test file's is_valid blocks and of its\n"
        "# docstring that the module itself accepts. Files: see each entry's `files`.\n"
        f"# Generated {date} by scripts/extract_stdnum_examples.py; do not edit by hand.\n"
    )
    body = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    if yaml.safe_load(body) != data:
        raise SystemExit("the YAML does not read back as written")
    return header + body


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sdist", type=Path, help="python-stdnum source distribution (.tar.gz)")
    parser.add_argument("--output", default=str(OUTPUT), help="file to write, or - for stdout")
    parser.add_argument("--date", default=datetime.date.today().isoformat())
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    text = build(args.sdist, args.date)
    if args.output == "-":
        sys.stdout.write(text)
    else:
        Path(args.output).write_text(text, "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
