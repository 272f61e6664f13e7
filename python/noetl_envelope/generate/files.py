"""`make gen` and `noetl-envelope gen [--check]`: every file derived from schema/, rendered in one place.

`render` computes the full set of generated files in memory (the dataclass module through
datamodel-codegen, whose options live in pyproject.toml, the rule table, the Rust harness's
files, the fixtures and, built from those Rust files, the bundled samples); `write` puts
them in the tree and `check` reports, as unified diffs, every file that is stale, missing or
no longer generated. Nothing rendered carries a timestamp, so a clean tree regenerates to
identical bytes.

Two layouts (`find_root`). In a noetl-envelope source checkout (a pyproject.toml naming the
project `noetl-envelope` beside schema/) every file above. In any other schema repository
(schema/executor_event.schema.json found by `core.config`, no pyproject.toml needed) only what
derives from the schema alone and serves its consumers: the fixtures and their manifest
(`fixtures/valid/`, `fixtures/invalid/`, `fixtures/manifest.json`: the systematic cases per
field, plus the repository's own `fixtures/catalogue.yaml` when it has one), which a Rust
service's tests or the noetl-envelope-contract crate can read.
"""

from __future__ import annotations

import difflib
import json
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from noetl_envelope.core.rules import all_rules
from noetl_envelope.generate.samples import SamplesError, has_harness, render_samples
from noetl_envelope.model import schema_lint
from noetl_envelope.model.schema import SCHEMA_FILE, schema_digest

SCHEMA_REL = f"schema/{SCHEMA_FILE}"
MODEL_PACKAGE = "generated/noetl_envelope_generated"
RULES_DOC = "docs/RULES.md"
# The schema's field checks as the native accelerator takes them (fastpath.accel_spec), for the
# accelerator's own Rust unit tests: they read this file, so they test the current schema.
ACCEL_SPEC = "rust/accel/src/spec.json"
# Directories whose every file is generated: a file here that `render` does not produce is stale.
OWNED_DIRS = (MODEL_PACKAGE, "fixtures/valid", "fixtures/invalid")
SCHEMA_REPO_OWNED_DIRS = ("fixtures/valid", "fixtures/invalid")

_INIT = '''"""Generated from schema/{schema} by `make gen`; do not edit by hand.

The dataclass mirrors the Rust struct field for field; the hand-written codec in
noetl_envelope reads and writes it. SCHEMA_SHA256 is the digest of the schema bytes `make gen`
linted and generated from (noetl_envelope.model.schema.load_schema trusts their metaschema check).
"""

SCHEMA_SHA256 = "{digest}"

from noetl_envelope_generated.executor_event import ExecutorEvent  # noqa: E402

__all__ = ["SCHEMA_SHA256", "ExecutorEvent"]
'''


class GenError(Exception):
    """Generation could not run (tool missing, no schema repository); a one-line message."""


def find_root() -> tuple[Path, bool]:
    """The repository `gen` writes in, and whether it is a noetl-envelope source checkout: the
    directory holding the process's schema as schema/executor_event.schema.json (`core.config`
    found it from the working directory, a config file or --schema)."""
    from noetl_envelope.core.config import discover
    from noetl_envelope.model.schema import chosen_schema

    # scripts/gen.py (make gen) runs without the CLI, which would have chosen the schema.
    chosen = chosen_schema() or discover().schema
    if chosen is None:
        raise GenError(
            f"{Path.cwd()}: no {SCHEMA_REL} here or above (or in a config file's schema key): nothing to generate from"
        )
    path = Path(chosen).resolve()
    if path.name != SCHEMA_FILE or path.parent.name != "schema":
        raise GenError(
            f"{chosen}: gen needs the schema at {SCHEMA_REL} of a repository (it writes fixtures/ beside it)"
        )
    root = path.parent.parent
    return root, _is_source_checkout(root)


def _is_source_checkout(root: Path) -> bool:
    import tomllib

    try:
        with open(root / "pyproject.toml", "rb") as handle:
            project = tomllib.load(handle).get("project", {})
    except (OSError, tomllib.TOMLDecodeError):
        return False
    return isinstance(project, dict) and project.get("name") == "noetl-envelope"


def _render_model(root: Path) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "executor_event.py"
        cmd = [
            sys.executable,
            "-m",
            "datamodel_code_generator",
            "--input",
            f"schema/{SCHEMA_FILE}",
            "--output",
            str(out),
        ]
        try:
            proc = subprocess.run(cmd, cwd=root, capture_output=True, text=True, check=False)
        except OSError as exc:
            raise GenError(f"cannot run datamodel-codegen: {exc}") from exc
        if proc.returncode != 0:
            if "No module named datamodel_code_generator" in proc.stderr:
                raise GenError("datamodel-code-generator is not installed: pip install 'noetl-envelope[gen]'")
            last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
            raise GenError(f"datamodel-codegen failed: {last}")
        return out.read_bytes()


def _render_rules_doc() -> bytes:
    lines = [
        "# Rule ids",
        "",
        "Generated by `make gen` from the rules declared in the package; do not edit by hand.",
        "The part before the dot names the stage; the owner column names the module declaring the rule.",
        "The message column is the rule's message template (`{name}`: a value from the document or the",
        "check); a rule that words findings in several ways lists each form under its name.",
        "",
        "| id | severity | profiles | meaning | message | owner |",
        "|---|---|---|---|---|---|",
    ]
    for rule in all_rules().values():
        doc = (f"[{rule.category}] " if rule.category else "") + rule.doc.replace("|", "\\|")
        owner = rule.owner.removeprefix("noetl_envelope.")
        messages = "<br>".join(
            (f"{form}: " if form else "") + "`` " + template.replace("|", "\\|") + " ``"
            for form, template in rule.messages.items()
        )
        lines.append(f"| `{rule.id}` | {rule.severity} | {', '.join(rule.profiles)} | {doc} | {messages} | `{owner}` |")
    return ("\n".join(lines) + "\n").encode()


def _render_accel_spec() -> bytes:
    from noetl_envelope.engines.fast import accel_spec

    # One field per line: a schema change shows as a readable diff in `gen --check`.
    spec = accel_spec()
    if spec is None:
        return b"null\n"
    fields = ",\n".join("  " + json.dumps(field, separators=(", ", ": ")) for field in spec["fields"])
    return ('{"fields": [\n' + fields + "\n]}\n").encode()


def render(root: Path, *, checkout: bool = True) -> dict[str, bytes]:
    """Every generated file: repository-relative POSIX path -> exact bytes (`checkout` False: a
    schema repository's, see the module docstring). The schema is linted first
    (`model.schema_lint`), so a malformed one renders nothing."""
    schema_lint.load(root / SCHEMA_REL, SCHEMA_REL)
    if not checkout:
        return _render_fixtures(root, require_catalogue=False)
    digest = schema_digest((root / SCHEMA_REL).read_bytes())
    files: dict[str, bytes] = {
        f"{MODEL_PACKAGE}/__init__.py": _INIT.format(schema=SCHEMA_FILE, digest=digest).encode(),
        f"{MODEL_PACKAGE}/executor_event.py": _render_model(root),
        RULES_DOC: _render_rules_doc(),
        ACCEL_SPEC: _render_accel_spec(),
    }
    for extra in _EXTRA_RENDERERS:
        files.update(extra(root))
    # Last: the bundled samples come from the harness built with the Rust files rendered above.
    files.update(_render_samples(root, files))
    return files


def _render_rust(root: Path) -> dict[str, bytes]:
    """The harness's struct and per-field tables (rust/src/event.rs, rust/src/fields.rs) and,
    where the checkout holds the crate, its manifest (rust/Cargo.toml: serde_json's features)."""
    from noetl_envelope.generate.rust_struct import render_manifest, render_rust

    schema = schema_lint.load(root / SCHEMA_REL, SCHEMA_REL)
    rendered = render_rust(schema, schema_path=SCHEMA_REL)
    if has_harness(root):
        rendered.update(render_manifest(schema, schema_path=SCHEMA_REL))
    return {rel: text.encode() for rel, text in rendered.items()}


def _render_fixtures(root: Path, *, require_catalogue: bool = True) -> dict[str, bytes]:
    # Imported here: the fixture generator runs the codec, which the other renderers do not need.
    try:
        from noetl_envelope.fixturegen import FixtureError, render_fixtures
    except ModuleNotFoundError as exc:
        if exc.name != "yaml":
            raise
        raise GenError(
            "PyYAML is not installed (it reads fixtures/catalogue.yaml): pip install 'noetl-envelope[gen]'"
        ) from None

    try:
        return render_fixtures(root, require_catalogue=require_catalogue)
    except FixtureError as exc:
        raise GenError(str(exc)) from exc


def _render_samples(root: Path, rendered: dict[str, bytes]) -> dict[str, bytes]:
    try:
        return render_samples(root, rendered)
    except SamplesError as exc:
        raise GenError(str(exc)) from exc


# Other generators (the Rust harness files, fixtures) register here so that `render` stays the single list of outputs.
_EXTRA_RENDERERS: list[Callable[[Path], dict[str, bytes]]] = [_render_rust, _render_fixtures]


def _owned_files(root: Path, checkout: bool) -> set[str]:
    owned: set[str] = set()
    for directory in OWNED_DIRS if checkout else SCHEMA_REPO_OWNED_DIRS:
        base = root / directory
        if base.is_dir():
            owned.update(
                p.relative_to(root).as_posix() for p in base.rglob("*") if p.is_file() and "__pycache__" not in p.parts
            )
    return owned


def _out_of_date(root: Path, checkout: bool) -> tuple[list[tuple[str, bytes | None, bytes]], list[str]]:
    """What `write` would change: (path, current bytes or None if missing, rendered bytes) for
    each stale or missing file, and the owned files no longer rendered (orphans)."""
    rendered = render(root, checkout=checkout)
    stale = []
    for rel, content in rendered.items():
        path = root / rel
        current = path.read_bytes() if path.is_file() else None
        if current != content:
            stale.append((rel, current, content))
    return stale, sorted(_owned_files(root, checkout) - set(rendered))


def write(root: Path, *, checkout: bool = True) -> list[str]:
    """Bring the tree up to date; returns the paths that changed."""
    stale, orphans = _out_of_date(root, checkout)
    for rel, _current, content in stale:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    for rel in orphans:
        (root / rel).unlink()
    return [rel for rel, _, _ in stale] + orphans


def check(root: Path, *, checkout: bool = True) -> list[str]:
    """Unified diffs of every stale, missing or orphaned generated file ([] = up to date)."""
    stale, orphans = _out_of_date(root, checkout)
    diffs = [_diff(rel, current, content) for rel, current, content in stale]
    diffs += [f"{rel}: not generated from the schema any more (run `make gen` to remove it)\n" for rel in orphans]
    return diffs


def _diff(rel: str, old: bytes | None, new: bytes) -> str:
    if old is None:
        return f"{rel}: missing (run `make gen`)\n"
    old_lines, new_lines = _lines(old), _lines(new)
    body = "".join(difflib.unified_diff(old_lines, new_lines, f"a/{rel}", f"b/{rel}"))
    return body or f"{rel}: bytes differ (line endings or encoding)\n"


def _lines(data: bytes) -> list[str]:
    # Cut at "\n" only: the samples hold raw U+2028 and U+2029, where str.splitlines() would cut too.
    *lines, last = data.decode("utf-8", "replace").split("\n")
    return [line + "\n" for line in lines] + ([last] if last else [])


def run(*, check_only: bool, root: Path | None = None) -> int:
    """The `gen` command: 0 up to date / written, 1 stale (with --check), 2 cannot generate. A schema
    failing the lint raises `schema_lint.SchemaLintError` (one line, exit 2 in the CLI and scripts/gen.py)."""
    try:
        base, checkout = (root, True) if root is not None else find_root()
        if check_only:
            diffs = check(base, checkout=checkout)
            for diff in diffs:
                sys.stdout.write(diff)
            if diffs:
                how = "make gen" if checkout else "noetl-envelope gen"
                print(f"{len(diffs)} generated file(s) are stale: run `{how}` and commit", file=sys.stderr)
                return 1
            print("generated files are up to date", file=sys.stderr)
            return 0
        changed = write(base, checkout=checkout)
        for rel in changed:
            print(f"wrote {rel}", file=sys.stderr)
        print(f"{len(changed)} generated file(s) changed", file=sys.stderr)
        return 0
    except GenError as exc:
        print(f"noetl-envelope gen: {exc}", file=sys.stderr)
        return 2
