"""Run one role's reader and writer on document bytes, against either version of the schema.

A reader is serde (Rust consumer) or the contract profile (Python consumer, producer gate),
each given the schema of its side (`profiles.contract.check(tree, schema)`). A writer "may
write" a document when it is contract-valid on its side; for the producer role it must also be
what a struct serializer writes (every field but a skipped None present, no `null` where serde
skips None, no undeclared keys). Results are cached: the search asks the same questions often.
"""

from __future__ import annotations

import json
from typing import Any

from noetl_envelope.compat.model import Side
from noetl_envelope.core.violations import Violation
from noetl_envelope.model.codec import serde_reader
from noetl_envelope.model.schema import field_specs
from noetl_envelope.profiles import contract, serde
from noetl_envelope.wire.lexer import LexError, scan


class Judge:
    """The checks of one comparison; its cache keys a side by its label ('old' / 'new'), so one
    Judge serves exactly one pair of schemas."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, str, bytes], list[Violation]] = {}

    def reader_violations(self, role: str, side: Side, data: bytes) -> list[Violation]:
        """Why the role's reader on this side rejects the document ([] = it reads it)."""
        return self._run("serde" if role == "rust" else "contract", side, data)

    def writer_may_write(self, role: str, side: Side, data: bytes) -> bool:
        if self._run("contract", side, data):
            return False
        return role != "producer" or producer_form(side, json.loads(data))

    def _run(self, profile: str, side: Side, data: bytes) -> list[Violation]:
        key = (profile, side.label, data)
        if key not in self._cache:
            try:
                tree = scan(data)
            except LexError as exc:
                self._cache[key] = [exc.violation(data)]
            else:
                if profile == "serde":
                    self._cache[key] = serde.check(tree, field_specs(side.schema), serde_reader(side.schema))[0]
                else:
                    self._cache[key] = contract.check(tree, side.schema)[0]
        return self._cache[key]


def producer_form(side: Side, document: Any) -> bool:
    """Whether serde_json::to_string of some struct value on this side could have these members."""
    if not isinstance(document, dict) or set(document) - set(side.specs):
        return False
    for name, spec in side.specs.items():
        if spec.optional and spec.skip_if_none:
            # None is skipped; Some(Value::Null) is the only way to write a null here.
            if name in document and document[name] is None and not spec.inner.free_form:
                return False
        elif name not in document:
            return False
    return True
