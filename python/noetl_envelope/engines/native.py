"""Typed access to the optional native accelerator `noetl_envelope_accel` (rust/accel).

The compiled module ships in the platform wheel and is built by every source install where cargo
is (`make setup`, `pip install` of the sdist or a git URL: maturin is the build backend); where no
binary can be had everything works without it (slower). `prover(spec)` returns its
`Prover(spec).prove` bound method, typed, or None when the module is not installed.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from typing import Protocol, cast

MODULE = "noetl_envelope_accel"
SWITCH = "NOETL_ENVELOPE_ACCEL"  # "0" keeps the fast engine from using the module


def wanted() -> bool:
    """Whether the environment lets the fast engine use the module (read when an engine is made)."""
    return os.environ.get(SWITCH, "1") != "0"


class Prover(Protocol):
    """`noetl_envelope_accel.Prover`: built from the compiled field specs (JSON)."""

    def __init__(self, spec: str) -> None: ...

    def prove(self, data: bytes, profile: str) -> bool:
        """True only if the reference engine reports nothing for `data` under `profile`."""
        ...


def available() -> bool:
    """Whether the compiled module can be imported."""
    try:
        importlib.import_module(MODULE)
    except ImportError:
        return False
    return True


def prover(spec: str) -> Callable[[bytes, str], bool] | None:
    """`Prover(spec).prove`, or None when the compiled module is not installed."""
    try:
        module = importlib.import_module(MODULE)
    except ImportError:
        return None
    prover_class = cast(type[Prover], module.Prover)
    return prover_class(spec).prove
