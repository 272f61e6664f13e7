//! `emit` output is a fixed point of the pinned stack: every line is accepted by
//! `from_slice` and `to_string` writes back identical bytes. Also: determinism.

use noetl_envelope_harness::{emit, ExecutorEvent};

#[test]
fn emitted_lines_round_trip_byte_for_byte() {
    for seed in [0u64, 1, 7, 42, 0xDEAD_BEEF, u64::MAX] {
        for (i, line) in emit::lines(300, seed).iter().enumerate() {
            assert!(
                !line.contains('\n'),
                "seed {seed} line {i}: raw newline in NDJSON"
            );
            let event: ExecutorEvent = serde_json::from_slice(line.as_bytes())
                .unwrap_or_else(|e| panic!("seed {seed} line {i} rejected: {e}\n{line}"));
            let again = serde_json::to_string(&event).unwrap();
            assert_eq!(&again, line, "seed {seed} line {i} not a fixed point");
        }
    }
}

#[test]
fn same_seed_same_bytes_different_seed_different_bytes() {
    let render = |seed| {
        let mut buf = Vec::new();
        emit::emit(&mut buf, 200, seed).unwrap();
        buf
    };
    assert_eq!(render(7), render(7));
    assert_eq!(render(0), render(0));
    assert_ne!(render(7), render(8));
    assert_ne!(render(0), render(1));
}

#[test]
fn emit_covers_the_corners() {
    // Guard against a refactor silently dropping a class of nasty values.
    let all = emit::lines(2000, 7).join("\n");
    for needle in [
        "\"execution_id\":-9223372036854775808",
        "\"execution_id\":9223372036854775807",
        "18446744073709551615",
        ":60",                // leap second
        "\"created_at\":\"-", // negative year
        "\"created_at\":\"+", // year > 9999
        "\\u0000",
        "\u{2028}",
        "\u{7f}",
        "-0.0",
        "e-",
        "e+", // serde_json 1.0.150 (zmij) writes 1e16 as "1e+16", not ryu's "1e16"
        "\"meta\":",
    ] {
        assert!(all.contains(needle), "no emitted line contains {needle:?}");
    }
    assert!(all.lines().any(|l| !l.contains("\"event_id\"")));
    assert!(all.lines().any(|l| !l.contains("\"worker_id\"")));
}
