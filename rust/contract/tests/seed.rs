//! The harness's struct (rust/src/event.rs: the seed struct of noetl-executor 0.3.1, as the
//! schema generates it) passes every embedded fixture; a struct that is not the envelope fails,
//! and the failures name fixtures of the manifest.

#[path = "../../src/event.rs"]
mod event;

use noetl_envelope_contract::{check, fixtures, Verdict};

#[test]
fn the_seed_struct_conforms() {
    let checked = check::<event::ExecutorEvent>().unwrap_or_else(|failures| {
        let lines: Vec<String> = failures.iter().map(ToString::to_string).collect();
        panic!("{} failures:\n{}", failures.len(), lines.join("\n"))
    });
    // A manifest that lost its fixtures would make the check pass vacuously.
    assert!(checked > 100, "only {checked} fixtures");
    noetl_envelope_contract::assert_conforms::<event::ExecutorEvent>();
}

#[test]
fn both_verdicts_are_embedded() {
    let all = fixtures();
    for verdict in [Verdict::Accept, Verdict::Reject] {
        assert!(
            all.iter().any(|f| f.expected == verdict),
            "no fixture with verdict {verdict:?}"
        );
    }
}

/// Not the envelope: only two of its fields.
#[derive(serde::Serialize, serde::Deserialize)]
struct TwoFields {
    execution_id: i64,
    step: String,
}

#[test]
fn a_different_struct_fails_naming_fixtures() {
    let failures = check::<TwoFields>().expect_err("a two-field struct cannot conform");
    let names: Vec<String> = fixtures().into_iter().map(|f| f.name).collect();
    for failure in &failures {
        assert!(
            names.contains(&failure.fixture),
            "unknown fixture {failure}"
        );
        assert!(failure.to_string().starts_with(&failure.fixture));
    }
    // It accepts what the envelope rejects (a missing required field) and writes less back.
    assert!(failures.iter().any(|f| f.problem.contains("serde rejects")));
    assert!(failures
        .iter()
        .any(|f| f.problem.starts_with("to_string wrote")));
}
