"""The validation service under load, and what the typed models cost (issue 16).

    pip install '.[server,bench]'
    python benchmarks/service.py                      # 20,000 timed requests, 64 connections
    python benchmarks/service.py --requests 5000 --connections 16 --memory-requests 20000

1. Throughput and latency: `pc-validate serve` runs as its own process on 127.0.0.1; a
   load generator in this process keeps --connections keep-alive HTTP/1.1 connections busy
   (asyncio streams, one request in flight per connection, so the client costs little
   beside the server on a small machine) with bodies of the realistic corpus
   (benchmarks/realistic.py: unique values, every market, 30 % invalid). After --warmup
   requests it times --requests more: requests per second over the wall time, and p50, p90
   and p99 of each request's latency (send to last byte of the answer).
2. Memory: the server's resident set size (VmRSS, /proc) after the warm-up and after every
   tenth of --memory-requests (default 100,000) more requests: flat means it stays within a
   few MB, whatever the number of requests.
3. validate(model) against validate(dict): in this process, on the same corpus, the median
   µs per body of validate(dict), of validate(Customer.model_validate(dict)) (building the
   model included) and of validate(model) for a model already built.

The client shares the machine with the server, so the figures are those of both together;
the load average is printed beside them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from realistic import records  # noqa: E402

PATH = "/v1/customers/validate"


def _load() -> str:
    return f"load average {os.getloadavg()[0]:.2f}" if hasattr(os, "getloadavg") else ""


def start_server(python: str, extra: Sequence[str]) -> tuple[subprocess.Popen[bytes], int]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [python, "-m", "pc_validate", "serve", "--port", "0", "--log-level", "warning", *extra],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
    )  # fmt: skip
    assert process.stderr is not None
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = process.stderr.readline().decode(errors="replace")
        found = re.search(r"serving on http://127\.0\.0\.1:(\d+)", line)
        if found:
            return process, int(found.group(1))
        if not line and process.poll() is not None:
            break
    process.kill()
    raise SystemExit("the server did not start")


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _requests(bodies: Sequence[bytes], port: int) -> list[bytes]:
    head = f"POST {PATH} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
    return [f"{head}Content-Length: {len(b)}\r\n\r\n".encode() + b for b in bodies]


async def _connection(
    port: int, requests: Sequence[bytes], start: int, count: int, latencies: list[float]
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for index in range(start, start + count):
            began = time.perf_counter()
            writer.write(requests[index % len(requests)])
            head = await reader.readuntil(b"\r\n\r\n")
            if not head.startswith(b"HTTP/1.1 200"):
                raise SystemExit(f"unexpected answer: {head[:80]!r}")
            length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))  # type: ignore[union-attr]
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - began)
    finally:
        writer.close()


async def load(
    port: int, requests: Sequence[bytes], total: int, connections: int
) -> tuple[float, list[float]]:
    """Send `total` requests over `connections` connections; wall seconds and latencies."""
    latencies: list[float] = []
    share, rest = divmod(total, connections)
    jobs = []
    start = 0
    for number in range(connections):
        count = share + (number < rest)
        jobs.append(_connection(port, requests, start, count, latencies))
        start += count
    began = time.perf_counter()
    await asyncio.gather(*jobs)
    return time.perf_counter() - began, latencies


def _quantile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def service_figures(args: argparse.Namespace, bodies: Sequence[bytes]) -> None:
    process, port = start_server(args.python, args.server_args)
    try:
        requests = _requests(bodies, port)
        asyncio.run(load(port, requests, args.warmup, args.connections))
        wall, latencies = asyncio.run(load(port, requests, args.requests, args.connections))
        ms = [1000 * value for value in latencies]
        print(f"## Throughput and latency ({_load()})\n")
        print(
            f"{args.requests:,} requests over {args.connections} keep-alive connections, "
            f"after {args.warmup:,} warm-up requests; {len(bodies):,} distinct bodies.\n"
        )
        print("| requests/s | p50 ms | p90 ms | p99 ms | max ms |")
        print("|---:|---:|---:|---:|---:|")
        quantiles = " | ".join(f"{_quantile(ms, q):.2f}" for q in (0.5, 0.9, 0.99))
        print(f"| {args.requests / wall:,.0f} | {quantiles} | {max(ms):.2f} |\n")
        print(f"## Server memory over {args.memory_requests:,} more requests ({_load()})\n")
        print("| requests after warm-up | VmRSS MB |")
        print("|---:|---:|")
        step = max(1, args.memory_requests // 10)
        print(f"| 0 | {rss_kb(process.pid) / 1024:.1f} |")
        done = 0
        while done < args.memory_requests:
            asyncio.run(load(port, requests, step, args.connections))
            done += step
            print(f"| {done:,} | {rss_kb(process.pid) / 1024:.1f} |", flush=True)
        print()
    finally:
        process.terminate()
        process.wait(timeout=60)


def _median_us(call: Callable[[Any], Any], items: Sequence[Any], repeat: int) -> float:
    best = []
    for item in items:
        times = []
        for _ in range(repeat):
            began = time.perf_counter()
            call(item)
            times.append(time.perf_counter() - began)
        best.append(min(times))
    return 1e6 * statistics.median(best)


def model_figures(args: argparse.Namespace, payloads: Sequence[dict[str, Any]]) -> None:
    from pc_validate import validate
    from pc_validate.models import Customer

    validate(payloads[0])  # rules compiled, screen built
    for payload in payloads[:300]:
        validate(payload)
        validate(Customer.model_validate(payload))
    models = [Customer.model_validate(payload) for payload in payloads]
    rows = [
        ("validate(dict)", _median_us(validate, payloads, args.repeat)),
        ("validate(Customer.model_validate(dict))",
         _median_us(lambda p: validate(Customer.model_validate(p)), payloads, args.repeat)),
        ("validate(model), the model built before", _median_us(validate, models, args.repeat)),
        ("Customer.model_validate(dict) alone",
         _median_us(Customer.model_validate, payloads, args.repeat)),
        ("model.to_body() alone", _median_us(lambda m: m.to_body(), models, args.repeat)),
    ]  # fmt: skip
    base = rows[0][1]
    print(f"## validate(model) against validate(dict) ({_load()})\n")
    print(f"Median over {len(payloads):,} bodies of the best of {args.repeat} runs each.\n")
    print("| call | µs per body | times validate(dict) |")
    print("|---|---:|---:|")
    for name, us in rows:
        print(f"| {name} | {us:.1f} | {us / base:.2f} |")
    print()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=20_000, help="timed requests")
    parser.add_argument("--warmup", type=int, default=2_000, help="requests before timing")
    parser.add_argument("--connections", type=int, default=64, help="concurrent connections")
    parser.add_argument("--memory-requests", type=int, default=100_000,
                        help="requests over which the server's memory is sampled")  # fmt: skip
    parser.add_argument("--bodies", type=int, default=2_000, help="distinct corpus bodies")
    parser.add_argument("--repeat", type=int, default=3, help="runs per body in part 3")
    parser.add_argument("--python", default=sys.executable, help="the server's interpreter")
    parser.add_argument("--server-arg", dest="server_args", action="append", default=[],
                        help="an extra argument of pc-validate serve (repeatable)")  # fmt: skip
    parser.add_argument("--parts", default="service,models", help="service, models or both")
    args = parser.parse_args(argv)
    if min(args.requests, args.connections, args.bodies, args.repeat) < 1:
        parser.error("--requests, --connections, --bodies and --repeat must be 1 or more")
    parts = set(args.parts.split(","))
    if not parts <= {"service", "models"}:
        parser.error("--parts takes service, models or both (comma-separated)")
    payloads = [record.body for record in records(args.bodies)]
    if "service" in parts:
        service_figures(args, [json.dumps(body).encode() for body in payloads])
    if "models" in parts:
        model_figures(args, payloads)
    return 0


if __name__ == "__main__":
    sys.exit(main())
