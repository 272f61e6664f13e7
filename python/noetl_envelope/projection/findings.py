"""What the native engine found projection into `noetl.event` may change in one document: the
answer of `Prover.project` (rust/accel `Projection`), which `predict.violations_from_changes`
words. Types only, so that the engines can name it without loading the prediction.

`Projection` is (changes, timestamps). Each change is (path, "number", [token], 1) or (path,
"key-order", the first four keys in JSONB's order, how many keys), in the order the prediction
words them; each timestamp field to judge is (name, start, end), its JSON string's span. Both
empty: projection loses nothing.
"""

from __future__ import annotations

from noetl_envelope.core.violations import JsonPath

ProjectionChange = tuple[JsonPath, str, list[str], int]
Projection = tuple[list[ProjectionChange], list[tuple[str, int, int]]]
