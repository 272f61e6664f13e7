"""The engines: ways of reaching the reference engine's verdict on one document, behind one interface.

An `Engine` answers `violations(data, profile)` (the full list, [] = valid) and
`proves_valid(data, profile)` (True only when it can tell cheaply that there is nothing to
report; False means "ask `violations`"). `reference` runs the whole pipeline (lexer -> profile
rules) on every document and is the oracle; `fast` proves the common cases cheaply (asking the
optional `native` module first) and hands everything else to the reference engine, so both
report exactly the same violations. A command picks one by name from its options (`select`).
"""

from __future__ import annotations

from typing import Protocol

from noetl_envelope.core.rules import PROFILES
from noetl_envelope.core.violations import Violation
from noetl_envelope.engines import fast
from noetl_envelope.engines import native as native_module
from noetl_envelope.engines.reference import run


class Engine(Protocol):
    def violations(self, data: bytes, profile: str) -> list[Violation]: ...

    def proves_valid(self, data: bytes, profile: str) -> bool: ...


class ReferenceEngine:
    """Every document through the lexer and the profile's rules."""

    def violations(self, data: bytes, profile: str) -> list[Violation]:
        return run(data, profile).violations

    def proves_valid(self, data: bytes, profile: str) -> bool:
        return False  # it has no cheap answer: `violations` is the only one


class FastEngine(ReferenceEngine):
    """The fast path's proof where it has one, else the reference engine. With `native`, the
    compiled accelerator is asked first (when it is built); the pure-Python proof otherwise."""

    def __init__(self, *, native: bool) -> None:
        self._prove = fast.native_prover() if native else None

    @property
    def native(self) -> bool:
        """Whether the native accelerator is in use."""
        return self._prove is not None

    def violations(self, data: bytes, profile: str) -> list[Violation]:
        if profile in PROFILES:
            found = fast.violations(data, profile, self._prove)
            if found is not None:
                return found
        return run(data, profile).violations

    def proves_valid(self, data: bytes, profile: str) -> bool:
        return fast.decide(data, profile, self._prove)


ENGINE_NAMES = ("fast", "reference")
_MADE: dict[tuple[str, bool], Engine] = {}


def select(name: str, *, native: bool | None = None) -> Engine:
    """The engine called `name` ('fast' or 'reference'); for 'fast', `native` says whether it may
    use the compiled accelerator (None: unless NOETL_ENVELOPE_ACCEL=0). Made once per choice."""
    if name not in ENGINE_NAMES:
        raise ValueError(f"unknown engine {name!r}; expected one of {', '.join(ENGINE_NAMES)}")
    use_native = name == "fast" and (native_module.wanted() if native is None else native)
    engine = _MADE.get((name, use_native))
    if engine is None:
        engine = FastEngine(native=use_native) if name == "fast" else ReferenceEngine()
        _MADE[(name, use_native)] = engine
    return engine


def check(data: bytes, profile: str, engine: str = "fast") -> list[Violation]:
    """The violations of `profile` in one document, by the engine called `engine`."""
    return select(engine).violations(data, profile)


def describe() -> str:
    """Which engine `--engine fast` runs here and, when not the native one, why (`--version`)."""
    if not native_module.wanted():
        return f"pure Python ({native_module.SWITCH}=0)"
    if fast.native_prover() is not None:
        return "native"
    if not native_module.available():
        return f"pure Python ({native_module.MODULE} is not installed)"
    return "pure Python (the schema uses checks the native engine does not reproduce)"
