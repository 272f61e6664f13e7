"""The engines: ways of reaching the reference engine's verdict on one document.

`reference` runs the whole pipeline (lexer -> profile rules) on every document; `fast` proves
the common cases cheaply (asking the optional `native` module first) and hands everything else
to the reference engine, so both report exactly the same violations. `check` is where the
engine is chosen.
"""

from __future__ import annotations

from noetl_envelope.core.rules import PROFILES
from noetl_envelope.core.violations import Violation
from noetl_envelope.engines import fast
from noetl_envelope.engines.reference import run

ENGINES = ("fast", "reference")


def check(data: bytes, profile: str, engine: str = "fast") -> list[Violation]:
    """The violations of `profile` in one document, by `engine` ('fast' or 'reference');
    both give the same answer, the fast one sooner for valid canonical documents."""
    if engine == "fast":
        if profile in PROFILES:
            found = fast.violations(data, profile)
            if found is not None:
                return found
    elif engine != "reference":
        raise ValueError(f"unknown engine {engine!r}; expected one of {', '.join(ENGINES)}")
    return run(data, profile).violations
