"""Processes and signals (issue 11, section 4): a run stopped by SIGINT, SIGTERM or SIGHUP
stops its workers, exits 128 + the signal's number with one line on stderr and leaves
nothing running; workers ignore Ctrl-C and end with the main process, even on SIGKILL;
--jobs is capped at twice the usable cores.

The real-process tests start the command in a session of its own (as a terminal's job is)
and look in /proc for every process of that session afterwards: the workers above all.
Every wait is bounded; whatever a failing test leaves is killed."""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import VALID_US_PAYLOAD, run_cli

from pc_validate import bulk, interrupt
from pc_validate.cli import main

ROOT = Path(__file__).parent.parent
COMMAND = [sys.executable, "-m", "pc_validate"]
linux_only = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A JSON Lines export large enough that `check --jobs 4` runs for seconds."""
    lines = []
    for i in range(60_000):
        payload = json.loads(json.dumps(VALID_US_PAYLOAD))
        address = payload["billingProfile"]["defaultAddress"]
        if i % 10 == 3:
            address["state"] = "Washington"
        else:
            address["city"] = f"Redmond {i}"
        lines.append(json.dumps(payload))
    path = tmp_path_factory.mktemp("signals") / "export.jsonl"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def session_members(sid: int) -> list[tuple[int, str]]:
    """The live processes (not zombies) of session `sid` or process group `sid`."""
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            command = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            continue
        state, _ppid, pgid, session = stat[stat.rindex(")") + 2 :].split()[:4]
        if state != "Z" and sid in (int(pgid), int(session)):
            members.append((int(entry), command.decode(errors="replace")[:120]))
    return members


def wait_until_gone(sid: int, seconds: float = 10.0) -> list[tuple[int, str]]:
    deadline = time.monotonic() + seconds
    while (left := session_members(sid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


class Job:
    """`pc-validate check --jobs 4 --format jsonl EXPORT` in a session of its own."""

    def __init__(self, export: Path, out: Path) -> None:
        self.out = out
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.process = subprocess.Popen(
            [*COMMAND, "check", "--jobs", "4", "--format", "jsonl", str(export)],
            stdout=out.open("wb"),
            stderr=subprocess.PIPE,
            start_new_session=True,
            env=env,
            cwd=ROOT,
        )
        self.sid = self.process.pid

    def wait_for_results(self) -> None:
        """Until the first results are written: the workers are then all at work."""
        deadline = time.monotonic() + 120
        while self.out.stat().st_size == 0:
            assert self.process.poll() is None, self.process.communicate(timeout=60)
            assert time.monotonic() < deadline, "no result within 120 s"
            time.sleep(0.02)
        time.sleep(random.uniform(0.0, 0.5))
        assert self.process.poll() is None, "the run ended before the signal: make it longer"

    def finish(self) -> tuple[int, str]:
        try:
            _, err = self.process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            pytest.fail(f"still running after 60 s: {session_members(self.sid)}")
        return self.process.returncode, err.decode("utf-8", "replace")

    def kill_everything(self) -> None:
        for pid, _ in session_members(self.sid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if self.process.poll() is None:
            self.process.kill()
        self.process.communicate(timeout=60)


@pytest.fixture
def job(export: Path, tmp_path: Path) -> Iterator[Job]:
    started = Job(export, tmp_path / "out.jsonl")
    try:
        yield started
    finally:
        started.kill_everything()


def stop_and_check(job: Job, signum: int, *, group: bool) -> None:
    job.wait_for_results()
    assert len(session_members(job.sid)) >= 3  # the command and its workers
    if group:
        os.killpg(job.sid, signum)
    else:
        os.kill(job.process.pid, signum)
    code, err = job.finish()
    name = signal.Signals(signum).name
    assert (code, err) == (128 + signum, f"pc-validate: interrupted ({name})\n")
    assert wait_until_gone(job.sid) == []


@linux_only
@pytest.mark.parametrize("attempt", range(5))
def test_ctrl_c_to_the_process_group_stops_every_process(job: Job, attempt: int) -> None:
    """What a terminal sends: SIGINT to the whole foreground group, workers included (it
    hung for good about half the time, or printed the workers' tracebacks)."""
    stop_and_check(job, signal.SIGINT, group=True)


@linux_only
@pytest.mark.parametrize(
    ("signum", "group"),
    [
        pytest.param(signal.SIGTERM, False, id="SIGTERM-main"),  # kill, docker stop, timeout
        pytest.param(signal.SIGTERM, False, id="SIGTERM-main-again"),
        pytest.param(signal.SIGHUP, False, id="SIGHUP-main"),
        pytest.param(signal.SIGTERM, True, id="SIGTERM-group"),  # a CI job cancelled
        pytest.param(signal.SIGHUP, True, id="SIGHUP-group"),  # the terminal closed
    ],
)
def test_sigterm_and_sighup_stop_every_process(job: Job, signum: int, group: bool) -> None:
    """Exit 143 / 129 with one line, no traceback, no leaked semaphore warning from the
    resource tracker, and neither workers nor fork server nor resource tracker left (they
    were orphaned for good)."""
    stop_and_check(job, signum, group=group)


@linux_only
def test_workers_end_with_a_main_process_killed_by_sigkill(job: Job) -> None:
    """SIGKILL cannot be handled: the workers see their main process gone and end, and the
    fork server and the resource tracker follow (all of them stayed, for good)."""
    job.wait_for_results()
    job.process.kill()
    job.process.wait(timeout=60)
    assert wait_until_gone(job.sid) == []


# --- in this process -----------------------------------------------------------------------------


class Signalling(io.RawIOBase):
    """Standard input that sends a signal to this process when the command reads it."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        self.handler_then: Any = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.handler_then is None:
            self.handler_then = signal.getsignal(self.signum)
            os.kill(os.getpid(), self.signum)
            time.sleep(1)  # the handler raises as soon as the signal arrives
        return 0


def stdin_sending(signum: int) -> Any:
    return io.TextIOWrapper(io.BufferedReader(Signalling(signum)), encoding="utf-8")


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="POSIX signals")
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", 1)])
@pytest.mark.parametrize("command", ["check", "fix"])
def test_a_signal_in_process_exits_128_plus_its_number_and_restores_handlers(
    signum: int, command: str
) -> None:
    before = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    err = io.StringIO()
    code = main([command, "-"], stdout=io.StringIO(), stderr=err, stdin=stdin_sending(signum))
    assert (code, err.getvalue()) == (
        128 + signum,
        f"pc-validate: interrupted ({signal.Signals(signum).name})\n",
    )
    assert {s: signal.getsignal(s) for s in before} == before


def test_an_ignored_signal_stays_ignored() -> None:
    """`nohup` ignores SIGHUP: the run must survive a hangup then, not turn it into 129."""
    hangup = getattr(signal, "SIGHUP", None)
    if hangup is None:
        pytest.skip("no SIGHUP here")
    previous = signal.signal(hangup, signal.SIG_IGN)
    try:
        stdin = Signalling(hangup)
        code = main(
            ["check", "-"],
            stdout=io.StringIO(),
            stderr=io.StringIO(),
            stdin=io.TextIOWrapper(io.BufferedReader(stdin), encoding="utf-8"),
        )
        assert stdin.handler_then is signal.SIG_IGN
        assert code == 2  # empty input: unreadable, as without the signal
        assert signal.getsignal(hangup) is signal.SIG_IGN
    finally:
        signal.signal(hangup, previous)


def test_a_callers_own_handler_stays_theirs() -> None:
    calls: list[int] = []
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: calls.append(signum))
    try:
        code = main(
            ["check", "-"],
            stdout=io.StringIO(),
            stderr=io.StringIO(),
            stdin=stdin_sending(signal.SIGTERM),
        )
        assert calls == [signal.SIGTERM]
        assert code == 2
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_outside_the_main_thread_no_handler_is_set() -> None:
    """Python sets handlers in the main thread only: elsewhere main() runs as it is."""
    before = signal.getsignal(signal.SIGTERM)
    results: list[Any] = []

    def run() -> None:
        results.append(run_cli("check", ROOT / "examples" / "valid" / "seed-de-2023.json"))
        results.append(signal.getsignal(signal.SIGTERM))

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=120)
    assert results[0].code == 0
    assert results[1] is before


def test_without_sighup_the_other_signals_still_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows has no SIGHUP: the handlers for the others are set all the same."""
    monkeypatch.delattr(signal, "SIGHUP", raising=False)
    err = io.StringIO()
    code = main(
        ["check", "-"], stdout=io.StringIO(), stderr=err, stdin=stdin_sending(signal.SIGTERM)
    )
    assert (code, err.getvalue()) == (143, "pc-validate: interrupted (SIGTERM)\n")


def test_a_signal_within_a_deferred_step_is_raised_when_it_ends() -> None:
    finished = False
    with interrupt.raised_as_interrupts():
        with pytest.raises(interrupt.Interrupted) as caught, interrupt.deferred():
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(0.2)
            finished = True
        assert finished
        assert caught.value.signum == signal.SIGTERM
    # the signal wins over an error on the way out
    stopping = interrupt.raised_as_interrupts()
    with stopping, pytest.raises(interrupt.Interrupted), interrupt.deferred():
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(0.2)
        raise EOFError("a worker half-started")


def test_only_the_first_signal_raises() -> None:
    """A second signal (terminals send SIGHUP more than once) must not cut the clean-up."""
    with interrupt.raised_as_interrupts():
        with pytest.raises(interrupt.Interrupted):
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(1)
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(0.2)  # no exception: the first one already stops the run


def test_the_interrupt_is_a_keyboard_interrupt() -> None:
    """Every `except KeyboardInterrupt` and BaseException clean-up runs for it too."""
    assert issubclass(interrupt.Interrupted, KeyboardInterrupt)
    assert interrupt.exit_status(interrupt.Interrupted(signal.SIGTERM)) == 143
    assert interrupt.exit_status(KeyboardInterrupt()) == 130


# --- workers -------------------------------------------------------------------------------------


def children() -> list[int]:
    """The live child processes of this one (Linux /proc)."""
    found = []
    for task in Path("/proc/self/task").iterdir():
        for pid in (task / "children").read_text().split():
            with contextlib.suppress(OSError):
                if Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z":
                    found.append(int(pid))
    return found


def ignored_signals(pid: int) -> set[int]:
    """The signals process `pid` ignores (its SigIgn mask in /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigIgn:"):
            mask = int(line.split()[1], 16)
            return {n for n in range(1, 65) if mask >> (n - 1) & 1}
    return set()


class Stubborn(bulk.Body):
    """A record whose parsing makes its worker ignore SIGTERM and hang."""

    def parsed(self) -> Any:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        time.sleep(60)
        return None


@linux_only
def test_workers_ignore_sigint() -> None:
    records = [bulk.Body(bulk.Where("in", i), payload=VALID_US_PAYLOAD) for i in range(5000)]
    outcomes = bulk.validate_in_workers(records, bulk.Settings(), jobs=2)
    try:
        next(outcomes)
        workers = children()
        assert len(workers) == 2
        assert all(signal.SIGINT in ignored_signals(pid) for pid in workers)
    finally:
        outcomes.close()


@linux_only
def test_a_worker_that_ignores_sigterm_is_killed_after_the_grace() -> None:
    from pc_validate.workers import Pool, Task

    pool = Pool("pc_validate.bulk", bulk.Settings(), 1)
    pool.submit(Task([Stubborn(bulk.Where("in", 0))]))
    (pid,) = children()
    deadline = time.monotonic() + 120
    while signal.SIGTERM not in ignored_signals(pid):
        assert time.monotonic() < deadline, "the worker never began the task"
        time.sleep(0.05)
    started = time.monotonic()
    pool.stop(0.5)
    assert time.monotonic() - started < 10
    assert pid not in children()


def pipe_threads() -> list[threading.Thread]:
    from pc_validate.workers import THREAD_NAME

    deadline = time.monotonic() + 30
    while True:
        left = [t for t in threading.enumerate() if t.name == THREAD_NAME and t.is_alive()]
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.05)


def test_no_thread_is_left_after_a_run_finished_or_stopped() -> None:
    """A stopped run left the thread that fed each worker waiting for good."""
    records = [bulk.Body(bulk.Where("in", i), payload=VALID_US_PAYLOAD) for i in range(3000)]
    assert len(list(bulk.validate_in_workers(records, bulk.Settings(), jobs=2))) == 3000
    assert pipe_threads() == []
    outcomes = bulk.validate_in_workers(records, bulk.Settings(), jobs=2)
    next(outcomes)
    outcomes.close()
    assert pipe_threads() == []


@linux_only
def test_a_run_whose_consumer_stops_early_stops_its_workers() -> None:
    """The generator closed half-way (output that cannot be written) stops the workers."""
    records = [bulk.Body(bulk.Where("in", i), payload=VALID_US_PAYLOAD) for i in range(5000)]
    outcomes = bulk.validate_in_workers(records, bulk.Settings(), jobs=2)
    next(outcomes)
    assert children()
    outcomes.close()
    assert children() == []


# --- --jobs --------------------------------------------------------------------------------------


def test_jobs_above_twice_the_cores_are_capped_with_a_warning(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """--jobs 100 on 2 cores started 103 processes and took 3.5 GB."""
    asked: list[int] = []

    def workers(records: Any, settings: bulk.Settings, jobs: int) -> Any:
        asked.append(jobs)
        return bulk.validate_serially(records, settings)

    monkeypatch.setattr(bulk, "usable_cores", lambda: 2)
    monkeypatch.setattr(bulk, "validate_in_workers", workers)
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps(VALID_US_PAYLOAD) + "\n", "utf-8")
    code, _, err = run_cli("check", "--jobs", "100", source)
    assert (code, asked) == (0, [4])
    assert err == (
        "pc-validate: warning: --jobs 100 is more than twice the 2 usable cores; "
        "using 4 worker processes\n"
    )
    code, _, err = run_cli("check", "--jobs", "4", source)
    assert (code, asked, err) == (0, [4, 4], "")


def test_jobs_2147483647_is_capped_not_a_traceback(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps(VALID_US_PAYLOAD) + "\n", "utf-8")
    code, out, err = run_cli("check", "--format", "jsonl", "--jobs", "2147483647", source)
    assert code == 0
    assert json.loads(out.splitlines()[-1])["summary"]["valid"] == 1
    assert err.startswith("pc-validate: warning: --jobs 2147483647 is more than twice the ")
    assert f"using {bulk.worker_limit()} worker processes" in err


def test_the_library_caps_workers_too() -> None:
    records = [bulk.Body(bulk.Where("in", 0), payload=VALID_US_PAYLOAD)]
    outcomes = list(bulk.validate_in_workers(records, bulk.Settings(), jobs=2**31 - 1))
    assert [o.status for o in outcomes] == ["valid"]
