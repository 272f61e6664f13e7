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

import functools
from collections.abc import Callable
from dataclasses import dataclass

from noetl_envelope.core.violations import Violation
from noetl_envelope.engines import Engine, select

Checker = Callable[[bytes], list[Violation]]


@dataclass(frozen=True, slots=True)
class Checks:
    """What to check each document for."""

    profile: str = "contract"
    engine: str = "fast"
    project: bool = False  # also the projection rules (`validate --project`)
    drift: bool = False  # conform: contract violations plus drift classes; `profile` is canonical then
    native: bool | None = None  # the fast engine may use the native accelerator (None: unless switched off)


def checker_for(checks: Checks) -> Checker:
    """`check` bound to `checks` and its engine, chosen once here (forked workers inherit it):
    what the bulk runner calls per document."""
    return functools.partial(check, checks=checks, engine=select(checks.engine, native=checks.native))


def check(data: bytes, checks: Checks, engine: Engine | None = None) -> list[Violation]:
    """Every violation of one document under `checks` ([] = valid; warnings allowed)."""
    if engine is None:
        engine = select(checks.engine, native=checks.native)
    if checks.drift:
        if engine.proves_valid(data, "canonical"):
            return []
        violations = conform_violations(data)
    else:
        violations = engine.violations(data, checks.profile)
    if checks.project:
        from noetl_envelope.projection.predict import projection_violations

        violations = violations + projection_violations(data)
    return violations


def conform_violations(data: bytes) -> list[Violation]:
    """Contract violations plus drift findings for one document ([] = canonical), by the
    reference engine's stages."""
    from noetl_envelope.profiles import canonical, contract
    from noetl_envelope.profiles.drift import classify_tree, explained
    from noetl_envelope.wire.lexer import LexError, scan

    try:
        tree = scan(data)
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
