"""A small pool of forked worker processes: `bulk`'s engine for `--jobs N`.

Why not `concurrent.futures.ProcessPoolExecutor`: checking 200,000 events takes well under a
second per core, so what runs before the first document counts. The executor's start (about
18 ms of imports: multiprocessing, logging, tempfile ...) and its manager thread's hand-offs
were the largest serial part left of `--jobs 2`; with this pool `validate --jobs 2` went from
1.68x to 1.78x of `--jobs 1` in the same run (scripts/bench.py). It needs os.fork, pipes and
pickle, nothing else, so it runs where fork does (Linux, macOS); the CLI refuses `--jobs` above
1 elsewhere.

How it works:
- `ForkPool(work, jobs)` forks `jobs` children. Each reads items from its own task pipe, runs
  `work` on them in order and writes each answer (the result, or the exception it raised) to
  its own result pipe. A child never returns into the caller's code: it ends with os._exit.
- `submit` gives an item to the child with the fewest in flight and returns a ticket; `wait`
  blocks until at least one answer is in and returns the answers received, each with its
  ticket. A child answers in the order it was given items, so no sequence numbers travel.
- The parent never blocks on a write: task bytes wait in a buffer and go out when the pipe
  is writable, while the parent waits for answers. A child blocked writing a large answer can
  therefore never deadlock with a parent writing it a large task (standard input batches can
  be megabytes).
- A child that dies (killed, out of memory) makes `wait` raise `WorkerError` with its exit
  status. Ctrl-C reaches the children too, which exit quietly. `close` (also on an error or an
  early stop) closes the pipes, stops children still busy and reaps every one.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import signal
import struct
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from noetl_envelope.core.errors import RunError

T = TypeVar("T")
R = TypeVar("R")

_HEADER = struct.Struct("<Q")  # the byte length of the pickled message that follows
_READ_BYTES = 2**20


class WorkerError(RunError, RuntimeError):
    """A worker process ended without answering (killed, out of memory, a crash)."""


@dataclass(frozen=True, slots=True)
class Answer(Generic[R]):
    """A child's answer for one ticket: `value` is the result when `ok`, else the exception."""

    ticket: int
    ok: bool
    value: R | BaseException


@dataclass(slots=True)
class _Worker:
    pid: int
    task_fd: int  # the parent's (non-blocking) write end of the child's task pipe
    result_fd: int  # the parent's read end of the child's result pipe
    outgoing: bytearray = field(default_factory=bytearray)  # task bytes not yet written
    incoming: bytearray = field(default_factory=bytearray)  # answer bytes not yet complete
    tickets: deque[int] = field(default_factory=deque)  # in flight, in the order given


def _frame(message: object) -> bytes:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return _HEADER.pack(len(data)) + data


def _read_exactly(fd: int, size: int) -> bytes | None:
    parts = bytearray()
    while len(parts) < size:
        chunk = os.read(fd, min(size - len(parts), _READ_BYTES))
        if not chunk:
            return None
        parts += chunk
    return bytes(parts)


def _serve(work: Callable[[Any], Any], task_fd: int, result_fd: int) -> int:
    """The child's loop: answer every task until the parent closes the task pipe."""
    while True:
        header = _read_exactly(task_fd, _HEADER.size)
        if header is None:
            return 0
        payload = _read_exactly(task_fd, _HEADER.unpack(header)[0])
        if payload is None:
            return 1
        try:
            message: tuple[bool, object] = (True, work(pickle.loads(payload)))
        except Exception as exc:  # sent back, raised in the parent where the result is used
            message = (False, exc)
        try:
            data = _frame(message)
        except Exception as exc:  # an answer pickle cannot carry
            data = _frame((False, RuntimeError(f"a worker's answer cannot be sent: {exc!r}")))
        view = memoryview(data)
        while view:
            view = view[os.write(result_fd, view) :]


def _describe(status: int) -> str:
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = str(number)
        return f"killed by {name}"
    return f"exit status {os.waitstatus_to_exitcode(status)}"


class ForkPool(Generic[T, R]):
    """`jobs` forked workers running `work`; see the module docstring. Use as a context manager."""

    def __init__(self, work: Callable[[T], R], jobs: int) -> None:
        if jobs < 1:
            raise ValueError("jobs must be at least 1")
        if not hasattr(os, "fork"):
            raise OSError("worker processes need os.fork, which this platform lacks")
        self._workers: list[_Worker] = []
        self._next_ticket = 0
        self._closed = False
        # No flush of the parent's buffered output is needed: a child ends with os._exit,
        # which writes nothing of what it inherited.
        try:
            for _ in range(jobs):
                self._workers.append(self._fork(work))
        except BaseException:
            self.close()
            raise

    def _fork(self, work: Callable[[T], R]) -> _Worker:
        task_read, task_write = os.pipe()
        result_read, result_write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            code = 1
            try:
                # The other workers' pipe ends, inherited from the parent, are not this one's
                # to hold: an earlier worker would see the end of its tasks only once this one
                # had exited too, and a stray write here would corrupt its stream.
                for other in self._workers:
                    os.close(other.task_fd)
                    os.close(other.result_fd)
                os.close(task_write)
                os.close(result_read)
                code = _serve(work, task_read, result_write)
            except BaseException:  # Ctrl-C, a vanished parent (EPIPE): leave without a traceback
                code = 1
            finally:
                os._exit(code)
        os.close(task_read)
        os.close(result_write)
        os.set_blocking(task_write, False)
        return _Worker(pid, task_write, result_read)

    def __enter__(self) -> ForkPool[T, R]:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def in_flight(self) -> int:
        """Items submitted and not yet answered, over all workers."""
        return sum(len(worker.tickets) for worker in self._workers)

    def submit(self, item: T) -> int:
        """Give `item` to the least busy worker; returns its ticket."""
        worker = min(self._workers, key=lambda w: len(w.tickets))
        ticket = self._next_ticket
        self._next_ticket += 1
        worker.tickets.append(ticket)
        worker.outgoing += _frame(item)
        self._send(worker)
        return ticket

    def _send(self, worker: _Worker) -> None:
        try:
            while worker.outgoing:
                written = os.write(worker.task_fd, worker.outgoing)
                del worker.outgoing[:written]
        except BlockingIOError:
            pass  # the pipe is full: `wait` writes the rest when it drains
        except BrokenPipeError:
            self._died(worker)

    def wait(self) -> list[Answer[R]]:
        """Block until at least one answer is in; return every answer received, in order per worker."""
        if not self.in_flight():
            raise ValueError("nothing in flight")
        while True:
            readable = [w.result_fd for w in self._workers if w.tickets]
            writable = [w.task_fd for w in self._workers if w.outgoing]
            ready_read, ready_write, _ = select.select(readable, writable, [])
            for worker in self._workers:
                if worker.task_fd in ready_write:
                    self._send(worker)
            answers: list[Answer[R]] = []
            for worker in self._workers:
                if worker.result_fd in ready_read:
                    answers.extend(self._receive(worker))
            if answers:
                return answers

    def _receive(self, worker: _Worker) -> list[Answer[R]]:
        chunk = os.read(worker.result_fd, _READ_BYTES)
        if not chunk:
            self._died(worker)
        worker.incoming += chunk
        answers: list[Answer[R]] = []
        while len(worker.incoming) >= _HEADER.size:
            size = _HEADER.unpack_from(worker.incoming)[0]
            end = _HEADER.size + size
            if len(worker.incoming) < end:
                break
            ok, value = pickle.loads(worker.incoming[_HEADER.size : end])
            del worker.incoming[:end]
            answers.append(Answer(worker.tickets.popleft(), ok, value))
        return answers

    def _died(self, worker: _Worker) -> None:
        _, status = os.waitpid(worker.pid, 0)
        worker.pid = 0  # reaped
        raise WorkerError(f"a worker process ended without answering ({_describe(status)}); the run is incomplete")

    def close(self) -> None:
        """Close the pipes and reap the workers; stop those still busy (an early stop)."""
        if self._closed:
            return
        self._closed = True
        for worker in self._workers:
            os.close(worker.task_fd)  # an idle worker reads the end of its tasks and exits
            os.close(worker.result_fd)  # a busy one gets EPIPE when it answers, and exits
        for worker in self._workers:
            if worker.pid and worker.tickets:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(worker.pid, signal.SIGTERM)  # no need to finish work nobody reads
        for worker in self._workers:
            if worker.pid:
                os.waitpid(worker.pid, 0)
                worker.pid = 0


__all__ = ["Answer", "ForkPool", "WorkerError"]
