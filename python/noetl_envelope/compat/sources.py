"""Where the two schemas come from: a file, a git revision (`git show REF:path`), or a release.

Every failure (unreadable file, not JSON, not an envelope schema, unknown git ref, no git)
is a `CompatError` with one line, which the command turns into exit code 2.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from noetl_envelope.compat.policy import Version
from noetl_envelope.core.errors import InputError
from noetl_envelope.model import schema_lint
from noetl_envelope.model.schema import SCHEMA_FILE, schema_version

SCHEMA_REL = f"schema/{SCHEMA_FILE}"
RELEASES_REL = "schema/releases"
CHANGELOG_REL = "schema/CHANGELOG.md"
RELEASE_SUFFIX = ".schema.json"


class CompatError(InputError):
    """The comparison cannot run; a one-line message (exit code 2)."""


@dataclass(frozen=True, slots=True)
class Loaded:
    label: str  # where it came from, for the report
    schema: dict[str, Any]

    @property
    def version(self) -> str:
        return schema_version(self.schema)


def parse_schema(data: bytes, label: str) -> Loaded:
    """An envelope schema from bytes, through the schema lint (`model.schema_lint`), so the
    comparison cannot crash on it."""
    try:
        schema = schema_lint.parse(data, label)
        schema_lint.lint(schema, label)
    except schema_lint.SchemaLintError as exc:
        raise CompatError(str(exc)) from None
    return Loaded(label, schema)


def read_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise CompatError(f"{path}: cannot read: {exc.strerror or type(exc).__name__}") from exc


def load_file(path: Path) -> Loaded:
    return parse_schema(read_file(path), str(path))


def git(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, check=False)
    except OSError as exc:
        raise CompatError(f"cannot run git: {exc.strerror or exc}") from exc


def resolve_ref(root: Path, ref: str) -> str:
    """The commit a ref names; CompatError when it names none (a typo, a shallow clone)."""
    proc = git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    if proc.returncode != 0:
        raise CompatError(f"git ref {ref!r} does not name a commit in {root}")
    return proc.stdout.decode().strip()


def git_show(root: Path, commit: str, rel: str) -> bytes | None:
    """The file's bytes at `commit`, or None when it does not exist there."""
    proc = git(root, "cat-file", "-e", f"{commit}:{rel}")
    if proc.returncode != 0:
        return None
    proc = git(root, "show", f"{commit}:{rel}")
    if proc.returncode != 0:
        raise CompatError(f"git show {commit[:12]}:{rel} failed: {proc.stderr.decode(errors='replace').strip()}")
    return proc.stdout


def git_releases(root: Path, commit: str) -> dict[str, bytes]:
    """schema/releases/ at `commit`: file name -> bytes."""
    proc = git(root, "ls-tree", "--name-only", f"{commit}:{RELEASES_REL}")
    if proc.returncode != 0:
        return {}
    found = {}
    for name in proc.stdout.decode().splitlines():
        if name.endswith(RELEASE_SUFFIX):
            data = git_show(root, commit, f"{RELEASES_REL}/{name}")
            if data is not None:
                found[name] = data
    return found


def tree_releases(root: Path) -> dict[str, bytes]:
    """schema/releases/ in the working tree: file name -> bytes."""
    directory = root / RELEASES_REL
    if not directory.is_dir():
        return {}
    return {p.name: read_file(p) for p in sorted(directory.iterdir()) if p.name.endswith(RELEASE_SUFFIX)}


def newest_release(releases: dict[str, bytes], up_to: str) -> tuple[str, bytes] | None:
    """The release with the highest version not above `up_to` (file name, bytes)."""
    try:
        limit = Version.parse(up_to)
    except ValueError as exc:
        raise CompatError(f"the schema's version: {exc}") from exc
    best: tuple[Version, str] | None = None
    for name in releases:
        try:
            version = Version.parse(name[: -len(RELEASE_SUFFIX)])
        except ValueError:
            continue
        if version <= limit and (best is None or version > best[0]):
            best = (version, name)
    return (best[1], releases[best[1]]) if best else None
