#!/usr/bin/env bash
# Every hook of .pre-commit-hooks.yaml, run the way another repository meets it, in two scratch
# git repositories without pyproject.toml:
#   schema-repo: schema/executor_event.schema.json, schema/releases/, schema/CHANGELOG.md (a
#                repository that owns the envelope schema);
#   rust-repo:   a Cargo crate whose tests dumped events to tests/events/*.ndjson.
# The hook repository is a snapshot of this checkout (HEAD plus uncommitted and untracked files,
# one commit in a scratch clone); pre-commit installs each hook's environment from it as from any
# hook repository (pip builds the package, native engine included).
# 1. `pre-commit try-repo <snapshot> <hook-id> --all-files` for every hook, in the repository it
#    is meant for: it must pass.
# 2. The same hooks from a committed .pre-commit-config.yaml (`pre-commit run <hook-id>
#    --all-files`, one cached environment; try-repo builds a new one per call): in both
#    repositories each must pass or find nothing to check, and after one bad change each must
#    fail for that reason: a breaking schema edit without a version bump; dump lines with a
#    contract error and with drift.
# Prints one line per case and exits 1 if any case went the wrong way.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
PYTHON=${PYTHON:-$root/.venv/bin/python}
PRE_COMMIT_VERSION=4.7.0
work=$(mktemp -d /tmp/noetl-envelope-precommit.XXXXXX)
trap 'rm -rf "$work"' EXIT
# A fresh cache: hook environments are built from this checkout, not from an older run's.
export PRE_COMMIT_HOME="$work/cache"
# try-repo sets every hook environment up anew (a temporary store per call), and pip builds the
# native engine each time: one cargo target directory lets those builds share what they can.
export CARGO_TARGET_DIR="$root/rust/accel/target/pre-commit"

if [ "$("$PYTHON" -m pre_commit --version 2>/dev/null)" != "pre-commit $PRE_COMMIT_VERSION" ]; then
    "$PYTHON" -m pip install -q --disable-pip-version-check "pre-commit==$PRE_COMMIT_VERSION" || exit 2
fi

# The hook repository: this checkout's files as they are, committed in a clone.
snapshot="$work/hook-repo"
git clone -q --no-checkout "$root" "$snapshot" || exit 2
(cd "$root" && git ls-files -z --cached --others --exclude-standard | xargs -0 cp -P --parents -t "$snapshot") || exit 2
git -C "$snapshot" add -A && git -C "$snapshot" -c user.name=ci -c user.email=ci@localhost commit -q --allow-empty -m snapshot || exit 2

hooks=$("$PYTHON" - "$root/.pre-commit-hooks.yaml" <<'PY'
import sys, yaml
print(" ".join(hook["id"] for hook in yaml.safe_load(open(sys.argv[1]))))
PY
) || exit 2

commit_all() {
    git -C "$1" add -A && git -C "$1" -c user.name=ci -c user.email=ci@localhost commit -q -m "$2"
}

mkdir -p "$work/schema-repo/schema"
cp -r "$root/schema/executor_event.schema.json" "$root/schema/releases" "$root/schema/CHANGELOG.md" "$work/schema-repo/schema/"
git -C "$work/schema-repo" init -q -b main && commit_all "$work/schema-repo" "schema"

mkdir -p "$work/rust-repo/src" "$work/rust-repo/tests/events"
printf '[package]\nname = "service"\nversion = "0.1.0"\nedition = "2021"\n' >"$work/rust-repo/Cargo.toml"
printf '// the service\n' >"$work/rust-repo/src/lib.rs"
head -n 50 "$root/fixtures/samples/events.ndjson" >"$work/rust-repo/tests/events/step_events.ndjson"
git -C "$work/rust-repo" init -q -b main && commit_all "$work/rust-repo" "dumps"

failures=0
# try_hook CASE REPO HOOK EXPECT [PATTERN]: EXPECT is pass, skip or fail; a failure counts as
# expected only when its output has PATTERN (grep -E), so it failed for the reason meant. CASE
# starting with "try:" runs try-repo, else `pre-commit run` with the repository's config.
try_hook() {
    local case=$1 repo=$2 hook=$3 expect=$4 pattern=${5:-} log="$work/${1//[:\/]/-}.log" status outcome
    if [ "${case#try:}" != "$case" ]; then
        (cd "$repo" && "$PYTHON" -m pre_commit try-repo "$snapshot" "$hook" --all-files --color never) >"$log" 2>&1
    else
        (cd "$repo" && "$PYTHON" -m pre_commit run "$hook" --all-files --color never) >"$log" 2>&1
    fi
    status=$?
    # pre-commit exits 1 when a hook failed, 3 when it could not set the hook up or run it.
    if [ "$status" -eq 0 ] && grep -q "Skipped" "$log"; then
        outcome=skip
    elif [ "$status" -eq 0 ]; then
        outcome=pass
    elif [ "$status" -eq 1 ]; then
        outcome=fail
    else
        outcome=error
    fi
    if [ "$outcome" = fail ] && [ -n "$pattern" ] && ! grep -q -E -- "$pattern" "$log"; then
        outcome="fail without '$pattern'"
    fi
    if [ "$outcome" = "$expect" ]; then
        echo "ok   $case: $hook $outcome"
    else
        failures=$((failures + 1))
        echo "FAIL $case: $hook expected $expect, got $outcome (exit $status); the end of its output:"
        grep -v '^\s*$' "$log" | tail -n 6 | sed 's/^/     /'
        [ "$outcome" != error ] || grep -h -A3 '^\(stderr\|Caused by\)' "$PRE_COMMIT_HOME/pre-commit.log" 2>/dev/null | tail -n 8 | sed 's/^/     /'
    fi
}

# 1. try-repo, each hook where it has work.
for hook in $hooks; do
    case $hook in
        noetl-envelope-compat) try_hook "try:schema-repo" "$work/schema-repo" "$hook" pass ;;
        noetl-envelope-validate | noetl-envelope-conform) try_hook "try:rust-repo" "$work/rust-repo" "$hook" pass ;;
        *)
            failures=$((failures + 1))
            echo "FAIL $hook: a hook this script has no cases for; add them"
            ;;
    esac
done

# 2. From a config, as a repository that adopted the hooks has it.
rev=$(git -C "$snapshot" rev-parse HEAD)
for repo in schema-repo rust-repo; do
    {
        printf 'repos:\n  - repo: %s\n    rev: %s\n    hooks:\n' "$snapshot" "$rev"
        for hook in $hooks; do printf '      - id: %s\n' "$hook"; done
    } >"$work/$repo/.pre-commit-config.yaml"
    commit_all "$work/$repo" "pre-commit config"
done
for hook in $hooks; do
    case $hook in
        noetl-envelope-compat)
            try_hook schema-repo "$work/schema-repo" "$hook" pass
            try_hook rust-repo "$work/rust-repo" "$hook" skip
            ;;
        *)
            try_hook schema-repo "$work/schema-repo" "$hook" skip
            try_hook rust-repo "$work/rust-repo" "$hook" pass
            ;;
    esac
done

# One bad change each. A field made required breaks old producers: without a major bump the gate
# refuses it. In the dumps, line 51 has a string execution_id (a contract error, so both hooks
# fail) and line 52 writes a None Option as null (contract-valid, but drift for conform).
"$PYTHON" - "$work/schema-repo/schema/executor_event.schema.json" <<'PY'
import json, sys
path = sys.argv[1]
schema = json.load(open(path))
schema["required"].append("event_id")
open(path, "w").write(json.dumps(schema, indent=2) + "\n")
PY
commit_all "$work/schema-repo" "event_id required"
try_hook schema-repo-breaking "$work/schema-repo" noetl-envelope-compat fail "event_id"

"$PYTHON" - "$work/rust-repo/tests/events/step_events.ndjson" <<'PY'
import json, sys
path = sys.argv[1]
event = json.loads(open(path, "rb").readline())
event.pop("worker_id", None)
string_id = dict(event, execution_id=str(event["execution_id"]))
null_option = dict(event, worker_id=None)
with open(path, "a") as out:
    for doc in (string_id, null_option):
        out.write(json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n")
PY
commit_all "$work/rust-repo" "drifted events"
try_hook rust-repo-drift "$work/rust-repo" noetl-envelope-validate fail "step_events.ndjson:51: /execution_id"
try_hook rust-repo-drift "$work/rust-repo" noetl-envelope-conform fail "step_events.ndjson:52: .*drift.null-instead-of-absent"

if [ "$failures" -ne 0 ]; then
    echo "check_precommit_hooks: $failures case(s) went the wrong way" >&2
    exit 1
fi
echo "check_precommit_hooks: every hook behaves in both scratch repositories"
