"""Shared fixtures: the repository root and the Rust reference harness (built on demand).

Also the run's settings, checked before any test runs:
- hypothesis profiles: `ci` (derandomized, no example database, no deadline) is loaded when CI is
  set or HYPOTHESIS_PROFILE=ci; every collected hypothesis test must honour it, `@settings(...)`
  or not (a test pinning `derandomize=False` or a database is a collection error under `ci`);
- the native accelerator: NOETL_ENVELOPE_ACCEL=0 must really switch it off, and under CI it must
  really be on otherwise. The engine-comparison tests take the `accelerator` fixture and so run
  twice in one run, native module on and off (the reference answers computed once); each
  instance asserts the state it claims. The header of the run says which state the run is in.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
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


def native_accelerator_in_use() -> bool:
    """Whether the fast engine the package selects by default calls the native module."""
    from noetl_envelope.engines import select

    return bool(getattr(select("fast"), "native", False))


def _accelerator_expected() -> bool | None:
    """True/False when the environment demands it on/off; None when either is fine (local, not built)."""
    if os.environ.get("NOETL_ENVELOPE_ACCEL", "1") == "0":
        return False
    return True if _truthy("CI") else None


def pytest_report_header(config: pytest.Config) -> list[str]:
    state = "on" if native_accelerator_in_use() else "off"
    return [f"hypothesis profile: {HYPOTHESIS_PROFILE}; native accelerator: {state}"]


def pytest_sessionstart(session: pytest.Session) -> None:
    expected, in_use = _accelerator_expected(), native_accelerator_in_use()
    if expected is not None and expected != in_use:
        why = "NOETL_ENVELOPE_ACCEL=0 is set" if not expected else "CI is set (make setup builds rust/accel)"
        raise pytest.UsageError(f"the native accelerator is {'on' if in_use else 'off'} but {why}")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # The large-corpus tests first: spread over `make test`'s workers (pytest-xdist), one of them
    # left to the end would keep the others idle while it runs alone.
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
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


@pytest.fixture(params=["native", "python"])
def accelerator(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The fast engine with the native module on ("native") and off ("python"), in this process.

    "native" is skipped only where the module is not built and CI is not set; the state is
    asserted either way, so neither instance is a silent copy of the other."""
    from noetl_envelope.engines import native

    # The default selection follows native.wanted(), what NOETL_ENVELOPE_ACCEL sets.
    monkeypatch.setattr(native, "wanted", lambda: request.param == "native")
    if request.param == "python":
        assert not native_accelerator_in_use()
        return "python"
    if not native_accelerator_in_use() and _accelerator_expected() is None and not native.available():
        pytest.skip(f"{native.MODULE} is not built (make setup builds it from rust/accel)")
    assert native_accelerator_in_use()
    return "native"


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """A PostgreSQL server for the module's tests (NOETL_ENVELOPE_TEST_DSN, else a throwaway cluster)."""
    import pgserver

    try:
        with pgserver.server() as dsn:
            yield dsn
    except pgserver.ServerUnavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(f"CI needs a PostgreSQL server: {exc}")
        pytest.skip(f"no PostgreSQL server (set {pgserver.DSN_ENV} or install postgresql): {exc}")


@pytest.fixture()
def dsn(server: str) -> Iterator[str]:
    """A fresh database on `server`, dropped after the test."""
    import pgserver

    with pgserver.fresh_database(server) as fresh:
        yield fresh


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
