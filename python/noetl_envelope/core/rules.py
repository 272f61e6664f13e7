"""Rules: the stable ids every `Violation.rule` names, as objects declared beside the code emitting them.

A `Rule` is a `str` (its id, so `violation.rule == "json.eof"` holds and reports print it as is)
carrying its category, default severity, the profiles that report it and a one-paragraph doc.
Each is declared once, as a module-level constant in the module that owns it, named after its
id (`json.eof` -> `JSON_EOF`); declaring an id twice, or one whose stage is unknown, fails at
import. An id is `<stage>.<name>`; the stage says which module owns the rule, so a newcomer
goes from an id in a report straight to the code (`OWNERS`). `all_rules()` loads every owner
and returns the registry: docs/RULES.md and `noetl-envelope rules` are made from it.
"""

from __future__ import annotations

import importlib
import re
import sys
from typing import Any

PROFILES = ("serde", "contract", "canonical")
SEVERITIES = ("error", "warning")

ALL_PROFILES = PROFILES
STRICT_PROFILES = ("contract", "canonical")  # rules serde itself does not apply
CANONICAL = ("canonical",)
COMPAT = ("compat",)  # reported by the compat command, not by a document profile
PROJECTION = ("--project",)  # with any profile when `validate --project` asks for them

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

_ID = re.compile(r"(?P<stage>[a-z]+)\.[A-Za-z0-9-]+")
_REGISTRY: dict[str, Rule] = {}


class Rule(str):
    """One rule: the id itself, plus what it means (see the module docstring)."""

    __slots__ = ("category", "doc", "owner", "profiles", "severity")
    profiles: tuple[str, ...]
    doc: str
    category: str
    severity: str
    owner: str

    def __new__(
        cls, rule_id: str, profiles: tuple[str, ...], doc: str, *, category: str = "", severity: str = "error"
    ) -> Rule:
        match = _ID.fullmatch(rule_id)
        if match is None or match["stage"] not in OWNERS:
            raise ValueError(f"rule id {rule_id!r} is not <stage>.<name> with a stage of {', '.join(OWNERS)}")
        if rule_id in _REGISTRY:
            raise ValueError(f"rule {rule_id!r} is declared twice ({_REGISTRY[rule_id].owner} and again)")
        if severity not in SEVERITIES:
            raise ValueError(f"rule {rule_id!r}: severity {severity!r} is not one of {', '.join(SEVERITIES)}")
        rule = super().__new__(cls, rule_id)
        rule.profiles, rule.doc, rule.category, rule.severity = profiles, doc, category, severity
        # The module whose top level declares it: the owner a reader is sent to.
        rule.owner = str(sys._getframe(1).f_globals.get("__name__", "?"))
        _REGISTRY[rule_id] = rule
        return rule

    @property
    def id(self) -> str:
        return str(self)

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        # Violations cross the --jobs pipes by pickle: a rule comes back as the parent's own object.
        return (lookup, (str(self),))


def lookup(rule_id: str) -> Rule:
    """The declared rule with this id (its owner module is loaded if needed); KeyError if none."""
    rule = _REGISTRY.get(rule_id)
    if rule is None:
        all_rules()
        rule = _REGISTRY[rule_id]
    return rule


def all_rules() -> dict[str, Rule]:
    """Every declared rule, by id, in the order of `OWNERS` and then of declaration."""
    for modules in OWNERS.values():
        for module in modules:
            importlib.import_module(module)
    # Import order varies with what a process loaded first: sort by stage, then owner, then the
    # order of declaration inside the owner (dicts keep insertion order, and a module runs once).
    stages = list(OWNERS)
    declared = {rule_id: index for index, rule_id in enumerate(_REGISTRY)}

    def key(item: tuple[str, Rule]) -> tuple[int, int, int]:
        rule_id, rule = item
        stage = rule_id.split(".", 1)[0]
        return stages.index(stage), OWNERS[stage].index(rule.owner), declared[rule_id]

    return dict(sorted(_REGISTRY.items(), key=key))
