"""The version policy: semver bumps by severity, a CHANGELOG entry per version, immutable releases.

The schema's version is the last part of its `$id` (`schema.schema_version`). Released versions
are kept as `schema/releases/<version>.schema.json` and never change. When the schema changed
against the baseline (a git ref or the newest release):

- its version must go up (`compat.version-not-bumped`);
- by at least what the worst change needs (`compat.bump-too-small`): from 1.0.0 on, a
  backward-incompatible change (a new reader rejects old data) needs a major bump, a
  forward-incompatible one (an old reader rejects new data) a minor bump, anything else a
  patch; below 1.0.0 (semver: anything may change) a backward-incompatible change needs a
  minor bump and anything else a patch — 0.3.0 -> 0.3.1 added three optional fields;
- schema/CHANGELOG.md must have a `## <version>` heading for it (`compat.changelog-missing`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from noetl_envelope.compat.model import Change
from noetl_envelope.core.rules import COMPAT, Rule
from noetl_envelope.core.violations import Violation

COMPAT_VERSION_NOT_BUMPED = Rule(
    "compat.version-not-bumped",
    COMPAT,
    "The schema changed but the `$id` version did not go up.",
    message={
        "not-above": "the schema changed but its version {new} is not above {old}; a {needed} bump is needed",
        "not-a-version": "{version!r} is not a semantic version (MAJOR.MINOR.PATCH)",
    },
    category="POLICY",
)

COMPAT_BUMP_TOO_SMALL = Rule(
    "compat.bump-too-small",
    COMPAT,
    "The version bump is smaller than the worst change needs (>= 1.0: backward-incompatible = major, "
    "forward-incompatible = minor; 0.x: backward-incompatible = minor).",
    # One form per severity of the worst change (`worst_severity`).
    message={
        "backward": "{old} -> {new} is a {done} bump; the changes are backward-incompatible (a new reader rejects "
        "old data) and need a {needed} bump",
        "forward": "{old} -> {new} is a {done} bump; the changes are forward-incompatible (an old reader rejects "
        "new data) and need a {needed} bump",
        "none": "{old} -> {new} is a {done} bump; the changes are without effect on the wire and need a {needed} bump",
    },
    category="POLICY",
)

COMPAT_CHANGELOG_MISSING = Rule(
    "compat.changelog-missing",
    COMPAT,
    "schema/CHANGELOG.md has no `## <version>` entry for the schema's version.",
    message={
        "no-file": "{changelog} does not exist; add a `## {version}` entry",
        "no-entry": "{changelog} has no `## {version}` entry",
    },
    category="POLICY",
)

COMPAT_RELEASE_MODIFIED = Rule(
    "compat.release-modified",
    COMPAT,
    "A file in schema/releases/ present at the baseline ref was modified or deleted (releases are immutable).",
    message={"deleted": "released schema {name} was deleted", "modified": "released schema {name} was modified"},
    category="POLICY",
)

COMPAT_RELEASE_DIFFERS = Rule(
    "compat.release-differs",
    COMPAT,
    "The schema's version is released in schema/releases/ but the schema differs from that file.",
    message="version {version} is released ({name}) but the schema differs from it; bump the version",
    category="POLICY",
)

COMPAT_RELEASE_MISMATCH = Rule(
    "compat.release-mismatch",
    COMPAT,
    "A file in schema/releases/ is not named after the version in its `$id`.",
    message={"no-id": "{name}: not a schema with an `$id`", "misnamed": "{name}: its `$id` says version {version}"},
    category="POLICY",
)


_SEMVER = re.compile(r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?")
_HEADING = re.compile(r"^##\s+\[?v?([0-9][^\]\s]*)\]?", re.MULTILINE)
BUMPS = ("none", "patch", "minor", "major")


@dataclass(frozen=True, slots=True, order=True)
class Version:
    major: int
    minor: int
    patch: int

    @classmethod
    def parse(cls, text: str) -> Version:
        match = _SEMVER.fullmatch(text)
        if match is None:
            raise ValueError(f"{text!r} is not a semantic version (MAJOR.MINOR.PATCH)")
        return cls(int(match.group(1)), int(match.group(2)), int(match.group(3)))

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"


def bump(old: Version, new: Version) -> str:
    """'major', 'minor', 'patch' or 'none' (also for a downgrade)."""
    if new <= old:
        return "none"
    if new.major != old.major:
        return "major"
    return "minor" if new.minor != old.minor else "patch"


def required_bump(severity: str, old: Version) -> str:
    """The smallest bump a change of this severity ('backward', 'forward', 'none') needs."""
    if old.major == 0:
        return "minor" if severity == "backward" else "patch"
    return {"backward": "major", "forward": "minor"}.get(severity, "patch")


def worst_severity(changes: list[Change]) -> str:
    severities = {change.severity for change in changes}
    return next((s for s in ("backward", "forward") if s in severities), "none")


def changelog_versions(text: str) -> set[str]:
    """Versions that have a `## 1.2.3` (or `## [1.2.3] - date`) heading."""
    return set(_HEADING.findall(text))


def check_bump(
    changes: list[Change], old_version: str, new_version: str, changelog: str | None, changelog_name: str
) -> list[Violation]:
    """Policy findings for a schema that went from `old_version` to `new_version` with `changes`."""
    if not changes and old_version == new_version:
        return []
    try:
        old, new = Version.parse(old_version), Version.parse(new_version)
    except ValueError:
        unparsable = new_version if _SEMVER.fullmatch(old_version) else old_version
        return [COMPAT_VERSION_NOT_BUMPED.at(("$id",), "not-a-version", version=unparsable)]
    found: list[Violation] = []
    severity = worst_severity(changes)
    needed = required_bump(severity, old)
    done = bump(old, new)
    if done == "none":
        found.append(COMPAT_VERSION_NOT_BUMPED.at(("$id",), "not-above", new=new, old=old, needed=needed))
    elif BUMPS.index(done) < BUMPS.index(needed):
        found.append(COMPAT_BUMP_TOO_SMALL.at(("$id",), severity, old=old, new=new, done=done, needed=needed))
    if changelog is None:
        found.append(COMPAT_CHANGELOG_MISSING.at((), "no-file", changelog=changelog_name, version=new))
    elif str(new) not in changelog_versions(changelog):
        found.append(COMPAT_CHANGELOG_MISSING.at((), "no-entry", changelog=changelog_name, version=new))
    return found


def check_releases(releases: dict[str, bytes], current: dict[str, Any], current_version: str) -> list[Violation]:
    """Each release file carries its own version, and the current version, if released, is that file."""
    found: list[Violation] = []
    for name, data in sorted(releases.items()):
        try:
            released = json.loads(data)
            version = str(released["$id"]).rsplit(":", 1)[-1]
        except (ValueError, KeyError, TypeError):
            found.append(COMPAT_RELEASE_MISMATCH.at((), "no-id", name=name))
            continue
        if name != f"{version}.schema.json":
            found.append(COMPAT_RELEASE_MISMATCH.at((), "misnamed", name=name, version=version))
        elif version == current_version and released != current:
            found.append(COMPAT_RELEASE_DIFFERS.at(("$id",), version=version, name=name))
    return found


def check_release_history(before: dict[str, bytes], after: dict[str, bytes]) -> list[Violation]:
    """Release files present in the baseline must still be there, byte for byte."""
    found = []
    for name, data in sorted(before.items()):
        if name not in after:
            found.append(COMPAT_RELEASE_MODIFIED.at((), "deleted", name=name))
        elif after[name] != data:
            found.append(COMPAT_RELEASE_MODIFIED.at((), "modified", name=name))
    return found
