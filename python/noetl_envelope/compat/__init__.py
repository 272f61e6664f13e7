"""The schema compatibility gate (`noetl-envelope compat`), in the spirit of `buf breaking`.

Pipeline: sources (a file, a git revision, a release) -> diff (property by property, from the
schema annotations) -> kinds (one function per change kind: which role x direction cells it
breaks) -> counterexample (a concrete document proving each broken cell, checked with judge) ->
policy (semver bump, CHANGELOG, immutable releases) -> report (text, json, junit, github).
"""

from __future__ import annotations

from noetl_envelope.compat.gate import compare, failing
from noetl_envelope.compat.model import CELLS, DIRECTIONS, ROLES, Change, Counterexample

__all__ = ["CELLS", "DIRECTIONS", "ROLES", "Change", "Counterexample", "compare", "failing"]
