//! The NoETL executor event envelope contract, for a Rust service's own `cargo test`.
//!
//! Every fixture of noetl-envelope's `fixtures/manifest.json` (embedded at build time) says
//! whether `serde_json::from_slice::<ExecutorEvent>` (serde 1.0.228, serde_json 1.0.150,
//! chrono 0.4.44) accepts its bytes and, when it does, the exact bytes `serde_json::to_string`
//! writes back. [`check`] runs all of them against *your* struct:
//!
//! ```text
//! #[test]
//! fn executor_event_conforms() {
//!     noetl_envelope_contract::assert_conforms::<my_crate::ExecutorEvent>();
//! }
//! ```
//!
//! A renamed field, a changed type, a missing `alias`, an `Option` written as `null` because
//! it lost `skip_serializing_if`, a `deny_unknown_fields`: each turns some fixture's verdict or
//! output, and the failure names that fixture (`noetl-envelope rules` and the fixture's
//! description say what it probes).

use std::fmt;

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/fixtures.rs"));
}

/// What serde does with a fixture's bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// `serde_json::from_slice` returns the struct.
    Accept,
    /// `serde_json::from_slice` returns an error.
    Reject,
}

/// One fixture of the manifest, with its document.
#[derive(Debug, Clone)]
pub struct Fixture {
    /// Stable name, e.g. `created_at.offset-basic-format`.
    pub name: String,
    /// The document's path under `fixtures/`, e.g. `valid/context.empty-object.json`.
    pub file: String,
    /// The manifest's category (`numbers`, `timestamps`, ...).
    pub category: String,
    /// What the fixture probes, in one sentence.
    pub description: String,
    /// The pinned serde stack's verdict on [`Fixture::document`].
    pub expected: Verdict,
    /// For an accepted document: exactly what `serde_json::to_string` writes for the decoded value.
    pub serde_output: Option<String>,
    /// The document's bytes (without the newline the generator appended to some files).
    pub document: &'static [u8],
}

/// A fixture on which the checked type disagrees with the contract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The fixture's name.
    pub fixture: String,
    /// The fixture's document, under `fixtures/`.
    pub file: String,
    /// What the type did and what the contract expected.
    pub problem: String,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (fixtures/{}): {}",
            self.fixture, self.file, self.problem
        )
    }
}

/// The schema version the embedded fixtures were generated from (manifest `schema_version`).
pub fn schema_version() -> String {
    manifest()["schema_version"]
        .as_str()
        .unwrap_or_else(|| panic!("{}", bad_manifest("schema_version is not a string")))
        .to_owned()
}

/// Every fixture of the embedded manifest, in manifest order.
pub fn fixtures() -> Vec<Fixture> {
    let manifest = manifest();
    let entries = manifest["fixtures"]
        .as_array()
        .unwrap_or_else(|| panic!("{}", bad_manifest("fixtures is not an array")));
    entries.iter().map(fixture).collect()
}

/// Runs every fixture through `serde_json::from_slice::<T>` and, where accepted,
/// `serde_json::to_string`: `Ok(number of fixtures)` when every verdict and every written
/// document matches the contract, else every disagreement.
pub fn check<T: Serialize + DeserializeOwned>() -> Result<usize, Vec<Failure>> {
    let fixtures = fixtures();
    let failures: Vec<Failure> = fixtures.iter().filter_map(check_one::<T>).collect();
    if failures.is_empty() {
        Ok(fixtures.len())
    } else {
        Err(failures)
    }
}

/// [`check`], panicking with one line per disagreeing fixture: for a `#[test]`.
pub fn assert_conforms<T: Serialize + DeserializeOwned>() {
    if let Err(failures) = check::<T>() {
        let total = fixtures().len();
        let lines: Vec<String> = failures.iter().map(Failure::to_string).collect();
        panic!(
            "{} of {total} noetl-envelope fixtures (schema {}) disagree with {}:\n{}",
            failures.len(),
            schema_version(),
            std::any::type_name::<T>(),
            lines.join("\n")
        );
    }
}

fn check_one<T: Serialize + DeserializeOwned>(fixture: &Fixture) -> Option<Failure> {
    let problem = match (
        serde_json::from_slice::<T>(fixture.document),
        fixture.expected,
    ) {
        (Ok(value), Verdict::Accept) => {
            let want = fixture.serde_output.as_deref().unwrap_or_default();
            match serde_json::to_string(&value) {
                Ok(written) if written == want => return None,
                Ok(written) => format!("to_string wrote {written}, the contract says {want}"),
                Err(e) => format!("accepted, but to_string failed: {e}"),
            }
        }
        (Err(_), Verdict::Reject) => return None,
        (Ok(_), Verdict::Reject) => "accepted, the contract says serde rejects it".to_owned(),
        (Err(e), Verdict::Accept) => format!("rejected ({e}), the contract says serde accepts it"),
    };
    Some(Failure {
        fixture: fixture.name.clone(),
        file: fixture.file.clone(),
        problem,
    })
}

fn manifest() -> Value {
    serde_json::from_str(embedded::MANIFEST)
        .unwrap_or_else(|e| panic!("{}", bad_manifest(&e.to_string())))
}

fn bad_manifest(why: &str) -> String {
    format!("noetl-envelope-contract: embedded fixtures/manifest.json: {why}")
}

fn fixture(entry: &Value) -> Fixture {
    let text = |key: &str| -> String {
        entry[key]
            .as_str()
            .unwrap_or_else(|| {
                panic!(
                    "{}",
                    bad_manifest(&format!("{key} is not a string in {entry}"))
                )
            })
            .to_owned()
    };
    let name = text("name");
    let file = text("file");
    let expected = match entry["expected"]["serde"].as_str() {
        Some("accept") => Verdict::Accept,
        Some("reject") => Verdict::Reject,
        other => panic!(
            "{}",
            bad_manifest(&format!("{name}: expected.serde is {other:?}"))
        ),
    };
    let serde_output = entry["serde_output"].as_str().map(str::to_owned);
    if expected == Verdict::Accept && serde_output.is_none() {
        panic!(
            "{}",
            bad_manifest(&format!("{name}: accepted but no serde_output"))
        );
    }
    let mut document = embedded::DOCUMENTS
        .iter()
        .find(|(key, _)| *key == file)
        .map(|(_, bytes)| *bytes)
        .unwrap_or_else(|| {
            panic!(
                "{}",
                bad_manifest(&format!("{name}: no document fixtures/{file}"))
            )
        });
    if entry["newline_appended"].as_bool() == Some(true) {
        document = document.strip_suffix(b"\n").unwrap_or_else(|| {
            panic!(
                "{}",
                bad_manifest(&format!("{name}: newline_appended but no final newline"))
            )
        });
    }
    Fixture {
        name,
        file,
        category: text("category"),
        description: text("description"),
        expected,
        serde_output,
        document,
    }
}
