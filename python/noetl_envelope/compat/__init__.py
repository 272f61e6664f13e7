"""The schema compatibility gate (`noetl-envelope compat`), in the spirit of `buf breaking`.

Pipeline: sources (a file, a git revision, a release) -> diff (property by property, from the
schema annotations) -> kinds (one function per change kind: which role x direction cells it
breaks) -> counterexample (a concrete document proving each broken cell, checked with judge) ->
policy (semver bump, CHANGELOG, immutable releases) -> report (text, json, junit, github).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from noetl_envelope.compat.model import CELLS, DIRECTIONS, ROLES, Change, Counterexample

if TYPE_CHECKING:
    from noetl_envelope.compat.gate import compare, failing

__all__ = ["CELLS", "DIRECTIONS", "ROLES", "Change", "Counterexample", "compare", "failing"]


def __getattr__(name: str) -> Any:
    # The gate pulls in jsonschema and the profiles; every CLI start imports this package (to
    # configure `compat`'s parser), so the gate loads only when `compare`/`failing` are used.
    if name in ("compare", "failing"):
        from noetl_envelope.compat import gate

        return getattr(gate, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
