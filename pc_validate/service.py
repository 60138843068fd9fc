"""The validation service's contract, shared by HTTP (server.py) and --stdio (stdio.py).

A request is a body exactly as it would be sent to Partner Center; the answer is the JSON
report of `check --format json` for it (status 200), or an error document (4xx) saying what
was wrong with the request itself: not JSON, too large, an unknown cloud. A batch is JSON
Lines, answered line by line as `check --format jsonl` answers (one result per record, then
a summary line). Nothing here imports the web stack, so --stdio needs no extra.

Logs never carry payload data unless asked (`redact_logs`, on by default): a line names the
rules that fired, not the values or the keys that were sent.
"""

from __future__ import annotations

import io
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from pc_validate.engine import Validator
from pc_validate.payload import PayloadError, parse
from pc_validate.report import Report, Summary, dumps, printable
from pc_validate.rules import clouds, load_rules

if sys.version_info >= (3, 12):  # pydantic reads TypedDicts of typing only from 3.12 on
    from typing import TypedDict
else:
    from typing_extensions import TypedDict

#: The largest body /v1/customers/validate (and one --stdio line) takes: a create-customer
#: body is about 1 KB.
MAX_BODY_BYTES: Final = 1024 * 1024
#: The largest JSON Lines batch /v1/customers/validate-batch takes.
MAX_BATCH_BYTES: Final = 64 * 1024 * 1024
#: Records of a batch answered per chunk of the streamed response.
BATCH_CHUNK: Final = 256

#: The levels of --log-level: a line is written when its level is at least the one chosen.
LEVELS: Final = {"debug": 10, "info": 20, "warning": 30, "error": 40}


def _silent(text: str) -> None:
    """Where the lines of a Log nobody reads go."""


@dataclass(frozen=True)
class Log:
    """The service's log: lines of text on the command's stderr (the package uses no
    logging module: a library user sees nothing unless the command was asked to serve)."""

    write: Callable[[str], Any] = field(default=_silent)
    level: int = LEVELS["info"]

    def enabled(self, level: str) -> bool:
        return LEVELS[level] >= self.level

    def __call__(self, level: str, message: str) -> None:
        if self.enabled(level):
            self.write(f"pc-validate: {level}: {printable(message)}\n")


class ErrorDetail(TypedDict):
    status: int
    code: str
    message: str
    line: int | None
    column: int | None


class ErrorDocument(TypedDict):
    """What the service answers to a request it cannot validate (any 4xx or 5xx)."""

    error: ErrorDetail


def error_document(
    status: int, code: str, message: str, line: int | None = None, column: int | None = None
) -> ErrorDocument:
    return {
        "error": {
            "status": status,
            "code": code,
            "message": printable(message),
            "line": line,
            "column": column,
        }
    }


class RequestError(Exception):
    """A request the service cannot validate; `document` is the answer."""

    def __init__(self, status: int, code: str, message: str, **where: int | None) -> None:
        super().__init__(message)
        self.status = status
        self.document = error_document(status, code, message, **where)


def too_large(limit: int, what: str = "request body") -> RequestError:
    return RequestError(
        413, "too_large", f"the {what} is larger than {limit:,} bytes, the most this service takes"
    )


@dataclass(frozen=True)
class Asked:
    """What a request asks for besides its body: a cloud's rules (None: the service's),
    redaction of the report, the language of its messages (None: the service's)."""

    cloud: str | None = None
    redact: bool = False
    locale: str | None = None


@dataclass(frozen=True)
class Options:
    """The service's settings: the command's rule options, the language of the messages
    (a tag languages.language_of reads; a request may ask for another) and limits."""

    rules: Sequence[str] = ()
    disable: Sequence[str] = ()
    cloud: str = "global"
    language: str = "en"
    redact_logs: bool = True
    max_body_bytes: int = MAX_BODY_BYTES
    max_batch_bytes: int = MAX_BATCH_BYTES


class Service:
    """Validators per cloud (the default cloud's compiled at once, so that a broken rule file
    stops the command before it serves), and the answers to requests."""

    def __init__(self, options: Options, log: Log | None = None) -> None:
        self.options = options
        self.log = Log() if log is None else log
        self.clouds = tuple(clouds())
        self._lock = threading.Lock()
        self._validators: dict[str, Validator] = {}
        self.validator(options.cloud)

    def validator(self, cloud: str | None) -> Validator:
        """The compiled rules of a cloud (None: the service's own); RequestError (400) for a
        cloud that has no rules."""
        name = self.options.cloud if cloud is None else cloud
        validator = self._validators.get(name)
        if validator is not None:
            return validator
        if name not in self.clouds:
            raise RequestError(
                400, "unknown_cloud", f"cloud must be one of {', '.join(self.clouds)}, not {name!r}"
            )
        with self._lock:
            if name not in self._validators:
                ruleset = load_rules(self.options.rules, self.options.disable, cloud=name)
                self._validators[name] = Validator(ruleset)
            return self._validators[name]

    def report(self, data: bytes, asked: Asked = Asked()) -> Report:
        """The report of one body (bytes as received), as `asked`; RequestError when the
        request cannot be validated."""
        if len(data) > self.options.max_body_bytes:
            raise too_large(self.options.max_body_bytes)
        validator = self.validator(asked.cloud)
        try:
            payload = parse(data)
        except PayloadError as exc:
            raise RequestError(
                400,
                "not_json",
                f"the request body is not valid JSON: {exc}",
                line=exc.line,
                column=exc.column,
            ) from None
        report = validator.validate(payload, redact=asked.redact, language=self._locale(asked))
        self._log(report)
        return report

    def answer(self, data: bytes, asked: Asked = Asked()) -> tuple[int, str]:
        """The status and JSON text of the answer to one body."""
        try:
            report = self.report(data, asked)
            return 200, dumps(report.to_dict(), indent=None)
        except RequestError as exc:
            self.log("info", f"refused: {exc.document['error']['code']}")
            return exc.status, dumps(exc.document, indent=None)

    def batch(self, data: bytes, asked: Asked = Asked()) -> Iterator[str]:
        """The JSON Lines answer to a JSON Lines batch, in chunks of lines: a result per
        record (as `check --format jsonl` writes them), then the summary line. An unknown
        cloud raises RequestError here, before the first line."""
        if len(data) > self.options.max_batch_bytes:
            raise too_large(self.options.max_batch_bytes, "batch")
        return self._batch_lines(data, self.validator(asked.cloud), asked)

    def _locale(self, asked: Asked) -> str:
        return asked.locale or self.options.language

    def _batch_lines(self, data: bytes, validator: Validator, asked: Asked) -> Iterator[str]:
        from pc_validate import bulk
        from pc_validate.inputs import read_records
        from pc_validate.languages import language_of

        language = language_of(self._locale(asked)).tag
        settings = bulk.Settings(
            tuple(self.options.rules),
            tuple(self.options.disable),
            asked.cloud or self.options.cloud,
            asked.redact,
            as_line=True,
            language=language,
        )
        records = read_records(io.BytesIO(data), "<request>", "jsonl")
        summary = Summary(1)
        lines: list[str] = []
        for outcome in bulk.validate_serially(records, settings, validator):
            summary.add_counts(outcome.status, outcome.counts)
            lines.append(outcome.result + "\n")
            if len(lines) >= BATCH_CHUNK:
                yield "".join(lines)
                lines.clear()
        last = {"summary": summary.to_dict(), "language": language}
        lines.append(dumps(last, indent=None) + "\n")
        self.log("debug", f"batch: {summary.to_dict()}")
        yield "".join(lines)

    def _log(self, report: Report) -> None:
        if not self.log.enabled("debug"):
            return
        if self.options.redact_logs:  # rule ids name no payload data; paths and values may
            fired: Any = sorted({v.rule for v in report.violations})
        else:
            fired = [f"{v.rule} at {v.path}" for v in report.violations]
        status = "valid" if report.ok else "invalid"
        self.log("debug", f"validated: {status}, {len(report.violations)} violations {fired}")
