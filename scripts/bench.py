"""Bulk validation benchmark (`make bench`): events per second, as a ratio to orjson.loads.

First, issue 15's whole-process figures on its mix (`bench_data.mixed_events`: Rust-emitted
events, random f64 bit patterns, 1% broken lines; default 200,000): `validate` per profile,
`conform --producer rust` and `validate --project`, each as the CLI a user runs (`--quiet`,
`--jobs 1`, the interpreter's start included), as a ratio to `orjson.loads` per line over the
same file (in this process, timed in turns with each command, so a slow spell of the machine
hits both) and to the Rust harness's `count` (`serde_json::from_slice::<ExecutorEvent>` over
the file, nothing else); a file where every document has two violations; `--jobs 2` against
`--jobs 1` on a valid-heavy (the mix) and an invalid-heavy input (every line invalid); and,
with `--memory`, peak RSS on a file of at least 1 GB. Each target of the issue is printed as
met or not met. A command taking longer than `SLOW` seconds is run once, not `--runs` times.

Then the per-document figures (the API in this process), on realistic Rust-emitted NDJSON
(`bench_data.realistic_events`, the same count): `orjson.loads` per line (the floor, 1.00x);
python-jsonschema on the canonical schema, written the way a user would (json.loads, a Draft
2020-12 validator with the standard format checker, iter_errors); `validate` per profile with
the fast engine and with the reference engine; `conform`'s per-document check; `validate` on
the same events each carrying two violations. Each is the median of `--runs` runs (default 3);
slow engines run on the first `--sample` lines only (their rate does not depend on the count).

`--memory` writes the mix repeated to at least 1 GB (streamed to disk) and reports the peak
RSS of `noetl-envelope validate` on it, read from `/usr/bin/time -v`. `--quick` is a try-out
size. Every file is cached in `--workdir`.

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
from bench_data import HARNESS, mixed_events, realistic_events, with_two_violations, write_ndjson
from noetl_envelope.api import validate
from noetl_envelope.pipeline import Checks, checker_for

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
    command = [time_bin, "-v", *quiet_cli("validate", path, jobs=jobs)]
    proc = subprocess.run(command, capture_output=True, check=False, text=True)
    if proc.returncode not in (0, 1):  # 1: the input has findings
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


# --- issue 15: whole-process figures on the mix ---------------------------------------------

SLOW = 20.0  # seconds: a command this slow is timed once (its rate hardly varies)
MIX_TARGETS = {  # issue 15, --jobs 1, ratio to the orjson floor
    "validate --profile serde": 1.0,
    "validate --profile contract": 1.0,
    "validate --profile canonical": 0.8,
    "conform --producer rust": 0.8,
    "validate --project": 0.8,
    "validate, two violations per document": 0.5,
}
JOBS_TARGET = 1.8  # --jobs 2 over --jobs 1, on both inputs
RSS_TARGET_MIB = 64.0  # peak RSS on a 1 GB file, any --jobs


def floor_seconds(path: Path) -> float:
    """`orjson.loads` of every line of `path` in this process, the file's reading and splitting
    included (what any reader of the file pays)."""
    loads = orjson.loads
    started = time.perf_counter()
    for line in path.read_bytes().split(b"\n")[:-1]:
        loads(line)
    return time.perf_counter() - started


def process_seconds(command: Sequence[str], accept: Sequence[int] = (0, 1)) -> float:
    """Wall time of `command` (a whole process); its exit code must be one of `accept`."""
    started = time.perf_counter()
    proc = subprocess.run(command, capture_output=True, check=False, env=_cli_env())
    elapsed = time.perf_counter() - started
    if proc.returncode not in accept:
        raise RuntimeError(f"{' '.join(command)} exited {proc.returncode}: {proc.stderr.decode()[-300:]}")
    return elapsed


def cli(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "noetl_envelope", *arguments]


def quiet_cli(subcommand: str, path: Path, *options: str, jobs: int = 1) -> list[str]:
    return cli(subcommand, "--quiet", "--output", os.devnull, "--jobs", str(jobs), *options, str(path))


def rust_count_command(path: Path) -> list[str]:
    return [str(HARNESS), "count", str(path)]


@dataclass
class Timing:
    """Median seconds of one command and of the floor and Rust's loop timed in turns with it."""

    name: str
    seconds: float
    floor: float
    rust: float

    def ratio(self) -> float:
        return self.floor / self.seconds

    def rust_ratio(self) -> float:
        return self.rust / self.seconds


def timed_in_turns(name: str, command: Sequence[str], path: Path, runs: int) -> Timing:
    """`command` on `path`, the floor and Rust's `count` on the same file, taking turns run by
    run (one run of each when the command takes more than SLOW seconds)."""
    own: list[float] = []
    floors: list[float] = []
    rusts: list[float] = []
    for _ in range(runs):
        floors.append(floor_seconds(path))
        rusts.append(process_seconds(rust_count_command(path), accept=(0,)))
        own.append(process_seconds(command))
        if own[-1] > SLOW:
            break
    return Timing(name, statistics.median(own), statistics.median(floors), statistics.median(rusts))


def mix_files(workdir: Path, count: int, seed: int) -> tuple[Path, Path]:
    """The mix and the same events each with two violations (cached in `workdir`)."""
    mix = workdir / f"mix-{count}-{seed}.ndjson"
    invalid = workdir / f"two-violations-{count}-{seed}.ndjson"
    if not mix.exists() or not invalid.exists():
        if not HARNESS.exists():
            raise SystemExit(f"bench: build the Rust harness first (make harness): {HARNESS} is missing")
        write_ndjson(mix, mixed_events(count, seed))
        write_ndjson(invalid, [with_two_violations(line) for line in realistic_events(count, seed)])
    return mix, invalid


def met(ok: bool) -> str:
    return "met" if ok else "not met"


def mix_section(args: argparse.Namespace) -> None:
    mix, invalid = mix_files(args.workdir, args.events, args.seed)
    count = args.events
    print(f"issue 15 mix: {count:,} events, {mix.stat().st_size / 2**20:.1f} MB ({mix}); cpus: {os.cpu_count()}")
    print(f"whole process, --quiet --jobs 1; median of {args.runs} runs in turns with the floor and Rust's loop")
    commands = [
        ("validate --profile serde", quiet_cli("validate", mix, "--profile", "serde"), mix),
        ("validate --profile contract", quiet_cli("validate", mix, "--profile", "contract"), mix),
        ("validate --profile canonical", quiet_cli("validate", mix, "--profile", "canonical"), mix),
        ("conform --producer rust", quiet_cli("conform", mix, "--producer", "rust"), mix),
        ("validate --project", quiet_cli("validate", mix, "--project"), mix),
        ("validate, two violations per document", quiet_cli("validate", invalid), invalid),
    ]
    if args.skip_project:
        commands = [command for command in commands if command[0] != "validate --project"]
    print()
    print("| command | seconds | events/s | x orjson.loads | x Rust from_slice | target | met |")
    print("|---|---:|---:|---:|---:|---|---|")
    rust = timed_in_turns("Rust from_slice loop (envelope-harness count)", rust_count_command(mix), mix, args.runs)
    print(
        f"| {rust.name} | {rust.seconds:.2f} | {count / rust.seconds:,.0f} | {rust.ratio():.2f} | 1.00 | | |",
        flush=True,
    )
    for name, command, path in commands:
        timing = timed_in_turns(name, command, path, args.runs)
        target = MIX_TARGETS[name]
        row = f"| {name} | {timing.seconds:.2f} | {count / timing.seconds:,.0f} | {timing.ratio():.2f} "
        row += f"| {timing.rust_ratio():.2f} | >= {target}x | {met(timing.ratio() >= target)} |"
        print(row, flush=True)

    if not args.skip_jobs:
        jobs_lines(args, mix, invalid)
    if args.memory:
        memory_lines(args, mix)


def validate_seconds(path: Path) -> Callable[[int], float]:
    """Seconds of `validate --quiet --jobs N` on `path`, as a function of N."""
    return lambda jobs: process_seconds(quiet_cli("validate", path, jobs=jobs))


def jobs_lines(args: argparse.Namespace, mix: Path, invalid: Path) -> None:
    print()
    for label, path in (("valid-heavy (the mix)", mix), ("invalid-heavy (two violations each)", invalid)):
        one, two = _medians_by_turns((1, 2), args.jobs_runs, validate_seconds(path), warm_up=True)
        speedup = one / two
        print(
            f"--jobs 2 vs --jobs 1, validate --quiet, {label}: {one:.2f}s / {two:.2f}s = {speedup:.2f}x "
            f"(target >= {JOBS_TARGET}x: {met(speedup >= JOBS_TARGET)})",
            flush=True,
        )
    print(f"this machine's parallel capacity right now (2 processes vs 1, pure Python): {parallel_capacity():.2f}x")


def memory_lines(args: argparse.Namespace, mix: Path) -> None:
    lines = mix.read_bytes().split(b"\n")[:-1]
    big = args.workdir / "mix-1gb.ndjson"
    total = write_big_file(big, lines, GIB)
    size = big.stat().st_size / 2**20
    try:
        for jobs in (1, 2):
            rss = peak_rss_mib(big, jobs)
            print(
                f"peak RSS, validate --jobs {jobs} on the mix repeated to {size:,.0f} MB ({total:,} events): "
                f"{rss:.0f} MiB (target <= {RSS_TARGET_MIB:.0f} MiB: {met(rss <= RSS_TARGET_MIB)})",
                flush=True,
            )
    finally:
        big.unlink()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=200_000, help="events in the inputs (default 200000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement; the median is reported")
    parser.add_argument(
        "--jobs-runs",
        type=int,
        default=5,
        help="runs of each --jobs setting (default 5): whole-process timings vary most, so their "
        "median takes more runs",
    )
    parser.add_argument("--sample", type=int, default=10_000, help="lines the slow engines run on (default 10000)")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "noetl-envelope-bench")
    parser.add_argument("--memory", action="store_true", help="also measure peak RSS on a >= 1 GB file")
    parser.add_argument(
        "--quick", action="store_true", help="a try-out: 20,000 events, one run, 3 runs per --jobs setting"
    )
    parser.add_argument("--skip-mix", action="store_true", help="skip the whole-process figures on issue 15's mix")
    parser.add_argument("--skip-jobs", action="store_true", help="skip the --jobs 2 vs --jobs 1 timing")
    parser.add_argument(
        "--skip-project", action="store_true", help="skip `validate --project` on the mix (the slowest command)"
    )
    parser.add_argument("--skip-per-document", action="store_true", help="skip the per-document figures")
    args = parser.parse_args(argv)
    if args.quick:
        args.events, args.runs, args.jobs_runs, args.sample = 20_000, 1, 3, min(args.sample, 2_000)
    args.workdir.mkdir(parents=True, exist_ok=True)
    if not args.skip_mix:
        mix_section(args)
    if not args.skip_per_document:
        if not args.skip_mix:
            print()
        per_document_section(args)
    return 0


def per_document_section(args: argparse.Namespace) -> None:
    path, lines = load_events(args.workdir, args.events, args.seed)
    sample = lines[: args.sample]
    megabytes = path.stat().st_size / 2**20
    print(f"per document: {len(lines):,} realistic Rust-emitted events, {megabytes:.1f} MB ({path})")
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


if __name__ == "__main__":
    raise SystemExit(main())
