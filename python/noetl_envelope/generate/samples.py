"""The bundled sample `make run` validates, fixtures/samples/events.ndjson, written by the Rust harness.

`render_samples(root, rendered)` builds the harness from the Rust sources `make gen` renders for the
current schema and returns `{SAMPLES: <the output of envelope-harness emit --contract>}` with a fixed
count and seed: the struct's own serde_json output, contract-valid and canonical, with no timestamp
of its making, so an unchanged schema regenerates identical bytes and a changed one (a new required
field) regenerates samples that carry it.

The harness is built from the rendered sources, not the tree's, so `make check-gen` judges the
samples of the schema even while rust/src is stale: the crate is mirrored into `MIRROR` (sources
rewritten only where their bytes change, so cargo rebuilds only after a schema change) with its own
target directory, so the binary `make harness` builds from the tree is never replaced by one built
from sources not yet written. Only a checkout holding the harness crate (rust/Cargo.toml) has
samples to render; elsewhere (a schema repository) this renders nothing.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

SAMPLES = "fixtures/samples/events.ndjson"
COUNT = 100
SEED = 0
CRATE = "rust"
# Inside cargo's ignored build directory: the drill (scripts/drill.py) copies rust/target, so a
# copy rebuilds only the harness crate itself.
MIRROR = "rust/target/gen-samples"
BINARY = "envelope-harness"


class SamplesError(Exception):
    """The harness could not be built or run; a one-line message."""


def has_harness(root: Path) -> bool:
    """Whether `root` holds the harness crate the samples come from."""
    return (root / CRATE / "Cargo.toml").is_file()


def render_samples(root: Path, rendered: dict[str, bytes]) -> dict[str, bytes]:
    """`{SAMPLES: bytes}` from the harness built with `rendered`'s rust/ files; {} without the crate."""
    if not has_harness(root):
        return {}
    mirror = _mirror(root, rendered)
    binary = _build(mirror)
    cmd = [str(binary), "emit", "--contract", "--count", str(COUNT), "--seed", str(SEED)]
    proc = subprocess.run(cmd, capture_output=True, check=False)
    if proc.returncode != 0:
        raise SamplesError(f"{SAMPLES}: `{BINARY} emit` failed: {_last_line(proc.stderr)}")
    return {SAMPLES: proc.stdout}


def _mirror(root: Path, rendered: dict[str, bytes]) -> Path:
    """The crate's manifest, lock file and sources under `MIRROR`, with `rendered` in place of the
    tree's generated ones (the sources, and the manifest with serde_json's features); files are
    rewritten only when their bytes differ (cargo goes by mtime)."""
    crate, mirror = root / CRATE, root / MIRROR
    wanted: dict[Path, bytes] = {
        Path(name): (crate / name).read_bytes() for name in ("Cargo.toml", "Cargo.lock") if (crate / name).is_file()
    }
    for path in sorted((crate / "src").rglob("*")):
        if path.is_file():
            wanted[path.relative_to(crate)] = path.read_bytes()
    for rel, content in rendered.items():
        if rel.startswith(f"{CRATE}/src/") or rel == f"{CRATE}/Cargo.toml":
            wanted[Path(rel).relative_to(CRATE)] = content
    if (mirror / "src").is_dir():
        for path in (mirror / "src").rglob("*"):
            if path.is_file() and path.relative_to(mirror) not in wanted:
                path.unlink()
    for name, content in wanted.items():
        target = mirror / name
        if not target.is_file() or target.read_bytes() != content:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
    return mirror


def _build(mirror: Path) -> Path:
    cargo = shutil.which("cargo")
    if cargo is None:
        raise SamplesError(
            f"{SAMPLES} is written by the Rust harness ({CRATE}/) and cargo is not on PATH: "
            "install Rust (https://rustup.rs)"
        )
    target = mirror / "target"
    cmd = [cargo, "build", "--release", "--locked", "--quiet", "--manifest-path", str(mirror / "Cargo.toml")]
    proc = subprocess.run([*cmd, "--target-dir", str(target)], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SamplesError(f"building the Rust harness for {SAMPLES} failed: {_last_line(proc.stderr)}")
    return target / "release" / BINARY


def _last_line(output: str | bytes) -> str:
    text = output.decode("utf-8", "replace") if isinstance(output, bytes) else output
    return (text.strip().splitlines() or ["no output"])[-1]
