#!/usr/bin/env bash
# rust/contract as a Rust service meets it: a scratch crate in a temp directory depends on
# noetl-envelope-contract by path (and, when this checkout has commits, by git URL) and runs
# `noetl_envelope_contract::assert_conforms` on its own copy of the executor struct
# (rust/src/event.rs). The unmodified struct must pass; each drifted copy (a renamed field; an
# Option that lost skip_serializing_if) must fail, and the failure must name a fixture of
# fixtures/manifest.json. Prints one line per case; exits 1 on the first wrong outcome.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/noetl-envelope-consumer.XXXXXX)
trap 'rm -rf "$work"' EXIT
# One target directory for every case, kept between runs: the dependencies build once.
export CARGO_TARGET_DIR="$root/rust/contract/target/consumer"

fail() { echo "check_consumer_crate: $*" >&2; exit 1; }

# new_crate DIR DEPENDENCY-SPEC: a service crate whose test checks src/event.rs's ExecutorEvent.
new_crate() {
    local dir=$1 spec=$2
    mkdir -p "$dir/src" "$dir/tests"
    cat >"$dir/Cargo.toml" <<TOML
[package]
name = "scratch-service"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
serde = { version = "1", features = ["derive"] }
serde_json = "1"
chrono = { version = "0.4", features = ["serde"] }

[dev-dependencies]
noetl-envelope-contract = $spec
TOML
    printf 'pub mod event;\n' >"$dir/src/lib.rs"
    cp "$root/rust/src/event.rs" "$dir/src/event.rs"
    cat >"$dir/tests/contract.rs" <<'RS'
#[test]
fn executor_event_conforms() {
    noetl_envelope_contract::assert_conforms::<scratch_service::event::ExecutorEvent>();
}
RS
}

# drift DIR SED-SCRIPT: edit the crate's struct; refuse an edit that changed nothing.
drift() {
    local file=$1/src/event.rs
    cp "$file" "$file.orig"
    sed -i "$2" "$file"
    ! cmp -s "$file" "$file.orig" || fail "drift '$2' did not change $file"
    rm "$file.orig"
}

# expect_pass / expect_fail CASE DIR
expect_pass() {
    if ! (cd "$2" && cargo test --quiet >"$work/$1.log" 2>&1); then
        cat "$work/$1.log" >&2
        fail "$1: expected the contract check to pass"
    fi
    grep -q "1 passed" "$work/$1.log" || fail "$1: the contract test did not run"
    echo "ok   $1: passes"
}
expect_fail() {
    if (cd "$2" && cargo test --quiet >"$work/$1.log" 2>&1); then
        fail "$1: the drifted struct passed the contract check"
    fi
    # The first failure line names a fixture and its file: `NAME (fixtures/FILE): problem`.
    local line name
    line=$(grep -m1 -E '^[^ ]+ \(fixtures/[^)]+\): ' "$work/$1.log") || {
        cat "$work/$1.log" >&2
        fail "$1: failed without naming a fixture"
    }
    name=${line%% *}
    grep -q "\"name\": \"$name\"" "$root/fixtures/manifest.json" || fail "$1: names '$name', not a fixture of the manifest"
    grep -q -- "$3" "$work/$1.log" || fail "$1: no '$3' in the failure"
    echo "ok   $1: fails, e.g. ${line:0:160}"
}

path_spec="{ path = \"$root/rust/contract\" }"

new_crate "$work/seed" "$path_spec"
expect_pass seed-struct-by-path "$work/seed"

new_crate "$work/renamed" "$path_spec"
drift "$work/renamed" 's/pub step: String/pub step_name: String/'
expect_fail renamed-field "$work/renamed" "missing field \`step_name\`"

new_crate "$work/null-option" "$path_spec"
drift "$work/null-option" '0,/^ *#\[serde(default, skip_serializing_if = "Option::is_none")\]$/s//    #[serde(default)]/'
expect_fail option-without-skip "$work/null-option" '"event_id":null'

# A git dependency checks out the whole repository, so the embedded fixtures are those of the
# commit it names (here HEAD of this checkout; CI's fresh clone has it).
if git -C "$root" rev-parse --verify -q HEAD >/dev/null && git -C "$root" cat-file -e HEAD:rust/contract/Cargo.toml 2>/dev/null; then
    new_crate "$work/git" "{ git = \"file://$root\", rev = \"$(git -C "$root" rev-parse HEAD)\" }"
    expect_pass seed-struct-by-git "$work/git"
else
    echo "skip seed-struct-by-git: HEAD has no rust/contract yet"
fi
