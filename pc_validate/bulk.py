"""Validating streams of records, in this process or in N worker processes, in input order.

Records travel to the workers in batches through a bounded window of pending batches, so
memory stays flat however long the input is; results come back and are handed on strictly
in input order, whatever N is. A worker that dies (killed, out of memory) takes its batches
with it: their records are reported as not validated, with the reason, and the run goes on
with fresh workers.

A run that stops early (an interrupt, a signal, output that cannot be written) stops its
workers at once: they ignore SIGINT, so a Ctrl-C sent to the whole process group reaches
only the main process, which terminates them, then kills any still there after a short
grace. A worker whose main process dies without that (SIGKILL, a crash) ends by itself.
"""

from __future__ import annotations

import contextlib
import os
from collections import Counter, deque
from collections.abc import Container, Generator, Iterable, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING, Any, Final, NamedTuple

from pc_validate.interrupt import deferred
from pc_validate.memo import Bounded
from pc_validate.model import MISSING, Status, fold, worst_rank
from pc_validate.payload import PayloadError
from pc_validate.records import Body, Origin, Record, Unreadable, Where
from pc_validate.report import Report, dumps, unreadable_result

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

    from pc_validate.documents import ResultDocument

BATCH = 1024
#: Batches in flight per worker: enough to keep every worker busy, few enough to stay flat.
WINDOW_PER_WORKER = 3
#: Workers per usable core at most: more only add processes and memory, not speed.
WORKERS_PER_CORE = 2
#: Seconds the workers of a run that stops early have to end on SIGTERM before SIGKILL.
GRACE = 2.0


@dataclass(frozen=True, slots=True)
class Settings:
    """What a worker needs to build its validator and its results (picklable)."""

    rules: tuple[str, ...] = ()
    disable: tuple[str, ...] = ()
    cloud: str = "global"
    redact: bool = False
    #: serialise each result to one JSON line in the worker (for --format jsonl)
    as_line: bool = False
    #: give each violation of a record read from text its line and column (locations.py)
    positions: bool = False
    #: send back what a rule table needs (Outcome.fired) for each record with violations
    statistics: bool = False
    #: the language of the messages (a tag languages.language_of reads)
    language: str = "en"


class Outcome(NamedTuple):
    """One record's result: its status and counts for the summary, and the result itself
    (a dict, or its JSON line when Settings.as_line). A tuple: it crosses between processes
    by the million, and tuples are what pickle handles fastest."""

    status: str
    counts: tuple[int, int, int]
    worst: int
    result: Any
    #: under Settings.statistics, for a record with violations: (its country, the (rule,
    #: severity) of each violation); else None
    fired: tuple[str, tuple[tuple[str, str], ...]] | None = None


def _clean_line(where: Where) -> str:
    """The JSON line of a record without violations, as dumps(result_dict(...)) writes it: the
    record's place filled into the rest of a clean result, written once (seven in ten records
    of a bulk run are clean, and dumps of the whole would cost more than their validation)."""
    name = _names.entries.get(where.input)
    if name is None:
        name = _names.remember(where.input, dumps(where.input, indent=None))
    line = "null" if where.line is None else where.line
    row = "null" if where.row is None else where.row
    place = f'"input": {name}, "record": {where.index}, "line": {line}, "row": {row}'
    return f"{{{place}, {_CLEAN_REST}"


_PLACE = ("input", "record", "line", "row")
#: A clean result after its place, as dumps writes it: from "status" to the closing brace.
_CLEAN_REST: Final = dumps(
    {k: v for k, v in Report(()).result_dict().items() if k not in _PLACE}, indent=None
)[1:]
_names: Bounded[str, str] = Bounded(64)
_CLEAN_OUTCOME = ("valid", (0, 0, 0), -1)


def _checked(record: Record, validator: Any, settings: Settings) -> Outcome:
    """One record's outcome; a clean record as a JSON line skips the result dict."""
    where = record.where
    if isinstance(record, Unreadable):
        return _outcome(_unreadable(where, record.reason, record.line, record.column), settings)
    try:
        payload = record.parsed()
    except PayloadError as exc:
        line = exc.line if where.line is None or exc.line is None else where.line + exc.line - 1
        return _outcome(_unreadable(where, exc.reason, line, exc.column), settings)
    report: Report = validator.validate(payload, redact=settings.redact, language=settings.language)
    if settings.as_line and not report.violations:
        return Outcome(*_CLEAN_OUTCOME, _clean_line(where))
    result = report.result_dict(where.input, where.index, where.line, where.row)
    if settings.positions and report.violations:
        origin = record.source()
        if origin is not None:
            from pc_validate.locations import locate

            locate(result["violations"], origin, payload, redact=settings.redact)
    outcome = _outcome(result, settings)
    if settings.statistics and report.violations:
        fired = tuple((v.rule, v.severity) for v in report.violations)
        markets = validator.ruleset.markets if settings.redact else None
        return outcome._replace(fired=(country_of(payload, markets), fired))
    return outcome


#: The country of a record whose country is missing, or is not one that may be named.
NO_COUNTRY, OTHER_COUNTRY = "(none)", "(other)"
_COUNTRY_PATH = ("billingprofile", "defaultaddress", "country")


def country_of(payload: Any, markets: Container[str] | None = None) -> str:
    """billingProfile.defaultAddress.country (keys in any letter case) as two upper-case
    letters, else NO_COUNTRY or OTHER_COUNTRY. Two letters are no one's personal data, and
    keep the table short; under --redact, where no value of a payload is repeated, only the
    codes of `markets` (Partner Center's, a public list) are named, as rule ids are."""
    value = payload
    for name in _COUNTRY_PATH:
        if not isinstance(value, dict):
            return NO_COUNTRY
        value = next(
            (item for key, item in value.items() if isinstance(key, str) and fold(key) == name),
            MISSING,
        )
    if value is MISSING or value is None:
        return NO_COUNTRY
    if isinstance(value, str) and len(value) == 2 and value.isascii() and value.isalpha():
        code = value.upper()
        if markets is None or code in markets:
            return code
    return OTHER_COUNTRY


class Tally:
    """Counts of the rules that fired, over the records added."""

    def __init__(self) -> None:
        self.violations: Counter[str] = Counter()
        self.records: Counter[str] = Counter()
        self.countries: dict[str, Counter[str]] = {}
        self.severity: dict[str, str] = {}

    def add(self, country: str, fired: Iterable[tuple[str, str]]) -> None:
        """One record's violations, as (rule, severity) pairs, and its country."""
        seen: set[str] = set()
        for rule, severity in fired:
            self.violations[rule] += 1
            if rule not in seen:
                seen.add(rule)
                self.severity.setdefault(rule, severity)
        for rule in seen:
            self.records[rule] += 1
            by_country = self.countries.get(rule)
            if by_country is None:
                by_country = self.countries[rule] = Counter()
            by_country[country] += 1

    def __bool__(self) -> bool:
        return bool(self.violations)


def _unreadable(
    where: Where,
    reason: str,
    line: int | None = None,
    column: int | None = None,
    status: Status = "unreadable",
) -> ResultDocument:
    return unreadable_result(
        where.input,
        reason,
        line,
        column,
        where.index,
        record_line=where.line,
        row=where.row,
        status=status,
    )


def _outcome(result: ResultDocument, settings: Settings) -> Outcome:
    counts = result["counts"]
    trio = (counts["error"], counts["warning"], counts["info"])
    worst = worst_rank(trio)
    body: Any = dumps(result, indent=None) if settings.as_line else result
    return Outcome(result["status"], trio, worst, body)


def _validator(settings: Settings) -> Any:
    from pc_validate.api import validator_for

    return validator_for(settings.rules, settings.disable, settings.cloud)


# --- in this process --------------------------------------------------------------------------


def validate_serially(
    records: Iterable[Record], settings: Settings, validator: Any = None
) -> Generator[Outcome, None, None]:
    if validator is None:
        validator = _validator(settings)
    for record in records:
        yield _checked(record, validator, settings)


# --- in worker processes ----------------------------------------------------------------------

_worker_validator: Any = None
_worker_settings: Settings | None = None


def _start_worker(settings: Settings) -> None:
    global _worker_validator, _worker_settings
    import signal

    # Ctrl-C reaches the whole process group; the main process alone decides what it means.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _end_with_main_process()
    _worker_settings = settings
    _worker_validator = _validator(settings)


def _end_with_main_process() -> None:
    """End this worker as soon as the main process ends, however it ends.

    The worker's parent is the fork server, not the main process, and the fork server lives
    as long as any worker does (each holds its "alive" pipe), so neither a parent-death
    signal nor a change of os.getppid() would tell. The main process holds the only write
    end of a pipe whose read end is multiprocessing's sentinel for this worker's parent: the
    kernel closes it when the main process dies, even by SIGKILL, and waiting for that costs
    a thread blocked in select(). On Windows the sentinel is the parent's process handle.
    """
    import multiprocessing
    import threading

    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(
            target=_exit_after, args=(parent,), name="parent-watch", daemon=True
        ).start()


def _exit_after(parent: Any) -> None:
    parent.join()
    os._exit(1)


def _pack(record: Record) -> Any:
    """A record as plain tuples for the trip to a worker (dataclasses pickle slowly)."""
    where = record.where
    if type(record) is Body:
        origin = record.origin
        return (
            where.input,
            where.index,
            where.line,
            where.row,
            record.payload,
            record.text,
            None if origin is None else tuple(origin),
        )
    return record  # Unreadable, or a subclass with its own behaviour: as it is


def _unpack(item: Any) -> Record:
    if type(item) is tuple:
        name, index, line, row, payload, text, origin = item
        return Body(
            Where(name, index, line, row),
            payload,
            text,
            None if origin is None else Origin(*origin),
        )
    return item  # type: ignore[no-any-return]


def _work(batch: Sequence[Any]) -> list[Outcome]:
    assert _worker_settings is not None
    return [_checked(_unpack(item), _worker_validator, _worker_settings) for item in batch]


def validate_in_workers(
    records: Iterable[Record], settings: Settings, jobs: int
) -> Generator[Outcome, None, None]:
    """Validate in `jobs` worker processes; outcomes in input order."""
    from concurrent.futures.process import BrokenProcessPool

    jobs = min(jobs, worker_limit())
    source = iter(records)
    #: (batch, its future, whether it was already resubmitted after a worker died)
    pending: deque[tuple[list[Record], Future[list[Outcome]], bool]] = deque()
    pool = _pool(settings, jobs)
    finished = False
    try:
        while True:
            while len(pending) < jobs * WINDOW_PER_WORKER:
                batch = list(islice(source, BATCH))
                if not batch:
                    break
                pending.append((batch, _submit(pool, batch), False))
            if not pending:
                finished = True
                return
            batch, future, retried = pending.popleft()
            try:
                outcomes = future.result()
            except BrokenProcessPool:
                # Every batch in the pool fails with it; only one held the record that killed
                # the worker. Resubmit them all to a fresh pool; a batch that fails twice is
                # reported record by record as not validated.
                pool.shutdown(wait=False, cancel_futures=True)
                pool = _pool(settings, jobs)
                if retried:
                    outcomes = [_not_validated(record, settings) for record in batch]
                else:
                    pending.appendleft((batch, future, True))
                    outcomes = []
                pending = deque((b, _submit(pool, b), r) for b, _, r in pending)
            yield from outcomes
    finally:
        if finished:
            pool.shutdown(wait=True)
        else:  # stopped early: interrupted, or the consumer went away (GeneratorExit)
            _stop(pool)


def _stop(pool: ProcessPoolExecutor) -> None:
    """Stop the workers now: SIGTERM, then SIGKILL for any still there after GRACE seconds.

    A worker may hold a lock of the pool's queues, so asking it to finish its work (what
    shutdown() does) could wait forever. ProcessPoolExecutor has no public way to stop its
    workers before Python 3.14 (whose terminate_workers() reads the same _processes), nor
    to unblock its manager thread: this reaches into the executor's attributes, each
    looked up with a default, so a Python that renames them only loses the unblocking.
    """
    import time

    processes = list((getattr(pool, "_processes", None) or {}).values())
    manager = getattr(pool, "_executor_manager_thread", None)
    results = getattr(pool, "_result_queue", None)
    with deferred():
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            with contextlib.suppress(OSError, ValueError):
                process.terminate()
        deadline = time.monotonic() + GRACE
        for process in processes:
            with contextlib.suppress(OSError, ValueError):
                process.join(max(0.0, deadline - time.monotonic()))
                if process.is_alive():
                    process.kill()
                    process.join(GRACE)
        # The pool's manager thread may be half-way through reading a result that a killed
        # worker was writing: with the workers gone, this process holds the last write end of
        # that pipe, and closing it ends the read (EOF), so the thread can finish. Left
        # waiting, it would keep the interpreter from exiting.
        with contextlib.suppress(OSError, AttributeError):
            results._writer.close()  # type: ignore[union-attr]
        if manager is not None:
            manager.join(GRACE)


def _submit(pool: ProcessPoolExecutor, batch: list[Record]) -> Future[list[Outcome]]:
    from concurrent.futures import Future
    from concurrent.futures.process import BrokenProcessPool

    try:
        with deferred():  # a signal must not stop a worker half-started
            return pool.submit(_work, [_pack(record) for record in batch])
    except BrokenProcessPool:
        future: Future[list[Outcome]] = Future()
        future.set_exception(BrokenProcessPool("the worker pool could not take the batch"))
        return future


def _pool(settings: Settings, jobs: int) -> ProcessPoolExecutor:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("spawn" if os.name == "nt" else "forkserver")
    if context.get_start_method() == "forkserver":
        _start_resource_tracker()
    return ProcessPoolExecutor(
        max_workers=jobs, mp_context=context, initializer=_start_worker, initargs=(settings,)
    )


def _start_resource_tracker() -> None:
    """Start multiprocessing's resource tracker (if it is not running yet) with SIGHUP blocked.

    It blocks SIGINT and SIGTERM itself, but a closed terminal's SIGHUP to the process group
    would end it, and the clean-up of the pool's semaphores at exit would then start a new
    one that knows none of them and prints a KeyError traceback for each.
    """
    import signal
    from multiprocessing import resource_tracker

    hangup = getattr(signal, "SIGHUP", None)
    if hangup is None or not hasattr(signal, "pthread_sigmask"):
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {hangup})
    try:
        resource_tracker.ensure_running()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _not_validated(record: Record, settings: Settings) -> Outcome:
    reason = (
        "not validated: the worker process validating it stopped unexpectedly "
        "(killed, or out of memory), twice"
    )
    return _outcome(_unreadable(record.where, reason, status="not_validated"), settings)


def worker_count(requested: int | None) -> int:
    """--jobs: as asked (up to worker_limit()), else the number of cores this process may use."""
    if requested is not None:
        return max(1, min(requested, worker_limit()))
    return usable_cores()


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity where the platform has one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def worker_limit() -> int:
    """The most worker processes a run starts: WORKERS_PER_CORE per usable core."""
    return WORKERS_PER_CORE * usable_cores()


__all__ = [
    "NO_COUNTRY",
    "OTHER_COUNTRY",
    "Body",
    "Outcome",
    "Settings",
    "Tally",
    "Unreadable",
    "country_of",
    "validate_in_workers",
    "validate_serially",
    "worker_count",
    "worker_limit",
]
