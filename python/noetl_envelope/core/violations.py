"""The result vocabulary shared by every stage: a `Violation` and the `EnvelopeError` carrying them.

A violation names a stable rule id (a `core.rules.Rule`, documented in docs/RULES.md), the
path of the offending value inside the document (object keys and array indices, `()` for the
document itself), a one-line message saying what was found and what was expected (worded by
the rule's template: the package makes violations with `Rule.at`), and its severity. The path
becomes an RFC 6901 JSON pointer in one place, `render_pointer`, when a report shows it.
Locations in files (path, line) are added by the reader, not here, because the same bytes can
come from a file, a line of NDJSON or an in-memory string.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from noetl_envelope.core.registry import severity_of

# Object keys (str) and array indices (int) from the document's root to a value.
JsonPath = tuple[str | int, ...]


def render_pointer(path: JsonPath) -> str:
    """The RFC 6901 JSON pointer of `path` ('' for the document): each token escaped, '~'
    before '/' (the other order turns a key "/" into "~01", which reads back as "~1")."""
    return "".join("/" + str(token).replace("~", "~0").replace("/", "~1") for token in path)


@dataclass(frozen=True, slots=True)
class Violation:
    """One finding: `rule` is a stable id, `path` where in the document (`pointer` renders it),
    `severity` "error" or "warning" (by default the rule's own; a document is valid exactly when
    it has no error)."""

    rule: str
    path: JsonPath
    message: str
    severity: str = ""
    # The rendered forms, made on first use: the engines hand out one memoized violation for
    # a drifting producer's every repeat of a mistake, and a report renders each several times
    # (sort keys, the line itself). Not part of the value: equality and pickles ignore them.
    _pointer: str | None = field(default=None, init=False, repr=False, compare=False)
    _text: str | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.severity:
            # The rule objects are str subclasses carrying their default severity; a plain id
            # (from a caller outside the package) is looked up.
            severity = getattr(self.rule, "severity", None) or severity_of(self.rule)
            object.__setattr__(self, "severity", severity)

    def __reduce__(self) -> tuple[Any, tuple[str, JsonPath, str, str]]:
        # Violations cross the --jobs pipes by pickle: the constructor rebuilds one faster than
        # the dataclass's field-by-field state, and the rendered forms are not sent.
        return (Violation, (self.rule, self.path, self.message, self.severity))

    @property
    def pointer(self) -> str:
        """The path as an RFC 6901 JSON pointer ('' = the document)."""
        pointer = self._pointer
        if pointer is None:
            pointer = render_pointer(self.path)
            object.__setattr__(self, "_pointer", pointer)
        return pointer

    def __str__(self) -> str:
        text = self._text
        if text is None:
            text = f"{self.pointer or '/'}: {self.message} [{self.rule}]"
            object.__setattr__(self, "_text", text)
        return text


class EnvelopeError(ValueError):
    """Raised by `decode` when a document is not acceptable under the requested profile."""

    def __init__(self, violations: list[Violation]) -> None:
        self.violations = list(violations)
        first = str(self.violations[0]) if self.violations else "invalid envelope"
        more = len(self.violations) - 1
        super().__init__(first + (f" (+{more} more)" if more > 0 else ""))
