"""Benchmark inputs: realistic Rust-emitted NDJSON events, and the same events made invalid.

`realistic_events(count, seed)` writes events shaped like what a NoETL executor emits in
production (snowflake ids, the known event types and statuses, a step name, a timestamp with
0/3/6/9 fraction digits, a small `context` and usually a `meta` and `worker_id`; about 350
bytes each; any other required field of the schema gets its typical value), then hands them to
the Rust harness's `check`, which decodes each with serde_json into the seed struct and writes
`serde_json::to_string(&event)` back: the lines are Rust-emitted bytes. `with_two_violations`
turns each line into a document the contract profile rejects for exactly two reasons.

Used by scripts/bench.py and tests/test_bench.py; no timing here.
"""

from __future__ import annotations

import base64
import json
import random
import subprocess
from collections.abc import Iterator
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


def _event(rng: random.Random, index: int) -> dict[str, object]:
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


def python_lines(count: int, seed: int) -> Iterator[bytes]:
    rng = random.Random(seed)
    for index in range(count):
        yield json.dumps(_event(rng, index)).encode("utf-8")


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
