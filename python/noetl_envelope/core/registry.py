"""Where declared rules are kept, and which modules declare them: the registry `core.rules` fills.

It sits below both `core.rules` (a `Rule` builds `Violation`s) and `core.violations` (a
`Violation` made from a plain id takes that rule's default severity), so neither imports the
other's importer. Stage -> owner modules is here too: loading every owner is how an id not
yet declared in this process is found.
"""

from __future__ import annotations

import importlib
from typing import Any

# stage -> the modules declaring its rules (each module's docstring says what it checks).
OWNERS: dict[str, tuple[str, ...]] = {
    "input": ("noetl_envelope.run.reader",),
    "json": (
        "noetl_envelope.wire.jsontree",
        "noetl_envelope.wire.lexer",
        "noetl_envelope.model.rusttypes.base",
        "noetl_envelope.profiles.contract",
    ),
    "serde": ("noetl_envelope.model.binding", "noetl_envelope.model.rusttypes.base", "noetl_envelope.profiles.serde"),
    "schema": ("noetl_envelope.profiles.contract",),
    "contract": ("noetl_envelope.profiles.contract",),
    "canonical": ("noetl_envelope.profiles.canonical",),
    "drift": ("noetl_envelope.profiles.drift",),
    "project": ("noetl_envelope.projection.predict",),
    "fixturegen": ("noetl_envelope.fixturegen.catalogue",),
    "compat": ("noetl_envelope.compat.kinds", "noetl_envelope.compat.policy"),
}

# id -> its `core.rules.Rule`, in the order declared (typed Any: this module is below `Rule`).
DECLARED: dict[str, Any] = {}


def load_owners() -> None:
    """Import every owner module, so every rule is declared."""
    for modules in OWNERS.values():
        for module in modules:
            importlib.import_module(module)


def severity_of(rule_id: str) -> str:
    """The default severity of the rule with this id ("error" for an id no owner declares)."""
    if rule_id not in DECLARED:
        load_owners()
    rule = DECLARED.get(rule_id)
    return str(rule.severity) if rule is not None else "error"
