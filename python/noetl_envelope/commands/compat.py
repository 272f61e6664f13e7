"""`noetl-envelope compat [--against GIT_REF | --old FILE] [--mode ...] [--format ...] [NEW]`.

Three baselines for the working schema (or NEW):
- `--old FILE`: classify only; exit 1 when a change breaks a direction `--mode` guards
  (backward, the default, like Confluent's BACKWARD; forward; full);
- `--against GIT_REF`: the schema at that revision, plus the version policy (`policy.py`) and
  the rule that release files present at GIT_REF are not modified; exit 1 on a policy
  violation (a breaking change with the bump it needs passes);
- neither: the newest release in schema/releases/ not above the schema's version, plus the
  policy. This needs no git history, so it works on any clean clone or unpacked sdist.
Exit 2 (one line, via the CLI's InputError handling) when a schema cannot be read.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from noetl_envelope.compat.model import MODES
from noetl_envelope.model.schema import SCHEMA_FILE

# The comparison's modules (jsonschema, the profiles) load only when the command runs: the CLI
# builds every subcommand's parser on each start.
if TYPE_CHECKING:
    from noetl_envelope.compat.report import CompatReport
    from noetl_envelope.compat.sources import Loaded

SCHEMA_REL = f"schema/{SCHEMA_FILE}"


def configure(parser: argparse.ArgumentParser) -> None:
    from noetl_envelope.commands.options import add_report

    baseline = parser.add_mutually_exclusive_group()
    baseline.add_argument(
        "--against", metavar="GIT_REF", help="compare with the schema at GIT_REF and apply the version policy"
    )
    baseline.add_argument(
        "--old", metavar="FILE", help="compare with this schema file; classify only, no version policy"
    )
    parser.add_argument(
        "--mode",
        choices=tuple(MODES),
        default="backward",
        help="with --old: the directions that must stay compatible (default: backward = new readers read old data)",
    )
    add_report(parser)
    parser.add_argument(
        "new",
        metavar="NEW",
        nargs="?",
        help="the new schema (default: the one --schema or discovery chose; see --version)",
    )


def _schema_file() -> Path:
    """The schema discovery chose (`core.config`): compat compares a repository's schema, never the packaged one."""
    from noetl_envelope.compat.sources import CompatError
    from noetl_envelope.model.schema import chosen_schema

    chosen = chosen_schema()
    if chosen is None:
        raise CompatError(
            f"{Path.cwd()}: no {SCHEMA_REL} here or in a parent directory "
            "(or pass --schema PATH, or NEW with --old FILE)"
        )
    return Path(chosen)


def _root() -> Path:
    """The repository whose schema/releases/ and schema/CHANGELOG.md go with the schema."""
    from noetl_envelope.compat.sources import CompatError

    path = _schema_file().resolve()
    if path.name != SCHEMA_FILE or path.parent.name != "schema":
        raise CompatError(
            f"{path}: the release and --against baselines need the schema at {SCHEMA_REL} "
            "(schema/releases/ and schema/CHANGELOG.md beside it); use --old FILE"
        )
    return path.parent.parent


def _new(args: argparse.Namespace) -> Loaded:
    from noetl_envelope.compat import sources
    from noetl_envelope.core.errors import label_of

    if args.new is not None:
        return sources.load_file(Path(args.new))
    path = _schema_file()
    return sources.parse_schema(sources.read_file(path), label_of(path))


def _changelog(root: Path) -> str | None:
    from noetl_envelope.compat import sources
    from noetl_envelope.compat.sources import CHANGELOG_REL

    path = root / CHANGELOG_REL
    return sources.read_file(path).decode("utf-8", "replace") if path.is_file() else None


def build(args: argparse.Namespace) -> CompatReport:
    """Run the comparison the arguments ask for (no output)."""
    from noetl_envelope.compat import policy, sources
    from noetl_envelope.compat.gate import compare, failing
    from noetl_envelope.compat.report import CompatReport
    from noetl_envelope.compat.sources import CHANGELOG_REL, RELEASES_REL, CompatError
    from noetl_envelope.core.violations import Violation

    new = _new(args)
    notes: list[str] = []
    findings: list[Violation] = []
    if args.old is not None:
        old = sources.load_file(Path(args.old))
        changes = compare(old.schema, new.schema)
        return CompatReport(
            old.label, old.version, new.label, new.version, args.mode, changes, failing(changes, args.mode), False
        )
    root = _root()
    releases = sources.tree_releases(root)
    findings.extend(policy.check_releases(releases, new.schema, new.version))
    if args.against is not None:
        commit = sources.resolve_ref(root, args.against)
        data = sources.git_show(root, commit, SCHEMA_REL)
        findings.extend(policy.check_release_history(sources.git_releases(root, commit), releases))
        if data is None:
            notes.append(f"{SCHEMA_REL} does not exist at {args.against}: nothing to compare")
            old = new
        else:
            old = sources.parse_schema(data, f"{args.against}:{SCHEMA_REL}")
    else:
        newest = sources.newest_release(releases, new.version)
        if newest is None:
            raise CompatError(
                f"no release in {RELEASES_REL}/ at or below {new.version}; use --old FILE or --against GIT_REF"
            )
        old = sources.parse_schema(newest[1], f"{RELEASES_REL}/{newest[0]}")
    changes = compare(old.schema, new.schema)
    findings.extend(policy.check_bump(changes, old.version, new.version, _changelog(root), CHANGELOG_REL))
    return CompatReport(
        old.label,
        old.version,
        new.label,
        new.version,
        args.mode,
        changes,
        failing(changes, args.mode),
        True,
        findings,
        notes,
    )


def run(args: argparse.Namespace) -> int:
    from noetl_envelope.commands.options import EXIT_FINDINGS, EXIT_OK, report_stream
    from noetl_envelope.compat.report import write

    report = build(args)
    with report_stream(args.output) as stream:
        write(report, args.format, stream, quiet=args.quiet)
    return EXIT_OK if report.ok() else EXIT_FINDINGS
