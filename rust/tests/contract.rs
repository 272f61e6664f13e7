//! `emit --contract`: every event is one the Python `contract` profile accepts (each
//! constraint of the generated field tables, i.e. of the schema, asserted here field by
//! field), still a byte-for-byte fixed point of the pinned stack, deterministic, and what
//! the binary writes.

use std::process::Command;

use noetl_envelope_harness::fields::FIELDS;
use noetl_envelope_harness::{emit, ExecutorEvent, Field};
use serde_json::Value;

mod common;

const BIN: &str = env!("CARGO_BIN_EXE_envelope-harness");

/// What the schema demands of one field's value in a contract-valid document.
fn check_field(f: &Field, value: Option<&Value>, at: &str) {
    let Some(v) = value else {
        assert!(f.optional() && f.skip_if_none, "{at}: {} missing", f.name);
        return;
    };
    if v.is_null() {
        assert!(f.optional() && !f.skip_if_none, "{at}: {} is null", f.name);
        return;
    }
    if let Some(closed) = f.enum_values {
        assert!(
            closed.contains(&v.as_str().unwrap()),
            "{at}: {} not in enum",
            f.name
        );
    }
    if let Some(s) = v.as_str() {
        let n = s.chars().count();
        assert!(n >= f.min_length.unwrap_or(0), "{at}: {} too short", f.name);
        assert!(
            n <= f.max_length.unwrap_or(usize::MAX),
            "{at}: {} too long",
            f.name
        );
    }
    match f.base_type() {
        "i64" => {
            let n = v.as_i64().unwrap();
            assert!(
                n >= f.minimum.unwrap_or(i64::MIN),
                "{at}: {} below minimum",
                f.name
            );
            assert!(
                n <= f.maximum.unwrap_or(i64::MAX),
                "{at}: {} above maximum",
                f.name
            );
        }
        "DateTime<Utc>" => {
            let ts = v.as_str().unwrap().as_bytes();
            // A four-digit unsigned year: 0000..9999.
            assert!(ts[..4].iter().all(u8::is_ascii_digit), "{at}");
            assert_eq!(ts[4], b'-', "{at}");
            // A leap second only at 23:59 UTC (RFC 3339 section 5.7).
            let text = v.as_str().unwrap();
            if text.contains(":60") {
                assert!(text.contains("T23:59:60"), "{at}");
            }
        }
        "serde_json::Value" => assert!(
            f.json_types.iter().any(|t| common::json_type_fits(v, t)),
            "{at}: {} is not one of {:?}",
            f.name,
            f.json_types
        ),
        _ => {}
    }
}

#[test]
fn contract_events_have_what_the_contract_requires() {
    for seed in [0u64, 1, 7, 0xDEAD_BEEF] {
        for (i, line) in emit::contract_lines(1000, seed).iter().enumerate() {
            let doc: Value = serde_json::from_str(line).unwrap();
            let at = format!("seed {seed} line {i}: {line}");
            let object = doc.as_object().unwrap();
            for key in object.keys() {
                assert!(
                    FIELDS.iter().any(|f| f.key == key),
                    "{at}: unknown key {key}"
                );
            }
            for f in FIELDS {
                check_field(f, object.get(f.key), &at);
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
    let mut needles: Vec<String> = ["\\u0000", "e+", "e-"].map(String::from).to_vec();
    for f in FIELDS {
        let key = format!("\"{}\":", f.key);
        match f.base_type() {
            "i64" if f.minimum.map_or(true, |m| m == i64::MIN) => {
                needles.push(format!("{key}{}", i64::MIN))
            }
            "DateTime<Utc>" => needles.extend([
                "T23:59:60".to_string(),
                format!("{key}\"0000-"),
                format!("{key}\"9999-"),
            ]),
            "serde_json::Value" if f.object_only() => needles.push(format!("{key}{{\"")),
            _ => {}
        }
        if f.base_type() == "i64" && f.maximum.map_or(true, |m| m == i64::MAX) {
            needles.push(format!("{key}{}", i64::MAX));
        }
        for value in f.enum_values.unwrap_or(&[]) {
            needles.push(format!("{key}\"{value}\""));
        }
        common::expect_skipped_sometimes(f, &all, &key, &mut needles);
    }
    for needle in needles {
        assert!(all.contains(&needle), "no {needle} in 3000 contract events");
    }
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
