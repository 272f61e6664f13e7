"""The three profiles and the one function that runs them on a document's bytes.

`run` is the pipeline: lexical scan (lexer) -> the profile's rules (serde / contract /
canonical) -> an `Outcome` holding the violations and serde's field binding, from which
`codec.build_event` decodes.

`check` is where the engine is chosen: the `fast` engine (`fastpath.violations`) answers the
common cases (a canonical-looking valid envelope, or one whose only faults are field values)
cheaply, and anything it cannot prove goes to the `reference` engine (`run`), so both engines
report exactly the same violations.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from noetl_envelope import fastpath
from noetl_envelope.rules import PROFILES
from noetl_envelope.violations import Violation

if TYPE_CHECKING:
    from noetl_envelope.binding import Binding

ENGINES = ("fast", "reference")


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
    from noetl_envelope.lexer import LexError, scan
    from noetl_envelope.profiles import canonical, contract, serde

    try:
        tree = scan(data)
    except LexError as exc:
        return Outcome([Violation(exc.rule, "", exc.located(data))], None)
    if profile == "serde":
        violations, binding = serde.check(tree)
        return Outcome(violations, binding)
    violations, binding = contract.check(tree)
    if profile == "canonical" and not violations:
        violations = canonical.check(data, binding)
    return Outcome(violations, binding)


def check(data: bytes, profile: str, engine: str = "fast") -> list[Violation]:
    """The violations of `profile` in one document, by `engine` ('fast' or 'reference');
    both give the same answer, the fast one sooner for valid canonical documents."""
    if engine == "fast":
        if profile in PROFILES:
            found = fastpath.violations(data, profile)
            if found is not None:
                return found
    elif engine != "reference":
        raise ValueError(f"unknown engine {engine!r}; expected one of {', '.join(ENGINES)}")
    return run(data, profile).violations
