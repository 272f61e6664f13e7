"""The engines: ways of reaching the reference engine's verdict on one document, behind one interface.

An `Engine` answers `violations(data, profile)` (the full list, [] = valid) and
`proves_valid(data, profile)` (True only when it can tell cheaply that there is nothing to
report; False means "ask `violations`"), `projection` what projection into noetl.event may
change in it where the native engine can tell; `lines` is the native bulk loop over many NDJSON lines
at once where there is one (else None), `verdict` its answer for one document, and
`after_native` the violations of a document it answered.
`reference` runs the whole pipeline (lexer -> profile rules) on every document and is the
oracle; `fast` proves the common cases cheaply (asking the optional `native` module first) and
hands everything else to the reference engine, so both report exactly the same violations. A
command picks one by name from its options (`select`).
"""

from __future__ import annotations

from typing import Protocol

from noetl_envelope.core.rules import PROFILES
from noetl_envelope.core.violations import Violation
from noetl_envelope.engines import fast
from noetl_envelope.engines import native as native_module
from noetl_envelope.engines.native import Lines, Verdict
from noetl_envelope.engines.reference import run
from noetl_envelope.projection.findings import Projection


class Engine(Protocol):
    def violations(self, data: bytes, profile: str) -> list[Violation]: ...

    def proves_valid(self, data: bytes, profile: str) -> bool: ...

    def projection(self, data: bytes) -> Projection | None: ...

    def lines(
        self, data: bytes, profile: str, *, max_document_bytes: int, list_valid: bool, limit: int, project: bool = False
    ) -> Lines | None: ...

    def after_native(self, data: bytes, profile: str, verdict: Verdict | None) -> list[Violation]: ...

    def verdict(self, data: bytes, profile: str) -> Verdict | None: ...


class ReferenceEngine:
    """Every document through the lexer and the profile's rules."""

    def violations(self, data: bytes, profile: str) -> list[Violation]:
        return run(data, profile).violations

    def proves_valid(self, data: bytes, profile: str) -> bool:
        return False  # it has no cheap answer: `violations` is the only one

    def projection(self, data: bytes) -> Projection | None:
        return None  # the projection's prediction is the only answer

    def lines(
        self, data: bytes, profile: str, *, max_document_bytes: int, list_valid: bool, limit: int, project: bool = False
    ) -> Lines | None:
        return None  # no bulk loop: every document is checked on its own

    def after_native(self, data: bytes, profile: str, verdict: Verdict | None) -> list[Violation]:
        return self.violations(data, profile)

    def verdict(self, data: bytes, profile: str) -> Verdict | None:
        return None  # no native engine: nothing is read past


class FastEngine(ReferenceEngine):
    """The fast path's proof where it has one, else the reference engine. With `native`, the
    compiled accelerator is asked first (when it is built); the pure-Python proof otherwise."""

    def __init__(self, *, native: bool) -> None:
        self._check = fast.native_checker() if native else None
        self._check_lines = fast.native_lines_checker() if native else None
        self._project = fast.native_projector() if native else None

    @property
    def native(self) -> bool:
        """Whether the native accelerator is in use."""
        return self._check is not None

    def violations(self, data: bytes, profile: str) -> list[Violation]:
        if profile in PROFILES:
            found = fast.violations(data, profile, self._check)
            if found is not None:
                return found
        return run(data, profile).violations

    def proves_valid(self, data: bytes, profile: str) -> bool:
        return fast.decide(data, profile, self._check)

    def projection(self, data: bytes) -> Projection | None:
        """What projecting `data` into noetl.event may change, from the native engine's relaxed
        reading (`findings.Projection`), or None when it cannot tell or is not in use."""
        return None if self._project is None else self._project(data, "contract")

    def lines(
        self, data: bytes, profile: str, *, max_document_bytes: int, list_valid: bool, limit: int, project: bool = False
    ) -> Lines | None:
        """The native bulk loop over the NDJSON lines of `data` (`native.Lines`: counts, and the
        lines not proved valid under `profile`, or all with `list_valid`, at most `limit`; with
        `project`, also the valid lines projection may change), or None when the
        native engine is not in use: then every line is the caller's to check."""
        if self._check_lines is None or profile not in PROFILES:
            return None
        return self._check_lines(data, profile, max_document_bytes, list_valid, limit, project)

    def verdict(self, data: bytes, profile: str) -> Verdict | None:
        """The native engine's answer for one document (`native.Verdict`), or None when it
        declines or is not in use."""
        if self._check is None or profile not in PROFILES:
            return None
        return self._check(data, profile)

    def after_native(self, data: bytes, profile: str, verdict: Verdict | None) -> list[Violation]:
        """`violations(data, profile)` for a line `lines` listed with `verdict` (None: declined
        or not read), without asking the native engine again."""
        if profile in PROFILES:
            found = fast.after_native(data, profile, verdict, self._check)
            if found is not None:
                return found
        return run(data, profile).violations


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
