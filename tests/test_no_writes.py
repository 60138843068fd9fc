"""Nothing is logged or written anywhere the user did not ask for.

The real command runs in a subprocess whose HOME, TMPDIR, XDG_* directories and working
directory are empty temporary directories, over check (one body, stdin, bulk with --jobs 2),
fix (to stdout and --in-place) and rules. Two witnesses:

- the directory trees: every one of those directories, and the directory of the inputs, is
  the same after the run as before (names, sizes, contents), except the file `fix --in-place`
  was asked to rewrite;
- an audit hook (``sys.addaudithook``, installed in every Python process of the run through a
  ``sitecustomize`` module: the command, multiprocessing's fork server and the workers)
  records every file opened for writing, created, renamed, removed or re-permissioned,
  anywhere on the machine, and every socket bound.

What Python itself does is left out, and said here: the byte-code cache (``__pycache__``,
written next to the modules it imports, in site-packages or the source tree; set
PYTHONDONTWRITEBYTECODE=1 to stop it), and, with --jobs, the directory multiprocessing's fork
server makes in TMPDIR for its socket and removes on exit, and the file `tempfile` writes
and removes at once in TMPDIR to see that it is writable (the trees show both gone).

Logging and warnings: the package never imports `logging`, calls `warnings.warn` or prints;
a valid run under ``python -X dev -W always`` (every warning shown, ResourceWarning for an
unclosed file included) leaves stderr empty.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import re
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import VALID_US_PAYLOAD

from pc_validate import validate
from pc_validate.cli import main

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "pc_validate"
EXAMPLES = ROOT / "examples"

#: Installed by PYTHONPATH in every Python process of a run; appends one JSON line per event
#: to the log named by PC_VALIDATE_AUDIT_LOG (an fd opened before the hook, so unseen by it).
SITECUSTOMIZE = """\
import json, os, sys

_LOG = os.environ.get("PC_VALIDATE_AUDIT_LOG")
if _LOG:
    _FD = os.open(_LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    _WRITING = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
    _EVENTS = frozenset({
        "os.mkdir", "os.rename", "os.remove", "os.rmdir", "os.symlink", "os.link",
        "os.truncate", "os.chmod", "os.chown", "os.utime", "os.mkfifo", "os.mknod",
        "shutil.copyfile", "shutil.copymode", "shutil.copystat", "shutil.copytree",
        "shutil.rmtree", "shutil.move", "shutil.make_archive", "shutil.unpack_archive",
        "tempfile.mkstemp", "tempfile.mkdtemp", "socket.bind", "sqlite3.connect",
    })

    def _record(event, args):
        if event == "open":
            path, _mode, flags = args
            if isinstance(path, int) or not flags & _WRITING:
                return
            args = (path,)
        elif event not in _EVENTS:
            return
        texts = [os.fsdecode(a) if isinstance(a, (str, bytes, os.PathLike)) else repr(a)
                 for a in args]
        line = json.dumps({"pid": os.getpid(), "event": event, "args": texts})
        os.write(_FD, line.encode("utf-8", "backslashreplace") + b"\\n")

    sys.addaudithook(_record)
"""

SANDBOX_DIRS = (
    "HOME",
    "TMPDIR",
    "XDG_CONFIG_HOME",
    "XDG_CACHE_HOME",
    "XDG_DATA_HOME",
    "XDG_STATE_HOME",
    "XDG_RUNTIME_DIR",
)


def tree(root: Path) -> dict[str, str]:
    """Every file and directory under root, with a digest of each file's content."""
    found: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        name = str(path.relative_to(root))
        if path.is_symlink():
            found[name] = f"link -> {os.readlink(path)}"
        elif path.is_dir():
            found[name] = "dir"
        else:
            found[name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


class Sandbox:
    """Empty home, temporary, XDG and working directories, an inputs folder, and the hook."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.dirs = {name: base / name.lower() for name in SANDBOX_DIRS}
        self.cwd = base / "cwd"
        self.inputs = base / "inputs"
        self.hook = base / "hook"
        self.log = base / "audit.jsonl"
        for folder in (*self.dirs.values(), self.cwd, self.inputs, self.hook):
            folder.mkdir()
        self.dirs["XDG_RUNTIME_DIR"].chmod(0o700)
        (self.hook / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")

    def watched(self) -> dict[str, Path]:
        return {**self.dirs, "cwd": self.cwd, "inputs": self.inputs}

    def snapshot(self) -> dict[str, dict[str, str]]:
        return {name: tree(folder) for name, folder in self.watched().items()}

    def environment(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("XDG_", "PYTHON")) and k not in ("HOME", "TMPDIR", "NO_COLOR")
        }
        env.update({name: str(folder) for name, folder in self.dirs.items()})
        env["PYTHONPATH"] = str(self.hook)
        env["PC_VALIDATE_AUDIT_LOG"] = str(self.log)
        env.update(extra or {})
        return env

    def run(
        self, *argv: str | Path, stdin: bytes = b"", python: tuple[str, ...] = ()
    ) -> subprocess.CompletedProcess[bytes]:
        if self.log.exists():
            self.log.unlink()
        done = subprocess.run(
            [sys.executable, *python, "-m", "pc_validate", *map(str, argv)],
            input=stdin,
            capture_output=True,
            cwd=self.cwd,
            env=self.environment(),
            timeout=120,
            check=False,
        )
        assert b"Traceback" not in done.stderr, done.stderr.decode("utf-8", "replace")
        return done

    def events(self) -> list[dict[str, Any]]:
        """What the run wrote, minus Python's byte-code cache."""
        if not self.log.exists():
            return []
        found = [json.loads(line) for line in self.log.read_text("utf-8").splitlines()]
        return [e for e in found if not any("__pycache__" in arg for arg in e["args"])]

    def fork_server_dir(self, path: str) -> bool:
        """Inside the directory multiprocessing's fork server makes (and removes) in TMPDIR,
        or the file `tempfile` creates and removes at once there to see that TMPDIR is
        writable (the first time the fork server asks it for a directory)."""
        tmp = re.escape(str(self.dirs["TMPDIR"]))
        return bool(re.fullmatch(tmp + r"/(pymp-[^/]+(/.*)?|[a-z0-9_]{8})", path))


@pytest.fixture
def sandbox(tmp_path: Path) -> Sandbox:
    box = Sandbox(tmp_path)
    _write(box.inputs / "valid.json", VALID_US_PAYLOAD)
    repairable = json.loads(json.dumps(VALID_US_PAYLOAD))
    repairable["billingProfile"]["defaultAddress"].update(state="Washington", country="us")
    _write(box.inputs / "repairable.json", repairable)
    lines = [json.dumps(_customer(i)) for i in range(300)]
    (box.inputs / "many.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (box.inputs / "customers.csv").write_bytes((EXAMPLES / "bulk" / "customers.csv").read_bytes())
    (box.inputs / "broken.json").write_text('{"billingProfile": {,}}', encoding="utf-8")
    return box


def _write(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return path


def _customer(i: int) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(json.dumps(VALID_US_PAYLOAD))
    body["billingProfile"]["defaultAddress"]["city"] = f"Redmond {i}"
    if i % 7 == 3:
        body["billingProfile"]["defaultAddress"]["state"] = "Washington"
    return body


#: (name, argv, stdin, expected exit status) of each run that must write nothing at all.
READ_ONLY_RUNS: list[tuple[str, tuple[str, ...], str | None, int]] = [
    ("check one body", ("check", "{inputs}/valid.json"), None, 0),
    ("check stdin", ("check", "--format", "jsonl", "-"), "valid.json", 0),
    (
        "check json, unreadable inputs",
        (
            "check",
            "--format",
            "json",
            "{inputs}/repairable.json",
            "{inputs}/broken.json",
            "{inputs}/missing.json",
            "{inputs}/customers.csv",
        ),
        None,
        2,
    ),
    ("fix to stdout", ("fix", "{inputs}/repairable.json"), None, 0),
    ("fix in place, nothing to do", ("fix", "--in-place", "{inputs}/valid.json"), None, 0),
    ("rules", ("rules", "--format", "json"), None, 0),
]


def _argv(sandbox: Sandbox, argv: tuple[str, ...]) -> list[str]:
    return [arg.replace("{inputs}", str(sandbox.inputs)) for arg in argv]


@pytest.mark.parametrize(
    ("argv", "stdin", "status"),
    [run[1:] for run in READ_ONLY_RUNS],
    ids=[run[0] for run in READ_ONLY_RUNS],
)
def test_read_only_runs_write_nothing(
    sandbox: Sandbox, argv: tuple[str, ...], stdin: str | None, status: int
) -> None:
    before = sandbox.snapshot()
    data = (sandbox.inputs / stdin).read_bytes() if stdin else b""
    done = sandbox.run(*_argv(sandbox, argv), stdin=data)
    assert done.returncode == status, done.stderr
    assert sandbox.snapshot() == before
    assert sandbox.events() == []


def test_bulk_with_workers_writes_nothing_that_stays(sandbox: Sandbox) -> None:
    """--jobs 2: only multiprocessing's own fork-server directory, in TMPDIR and removed
    (and tempfile's probe of TMPDIR, removed at once)."""
    before = sandbox.snapshot()
    done = sandbox.run(
        "check", "--jobs", "2", "--format", "jsonl", *(sandbox.inputs / s for s in BULK)
    )
    assert done.returncode == 1, done.stderr
    summary = json.loads(done.stdout.splitlines()[-1])["summary"]
    assert summary["records"] > 300
    assert sandbox.snapshot() == before
    stray = [e for e in sandbox.events() if not all(map(sandbox.fork_server_dir, _paths(e)))]
    assert stray == []


BULK = ("many.jsonl", "customers.csv")


def _paths(event: dict[str, Any]) -> Iterator[str]:
    """The path arguments of an audit event (numbers, modes and flags left out)."""
    for arg in event["args"]:
        if arg.startswith("/"):
            yield arg


def test_the_hook_sees_every_process(sandbox: Sandbox) -> None:
    """Guard: the audit hook is in place in the command and in its workers, so the tests
    above would see a write wherever it happened."""
    probe = sandbox.base / "probe"
    code = (
        "import concurrent.futures as f, multiprocessing as m, os\n"
        "def touch(p): open(p, 'w').close(); return os.getpid()\n"
        "if __name__ == '__main__':\n"
        f"    open({str(probe)!r} + '-main', 'w').close()\n"
        "    ctx = m.get_context('forkserver')\n"
        "    with f.ProcessPoolExecutor(1, mp_context=ctx) as pool:\n"
        f"        pool.submit(touch, {str(probe)!r} + '-worker').result()\n"
    )
    script = sandbox.base / "probe.py"
    script.write_text(code, encoding="utf-8")
    subprocess.run(
        [sys.executable, str(script)],
        cwd=sandbox.cwd,
        env=sandbox.environment(),
        timeout=120,
        check=True,
    )
    written = {p for e in sandbox.events() for p in _paths(e) if p.startswith(str(probe))}
    assert written == {f"{probe}-main", f"{probe}-worker"}


def test_fix_in_place_writes_only_the_file(sandbox: Sandbox) -> None:
    target = sandbox.inputs / "repairable.json"
    before = sandbox.snapshot()
    done = sandbox.run("fix", "--in-place", target)
    assert done.returncode == 0, done.stderr
    assert done.stdout == b""
    after = sandbox.snapshot()
    assert after["inputs"].pop("repairable.json") != before["inputs"].pop("repairable.json")
    assert after == before
    temp = re.compile(re.escape(str(sandbox.inputs)) + r"/\.repairable\.json\.[^/]+\.pc-validate")
    for event in sandbox.events():
        paths = list(_paths(event))
        assert paths and all(temp.fullmatch(p) or p == str(target) for p in paths), event
    assert json.loads(target.read_text("utf-8"))["billingProfile"]["defaultAddress"]["state"] == (
        "WA"
    )


# --------------------------------------------------------------------------------------------
# Logging and warnings


def _package_sources() -> Iterator[tuple[Path, str]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path, path.read_text("utf-8")


def test_package_neither_logs_nor_warns_nor_prints() -> None:
    forbidden = re.compile(
        r"^\s*(import logging|from logging)|\blogging\.|\bwarnings\.warn\(|\bprint\(|"
        r"\bsys\.(stderr|stdout)\.write\(",
        re.MULTILINE,
    )
    found = [
        f"{path.relative_to(ROOT)}:{text.count(chr(10), 0, m.start()) + 1}: {m.group().strip()}"
        for path, text in _package_sources()
        for m in forbidden.finditer(text)
    ]
    assert found == []


def test_valid_runs_leave_stderr_empty_even_with_every_warning_shown(sandbox: Sandbox) -> None:
    dev = ("-X", "dev", "-W", "always")
    for argv in (
        ("check", sandbox.inputs / "valid.json"),
        ("check", "--format", "json", "--jobs", "2", sandbox.inputs / "many.jsonl"),
    ):
        done = sandbox.run(*argv, python=dev)
        assert done.stderr == b"", (argv, done.stderr)
        assert done.returncode in (0, 1), (argv, done.stderr)


def test_in_process_run_configures_no_logging_and_raises_no_warning() -> None:
    handlers = list(logging.root.handlers)
    loggers = set(logging.Logger.manager.loggerDict)
    out, err = io.StringIO(), io.StringIO()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        code = main(
            ["check", str(EXAMPLES / "valid" / "seed-de-2023.json")], stdout=out, stderr=err
        )
        validate(VALID_US_PAYLOAD)
        validate(b'{"billingProfile": ')
    assert code == 0 and err.getvalue() == ""
    assert [str(w.message) for w in caught] == []
    assert logging.root.handlers == handlers
    assert set(logging.Logger.manager.loggerDict) - loggers == set()
