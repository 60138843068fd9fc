"""Validating streams of records, in this process or in N worker processes, in input order.

Records travel to the workers (workers.py) in tasks through a bounded window of pending
tasks, so memory stays flat however long the input is: a LineChunk of JSON Lines as bytes,
which the worker cuts into records itself, or a batch of other records. Under
Settings.as_line a task comes back as one Block of JSON lines and counts, so the main
process handles a result per task, not per record. Results are handed on strictly in input
order, whatever N is. A worker that dies (killed, out of memory) takes the task it worked on
with it: the task is given to a fresh worker once more, and when that one dies too its
records are reported as not validated, with the reason; the run goes on.

A run that stops early (an interrupt, a signal, output that cannot be written) stops its
workers at once: they ignore SIGINT, so a Ctrl-C sent to the whole process group reaches
only the main process, which terminates them, then kills any still there after a short
grace. A worker whose main process dies without that (SIGKILL, a crash) ends by itself.
"""

from __future__ import annotations

import os
from collections import Counter, deque
from collections.abc import Container, Generator, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, NamedTuple

from pc_validate.memo import Bounded
from pc_validate.model import MISSING, STATUSES, Status, fold, worst_rank
from pc_validate.payload import PayloadError
from pc_validate.records import Body, Item, LineChunk, Origin, Record, Unreadable, Where
from pc_validate.report import Report, dumps, unreadable_result

if TYPE_CHECKING:
    from pc_validate.documents import ResultDocument
    from pc_validate.workers import Task

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
    #: under as_line, leave the lines of valid records out of a Block (--only-invalid)
    only_invalid: bool = False


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
    return f"{{{_place(where)}, {_CLEAN_REST}"


def _place(where: Where) -> str:
    """A result's place as dumps writes it: "input", "record", "line" and "row"."""
    name = _names.entries.get(where.input)
    if name is None:
        name = _names.remember(where.input, dumps(where.input, indent=None))
    line = "null" if where.line is None else where.line
    row = "null" if where.row is None else where.row
    return f'"input": {name}, "record": {where.index}, "line": {line}, "row": {row}'


def _result_line(report: Report, where: Where) -> Outcome:
    """The outcome of a report with violations, its result as dumps(report.result_dict(...))
    writes it, from pieces: each violation's JSON written once per Violation (the validator
    hands the same one out for a finding it has written before: four in ten on the realistic
    corpus), the rest filled in."""
    counts = [0, 0, 0]
    texts = []
    kept = _violation_texts.entries
    for violation in report.violations:
        counts[_SEVERITY_INDEX[violation.severity]] += 1
        found = kept.get(id(violation))
        if found is None or found[0] is not violation:
            found = (violation, dumps(violation.to_dict(), indent=None))
            _violation_texts.remember(id(violation), found)
        texts.append(found[1])
    state = '"status": "invalid", "ok": false' if counts[0] else '"status": "valid", "ok": true'
    tally = f'{{"error": {counts[0]}, "warning": {counts[1]}, "info": {counts[2]}}}'
    line = f'{{{_place(where)}, {state}, "counts": {tally}, "violations": [{", ".join(texts)}]}}'
    trio = (counts[0], counts[1], counts[2])
    return Outcome("invalid" if counts[0] else "valid", trio, worst_rank(trio), line)


#: The JSON of Violations written lately, by id (with the Violation, which keeps the id its
#: own while it is held here).
_violation_texts: Bounded[int, tuple[Any, str]] = Bounded(1024)
_SEVERITY_INDEX: Final = {"error": 0, "warning": 1, "info": 2}
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
    if settings.as_line and not settings.positions:
        outcome = _result_line(report, where)
    else:
        outcome = _located(report, record, payload, settings)
    if settings.statistics and report.violations:
        fired = tuple((v.rule, v.severity) for v in report.violations)
        markets = validator.ruleset.markets if settings.redact else None
        return outcome._replace(fired=(country_of(payload, markets), fired))
    return outcome


def _located(report: Report, record: Body, payload: Any, settings: Settings) -> Outcome:
    """The outcome from the result dict, its violations located under Settings.positions."""
    where = record.where
    result = report.result_dict(where.input, where.index, where.line, where.row)
    if settings.positions and report.violations:
        origin = record.source()
        if origin is not None:
            from pc_validate.locations import locate

            locate(result["violations"], origin, payload, redact=settings.redact)
    return _outcome(result, settings)


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
    items: Iterable[Item], settings: Settings, validator: Any = None
) -> Generator[Outcome, None, None]:
    if validator is None:
        validator = _validator(settings)
    for record in each_record(items):
        yield _checked(record, validator, settings)


def each_record(items: Iterable[Item]) -> Iterator[Record]:
    """The records of items, a LineChunk's read from its lines."""
    for item in items:
        if type(item) is LineChunk:
            from pc_validate.inputs import chunk_records

            yield from chunk_records(item)
        else:
            yield item  # type: ignore[misc]


# --- in worker processes ----------------------------------------------------------------------


class Block(NamedTuple):
    """The results of a worker's task under Settings.as_line, in one piece: the JSON lines
    of its records (each ending in a line end; valid records left out under
    Settings.only_invalid), what the summary adds (records by status, in STATUSES order,
    violations by severity), the worst severity's rank, the (country, fired) of each record
    with violations under Settings.statistics, and the JSON line of each record that could
    not be read or validated (for its line on stderr)."""

    text: str
    statuses: tuple[int, int, int, int]
    totals: tuple[int, int, int]
    worst: int
    fired: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]
    problems: tuple[str, ...]


def block_of(outcomes: Iterable[Outcome], settings: Settings) -> Block:
    """The outcomes (each with its JSON line) of a task, as one Block."""
    lines: list[str] = []
    statuses: dict[str, int] = dict.fromkeys(STATUSES, 0)
    errors = warnings = infos = 0
    worst = -1
    fired = []
    problems = []
    only_invalid = settings.only_invalid
    for outcome in outcomes:
        status = outcome.status
        statuses[status] += 1
        counts = outcome.counts
        if counts != (0, 0, 0):
            errors += counts[0]
            warnings += counts[1]
            infos += counts[2]
            if outcome.worst > worst:
                worst = outcome.worst
            if outcome.fired is not None:
                fired.append(outcome.fired)
        if status == "valid":
            if only_invalid:
                continue
        elif status != "invalid":
            problems.append(outcome.result)
        lines.append(outcome.result)
    if lines:
        lines.append("")
    return Block(
        "\n".join(lines),
        tuple(statuses.values()),  # type: ignore[arg-type]
        (errors, warnings, infos),
        worst,
        tuple(fired),
        tuple(problems),
    )


def serve() -> None:
    """The life of a worker process (workers.Pool starts it)."""
    from pc_validate.workers import serve as serving

    serving(_start_worker, _perform)


def _start_worker(settings: Settings) -> tuple[Any, Settings]:
    return _validator(settings), settings


def _perform(state: tuple[Any, Settings], task: Any) -> Block | list[Outcome]:
    """A task's results: a Block under Settings.as_line, else an Outcome per record."""
    validator, settings = state
    outcomes = (_checked(record, validator, settings) for record in _task_records(task))
    return block_of(outcomes, settings) if settings.as_line else list(outcomes)


def _task_records(payload: Any) -> Iterator[Record]:
    """The records of a task's payload: a LineChunk, or a batch of packed records."""
    if type(payload) is LineChunk:
        return each_record((payload,))
    return (_unpack(item) for item in payload)


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


def _tasks(items: Iterable[Item]) -> Iterator[Task]:
    """The tasks of a run: each LineChunk, and the records between them in batches of BATCH.
    A task's payload is what crosses to the worker; `records` is kept here, for a task whose
    worker died twice (a chunk's records are read again from its bytes then)."""
    from pc_validate.workers import Task

    batch: list[Record] = []
    for item in items:
        if type(item) is LineChunk:
            if batch:
                yield _batch_task(batch)
                batch = []
            yield Task(item, item)
            continue
        batch.append(item)  # type: ignore[arg-type]
        if len(batch) >= BATCH:
            yield _batch_task(batch)
            batch = []
    if batch:
        yield _batch_task(batch)


def _batch_task(batch: list[Record]) -> Task:
    from pc_validate.workers import Task

    return Task([_pack(record) for record in batch], batch)


def validate_in_workers(
    items: Iterable[Item], settings: Settings, jobs: int
) -> Generator[Outcome | Block, None, None]:
    """Validate in `jobs` worker processes, in input order: an Outcome per record, or under
    Settings.as_line a Block per task (a LineChunk, or a batch of other records).

    A worker that dies takes the task it worked on with it: that task is given to a fresh
    worker once more, and if that one dies too, its records are reported as not validated.
    The tasks it had not begun are given to the others as they were."""
    from pc_validate.workers import Pool

    jobs = min(jobs, worker_limit())
    tasks = _tasks(items)
    pending: deque[Task] = deque()
    pool = Pool("pc_validate.bulk", settings, jobs)

    def died(held: list[Task]) -> None:
        for task in held:
            if task.attempts >= 2:
                outcomes = [_not_validated(record, settings) for record in _records_of(task)]
                task.result = block_of(outcomes, settings) if settings.as_line else outcomes
                task.done = True
            else:
                pool.submit(task)

    finished = False
    try:
        while True:
            while len(pending) < jobs * WINDOW_PER_WORKER:
                task = next(tasks, None)
                if task is None:
                    break
                pending.append(task)
                pool.submit(task)
            if not pending:
                finished = True
                return
            result = pool.wait(pending.popleft(), died)
            if type(result) is Block:
                yield result
            else:
                yield from result
    finally:
        if finished:
            pool.close()
        else:  # stopped early: interrupted, or the consumer went away (GeneratorExit)
            pool.stop(GRACE)


def _records_of(task: Task) -> Iterable[Record]:
    kept = task.kept
    return each_record((kept,)) if type(kept) is LineChunk else kept


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
    "Block",
    "Body",
    "Outcome",
    "Settings",
    "Tally",
    "Unreadable",
    "block_of",
    "country_of",
    "each_record",
    "validate_in_workers",
    "validate_serially",
    "worker_count",
    "worker_limit",
]
