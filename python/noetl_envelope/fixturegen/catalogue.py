"""Load fixtures/catalogue.yaml, the hand-written named cases, into `Case`s.

The file is read as a YAML node tree (not plain values) so that every complaint about it can
name the line it is on: a malformed catalogue stops `make gen` with one line
`<file>:<line>: <what> [fixturegen.catalogue]`, where `<what>` is one of the rule's message
forms (`catalogue_error`); the `what=` a shape check is given names the place in the catalogue,
as a path would. Scalars are taken as their source text, so a plain `1.0` or `-0` stays exactly
that spelling in the document. The format is described at the top of the catalogue itself and
in fixtures/README.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from noetl_envelope.core.rules import Rule
from noetl_envelope.fixturegen.cases import (
    CATEGORY_PATTERN,
    NAME_PATTERN,
    Case,
    Member,
    render_object,
    render_sequence,
    to_bytes,
)
from noetl_envelope.fixturegen.systematic import typical_value
from noetl_envelope.model.rusttypes import key, nested
from noetl_envelope.model.schema import field_specs

FIXTUREGEN_CATALOGUE = Rule(
    "fixturegen.catalogue",
    ("make gen",),
    "fixtures/catalogue.yaml is malformed (YAML syntax, an unknown key, a missing or repeated case "
    "name); the message names the line.",
    message={
        "unreadable": "cannot read the catalogue: {detail}",
        "yaml": "not valid YAML: {detail}",
        "empty": "the catalogue is empty",
        "not-a-mapping": "{what} must be a mapping",
        "not-a-list": "{what} must be a list",
        "not-a-value": "{what} must be a single value, not a {kind}",
        "not-an-integer": "{what} must be an integer, not {text!r}",
        "repeated-key": "{what}: key {key!r} appears twice",
        "missing-top-key": "the catalogue needs a top-level {key!r}",
        "unknown-top-key": "unknown top-level key {key!r} (expected base, categories)",
        "empty-base": "base must name at least one member",
        "category-name": "category name {category!r} must match {pattern}",
        "category-keys": "category {category!r} needs exactly 'description' and 'cases'",
        "no-cases": "category {category!r} has no cases",
        "repeated-case": "case name {case!r} is used twice",
        "unknown-case-key": "unknown case key {key!r} (expected one of {expected})",
        "missing-case-key": "a case needs a {key!r}",
        "case-name": "case name {case!r} must match {pattern}",
        "whole-and-edits": "{case}: 'raw' and 'sequence' replace the whole document; use one and no member edits",
        "not-a-base-member": "{case}: {field!r} is not a base member (use 'append' for other keys)",
        "append-entry": "{case}: an append entry is [raw key, raw value]",
        "nest-keys": "{case}: nest needs 'field' and 'depth' (and optionally 'container')",
        "nest-container": "{case}: nest container must be 'object' or 'array'",
        "nest-depth": "{case}: nest depth counts the envelope, so it is at least 2",
        # Raised by fixturegen.render, once the catalogue's and the systematic cases meet.
        "name-clash": "fixture name {case!r} is both a {first} and a {second} case",
        "codec-cannot-write": "{case}: serde accepts it but the codec cannot write it: {detail}",
    },
)


RULE = FIXTUREGEN_CATALOGUE
_MEMBER_OPS = ("set", "nest", "rename", "remove", "append", "separator", "colon")
_WHOLE_OPS = ("raw", "sequence")
_CASE_KEYS = ("name", "description", *_MEMBER_OPS, *_WHOLE_OPS, "prefix", "suffix")


class FixtureError(Exception):
    """The fixtures cannot be generated (a malformed catalogue, a clash of names); one line."""


def catalogue_error(display: str, line: int | None, form: str, /, **fields: object) -> FixtureError:
    """`display[:line]: <the rule's message form> [fixturegen.catalogue]`, `line` counted from 1."""
    where = f":{line}" if line is not None else ""
    return FixtureError(f"{display}{where}: {RULE.message(form, **fields)} [{RULE}]")


@dataclass(frozen=True, slots=True)
class Catalogue:
    categories: dict[str, str]  # name -> description, in file order
    cases: list[Case]


class _Loader:
    def __init__(self, display: str) -> None:
        self.display = display

    def error(self, node: yaml.Node | None, form: str, /, **fields: object) -> FixtureError:
        line = node.start_mark.line + 1 if node is not None else None
        return catalogue_error(self.display, line, form, **fields)

    def mapping(self, node: yaml.Node, what: str) -> list[tuple[str, yaml.Node]]:
        if not isinstance(node, yaml.MappingNode):
            raise self.error(node, "not-a-mapping", what=what)
        items: list[tuple[str, yaml.Node]] = []
        seen: set[str] = set()
        for key_node, value_node in node.value:
            name = self.text(key_node, f"a key of {what}")
            # PyYAML would silently keep the last of two equal keys; a catalogue typo must not.
            if name in seen:
                raise self.error(key_node, "repeated-key", what=what, key=name)
            seen.add(name)
            items.append((name, value_node))
        return items

    def sequence(self, node: yaml.Node, what: str) -> list[yaml.Node]:
        if not isinstance(node, yaml.SequenceNode):
            raise self.error(node, "not-a-list", what=what)
        return list(node.value)

    def text(self, node: yaml.Node, what: str) -> str:
        if not isinstance(node, yaml.ScalarNode):
            raise self.error(node, "not-a-value", what=what, kind=_kind(node))
        return str(node.value)

    def integer(self, node: yaml.Node, what: str) -> int:
        text = self.text(node, what)
        try:
            return int(text)
        except ValueError:
            raise self.error(node, "not-an-integer", what=what, text=text) from None


def _kind(node: yaml.Node) -> str:
    return "mapping" if isinstance(node, yaml.MappingNode) else "list"


def load_catalogue(path: Path, display: str | None = None) -> Catalogue:
    """The catalogue at `path`; FixtureError (one line, `display:line`) if it is malformed."""
    loader = _Loader(display or str(path))
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise loader.error(None, "unreadable", detail=reason) from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        if mark is not None and mark.line >= len(text.splitlines()):
            # Found at the end of the stream (an unclosed bracket): where the construct began helps more.
            mark = getattr(exc, "context_mark", None) or mark
        problem = getattr(exc, "problem", None) or str(exc)
        line = mark.line + 1 if mark is not None else None
        raise catalogue_error(loader.display, line, "yaml", detail=" ".join(problem.split())) from None
    if root is None:
        raise loader.error(None, "empty")
    top = dict(loader.mapping(root, "the catalogue"))
    for required in ("base", "categories"):
        if required not in top:
            raise loader.error(root, "missing-top-key", key=required)
    unknown = sorted(set(top) - {"base", "categories"})
    if unknown:
        raise loader.error(root, "unknown-top-key", key=unknown[0])
    base = [(name, loader.text(node, f"base member {name!r}")) for name, node in loader.mapping(top["base"], "base")]
    if not base:
        raise loader.error(top["base"], "empty-base")
    base = _with_required_fields(base)

    categories: dict[str, str] = {}
    cases: list[Case] = []
    names: set[str] = set()
    for category, cat_node in loader.mapping(top["categories"], "categories"):
        if not CATEGORY_PATTERN.fullmatch(category):
            raise loader.error(cat_node, "category-name", category=category, pattern=CATEGORY_PATTERN.pattern)
        fields = dict(loader.mapping(cat_node, f"category {category!r}"))
        if set(fields) != {"description", "cases"}:
            raise loader.error(cat_node, "category-keys", category=category)
        categories[category] = loader.text(fields["description"], f"category {category!r} description")
        case_nodes = loader.sequence(fields["cases"], f"category {category!r} cases")
        if not case_nodes:
            raise loader.error(fields["cases"], "no-cases", category=category)
        for case_node in case_nodes:
            case = _case(loader, case_node, category, base)
            if case.name in names:
                raise loader.error(case_node, "repeated-case", case=case.name)
            names.add(case.name)
            cases.append(case)
    return Catalogue(categories, cases)


def _with_required_fields(base: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """`base` with each field the schema requires and `base` leaves out, at its typical value, after
    the last field declared before it: a field added to the schema reaches every catalogue case,
    so each still probes what it names rather than the missing field."""
    members = list(base)
    named = {name for name, _ in base}
    declared: list[str] = []
    for spec in field_specs():
        if spec.wire not in named and spec.required:
            before = [index for index, (name, _) in enumerate(members) if name in declared]
            members.insert(before[-1] + 1 if before else 0, (spec.wire, typical_value(spec)))
        declared.append(spec.wire)
    return members


def _case(loader: _Loader, node: yaml.Node, category: str, base: list[tuple[str, str]]) -> Case:
    items = dict(loader.mapping(node, "a case"))
    for name in items:
        if name not in _CASE_KEYS:
            raise loader.error(node, "unknown-case-key", key=name, expected=", ".join(_CASE_KEYS))
    for required in ("name", "description"):
        if required not in items:
            raise loader.error(node, "missing-case-key", key=required)
    name = loader.text(items["name"], "name")
    if not NAME_PATTERN.fullmatch(name):
        raise loader.error(items["name"], "case-name", case=name, pattern=NAME_PATTERN.pattern)
    description = loader.text(items["description"], f"{name}: description")
    whole = [op for op in _WHOLE_OPS if op in items]
    if len(whole) > 1 or (whole and any(op in items for op in _MEMBER_OPS)):
        raise loader.error(node, "whole-and-edits", case=name)
    if "raw" in items:
        body = to_bytes(loader.text(items["raw"], f"{name}: raw"))
    elif "sequence" in items:
        values = [loader.text(item, f"{name}: a sequence value") for item in loader.sequence(items["sequence"], name)]
        body = render_sequence(values)
    else:
        body = _edited_base(loader, items, name, base)
    prefix = to_bytes(loader.text(items["prefix"], f"{name}: prefix")) if "prefix" in items else b""
    suffix = to_bytes(loader.text(items["suffix"], f"{name}: suffix")) if "suffix" in items else b""
    return Case(name, category, description, "catalogue", prefix + body + suffix)


def _edited_base(loader: _Loader, items: dict[str, yaml.Node], name: str, base: list[tuple[str, str]]) -> bytes:
    fields = [field for field, _ in base]
    members: list[Member] = [(key(field), value) for field, value in base]

    def field_node(field: str, node: yaml.Node) -> int:
        if field not in fields:
            raise loader.error(node, "not-a-base-member", case=name, field=field)
        return fields.index(field)

    for field, value_node in loader.mapping(items["set"], f"{name}: set") if "set" in items else ():
        index = field_node(field, value_node)
        members[index] = (members[index][0], loader.text(value_node, f"{name}: set {field}"))
    if "nest" in items:
        members = _nest(loader, items["nest"], name, members, fields)
    for field, key_node in loader.mapping(items["rename"], f"{name}: rename") if "rename" in items else ():
        index = field_node(field, key_node)
        members[index] = (loader.text(key_node, f"{name}: rename {field}"), members[index][1])
    if "remove" in items:
        doomed = set()
        for item in loader.sequence(items["remove"], f"{name}: remove"):
            doomed.add(field_node(loader.text(item, f"{name}: remove"), item))
        members = [member for index, member in enumerate(members) if index not in doomed]
    for pair in loader.sequence(items["append"], f"{name}: append") if "append" in items else ():
        parts = loader.sequence(pair, f"{name}: an append entry")
        if len(parts) != 2:
            raise loader.error(pair, "append-entry", case=name)
        members.append((loader.text(parts[0], f"{name}: append key"), loader.text(parts[1], f"{name}: append value")))
    separator = loader.text(items["separator"], f"{name}: separator") if "separator" in items else ","
    colon = loader.text(items["colon"], f"{name}: colon") if "colon" in items else ":"
    return render_object(members, separator=separator, colon=colon)


def _nest(loader: _Loader, node: yaml.Node, name: str, members: list[Member], base_fields: list[str]) -> list[Member]:
    spec = dict(loader.mapping(node, f"{name}: nest"))
    if not {"field", "depth"} <= set(spec) <= {"field", "depth", "container"}:
        raise loader.error(node, "nest-keys", case=name)
    field = loader.text(spec["field"], f"{name}: nest field")
    depth = loader.integer(spec["depth"], f"{name}: nest depth")
    container = loader.text(spec["container"], f"{name}: nest container") if "container" in spec else "object"
    if container not in ("object", "array"):
        raise loader.error(spec["container"], "nest-container", case=name)
    if depth < 2:
        raise loader.error(spec["depth"], "nest-depth", case=name)
    # `depth` is the document's nesting at its deepest point; the envelope object is level 1.
    value = nested(depth - 1, container)
    if field not in base_fields:
        return [*members, (key(field), value)]  # an unknown member, which serde skips unread
    index = base_fields.index(field)
    return [*members[:index], (members[index][0], value), *members[index + 1 :]]
