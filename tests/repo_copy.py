"""A throwaway copy of the source checkout, for tests that edit the schema and run `make gen`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TREES = ("python", "generated", "schema", "scripts", "docs", "fixtures")
# The last three are generated (`make gen`), so `gen --check` in a copy finds them up to date.
FILES = (
    "pyproject.toml",
    "Makefile",
    "README.md",
    "rust/accel/src/spec.json",
    "rust/src/event.rs",
    "rust/src/fields.rs",
)


def copy_repo(dest: Path) -> Path:
    """Copy what generation needs (sources, schema, fixtures catalogue, build files) into dest."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".venv", "target", ".mypy_cache", ".ruff_cache")
    for name in TREES:
        # symlinks=True: python/noetl_envelope_generated and the packaged schema link into the
        # copy's own generated/ and schema/, so a regenerated copy is what the copy imports.
        shutil.copytree(ROOT / name, dest / name, ignore=ignore, symlinks=True)
    for name in FILES:
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, dest / name)
    return dest


def copy_harness_crate(copy: Path) -> Path:
    """Add the harness crate (rust/Cargo.toml, Cargo.lock, src/) to a `copy_repo` copy, so `make gen`
    there builds the harness and writes the bundled samples; with the checkout's build of it
    (rust/target/gen-samples) when there is one, so cargo recompiles only the harness itself."""
    for name in ("Cargo.toml", "Cargo.lock"):
        shutil.copy2(ROOT / "rust" / name, copy / "rust" / name)
    shutil.copytree(ROOT / "rust" / "src", copy / "rust" / "src", dirs_exist_ok=True)
    cache = ROOT / "rust" / "target" / "gen-samples"
    if cache.is_dir():
        shutil.copytree(cache, copy / "rust" / "target" / "gen-samples", symlinks=True)
    return copy


def copy_env(copy: Path) -> dict[str, str]:
    """The environment under which Python imports the copy's package, not the checkout's."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(copy / "python"), str(copy / "generated")])
    env.pop("PYTHONHOME", None)
    return env


def run_python(copy: Path, *args: str, timeout: float | None = None) -> subprocess.CompletedProcess[str]:
    """`python ARGS` inside the copy, importing the copy's package; output captured as text."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=copy,
        env=copy_env(copy),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def run_gen(copy: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`scripts/gen.py ARGS` (what `make gen` / `make check-gen` run) inside the copy."""
    return run_python(copy, "scripts/gen.py", *args)
