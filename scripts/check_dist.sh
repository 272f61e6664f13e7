#!/usr/bin/env bash
# What users install, checked from outside this checkout: `make dist` builds the wheel and the
# sdist; each is installed alone into a fresh venv (the sdist builds the native engine with
# cargo), and every subcommand runs in scratch directories that have no pyproject.toml: its
# happy path, and one bad path that must exit 1 or 2 with a one-line message and no traceback;
# gen and compat in a schema repository; schema discovery (--schema, .noetl-envelope.toml,
# [tool.noetl-envelope], schema/ in the working directory, the packaged schema).
# The wheel's engine must be the native one. Ends with the wheel venv's speed next to the dev
# venv's (`make setup`) on the same 100,000 sampled events. Exits 1 on the first wrong outcome.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
PYTHON=${PYTHON:-$root/.venv/bin/python}
work=$(mktemp -d /tmp/noetl-envelope-dist.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "check_dist: $*" >&2; exit 1; }

make -C "$root" --no-print-directory dist PYTHON="$PYTHON" >/dev/null
wheels=("$root"/dist/noetl_envelope-*.whl)
sdists=("$root"/dist/noetl_envelope-*.tar.gz)
[ "${#wheels[@]}" -eq 1 ] || fail "make dist: expected one wheel in dist/"
[ -f "${wheels[0]}" ] || fail "make dist: no wheel in dist/"
[ "${#sdists[@]}" -eq 1 ] || fail "make dist: expected one sdist in dist/"
[ -f "${sdists[0]}" ] || fail "make dist: no sdist in dist/"
case ${wheels[0]##*/} in
    *-none-any.whl) fail "${wheels[0]##*/} is a pure-Python wheel; the native engine is missing" ;;
esac
"$PYTHON" -m zipfile -l "${wheels[0]}" | grep -q "noetl_envelope_accel/noetl_envelope_accel.*\.so" \
    || fail "${wheels[0]##*/} has no native module"
echo "ok   make dist: ${wheels[0]##*/}, ${sdists[0]##*/}"

# install NAME ARTIFACT: a fresh venv with nothing but the artifact and what it requires.
install() {
    python3 -m venv "$work/$1"
    "$work/$1/bin/python" -m pip install -q --disable-pip-version-check "$2" || fail "$1: pip install $2"
    echo "ok   $1: installed alone into a fresh venv"
}

# expect CASE STATUS CMD...: run in the current directory; STATUS is the exit status wanted.
# A failing status must come with a one-line message on stderr and no traceback.
expect() {
    local case=$1 want=$2 got=0
    shift 2
    "$@" >"$work/out" 2>"$work/err" || got=$?
    if [ "$got" -ne "$want" ]; then
        cat "$work/err" >&2
        fail "$case: exit $got, expected $want: $*"
    fi
    if grep -q "Traceback" "$work/err"; then
        cat "$work/err" >&2
        fail "$case: a traceback"
    fi
    if [ "$want" -eq 2 ] && [ "$(wc -l <"$work/err")" -ne 1 ]; then
        cat "$work/err" >&2
        fail "$case: expected a one-line message on stderr"
    fi
    echo "ok   $case (exit $got)"
}

# subcommands NAME: every subcommand from the venv NAME, in scratch directories.
subcommands() {
    local env=$1 cli="$work/$1/bin/noetl-envelope"
    local dumps="$work/$env-dumps" schema_repo="$work/$env-schema-repo"
    mkdir -p "$dumps" "$schema_repo"
    cd "$dumps"
    [ ! -e pyproject.toml ] || fail "scratch directory has a pyproject.toml"
    expect "$env: --version" 0 "$cli" --version
    cp "$work/out" "$work/$env-version"
    expect "$env: sample" 0 "$cli" sample -n 500
    cp "$work/out" events.ndjson
    expect "$env: validate" 0 "$cli" validate --quiet events.ndjson
    expect "$env: validate --profile canonical" 0 "$cli" validate --profile canonical --quiet events.ndjson
    expect "$env: canonicalize" 0 "$cli" canonicalize events.ndjson
    cmp -s "$work/out" events.ndjson || fail "$env: canonicalize changed canonical events"
    expect "$env: conform --producer python" 0 "$cli" conform --producer python --quiet events.ndjson
    expect "$env: conform --format junit" 0 "$cli" conform --producer python --format junit --quiet -o report.xml events.ndjson
    head -n 1 events.ndjson | sed 's/"context"/"payload"/' >drift.ndjson
    expect "$env: conform on drift" 1 "$cli" conform --producer rust drift.ndjson
    grep -q "drift.alias-used" "$work/out" || fail "$env: conform on drift does not name drift.alias-used"
    expect "$env: rules" 0 "$cli" rules drift.alias-used
    grep -q "severity" "$work/out" || fail "$env: rules printed no documentation"
    expect "$env: rules with an unknown id" 2 "$cli" rules drift.no-such-class
    expect "$env: validate a missing path" 2 "$cli" validate no-such.ndjson
    expect "$env: an unknown subcommand" 2 "$cli" no-such-command

    cd "$schema_repo"
    mkdir schema
    cp -r "$root/schema/executor_event.schema.json" "$root/schema/releases" "$root/schema/CHANGELOG.md" schema/
    git init -q -b main && git add -A && git -c user.name=ci -c user.email=ci@localhost commit -q -m schema
    expect "$env: compat" 0 "$cli" compat
    expect "$env: compat --against main" 0 "$cli" compat --against main
    expect "$env: compat --against a missing ref" 2 "$cli" compat --against no-such-ref
    expect "$env: gen in a schema repository" 0 "$cli" gen
    if [ ! -f fixtures/manifest.json ] || [ -e generated ] || [ -e docs ]; then
        fail "$env: gen in a schema repository wrote other than fixtures/"
    fi
    expect "$env: gen --check in a schema repository" 0 "$cli" gen --check
    discovery "$env"
    cd "$root"
}

# discovery NAME: which schema the venv NAME's command uses (core/config.py), each case in a
# scratch project (a .git directory ends the search) holding one STARTED event; the narrowed
# schema (version 0.4.0) has no STARTED, so the exit status tells which schema judged it.
discovery() {
    local env=$1 cli="$work/$1/bin/noetl-envelope" base="$work/$1-discovery"
    mkdir -p "$base"
    "$work/$env/bin/python" - "$root/schema/executor_event.schema.json" "$base/narrow.json" <<'PY'
import json, sys
schema = json.load(open(sys.argv[1]))
schema["properties"]["status"]["enum"].remove("STARTED")
schema["$id"] = schema["$id"].rsplit(":", 1)[0] + ":0.4.0"
json.dump(schema, open(sys.argv[2], "w"), indent=2)
PY
    local event='{"execution_id":1,"event_type":"step.enter","step":"s","status":"STARTED","created_at":"2024-01-01T00:00:00Z","context":{}}'
    for case in packaged option dotfile pyproject cwd broken; do
        mkdir -p "$base/$case/.git" "$base/$case/sub"
        printf '%s\n' "$event" >"$base/$case/started.ndjson"
    done
    cd "$base/packaged/sub"
    expect "$env: discovery: the packaged schema" 0 "$cli" validate ../started.ndjson
    "$cli" --version | grep -q "from the package" || fail "$env: --version does not say the packaged schema is used"
    cd "$base/option"
    expect "$env: discovery: --schema" 1 "$cli" validate --schema ../narrow.json started.ndjson
    cd "$base/dotfile" && mkdir contracts && cp ../narrow.json contracts/ && printf 'schema = "contracts/narrow.json"\n' >.noetl-envelope.toml
    cd sub
    expect "$env: discovery: .noetl-envelope.toml from a subdirectory" 1 "$cli" validate ../started.ndjson
    "$cli" --version | grep -q "version 0.4.0), from .*\.noetl-envelope.toml" || fail "$env: --version does not name .noetl-envelope.toml"
    cd "$base/pyproject" && cp ../narrow.json .
    printf '[project]\nname = "svc"\n\n[tool.noetl-envelope]\nschema = "narrow.json"\nignore = ["schema.enum"]\n' >pyproject.toml
    expect "$env: discovery: [tool.noetl-envelope] with ignore" 0 "$cli" validate --format json started.ndjson
    grep -q '"ignored":{"schema.enum":1}' "$work/out" || fail "$env: the config's ignore was not applied"
    cd "$base/cwd" && mkdir schema && cp ../narrow.json schema/executor_event.schema.json
    expect "$env: discovery: schema/ in the working directory" 1 "$cli" conform started.ndjson
    cd "$base/broken" && printf 'strict = "yes"\n' >.noetl-envelope.toml
    expect "$env: discovery: a broken config file" 2 "$cli" validate started.ndjson
    grep -q '^noetl-envelope: .noetl-envelope.toml:1: strict must be true or false' "$work/err" || fail "$env: $(cat "$work/err")"
}

install wheel "${wheels[0]}"
subcommands wheel
grep -q "native" "$work/wheel-version" || fail "wheel: --version does not report the native engine: $(cat "$work/wheel-version")"
echo "ok   wheel: $(tr '\n' ' ' <"$work/wheel-version")"

install sdist "${sdists[0]}"
subcommands sdist
grep -q "native" "$work/sdist-version" || fail "sdist: --version does not report the native engine: $(cat "$work/sdist-version")"

# Speed: the same 100,000 sampled events through the wheel's venv and the dev venv.
"$work/wheel/bin/noetl-envelope" sample -n 100000 >"$work/speed.ndjson"
python3 - "$work/wheel/bin/noetl-envelope" "$(dirname "$PYTHON")/noetl-envelope" "$work/speed.ndjson" <<'PY'
import subprocess, sys, time
wheel, dev, events = sys.argv[1:]
for profile in ("contract", "canonical"):
    for name, cli in (("wheel", wheel), ("dev", dev)):
        start = time.perf_counter()
        subprocess.run([cli, "validate", "--profile", profile, "--quiet", events], check=True, stdout=subprocess.DEVNULL)
        print(f"time {name:5} validate --profile {profile:9} 100000 events: {time.perf_counter() - start:.2f} s")
PY
echo "check_dist: wheel and sdist install alone and every subcommand behaves"
