"""The command line the generators of bundled data files share: ``--output`` (the file to
write, or ``-`` for stdout) and, for a file whose header records its date, ``--date``."""

from __future__ import annotations

import argparse
import datetime
import sys
from collections.abc import Callable
from pathlib import Path


def generate(
    doc: str,
    output: Path,
    render: Callable[[str | None], str],
    argv: list[str] | None = None,
    *,
    dated: bool = True,
) -> int:
    """Parse `argv`, render the file (with the date when `dated`) and write it."""
    parser = argparse.ArgumentParser(description=doc.strip().split("\n\n")[0])
    if dated:
        parser.add_argument("--date", default=datetime.date.today().isoformat())
    parser.add_argument("--output", default=str(output), help="file to write, or - for stdout")
    args = parser.parse_args(argv)
    text = render(args.date if dated else None)
    if args.output == "-":
        sys.stdout.write(text)
    else:
        Path(args.output).write_text(text, encoding="utf-8")
    return 0
