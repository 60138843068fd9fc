"""`pc-validate serve --stdio`: the service's contract over standard input and output, for
callers that keep one process open instead of starting one per customer.

Each line of stdin is one request body (JSON, as it would be sent); each answer is one line
of stdout, written and flushed before the next line is read: the JSON report the HTTP
service answers with 200, or its error document (``{"error": {...}}``) for a line that is not
JSON, is empty or is too long. It stops when stdin closes, or when its parent process ends
(POSIX: it is then adopted by another process), and needs no web stack.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from typing import BinaryIO, Final, TextIO

from pc_validate.report import dumps
from pc_validate.service import RequestError, Service, error_document, too_large

#: Seconds between two looks at whether the parent process is still there.
PARENT_POLL: Final = 0.5


def _watch_parent(err: TextIO) -> None:
    """Stop this process (SIGTERM, which ends the run cleanly) once its parent is gone."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_POLL)
        err.write("pc-validate: the parent process ended; stopping\n")
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="pc-validate-parent-watch", daemon=True).start()


def _skip_line(stdin: BinaryIO, limit: int) -> None:
    """Read past the rest of an over-long line, `limit` bytes at a time."""
    while True:
        piece = stdin.readline(limit)
        if not piece or piece.endswith(b"\n"):
            return


def serve_stdio(service: Service, stdin: BinaryIO, out: TextIO, err: TextIO) -> int:
    """Answer every line of stdin on stdout until stdin closes; returns the exit status."""
    if os.name == "posix" and os.getppid() != 1:
        _watch_parent(err)
    limit = service.options.max_body_bytes
    while True:
        line = stdin.readline(limit + 1)
        if not line:
            return 0
        if len(line) > limit and not line.endswith(b"\n"):
            _skip_line(stdin, limit)
            answer = dumps(too_large(limit, "line").document, indent=None)
        elif not line.strip():
            empty = error_document(400, "empty", "the line is empty: one JSON body per line")
            answer = dumps(empty, indent=None)
        else:
            try:
                answer = dumps(service.report(line.rstrip(b"\r\n")).to_dict(), indent=None)
            except RequestError as exc:
                answer = dumps(exc.document, indent=None)
        out.write(answer + "\n")
        out.flush()
