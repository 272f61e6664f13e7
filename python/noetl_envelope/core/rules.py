"""Rules: the stable ids every `Violation.rule` names, as objects declared beside the code emitting them.

A `Rule` is a `str` (its id, so `violation.rule == "json.eof"` holds and reports print it as is)
carrying its category, default severity, the profiles that report it, a one-paragraph doc and
its message templates. Each is declared once, as a module-level constant in the module that
owns it, named after its id (`json.eof` -> `JSON_EOF`); declaring an id twice, or one whose
stage is unknown, fails at import. An id is `<stage>.<name>`; the stage says which module owns
the rule, so a newcomer goes from an id in a report straight to the code (`OWNERS`).
`all_rules()` loads every owner and returns the registry: docs/RULES.md and `noetl-envelope
rules` are made from it.

Messages are written by the rule, never at the emitting site (as ruff and pylint keep id,
message and documentation together): `message` is one `str.format` template, or a dict of
named forms when one rule words several findings differently, and `RULE.at(path, **fields)`
(`RULE.at(path, "form", **fields)`) is the one way to make a violation. The site passes only
data (numbers, keys, excerpts of the document, a library's own error text as `{detail}`).
Placeholders are plain names, checked when the rule is declared; a call whose fields are not
exactly a form's placeholders is a TypeError.
"""

from __future__ import annotations

import re
import string
import sys
from collections.abc import Mapping
from typing import Any

from noetl_envelope.core.registry import DECLARED, OWNERS, load_owners
from noetl_envelope.core.violations import JsonPath, Violation

__all__ = ["OWNERS", "PROFILES", "SEVERITIES", "Rule", "all_rules", "lookup"]

PROFILES = ("serde", "contract", "canonical")
SEVERITIES = ("error", "warning")

ALL_PROFILES = PROFILES
STRICT_PROFILES = ("contract", "canonical")  # rules serde itself does not apply
CANONICAL = ("canonical",)
COMPAT = ("compat",)  # reported by the compat command, not by a document profile
PROJECTION = ("--project",)  # with any profile when `validate --project` asks for them

_ID = re.compile(r"(?P<stage>[a-z]+)\.[A-Za-z0-9-]+")
_FORMATTER = string.Formatter()


class Rule(str):
    """One rule: the id itself, plus what it means and how it words a finding (see the module docstring)."""

    __slots__ = ("_forms", "category", "doc", "owner", "profiles", "severity")
    profiles: tuple[str, ...]
    doc: str
    category: str
    severity: str
    owner: str
    _forms: dict[str, tuple[str, frozenset[str]]]

    def __new__(
        cls,
        rule_id: str,
        profiles: tuple[str, ...],
        doc: str,
        *,
        message: str | Mapping[str, str] = "",
        category: str = "",
        severity: str = "error",
    ) -> Rule:
        match = _ID.fullmatch(rule_id)
        if match is None or match["stage"] not in OWNERS:
            raise ValueError(f"rule id {rule_id!r} is not <stage>.<name> with a stage of {', '.join(OWNERS)}")
        if rule_id in DECLARED:
            raise ValueError(f"rule {rule_id!r} is declared twice ({DECLARED[rule_id].owner} and again)")
        if severity not in SEVERITIES:
            raise ValueError(f"rule {rule_id!r}: severity {severity!r} is not one of {', '.join(SEVERITIES)}")
        forms = ({"": message} if message else {}) if isinstance(message, str) else dict(message)
        rule = super().__new__(cls, rule_id)
        rule.profiles, rule.doc, rule.category, rule.severity = profiles, doc, category, severity
        rule._forms = {form: (template, _placeholders(rule_id, form, template)) for form, template in forms.items()}
        # The module whose top level declares it: the owner a reader is sent to.
        rule.owner = str(sys._getframe(1).f_globals.get("__name__", "?"))
        DECLARED[rule_id] = rule
        return rule

    @property
    def id(self) -> str:
        return str(self)

    @property
    def messages(self) -> dict[str, str]:
        """Form name -> message template ('' names the only form of a single-message rule)."""
        return {form: template for form, (template, _names) in self._forms.items()}

    def message(self, form: str = "", /, **fields: object) -> str:
        """The message of `form` with `fields` put in; TypeError unless they are its placeholders."""
        try:
            template, names = self._forms[form]
        except KeyError:
            known = ", ".join(repr(name) for name in self._forms) or "none"
            raise TypeError(f"rule {self}: no message form {form!r} (its forms: {known})") from None
        if fields.keys() != names:
            missing = ", ".join(sorted(names - fields.keys())) or "-"
            extra = ", ".join(sorted(fields.keys() - names)) or "-"
            raise TypeError(f"rule {self}, message form {form!r}: missing fields {missing}; unexpected fields {extra}")
        return template.format_map(fields)

    def at(self, path: JsonPath, form: str = "", /, **fields: object) -> Violation:
        """The violation of this rule at `path` (`()`: the document), worded by its message `form`."""
        return Violation(self, path, self.message(form, **fields), self.severity)

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        # Violations cross the --jobs pipes by pickle: a rule comes back as the parent's own object.
        return (lookup, (str(self),))


def _placeholders(rule_id: str, form: str, template: str) -> frozenset[str]:
    """The field names of a template; ValueError for a positional, dotted or nested placeholder."""
    names: set[str] = set()
    try:
        parsed = list(_FORMATTER.parse(template))
    except ValueError as exc:
        raise ValueError(f"rule {rule_id!r}, message form {form!r}: {exc}") from None
    for _text, name, spec, _conversion in parsed:
        if name is None:
            continue
        if not name.isidentifier() or (spec and "{" in spec):
            raise ValueError(f"rule {rule_id!r}, message form {form!r}: placeholder {{{name}}} is not a plain name")
        names.add(name)
    return frozenset(names)


def lookup(rule_id: str) -> Rule:
    """The declared rule with this id (its owner module is loaded if needed); KeyError if none."""
    rule = DECLARED.get(rule_id)
    if rule is None:
        load_owners()
        rule = DECLARED[rule_id]
    return rule  # type: ignore[no-any-return]  # DECLARED holds only Rules, typed Any below them


def all_rules() -> dict[str, Rule]:
    """Every declared rule, by id, in the order of `OWNERS` and then of declaration."""
    load_owners()
    # Import order varies with what a process loaded first: sort by stage, then owner, then the
    # order of declaration inside the owner (dicts keep insertion order, and a module runs once).
    stages = list(OWNERS)
    declared = {rule_id: index for index, rule_id in enumerate(DECLARED)}

    def key(item: tuple[str, Rule]) -> tuple[int, int, int]:
        rule_id, rule = item
        stage = rule_id.split(".", 1)[0]
        return stages.index(stage), OWNERS[stage].index(rule.owner), declared[rule_id]

    return dict(sorted(DECLARED.items(), key=key))
