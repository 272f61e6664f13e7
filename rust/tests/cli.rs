//! The built binary, end to end: `emit | check`, `check --b64` on known cases,
//! input splitting and exit codes.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

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

const BASE: &str = r#""event_type":"step.enter","step":"s","status":"STARTED","created_at":"2024-01-01T00:00:00Z""#;

#[test]
fn known_cases_via_b64() {
    let float_id = format!(r#"{{"execution_id":1.0,{BASE},"context":{{}}}}"#);
    let payload = format!(r#"{{"execution_id":1,{BASE},"payload":{{"a":1}}}}"#);
    let both = format!(r#"{{"execution_id":1,{BASE},"context":{{}},"payload":{{}}}}"#);
    let unknown = format!(r#"{{"execution_id":1,{BASE},"context":{{}},"zzz":[1,{{"x":null}}]}}"#);
    let seq = r#"[1,"t","s","S","2024-01-01T00:00:00Z",{}]"#.to_string();
    let null_id = format!(r#"{{"execution_id":1,{BASE},"context":{{}},"event_id":null}}"#);
    let with_newline = format!("{{\"execution_id\":1,\n{BASE},\"context\":{{}}}}");
    let docs = [
        &float_id,
        &payload,
        &both,
        &unknown,
        &seq,
        &null_id,
        &with_newline,
    ];
    let recs = check_b64(&docs.map(|d| d.as_bytes()));
    assert_eq!(recs.len(), docs.len());

    let canon = |ctx: &str| format!(r#"{{"execution_id":1,{BASE},"context":{ctx}}}"#);

    assert_eq!(recs[0]["accepted"], false);
    assert_eq!(recs[0]["category"], "data");
    assert!(
        recs[0]["error"]
            .as_str()
            .unwrap()
            .contains("invalid type: floating point"),
        "{}",
        recs[0]
    );

    assert_eq!(recs[1]["accepted"], true);
    assert_eq!(recs[1]["output"], canon(r#"{"a":1}"#));

    assert_eq!(recs[2]["accepted"], false);
    assert!(
        recs[2]["error"]
            .as_str()
            .unwrap()
            .contains("duplicate field `context`"),
        "{}",
        recs[2]
    );

    assert_eq!(recs[3]["accepted"], true);
    assert_eq!(recs[3]["output"], canon("{}"));

    assert_eq!(recs[4]["accepted"], true);
    assert_eq!(
        recs[4]["output"],
        r#"{"execution_id":1,"event_type":"t","step":"s","status":"S","created_at":"2024-01-01T00:00:00Z","context":{}}"#
    );

    assert_eq!(recs[5]["accepted"], true);
    assert_eq!(recs[5]["output"], canon("{}"));

    // A raw '\n' inside the document survives only thanks to --b64.
    assert_eq!(recs[6]["accepted"], true);
    assert_eq!(recs[6]["output"], canon("{}"));

    for (i, rec) in recs.iter().enumerate() {
        assert_eq!(rec["index"], i);
        assert_eq!(rec["line"], i + 1);
    }
}

#[test]
fn rejected_record_shape_and_key_order() {
    let out = run(&["check"], b"{\"execution_id\":1}\n");
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        text,
        "{\"index\":0,\"line\":1,\"accepted\":false,\"error\":\"missing field `event_type` at line 1 column 18\",\
         \"category\":\"data\",\"error_line\":1,\"error_column\":18}\n"
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
