"""Benchmark inputs: realistic Rust-emitted NDJSON events, and the same events made invalid.

`realistic_events(count, seed)` writes events shaped like what a NoETL executor emits in
production (snowflake ids, the known event types and statuses, a step name, a timestamp with
0/3/6/9 fraction digits, a small `context` and usually a `meta` and `worker_id`; about 350
bytes each; any other required field of the schema gets its typical value), then hands them to
the Rust harness's `check`, which decodes each with serde_json into the seed struct and writes
`serde_json::to_string(&event)` back: the lines are Rust-emitted bytes. `with_two_violations`
turns each line into a document the contract profile rejects for exactly two reasons.

`mixed_events(count, seed)` is issue 15's mix: the same events, three quarters of them carrying a
float drawn from a random f64 bit pattern (what serde_json then writes for it, so some read
back as a neighbouring double: the `float-roundtrip` warning), and 1% of the lines broken the
ways real dumps are (`BREAKAGES`: a status outside the enum, a field renamed, an unknown field,
an id written as a float).

Used by scripts/bench.py and tests/test_bench.py; no timing here.
"""

from __future__ import annotations

import base64
import json
import random
import re
import struct
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

from noetl_envelope.fixturegen.systematic import typical_value
from noetl_envelope.model.schema import field_specs, load_schema

ROOT = Path(__file__).resolve().parents[1]
HARNESS = ROOT / "rust" / "target" / "release" / "envelope-harness"
SNOWFLAKE_BASE = 280_000_000_000_000_000  # a 2026 NoETL snowflake: well above 2^53

# Event types and statuses come from the schema (its `examples` and `enum`), not a second list.
_PROPERTIES = load_schema()["properties"]
EVENT_TYPES: tuple[str, ...] = tuple(_PROPERTIES["event_type"]["examples"])
STATUSES: tuple[str, ...] = tuple(_PROPERTIES["status"]["enum"])
STEPS = ("start", "fetch_users", "transform", "load_postgres", "http_call", "loop_items", "notify", "end")
TOOLS = ("http", "postgres", "python", "duckdb", "playbook")


def _timestamp(rng: random.Random) -> str:
    base = f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:"
    base += f"{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"
    digits = rng.choice((0, 3, 6, 9))
    if digits == 0:
        return base + "Z"
    return base + "." + "".join(rng.choice("0123456789") for _ in range(digits)) + "Z"


def _random_bits_float(rng: random.Random) -> float:
    """A finite double from a uniformly random bit pattern (every exponent, 17-digit mantissas)."""
    while True:
        (value,) = struct.unpack("<d", rng.getrandbits(64).to_bytes(8, "little"))
        if value == value and value not in (float("inf"), float("-inf")):
            return float(value)


def _event(rng: random.Random, index: int, *, random_floats: float = 0.0) -> dict[str, object]:
    execution_id = SNOWFLAKE_BASE + rng.randrange(10**15)
    event_type = rng.choice(EVENT_TYPES)
    context: dict[str, object] = {
        "command_id": f"{execution_id}:{rng.choice(STEPS)}:{rng.randrange(1000)}",
        "tool": rng.choice(TOOLS),
        "attempt": rng.randint(1, 3),
    }
    if event_type.endswith(("done", "completed", "exit")):
        context["result"] = {"status": "ok", "rows": rng.randrange(10_000), "duration_ms": rng.randrange(5_000) / 4}
    elif event_type.endswith(("error", "failed")):
        context["error"] = {"kind": "HttpError", "message": f"upstream returned {rng.choice((500, 502, 503))}"}
    else:
        context["input"] = {"url": f"https://api.example.com/v1/items/{rng.randrange(10**6)}", "page": index % 50}
    if random_floats and rng.random() < random_floats:
        context["score"] = _random_bits_float(rng)
    event: dict[str, object] = {
        "execution_id": execution_id,
        "event_type": event_type,
        "step": rng.choice(STEPS),
        "status": rng.choice(STATUSES),
        "created_at": _timestamp(rng),
        "context": context,
    }
    if rng.random() < 0.9:
        event["event_id"] = execution_id + rng.randrange(1, 10**6)
    if rng.random() < 0.8:
        event["worker_id"] = f"noetl-worker-{rng.randrange(16):02d}"
    if rng.random() < 0.6:
        event["meta"] = {"retry": rng.randint(0, 2), "parent_event_id": execution_id + 1, "catalog_id": "cat-7"}
    # A required field the schema gained beyond the ones shaped above: its typical value.
    for spec in field_specs():
        if spec.required and spec.name not in event:
            event[spec.name] = json.loads(typical_value(spec))
    return event


def python_lines(count: int, seed: int, *, random_floats: float = 0.0) -> Iterator[bytes]:
    rng = random.Random(seed)
    for index in range(count):
        yield json.dumps(_event(rng, index, random_floats=random_floats)).encode("utf-8")


def rust_emitted(lines: Iterator[bytes], harness: Path = HARNESS) -> list[bytes]:
    """`serde_json::to_string` of each line decoded into the seed struct (all must be accepted)."""
    payload = b"".join(base64.b64encode(line) + b"\n" for line in lines)
    proc = subprocess.run([str(harness), "check", "--b64"], input=payload, capture_output=True, check=True)
    out = []
    for record_line in proc.stdout.split(b"\n")[:-1]:
        record = json.loads(record_line)
        if not record["accepted"]:
            raise RuntimeError(f"the harness rejected a generated event: {record['error']}")
        out.append(record["output"].encode("utf-8"))
    return out


def realistic_events(count: int, seed: int = 0, harness: Path = HARNESS) -> list[bytes]:
    """`count` Rust-emitted realistic events (NDJSON lines without the newline)."""
    return rust_emitted(python_lines(count, seed), harness)


# How each broken line of the mix is broken: a regular expression on the Rust-emitted line (the
# top-level fields come first, in declaration order) and its replacement.
_HEAD = rb'^\{"execution_id":(-?[0-9]+),"event_type":"[^"\\]*","step":("[^"\\]*"),"status":"([A-Z]+)"'
BREAKAGES: dict[str, tuple[re.Pattern[bytes], Callable[[re.Match[bytes]], bytes]]] = {
    # A producer writing its own casing of the status (outside the schema's enum).
    "bad status": (
        re.compile(_HEAD),
        lambda m: m.group(0)[: m.start(3) - m.start(0)] + m.group(3).lower() + b'"',
    ),
    # `step` written under the Python table's column name: one field missing, one unknown.
    "renamed field": (
        re.compile(_HEAD),
        lambda m: m.group(0).replace(b',"step":', b',"node_name":', 1),
    ),
    # A field no version of the schema declares.
    "unknown field": (re.compile(rb"\}$"), lambda m: b',"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"}'),
    # A float-based writer's id: the snowflake as a double.
    "float id": (
        re.compile(_HEAD),
        lambda m: m.group(0).replace(m.group(1), json.dumps(float(int(m.group(1)))).encode(), 1),
    ),
}


def broken(line: bytes, how: str) -> bytes:
    """`line` broken the way `BREAKAGES[how]` says."""
    pattern, replace = BREAKAGES[how]
    result, count = pattern.subn(replace, line, count=1)
    if count != 1:
        raise ValueError(f"cannot apply {how!r} to {line[:80]!r}")
    return result


def mixed_events(count: int, seed: int = 0, harness: Path = HARNESS) -> list[bytes]:
    """`count` lines of issue 15's mix (see the module documentation), deterministic per seed."""
    lines = rust_emitted(python_lines(count, seed, random_floats=0.75), harness)
    rng = random.Random(seed ^ 0x5EED)
    kinds = tuple(BREAKAGES)
    for index in rng.sample(range(count), count // 100):
        lines[index] = broken(lines[index], kinds[index % len(kinds)])
    return lines


def with_two_violations(line: bytes) -> bytes:
    """The event with a status outside the schema's enum and an empty event_type."""
    event = json.loads(line)
    event["status"] = "DONE"
    event["event_type"] = ""
    return json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def write_ndjson(path: Path, lines: list[bytes]) -> None:
    with open(path, "wb") as handle:
        for line in lines:
            handle.write(line + b"\n")
