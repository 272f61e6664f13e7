"""The per-document pipeline: one document's bytes in, its violations out.

`validate`, `validate --project` and `conform` all check a document here, through the one
`check` function; what to check is a `Checks` value the command builds once from its options
(never an argparse Namespace). The engine named there gives the profile's verdict (engines);
`project` adds what projection into noetl.event loses (projection.predict); `drift` makes it
conform's check: the contract violations, and when the bytes are not canonical, the drift
classes saying why (profiles.drift).

Heavy modules (the lexer, the drift classes, the projection rules) load on first use: a
document the fast engine proves valid needs none of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import orjson

from noetl_envelope.core.violations import Violation
from noetl_envelope.engines import Engine, select
from noetl_envelope.engines.native import Lines, Verdict, key_spans

Checker = Callable[[bytes], list[Violation]]


@dataclass(frozen=True, slots=True)
class Checks:
    """What to check each document for."""

    profile: str = "contract"
    engine: str = "fast"
    project: bool = False  # also the projection rules (`validate --project`)
    drift: bool = False  # conform: contract violations plus drift classes; `profile` is canonical then
    native: bool | None = None  # the fast engine may use the native accelerator (None: unless switched off)


@dataclass(frozen=True, slots=True)
class DocumentChecker:
    """`check` bound to `checks` and its engine (a `Checker`), with the engine's native bulk
    loop where it has one and `checks` asks nothing else of each document (`lines`)."""

    checks: Checks
    engine: Engine

    def __call__(self, data: bytes) -> list[Violation]:
        return check(data, checks=self.checks, engine=self.engine)

    def lines(self, data: bytes, *, max_document_bytes: int, list_valid: bool, limit: int) -> Lines | None:
        """The engine's one native pass over the NDJSON lines of `data` (`native.Lines`), or None
        when there is none for `checks`. A line it does not list is valid under `checks` (with
        `--project`, projection loses nothing of it either); a listed line's violations are
        `listed(line, verdict)`."""
        profile = "canonical" if self.checks.drift else self.checks.profile
        return self.engine.lines(
            data,
            profile,
            max_document_bytes=max_document_bytes,
            list_valid=list_valid,
            limit=limit,
            project=self.checks.project,
        )

    @property
    def has_lines(self) -> bool:
        """Whether `lines` answers (an empty buffer costs nothing to ask about)."""
        return self.lines(b"", max_document_bytes=0, list_valid=False, limit=1) is not None

    def listed(self, data: bytes, verdict: Verdict | None) -> list[Violation]:
        """`self(data)` for a line `lines` listed with `verdict` (None: the native engine
        declined it), without asking the native engine again."""
        if self.checks.drift:
            found = _conform(data, self.engine, verdict)
        elif verdict is None:
            return self(data)
        else:
            found = self.engine.after_native(data, self.checks.profile, verdict)
        return _with_projection(data, self.checks, self.engine, found)


def checker_for(checks: Checks) -> DocumentChecker:
    """`check` bound to `checks` and its engine, chosen once here (forked workers inherit it):
    what the bulk runner calls per document, or per span through `lines`."""
    return DocumentChecker(checks, select(checks.engine, native=checks.native))


def check(data: bytes, checks: Checks, engine: Engine | None = None) -> list[Violation]:
    """Every violation of one document under `checks` ([] = valid; warnings allowed)."""
    if engine is None:
        engine = select(checks.engine, native=checks.native)
    if checks.drift:
        violations = _conform(data, engine, engine.verdict(data, "canonical"))
    else:
        violations = engine.violations(data, checks.profile)
    return _with_projection(data, checks, engine, violations)


def _with_projection(data: bytes, checks: Checks, engine: Engine, violations: list[Violation]) -> list[Violation]:
    """`violations` and, with `checks.project`, the projection's `project.*` ones after them:
    worded from what the native engine found projection may change where it can tell, else by
    the prediction itself."""
    if not checks.project:
        return violations
    from noetl_envelope.projection.predict import projection_violations, violations_from_changes

    changes = engine.projection(data)
    found = None if changes is None else violations_from_changes(data, changes)
    return violations + (projection_violations(data) if found is None else found)


def _conform(data: bytes, engine: Engine, verdict: Verdict | None) -> list[Violation]:
    """`conform_violations(data)`, from the native engine's canonical `verdict` where it answered
    (None: it declined, or there is none), else by the fast engine's proof or conform's stages."""
    if verdict is not None:
        misreads, unknown, missing, failing, aliases, _ = verdict
        if not (unknown or missing or failing or aliases):
            # serde_json's own bytes (it was read as canonical) but for the floats its parser
            # misreads: nothing drifted, one warning each (none: proved canonical).
            if not misreads:
                return []
            from noetl_envelope.profiles.drift import float_roundtrip_findings

            return float_roundtrip_findings(misreads)
        return _conform_beside_faults(data, engine, verdict)
    if engine.proves_valid(data, "canonical"):
        return []
    return conform_violations(data)


def _conform_beside_faults(data: bytes, engine: Engine, verdict: Verdict) -> list[Violation]:
    """`conform_violations(data)` for a document the native engine read as serde_json's own
    bytes but for the faults it names in `verdict`: the contract's findings from the verdict,
    the drift classes from the faults alone (`drift.beside_faults`), in the key order the
    verdict gives."""
    from noetl_envelope.profiles.canonical import CANONICAL_FLOAT_ROUNDTRIP
    from noetl_envelope.profiles.drift import beside_faults, explained
    from noetl_envelope.wire.lexer import scan

    misreads, _, _, failing, _, packed = verdict
    keys = [orjson.loads(data[start:end]) for start, end in key_spans(packed)]  # JSON strings serde_json read
    # The contract's own findings: a contract-valid document (a timestamp in another form than
    # chrono's) gets the read-back warnings there, which conform words as drift instead.
    found = [v for v in engine.after_native(data, "contract", verdict) if v.rule != CANONICAL_FLOAT_ROUNDTRIP]
    drift = beside_faults(keys, {name: scan(data[start:end]) for name, start, end in failing}, misreads)
    return explained(found, drift) + drift


def conform_violations(data: bytes) -> list[Violation]:
    """Contract violations plus drift findings for one document ([] = canonical), by the
    reference engine's stages."""
    from noetl_envelope.profiles import canonical, contract
    from noetl_envelope.profiles.drift import classify_tree, explained
    from noetl_envelope.wire.lexer import LexError, scan

    try:
        tree = scan(data, defer=True)  # as the reference engine's: no stage reads a string inside a field's value
    except LexError as exc:
        return [exc.violation(data)]
    found, binding = contract.check(tree)
    not_canonical: list[Violation] = []
    if not found:
        not_canonical = canonical.check(data, binding)
        if not not_canonical:
            return []  # the bytes are serde_json's own: nothing can have drifted (the common case)
    drift = classify_tree(data, tree)
    # Not explained by any drift class, but still not canonical: the canonical rule
    # (canonical.differs / canonical.float-roundtrip) names it, so nothing slips through. A drift
    # class that explains a schema finding replaces it: one finding per cause.
    return explained(found, drift) + (drift or not_canonical)
