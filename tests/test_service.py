"""`pc-validate serve` and `pc-validate schema` (issue 16 items 3 and 4), and the lean start of
`check` beside them.

The HTTP tests run the real command as a server process on 127.0.0.1 (an ephemeral port,
named on its stderr) and talk to it with httpx, with a Node.js client (fetch), and with
schemathesis generating requests from the service's own OpenAPI document; every wait is
bounded. --stdio runs as a child process fed line by line. They need the server extra
(FastAPI, uvicorn, httpx), which the test extra installs; without it they are skipped.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, NamedTuple

import jsonschema
import pytest
from conftest import run_cli

from pc_validate import validate
from pc_validate.report import dumps
from pc_validate.resources import load_schema, schema_path
from pc_validate.testing import VALID_US_PAYLOAD

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
#: Seconds any one wait may take before the test fails instead of hanging.
BOUND = 60

INVALID = json.loads((EXAMPLES / "invalid" / "us-bad-state-and-zip.json").read_text())


def _has_server_extra() -> bool:
    import importlib.util

    return all(importlib.util.find_spec(name) for name in ("fastapi", "uvicorn", "httpx"))


needs_server = pytest.mark.skipif(
    not _has_server_extra(), reason="the server extra (pc-validate[server]) is not installed"
)


# --- check stays lean -------------------------------------------------------------------------


def test_check_imports_no_pydantic_fastapi_or_uvicorn() -> None:
    """Issue 16: the models and the service cost `check` nothing at start-up."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "pc_validate", "check",
         str(EXAMPLES / "valid" / "seed-de-2023.json")],
        capture_output=True, text=True, timeout=BOUND, env=ENV, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    imported = {line.split("|")[-1].strip().split(".")[0] for line in done.stderr.splitlines()}
    assert not imported & {"pydantic", "pydantic_core", "fastapi", "starlette", "uvicorn"}
    modules = {line.split("|")[-1].strip() for line in done.stderr.splitlines()}
    for ours in ("models", "pydantic_types", "server", "service", "stdio"):
        assert f"pc_validate.{ours}" not in modules


# --- schema -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["request", "report", "rules"])
def test_schema_prints_the_published_schema(name: str) -> None:
    run = run_cli("schema", name)
    assert run.code == 0
    assert run.out == schema_path(f"{name}.schema.json").read_text(encoding="utf-8")


def test_schema_of_an_unknown_document_exits_2() -> None:
    run = run_cli("schema", "customer")
    assert run.code == 2 and "invalid choice: 'customer'" in run.err


def test_the_request_schema_accepts_the_valid_examples_and_names_documented_limits() -> None:
    schema = load_schema("request.schema.json")
    jsonschema.Draft202012Validator.check_schema(schema)
    checker = jsonschema.Draft202012Validator(schema)
    bodies = [VALID_US_PAYLOAD] + [
        json.loads(path.read_text(encoding="utf-8"))
        for path in sorted((EXAMPLES / "valid").glob("*.json"))
    ]
    for body in bodies:
        assert list(checker.iter_errors(body)) == []
    long = {"BillingProfile": {"DefaultAddress": {"AddressLine1": "x" * 201}}}
    error = jsonschema.exceptions.best_match(checker.iter_errors(long))
    assert error is not None and list(error.absolute_path)[-1] == "AddressLine1"  # any case
    assert list(checker.iter_errors({"enableGDAPByDefault": "yes"}))


# --- serve: the command's own errors ----------------------------------------------------------


def test_serve_with_a_broken_rule_file_exits_2(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("rules: [{id: x}]\n", encoding="utf-8")
    run = run_cli("serve", "--stdio", "--rules", broken)
    assert run.code == 2 and "rule file error" in run.err


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["--port", "70000"], "a port is 0 to 65535, not 70000"),
        (["--port", "x"], "not a port number: 'x'"),
        (["--max-body-bytes", "0"], "must be 1 or more"),
    ],
)
def test_serve_with_bad_options_exits_2(argv: list[str], said: str) -> None:
    run = run_cli("serve", *argv)
    assert run.code == 2 and said in run.err


@needs_server
def test_serve_on_an_address_in_use_exits_2() -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = run_cli("serve", "--port", str(port))
    assert run.code == 2
    assert f"cannot listen on 127.0.0.1 port {port}: Address already in use" in run.err


def test_serve_without_the_server_extra_exits_2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "uvicorn", None)  # import uvicorn -> ImportError
    run = run_cli("serve")
    assert run.code == 2
    assert "pip install 'pc-validate[server]'" in run.err and "--stdio" in run.err


# --- serve --stdio ----------------------------------------------------------------------------


class Stdio(NamedTuple):
    process: subprocess.Popen[bytes]

    def ask(self, line: bytes) -> Any:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(line)
        self.process.stdin.flush()
        return json.loads(_readline(self.process.stdout))


def _readline(stream: IO[bytes]) -> bytes:
    """One line, or a failure after BOUND seconds (never a hang)."""
    import selectors

    with selectors.DefaultSelector() as selector:
        selector.register(stream, selectors.EVENT_READ)
        assert selector.select(BOUND), "no answer in time"
    return stream.readline()


@pytest.fixture
def stdio() -> Iterator[Stdio]:
    process = subprocess.Popen(
        [sys.executable, "-m", "pc_validate", "serve", "--stdio", "--max-body-bytes", "2000"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV,
    )  # fmt: skip
    try:
        yield Stdio(process)
    finally:
        process.kill()
        process.communicate(timeout=BOUND)


def test_stdio_answers_each_line_with_the_report_or_an_error(stdio: Stdio) -> None:
    assert stdio.ask(json.dumps(INVALID).encode() + b"\n") == validate(INVALID).to_dict()
    assert stdio.ask(json.dumps(VALID_US_PAYLOAD).encode() + b"\r\n")["results"][0]["ok"]
    refused = stdio.ask(b'{"billingProfile": \n')["error"]
    assert (refused["status"], refused["code"], refused["line"]) == (400, "not_json", 1)
    assert stdio.ask(b"  \n")["error"]["code"] == "empty"
    assert stdio.ask(b'"' + b"x" * 5000 + b'"\n')["error"]["code"] == "too_large"
    assert stdio.ask(b"{}\n")["results"][0]["ok"] is False  # the long line was skipped whole


def test_stdio_ends_when_stdin_closes(stdio: Stdio) -> None:
    out, err = stdio.process.communicate(json.dumps(INVALID).encode(), timeout=BOUND)
    assert stdio.process.returncode == 0
    assert json.loads(out) == validate(INVALID).to_dict()  # a last line without its newline
    assert b"Traceback" not in err


@pytest.mark.skipif(os.name != "posix", reason="parents are watched on POSIX")
def test_stdio_ends_when_its_parent_dies() -> None:
    """stdin stays open (this test holds it), yet the server stops once its parent is gone:
    the parent starts it, reads its first answer, and exits."""
    read_end, write_end = os.pipe()
    os.write(write_end, b"{}\n")
    parent = textwrap.dedent(
        f"""
        import subprocess, sys
        child = subprocess.Popen(
            [sys.executable, "-m", "pc_validate", "serve", "--stdio"],
            stdin={read_end}, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )
        assert child.stdout.readline()
        print(child.pid, flush=True)
        """
    )
    try:
        done = subprocess.run(
            [sys.executable, "-c", parent], pass_fds=(read_end,), capture_output=True,
            text=True, timeout=BOUND, env=ENV, check=True,
        )  # fmt: skip
        pid = int(done.stdout)
        deadline = time.monotonic() + BOUND
        while _alive(pid):
            assert time.monotonic() < deadline, "the orphaned server is still running"
            time.sleep(0.1)
    finally:
        os.close(read_end)
        os.close(write_end)


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    except OSError:  # no /proc: ask the kernel
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
    return "\nState:\tZ" not in status  # a zombie has ended


# --- serve over HTTP --------------------------------------------------------------------------


class Server(NamedTuple):
    process: subprocess.Popen[bytes]
    base: str
    log: Path

    def stderr(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def start_server(tmp: Path, *argv: str) -> Server:
    """The real command serving on an ephemeral loopback port, once it says where."""
    log = tmp / "server.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "pc_validate", "serve", "--port", "0", *argv],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=sink, env=ENV,
        )  # fmt: skip
    deadline = time.monotonic() + BOUND
    while "serving on http://" not in log.read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise AssertionError(f"the server did not start: {log.read_text()}")
        time.sleep(0.05)
    text = log.read_text()
    base = text.split("serving on ", 1)[1].split()[0]
    return Server(process, base, log)


def stop_server(server: Server) -> int:
    server.process.send_signal(signal.SIGTERM)
    return server.process.wait(timeout=BOUND)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    if not _has_server_extra():
        pytest.skip("the server extra (pc-validate[server]) is not installed")
    running = start_server(
        tmp_path_factory.mktemp("server"),
        "--max-body-bytes", "4000", "--max-batch-bytes", "20000", "--log-level", "debug",
    )  # fmt: skip
    try:
        yield running
    finally:
        if running.process.poll() is None:
            running.process.kill()
            running.process.wait(timeout=BOUND)


@pytest.fixture(scope="module")
def http(server: Server) -> Iterator[Any]:
    import httpx

    with httpx.Client(base_url=server.base, timeout=BOUND) as client:
        yield client


VALIDATE = "/v1/customers/validate"
BATCH = "/v1/customers/validate-batch"


def test_healthz(http: Any) -> None:
    answer = http.get("/healthz")
    assert answer.status_code == 200
    assert answer.json()["status"] == "ok" and "global" in answer.json()["clouds"]


def test_validate_answers_the_report_of_the_body_as_sent(http: Any) -> None:
    answer = http.post(VALIDATE, content=json.dumps(INVALID))
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/json"
    assert answer.json() == validate(INVALID).to_dict()
    assert answer.text == dumps(validate(INVALID).to_dict(), indent=None)
    pascal = json.loads((EXAMPLES / "valid" / "customer-de-pascalcase.json").read_text())
    assert http.post(VALIDATE, json=pascal).json()["results"][0]["ok"] is True


def test_validate_takes_a_cloud_and_redaction(http: Any) -> None:
    answer = http.post(VALIDATE, params={"cloud": "21vianet"}, json=VALID_US_PAYLOAD)
    assert answer.json() == validate(VALID_US_PAYLOAD, cloud="21vianet").to_dict()
    redacted = http.post(VALIDATE, params={"redact": "true"}, json=INVALID).json()
    assert redacted == validate(INVALID, redact=True).to_dict()
    assert all("value" not in v for v in redacted["results"][0]["violations"])


def test_validate_and_batch_answer_in_the_language_asked_for(http: Any) -> None:
    answer = http.post(VALIDATE, params={"locale": "de-AT"}, json=INVALID).json()
    assert answer == validate(INVALID, locale="de").to_dict()
    assert answer["language"] == "de"
    line = json.dumps(INVALID).encode() + b"\n"
    lines = http.post(BATCH, params={"locale": "ja"}, content=line).text.splitlines()
    japanese = validate(INVALID, locale="ja").violations[0].message
    assert json.loads(lines[0])["violations"][0]["message"] == japanese
    assert json.loads(lines[-1])["language"] == "ja"


@pytest.mark.parametrize(
    ("request_", "status", "code"),
    [
        ({"content": b'{"billingProfile": {'}, 400, "not_json"),
        ({"content": b"\xff\xfe\xfa"}, 400, "not_json"),
        ({"content": b""}, 400, "not_json"),
        ({"content": b"{}", "params": {"cloud": "mars"}}, 400, "unknown_cloud"),
        ({"content": b"{}", "params": {"redact": "maybe"}}, 422, "bad_request"),
        ({"content": b"{}", "params": {"locale": "x" * 65}}, 422, "bad_request"),
        ({"content": b'"' + b"x" * 5000 + b'"'}, 413, "too_large"),
        ({"content": iter([b'"', b"x" * 3000, b"x" * 3000, b'"'])}, 413, "too_large"),
    ],
    ids=["cut", "not-utf8", "empty", "cloud", "redact", "locale", "large", "large-chunked"],
)
def test_a_request_that_cannot_be_validated_gets_a_4xx_error_document(
    http: Any, request_: dict[str, Any], status: int, code: str
) -> None:
    answer = http.post(VALIDATE, **request_)
    assert answer.status_code == status
    error = answer.json()["error"]
    assert (error["status"], error["code"]) == (status, code) and error["message"]


def test_not_json_names_line_and_column(http: Any) -> None:
    error = http.post(VALIDATE, content=b'{\n  "a": tru}').json()["error"]
    assert (error["line"], error["column"]) == (2, 8)


def test_unknown_paths_and_methods_get_json_errors(http: Any) -> None:
    missing = http.get("/v1/customers")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    wrong = http.get(VALIDATE)
    assert wrong.status_code == 405 and wrong.json()["error"]["code"] == "method_not_allowed"


def test_validate_batch_streams_what_check_jsonl_writes(http: Any) -> None:
    data = (EXAMPLES / "bulk" / "customers.jsonl").read_bytes()
    answer = http.post(BATCH, content=data)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/x-ndjson")
    check = run_cli("check", "--format", "jsonl", "--input-format", "jsonl", "-", stdin=data)
    assert answer.text == check.out.replace('"<stdin>"', '"<request>"')


def test_validate_batch_refuses_what_it_cannot_take(http: Any) -> None:
    assert http.post(BATCH, content=b"{}\n" * 10_000).status_code == 413
    assert http.post(BATCH, content=b"{}\n", params={"cloud": "x"}).status_code == 400
    empty = http.post(BATCH, content=b"").text.splitlines()
    assert [json.loads(line)["summary"]["records"] for line in empty] == [0]


def test_the_openapi_document_carries_the_published_schemas(http: Any) -> None:
    document = http.get("/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    schemas = document["components"]["schemas"]
    assert {"Customer", "Report", "Error", "address", "violation"} <= set(schemas)
    body = document["paths"][VALIDATE]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"] == {"$ref": "#/components/schemas/Customer"}
    assert "/docs" not in http.get("/docs").text or http.get("/docs").status_code == 404


def test_node_fetch_client(server: Server, tmp_path: Path) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    script = textwrap.dedent(
        """
        const [base, body] = process.argv.slice(2);
        const answer = await fetch(`${base}/v1/customers/validate`, {
          method: "POST", headers: {"Content-Type": "application/json"}, body,
        });
        const report = await answer.json();
        const result = report.results[0];
        console.log(JSON.stringify({status: answer.status, ok: result.ok,
          rules: result.violations.map(v => v.rule)}));
        """
    )
    client = tmp_path / "client.mjs"
    client.write_text(script, encoding="utf-8")
    done = subprocess.run(
        [node, str(client), server.base, json.dumps(INVALID)],
        capture_output=True, text=True, timeout=BOUND, check=True,
    )  # fmt: skip
    answer = json.loads(done.stdout)
    assert answer == {
        "status": 200,
        "ok": False,
        "rules": [v.rule for v in validate(INVALID).violations],
    }


def test_schemathesis_against_the_services_own_openapi(server: Server) -> None:
    """Property-based requests from the OpenAPI document: no 5xx, every status and body as
    documented (the report and error schemas), for valid and invalid inputs (bounded)."""
    schemathesis = pytest.importorskip("schemathesis")
    from hypothesis import HealthCheck, given, settings

    schema = schemathesis.openapi.from_url(f"{server.base}/openapi.json")
    positive, negative = schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE
    # /healthz takes nothing that could be made invalid; generating invalid bodies is the
    # slowest part, hence fewer of them (SCHEMATHESIS_EXAMPLES=N asks for more of each).
    scale = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "0"))
    runs = [(VALIDATE, "POST", positive, 15), (VALIDATE, "POST", negative, 8)]
    runs.append(("/healthz", "GET", positive, 3))
    for path, method, mode, examples in runs:
        operation = schema[path][method]

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=scale or examples,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: Any) -> None:
            # negative_data_rejection: a body outside the schema is judged, not refused
            case.call_and_validate(
                base_url=server.base,
                timeout=BOUND,
                excluded_checks=[schemathesis.checks.negative_data_rejection],
            )

        check()


def test_logs_hold_no_payload_data_and_sigterm_stops_cleanly(
    tmp_path: Path,
) -> None:
    if not _has_server_extra():
        pytest.skip("the server extra (pc-validate[server]) is not installed")
    import httpx

    running = start_server(tmp_path, "--log-level", "debug")
    secret = dict(INVALID, companyProfile={"secret-key@contoso.com": "secret-value"})
    with httpx.Client(base_url=running.base, timeout=BOUND) as client:
        assert client.post(VALIDATE, json=secret).status_code == 200
        assert client.post(VALIDATE, content=b'{"secret-value').status_code == 400
    assert stop_server(running) == 128 + signal.SIGTERM
    log = running.stderr()
    assert "validated: invalid" in log and "address.postal_code.us_format" in log
    assert "secret" not in log and "Traceback" not in log
    assert "interrupted (SIGTERM)" in log


@needs_server
def test_the_service_benchmark_runs() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "service.py"), "--requests", "60",
         "--warmup", "10", "--connections", "4", "--memory-requests", "20", "--bodies", "40",
         "--repeat", "1"],
        capture_output=True, text=True, timeout=300, env=ENV, check=True,
    )  # fmt: skip
    for needle in ("| requests/s | p50 ms |", "| 20 |", "validate(model), the model built"):
        assert needle in done.stdout, done.stdout
