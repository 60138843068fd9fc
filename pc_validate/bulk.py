"""Validating streams of records, in this process or in N worker processes, in input order.

Records travel to the workers in batches through a bounded window of pending batches, so
memory stays flat however long the input is; results come back and are handed on strictly
in input order, whatever N is. A worker that dies (killed, out of memory) takes its batches
with it: their records are reported as not validated, with the reason, and the run goes on
with fresh workers.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING, Any, NamedTuple

from pc_validate.inputs import Body, Record, Unreadable, Where
from pc_validate.payload import PayloadError
from pc_validate.report import Report, dumps, unreadable_result

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

BATCH = 1024
#: Batches in flight per worker: enough to keep every worker busy, few enough to stay flat.
WINDOW_PER_WORKER = 3


@dataclass(frozen=True, slots=True)
class Settings:
    """What a worker needs to build its validator and its results (picklable)."""

    rules: tuple[str, ...] = ()
    disable: tuple[str, ...] = ()
    cloud: str = "global"
    redact: bool = False
    #: serialise each result to one JSON line in the worker (for --format jsonl)
    as_line: bool = False


class Outcome(NamedTuple):
    """One record's result: its status and counts for the summary, and the result itself
    (a dict, or its JSON line when Settings.as_line). A tuple: it crosses between processes
    by the million, and tuples are what pickle handles fastest."""

    status: str
    counts: tuple[int, int, int]
    worst: int
    result: Any


def _clean_line(where: Where) -> str:
    """The JSON line of a record without violations, as dumps(result_dict(...)) writes it, from
    a template: seven in ten records of a bulk run are clean."""
    name = _names.get(where.input)
    if name is None:
        if len(_names) >= 64:
            _names.clear()
        name = _names[where.input] = dumps(where.input, indent=None)
    line = "null" if where.line is None else where.line
    row = "null" if where.row is None else where.row
    return (
        f'{{"input": {name}, "record": {where.index}, "line": {line}, "row": {row}, '
        '"status": "valid", "ok": true, "counts": {"error": 0, "warning": 0, "info": 0}, '
        '"violations": []}'
    )


_names: dict[str, str] = {}
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
    report: Report = validator.validate(payload, redact=settings.redact)
    if settings.as_line and not report.violations:
        return Outcome(*_CLEAN_OUTCOME, _clean_line(where))
    return _outcome(report.result_dict(where.input, where.index, where.line, where.row), settings)


def _unreadable(
    where: Where,
    reason: str,
    line: int | None = None,
    column: int | None = None,
    status: str = "unreadable",
) -> dict[str, Any]:
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


def _outcome(result: dict[str, Any], settings: Settings) -> Outcome:
    counts = result["counts"]
    trio = (counts["error"], counts["warning"], counts["info"])
    worst = 2 if trio[0] else 1 if trio[1] else 0 if trio[2] else -1
    body: Any = dumps(result, indent=None) if settings.as_line else result
    return Outcome(result["status"], trio, worst, body)


def _validator(settings: Settings) -> Any:
    from pc_validate.api import validator_for

    return validator_for(settings.rules, settings.disable, settings.cloud)


# --- in this process --------------------------------------------------------------------------


def validate_serially(
    records: Iterable[Record], settings: Settings, validator: Any = None
) -> Iterator[Outcome]:
    if validator is None:
        validator = _validator(settings)
    for record in records:
        yield _checked(record, validator, settings)


# --- in worker processes ----------------------------------------------------------------------

_worker_validator: Any = None
_worker_settings: Settings | None = None


def _start_worker(settings: Settings) -> None:
    global _worker_validator, _worker_settings
    _worker_settings = settings
    _worker_validator = _validator(settings)


def _pack(record: Record) -> Any:
    """A record as plain tuples for the trip to a worker (dataclasses pickle slowly)."""
    where = record.where
    if type(record) is Body:
        return (where.input, where.index, where.line, where.row, record.payload, record.text)
    return record  # Unreadable, or a subclass with its own behaviour: as it is


def _unpack(item: Any) -> Record:
    if type(item) is tuple:
        name, index, line, row, payload, text = item
        return Body(Where(name, index, line, row), payload, text)
    return item  # type: ignore[no-any-return]


def _work(batch: Sequence[Any]) -> list[Outcome]:
    assert _worker_settings is not None
    return [_checked(_unpack(item), _worker_validator, _worker_settings) for item in batch]


def validate_in_workers(
    records: Iterable[Record], settings: Settings, jobs: int
) -> Iterator[Outcome]:
    """Validate in `jobs` worker processes; outcomes in input order."""
    from concurrent.futures.process import BrokenProcessPool

    source = iter(records)
    #: (batch, its future, whether it was already resubmitted after a worker died)
    pending: deque[tuple[list[Record], Future[list[Outcome]], bool]] = deque()
    pool = _pool(settings, jobs)
    try:
        while True:
            while len(pending) < jobs * WINDOW_PER_WORKER:
                batch = list(islice(source, BATCH))
                if not batch:
                    break
                pending.append((batch, _submit(pool, batch), False))
            if not pending:
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
        pool.shutdown(wait=True, cancel_futures=True)


def _submit(pool: ProcessPoolExecutor, batch: list[Record]) -> Future[list[Outcome]]:
    from concurrent.futures import Future
    from concurrent.futures.process import BrokenProcessPool

    try:
        return pool.submit(_work, [_pack(record) for record in batch])
    except BrokenProcessPool:
        future: Future[list[Outcome]] = Future()
        future.set_exception(BrokenProcessPool("the worker pool could not take the batch"))
        return future


def _pool(settings: Settings, jobs: int) -> ProcessPoolExecutor:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("spawn" if os.name == "nt" else "forkserver")
    return ProcessPoolExecutor(
        max_workers=jobs, mp_context=context, initializer=_start_worker, initargs=(settings,)
    )


def _not_validated(record: Record, settings: Settings) -> Outcome:
    reason = (
        "not validated: the worker process validating it stopped unexpectedly "
        "(killed, or out of memory), twice"
    )
    return _outcome(_unreadable(record.where, reason, status="not_validated"), settings)


def worker_count(requested: int | None) -> int:
    """--jobs: as asked, else the number of cores this process may use."""
    if requested is not None:
        return max(1, requested)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


__all__ = [
    "Body",
    "Outcome",
    "Settings",
    "Unreadable",
    "validate_in_workers",
    "validate_serially",
    "worker_count",
]
