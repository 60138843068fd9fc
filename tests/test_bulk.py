"""Bulk checks: JSON arrays, JSON Lines, CSV, globs and stdin; record accounting; --jobs
order and worker death; --format jsonl, --only-invalid, progress; flat memory."""

from __future__ import annotations

import contextlib
import copy
import io
import json
import os
import signal
import sys
from pathlib import Path
from typing import Any, cast

import jsonschema
import pytest
from conftest import VALID_US_PAYLOAD, Run, Terminal, peak_rss_kb, realistic_jsonl, run_cli

from pc_validate import bulk
from pc_validate.inputs import Body, Unreadable, Where, read_records
from pc_validate.resources import load_schema

EXAMPLES = Path(__file__).parent.parent / "examples"
REPORT = load_schema("report.schema.json")
RESULT_VALIDATOR = jsonschema.Draft202012Validator(
    {"$ref": "#/$defs/result", "$defs": REPORT["$defs"]}
)


def run(*argv: str | Path, stdin: bytes = b"") -> Run:
    return run_cli("check", *argv, stdin=stdin)


def body(**address: Any) -> dict[str, Any]:
    payload = copy.deepcopy(VALID_US_PAYLOAD)
    payload["billingProfile"]["defaultAddress"].update(address)
    return payload


def mixed(n: int) -> list[Any]:
    """n varied records: mostly valid, some invalid, a few not even objects."""
    records: list[Any] = []
    for i in range(n):
        if i % 10 == 3:
            records.append(body(state="Washington"))
        elif i % 10 == 7:
            records.append(body(postalCode=f"{i:04d}"))
        elif i % 50 == 49:
            records.append([i])
        else:
            records.append(body(city=f"Redmond {i}"))
    return records


def jsonl(records: list[Any], broken: dict[int, str] | None = None) -> bytes:
    lines = [json.dumps(r) for r in records]
    for index, text in (broken or {}).items():
        lines[index] = text
    return ("\n".join(lines) + "\n").encode()


# --- formats ---------------------------------------------------------------------------------


def test_a_json_array_is_one_record_per_element(tmp_path: Path) -> None:
    source = tmp_path / "customers.json"
    source.write_text(json.dumps([body(), body(state="XX"), body()], indent=1), encoding="utf-8")
    code, out, _ = run("--format", "json", source)
    doc = json.loads(out)
    assert code == 1
    assert [(r["record"], r["status"]) for r in doc["results"]] == [
        (0, "valid"),
        (1, "invalid"),
        (2, "valid"),
    ]
    lines = [r["line"] for r in doc["results"]]
    assert lines[0] == 2 and lines == sorted(lines)
    text = source.read_text(encoding="utf-8").splitlines()
    assert all(text[line - 1].strip() == "{" for line in lines)
    assert doc["summary"] | {"violations": None} == {
        "inputs": 1,
        "records": 3,
        "valid": 2,
        "invalid": 1,
        "unreadable": 0,
        "not_validated": 0,
        "violations": None,
    }


def test_json_lines_by_extension_with_line_numbers(tmp_path: Path) -> None:
    source = tmp_path / "export.ndjson"
    source.write_bytes(jsonl([body(), body(state="XX")]) + b"\n\n" + jsonl([body()]))
    code, out, _ = run("--format", "json", source)
    results = json.loads(out)["results"]
    assert code == 1
    assert [(r["record"], r["line"], r["status"]) for r in results] == [
        (0, 1, "valid"),
        (1, 2, "invalid"),
        (2, 5, "valid"),  # blank lines are not records
    ]


def test_an_unreadable_line_is_reported_counted_and_the_run_goes_on(tmp_path: Path) -> None:
    source = tmp_path / "export.jsonl"
    source.write_bytes(jsonl(mixed(6), broken={2: '{"billingProfile": {"email": "x",}}'}))
    code, out, err = run("--format", "json", source)
    doc = json.loads(out)
    assert code == 2
    assert len(doc["results"]) == 6
    bad = doc["results"][2]
    assert (bad["status"], bad["line"]) == ("unreadable", 3)
    assert (bad["error"]["line"], bad["error"]["column"]) == (3, 34)
    assert "trailing comma" in bad["error"]["message"]
    assert doc["summary"]["unreadable"] == 1
    assert doc["summary"]["records"] == 6
    assert f"{source}:3:34: trailing comma" in err


def test_invalid_utf8_in_one_line_spoils_only_that_line(tmp_path: Path) -> None:
    source = tmp_path / "export.jsonl"
    source.write_bytes(jsonl([body()]) + b'{"x": "\xff"}\n' + jsonl([body()]))
    code, out, _ = run("--format", "json", source)
    assert code == 2
    assert [r["status"] for r in json.loads(out)["results"]] == ["valid", "unreadable", "valid"]


def test_a_broken_json_array_reports_what_it_read_and_where_it_broke(tmp_path: Path) -> None:
    source = tmp_path / "customers.json"
    good = json.dumps(body())
    source.write_text(f"[{good},\n{good},\n{{oops}}, {good}]", encoding="utf-8")
    code, out, err = run("--format", "json", source)
    doc = json.loads(out)
    assert code == 2
    assert [r["status"] for r in doc["results"]] == ["valid", "valid", "unreadable"]
    assert f"{source}:3:" in err
    error = doc["results"][2]["error"]
    assert error["line"] == 3
    assert "the rest of the array was not read" in error["message"]


CSV_HEADER = (
    "companyProfile.domain,billingProfile.email,billingProfile.culture,billingProfile.language,"
    "billingProfile.companyName,billingProfile.defaultAddress.firstName,"
    "billingProfile.defaultAddress.lastName,billingProfile.defaultAddress.addressLine1,"
    "billingProfile.defaultAddress.city,billingProfile.defaultAddress.state,"
    "billingProfile.defaultAddress.postalCode,billingProfile.defaultAddress.country,"
    "billingProfile.defaultAddress.phoneNumber,enableGDAPByDefault"
)
CSV_ROW = (
    "contoso.onmicrosoft.com,gena@wingtiptoys.com,en-US,en,Wingtip Toys,Gena,Soto,"
    "One Microsoft Way,Redmond,WA,98052,US,4255550101,{gdap}"
)


def test_csv_with_dotted_headers(tmp_path: Path) -> None:
    source = tmp_path / "crm.csv"
    rows = [
        CSV_HEADER,
        CSV_ROW.format(gdap="false"),
        CSV_ROW.format(gdap="TRUE").replace(",WA,", ",Washington,"),
        CSV_ROW.format(gdap="maybe"),
        "",
        CSV_ROW.format(gdap="false") + ",extra",
    ]
    source.write_text("\n".join(rows) + "\n", encoding="utf-8-sig")
    code, out, err = run("--format", "json", source)
    results = json.loads(out)["results"]
    assert code == 2
    assert [(r["row"], r["status"]) for r in results] == [
        (2, "valid"),
        (3, "invalid"),
        (4, "invalid"),
        (6, "unreadable"),
    ]
    assert {v["rule"] for v in results[1]["violations"]} == {
        "address.state.us_code",
        "address.state.length",
    }
    assert results[1]["violations"][0]["path"] == "/billingProfile/defaultAddress/state"
    assert {v["rule"] for v in results[2]["violations"]} == {"payload.type"}
    assert "15 cells but the header names 14 columns" in results[3]["error"]["message"]
    assert f"{source}:6: row has 15 cells" in err


def test_csv_empty_cells_are_absent_fields(tmp_path: Path) -> None:
    source = tmp_path / "crm.csv"
    source.write_text(
        CSV_HEADER + "\n" + CSV_ROW.format(gdap="").replace(",4255550101,", ",,") + "\n",
        encoding="utf-8",
    )
    code, out, _ = run("--format", "json", source)
    assert code == 0
    assert json.loads(out)["results"][0]["violations"] == []


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ("id,a,a", "columns 2 and 3 of the header both name 'a'"),
        ("id,a,a.b", "column 3 ('a.b') lies inside column 2 ('a')"),
        ("id,a,,b", "column 3 of the header, '', is not a field path"),
        ("Gena,Soto,gena@wingtiptoys.com", "the header row names none of the fields"),
        ("email,phone,name", "is the header row missing?"),
    ],
)
def test_a_bad_csv_header_makes_the_file_unreadable(
    tmp_path: Path, header: str, reason: str
) -> None:
    source = tmp_path / "crm.csv"
    source.write_text(header + "\n1,2,3,4\n", encoding="utf-8")
    code, out, err = run("--format", "json", source)
    assert code == 2
    assert reason in json.loads(out)["results"][0]["error"]["message"]
    assert reason in err


def test_a_csv_header_naming_one_known_field_is_read(tmp_path: Path) -> None:
    """Columns the rules do not know are read as keys (and warned about), once one column
    names a known field, in any case."""
    source = tmp_path / "crm.csv"
    source.write_text("BillingProfile.Email,crmId\ngena@wingtiptoys.com,42\n", encoding="utf-8")
    code, out, _ = run("--format", "json", source)
    result = json.loads(out)["results"][0]
    assert code == 1
    assert result["status"] == "invalid", result
    assert "/crmId" in {v["path"] for v in result["violations"]}


def test_records_from_stdin_as_json_lines() -> None:
    code, out, _ = run("--input-format", "jsonl", "--format", "json", "-", stdin=jsonl(mixed(4)))
    results = json.loads(out)["results"]
    assert [r["input"] for r in results] == ["<stdin>"] * 4
    assert [r["line"] for r in results] == [1, 2, 3, 4]
    assert code == 1


def test_an_array_from_stdin() -> None:
    code, out, _ = run("--format", "json", "-", stdin=json.dumps([body(), body()]).encode())
    assert code == 0
    assert json.loads(out)["summary"]["records"] == 2


def test_globs_expand_in_name_order_and_an_empty_glob_is_reported(tmp_path: Path) -> None:
    for name in ("b.json", "a.json", "c.txt"):
        (tmp_path / name).write_text(json.dumps(body()), encoding="utf-8")
    code, out, _ = run("--format", "json", str(tmp_path / "*.json"), str(tmp_path / "*.none"))
    results = json.loads(out)["results"]
    assert [Path(r["input"]).name for r in results] == ["a.json", "b.json", "*.none"]
    assert results[2]["error"]["message"] == "no file matches this pattern"
    assert code == 2
    assert json.loads(out)["summary"]["inputs"] == 3


# --- output ----------------------------------------------------------------------------------


def test_jsonl_output_is_one_result_per_line_then_the_summary(tmp_path: Path) -> None:
    source = tmp_path / "export.jsonl"
    source.write_bytes(jsonl(mixed(20), broken={5: "{"}))
    code, out, _ = run("--format", "jsonl", source)
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 2
    assert len(lines) == 21
    for result in lines[:-1]:
        RESULT_VALIDATOR.validate(result)
    assert [r["record"] for r in lines[:-1]] == list(range(20))
    summary = lines[-1]["summary"]
    assert summary["records"] == 20
    assert summary["unreadable"] == 1
    assert summary["valid"] + summary["invalid"] == 19


def test_only_invalid_leaves_valid_records_out_but_counts_them(tmp_path: Path) -> None:
    source = tmp_path / "export.jsonl"
    source.write_bytes(jsonl(mixed(20)))
    for fmt in ("json", "jsonl", "text"):
        code, out, _ = run("--format", fmt, "--only-invalid", source)
        assert code == 1
        if fmt == "json":
            doc = json.loads(out)
            assert all(r["status"] != "valid" for r in doc["results"])
            assert doc["summary"]["valid"] > 0
            assert doc["summary"]["records"] == 20
            jsonschema.validate(doc, REPORT)
        elif fmt == "text":
            assert ": valid" not in out
            assert "20 records:" in out


def test_text_output_names_record_lines_and_rows(tmp_path: Path) -> None:
    source = tmp_path / "export.jsonl"
    source.write_bytes(jsonl([body(), body(state="XX")]))
    _, out, _ = run(source)
    assert f"{source} line 1: valid" in out
    assert f"{source} line 2: invalid" in out
    assert out.rstrip().endswith("0 info")


def test_no_progress_bar_when_stderr_is_not_a_terminal(tmp_path: Path) -> None:
    source = tmp_path / "export.jsonl"
    source.write_bytes(jsonl(mixed(300)))
    _, _, err = run("--format", "jsonl", source)
    assert err == ""


def _run_on_a_terminal(
    monkeypatch: pytest.MonkeyPatch, *argv: str | Path, stdin: bytes = b""
) -> str:
    """stderr of a run whose stderr is a terminal and whose clock moves a second a look."""
    from itertools import count

    from pc_validate.cli import main

    seconds = count()
    monkeypatch.setattr("time.monotonic", lambda: float(next(seconds)))
    err = Terminal()
    main(
        [str(arg) for arg in argv],
        stdout=io.StringIO(),
        stderr=err,
        stdin=io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"),
    )
    return err.getvalue()


def test_progress_on_a_terminal_shows_share_done_and_time_left_unless_quiet(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import re

    source = tmp_path / "export.jsonl"
    source.write_bytes(jsonl(mixed(1000)))
    quiet = _run_on_a_terminal(monkeypatch, "check", "--format", "jsonl", "--quiet", source)
    assert "records checked" not in quiet
    shown = _run_on_a_terminal(monkeypatch, "check", "--format", "jsonl", source)
    assert shown.endswith("\r\033[K")
    lines = [line for line in shown.split("\r") if "records checked" in line]
    shares = [int(found) for line in lines for found in re.findall(r", (\d+)%", line)]
    assert shares and shares == sorted(shares) and all(0 < share <= 100 for share in shares)
    assert all(re.search(r", about \d+ (s|min \d\d s) left", line) for line in lines)
    # On stdin the size is not known: no share, no time left.
    piped = _run_on_a_terminal(
        monkeypatch,
        "check",
        "--format",
        "jsonl",
        "--input-format",
        "jsonl",
        "-",
        stdin=jsonl(mixed(1000)),
    )
    assert "records checked" in piped
    assert "%" not in piped and "left" not in piped


def test_the_share_counts_records_read_ahead_of_their_results(tmp_path: Path) -> None:
    from pc_validate.progress import Progress

    source = tmp_path / "a.jsonl"
    source.write_bytes(b"x" * 1000)
    progress = Progress(io.StringIO(), 2000)  # two inputs of 1000 bytes
    with source.open("rb") as handle:
        progress.opened(handle)
        handle.read(500)
        assert progress.share() == 0.25
    assert progress.share() == 0.5  # closed: read to its end


# --- --jobs: order, identical bytes, worker death ----------------------------------------------


@pytest.fixture(scope="module")
def big_jsonl(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = tmp_path_factory.mktemp("bulk") / "export.jsonl"
    source.write_bytes(jsonl(mixed(1500), broken={17: "{not json", 900: "[1,"}))
    return source


@pytest.mark.parametrize("fmt", ["jsonl", "json", "text"])
def test_jobs_give_byte_identical_output_in_input_order(big_jsonl: Path, fmt: str) -> None:
    outputs = {jobs: run("--format", fmt, "--jobs", str(jobs), big_jsonl) for jobs in (1, 2, 3)}
    assert outputs[1][0] == 2
    assert outputs[1] == outputs[2] == outputs[3]
    if fmt == "jsonl":
        records = [json.loads(line)["record"] for line in outputs[1][1].splitlines()[:-1]]
        assert records == list(range(1500))


class KillingBody(Body):
    """A record whose parsing kills the worker process that handles it."""

    def parsed(self) -> Any:
        os.kill(os.getpid(), signal.SIGKILL)
        return None


def test_a_dying_worker_loses_no_record() -> None:
    records: list[Any] = [Body(Where("in", i), payload=body(city=f"City {i}")) for i in range(2000)]
    records[700] = KillingBody(Where("in", 700), payload=None)
    outcomes = list(bulk.validate_in_workers(records, bulk.Settings(), jobs=2))
    assert len(outcomes) == 2000
    statuses = [o.status for o in outcomes]
    lost = [i for i, s in enumerate(statuses) if s == "not_validated"]
    # The batch that held the record is reported record by record; the rest is validated.
    assert 700 in lost
    assert len(lost) <= bulk.BATCH
    assert all(s == "valid" for i, s in enumerate(statuses) if i not in lost)
    assert [o.result["record"] for o in outcomes] == list(range(2000))
    assert "worker process" in outcomes[700].result["error"]["message"]


class KillingOnce(Body):
    """A record that kills the first worker that parses it; the next one validates it (its
    input's name is the path of the mark left by the first)."""

    def parsed(self) -> Any:
        mark = Path(self.where.input)
        if not mark.exists():
            mark.write_text("died")
            os.kill(os.getpid(), signal.SIGKILL)
        return body()


def test_a_task_whose_worker_died_once_is_validated_by_another(tmp_path: Path) -> None:
    name = str(tmp_path / "mark")
    records: list[Any] = [Body(Where(name, i), payload=body()) for i in range(3000)]
    records[1500] = KillingOnce(Where(name, 1500))
    outcomes = list(bulk.validate_in_workers(records, bulk.Settings(), jobs=2))
    assert [o.status for o in outcomes] == ["valid"] * 3000
    assert [o.result["record"] for o in outcomes] == list(range(3000))
    assert Path(name).read_text() == "died"


def test_records_not_validated_come_in_their_block_as_json_lines() -> None:
    records: list[Any] = [Body(Where("in", i), payload=body()) for i in range(1500)]
    records[1200] = KillingBody(Where("in", 1200), payload=None)
    settings = bulk.Settings(as_line=True, only_invalid=True)
    blocks = list(bulk.validate_in_workers(records, settings, jobs=2))
    assert all(isinstance(block, bulk.Block) for block in blocks)
    assert sum(sum(block.statuses) for block in blocks) == 1500
    first, second = blocks  # two batches: the second one's worker died twice
    assert first.statuses == (bulk.BATCH, 0, 0, 0) and first.text == ""
    lost = 1500 - bulk.BATCH
    assert second.statuses == (0, 0, 0, lost)
    lines = second.text.splitlines()
    assert [json.loads(line)["record"] for line in lines] == list(range(bulk.BATCH, 1500))
    assert list(second.problems) == lines


def test_the_summary_and_exit_status_say_records_were_not_validated(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def dying(items: Any, settings: bulk.Settings, jobs: int) -> Any:
        for record in bulk.each_record(items):
            if record.where.index == 1:
                yield bulk._not_validated(record, settings)
            else:
                yield from bulk.validate_serially([record], settings)

    monkeypatch.setattr(bulk, "validate_in_workers", dying)
    source = tmp_path / "export.jsonl"
    source.write_bytes(jsonl([body(), body(), body()]))
    code, out, err = run("--format", "json", "--jobs", "2", source)
    doc = json.loads(out)
    assert code == 2
    assert doc["summary"]["not_validated"] == 1
    jsonschema.validate(doc, REPORT)
    assert "not validated" in err


def test_jobs_must_be_a_positive_number() -> None:
    assert run("--jobs", "0", "x.json")[0] == 2
    assert run("--jobs", "many", "x.json")[0] == 2


# --- reading stays flat ------------------------------------------------------------------------


def test_readers_hold_one_record_at_a_time() -> None:
    """A generator over a stream that fails once read past the first records: the readers
    must not read ahead more than a chunk."""

    class Endless(io.RawIOBase):
        def __init__(self, head: bytes, fill: bytes) -> None:
            self.data = head
            self.fill = fill
            self.served = 0

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: Any) -> int:
            if not self.data:
                self.data = self.fill * 64
            n = min(len(buffer), len(self.data))
            buffer[:n] = self.data[:n]
            self.data = self.data[n:]
            self.served += n
            return n

    item = json.dumps(body()).encode()
    for fmt, head, fill in (
        ("json", b"[" + item, b"," + item),
        ("jsonl", item + b"\n", item + b"\n"),
    ):
        stream = Endless(head, fill)
        reader = read_records(io.BufferedReader(stream), "endless", fmt)
        for _ in range(10_000):
            record = next(reader)
            assert not isinstance(record, Unreadable)
        assert stream.served < 10_000 * len(item) + 4 * 1024 * 1024


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ru_maxrss in kB on Linux")
def test_peak_memory_does_not_grow_with_the_number_of_records(tmp_path: Path) -> None:
    small, large = tmp_path / "small.jsonl", tmp_path / "large.jsonl"
    small.write_bytes(jsonl(mixed(2_000)))
    large.write_bytes(jsonl(mixed(40_000)))
    command = [sys.executable, "-m", "pc_validate", "check", "--format", "jsonl", "--jobs", "1"]
    peaks = {path.name: peak_rss_kb([*command, str(path)])[1] for path in (small, large)}
    assert large.stat().st_size > 15 * small.stat().st_size
    # 20 times the records, the same peak (within a few MB of allocator noise).
    assert peaks["large.jsonl"] < peaks["small.jsonl"] + 8_000, peaks


@pytest.mark.parametrize(
    "where",
    [
        Where("customers.jsonl", 0, 1),
        Where("-", 41, None, 42),
        Where('dir/"quoted" name\\ü.csv', 7, None, 9),
        Where("\u2028odd\tname", 123456, 999999),
    ],
)
def test_the_line_of_a_clean_record_is_what_dumps_writes(where: Where) -> None:
    from pc_validate.bulk import _clean_line
    from pc_validate.report import Report, dumps

    expected = dumps(Report(()).result_dict(where.input, where.index, where.line, where.row), None)
    assert _clean_line(where) == expected


# --- inputs as exports are: CSV dialects and encodings, gzip, workbooks, globs -----------------

DE_HEADER = "billingProfile.email;billingProfile.companyName;billingProfile.defaultAddress.city"


def records_of(data: bytes, fmt: str, **options: Any) -> list[Any]:
    """What read_records makes of `data`: payloads, or (row, reason) of unreadable rows."""
    from pc_validate.api import default_validator

    types = {".".join(p).lower(): k for p, k in default_validator().ruleset.catalog.types.items()}
    found: list[Any] = []
    for record in read_records(io.BytesIO(data), "in", fmt, types, **options):
        if isinstance(record, Unreadable):
            found.append((record.where.row or record.where.line, record.reason))
        else:
            found.append(record.parsed())
    return found


def city(name: str, email: str = "a@b.co", company: str = "Contoso") -> dict[str, Any]:
    return {"billingProfile": {"email": email, "companyName": company,
                               "defaultAddress": {"city": name}}}  # fmt: skip


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        (DE_HEADER + "\na@b.co;Contoso, Inc.;Köln\n", ";"),
        ("sep=;\n" + DE_HEADER + "\na@b.co;Contoso, Inc.;Köln\n", ";"),
        ('"sep=|"\n' + DE_HEADER.replace(";", "|") + "\na@b.co|Contoso, Inc.|Köln\n", "|"),
        (DE_HEADER.replace(";", "\t") + "\na@b.co\tContoso, Inc.\tKöln\n", "\t"),
        (DE_HEADER.replace(";", ",") + '\na@b.co,"Contoso, Inc.",Köln\n', ","),
    ],
    ids=["german_excel", "sep_line", "quoted_sep_pipe", "tab", "comma"],
)
def test_the_csv_delimiter_is_the_one_that_names_fields(text: str, delimiter: str) -> None:
    """A German-Excel `;` file was answered "is the header row missing?"; so was `sep=`."""
    assert records_of(text.encode(), "csv") == [city("Köln", company="Contoso, Inc.")]


def test_a_sep_line_is_not_a_row(tmp_path: Path) -> None:
    source = tmp_path / "excel.csv"
    source.write_text("sep=;\n" + DE_HEADER + "\na@b.co;Contoso;Köln\n", encoding="utf-8")
    _, out, _ = run("--format", "json", source)
    (result,) = json.loads(out)["results"]
    assert (result["row"], result["line"]) == (2, 3)  # Excel hides the sep= line


def test_a_windows_1252_csv_is_read_and_said_so(tmp_path: Path) -> None:
    source = tmp_path / "excel.csv"
    source.write_bytes((DE_HEADER + "\na@b.co;Müller € GmbH;Köln\n").encode("cp1252"))
    code, _, err = run("--format", "json", source)
    assert code == 1
    assert err == (
        f"pc-validate: {source}: the file is not UTF-8; it was read as Windows-1252 (cp1252), "
        "as Excel saves CSV on Western Windows (--encoding NAME reads it as another)\n"
    )
    assert records_of(source.read_bytes(), "csv") == [city("Köln", company="Müller € GmbH")]


def test_utf8_is_chosen_by_the_first_letter_beyond_ascii() -> None:
    """UTF-8 text stays UTF-8 (no note), even when the chunk boundary cuts its first letter."""
    notes: list[str] = []
    data = (DE_HEADER + "\na@b.co;Müller;Köln\n").encode()
    assert records_of(data, "csv", note=notes.append) == [city("Köln", company="Müller")]
    assert notes == []


def test_encoding_reads_any_codec_in_any_format(tmp_path: Path) -> None:
    body_text = json.dumps(city("Zürich"), ensure_ascii=False)
    for name, data, fmt in (
        ("latin.json", body_text.encode("latin-1"), "json"),
        ("latin.jsonl", (body_text + "\n" + body_text + "\n").encode("latin-1"), "jsonl"),
        ("mac.csv", (DE_HEADER + "\na@b.co;Contoso;Zürich\n").encode("mac_roman"), "csv"),
    ):
        expected = [city("Zürich")] * (2 if fmt == "jsonl" else 1)
        encoding = "mac-roman" if fmt == "csv" else "latin-1"
        assert records_of(data, fmt, encoding=encoding) == expected, name
        source = tmp_path / name
        source.write_bytes(data)
        code, _, err = run("--format", "json", "--encoding", encoding, source)
        assert code == 1 and err == "", (name, err)
    assert records_of(b"\xef\xbb\xbf" + body_text.encode(), "json", encoding="utf-8") == [
        city("Zürich")
    ]  # a byte-order mark of the encoding named is skipped


def test_json_is_not_guessed_to_be_windows_1252() -> None:
    """RFC 8259: JSON is UTF-8. Bytes that are not stay unreadable unless --encoding says."""
    data = json.dumps(city("Zürich"), ensure_ascii=False).encode("cp1252")
    ((_, reason),) = records_of(data, "json")
    assert reason == "not valid UTF-8: byte 0xfc cannot start or continue a character"


@pytest.mark.parametrize("name", ["zzz", "base64", "rot13"])
def test_an_unknown_or_non_text_encoding_is_a_usage_error(name: str) -> None:
    code, _, err = run("--encoding", name, "x.json")
    assert code == 2
    assert "argument --encoding:" in err


def test_undefined_windows_1252_bytes_spoil_only_their_row() -> None:
    data = (DE_HEADER + "\na@b.co;Müller;Köln\n").encode("cp1252") + b"c@d.co;X\x81;Y\n"
    assert records_of(data, "csv")[1] == (
        3,
        "not valid CP1252: byte 0x81 is not a character (cell 2)",
    )


def test_legitimate_multi_line_cells_are_cells() -> None:
    """Quoted cells over 3, 500 and 1,500 lines (none of them rows of their own) and a
    cell of 300,000 characters are read whole, and the rows after them too."""
    header = "billingProfile.email,billingProfile.companyName,billingProfile.defaultAddress.city\n"
    notes = {n: "\n".join(f"line {i}" for i in range(n)) for n in (3, 500, 1500)}
    rows = [f'a@b.co,"{text}",Bonn\n' for text in notes.values()]
    rows.append('a@b.co,"' + "x" * 300_000 + '",Bonn\n')
    rows.append('a@b.co,"said ""hi""\r\nand left",Bonn\r\n')
    rows.append("a@b.co,Contoso,Bonn\n")
    found = records_of((header + "".join(rows)).encode(), "csv")
    names = [*notes.values(), "x" * 300_000, 'said "hi"\r\nand left', "Contoso"]
    assert found == [city("Bonn", company=name) for name in names]


def test_a_stray_quote_over_whole_rows_is_stopped_at_the_line_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A quote that runs over lines that are rows of their own is caught after MAX_ROW_LINES
    lines (not at the end of the file), and the rows it ran over are read."""
    from pc_validate import csv_input

    monkeypatch.setattr(csv_input, "MAX_ROW_LINES", 5)
    header = "billingProfile.email,billingProfile.companyName,billingProfile.defaultAddress.city\n"
    rows = ['a@b.co,"Stray,Bonn\n'] + [f"a@b.co,Co {i},Bonn\n" for i in range(8)]
    rows.append('a@b.co,"closes" here,Bonn\n')
    found = records_of((header + "".join(rows)).encode(), "csv")
    assert found[0] == (
        2,
        "a quoted cell in this row runs on for more than 5 lines, over lines that are rows of "
        "their own: a quote out of place?",
    )
    assert found[1:9] == [city("Bonn", company=f"Co {i}") for i in range(8)]
    assert found[9] == (11, "not valid CSV: ',' expected after '\"'")


def test_a_file_of_one_stray_quote_per_row_is_all_accounted_for() -> None:
    """Each stray quote runs into the next line, whose own quote ends it: every line is in
    one unreadable record, which names the lines it skipped; and it takes linear time."""
    header = "billingProfile.email,billingProfile.companyName\n"
    data = header + "".join(f'a@b.co,"Co {i}\n' for i in range(2000))
    found = records_of(data.encode(), "csv")
    assert len(found) == 1000
    assert all(reason.endswith(f"; lines {2 * n + 2}-{2 * n + 3} were skipped")
               for n, (_, reason) in enumerate(found))  # fmt: skip


@pytest.mark.parametrize(
    ("suffix", "fmt"),
    [(".json.gz", "json"), (".jsonl.gz", "jsonl"), (".csv.gz", "csv"), (".gz", "json"),
     (".txt", "json")],
)  # fmt: skip
def test_gzip_inputs_are_read_by_their_name_without_gz(
    suffix: str, fmt: str, tmp_path: Path
) -> None:
    import gzip

    records = [body(), body(state="XX")]
    plain = {
        "json": json.dumps(records).encode(),
        "jsonl": jsonl(records),
        "csv": (CSV_HEADER + "\n" + CSV_ROW.format(gdap="false") + "\n"
                + CSV_ROW.format(gdap="false").replace(",WA,", ",XX,") + "\n").encode(),
    }[fmt]  # fmt: skip
    source = tmp_path / f"export{suffix}"
    source.write_bytes(gzip.compress(plain))
    code, out, err = run("--format", "json", source)
    assert (code, err) == (1, "")
    assert [r["status"] for r in json.loads(out)["results"]] == ["valid", "invalid"]
    code, out, _ = run("--format", "json", "--input-format", fmt, "-", stdin=source.read_bytes())
    assert [r["status"] for r in json.loads(out)["results"]] == ["valid", "invalid"]


def test_a_gzip_bomb_stays_within_the_record_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """1 GB of blanks compressed to 1 MB: decompressed as read, never held past the limit."""
    import gzip

    from pc_validate import records

    monkeypatch.setattr(records, "MAX_RECORD_CHARS", 4 * 1024 * 1024)
    bomb = gzip.compress(b"{" + b" " * (64 * 1024 * 1024), compresslevel=9)
    assert len(bomb) < 200_000
    ((_, reason),) = records_of(bomb, "json")
    assert reason.startswith("the JSON document is longer than 4,194,304 characters")


def test_gzip_cut_short_keeps_the_records_before() -> None:
    import gzip

    data = gzip.compress(jsonl([body()] * 3000))
    found = records_of(data[: len(data) // 2], "jsonl")
    assert found[0] == body() and len(found) > 100
    assert found[-1][1] == (
        "the gzip data ends too soon (the file is cut short); the rest was not read"
    )


def _workbook(tmp_path: Path, rows: list[list[Any]], formats: dict[str, str] | None = None,
              sheets: tuple[str, ...] = ("Customers",)) -> Path:  # fmt: skip
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = sheets[0]
    for row in rows:
        sheet.append(row)
    for cell, number_format in (formats or {}).items():
        sheet[cell].number_format = number_format
    for name in sheets[1:]:
        book.create_sheet(name).append(["billingProfile.email"])
    path = tmp_path / "customers.xlsx"
    book.save(path)
    return path


XLSX_HEADER = [
    "billingProfile.email",
    "billingProfile.defaultAddress.postalCode",
    "billingProfile.defaultAddress.phoneNumber",
    "enableGDAPByDefault",
    "billingProfile.companyName",
]


def test_a_workbook_reads_numbers_as_excel_shows_them(tmp_path: Path) -> None:
    import datetime

    path = _workbook(
        tmp_path,
        [
            XLSX_HEADER,
            ["a@b.co", 1234, 4255550101, True, "Contoso"],
            [],
            ["c@d.co", 98052, 4255550101, "false", datetime.datetime(2023, 5, 1)],
            ["e@f.co", 980521234, 5550101, False, 0],
            [None, None, None, None, None, None, None],
        ],
        {
            "B2": "00000",
            "B5": "00000\\-0000",
            "C4": "[<=9999999]###\\-####;\\(###\\)\\ ###\\-####",
            "C5": "[<=9999999]###\\-####;\\(###\\)\\ ###\\-####",
            "E5": "#",
        },
    )
    found = records_of(path.read_bytes(), "xlsx")

    def row(email: str, zip_code: str, phone: str, gdap: bool, company: str) -> dict[str, Any]:
        return {
            "billingProfile": {
                "email": email,
                "defaultAddress": {"postalCode": zip_code, "phoneNumber": phone},
                "companyName": company,
            },
            "enableGDAPByDefault": gdap,
        }

    assert found == [
        row("a@b.co", "01234", "4255550101", True, "Contoso"),
        row("c@d.co", "98052", "(425) 555-0101", False, "2023-05-01"),
        row("e@f.co", "98052-1234", "555-0101", False, "0"),
    ]
    _, out, _ = run("--format", "json", path)
    assert [(r["row"], r["line"]) for r in json.loads(out)["results"]] == [
        (2, None),
        (4, None),
        (5, None),
    ]


@pytest.mark.parametrize(
    ("value", "number_format", "shown"),
    [
        (4255550101, "General", "4255550101"),
        (4255550101.0, "General", "4255550101"),
        (0.1 + 0.2, "General", "0.3"),
        (7, "000", "007"),
        (123456789, "000\\-00\\-0000", "123-45-6789"),
        (1234567.891, "#,##0.00", "1,234,567.89"),
        (0.256, "0.0%", "25.6%"),
        (-5, "0;(0)", "(5)"),
        (1234.5, "[$€-407] #,##0.00", "€ 1,234.50"),
        (45000, "yyyy-mm-dd", "45000"),  # a date format on a number openpyxl did not convert
        (12345, "0.00E+00", "12345"),  # scientific: the value's own digits
        (0, "#", "0"),  # shown as nothing by Excel: the value, never a missing field
    ],
)
def test_number_formats(value: float, number_format: str, shown: str) -> None:
    from pc_validate.xlsx_input import displayed

    assert displayed(value, number_format) == shown


def test_a_workbook_sheet_by_name_and_an_unknown_sheet(tmp_path: Path) -> None:
    path = _workbook(tmp_path, [XLSX_HEADER, ["a@b.co"]], sheets=("Customers", "Other"))
    assert records_of(path.read_bytes(), "xlsx", sheet="Other") == []
    code, _, err = run("--sheet", "Nope", path)
    assert code == 2
    assert err == (
        f"pc-validate: {path}: the workbook has no sheet named 'Nope'; its sheets: "
        "'Customers', 'Other'\n"
    )


def test_a_workbook_header_is_checked_as_in_csv(tmp_path: Path) -> None:
    path = _workbook(tmp_path, [["Gena", "Soto"], ["a@b.co", "x"]])
    ((row, reason),) = records_of(path.read_bytes(), "xlsx")
    assert row == 1 and "is the header row missing?" in reason
    path = _workbook(tmp_path, [XLSX_HEADER[:2], ["a@b.co", 1, "extra"]])
    assert records_of(path.read_bytes(), "xlsx") == [
        (2, "row has 3 cells but the header names 2 columns")
    ]


def test_a_formula_cell_is_read_by_its_cached_value(tmp_path: Path) -> None:
    """openpyxl writes formulas without values; Excel saves both. The value is read."""
    import zipfile

    path = _workbook(tmp_path, [XLSX_HEADER[:2], ["a@b.co", "=1000+234"]], {"B2": "00000"})
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    assert b"<f>1000+234</f><v />" in sheet
    parts["xl/worksheets/sheet1.xml"] = sheet.replace(b"<v />", b"<v>1234</v>")
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    assert records_of(path.read_bytes(), "xlsx") == [
        {"billingProfile": {"email": "a@b.co", "defaultAddress": {"postalCode": "01234"}}}
    ]


def test_a_workbook_from_a_pipe_is_read(tmp_path: Path) -> None:
    path = _workbook(tmp_path, [XLSX_HEADER[:1], ["a@b.co"]])
    code, out, _ = run("--format", "json", "--input-format", "xlsx", "-", stdin=path.read_bytes())
    assert code == 1
    assert [r["row"] for r in json.loads(out)["results"]] == [2]


def test_a_double_star_glob_counts_each_file_once(tmp_path: Path) -> None:
    from pc_validate.globs import expand

    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / ".hidden").mkdir()
    for name in ("top.json", "a/one.json", "a/b/two.json", ".hidden/no.json", "a/.dot.json"):
        (tmp_path / name).write_text("{}", encoding="utf-8")
    (tmp_path / "a" / "b" / "back").symlink_to(tmp_path / "a")
    (tmp_path / "a" / "twin.json").symlink_to(tmp_path / "top.json")
    found = expand(f"{tmp_path}/**/*.json")
    assert found == [str(tmp_path / p) for p in ("a/b/two.json", "a/one.json", "top.json")]
    assert expand(f"{tmp_path}/a/*.json") == [str(tmp_path / "a/one.json"),
                                               str(tmp_path / "a/twin.json")]  # fmt: skip
    assert expand(f"{tmp_path}/.hidden/*.json") == [str(tmp_path / ".hidden/no.json")]
    assert expand(f"{tmp_path}/**/nothing*") == []


def test_csv_header_names_fold_as_the_service_folds_keys(tmp_path: Path) -> None:
    """Header cells match field paths by model.fold, ASCII letters only, as keys do: a
    Kelvin sign (U+212A) is not a "k", though str.lower() makes it one."""
    source = tmp_path / "crm.csv"
    source.write_text("BILLINGPROFILE.EMAIL,crmId\ngena@wingtiptoys.com,1\n")
    code, out, _ = run("--format", "json", source)
    (result,) = json.loads(out)["results"]
    assert code == 1 and result["status"] == "invalid", result
    kelvin = tmp_path / "kelvin.csv"
    kelvin.write_text("lin\u212as\n1\n")
    code, out, _ = run("--format", "json", kelvin)
    assert code == 2
    assert "names none of the fields" in json.loads(out)["results"][0]["error"]["message"]


# --- JSON Lines in chunks: the workers' reading, held equal to the line reader -----------------


def test_the_bytes_a_blank_line_may_start_with_are_those_of_every_blank() -> None:
    from pc_validate import inputs

    blanks = [chr(c) for c in range(0x110000) if chr(c).isspace()]
    starts = {blank.encode()[0] for blank in blanks}
    assert set(inputs.BLANK_START) == starts


def chunked(data: bytes, chunk: int, long_line: int, monkeypatch: pytest.MonkeyPatch) -> Any:
    """(what read_records makes of JSON Lines `data`, what read_items and each_record make of
    it with chunks of `chunk` bytes and lines over `long_line` bytes left to the line reader,
    and how many LineChunks there were)."""
    from pc_validate import inputs, records

    monkeypatch.setattr(records, "CHUNK", max(chunk // 3, 1))
    monkeypatch.setattr(inputs, "LINES_CHUNK", chunk)
    monkeypatch.setattr(inputs, "LONG_LINE", long_line)
    expected = list(read_records(io.BytesIO(data), "in", "jsonl"))
    items = list(inputs.read_items(io.BytesIO(data), "in", "jsonl"))
    chunks = sum(isinstance(item, bulk.LineChunk) for item in items)
    return expected, list(bulk.each_record(items)), chunks


#: Lines as exports and hostile inputs have them: blank ones of every kind, bytes that are
#: not UTF-8 (a cut character too), a byte-order mark, CRLF, a line end missing at the end.
LINE_PIECES = [
    b"", b" ", b"\t", b"\r", b"\xc2\xa0", b"\xe3\x80\x80", b"\xe2\x80\xa8", b"\x1c", b"\x0b",
    b"\xff", b"\xc2", b"\xe2\x80", b"\xef\xbb\xbf", b"{", b"}", b'{"a": 1}', b"[1,", b"\xc3\xa9",
    b'"\xf0\x9f\x98\x80"', b"\xed\xa0\x80", b"\x00", b"NaN", b"null",
]  # fmt: skip


@pytest.mark.parametrize("chunk", [1, 7, 64, 4096])
def test_chunks_of_json_lines_hold_the_records_the_line_reader_reads(
    chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    line = st.lists(st.sampled_from(LINE_PIECES), max_size=6).map(b"".join)
    ends = st.sampled_from([b"\n", b"\r\n"])

    @settings(max_examples=150, deadline=None)
    @given(st.lists(st.tuples(line, ends), max_size=12), st.booleans(), st.booleans())
    def check(lines: list[tuple[bytes, bytes]], bom: bool, cut: bool) -> None:
        data = (b"\xef\xbb\xbf" if bom else b"") + b"".join(a + b for a, b in lines)
        if cut and data.endswith(b"\n"):
            data = data.rstrip(b"\r\n")
        expected, found, _ = chunked(data, chunk, 32, monkeypatch)
        assert found == expected

    check()


def test_the_realistic_corpus_in_chunks_is_the_line_readers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = realistic_jsonl(600).encode()
    expected, found, chunks = chunked(data, 16 * 1024, 1 << 20, monkeypatch)
    assert found == expected and len(found) == 600 and chunks > 5


def test_a_line_longer_than_a_chunk_may_hold_goes_to_the_line_reader(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pc_validate import records

    monkeypatch.setattr(records, "MAX_RECORD_CHARS", 500)
    data = jsonl([body()]) + b'{"a": "' + b"x" * 900 + b'"}\n' + jsonl([body(), body()])
    expected, found, chunks = chunked(data, 256, 300, monkeypatch)
    assert found == expected and chunks == 1
    assert isinstance(found[1], Unreadable) and "longer than 500 characters" in found[1].reason
    assert [r.where.line for r in found] == [1, 2, 3, 4]


def test_gzip_cut_short_in_chunks_keeps_the_records_before(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import gzip

    data = gzip.compress(jsonl(mixed(400)))
    for cut in (len(data) // 3, len(data) - 30):
        expected, found, _ = chunked(data[:cut], 4096, 1 << 20, monkeypatch)
        assert found == expected
        assert isinstance(found[-1], Unreadable) and "gzip" in found[-1].reason


@pytest.mark.parametrize(
    "options",
    [
        ("--format", "jsonl", "--statistics"),
        ("--format", "jsonl", "--positions", "--only-invalid", "--locale", "de"),
        ("--format", "jsonl", "--redact", "--output", "jsonl=OUT"),
        ("--format", "text"),
        ("--format", "sarif"),
    ],
)
def test_chunked_runs_match_the_serial_run_on_hostile_lines(
    tmp_path: Path, options: tuple[str, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    from pc_validate import inputs

    monkeypatch.setattr(inputs, "LINES_CHUNK", 4096)  # many chunks, many tasks
    lines = [json.dumps(r).encode() for r in mixed(300)]
    hostile = [b"", b"  \t", b"\xc2\xa0", b"\xff{}", b'{"a": 1, "a": 2}', b"NaN", b"[" * 70,
               b'{"email": "\\ud800"}', b"\xef\xbb\xbf{}", b'{"x": 1e400}',
               b"1" * 5000]  # fmt: skip
    for i, line in enumerate(hostile):
        lines.insert(i * 23, line)
    source = tmp_path / "export.jsonl"
    source.write_bytes(b"\r\n".join(lines))  # CRLF, no line end at the end
    runs, written = {}, {}
    for jobs in (1, 2):
        out = tmp_path / f"out-{jobs}.jsonl"
        argv = [str(out) if arg == "jsonl=OUT" else arg for arg in options]
        argv = [f"jsonl={out}" if arg == str(out) else arg for arg in argv]
        runs[jobs] = run(*argv, "--jobs", str(jobs), source)
        written[jobs] = out.read_bytes() if out.exists() else b""
    assert runs[1] == runs[2]
    assert written[1] == written[2]
    assert runs[1].code == 2
    if "--output" in options:
        assert written[1].decode() == runs[1].out


# --- result lines from pieces, held equal to dumps of the result dict --------------------------


def line_of_dumps(report: Any, where: Where) -> str:
    from pc_validate.report import dumps

    return dumps(report.result_dict(where.input, where.index, where.line, where.row), indent=None)


def test_result_lines_from_pieces_are_what_dumps_writes_on_the_realistic_corpus() -> None:
    from pc_validate.api import default_validator
    from pc_validate.bulk import _result_line

    sys.path.insert(0, str(Path(__file__).parent.parent / "benchmarks"))
    try:
        from realistic import bodies
    finally:
        sys.path.pop(0)
    validator = default_validator()
    examples = []
    for path in sorted(EXAMPLES.rglob("*.json")):
        with contextlib.suppress(ValueError):  # a few examples are not JSON on purpose
            examples.append(json.loads(path.read_text("utf-8")))
    checked = 0
    for index, payload in enumerate([*bodies(1500, 7, 0.5), *examples]):
        where = Where("dir/ëxport\u202e.jsonl", index, index + 1)
        for redact, language in ((False, "en"), (True, "de"), (False, "ja")):
            report = validator.validate(payload, redact=redact, language=language)
            if report.violations:
                outcome = _result_line(report, where)
                assert outcome.result == line_of_dumps(report, where)
                expected = bulk._outcome(
                    report.result_dict(where.input, where.index, where.line, where.row),
                    bulk.Settings(as_line=True),
                )
                assert outcome == expected
                checked += 1
    assert checked > 1000


def test_result_lines_from_pieces_escape_as_dumps_does() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from pc_validate.bulk import _result_line
    from pc_validate.report import Report, Violation

    @settings(max_examples=300, deadline=None)
    @given(
        st.lists(
            st.tuples(st.sampled_from(["error", "warning", "info"]), st.text(max_size=6)),
            min_size=1,
            max_size=4,
        ),
        st.sampled_from([None, 3]),
    )
    def check(found: list[tuple[str, str]], row: int | None) -> None:
        params = {"got": "", "n": [1.5, None]}
        violations = tuple(
            Violation(
                "r.x", "format", cast(Any, severity), f"/a/{text}", f"bad {text}", "docs",
                {**params, "got": text}, text, text or None, 400,
            )
            for severity, text in found
        )  # fmt: skip
        report = Report(violations)
        where = Where("in\u2028", 3, None if row else 4, row)
        assert _result_line(report, where).result == line_of_dumps(report, where)
        assert _result_line(report, where).result == line_of_dumps(report, where)  # kept

    check()
