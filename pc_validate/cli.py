"""The `pc-validate` command: a pre-flight check other tools call before the API call.

Subcommands: check (validate), fix (repair what is certain), rules (list the rules;
rules test: run YAML case files against them; rules import-country-rules: recorded country
rules answers as a rule overlay), schema (print a published JSON Schema), serve (a local
validation service, HTTP or --stdio).
Exit status: 0 nothing at or above --fail-on; 1 violations at or above it; 2 could not
validate (unreadable input, bad rule file, bad usage). Never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, BinaryIO, NamedTuple, TextIO, cast

from pc_validate.inputs import FORMATS
from pc_validate.model import SEVERITY_RANK, fold
from pc_validate.report import printable

if TYPE_CHECKING:
    from pc_validate.documents import ResultDocument
    from pc_validate.languages import Language

EXIT_OK, EXIT_VIOLATIONS, EXIT_UNUSABLE = 0, 1, 2
#: The choices of --fail-on and of check's --format (a configuration file is held to them).
_FAIL_ON = ("error", "warning")
CHECK_FORMATS = ("text", "json", "jsonl", "sarif", "junit", "github", "gitlab")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # argparse's own exit code for usage errors is 2
        self.print_usage(sys.stderr)
        self.exit(EXIT_UNUSABLE, f"pc-validate: error: {printable(message)}\n")


class _ShowVersion(Exception):
    """--version was given: the run prints the versions and ends (see _run)."""


class _Version(argparse.Action):
    """--version: pc-validate's version and those of the data its rules rest on."""

    def __call__(self, parser: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> None:
        raise _ShowVersion


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="pc-validate",
        description="Check Partner Center 'create a customer' request bodies before sending them.",
    )
    parser.add_argument(
        "--version",
        action=_Version,
        nargs=0,
        help="show the version and the data sets the rules rest on, then exit",
    )
    locale_help = (
        "language of the messages and of the text report, e.g. de-DE, fr, pt-BR, ja "
        "(default: LC_ALL, LC_MESSAGES or LANG; the closest shipped language, else English; "
        "qps-ploc: a pseudo-language for testing layouts)"
    )
    parser.add_argument("--locale", metavar="LOCALE", default=None, help=locale_help)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def rule_options(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "--rules",
            action="append",
            default=None,  # None: not given (config.settle fills it)
            metavar="FILE",
            help="extra rule file: adds rules, or overrides rules with the same id (repeatable)",
        )
        sub.add_argument(
            "--disable",
            action="append",
            default=None,
            metavar="RULE",
            help="switch a rule off by id (repeatable)",
        )
        sub.add_argument(
            "--cloud",
            default=None,
            metavar="CLOUD",
            help="Partner Center cloud whose rules apply: global (default), 21vianet or usgov",
        )
        config = sub.add_mutually_exclusive_group()
        config.add_argument(
            "--config",
            metavar="FILE",
            help="read options from FILE (a .pc-validate.toml, or a pyproject.toml's "
            "[tool.pc-validate]) instead of the first found from here upwards; the command "
            "line wins",
        )
        config.add_argument("--no-config", action="store_true", help="read no configuration file")
        # SUPPRESS: `pc-validate --locale X check` and `pc-validate check --locale X` both count.
        sub.add_argument("--locale", metavar="LOCALE", default=argparse.SUPPRESS, help=locale_help)

    def result_options(sub: argparse.ArgumentParser, *, fail_on: str, redact: str) -> None:
        sub.add_argument("--fail-on", choices=_FAIL_ON, default=None, help=fail_on)
        sub.add_argument("--redact", action="store_true", default=None, help=redact)

    check = commands.add_parser(
        "check", help="validate request bodies (JSON files, or - for stdin)"
    )
    check.add_argument(
        "inputs",
        nargs="+",
        metavar="FILE",
        help="JSON, JSON Lines or CSV file, a glob such as 'exports/*.jsonl', or - for stdin",
    )
    check.add_argument(
        "--format",
        choices=CHECK_FORMATS,
        default=None,
        help="text (default; github when GITHUB_ACTIONS=true), json (one report document), "
        "jsonl (one result per line, written as records finish, then a summary line), sarif "
        "(SARIF 2.1.0, for code scanning), junit (JUnit XML, a test case per record), github "
        "(GitHub Actions annotations) or gitlab (GitLab Code Quality)",
    )
    check.add_argument(
        "--output",
        action="append",
        default=None,  # None: not given (config.settle fills it)
        type=_output_spec,
        metavar="FORMAT=PATH",
        help="also write the report in FORMAT to the file PATH, written whole or not at all "
        "(repeatable; e.g. --output sarif=results.sarif with the text report on the terminal)",
    )
    check.add_argument(
        "--positions",
        action="store_true",
        help="give each violation its line and column (`location`) in json and jsonl output "
        "too; the other formats always show them",
    )
    check.add_argument(
        "--input-format",
        choices=FORMATS,
        default="auto",
        help="how to read the inputs; auto: .jsonl/.ndjson are JSON Lines, .csv is CSV, "
        ".xlsx an Excel workbook, anything else (and stdin) JSON: one object or an array of "
        "objects; a name ending in .gz is read by the name before it (gzip is decompressed)",
    )
    check.add_argument(
        "--encoding",
        type=_text_encoding,
        default=None,
        metavar="NAME",
        help="the inputs' text encoding, any Python codec name (default: UTF-8, or what a "
        "byte-order mark says; CSV that is not UTF-8 is read as Windows-1252, and said so)",
    )
    check.add_argument(
        "--sheet",
        default=None,
        metavar="NAME",
        help="the sheet of an Excel workbook to read (default: its first)",
    )
    check.add_argument(
        "--jobs",
        type=_positive,
        default=None,
        metavar="N",
        help="worker processes (default: one per core for inputs over 1 MB, else 1); "
        "results come out in input order whatever N is",
    )
    check.add_argument(
        "--only-invalid",
        action="store_true",
        help="leave valid records out of the output (they are still counted in the summary)",
    )
    check.add_argument(
        "--quiet", action="store_true", help="no progress bar on stderr (also when redirected)"
    )
    check.add_argument(
        "--statistics",
        action="store_true",
        help="end with a table of the rules that fired: counts, share of records, the "
        "countries most affected (on stderr for formats other than text; the text report "
        "of more than one record ends with it anyway)",
    )
    check.add_argument(
        "--baseline",
        metavar="REPORT",
        help="report only findings that REPORT, a saved JSON report (--format json), does "
        "not hold: matched by input, rule and path, and counted",
    )
    result_options(
        check,
        fail_on="lowest severity that makes the exit status 1 (default: error)",
        redact="leave every payload value out of the output (no personal data in logs)",
    )
    check.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the text format (auto: on a terminal, unless NO_COLOR is set non-empty)",
    )
    rule_options(check)

    fix = commands.add_parser(
        "fix",
        help="repair what is certain (case, UK -> GB, state names, whitespace, ...)",
        description=(
            "Write the repaired file to stdout (or back to FILE with --in-place, or as a diff "
            "with --diff) and list every change on stderr. FILE holds one request body, a "
            "JSON array of them, or JSON Lines; each body is repaired on its own. Only certain "
            "repairs are made: values are replaced, keys never renamed, nothing missing "
            "invented, and nothing else of the file changes (encoding, line ends, layout, "
            "escapes and numbers are kept). Exit status: 0 when the repaired bodies have "
            "nothing at or above --fail-on, 1 when one still has, 2 when the file could not "
            "be read or written back."
        ),
    )
    fix.add_argument(
        "inputs",
        nargs="+",
        metavar="FILE",
        help="JSON or JSON Lines file, or - for stdin; several with --in-place or --diff "
        "(each repaired on its own, as a pre-commit hook passes them)",
    )
    written = fix.add_mutually_exclusive_group()
    written.add_argument(
        "--in-place",
        action="store_true",
        help="write the repairs back into FILE (left untouched when nothing changes); only "
        "the repaired values change",
    )
    written.add_argument(
        "--diff",
        action="store_true",
        help="print the repairs as a unified diff and write nothing (for review in CI)",
    )
    fix.add_argument(
        "--input-format",
        choices=("auto", "json", "jsonl"),
        default="auto",
        help="auto: JSON Lines for .jsonl/.ndjson/.jsonlines, else JSON (one body or an array)",
    )
    result_options(
        fix,
        fail_on="lowest severity left after repair that makes the exit status 1 (default: error)",
        redact="list changes by path and rule only, without the values",
    )
    rule_options(fix)

    rules = commands.add_parser("rules", help="list every rule: id, severity, description, source")
    rules.add_argument(
        "--format",
        choices=("text", "json", "markdown", "coverage"),
        default="text",
        help="coverage: a Markdown table of the markets each country-dependent rule covers",
    )
    rule_options(rules)
    tests = rules.add_subparsers(
        dest="rules_command", metavar="{test,import-country-rules}", parser_class=_Parser
    )
    test = tests.add_parser(
        "test",
        help="run YAML case files against the rules (see pc_validate/testing.py)",
        description=(
            "Run the cases of YAML case files (the format of the bundled rules' tests, "
            "documented in pc_validate/testing.py) against the bundled rules plus --rules "
            "files. Prints PASS, FAIL or XFAIL for each case and a summary. Exit status: 0 "
            "when every case passes, 1 when one fails, 2 when a case file or rule file "
            "cannot be used."
        ),
    )
    test.add_argument("cases", nargs="+", metavar="FILE", help="YAML case file")
    _service_commands(commands, rule_options)
    # SUPPRESS: `rules --rules X test ...` and `rules test --rules X ...` both count.
    test.add_argument(
        "--rules",
        dest="test_rules",
        action="append",
        default=argparse.SUPPRESS,
        metavar="FILE",
        help="extra rule file: adds rules, or overrides rules with the same id (repeatable)",
    )
    test.add_argument(
        "--cloud",
        dest="test_cloud",
        default=argparse.SUPPRESS,
        metavar="CLOUD",
        help="cloud of the case files that name none: global (default), 21vianet or usgov",
    )
    imports = tests.add_parser(
        "import-country-rules",
        help="turn recorded GET /v1/countryvalidationrules answers into a rule overlay",
        description=(
            "Read Partner Center's answers to GET /v1/countryvalidationrules/{country} (fetched "
            "with your own credentials; pc-validate never goes to the network): one answer, a "
            "list of them, or an object of them keyed by name, per JSON file. Write a rule "
            "overlay (YAML) to load with --rules: required city, postal code and state, the "
            "state list, the postal and phone patterns, cultures and languages. Rules the "
            "bundled ones already encode are left out or overridden under the same id, so no "
            "finding is reported twice. Exit status: 0 when written, 2 when a file cannot be "
            "imported or --out cannot be written (an existing file is never overwritten)."
        ),
    )
    imports.add_argument("answers", nargs="+", metavar="FILE.json", help="recorded answers")
    imports.add_argument(
        "--out",
        metavar="FILE",
        help="write the overlay to FILE, which must not exist (default: stdout)",
    )
    test.add_argument("--locale", metavar="LOCALE", default=argparse.SUPPRESS, help=locale_help)
    return parser


def _output_spec(text: str) -> tuple[str, str]:
    """--output FORMAT=PATH."""
    from pc_validate.config import split_output

    parts = split_output(text)
    if parts is None:
        raise argparse.ArgumentTypeError(f"expected FORMAT=PATH, not {text!r}")
    fmt, path = parts
    if fmt not in CHECK_FORMATS:
        raise argparse.ArgumentTypeError(
            f"unknown format {fmt!r} (choose from {', '.join(CHECK_FORMATS)})"
        )
    return fmt, path


def _service_commands(commands: Any, rule_options: Any) -> None:
    """`schema` and `serve` (issue 16)."""
    schema = commands.add_parser(
        "schema",
        help="print a published JSON Schema: request (the request body, for editors), "
        "report or rules",
    )
    schema.add_argument("name", choices=("request", "report", "rules"))
    serve = commands.add_parser(
        "serve",
        help="a local validation service: HTTP (POST /v1/customers/validate), or --stdio",
        description=(
            "Serve POST /v1/customers/validate (a body as it would be sent, answered with "
            "the JSON report), POST /v1/customers/validate-batch (JSON Lines in and out), "
            "GET /healthz and GET /openapi.json over HTTP (needs pc-validate[server]); or, "
            "with --stdio, answer one JSON body per line of stdin with one report per line "
            "of stdout until stdin closes."
        ),
    )
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default: 127.0.0.1, this machine only)",
    )
    serve.add_argument(
        "--port",
        type=_port,
        default=8765,
        help="port (default: 8765; 0: any free port, named on stderr)",
    )
    serve.add_argument("--stdio", action="store_true", help="serve over stdin and stdout")
    rule_options(serve)
    serve.add_argument(
        "--max-body-bytes",
        type=_positive,
        default=1024 * 1024,
        metavar="N",
        help="largest body (and --stdio line) taken (default: 1 MiB)",
    )
    serve.add_argument(
        "--max-batch-bytes",
        type=_positive,
        default=64 * 1024 * 1024,
        metavar="N",
        help="largest JSON Lines batch taken (default: 64 MiB)",
    )
    serve.add_argument(
        "--redact",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="leave payload data out of the logs (default: on)",
    )
    serve.add_argument(
        "--log-level",
        choices=("debug", "info", "warning", "error"),
        default="info",
        help="debug logs one line per request",
    )


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"a port is 0 to 65535, not {value}")
    return value


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


def _text_encoding(name: str) -> str:
    """--encoding: a codec Python knows that turns bytes into text."""
    import codecs

    try:
        info = codecs.lookup(name)
    except LookupError:
        raise argparse.ArgumentTypeError(f"unknown encoding: {name!r}") from None
    if not getattr(info, "_is_text_encoding", True):
        raise argparse.ArgumentTypeError(f"not a text encoding: {name!r}")
    return info.name


def _stdin_bytes(stdin: Any) -> BinaryIO:
    """Standard input as bytes: its buffer, or what a Python caller's text stream holds."""
    if stdin is None or getattr(stdin, "closed", False):
        raise OSError("standard input is closed")
    stream = getattr(stdin, "buffer", None)
    if stream is not None:
        return cast(BinaryIO, stream)
    data = stdin.read()
    return io.BytesIO(data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass"))


def _read(name: str, stdin: Any, limit: int) -> bytes:
    """A file's or stdin's bytes; OSError when there are more than `limit`."""
    if name == "-":
        data = _stdin_bytes(stdin).read(limit + 1)
    else:
        with open(name, "rb") as handle:
            data = handle.read(limit + 1)
    if len(data) > limit:
        from pc_validate.payload import PayloadError

        raise PayloadError(f"the file is larger than {limit:,} bytes, the most fix holds")
    return data


def _read_error(exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return "no such file"
    if isinstance(exc, IsADirectoryError):
        return "is a directory, not a file"
    if isinstance(exc, PermissionError):
        return "permission denied"
    return f"cannot be read: {exc.strerror or exc}"


def _check(args: argparse.Namespace, out: TextIO, err: TextIO, stdin: Any) -> int:
    from pc_validate.outfiles import OutputFile, OutputFileError
    from pc_validate.rules import load_rules

    if args.format is None:
        args.format = "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
    ruleset = load_rules(args.rules, args.disable, cloud=args.cloud)
    baseline = None
    if args.baseline is not None:  # read before any record is: a bad one stops the run
        from pc_validate.baseline import Baseline, BaselineError

        try:
            baseline = Baseline.load(args.baseline)
        except BaselineError as exc:
            err.write(f"pc-validate: baseline error: {printable(str(exc))}\n")
            return EXIT_UNUSABLE
    files: list[OutputFile] = []
    try:
        for _fmt, path in args.output:
            files.append(OutputFile(path))
    except OutputFileError as exc:
        for opened in files:
            opened.discard()
        err.write(f"pc-validate: error: {printable(str(exc))}; nothing was written\n")
        return EXIT_UNUSABLE
    try:
        return _check_into(args, files, ruleset, baseline, out, err, stdin)
    except OutputFileError as exc:
        err.write(f"pc-validate: error: {printable(str(exc))}; no output file was written\n")
        return EXIT_UNUSABLE
    finally:
        for opened in files:
            opened.discard()  # nothing left of a file not committed


def _check_into(
    args: argparse.Namespace,
    files: list[Any],
    ruleset: Any,
    baseline: Any,
    out: TextIO,
    err: TextIO,
    stdin: Any,
) -> int:
    """The check run, its report written to stdout (--format) and to each --output file."""
    from pc_validate import bulk
    from pc_validate.engine import Validator
    from pc_validate.render import outputs
    from pc_validate.report import Summary

    formats = [args.format] + [fmt for fmt, _ in args.output]
    sources = _sources(args.inputs)
    types = {fold(".".join(path)): kind for path, kind in ruleset.catalog.types.items()}
    progress = _progress(sources, args, err)
    jobs = _default_jobs(sources) if args.jobs is None else _capped_jobs(args.jobs, err)
    records = _records(sources, args, types, stdin, err, progress, chunks=jobs > 1)
    if progress is not None:
        records = progress.reading(records)
    statistics = args.statistics or args.format == "text"
    language = _language(args)
    settings = bulk.Settings(
        tuple(args.rules),
        tuple(args.disable),
        args.cloud,
        args.redact,
        # a baseline sifts result dicts, so the workers send no lines then
        as_line=baseline is None and all(fmt == "jsonl" for fmt in formats),
        positions=args.positions or any(f not in outputs.POSITIONS_ON_REQUEST for f in formats),
        statistics=statistics,
        language=language.tag,
        only_invalid=args.only_invalid,
    )
    if jobs > 1:
        outcomes = bulk.validate_in_workers(records, settings, jobs)
    else:
        outcomes = bulk.validate_serially(records, settings, Validator(ruleset))
    rules: dict[str, Any] = {}
    if any(fmt == "sarif" for fmt in formats):
        from pc_validate.render.catalogue import rule_entries

        rules = {entry["id"]: entry for entry in rule_entries(ruleset)}
    context = outputs.Context(rules, args.fail_on, args.redact, language=language)
    writers: list[tuple[Any, Any]] = [
        (outputs.writer(args.format, replace(context, colour=_colour(args.color, out))), out)
    ]
    writers += [
        (outputs.writer(fmt, context), file)
        for (fmt, _), file in zip(args.output, files, strict=True)
    ]
    summary = Summary(len(sources))
    tally = bulk.Tally() if statistics else None
    worst = -1
    with contextlib.closing(outcomes):  # a run stopped early stops its workers
        for outcome in outcomes:
            if isinstance(outcome, bulk.Block):  # as_line: the lines of a worker's task at once
                summary.add_statuses(outcome.statuses, outcome.totals)
                worst = max(worst, outcome.worst)
                if progress is not None:
                    progress.tick(summary.records)
                if tally is not None:
                    for fired in outcome.fired:
                        tally.add(*fired)
                for line in outcome.problems:
                    err.write(_problem_line(json.loads(line)))
                for _, stream in writers:  # every writer is a JSON Lines one: lines as they are
                    stream.write(outcome.text)
                continue
            if baseline is not None:
                outcome = baseline.sift(outcome, settings.as_line)
            summary.add_counts(outcome.status, outcome.counts)
            if outcome.worst > worst:
                worst = outcome.worst
            if progress is not None:
                progress.tick(summary.records)
            if outcome.fired is not None and tally is not None:
                tally.add(*outcome.fired)
            if outcome.status in ("unreadable", "not_validated"):
                result = json.loads(outcome.result) if settings.as_line else outcome.result
                err.write(_problem_line(result))
            if args.only_invalid and outcome.status == "valid":
                continue
            for writer, stream in writers:
                text = writer.add(outcome.result)
                if text:
                    stream.write(text)
    if progress is not None:
        progress.done()
    if baseline is not None:
        err.write(baseline.note())
    if tally is not None:
        _write_statistics(tally, summary, args, out, err, language)
    for writer, stream in writers:
        stream.write(writer.end(summary))
    for file in files:
        file.commit()
    if summary.statuses["unreadable"] or summary.statuses["not_validated"]:
        return EXIT_UNUSABLE
    return EXIT_VIOLATIONS if worst >= SEVERITY_RANK[args.fail_on] else EXIT_OK


def _language(args: argparse.Namespace) -> Language:
    """The language --locale names, else the environment's (LC_ALL, LC_MESSAGES, LANG)."""
    from pc_validate.languages import from_environment, language_of

    return from_environment() if args.locale is None else language_of(args.locale)


def _capped_jobs(asked: int, err: TextIO) -> int:
    """--jobs as asked, up to twice the usable cores: more only adds processes and memory."""
    from pc_validate.bulk import usable_cores, worker_limit

    limit = worker_limit()
    if asked <= limit:
        return asked
    cores = usable_cores()
    err.write(
        f"pc-validate: warning: --jobs {asked} is more than twice the {cores} usable "
        f"core{'s' if cores != 1 else ''}; using {limit} worker processes\n"
    )
    return limit


def _problem_line(result: ResultDocument) -> str:
    """The stderr line for a record that could not be read or validated."""
    error = result["error"]
    where = ""
    if error["line"] is not None:
        where = f":{error['line']}" + (f":{error['column']}" if error["column"] is not None else "")
    elif result.get("row") is not None:
        where = f": row {result['row']}"
    return printable(f"pc-validate: {result['input']}{where}: {error['message']}") + "\n"


class _Source(NamedTuple):
    """One input: its label in reports, and its path (None for stdin) or why it is unusable."""

    label: str
    path: str | None
    problem: str | None = None


def _sources(names: Sequence[str]) -> list[_Source]:
    """The inputs named on the command line, globs expanded (sorted), in the order given."""
    import glob

    sources: list[_Source] = []
    for name in names:
        if name == "-":
            sources.append(_Source("<stdin>", None))
        elif glob.has_magic(name) and not os.path.exists(name):
            from pc_validate.globs import expand

            matches = expand(name)
            if not matches:
                sources.append(_Source(name, name, "no file matches this pattern"))
            sources.extend(_Source(match, match) for match in matches)
        else:
            sources.append(_Source(name, name))
    return sources


def _records(
    sources: Sequence[_Source],
    args: argparse.Namespace,
    types: dict[str, str],
    stdin: Any,
    err: TextIO,
    progress: Any = None,
    chunks: bool = False,
) -> Iterator[Any]:
    """Every record of every input, in order; an input that cannot be opened is one
    unreadable record. What a reader assumed (an encoding) is noted on stderr. `chunks`:
    UTF-8 JSON Lines come as LineChunks, for worker processes to read (inputs.read_items)."""
    from pc_validate.inputs import detect_format, read_items, read_records
    from pc_validate.records import Unreadable, Where

    read = read_items if chunks else read_records

    for source in sources:
        if source.problem is not None:
            yield Unreadable(Where(source.label, 0), source.problem)
            continue
        fmt = detect_format(source.path or "", args.input_format)

        def note(message: str, label: str = source.label) -> None:
            err.write(printable(f"pc-validate: {label}: {message}") + "\n")

        options: dict[str, Any] = {"encoding": args.encoding, "sheet": args.sheet, "note": note}
        if source.path is None:
            try:
                stream = _stdin_bytes(stdin)
            except OSError as exc:
                yield Unreadable(Where(source.label, 0), str(exc))
                continue
            yield from read(stream, source.label, fmt, types, **options)
            continue
        try:
            handle = open(source.path, "rb")  # noqa: SIM115 - closed below, after the records
        except OSError as exc:
            yield Unreadable(Where(source.label, 0), _read_error(exc))
            continue
        if progress is not None:
            progress.opened(handle)
        with handle:  # read errors become unreadable records inside read_records
            yield from read(handle, source.label, fmt, types, **options)


def _default_jobs(sources: Sequence[_Source]) -> int:
    """One worker per core when the files add up to more than 1 MB; else this process."""
    from pc_validate.bulk import worker_count

    size = 0
    for source in sources:
        if source.path is not None and source.problem is None:
            with contextlib.suppress(OSError):
                size += os.path.getsize(source.path)
    return worker_count(None) if size > 1_000_000 else 1


def _is_terminal(stream: Any) -> bool:
    return bool(getattr(stream, "isatty", lambda: False)())


def _progress(sources: Sequence[_Source], args: argparse.Namespace, err: TextIO) -> Any:
    """The progress line on a terminal's stderr (unless --quiet); None when not shown."""
    if args.quiet or not _is_terminal(err):
        return None
    from pc_validate.progress import Progress, total_size

    known = [None if source.path is None else source.path for source in sources]
    return Progress(err, total_size(known))


def _write_statistics(
    tally: Any,
    summary: Any,
    args: argparse.Namespace,
    out: TextIO,
    err: TextIO,
    language: Language,
) -> None:
    """The rule table: asked for (--statistics; on stderr when stdout holds JSON), or at the
    end of the text report of a bulk run with findings."""
    if not args.statistics and (summary.records < 2 or not tally):
        return
    from pc_validate.render.statistics import render_statistics

    validated = summary.statuses["valid"] + summary.statuses["invalid"]
    table = render_statistics(tally, validated, language)
    (out if args.format == "text" else err).write(table)


def _fix(args: argparse.Namespace, out: TextIO, err: TextIO, stdin: Any) -> int:
    """`fix FILE...`: each file on its own; the worst exit status of them all."""
    if len(args.inputs) > 1 and not (args.in_place or args.diff):
        err.write(
            "pc-validate: error: fix writes one repaired file to stdout; give --in-place "
            "or --diff to repair several\n"
        )
        return EXIT_UNUSABLE
    status = EXIT_OK
    for name in args.inputs:
        status = max(
            status, _fix_file(argparse.Namespace(**vars(args), input=name), out, err, stdin)
        )
    return status


def _fix_file(args: argparse.Namespace, out: TextIO, err: TextIO, stdin: Any) -> int:
    from pc_validate.engine import Validator
    from pc_validate.payload import PayloadError
    from pc_validate.rules import load_rules
    from pc_validate.textfix import MAX_FILE_BYTES, PatchError, repair_file
    from pc_validate.writeback import WriteBackError, read_target, write_back

    label = printable("<stdin>" if args.input == "-" else args.input)

    def refuse(reason: str, where: str = "") -> int:
        err.write(f"pc-validate: {label}{where}: {printable(reason)}\n")
        return EXIT_UNUSABLE

    if args.in_place and args.input == "-":
        return refuse("--in-place needs a file, not stdin")
    fmt, problem = _fix_format(args)
    if problem:
        return refuse(problem)
    validator = Validator(load_rules(args.rules, args.disable, cloud=args.cloud))
    target = None
    try:
        if args.in_place:
            target = read_target(args.input, MAX_FILE_BYTES)
            data = target.data
        else:
            data = _read(args.input, stdin, MAX_FILE_BYTES)
        fixed = repair_file(data, fmt, validator)
    except OSError as exc:
        return refuse(_read_error(exc))
    except WriteBackError as exc:
        return refuse(f"{exc}; nothing was written")
    except PayloadError as exc:
        return refuse(exc.reason, f":{exc.line}:{exc.column}" if exc.line is not None else "")
    except PatchError as exc:
        return refuse(f"the repairs cannot be written into the text ({exc}); nothing was written")
    _list_changes(fixed, args, validator, label, err)
    for line in fixed.unreadable:
        where = f":{line.line}" + (f":{line.column}" if line.column else "")
        refuse(f"{line.reason}; nothing was repaired or written", where)
    if fixed.unreadable:
        return EXIT_UNUSABLE
    if args.diff:
        out.write(_unified_diff(fixed.original, fixed.patched, args.input))
    elif target is None:
        out.write(fixed.patched)
    elif fixed.changed:
        try:
            write_back(target, fixed.encoded())
        except WriteBackError as exc:
            return refuse(str(exc))
    worst = max((record.repair.after.worst() for record in fixed.records), default=-1)
    return EXIT_VIOLATIONS if worst >= SEVERITY_RANK[args.fail_on] else EXIT_OK


def _fix_format(args: argparse.Namespace) -> tuple[str, str | None]:
    """The format fix reads ("json" or "jsonl"), or why the file is not one it can write."""
    from pc_validate.inputs import detect_format

    if args.input_format != "auto":
        return args.input_format, None
    if args.input == "-":
        return "json", None
    if args.input.lower().endswith(".gz"):
        return "", "fix does not write compressed files: decompress it, fix it, compress it again"
    fmt = detect_format(args.input)
    if fmt in ("csv", "xlsx"):
        what = "a CSV file" if fmt == "csv" else "a workbook"
        return "", (
            f"fix repairs JSON and JSON Lines files; {what} is not repaired (its cells would "
            "be written anew): check it, and repair the source"
        )
    return fmt, None


def _list_changes(
    fixed: Any, args: argparse.Namespace, validator: Any, label: str, err: TextIO
) -> None:
    """Every change, withheld repair and repeated key of every body, on stderr."""
    for record in fixed.records:
        where = label if record.line is None else f"{label}:{record.line}"
        _list_record_changes(record, args, validator, where, err)
    if not fixed.changed:
        err.write(f"pc-validate: {label}: nothing to repair\n")


def _list_record_changes(
    record: Any, args: argparse.Namespace, validator: Any, where: str, err: TextIO
) -> None:
    from pc_validate.engine import KeyNames, redacted_pointer
    from pc_validate.report import dumps, echo, printable_pointer

    result = record.repair
    names: dict[int, KeyNames] = {}  # for redacted_pointer

    def shown(value: Any) -> str:
        return "(value withheld)" if args.redact else printable(dumps(echo(value), indent=None))

    def at(pointer: str) -> str:
        if args.redact:
            pointer = redacted_pointer(validator.catalog, result.payload, pointer, names)
        return printable_pointer(record.prefix + pointer)

    for change in result.changes:
        err.write(
            f"pc-validate: {where}: {at(change.path)}: {shown(change.before)} -> "
            f"{shown(change.after)} ({change.rule})\n"
        )
    for held in result.withheld:
        raised = ", ".join(f"{rule} at {at(path)}" for rule, path in held.would_raise)
        err.write(
            f"pc-validate: {where}: {at(held.path)}: not changed to {shown(held.after)} "
            f"({held.rule}): it would bring up {raised}\n"
        )
    for pointer in result.collapsed:
        err.write(
            f"pc-validate: {where}: {at(pointer)}: the key is sent more than once "
            "(payload.ambiguous_key); every copy is kept as it was\n"
        )


def _unified_diff(before: str, after: str, name: str) -> str:
    """The change as a unified diff, every line made printable (it shows payload text)."""
    import difflib

    def lines(text: str) -> list[str]:
        return [_printable_line(line) for line in re.findall(r"[^\n]*\n|[^\n]+", text)]

    shown = printable(name)
    return "".join(difflib.unified_diff(lines(before), lines(after), shown, shown))


def _printable_line(line: str) -> str:
    body = line.rstrip("\r\n")
    ending = line[len(body) :]
    return printable(body) + (ending if ending else "\n\\ No newline at end of file\n")


def _colour(choice: str, out: TextIO) -> bool:
    if choice != "auto":
        return choice == "always"
    return not os.environ.get("NO_COLOR") and bool(getattr(out, "isatty", lambda: False)())


def _rules_test(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """`rules test FILE...`: one line per case, a summary; 2 for a file that cannot be used."""
    from pc_validate.testing import CaseFileError, Validators, load_case_file, run_cases

    rules = [*args.rules, *getattr(args, "test_rules", [])]
    cloud = getattr(args, "test_cloud", args.cloud)
    validators = Validators(rules, args.disable)
    validators(cloud)  # a broken rule file or an unknown cloud stops here, before any case
    cases = []
    broken = 0
    for name in args.cases:
        try:
            cases.extend(load_case_file(name, cloud=cloud))
        except CaseFileError as exc:
            err.write(f"pc-validate: case file error: {printable(str(exc))}\n")
            broken += 1
    counts = {"passed": 0, "failed": 0, "xfail": 0}
    label = {"passed": "PASS", "failed": "FAIL", "xfail": "XFAIL"}
    for result in run_cases(cases, validators=validators):
        counts[result.status] += 1
        line = f"{label[result.status]:<5} {result.case.file}: {result.case.name}"
        if result.status != "passed":
            line += f": {result.reason}"
        out.write(printable(line) + "\n")
    files = len(args.cases)
    summary = (
        f"{len(cases)} case{'s' if len(cases) != 1 else ''} in {files} "
        f"file{'s' if files != 1 else ''}: {counts['passed']} passed, "
        f"{counts['failed']} failed, {counts['xfail']} xfail"
    )
    if broken:
        summary += f", {broken} case file{'s' if broken != 1 else ''} not usable"
    out.write(summary + "\n")
    if broken:
        return EXIT_UNUSABLE
    return EXIT_VIOLATIONS if counts["failed"] else EXIT_OK


def _rules_import(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """`rules import-country-rules FILE...`: the overlay, on stdout or in a new --out file."""
    from pc_validate.country_rules import ImportProblem, build_overlay, read_answers, render
    from pc_validate.rules import load_rules

    try:
        answers = [answer for name in args.answers for answer in read_answers(name)]
        text = render(build_overlay(answers, load_rules(cloud=args.cloud)))
    except ImportProblem as exc:
        err.write(f"pc-validate: cannot import: {printable(str(exc))}\n")
        return EXIT_UNUSABLE
    if args.out is None:
        out.write(text)
        return EXIT_OK
    try:
        with open(args.out, "x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        err.write(
            f"pc-validate: error: --out {printable(args.out)} exists; not overwritten (remove "
            "it or name another file)\n"
        )
        return EXIT_UNUSABLE
    except OSError as exc:
        err.write(
            f"pc-validate: error: --out {printable(args.out)} cannot be written: "
            f"{printable(exc.strerror or str(exc))}\n"
        )
        return EXIT_UNUSABLE
    err.write(f"pc-validate: wrote {printable(args.out)}; load it with --rules\n")
    return EXIT_OK


def _schema(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from pc_validate.resources import schema_path

    try:
        out.write(schema_path(f"{args.name}.schema.json").read_text(encoding="utf-8"))
    except OSError as exc:
        err.write(f"pc-validate: the {args.name} schema {_read_error(exc)}\n")
        return EXIT_UNUSABLE
    return EXIT_OK


def _serve(args: argparse.Namespace, out: TextIO, err: TextIO, stdin: Any) -> int:
    from pc_validate.service import Options
    from pc_validate.serving import serve

    options = Options(
        tuple(args.rules),
        tuple(args.disable),
        args.cloud,
        _language(args).tag,
        args.redact,
        args.max_body_bytes,
        args.max_batch_bytes,
    )
    try:
        stream = _stdin_bytes(stdin) if args.stdio else io.BytesIO()
    except OSError as exc:
        err.write(f"pc-validate: {exc}\n")
        return EXIT_UNUSABLE
    return serve(
        options,
        stdio=args.stdio,
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        stdin=stream,
        out=out,
        err=err,
    )


def _rules(args: argparse.Namespace, out: TextIO) -> int:
    from pc_validate.render import render_catalogue
    from pc_validate.rules import load_rules

    out.write(render_catalogue(load_rules(args.rules, args.disable, cloud=args.cloud), args.format))
    return EXIT_OK


def main(
    argv: Sequence[str] | None = None,
    *,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    stdin: Any = None,
) -> int:
    """Run the command; returns the exit status (the console script exits with it).

    SIGINT, SIGTERM and SIGHUP stop the run cleanly with 128 + the signal's number (the
    handlers are set for the call only); output that cannot be written gives 2."""
    from pc_validate import interrupt
    from pc_validate.streams import Diagnostics, Output, OutputError

    out = Output(sys.stdout if stdout is None else stdout)
    err = Diagnostics(sys.stderr if stderr is None else stderr)
    with interrupt.raised_as_interrupts():
        try:
            try:
                status = _run(argv, cast(TextIO, out), cast(TextIO, err), stdin)
                out.flush()
            except OutputError as exc:
                err.write(f"pc-validate: error: {exc}; the output is incomplete\n")
                status = EXIT_UNUSABLE
        except KeyboardInterrupt as exc:  # the first signal only: later ones are not raised
            err.write(f"pc-validate: interrupted ({interrupt.signal_name(exc)})\n")
            out.settle()
            return interrupt.exit_status(exc)
    if out.failure is not None:  # a failed write that something swallowed
        return EXIT_UNUSABLE
    return status


def _run(argv: Sequence[str] | None, out: TextIO, err: TextIO, stdin: Any) -> int:
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            args = _parser().parse_args(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else EXIT_UNUSABLE
    except _ShowVersion:
        from pc_validate.provenance import version_text

        out.write(version_text())
        return EXIT_OK
    from pc_validate.config import ConfigError, settle
    from pc_validate.rules import RuleFileError

    try:
        settle(args, {"fail_on": _FAIL_ON, "format": CHECK_FORMATS})
    except ConfigError as exc:
        err.write(f"pc-validate: config error: {printable(str(exc))}\n")
        return EXIT_UNUSABLE
    try:
        if args.command == "check":
            return _check(args, out, err, stdin or sys.stdin)
        if args.command == "fix":
            return _fix(args, out, err, stdin or sys.stdin)
        if args.command == "schema":
            return _schema(args, out, err)
        if args.command == "serve":
            return _serve(args, out, err, stdin or sys.stdin)
        if args.rules_command == "test":
            return _rules_test(args, out, err)
        if args.rules_command == "import-country-rules":
            return _rules_import(args, out, err)
        return _rules(args, out)
    except RuleFileError as exc:
        err.write(f"pc-validate: rule file error: {printable(str(exc))}\n")
        return EXIT_UNUSABLE
