"""The native module (rust/accel, `noetl_envelope_accel`) for the test modules that compare it
with the reference engine: they are skipped only where it is not built and CI is not set; under
CI it must be there."""

from __future__ import annotations

import os

import pytest

from noetl_envelope.engines import native as accel


def require_native_module() -> None:
    """Called at a test module's import: skips the module, or under CI fails the run, when the
    native module cannot be imported."""
    if accel.available():
        return
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"CI is set but {accel.MODULE} is not installed (make setup builds it)", pytrace=False)
    pytest.skip(f"{accel.MODULE} is not built (make setup builds it from rust/accel)", allow_module_level=True)
