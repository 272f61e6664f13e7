"""The reference engine: the whole pipeline on every document, the oracle the others are held to.

`run` is lexical scan (wire.lexer) -> the profile's rules (profiles: serde / contract /
canonical) -> an `Outcome` holding the violations and serde's field binding, from which
`model.codec.build_event` decodes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from noetl_envelope.core.rules import PROFILES
from noetl_envelope.core.violations import Violation

if TYPE_CHECKING:
    from noetl_envelope.model.binding import Binding


@dataclass(slots=True)
class Outcome:
    violations: list[Violation]
    binding: Binding | None


def run(data: bytes, profile: str) -> Outcome:
    """Check one document under `profile` ('serde', 'contract' or 'canonical')."""
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; expected one of {', '.join(PROFILES)}")
    # The reference pipeline loads on first use: a run the fast engine answers alone (most
    # valid documents) never needs it, and every command start would pay for it otherwise.
    from noetl_envelope.profiles import canonical, contract, serde
    from noetl_envelope.wire.lexer import LexError, scan

    try:
        tree = scan(data, defer=True)  # no check here reads a string nested in a field's value
    except LexError as exc:
        return Outcome([exc.violation(data)], None)
    if profile == "serde":
        violations, binding = serde.check(tree)
    else:
        violations, binding = contract.check(tree)
    if not violations:
        # The float read-back warning (any profile), within canonical's byte check there.
        violations = canonical.check(data, binding) if profile == "canonical" else canonical.float_readback(binding)
    return Outcome(violations, binding)
