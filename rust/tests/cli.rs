//! The built binary, end to end: `emit | check`, `check --b64` on known cases,
//! input splitting and exit codes.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use noetl_envelope_harness::fields::FIELDS;
use serde_json::Value;

mod common;

const BIN: &str = env!("CARGO_BIN_EXE_envelope-harness");

fn run(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn harness");
    let mut pipe = child.stdin.take().unwrap();
    let input = stdin.to_vec();
    // Write from a thread so a large input cannot deadlock against a full stdout pipe.
    let writer = std::thread::spawn(move || pipe.write_all(&input));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    out
}

fn records(out: &Output) -> Vec<Value> {
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).expect("record is JSON"))
        .collect()
}

/// Standard padded base64, written independently of the harness's decoder.
fn b64(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::new();
    for c in data.chunks(3) {
        let n = (c[0] as u32) << 16
            | (*c.get(1).unwrap_or(&0) as u32) << 8
            | *c.get(2).unwrap_or(&0) as u32;
        for i in 0..4 {
            if i <= c.len() {
                s.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                s.push('=');
            }
        }
    }
    s
}

fn check_b64(docs: &[&[u8]]) -> Vec<Value> {
    let input: String = docs.iter().map(|d| b64(d) + "\n").collect();
    records(&run(&["check", "--b64"], input.as_bytes()))
}

#[test]
fn emit_500_seed_7_piped_into_check_is_all_accepted_and_identical() {
    let emitted = run(&["emit", "--count", "500", "--seed", "7"], b"");
    assert_eq!(emitted.status.code(), Some(0));
    let lines: Vec<&[u8]> = emitted.stdout.split(|&b| b == b'\n').collect();
    assert_eq!(lines.len(), 501, "500 lines + empty tail");
    let recs = records(&run(&["check"], &emitted.stdout));
    assert_eq!(recs.len(), 500);
    for (i, rec) in recs.iter().enumerate() {
        assert_eq!(rec["index"], i);
        assert_eq!(rec["line"], i + 1);
        assert_eq!(rec["accepted"], true, "{rec}");
        assert_eq!(
            rec["output"].as_str().unwrap().as_bytes(),
            lines[i],
            "line {}",
            i + 1
        );
    }
}

#[test]
fn known_cases_via_b64() {
    let id = common::first_required("i64").expect("the schema has a required i64 field");
    let aliased = common::first_aliased().expect("the schema has a field with a serde alias");
    let alias = aliased.aliases[0];
    let optional = FIELDS
        .iter()
        .find(|f| f.optional())
        .expect("an Option field");

    let float_id = common::minimal_with(id.key, "1.0");
    let via_alias = {
        let doc = common::minimal_with(aliased.key, "{\"a\":1}");
        doc.replacen(
            &format!("\"{}\":", aliased.key),
            &format!("\"{alias}\":"),
            1,
        )
    };
    let both = common::minimal_plus(&[(alias, common::sample(aliased))]);
    let unknown = common::minimal_plus(&[("zzz_not_a_field", "[1,{\"x\":null}]")]);
    let null_option = common::minimal_plus(&[(optional.key, "null")]);
    let minimal = common::minimal();
    let with_newline = minimal.replacen(',', ",\n", 1);
    let mut docs = vec![
        float_id,
        via_alias,
        both,
        unknown,
        null_option,
        with_newline,
    ];
    // The sequence form (fields in declaration order), when the schema's defaults allow it.
    docs.extend(common::sequence());
    let recs = check_b64(&docs.iter().map(|d| d.as_bytes()).collect::<Vec<_>>());
    assert_eq!(recs.len(), docs.len());

    assert_eq!(recs[0]["accepted"], false, "{}", docs[0]);
    assert_eq!(recs[0]["category"], "data");
    assert!(
        recs[0]["error"]
            .as_str()
            .unwrap()
            .contains("invalid type: floating point"),
        "{}",
        recs[0]
    );

    assert_eq!(recs[1]["accepted"], true, "{}", docs[1]);
    assert_eq!(
        recs[1]["output"],
        common::canonical_with(Some(aliased.key), "{\"a\":1}")
    );

    assert_eq!(recs[2]["accepted"], false);
    assert!(
        recs[2]["error"]
            .as_str()
            .unwrap()
            .contains(&format!("duplicate field `{}`", aliased.key)),
        "{}",
        recs[2]
    );

    for (i, rec) in recs.iter().enumerate().skip(3) {
        assert_eq!(rec["accepted"], true, "{}", docs[i]);
        assert_eq!(rec["output"], common::canonical(), "{}", docs[i]);
    }
    for (i, rec) in recs.iter().enumerate() {
        assert_eq!(rec["index"], i);
        assert_eq!(rec["line"], i + 1);
    }
}

#[test]
fn rejected_record_shape_and_key_order() {
    let required: Vec<_> = FIELDS.iter().filter(|f| f.required).collect();
    assert!(required.len() >= 2, "the test needs two required fields");
    let doc = format!(
        "{{\"{}\":{}}}",
        required[0].key,
        common::sample(required[0])
    );
    let out = run(&["check"], format!("{doc}\n").as_bytes());
    let text = String::from_utf8(out.stdout).unwrap();
    let column = doc.len();
    assert_eq!(
        text,
        format!(
            "{{\"index\":0,\"line\":1,\"accepted\":false,\"error\":\"missing field `{}` at line 1 column {column}\",\
             \"category\":\"data\",\"error_line\":1,\"error_column\":{column}}}\n",
            required[1].key
        )
    );
}

#[test]
fn splitting_empty_segments_and_multiple_inputs() {
    let dir = std::env::temp_dir().join(format!("envelope-harness-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let a = dir.join("a.ndjson");
    let b = dir.join("b.ndjson");
    // "x", "", "{" and no trailing newline; then one empty doc via "\n".
    std::fs::write(&a, b"x\n\n{").unwrap();
    std::fs::write(&b, b"\n").unwrap();
    let recs = records(&run(
        &["check", a.to_str().unwrap(), b.to_str().unwrap()],
        b"",
    ));
    std::fs::remove_dir_all(&dir).unwrap();
    let got: Vec<(u64, u64, &str)> = recs
        .iter()
        .map(|r| {
            (
                r["index"].as_u64().unwrap(),
                r["line"].as_u64().unwrap(),
                r["category"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (0, 1, "syntax"),
            (1, 2, "eof"),
            (2, 3, "eof"),
            (3, 1, "eof")
        ]
    );
}

#[test]
fn usage_and_io_errors_exit_2_with_one_line() {
    for args in [
        &["check", "/nonexistent/file.ndjson"][..],
        &["bogus"][..],
        &[][..],
        &["emit", "--count", "x"][..],
        &["check", "--nope"][..],
    ] {
        let out = run(args, b"");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    let bad = run(&["check", "--b64"], b"not base64!\n");
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("invalid base64"));
}

#[test]
fn help_exits_0() {
    let out = run(&["--help"], b"");
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("envelope-harness check"));
}
