"""Shared fixtures: the repository root and the Rust reference harness (built on demand).

Also the run's settings, checked before any test runs (the header of the run names them):
- hypothesis profiles: `ci` (derandomized, no example database, no deadline) is loaded when CI is
  set or HYPOTHESIS_PROFILE=ci; every collected hypothesis test must honour it, `@settings(...)`
  or not (a test pinning `derandomize=False` or a database is a collection error under `ci`);
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from harness import HARNESS, build_harness

ROOT = Path(__file__).resolve().parents[1]


def _truthy(name: str) -> bool:
    return os.environ.get(name, "").lower() in ("1", "true", "yes")


# Loaded here, before pytest imports any test module: a `settings(...)` object takes the values it
# does not name from the profile loaded when it is created.
settings.register_profile(
    "ci",
    derandomize=True,  # the same examples on every run: a red CI run reproduces
    database=None,  # nothing carried over from earlier runs
    deadline=None,  # a shared runner's pauses are not a test failure
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev")  # hypothesis' defaults
HYPOTHESIS_PROFILE = os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if _truthy("CI") else "dev")
settings.load_profile(HYPOTHESIS_PROFILE)


def pytest_report_header(config: pytest.Config) -> list[str]:
    return [f"hypothesis profile: {HYPOTHESIS_PROFILE}"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if HYPOTHESIS_PROFILE != "ci":
        return
    ignoring = []
    for item in items:
        function = getattr(item, "obj", None)
        if not getattr(function, "is_hypothesis_test", False):
            continue
        used = function._hypothesis_internal_use_settings  # type: ignore[union-attr]
        if not used.derandomize or used.database is not None:
            ignoring.append(item.nodeid)
    if ignoring:
        raise pytest.UsageError(
            "hypothesis tests ignoring the ci profile (derandomize, no database): " + ", ".join(ignoring)
        )


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
