"""Worker processes of a bulk run: each runs this interpreter on `serve()`, reads its tasks
from its standard input and writes their results to its standard output, each a frame (its
length, then a pickle), in the order it was given them.

Not multiprocessing's process pool: with the fork server and the resource tracker that it
starts, it ran two more processes of about 16 MB each, and its queues moved every task and
result through a feeder thread, a manager thread and a lock. Here a task is one pickle
written to a pipe, by a thread per worker (a worker busy with a long task must not block
the main process), and a result one pickle read back by another; the main process only
waits for the results, in the order it wants them.

A worker ignores SIGINT (Ctrl-C reaches the whole process group; the main process alone
decides what it means: it is blocked while a worker starts, so that none is lost in
between) and ends at the end of its input: when the main process closes it, or dies, even
by SIGKILL, since the kernel then closes the pipe. A worker that dies (killed, out of
memory) is seen by the end of its output; the caller is told which tasks it held.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import struct
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from queue import Empty, SimpleQueue
from typing import IO, Any, Final

from pc_validate.interrupt import deferred

_HEADER: Final = struct.Struct("<Q")
#: The name of the threads that feed a worker and read its results.
THREAD_NAME: Final = "pc-validate worker pipe"
#: Seconds between two looks at a signal while the main process waits for a result (a lock
#: wait is not cut short by a signal everywhere).
_POLL: Final = 0.5


class Failure:
    """An exception a task raised in a worker: it is raised again in the main process (a
    bug, not bad input; every input problem is a result)."""

    def __init__(self, text: str) -> None:
        self.text = text


class WorkerError(RuntimeError):
    """A task failed inside a worker process; the message holds its traceback there."""


class Task:
    """One unit of work: what is sent (`payload`), what the caller keeps of it (`kept`), and
    its result once it is back."""

    __slots__ = ("attempts", "done", "kept", "payload", "result")

    def __init__(self, payload: Any, kept: Any = None) -> None:
        self.payload = payload
        self.kept = kept
        self.result: Any = None
        self.done = False
        #: how many workers died while it was the one they worked on
        self.attempts = 0


class _Worker:
    def __init__(self, target: str, setup: Any, results: SimpleQueue[tuple[_Worker, Any]]):
        code = f"import sys; sys.path[:] = {sys.path!r}; import {target}; {target}.serve()"
        # This interpreter's flags (-O, -X, -W ...), as multiprocessing passes them on.
        flags: Callable[[], list[str]] = getattr(subprocess, "_args_from_interpreter_flags", list)
        argv = [sys.executable, *flags(), "-c", code]
        with deferred(), _sigint_blocked():  # a signal must not stop a worker half-started
            self.process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.tasks: deque[Task] = deque()
        self._outbox: SimpleQueue[bytes | None] = SimpleQueue()
        self._outbox.put(pickle.dumps(setup, pickle.HIGHEST_PROTOCOL))
        for run, args in ((self._send, ()), (self._receive, (results,))):
            threading.Thread(target=run, args=args, name=THREAD_NAME, daemon=True).start()

    def send(self, task: Task) -> None:
        self.tasks.append(task)
        self._outbox.put(pickle.dumps(task.payload, pickle.HIGHEST_PROTOCOL))

    def close(self) -> None:
        """No more tasks: the worker ends once it has answered those it has."""
        self._outbox.put(None)

    def _send(self) -> None:
        stream = self.process.stdin
        assert stream is not None
        with contextlib.suppress(OSError, ValueError):  # the worker is gone: _receive says so
            while (data := self._outbox.get()) is not None:
                stream.write(_HEADER.pack(len(data)))
                stream.write(data)
                stream.flush()
        with contextlib.suppress(OSError, ValueError):
            stream.close()

    def _receive(self, results: SimpleQueue[tuple[_Worker, Any]]) -> None:
        stream = self.process.stdout
        assert stream is not None
        with contextlib.suppress(OSError, ValueError):
            for data in _frames(stream):
                results.put((self, data))
        with contextlib.suppress(OSError, ValueError):
            stream.close()  # read to its end: nothing more will come
        results.put((self, None))  # the end of its output: it ended, or died


class Pool:
    """`jobs` worker processes running `target`.serve() (a module name) with `setup`; tasks
    go to the least busy one. `died` is told the tasks a dead worker held, oldest first (the
    one it worked on, then those it had not begun), and gets each back to resubmit or drop."""

    def __init__(self, target: str, setup: Any, jobs: int) -> None:
        self.target = target
        self.setup = setup
        self.jobs = jobs
        self.workers: list[_Worker] = []
        self._results: SimpleQueue[tuple[_Worker, Any]] = SimpleQueue()

    def submit(self, task: Task) -> None:
        if len(self.workers) < self.jobs:
            self.workers.append(_Worker(self.target, self.setup, self._results))
        min(self.workers, key=lambda worker: len(worker.tasks)).send(task)

    def wait(self, task: Task, died: Callable[[list[Task]], None]) -> Any:
        """The result of `task`, taking in every other result that comes first."""
        while not task.done:
            try:
                worker, data = self._results.get(timeout=_POLL)
            except Empty:
                continue
            if data is None:
                self._bury(worker, died)
                continue
            done = worker.tasks.popleft()
            done.result, done.done = pickle.loads(data), True
            if isinstance(done.result, Failure):
                raise WorkerError(done.result.text)
        return task.result

    def _bury(self, worker: _Worker, died: Callable[[list[Task]], None]) -> None:
        if worker not in self.workers:
            return
        self.workers.remove(worker)
        worker.close()
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            worker.process.wait(5)
        held = list(worker.tasks)
        if held:
            held[0].attempts += 1
            died(held)

    def close(self) -> None:
        """Let the workers finish what they hold and end (after the last result is in)."""
        for worker in self.workers:
            worker.close()
        for worker in self.workers:
            with contextlib.suppress(OSError, subprocess.SubprocessError):
                worker.process.wait(60)
        self.workers = []

    def stop(self, grace: float) -> None:
        """End the workers now: SIGTERM, then SIGKILL for any still there after `grace`."""
        with deferred():
            processes = [worker.process for worker in self.workers]
            for worker in self.workers:
                worker.close()  # its sending thread ends too
            self.workers = []
            for process in processes:
                with contextlib.suppress(OSError):
                    process.terminate()
            deadline = time.monotonic() + grace
            for process in processes:
                try:
                    process.wait(max(0.0, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(OSError):
                        process.kill()
                    with contextlib.suppress(subprocess.SubprocessError):
                        process.wait(grace)


@contextlib.contextmanager
def _sigint_blocked() -> Iterator[None]:
    """SIGINT blocked (held back, not lost) here, and so in a process started meanwhile,
    until it ignores the signal itself (serve)."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _frames(stream: IO[bytes]) -> Iterator[bytes]:
    """The frames of a stream, until it ends (a frame cut short ends it too)."""
    while True:
        head = stream.read(_HEADER.size)
        if len(head) < _HEADER.size:
            return
        (size,) = _HEADER.unpack(head)
        data = stream.read(size)
        if len(data) < size:
            return
        yield data


def serve(start: Callable[[Any], Any], perform: Callable[[Any, Any], Any]) -> None:
    """A worker's life: `start(setup)` once, then `perform(state, task)` for each task."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    tasks = sys.stdin.buffer
    # Results go out on a descriptor of their own: whatever else writes to standard output
    # (a library's print) goes to standard error, not into a frame.
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    with out:
        _serve_tasks(_frames(tasks), out, start, perform)


def _serve_tasks(
    frames: Any, out: Any, start: Callable[[Any], Any], perform: Callable[[Any, Any], Any]
) -> None:
    """serve's loop: the setup frame, then one result frame per task frame."""
    setup = next(frames, None)
    if setup is None:
        return
    state = start(pickle.loads(setup))
    for frame in frames:
        try:
            result = perform(state, pickle.loads(frame))
        except Exception:  # a bug: said in the main process, with the traceback from here
            import traceback

            result = Failure(traceback.format_exc())
        data = pickle.dumps(result, pickle.HIGHEST_PROTOCOL)
        try:
            out.write(_HEADER.pack(len(data)))
            out.write(data)
            out.flush()
        except OSError:  # the main process is gone
            os._exit(1)
