"""The result vocabulary shared by every stage: a `Violation` and the `EnvelopeError` carrying them.

A violation names a stable rule id (see `rules.py`, documented in docs/RULES.md), the JSON
pointer of the offending value and a one-line message saying what was found and what was
expected. Locations in files (path, line) are added by the reader, not here, because the
same bytes can come from a file, a line of NDJSON or an in-memory string.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Violation:
    """One finding: `rule` is a stable id, `pointer` an RFC 6901 JSON pointer ('' = the document),
    `severity` "error" or "warning" (by default the rule's own; a document is valid exactly when
    it has no error)."""

    rule: str
    pointer: str
    message: str
    severity: str = ""

    def __post_init__(self) -> None:
        if not self.severity:
            # The rule objects are str subclasses carrying their default severity; a plain id
            # (from a caller outside the package) is looked up.
            severity = getattr(self.rule, "severity", None) or _default_severity(self.rule)
            object.__setattr__(self, "severity", severity)

    def __str__(self) -> str:
        where = self.pointer or "/"
        return f"{where}: {self.message} [{self.rule}]"


def _default_severity(rule_id: str) -> str:
    from noetl_envelope.core.rules import lookup

    try:
        return lookup(rule_id).severity
    except KeyError:
        return "error"


class EnvelopeError(ValueError):
    """Raised by `decode` when a document is not acceptable under the requested profile."""

    def __init__(self, violations: list[Violation]) -> None:
        self.violations = list(violations)
        first = str(self.violations[0]) if self.violations else "invalid envelope"
        more = len(self.violations) - 1
        super().__init__(first + (f" (+{more} more)" if more > 0 else ""))


def pointer_join(base: str, token: str | int) -> str:
    """Append one reference token to a JSON pointer, escaping '~' and '/' per RFC 6901."""
    text = str(token).replace("~", "~0").replace("/", "~1")
    return f"{base}/{text}"
