#!/usr/bin/env bash
# The schema compatibility gate as CI runs it (`make compat`; extra arguments go to every run,
# e.g. `--format github`).
#
# 1. Always: the working schema against the newest release in schema/releases/, with the version
#    policy. It needs no git history, so it holds on any clean clone of main, where HEAD is the
#    submission itself and there is no older revision to compare with.
# 2. When the base branch is known (COMPAT_BASE, default origin/main; a pull request's workflow
#    sets origin/<base>): the working tree against that revision too, which adds "release files
#    present on the base are unchanged". On a fresh clone of main, origin/main is HEAD and this
#    run only re-checks the releases; without that ref (a tarball, a detached CI checkout) it is
#    skipped with a note.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}
base=${COMPAT_BASE:-origin/main}

"$PYTHON" -m noetl_envelope compat "$@"
if git rev-parse --verify --quiet "${base}^{commit}" >/dev/null 2>&1; then
    "$PYTHON" -m noetl_envelope compat --against "$base" "$@"
else
    echo "compat: no ${base} in this checkout; checked against schema/releases/ only" >&2
fi
