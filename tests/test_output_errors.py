"""Output that cannot be written (issue 11, section 5): a reader gone (`| head -1`), a full
disk (`>/dev/full`), a closed stdout (`>&-`) give exit 2 and a message on stderr, for
`check`, `fix` and `rules`, even for a valid body; a run that could not report every record
never exits 0. A stderr that cannot be written never changes the exit status.

In this process (main(stdout=...)) and in real processes, where the interpreter's own
flush at exit must not fail again ("Exception ignored ...", exit 120)."""

from __future__ import annotations

import errno
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import VALID_US_PAYLOAD

from pc_validate.cli import main

ROOT = Path(__file__).parent.parent
VALID = ROOT / "examples" / "valid" / "seed-de-2023.json"
INVALID = ROOT / "examples" / "invalid" / "us-bad-state-and-zip.json"
posix_shell = pytest.mark.skipif(
    not Path("/dev/full").exists() or sys.platform == "win32", reason="needs sh and /dev/full"
)

CLOSED = "pc-validate: error: standard output could not be written (it is closed); "
FULL = "pc-validate: error: standard output could not be written (No space left on device); "
GONE = (
    "pc-validate: error: standard output could not be written (the program reading it "
    "stopped reading (Broken pipe)); "
)
INCOMPLETE = "the output is incomplete\n"

COMMANDS = {
    "check": ["check", str(VALID)],
    "fix": ["fix", str(INVALID)],
    "rules": ["rules"],
}


class Failing(io.StringIO):
    """A stdout that takes `room` characters, then fails as the given error says."""

    def __init__(self, error: OSError, room: int = 0) -> None:
        super().__init__()
        self.error = error
        self.room = room

    def write(self, text: str) -> int:
        if self.tell() + len(text) > self.room:
            raise self.error
        return super().write(text)


def run(argv: list[str], stdout: Any, stderr: Any = None) -> tuple[int, str]:
    err = io.StringIO() if stderr is None else stderr
    code = main(argv, stdout=stdout, stderr=err, stdin=io.StringIO(""))
    return code, err.getvalue() if stderr is None else ""


# --- in this process -----------------------------------------------------------------------------


@pytest.mark.parametrize("command", COMMANDS)
def test_a_broken_pipe_exits_2_not_0(command: str) -> None:
    """BrokenPipeError was mapped to 0, "nothing found"."""
    code, err = run(COMMANDS[command], Failing(BrokenPipeError(errno.EPIPE, "Broken pipe")))
    assert code == 2
    assert err.endswith(GONE + INCOMPLETE)


@pytest.mark.parametrize("command", COMMANDS)
def test_a_full_disk_exits_2(command: str) -> None:
    code, err = run(COMMANDS[command], Failing(OSError(errno.ENOSPC, "No space left on device")))
    assert code == 2
    assert err.endswith(FULL + INCOMPLETE)


@pytest.mark.parametrize("command", COMMANDS)
def test_a_closed_stdout_exits_2(command: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """`>&-`: Python's sys.stdout is None; the command crashed with exit 1, "violations"."""
    monkeypatch.setattr(sys, "stdout", None)
    code, err = run(COMMANDS[command], None)
    assert (code, err.endswith(CLOSED + INCOMPLETE)) == (2, True)


def test_a_closed_stream_exits_2() -> None:
    stream = io.StringIO()
    stream.close()
    assert run(COMMANDS["check"], stream) == (2, CLOSED + INCOMPLETE)


def test_an_error_at_the_final_flush_exits_2() -> None:
    class FlushFails(io.StringIO):
        def flush(self) -> None:
            raise OSError(errno.ENOSPC, "No space left on device")

    assert run(COMMANDS["check"], FlushFails()) == (2, FULL + INCOMPLETE)


def test_help_to_a_full_disk_exits_2() -> None:
    """argparse swallows OSError from its own writes; the failure is still seen."""
    code, err = run(["--help"], Failing(OSError(errno.ENOSPC, "No space left on device")))
    assert (code, err) == (2, FULL + INCOMPLETE)


def test_violations_that_cannot_be_reported_exit_2_not_1() -> None:
    code, _ = run(["check", str(INVALID)], Failing(OSError(errno.ENOSPC, "No space left")))
    assert code == 2


def test_a_run_in_workers_that_cannot_write_stops_them(tmp_path: Path) -> None:
    import multiprocessing

    source = tmp_path / "export.jsonl"
    source.write_text((json.dumps(VALID_US_PAYLOAD) + "\n") * 5000, "utf-8")
    stdout = Failing(BrokenPipeError(errno.EPIPE, "Broken pipe"), room=10_000)
    code, err = run(["check", "--jobs", "2", "--format", "jsonl", str(source)], stdout)
    assert (code, err) == (2, GONE + INCOMPLETE)
    assert len(stdout.getvalue()) < 10_000
    assert multiprocessing.active_children() == []


class Unwritable(io.StringIO):
    def write(self, text: str) -> int:
        raise OSError(errno.EBADF, "Bad file descriptor")


@pytest.mark.parametrize(
    ("argv", "status"),
    [
        (["check", str(VALID)], 0),
        (["check", str(INVALID)], 1),
        (["check", "missing.json"], 2),
        (["fix", "missing.json"], 2),
        (["check", "--format", "xml", str(VALID)], 2),  # bad usage: argparse writes to stderr
    ],
)
@pytest.mark.parametrize("stderr", ["closed", "failing"])
def test_a_stderr_that_cannot_be_written_changes_no_status(
    argv: list[str], status: int, stderr: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A closed stderr turned exit 2 into 1."""
    if stderr == "closed":
        monkeypatch.setattr(sys, "stderr", None)
    code = main(argv, stdout=io.StringIO(), stderr=Unwritable() if stderr == "failing" else None)
    assert code == status


# --- real processes ------------------------------------------------------------------------------


def shell(script: str, *argv: str, timeout: float = 120) -> subprocess.CompletedProcess[bytes]:
    """`sh -c script` with "$@" = python -m pc_validate argv...; no traceback, no noise."""
    command = ["sh", "-c", script, "sh", sys.executable, "-m", "pc_validate", *argv]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        command, capture_output=True, timeout=timeout, env=env, cwd=ROOT, check=False
    )
    assert b"Traceback" not in done.stderr
    assert b"Exception ignored" not in done.stderr
    return done


@posix_shell
@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize(
    ("redirect", "message"), [(">&-", CLOSED), (">/dev/full", FULL)], ids=["closed", "full"]
)
def test_real_process_stdout_closed_or_full_exits_2(
    command: str, redirect: str, message: str
) -> None:
    """A traceback and exit 1 ("violations") before, even for a valid body."""
    done = shell(f'exec "$@" {redirect}', *COMMANDS[command])
    assert done.returncode == 2
    assert done.stderr.decode().endswith(message + INCOMPLETE)


@posix_shell
@pytest.mark.parametrize(
    ("argv", "status"),
    [
        (["check", str(VALID)], 0),
        (["check", str(INVALID)], 1),
        (["check", "missing.json"], 2),
        (["check", "--format", "xml", str(VALID)], 2),
        (["rules"], 0),
    ],
)
def test_real_process_stderr_closed_changes_no_status(argv: list[str], status: int) -> None:
    assert shell('exec "$@" >/dev/null 2>&-', *argv).returncode == status
    assert shell('exec "$@" >/dev/null 2>/dev/full', *argv).returncode == status


@posix_shell
def test_real_process_stdout_full_and_stderr_closed_still_exits_2() -> None:
    assert shell('exec "$@" >/dev/full 2>&-', "check", str(VALID)).returncode == 2


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Enough JSON Lines that the report is far larger than a pipe holds."""
    path = tmp_path_factory.mktemp("output") / "export.jsonl"
    path.write_text((json.dumps(VALID_US_PAYLOAD) + "\n") * 20_000, "utf-8")
    return path


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX pipes")
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_real_process_reader_gone_like_head_1_exits_2(export: Path, jobs: str) -> None:
    """`check ... | head -1` exited 0 although not every record was reported."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    argv = ["check", "--format", "jsonl", "--jobs", jobs, str(export)]
    process = subprocess.Popen(
        [sys.executable, "-m", "pc_validate", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=ROOT,
        start_new_session=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()  # what head -1 reads, before it exits
        process.stdout.close()
        _, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate(timeout=60)
    assert json.loads(first)["record"] == 0
    assert (process.returncode, err.decode()) == (2, GONE + INCOMPLETE)
    deadline = time.monotonic() + 10  # the workers, the fork server, the resource tracker
    while _session_alive(process.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _session_alive(process.pid)


def _session_alive(sid: int) -> bool:
    if not Path("/proc/self/stat").exists():
        return False
    from test_signals import session_members

    return bool(session_members(sid))
