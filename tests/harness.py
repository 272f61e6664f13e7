"""Talk to the Rust reference harness (rust/): build it, and ask `check` for serde's verdicts."""

from __future__ import annotations

import base64
import json
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HARNESS = ROOT / "rust" / "target" / "release" / "envelope-harness"


def build_harness() -> None:
    subprocess.run(["cargo", "build", "--release", "--locked", "--quiet"], cwd=ROOT / "rust", check=True)


@dataclass(frozen=True)
class RustVerdict:
    accepted: bool
    output: bytes | None  # serde_json::to_string of the decoded event, when accepted
    error: str | None


def rust_check(documents: Sequence[bytes], harness: Path = HARNESS) -> list[RustVerdict]:
    """serde_json's verdict and re-serialization for each document, in order (one process);
    `harness`: another build of the harness (a variant struct)."""
    payload = b"".join(base64.b64encode(doc) + b"\n" for doc in documents)
    proc = subprocess.run([str(harness), "check", "--b64"], input=payload, capture_output=True, check=True)
    verdicts = []
    for line in proc.stdout.split(b"\n")[:-1]:
        record = json.loads(line)
        verdicts.append(
            RustVerdict(
                accepted=record["accepted"],
                output=record["output"].encode("utf-8") if record["accepted"] else None,
                error=record.get("error"),
            )
        )
    assert len(verdicts) == len(documents), proc.stderr.decode()
    return verdicts


def rust_emit(count: int, seed: int) -> list[bytes]:
    proc = subprocess.run(
        [str(HARNESS), "emit", "--count", str(count), "--seed", str(seed)], capture_output=True, check=True
    )
    return proc.stdout.split(b"\n")[:-1]
