"""Shared fixtures and helpers: a fully valid "create a customer" body that other tests start
from, an in-process run of the command, and a real process's peak memory."""

from __future__ import annotations

import copy
import importlib.util
import io
import json
import re
import subprocess
import sys
import unicodedata
from pathlib import Path
from types import ModuleType
from typing import Any, NamedTuple

import pytest

from pc_validate.cli import main

# VALID_US_PAYLOAD: a camelCase US body that passes every bundled rule with no violation at all
# (not even info). The rule cases start from it, so it lives in the harness that users run on
# their own rule files; other tests import it from here.
from pc_validate.testing import VALID_US_PAYLOAD

ROOT = Path(__file__).resolve().parent.parent


def load_script(name: str) -> ModuleType:
    """A generator of scripts/ as a module, e.g. load_script("generate_schemas")."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(autouse=True)
def _english_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command follows LC_ALL / LC_MESSAGES / LANG (languages.from_environment): tests
    expect English whatever the machine's locale, unless they set one."""
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


@pytest.fixture
def valid_payload() -> dict[str, Any]:
    """A fresh deep copy of the valid US payload, free for the test to modify."""
    return copy.deepcopy(VALID_US_PAYLOAD)


# --- running the command -----------------------------------------------------------------------


class Run(NamedTuple):
    """What one in-process run of the command produced."""

    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


class Terminal(io.StringIO):
    """A text stream that says it is a terminal (for --color auto, the progress bar)."""

    def isatty(self) -> bool:
        return True


def run_cli(*argv: str | Path, stdin: bytes = b"", stdout: io.StringIO | None = None) -> Run:
    """`pc-validate argv...` in-process; stdin bytes are fed as a pipe feeds them; no traceback."""
    out, err = stdout or io.StringIO(), io.StringIO()
    code = main(
        [str(a) for a in argv],
        stdout=out,
        stderr=err,
        stdin=io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"),
    )
    assert "Traceback" not in out.getvalue() + err.getvalue()
    return Run(code, out.getvalue(), err.getvalue())


def write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


# --- peak memory of a real process ---------------------------------------------------------------

#: Runs argv and passes its output and exit status on; then prints, as the last line of
#: stderr, the peak resident memory of argv alone (RUSAGE_CHILDREN: it runs nothing else).
_MEASURE = (
    "import resource, subprocess, sys\n"
    "done = subprocess.run(sys.argv[1:], capture_output=True)\n"
    "sys.stderr.buffer.write(done.stderr)\n"
    "sys.stdout.buffer.write(done.stdout)\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
    "sys.exit(done.returncode)\n"
)


def peak_rss_kb(argv: list[str], **options: Any) -> tuple[subprocess.CompletedProcess[bytes], int]:
    """Run argv in a real process; what it did (stderr without the measurement) and its peak
    resident memory in kB (Linux). options go to subprocess.run (preexec_fn, env, timeout)."""
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, *argv], capture_output=True, check=False, **options
    )
    *lines, peak = done.stderr.decode("utf-8", "replace").rstrip("\n").split("\n")
    done.stderr = "\n".join(lines).encode()
    return done, int(peak)


# --- what a terminal would act on -----------------------------------------------------------------

#: The text format's own colours (render/text.py): the only control sequences pc-validate writes.
TOOL_COLOURS = re.compile(r"\x1b\[(?:3[1-6]|0)m")


def raw_controls(text: str) -> list[str]:
    """The characters of `text` a terminal would act on or that hide or reorder text (Unicode
    categories Cc, Cf, Zl, Zp, and lone surrogates), line ends apart, as "U+001B"; judged by
    unicodedata, not by the code under test."""
    found = {c for c in text if c != "\n" and unicodedata.category(c) in _UNSHOWN}
    return sorted(f"U+{ord(c):04X}" for c in found)


_UNSHOWN = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})


def realistic_jsonl(count: int) -> str:
    """The first `count` records of the benchmarks' realistic corpus, as JSON Lines."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from realistic import write_jsonl
    finally:
        sys.path.pop(0)
    out = io.StringIO()
    write_jsonl(out, count)
    return out.getvalue()
