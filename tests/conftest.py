"""Shared fixtures: the repository root and the Rust reference harness (built on demand)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from harness import HARNESS, build_harness

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def harness() -> Path:
    """The release build of rust/ (`make harness`); built here if missing, so tests never skip."""
    try:
        build_harness()
    except (OSError, subprocess.CalledProcessError) as exc:  # pragma: no cover - environment problem
        pytest.fail(f"cannot build the Rust harness: {exc}")
    return HARNESS
