"""Talk to the Rust reference harness (rust/): build it, and ask `check` for serde's verdicts."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
HARNESS = ROOT / "rust" / "target" / "release" / "envelope-harness"

# The drill (scripts/drill.py) runs the whole suite again in two copies of the repository, to
# prove a schema edit flows everywhere; the 100,000-document runs prove volume, which the main
# run already did, so there they run at a twentieth of their size.
SMALL_VOLUME_ENV = "NOETL_ENVELOPE_TEST_SMALL_VOLUME"


def volume(count: int) -> int:
    """`count` documents, or a twentieth of them when the run asks for small volume."""
    return count // 20 if os.environ.get(SMALL_VOLUME_ENV) == "1" else count


def build_harness() -> None:
    subprocess.run(["cargo", "build", "--release", "--locked", "--quiet"], cwd=ROOT / "rust", check=True)


def build_variant(crate: Path, schema: dict[str, Any], target: Path) -> Path:
    """A variant of the harness at `crate`: rust/ with event.rs, fields.rs and Cargo.toml rendered
    from `schema` by the generator `make gen` uses, built (debug) into the shared `target`; returns
    the binary, copied out of `target` before the next variant overwrites it."""
    from noetl_envelope.generate.rust_struct import render_manifest, render_rust

    shutil.copytree(ROOT / "rust", crate, ignore=shutil.ignore_patterns("target"))
    for rel, text in {**render_rust(schema), **render_manifest(schema)}.items():
        (crate / Path(rel).relative_to("rust")).write_text(text, encoding="utf-8")
    return build_crate(crate, target)


def build_crate(crate: Path, target: Path) -> Path:
    """`cargo build --locked` (debug) of the harness copy at `crate` into the shared `target`; the binary,
    copied out of `target` before the next variant overwrites it."""
    proc = subprocess.run(
        ["cargo", "build", "--locked", "--quiet", "--bin", "envelope-harness"],
        cwd=crate,
        env=dict(os.environ, CARGO_TARGET_DIR=str(target)),
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, f"{crate.name}: cargo build failed:\n{proc.stderr[-3000:]}"
    binary = crate / "envelope-harness"
    shutil.copy2(target / "debug" / "envelope-harness", binary)
    return binary


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


def rust_emit(count: int, seed: int, *, raw_floats: bool = False) -> list[bytes]:
    """`emit`'s lines; `raw_floats`: floats from random bit patterns, not only serde fixed points."""
    command = [str(HARNESS), "emit", "--count", str(count), "--seed", str(seed)]
    proc = subprocess.run([*command, "--raw-floats"] if raw_floats else command, capture_output=True, check=True)
    return proc.stdout.split(b"\n")[:-1]


def build_feature_variant(crate: Path, features: Sequence[str], target: Path) -> Path:
    """rust/ built (debug, into `target`) against serde_json with cargo `features` (e.g.
    float_roundtrip): the harness of consumers a schema's `x-serde-json-features` declares, its
    Cargo.toml rendered as `make gen` renders it for the package's schema declaring them. The
    pinned Cargo.lock holds (`--locked`): these features add no crate."""
    from noetl_envelope.generate.rust_struct import render_manifest
    from noetl_envelope.model.schema import load_schema
    from noetl_envelope.model.schema_lint import SERDE_JSON_FEATURES_KEY

    shutil.copytree(ROOT / "rust", crate, ignore=shutil.ignore_patterns("target"))
    schema = {**load_schema(), SERDE_JSON_FEATURES_KEY: list(features)}
    for rel, text in render_manifest(schema).items():
        (crate / Path(rel).relative_to("rust")).write_text(text, encoding="utf-8")
    return build_crate(crate, target)
