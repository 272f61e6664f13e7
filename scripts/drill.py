"""The schema-first drill (issue 12): one schema edit plus `make gen`, and every gate is green.

For each case, a fresh copy of the repository (the files git tracks or would track, beside a copy
of ../shared when there is one, as in CI) follows README's "Changing the envelope" literally:

1. edit schema/executor_event.schema.json: add the field after the last one;
2. `make compat` names the bump the change needs (it must fail before the bump);
3. bump the version in `$id` as the README's policy says and add a `## <version>` entry to
   schema/CHANGELOG.md;
4. `make gen`;

then runs `make test` (the whole suite: `make conformance` is a subset of it, so it is not run
again), `make check-gen` and `make compat` in the copy, all of which must pass, checks that compat
classifies the change as expected (per Rust consumers, with counterexamples where it breaks), and
that no file besides the schema, the changelog and what `make gen` reported writing was touched.

Cases: `optional` adds `span_id: Option<String>` (serde default, skipped when None): compatible
both ways for Rust consumers. `required` adds `tenant_id: String`: breaking for Rust consumers
reading old data, with counterexamples. Exit 0 when every case passes, 1 when one fails, 2 on a
usage error.

    python3 scripts/drill.py [optional|required ...] [--keep]
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = Path("schema/executor_event.schema.json")
CHANGELOG = Path("schema/CHANGELOG.md")
# Cargo's build directories of the harness and the accelerator: copied when the checkout has them,
# so the copy recompiles only our crates, not serde, chrono or pyo3 (minutes on two cores).
BUILD_CACHES = ("rust/target", "rust/accel/target")

CASES: dict[str, dict[str, Any]] = {
    "optional": {
        "name": "span_id",
        "property": {
            "description": "Tracing span the event was emitted in (drill field).",
            "type": ["string", "null"],
            "x-rust-type": "Option<String>",
            "x-serde": {"default": True, "skip_serializing_if": "Option::is_none"},
            "x-db-column": "span_id",
        },
        "required": False,
        "rust": {"backward": "ok", "forward": "ok"},
        "note": "Added `span_id` (`Option<String>`, serde default, skipped when None).",
    },
    "required": {
        "name": "tenant_id",
        "property": {
            "description": "Tenant the execution belongs to (drill field).",
            "type": "string",
            "x-rust-type": "String",
            "x-serde": {},
            "x-db-column": "tenant_id",
        },
        "required": True,
        "rust": {"backward": "breaking", "forward": "ok"},
        "note": "Added the required `tenant_id` (`String`): old documents lack it (backward-incompatible).",
    },
}


class DrillFailed(Exception):
    """One step of the drill did not do what the README promises."""


def bump(version: str, *, backward_incompatible: bool) -> str:
    """The bump README's version policy asks for (below 1.0.0: minor for a backward-incompatible
    change, else patch; from 1.0.0: major, else minor)."""
    major, minor, patch = (int(p) for p in version.split("."))
    if major == 0:
        return f"0.{minor + 1}.0" if backward_incompatible else f"0.{minor}.{patch + 1}"
    return f"{major + 1}.0.0" if backward_incompatible else f"{major}.{minor + 1}.0"


def copy_repository(dest: Path) -> Path:
    """The checkout's tracked and untracked-but-not-ignored files, and ../shared beside them;
    plus cargo's build directories (`BUILD_CACHES`), which make rebuilds incremental."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    repo = dest / "repo"
    for raw in filter(None, listed):
        rel = Path(os.fsdecode(raw))
        source = ROOT / rel
        if source.is_symlink():  # python/noetl_envelope_generated and the packaged schema: links, as git keeps them
            (repo / rel).parent.mkdir(parents=True, exist_ok=True)
            os.symlink(os.readlink(source), repo / rel)
        elif source.is_file():
            (repo / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, repo / rel)
    if (ROOT.parent / "shared").is_dir():
        shutil.copytree(ROOT.parent / "shared", dest / "shared")
    for rel in BUILD_CACHES:  # ignored by git, so never compared: cargo only rebuilds what changed
        if (ROOT / rel).is_dir():
            shutil.copytree(ROOT / rel, repo / rel, symlinks=True)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=drill", "-c", "user.email=drill@invalid", "commit", "-q", "-m", "base")
    return repo


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True).stdout


def step(repo: Path, label: str, cmd: list[str], *, expect: int | None = 0) -> subprocess.CompletedProcess[str]:
    """Run cmd in the copy; `expect` is its exit status (None: any failure, as make exits 2)."""
    started = time.monotonic()
    # The suite's 100,000-document runs at a twentieth (tests/harness.py): volume is the main
    # run's to prove; the drill proves that the edit reaches every test.
    env = {**os.environ, "NOETL_ENVELOPE_TEST_SMALL_VOLUME": "1"}
    proc = subprocess.run(cmd, cwd=repo, capture_output=True, text=True, check=False, env=env)
    took = time.monotonic() - started
    print(f"  {label}: exit {proc.returncode} ({took:.0f}s)", flush=True)
    if (proc.returncode == 0) if expect is None else (proc.returncode != expect):
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-40:])
        raise DrillFailed(f"{label}: exit {proc.returncode}, expected {expect}\n{tail}")
    return proc


def edit_schema(repo: Path, case: dict[str, Any]) -> None:
    path = repo / SCHEMA
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema["properties"][case["name"]] = case["property"]
    if case["required"]:
        schema["required"].append(case["name"])
    path.write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def bump_version(repo: Path, case: dict[str, Any]) -> str:
    path = repo / SCHEMA
    schema = json.loads(path.read_text(encoding="utf-8"))
    prefix, old = schema["$id"].rsplit(":", 1)
    new = bump(old, backward_incompatible=case["required"])
    schema["$id"] = f"{prefix}:{new}"
    path.write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    changelog = repo / CHANGELOG
    text = changelog.read_text(encoding="utf-8")
    first = text.index("\n## ")
    entry = f"\n## {new}\n\n- {case['note']}\n"
    changelog.write_text(text[:first] + entry + text[first:], encoding="utf-8")
    return new


def check_classification(repo: Path, case: dict[str, Any], newest_release: Path) -> None:
    """`compat --old <newest release> --format json`: the new field's change, its Rust effects
    and, where something breaks, counterexamples."""
    proc = step(
        repo,
        f"compat --old {newest_release.name} --format json",
        [".venv/bin/python", "-m", "noetl_envelope", "compat", "--old", str(newest_release), "--format", "json"],
        expect=1 if case["required"] else 0,
    )
    records = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    pointer = f"/properties/{case['name']}"
    changes = [r["change"] for r in records if "change" in r and r["change"]["pointer"] == pointer]
    if len(changes) != 1:
        raise DrillFailed(f"compat reports {len(changes)} changes for {pointer}: {records}")
    change = changes[0]
    rust = change["effects"]["rust"]
    print(f"  compat: {change['rule']}: rust {rust}", flush=True)
    if rust != case["rust"]:
        raise DrillFailed(f"compat says {rust} for Rust consumers, expected {case['rust']}")
    broken = [f"{role}.{d}" for role, e in change["effects"].items() for d, v in e.items() if v == "breaking"]
    shown = {f"{c['role']}.{c['direction']}" for c in change["counterexamples"]}
    missing = [cell for cell in broken if cell not in shown]
    if missing:
        raise DrillFailed(f"compat shows no counterexample for {missing}")
    for c in change["counterexamples"]:
        if c["role"] == "rust":
            print(f"    rust {c['direction']} counterexample: {c['document']} -> {c['violation']['message']}")


def run_case(name: str, keep: bool) -> None:
    case = CASES[name]
    tmp = Path(tempfile.mkdtemp(prefix=f"noetl-envelope-drill-{name}-"))
    print(f"drill {name}: add {case['name']} ({case['property']['x-rust-type']}) in {tmp}", flush=True)
    try:
        repo = copy_repository(tmp)
        releases = sorted(
            (repo / "schema" / "releases").glob("*.schema.json"),
            key=lambda p: tuple(int(x) for x in p.name.split(".")[:3]),
        )
        edit_schema(repo, case)
        proc = step(repo, "make compat (before the bump)", ["make", "compat"], expect=None)
        needs = [line.strip() for line in (proc.stdout + proc.stderr).splitlines() if "bump is needed" in line]
        if not needs:
            tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-20:])
            raise DrillFailed(f"make compat failed before the bump without naming the bump it needs:\n{tail}")
        print(f"    {needs[0]}", flush=True)
        version = bump_version(repo, case)
        print(f"  bumped $id to {version}, CHANGELOG entry added", flush=True)
        gen = step(repo, "make gen", ["make", "gen"])
        written = {line.split(" ", 1)[1] for line in gen.stderr.splitlines() if line.startswith("wrote ")}
        print(f"    make gen wrote {len(written)} files", flush=True)
        for target in ("test", "check-gen", "compat"):
            step(repo, f"make {target}", ["make", target])
        check_classification(repo, case, releases[-1])
        touched = {line[3:] for line in git(repo, "status", "--porcelain", "--untracked-files=all").splitlines()}
        by_hand = sorted(touched - written - {str(SCHEMA), str(CHANGELOG)})
        if by_hand:
            raise DrillFailed(f"files changed that neither the edit nor `make gen` wrote: {by_hand}")
        print(f"drill {name}: ok ({len(touched)} files changed: the schema, the changelog, generated ones)")
    finally:
        if keep:
            print(f"  kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def main(argv: list[str]) -> int:
    keep = "--keep" in argv
    names = [a for a in argv if a != "--keep"] or list(CASES)
    unknown = [n for n in names if n not in CASES]
    if unknown:
        print(f"drill: unknown case {unknown[0]!r} (choose from {', '.join(CASES)})", file=sys.stderr)
        return 2
    failed = 0
    for name in names:
        try:
            run_case(name, keep)
        except DrillFailed as exc:
            print(f"drill {name}: FAILED: {exc}", file=sys.stderr)
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
