//! `emit --contract`: every event is one the Python `contract` profile accepts (the
//! properties it checks are asserted here one by one), still a byte-for-byte fixed
//! point of the pinned stack, deterministic, and what the binary writes.

use std::process::Command;

use noetl_envelope_harness::emit::{self, KNOWN_STATUSES};
use noetl_envelope_harness::ExecutorEvent;
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_envelope-harness");

#[test]
fn contract_events_have_what_the_contract_requires() {
    for seed in [0u64, 1, 7, 0xDEAD_BEEF] {
        for (i, line) in emit::contract_lines(1000, seed).iter().enumerate() {
            let doc: Value = serde_json::from_str(line).unwrap();
            let at = format!("seed {seed} line {i}: {line}");
            assert!(
                KNOWN_STATUSES.contains(&doc["status"].as_str().unwrap()),
                "{at}"
            );
            assert!(!doc["event_type"].as_str().unwrap().is_empty(), "{at}");
            assert!(doc["context"].is_object(), "{at}");
            assert!(doc.get("meta").map_or(true, Value::is_object), "{at}");
            let ts = doc["created_at"].as_str().unwrap();
            // A four-digit unsigned year: 0000..9999.
            assert!(ts.as_bytes()[..4].iter().all(u8::is_ascii_digit), "{at}");
            assert_eq!(ts.as_bytes()[4], b'-', "{at}");
            // A leap second only at 23:59 UTC (RFC 3339 section 5.7).
            if ts.contains(":60") {
                assert!(ts.contains("T23:59:60"), "{at}");
            }
            // Still a fixed point: accepted and written back identically.
            let event: ExecutorEvent = serde_json::from_str(line).unwrap();
            assert_eq!(&serde_json::to_string(&event).unwrap(), line, "{at}");
        }
    }
}

#[test]
fn contract_events_still_cover_the_corners() {
    let all = emit::contract_lines(3000, 7).join("\n");
    for needle in [
        "\"execution_id\":-9223372036854775808",
        "\"execution_id\":9223372036854775807",
        "T23:59:60",
        "\"created_at\":\"0000-",
        "\"created_at\":\"9999-",
        "\"meta\":{",
        "\\u0000",
        "e+",
        "e-",
    ] {
        assert!(all.contains(needle), "no {needle} in 3000 contract events");
    }
    for status in KNOWN_STATUSES {
        assert!(
            all.contains(&format!("\"status\":\"{status}\"")),
            "{status}"
        );
    }
    assert!(all.lines().any(|l| !l.contains("\"meta\"")));
}

#[test]
fn cli_emit_contract_is_deterministic_and_differs_from_default() {
    let run = |args: &[&str]| {
        let out = Command::new(BIN).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(0));
        out.stdout
    };
    let contract = run(&["emit", "--contract", "--count", "50", "--seed", "3"]);
    assert_eq!(
        contract,
        run(&["emit", "--count=50", "--seed=3", "--contract"])
    );
    let expected: String = emit::contract_lines(50, 3)
        .iter()
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(contract, expected.as_bytes());
    // The default output is unchanged by the flag's existence.
    let default = run(&["emit", "--count", "50", "--seed", "3"]);
    let old: String = emit::lines(50, 3)
        .iter()
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(default, old.as_bytes());
    assert_ne!(default, contract);
}
