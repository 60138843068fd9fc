"""The `pc-validate` command: a pre-flight check other tools call before the API call.

Subcommands: check (validate), fix (repair what is certain), rules (list the rules).
Exit status: 0 nothing at or above --fail-on; 1 violations at or above it; 2 could not
validate (unreadable input, bad rule file, bad usage). Never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from pc_validate import __version__

EXIT_OK, EXIT_VIOLATIONS, EXIT_UNUSABLE = 0, 1, 2
_FAIL_RANK = {"error": 2, "warning": 1}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # argparse's own exit code for usage errors is 2
        self.print_usage(sys.stderr)
        self.exit(EXIT_UNUSABLE, f"pc-validate: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="pc-validate",
        description="Check Partner Center 'create a customer' request bodies before sending them.",
    )
    parser.add_argument("--version", action="version", version=f"pc-validate {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def rule_options(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "--rules",
            action="append",
            default=[],
            metavar="FILE",
            help="extra rule file: adds rules, or overrides rules with the same id (repeatable)",
        )
        sub.add_argument(
            "--disable",
            action="append",
            default=[],
            metavar="RULE",
            help="switch a rule off by id (repeatable)",
        )
        sub.add_argument(
            "--cloud",
            default="global",
            metavar="CLOUD",
            help="Partner Center cloud whose rules apply: global (default), 21vianet or usgov",
        )

    check = commands.add_parser(
        "check", help="validate request bodies (JSON files, or - for stdin)"
    )
    check.add_argument("inputs", nargs="+", metavar="FILE", help="JSON file, or - for stdin")
    check.add_argument("--format", choices=("text", "json"), default="text")
    check.add_argument(
        "--fail-on",
        choices=("error", "warning"),
        default="error",
        help="lowest severity that makes the exit status 1 (default: error)",
    )
    check.add_argument(
        "--redact",
        action="store_true",
        help="leave every payload value out of the output (no personal data in logs)",
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
            "Write the repaired request body to stdout (or back to FILE with --in-place) and "
            "list every change on stderr. Only certain repairs are made: values are replaced, "
            "keys never renamed, nothing missing invented. Exit status: 0 when the repaired "
            "body has nothing at or above --fail-on, 1 when it still has, 2 when it could "
            "not be read."
        ),
    )
    fix.add_argument("input", metavar="FILE", help="JSON file, or - for stdin")
    fix.add_argument(
        "--in-place",
        action="store_true",
        help="write the repaired body back to FILE (left untouched when nothing changes)",
    )
    fix.add_argument(
        "--fail-on",
        choices=("error", "warning"),
        default="error",
        help="lowest severity left after repair that makes the exit status 1 (default: error)",
    )
    fix.add_argument(
        "--redact",
        action="store_true",
        help="list changes by path and rule only, without the values",
    )
    rule_options(fix)

    rules = commands.add_parser("rules", help="list every rule: id, severity, description, source")
    rules.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    rule_options(rules)
    return parser


def _read(name: str, stdin: Any) -> bytes:
    if name == "-":
        data = stdin.buffer.read() if hasattr(stdin, "buffer") else stdin.read()
        return data if isinstance(data, bytes) else str(data).encode("utf-8", "surrogatepass")
    with open(name, "rb") as handle:
        return handle.read()


def _read_error(name: str, exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return "no such file"
    if isinstance(exc, IsADirectoryError):
        return "is a directory, not a file"
    if isinstance(exc, PermissionError):
        return "permission denied"
    return f"cannot be read: {exc.strerror or exc}"


def _check(args: argparse.Namespace, out: TextIO, err: TextIO, stdin: Any) -> int:
    from pc_validate.engine import Validator
    from pc_validate.payload import PayloadError, parse
    from pc_validate.report import document, dumps, unreadable_result
    from pc_validate.rules import load_rules

    validator = Validator(load_rules(args.rules, args.disable, cloud=args.cloud))
    results: list[dict[str, Any]] = []
    worst = -1
    for name in args.inputs:
        label = "<stdin>" if name == "-" else name
        try:
            payload = parse(_read(name, stdin))
        except OSError as exc:
            results.append(unreadable_result(label, _read_error(name, exc)))
            continue
        except PayloadError as exc:
            results.append(unreadable_result(label, exc.reason, exc.line, exc.column))
            continue
        report = validator.validate(payload, redact=args.redact)
        worst = max(worst, report.worst())
        results.append(report.result_dict(label))
    doc = document(results)
    if args.format == "json":
        out.write(dumps(doc) + "\n")
    else:
        from pc_validate.render import render_text

        out.write(render_text(doc["results"], doc["summary"], colour=_colour(args.color, out)))
    for result in results:
        if result["status"] == "unreadable":
            error = result["error"]
            where = f":{error['line']}:{error['column']}" if error["line"] is not None else ""
            err.write(f"pc-validate: {result['input']}{where}: {error['message']}\n")
    if doc["summary"]["unreadable"]:
        return EXIT_UNUSABLE
    return EXIT_VIOLATIONS if worst >= _FAIL_RANK[args.fail_on] else EXIT_OK


def _fix(args: argparse.Namespace, out: TextIO, err: TextIO, stdin: Any) -> int:
    from pc_validate.engine import Validator
    from pc_validate.fix import repair
    from pc_validate.payload import PayloadError, parse
    from pc_validate.report import dumps, echo, printable
    from pc_validate.rules import load_rules

    label = "<stdin>" if args.input == "-" else args.input
    if args.in_place and args.input == "-":
        err.write("pc-validate: error: --in-place needs a file, not stdin\n")
        return EXIT_UNUSABLE
    validator = Validator(load_rules(args.rules, args.disable, cloud=args.cloud))
    try:
        payload = parse(_read(args.input, stdin))
    except OSError as exc:
        err.write(f"pc-validate: {label}: {_read_error(args.input, exc)}\n")
        return EXIT_UNUSABLE
    except PayloadError as exc:
        where = f":{exc.line}:{exc.column}" if exc.line is not None else ""
        err.write(f"pc-validate: {label}{where}: {exc.reason}\n")
        return EXIT_UNUSABLE
    result = repair(payload, validator=validator)

    def shown(value: Any) -> str:
        return "(value withheld)" if args.redact else dumps(echo(value), indent=None)

    for change in result.changes:
        err.write(
            f"pc-validate: {label}: {printable(change.path)}: {shown(change.before)} -> "
            f"{shown(change.after)} ({change.rule})\n"
        )
    for held in result.withheld:
        raised = ", ".join(f"{rule} at {printable(path)}" for rule, path in held.would_raise)
        err.write(
            f"pc-validate: {label}: {printable(held.path)}: not changed to {shown(held.after)} "
            f"({held.rule}): it would bring up {raised}\n"
        )
    if not result.changes:
        err.write(f"pc-validate: {label}: nothing to repair\n")
    text = dumps(result.payload) + "\n"
    if args.in_place:
        if result.changes:
            _write_atomically(args.input, text)
    else:
        out.write(text)
    return EXIT_VIOLATIONS if result.after.worst() >= _FAIL_RANK[args.fail_on] else EXIT_OK


def _write_atomically(name: str, text: str) -> None:
    """Replace a file's content in one step, so a crash never leaves half a file."""
    import tempfile

    directory = os.path.dirname(os.path.abspath(name))
    fd, temp = tempfile.mkstemp(prefix=".pc-validate-", suffix=".json", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        with contextlib.suppress(OSError):
            os.chmod(temp, os.stat(name).st_mode & 0o7777)
        os.replace(temp, name)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def _colour(choice: str, out: TextIO) -> bool:
    if choice != "auto":
        return choice == "always"
    return not os.environ.get("NO_COLOR") and bool(getattr(out, "isatty", lambda: False)())


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
    """Run the command; returns the exit status (the console script exits with it)."""
    out, err = stdout or sys.stdout, stderr or sys.stderr
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            args = _parser().parse_args(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else EXIT_UNUSABLE
    from pc_validate.rules import RuleFileError

    try:
        if args.command == "check":
            return _check(args, out, err, stdin or sys.stdin)
        if args.command == "fix":
            return _fix(args, out, err, stdin or sys.stdin)
        return _rules(args, out)
    except RuleFileError as exc:
        err.write(f"pc-validate: rule file error: {exc}\n")
        return EXIT_UNUSABLE
    except KeyboardInterrupt:
        err.write("pc-validate: interrupted\n")
        return 130
    except BrokenPipeError:
        return EXIT_OK
