#!/usr/bin/env bash
# Installs noetl-envelope from the source checkout $NOETL_ENVELOPE_SOURCE (the action's own, or
# the workflow's) into a virtual environment of its own under $RUNNER_TEMP, and exports its
# interpreter as NOETL_ENVELOPE_PYTHON (through $GITHUB_ENV) for the steps after it.
# With cargo on PATH, pip builds the package with maturin, native engine included; without it,
# the same Python sources run on the pure-Python engine (same verdicts, slower) and a warning
# annotation says so. NOETL_ENVELOPE_EXTRAS (e.g. "gen") adds optional dependencies.
set -euo pipefail
src=$(cd "${NOETL_ENVELOPE_SOURCE:?the source checkout to install from}" && pwd)
extras=${NOETL_ENVELOPE_EXTRAS:-}
python=${NOETL_ENVELOPE_BASE_PYTHON:-python3}
# One environment per source checkout and extras: a second use of the same action in a job
# finds it installed and skips the build.
key=$(printf '%s\n%s\n' "$src" "$extras" | cksum | cut -d' ' -f1)
venv="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/noetl-envelope-venv-$key"
py="$venv/bin/python"
export_python() {
    "$py" -m noetl_envelope --version
    if [ -n "${GITHUB_ENV:-}" ]; then
        echo "NOETL_ENVELOPE_PYTHON=$py" >>"$GITHUB_ENV"
    else
        echo "NOETL_ENVELOPE_PYTHON=$py"
    fi
}
if [ -f "$venv/.noetl-envelope-installed" ]; then
    export_python
    exit 0
fi

rm -rf "$venv"
"$python" -m venv "$venv"
spec=$src
[ -z "$extras" ] || spec="${src}[$extras]"
if command -v cargo >/dev/null; then
    "$py" -m pip install --quiet --disable-pip-version-check "$spec"
else
    echo "::warning title=noetl-envelope::no cargo on PATH: installing the pure-Python engine (same verdicts, slower)"
    # The dependencies pyproject.toml declares (and those of $extras), then the sources in place.
    mapfile -t deps < <("$py" - "$src/pyproject.toml" "$extras" <<'PY'
import sys, tomllib
project = tomllib.load(open(sys.argv[1], "rb"))["project"]
wanted = [e for e in sys.argv[2].split(",") if e]
for dep in project["dependencies"] + [d for e in wanted for d in project["optional-dependencies"][e]]:
    print(dep)
PY
    )
    "$py" -m pip install --quiet --disable-pip-version-check "${deps[@]}"
    site=$("$py" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
    printf '%s\n' "$src/python" >"$site/noetl_envelope_source.pth"
fi
touch "$venv/.noetl-envelope-installed"
export_python
