"""Bulk validation benchmark (`make bench`): events per second, as a ratio to orjson.loads.

One process run measures, on the same realistic Rust-emitted NDJSON (scripts/bench_data.py;
default 200,000 events, about 78 MB): `orjson.loads` per line (the floor, 1.00x);
python-jsonschema on the canonical schema, written the way a user would (json.loads, a
Draft 2020-12 validator with the standard format checker, iter_errors); our `validate` per
profile with the fast engine and with the reference engine; `conform`'s per-document check;
`validate` on the same events each carrying two violations; and the CLI end to end with
`--jobs 1` and `--jobs 2` (median of `--jobs-runs`, default 7, taking turns). Every other
figure is the median of `--runs` runs (default 3). Slow
engines run on the first `--sample` lines only (their rate does not depend on the count).

`--memory` also writes a file of at least 1 GB (the events repeated, streamed to disk) and
reports the peak RSS of `noetl-envelope validate` on it, read from `/usr/bin/time -v`.

Speed is reported, never asserted: machines are noisy, ratios measured in one run are not.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_data import HARNESS, realistic_events, with_two_violations, write_ndjson
from noetl_envelope.api import validate
from noetl_envelope.pipeline import Checks, checker_for
from noetl_envelope.run.bulk import check_stream
from noetl_envelope.run.reader import iter_documents

ROOT = Path(__file__).resolve().parents[1]
GIB = 2**30


@dataclass
class Row:
    name: str
    rate: float  # documents per second
    floor: float  # the floor's rate on the same input
    target: str = ""
    ok: bool | None = None  # None: no target

    @property
    def ratio(self) -> float:
        return self.rate / self.floor


def median_rate(work: Callable[[Sequence[bytes]], object], lines: Sequence[bytes], runs: int) -> float:
    """Documents per second: the median of `runs` timed passes over `lines`."""
    rates = []
    for _ in range(runs):
        started = time.perf_counter()
        work(lines)
        rates.append(len(lines) / (time.perf_counter() - started))
    return statistics.median(rates)


def floor_pass(lines: Sequence[bytes]) -> None:
    loads = orjson.loads
    for line in lines:
        loads(line)


def jsonschema_pass_factory() -> Callable[[Sequence[bytes]], None]:
    from jsonschema import Draft202012Validator

    from noetl_envelope.model.schema import load_schema

    validator = Draft202012Validator(load_schema(), format_checker=Draft202012Validator.FORMAT_CHECKER)

    def work(lines: Sequence[bytes]) -> None:
        for line in lines:
            list(validator.iter_errors(json.loads(line)))

    return work


def validate_pass(profile: str, engine: str) -> Callable[[Sequence[bytes]], None]:
    def work(lines: Sequence[bytes]) -> None:
        for line in lines:
            validate(line, profile=profile, engine=engine)

    return work


def conform_pass(lines: Sequence[bytes]) -> None:
    checker = checker_for(Checks(profile="canonical", engine="fast", drift=True))
    for line in lines:
        checker(line)


def _cli_env() -> dict[str, str]:
    # Bytecode may be written: an installed package has its .pyc files (pip compiles them), so
    # a run that recompiles every edited module on each start is not what users see.
    return {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def _medians_by_turns(
    jobs_list: Sequence[int], runs: int, seconds: Callable[[int], float], *, warm_up: bool
) -> list[float]:
    """The median of `runs` calls of `seconds(jobs)` for each N of `jobs_list` (after one
    untimed call each when `warm_up`). The settings take turns run by run, so a slow spell of
    the machine hits them alike."""
    times: dict[int, list[float]] = {jobs: [] for jobs in jobs_list}
    for run in range(runs + 1 if warm_up else runs):
        for jobs in jobs_list:
            elapsed = seconds(jobs)
            if run or not warm_up:
                times[jobs].append(elapsed)
    return [statistics.median(times[jobs]) for jobs in jobs_list]


def cli_seconds(path: Path, jobs_list: Sequence[int], runs: int, profile: str = "contract") -> list[float]:
    """Median wall time of `noetl-envelope validate --quiet --jobs N` on `path` (process
    included) for each N of `jobs_list`, after a warm-up run each."""
    env = _cli_env()

    def one_run(jobs: int) -> float:
        command = [sys.executable, "-m", "noetl_envelope", "validate", "--quiet", "--profile", profile]
        command += ["--jobs", str(jobs), "--output", os.devnull, str(path)]
        started = time.perf_counter()
        proc = subprocess.run(command, capture_output=True, check=False, env=env)
        elapsed = time.perf_counter() - started
        if proc.returncode != 0:
            raise RuntimeError(f"validate --jobs {jobs} exited {proc.returncode}: {proc.stderr.decode()[-300:]}")
        return elapsed

    return _medians_by_turns(jobs_list, runs, one_run, warm_up=True)


def stream_seconds(path: Path, jobs_list: Sequence[int], runs: int, profile: str = "contract") -> list[float]:
    """Median time of `bulk.check_stream` over `path` in this process (what `validate --quiet`
    does after start-up: reading, checking, counting; the worker pool's start included) for
    each N of `jobs_list`."""

    def one_run(jobs: int) -> float:
        reader = iter_documents([str(path)])
        started = time.perf_counter()
        for _found in check_stream(
            reader, checker_for(Checks(profile=profile, engine="fast")), jobs=jobs, list_valid=False
        ):
            pass
        return time.perf_counter() - started

    return _medians_by_turns(jobs_list, runs, one_run, warm_up=False)


def _spin(n: int) -> int:
    total = 0
    for i in range(n):
        total += i
    return total


def parallel_capacity(spin: int = 5_000_000) -> float:
    """How much faster 2 processes do 4 units of pure-Python work than 1 process (2.0 on two
    idle cores): the ceiling any --jobs 2 speedup measured in this run can reach."""
    from concurrent.futures import ProcessPoolExecutor

    started = time.perf_counter()
    for _ in range(4):
        _spin(spin)
    serial = time.perf_counter() - started
    with ProcessPoolExecutor(max_workers=2) as pool:
        list(pool.map(_spin, [spin] * 2))  # start the workers outside the timing
        started = time.perf_counter()
        list(pool.map(_spin, [spin] * 4))
        parallel = time.perf_counter() - started
    return serial / parallel


def peak_rss_mib(path: Path, jobs: int) -> float:
    """Peak resident set size of `noetl-envelope validate` on `path`, from /usr/bin/time -v
    (the largest of the process and its workers, as getrusage reports children)."""
    time_bin = shutil.which("time") or "/usr/bin/time"
    command = [time_bin, "-v", sys.executable, "-m", "noetl_envelope", "validate", "--quiet"]
    command += ["--jobs", str(jobs), "--output", os.devnull, str(path)]
    proc = subprocess.run(command, capture_output=True, check=False, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"validate exited {proc.returncode}: {proc.stderr[-300:]}")
    for line in proc.stderr.splitlines():
        if "Maximum resident set size" in line:
            return int(line.rsplit(":", 1)[1]) / 1024
    raise RuntimeError("no 'Maximum resident set size' in /usr/bin/time -v output")


def write_big_file(path: Path, lines: Sequence[bytes], size: int) -> int:
    """Repeat `lines` into `path` until it holds at least `size` bytes; returns the line count."""
    chunk = b"".join(line + b"\n" for line in lines)
    written = count = 0
    with open(path, "wb") as handle:
        while written < size:
            handle.write(chunk)
            written += len(chunk)
            count += len(lines)
    return count


def load_events(workdir: Path, count: int, seed: int) -> tuple[Path, list[bytes]]:
    path = workdir / f"events-{count}-{seed}.ndjson"
    if path.exists():
        return path, path.read_bytes().split(b"\n")[:-1]
    if not HARNESS.exists():
        raise SystemExit(f"bench: build the Rust harness first (make harness): {HARNESS} is missing")
    lines = realistic_events(count, seed)
    write_ndjson(path, lines)
    return path, lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=200_000, help="events in the input (default 200000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement; the median is reported")
    parser.add_argument(
        "--jobs-runs",
        type=int,
        default=7,
        help="runs of each --jobs setting (default 7): whole-process timings of well under a second "
        "vary most, so their median takes more runs",
    )
    parser.add_argument("--sample", type=int, default=10_000, help="lines the slow engines run on (default 10000)")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "noetl-envelope-bench")
    parser.add_argument("--memory", action="store_true", help="also measure peak RSS on a >= 1 GB file")
    parser.add_argument("--skip-jobs", action="store_true", help="skip the CLI --jobs 1/2 timing")
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)

    path, lines = load_events(args.workdir, args.events, args.seed)
    sample = lines[: args.sample]
    megabytes = path.stat().st_size / 2**20
    print(f"input: {len(lines):,} Rust-emitted events, {megabytes:.1f} MB ({path}); cpus: {os.cpu_count()}")
    print(f"median of {args.runs} runs; slow engines on the first {len(sample):,} lines", flush=True)

    floor = median_rate(floor_pass, lines, args.runs)
    floor_sample = median_rate(floor_pass, sample, args.runs)
    jsonschema_rate = median_rate(jsonschema_pass_factory(), sample, args.runs)
    rows = [Row("orjson.loads per line (floor)", floor, floor)]
    rows.append(Row("python-jsonschema (json.loads + iter_errors)", jsonschema_rate, floor_sample))
    targets = {"serde": 0.5, "contract": 0.5, "canonical": 0.35}
    for profile in ("serde", "contract", "canonical"):
        rate = median_rate(validate_pass(profile, "fast"), lines, args.runs)
        target = targets[profile]
        ok = rate / floor >= target and rate >= 10 * jsonschema_rate
        rows.append(Row(f"validate --profile {profile}", rate, floor, f">= {target}x, >= 10x jsonschema", ok))
    rate = median_rate(conform_pass, lines, args.runs)
    ok = rate / floor >= 0.35 and rate >= 10 * jsonschema_rate
    rows.append(Row("conform (per-document check)", rate, floor, ">= 0.35x, >= 10x jsonschema", ok))
    for profile in ("serde", "contract", "canonical"):
        rate = median_rate(validate_pass(profile, "reference"), sample, args.runs)
        rows.append(Row(f"validate --profile {profile} --engine reference", rate, floor_sample))

    invalid = [with_two_violations(line) for line in sample]
    invalid_floor = median_rate(floor_pass, invalid, args.runs)
    rate = median_rate(validate_pass("contract", "fast"), invalid, args.runs)
    rows.append(
        Row("validate, two violations per document", rate, invalid_floor, ">= 0.1x", rate / invalid_floor >= 0.1)
    )

    print()
    print("| measurement | events/s | x floor | x jsonschema | target | met |")
    print("|---|---:|---:|---:|---|---|")
    for row in rows:
        met = "" if row.ok is None else ("yes" if row.ok else "no")
        versus = row.rate / jsonschema_rate
        print(f"| {row.name} | {row.rate:,.0f} | {row.ratio:.2f} | {versus:.1f} | {row.target} | {met} |")

    if not args.skip_jobs:
        one, two = cli_seconds(path, (1, 2), args.jobs_runs)
        speedup = one / two
        inner_one, inner_two = stream_seconds(path, (1, 2), args.jobs_runs)
        capacity = parallel_capacity()
        print()
        print(f"CLI `validate --quiet` on {len(lines):,} events: --jobs 1 {one:.2f}s, --jobs 2 {two:.2f}s,")
        print(f"speedup {speedup:.2f}x (target >= 1.6x: {'met' if speedup >= 1.6 else 'not met'});")
        print(f"after start-up (bulk.check_stream in one process): {inner_one:.2f}s and {inner_two:.2f}s,")
        print(f"speedup {inner_one / inner_two:.2f}x: the rest of the difference is the interpreter's start-up;")
        print(f"this machine's parallel capacity right now (2 processes vs 1, pure Python): {capacity:.2f}x")

    if args.memory:
        big = args.workdir / "events-1gb.ndjson"
        count = write_big_file(big, lines, GIB)
        size = big.stat().st_size / 2**20
        for jobs in (1, 2):
            rss = peak_rss_mib(big, jobs)
            verdict = "met" if rss < 150 else "not met"
            where = f"{size:,.0f} MB ({count:,} events)"
            print(f"peak RSS, validate --jobs {jobs} on {where}: {rss:.0f} MiB ({verdict}: < 150)")
        big.unlink()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
