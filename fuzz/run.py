"""Run one fuzz target under atheris (coverage-guided, libFuzzer).

    pip install -e '.[fuzz]'
    python fuzz/run.py validate -max_total_time=600
    python fuzz/run.py parsers -max_total_time=600 --out /tmp/fuzz-parsers

Targets: validate, fix, parsers (see fuzz/targets.py). Options starting with a single dash
go to libFuzzer (-max_total_time, -runs, -jobs, -workers, -max_len, ...). New inputs are
written to --out (default fuzz/out/<target>, not kept in git); the seeds in
fuzz/corpus/<target>/ are read but never written. A finding is saved as
<out>-artifacts/crash-<hash>; replay it with `python fuzz/run.py TARGET FILE`.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import shlex
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARGET_NAMES = ("validate", "fix", "parsers")
#: libFuzzer's default max_len follows the seeds (under 2 KB); bulk inputs deserve more room.
DEFAULT_MAX_LEN = 16384


def _instrumented_import(atheris: object) -> object:
    """Import pc_validate (every module: the package imports its parts lazily) and the
    targets with coverage instrumentation."""
    with atheris.instrument_imports(include=["pc_validate", "targets"]):  # type: ignore[attr-defined]
        import pc_validate

        for module in pkgutil.walk_packages(pc_validate.__path__, "pc_validate."):
            if module.name != "pc_validate.__main__":
                importlib.import_module(module.name)
        sys.path.insert(0, str(HERE))
        import targets
    return targets


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Fuzz a pc-validate target with atheris; arguments starting with a single "
        "dash, and corpus directories or files to replay, go to libFuzzer."
    )
    parser.add_argument("target", choices=TARGET_NAMES)
    parser.add_argument("--out", type=Path, help="where new inputs go (default fuzz/out/TARGET)")
    args, rest = parser.parse_known_args(argv)
    try:
        import atheris  # type: ignore[import-untyped]
    except ImportError:
        print(
            "fuzz/run.py: atheris is not installed; run: pip install -e '.[fuzz]'",
            file=sys.stderr,
        )
        return 2
    targets = _instrumented_import(atheris)
    target = targets.TARGETS[args.target]  # type: ignore[attr-defined]
    targets.validators()  # type: ignore[attr-defined]  # compile the rules before the clock runs

    flags = [arg for arg in rest if arg.startswith("-")]
    paths = [arg for arg in rest if not arg.startswith("-")]
    if not paths:  # fuzz: grow a corpus in --out, starting from the seeds
        out = args.out or HERE / "out" / args.target
        out.mkdir(parents=True, exist_ok=True)
        paths = [str(out), str(HERE / "corpus" / args.target)]
        if not any(flag.startswith("-artifact_prefix=") for flag in flags):
            artifacts = out.with_name(out.name + "-artifacts")
            artifacts.mkdir(exist_ok=True)
            flags.append(f"-artifact_prefix={artifacts}/")
    if not any(flag.startswith("-max_len=") for flag in flags):
        flags.append(f"-max_len={DEFAULT_MAX_LEN}")
    if not any(flag.startswith("-dict=") for flag in flags):
        flags.append(f"-dict={HERE / 'json.dict'}")
    # With -jobs/-fork, libFuzzer starts its workers through the shell as argv[0] ...
    command = shlex.join([sys.executable, str(Path(__file__).resolve()), args.target])
    atheris.Setup([command, *flags, *paths], target)
    atheris.Fuzz()
    return 0


if __name__ == "__main__":
    sys.exit(main())
