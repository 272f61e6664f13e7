//! The generated fixtures (`../fixtures/manifest.json`, written by `make gen`) agree with
//! the pinned Rust stack: for every fixture, `serde_json::from_slice::<ExecutorEvent>`
//! accepts exactly when the manifest's `expected.serde` says "accept", and then
//! `serde_json::to_string` writes exactly the manifest's `serde_output`.
//!
//! The Python side computed those verdicts; this is the check that it computed them the
//! way Rust does. fixtures/README.md has a copy of this test for other crates.

use std::path::{Path, PathBuf};

use noetl_envelope_harness::ExecutorEvent;
use serde_json::Value;

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("fixtures")
}

fn field<'a>(entry: &'a Value, key: &str) -> &'a Value {
    entry
        .get(key)
        .unwrap_or_else(|| panic!("manifest entry without {key:?}: {entry}"))
}

/// The document under test: the file's bytes, less the newline the generator appended.
fn document(entry: &Value) -> Vec<u8> {
    let file = field(entry, "file").as_str().expect("file is a string");
    let path = fixtures_dir().join(file);
    let mut bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    if field(entry, "newline_appended")
        .as_bool()
        .expect("newline_appended is a bool")
    {
        assert_eq!(
            bytes.pop(),
            Some(b'\n'),
            "{file}: newline_appended but no final newline"
        );
    }
    bytes
}

fn load_manifest() -> Vec<Value> {
    let path = fixtures_dir().join("manifest.json");
    let text =
        std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e} (run `make gen`)", path.display()));
    let manifest: Value = serde_json::from_slice(&text).expect("manifest.json is JSON");
    manifest["fixtures"]
        .as_array()
        .expect("fixtures is an array")
        .clone()
}

#[test]
fn every_fixture_matches_its_serde_verdict_and_output() {
    let fixtures = load_manifest();
    // A manifest that lost its fixtures would make this test pass vacuously.
    assert!(
        fixtures.len() > 100,
        "only {} fixtures in the manifest",
        fixtures.len()
    );
    let mut failures = Vec::new();
    for entry in &fixtures {
        let name = field(entry, "name").as_str().unwrap_or("?");
        let expected = field(field(entry, "expected"), "serde").as_str();
        let result = serde_json::from_slice::<ExecutorEvent>(&document(entry));
        match (result, expected) {
            (Ok(event), Some("accept")) => {
                let written = serde_json::to_string(&event).expect("serialize");
                let want = field(entry, "serde_output")
                    .as_str()
                    .expect("serde_output is a string");
                if written != want {
                    failures.push(format!(
                        "{name}: to_string wrote {written:?}, manifest says {want:?}"
                    ));
                }
            }
            (Err(_), Some("reject")) => {}
            (Ok(_), _) => {
                failures.push(format!("{name}: Rust accepts, manifest says {expected:?}"))
            }
            (Err(e), _) => failures.push(format!(
                "{name}: Rust rejects ({e}), manifest says {expected:?}"
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} disagreement(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn both_verdicts_are_represented() {
    // Guards the test above against a manifest where every fixture has the same verdict.
    let fixtures = load_manifest();
    for verdict in ["accept", "reject"] {
        assert!(
            fixtures.iter().any(|e| e["expected"]["serde"] == verdict),
            "no fixture with serde verdict {verdict}"
        );
    }
}
