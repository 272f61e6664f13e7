"""Judge every case under the three profiles and lay the fixtures and their manifest out as files.

A case whose document is canonical is a *valid* fixture, stored as those exact bytes plus one
`\n` (the manifest says so with `newline_appended`); every other case is stored byte for byte,
with nothing appended, because a trailing newline is whitespace to serde_json and would change
what some cases test. The manifest records each fixture's verdict and rule ids per profile and,
when serde accepts it, what `serde_json::to_string` writes back (`encode(decode(doc,
profile="serde"))`: numbers read as the schema's consumers read them, `codec.serde_reader`).
Everything is sorted and carries no timestamp, so `make gen` is reproducible and `make
check-gen` sees any drift.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from noetl_envelope.core.rules import PROFILES
from noetl_envelope.engines.reference import run
from noetl_envelope.fixturegen.cases import Case
from noetl_envelope.fixturegen.catalogue import RULE, Catalogue, FixtureError, catalogue_error, load_catalogue
from noetl_envelope.fixturegen.systematic import CATEGORIES, systematic_cases
from noetl_envelope.model.codec import encode_values, field_values, serde_reader
from noetl_envelope.model.rusttypes import EncodeError
from noetl_envelope.model.schema import load_schema, schema_version

FIXTURES_DIR = "fixtures"
CATALOGUE = f"{FIXTURES_DIR}/catalogue.yaml"
MANIFEST = f"{FIXTURES_DIR}/manifest.json"
VALID_DIR = f"{FIXTURES_DIR}/valid"
INVALID_DIR = f"{FIXTURES_DIR}/invalid"
MANIFEST_FORMAT = 2  # 2: `rules` lists error rules only, `warnings` the warning rules


@dataclass(frozen=True, slots=True)
class Judged:
    """A case with its verdicts: `rules[profile]` (the error rules) is [] when the profile accepts
    the document; `warnings[profile]` are the warning rules, which accept it all the same."""

    case: Case
    rules: dict[str, list[str]]
    warnings: dict[str, list[str]]
    serde_output: str | None

    @property
    def valid(self) -> bool:
        # A canonical document never ends with a newline of its own unless the case put one there
        # (canonical allows one); such a case stays with the invalid ones, stored exactly. A valid
        # fixture is a fixed point of serde_json, so a warning (a float it reads back as a
        # neighbour) keeps a case out as well.
        return not self.rules["canonical"] and not self.warnings["canonical"] and not self.case.document.endswith(b"\n")

    @property
    def file(self) -> str:
        """The path relative to fixtures/."""
        if self.valid:
            return f"valid/{self.case.name}.json"
        return f"invalid/{self.case.category}/{self.case.name}.json"

    @property
    def content(self) -> bytes:
        return self.case.document + b"\n" if self.valid else self.case.document


def judge(case: Case) -> Judged:
    """The case's verdict under every profile, and serde_json's output when serde accepts it."""
    rules: dict[str, list[str]] = {}
    warnings: dict[str, list[str]] = {}
    serde_output = None
    # The schema's consumers' reader: correctly rounded when they build with float_roundtrip.
    read_number = serde_reader()
    for profile in PROFILES:
        outcome = run(case.document, profile)
        rules[profile] = sorted({v.rule for v in outcome.violations if v.severity == "error"})
        warnings[profile] = sorted({v.rule for v in outcome.violations if v.severity == "warning"})
        if profile == "serde" and not rules[profile] and outcome.binding is not None:
            try:
                output = encode_values(field_values(outcome.binding, read_number))
            except EncodeError as exc:  # serde accepted it, so serde_json can write it: a codec bug
                raise FixtureError(RULE.message("codec-cannot-write", case=case.name, detail=exc)) from exc
            serde_output = output.decode("utf-8")
    return Judged(case, rules, warnings, serde_output)


def all_cases(root: Path, *, require_catalogue: bool = True) -> tuple[dict[str, str], list[Case]]:
    """The catalogue's cases then the systematic ones, and every category's description. Without
    `require_catalogue` (a schema repository's `gen`) a missing catalogue means systematic cases only."""
    if require_catalogue or (root / CATALOGUE).is_file():
        catalogue = load_catalogue(root / CATALOGUE, display=CATALOGUE)
    else:
        catalogue = Catalogue({}, [])
    cases = [*catalogue.cases, *systematic_cases()]
    seen: dict[str, Case] = {}
    for case in cases:
        if case.name in seen:
            raise catalogue_error(
                CATALOGUE, None, "name-clash", case=case.name, first=seen[case.name].source, second=case.source
            )
        seen[case.name] = case
    categories = dict(CATEGORIES)
    categories.update(catalogue.categories)  # the catalogue's wording wins for a shared category
    return categories, cases


def render_fixtures(root: Path, *, require_catalogue: bool = True) -> dict[str, bytes]:
    """Every fixture file and the manifest: repository-relative path -> exact bytes."""
    categories, cases = all_cases(root, require_catalogue=require_catalogue)
    judged = sorted((judge(case) for case in cases), key=lambda item: item.file)
    files = {f"{FIXTURES_DIR}/{item.file}": item.content for item in judged}
    files[MANIFEST] = manifest_bytes(categories, judged)
    return files


def manifest_bytes(categories: dict[str, str], judged: list[Judged]) -> bytes:
    used = {item.case.category for item in judged}
    manifest = {
        "format": MANIFEST_FORMAT,
        "schema": load_schema()["$id"],
        "schema_version": schema_version(),
        "generated_by": "make gen (python/noetl_envelope/fixturegen), from fixtures/catalogue.yaml and the schema",
        "profiles": list(PROFILES),
        "categories": {name: categories[name] for name in sorted(used)},
        "fixtures": [_entry(item) for item in judged],
    }
    # ASCII with \u escapes: a reader never has to guess the encoding, and raw U+2028 cannot
    # trip a line-based tool.
    return (json.dumps(manifest, indent=2, ensure_ascii=True) + "\n").encode("ascii")


def _entry(item: Judged) -> dict[str, Any]:
    case = item.case
    entry: dict[str, Any] = {
        "name": case.name,
        "file": item.file,
        "category": case.category,
        "description": case.description,
        "source": case.source,
        "field": case.field,
        "newline_appended": item.valid,
        "expected": {profile: "reject" if item.rules[profile] else "accept" for profile in PROFILES},
        "rules": item.rules,
        "warnings": item.warnings,
    }
    if item.serde_output is not None:
        entry["serde_output"] = item.serde_output
    return entry
