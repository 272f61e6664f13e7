"""forkpool.py: answers per ticket, no deadlock on large messages, failures and early stops handled.

Every test that could hang on a bug runs under an alarm, so a deadlock fails instead of
stalling the suite.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from noetl_envelope.core.errors import InputError
from noetl_envelope.pipeline import Checks, checker_for
from noetl_envelope.run import bulk
from noetl_envelope.run.forkpool import Answer, ForkPool, WorkerError
from noetl_envelope.run.reader import Span

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "python"), str(ROOT / "generated")])}


@pytest.fixture(autouse=True)
def _alarm() -> Iterator[None]:
    def hung(*_: object) -> None:
        raise TimeoutError("the pool hung")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(60)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def _all_answers(pool: ForkPool[Any, Any]) -> dict[int, Answer[Any]]:
    answers: dict[int, Answer[Any]] = {}
    while pool.in_flight():
        for answer in pool.wait():
            answers[answer.ticket] = answer
    return answers


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def _slow_square(n: int) -> int:
    time.sleep((n * 7 % 5) / 1000)  # uneven durations: workers finish out of step
    return n * n


def test_every_ticket_gets_its_own_answer() -> None:
    with ForkPool(_slow_square, 3) as pool:
        tickets = {pool.submit(n): n for n in range(60)}
        answers = _all_answers(pool)
    assert {ticket: answer.value for ticket, answer in answers.items()} == {t: n * n for t, n in tickets.items()}
    assert all(answer.ok for answer in answers.values())


def test_large_tasks_and_answers_do_not_deadlock() -> None:
    # Tasks and answers far beyond a pipe's 64 KiB, all submitted before any answer is read:
    # a parent blocking on a write while a child blocks on its answer would hang here.
    blob = os.urandom(3 * 2**20)
    with ForkPool(lambda data: data + data, 2) as pool:
        tickets = [pool.submit(blob[i:] + blob[:i]) for i in range(8)]
        answers = _all_answers(pool)
    for index, ticket in enumerate(tickets):
        part = blob[index:] + blob[:index]
        assert answers[ticket].value == part + part


def _fail_on_odd(n: int) -> int:
    if n % 2:
        raise InputError(f"odd: {n}")
    return n


def test_an_exception_is_answered_with_its_type_and_message() -> None:
    with ForkPool(_fail_on_odd, 2) as pool:
        tickets = {pool.submit(n): n for n in range(6)}
        answers = _all_answers(pool)
    for ticket, n in tickets.items():
        answer = answers[ticket]
        if n % 2:
            assert not answer.ok and isinstance(answer.value, InputError) and str(answer.value) == f"odd: {n}"
        else:
            assert answer.ok and answer.value == n


def test_an_answer_pickle_cannot_carry_is_an_error_answer() -> None:
    with ForkPool(lambda n: lambda: n, 1) as pool:  # a lambda cannot be pickled
        pool.submit(1)
        (answer,) = _all_answers(pool).values()
    assert not answer.ok and "cannot be sent" in str(answer.value)


def _die_on_two(n: int) -> int:
    if n == 2:
        os._exit(3)
    return n


def test_a_worker_that_dies_is_reported_not_waited_for() -> None:
    before = _open_fds()
    with ForkPool(_die_on_two, 2) as pool, pytest.raises(WorkerError, match=r"exit status 3"):
        for n in range(5):
            pool.submit(n)
        _all_answers(pool)
    assert _open_fds() == before


def test_closing_with_work_in_flight_stops_and_reaps_every_worker() -> None:
    before = _open_fds()
    pool = ForkPool(lambda n: time.sleep(n), 2)
    pids = [worker.pid for worker in pool._workers]
    for _ in range(4):
        pool.submit(60)
    started = time.monotonic()
    pool.close()
    assert time.monotonic() - started < 10
    for pid in pids:
        with pytest.raises(ChildProcessError):  # reaped: no zombie left behind
            os.waitpid(pid, os.WNOHANG)
    assert _open_fds() == before


def test_bulk_raises_a_workers_input_error_in_report_order(tmp_path: Path) -> None:
    good = tmp_path / "good.ndjson"
    good.write_bytes(b"{}\n")
    gone = tmp_path / "gone.ndjson"
    units: list[bulk.Unit] = [Span(str(good), str(good), True, 0, 3)] * 3 + [Span(str(gone), str(gone), True, 0, 3)]
    work: Callable[[bulk.Unit], bulk.UnitResult] = lambda unit: bulk._check_unit(  # noqa: E731
        checker_for(Checks(profile="serde", engine="fast")),
        unit,
        list_valid=True,
        report_limit=10,
        max_document_bytes=100,
        chunk_size=10,
    )
    results = bulk._results(work, iter(units), 2)
    assert [next(results)[1].documents for _ in range(3)] == [1, 1, 1]
    with pytest.raises(InputError, match=r"gone\.ndjson: cannot read"):
        next(results)


# The CLI as the `noetl-envelope` command runs it (argv[0] so named and main() without argv, so
# cli.main takes the signals and the unraisable hook over, as for users; a library caller's
# main(argv) keeps Python's own), except that the first answers the pool receives are announced by
# one byte on the file descriptor in READY_FD: the workers are forked, serving, and the run is
# under way. Nothing else changes.
_SIGNALLING_CLI = """
import os, sys
sys.argv[0] = "noetl-envelope"
from noetl_envelope.run import forkpool
ready = [int(os.environ["READY_FD"])]
wait = forkpool.ForkPool.wait
def signalling_wait(self):
    answers = wait(self)
    if ready:
        os.write(ready[0], b"r")
        os.close(ready.pop())
    return answers
forkpool.ForkPool.wait = signalling_wait
from noetl_envelope.cli import main
sys.exit(main())
"""


def test_ctrl_c_stops_the_cli_and_its_workers_with_one_line(tmp_path: Path) -> None:
    # Slow work (the reference engine on invalid documents) so the run is still going.
    path = tmp_path / "slow.ndjson"
    path.write_bytes(b'{"execution_id":"x"}\n' * 200_000)
    command = [sys.executable, "-c", _SIGNALLING_CLI, "validate", "--quiet", "--engine", "reference"]
    ready_read, ready_write = os.pipe()
    proc = subprocess.Popen(
        [*command, "--jobs", "2", str(path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**ENV, "READY_FD": str(ready_write)},
        pass_fds=(ready_write,),
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )
    os.close(ready_write)
    try:
        with os.fdopen(ready_read, "rb") as ready:
            announced = ready.read(1)  # blocks until the first answers are in (the alarm guards it)
    except BaseException:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        raise
    assert announced == b"r", proc.communicate(timeout=60)[1]
    assert proc.poll() is None, "the run ended before it could be interrupted"
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C does: the whole group gets it
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert stderr == b"noetl-envelope: interrupted\n"
    # The command reaped its workers before it exited: none is left in its process group.
    with pytest.raises(ProcessLookupError):
        os.killpg(proc.pid, 0)
