//! Unit tests of the prover, without Python: `cargo test --locked --no-default-features`.
//!
//! Every document proved here was also checked against the Python reference engine
//! (`noetl_envelope.profiles.run`, all three profiles: no violation); the refused ones are
//! either invalid for the reference under some profile or valid but not written as serde_json
//! writes them (the prover declines those, the Python engines decide).

use super::{Misread, PathPart, Prover, Verdict, MAX_NESTING, PROFILES};

/// `fastpath.accel_spec()` for schema/executor_event.schema.json (the noetl-executor
/// `ExecutorEvent`, fields in declaration order), written by `make gen`: the tests follow the
/// schema, and `make check-gen` fails when this copy is stale.
const SPEC: &str = include_str!("spec.json");

/// The smallest canonical envelope: every required field, none of the Option ones.
const BASE: &str = r#"{"execution_id":1,"event_type":"e","step":"s","status":"STARTED","created_at":"2024-01-01T00:00:00Z","context":{}}"#;

/// Every field present, in declaration order.
const FULL: &str = r#"{"execution_id":1,"event_type":"e","step":"s","status":"STARTED","created_at":"2024-01-01T00:00:00Z","context":{"a":1},"event_id":2,"worker_id":"w","meta":{"retry":0}}"#;

fn prover() -> Prover {
    Prover::from_spec(SPEC).expect("the real schema's spec is accepted")
}

/// The verdict for `doc` under the three profiles, which must agree (the proof is the same
/// for serde, contract and canonical).
fn verdict_with(prover: &Prover, doc: &[u8]) -> bool {
    let verdicts: Vec<bool> = PROFILES
        .iter()
        .map(|profile| prover.prove(doc, profile).expect("a known profile"))
        .collect();
    assert!(
        verdicts.iter().all(|&v| v == verdicts[0]),
        "profiles disagree on {:?}: {verdicts:?}",
        String::from_utf8_lossy(doc)
    );
    verdicts[0]
}

fn proved(doc: impl AsRef<[u8]>) -> bool {
    verdict_with(&prover(), doc.as_ref())
}

/// BASE with the one occurrence of `from` replaced by `to`.
fn base_with(from: &str, to: &str) -> String {
    assert_eq!(
        BASE.matches(from).count(),
        1,
        "{from:?} occurs once in BASE"
    );
    BASE.replacen(from, to, 1)
}

/// BASE with `context` set to `value`.
fn context(value: &str) -> String {
    base_with(r#""context":{}"#, &format!(r#""context":{value}"#))
}

/// BASE with `member` (`"name":value`) appended after `context`.
fn base_plus(member: &str) -> String {
    format!("{},{member}}}", &BASE[..BASE.len() - 1])
}

/// The real spec with one field's JSON object replaced, for checks the real schema lacks.
fn spec_with(name: &str, field: &str) -> Prover {
    let mut spec: serde_json::Value = serde_json::from_str(SPEC).unwrap();
    let fields = spec["fields"].as_array_mut().unwrap();
    let slot = fields.iter_mut().find(|f| f["name"] == name).unwrap();
    *slot = serde_json::from_str(field).unwrap();
    Prover::from_spec(&spec.to_string()).unwrap()
}

// ---- valid documents ------------------------------------------------------------------------

#[test]
fn canonical_envelope_is_proved_under_every_profile() {
    let prover = prover();
    for profile in PROFILES {
        assert_eq!(
            prover.prove(BASE.as_bytes(), profile),
            Ok(true),
            "{profile}"
        );
        assert_eq!(
            prover.prove(FULL.as_bytes(), profile),
            Ok(true),
            "{profile}"
        );
    }
}

#[test]
fn one_trailing_newline_only() {
    assert!(proved(format!("{BASE}\n")));
    assert!(proved(format!("{FULL}\n")));
    assert!(!proved(format!("{BASE}\n\n")));
    assert!(!proved(format!("{BASE}\r\n")));
    assert!(!proved(format!("{BASE}\r")));
    assert!(!proved(format!("\n{BASE}")));
    assert!(!proved(format!("{BASE}\n{BASE}")));
}

#[test]
fn option_fields_may_be_left_out_anywhere() {
    assert!(proved(base_plus(r#""meta":{}"#)));
    assert!(proved(base_plus(r#""worker_id":"""#)));
    assert!(proved(base_plus(r#""event_id":2,"meta":{"x":null}"#)));
}

// ---- bytes serde_json would write differently ------------------------------------------------

#[test]
fn whitespace_is_refused() {
    assert!(!proved(base_with(r#""step":"s""#, r#""step": "s""#)));
    assert!(!proved(base_with(r#""step":"s""#, r#""step" :"s""#)));
    assert!(!proved(base_with(r#","step""#, r#", "step""#)));
    assert!(!proved(context("{ }")));
    assert!(!proved(context(r#"{"a":[1, 2]}"#)));
    assert!(!proved(format!(" {BASE}")));
    assert!(!proved(format!("{BASE} ")));
    assert!(!proved(format!("{BASE}\t")));
}

#[test]
fn context_keys_must_be_sorted_by_bytes_without_duplicates() {
    assert!(proved(context(r#"{"a":2,"b":1}"#)));
    assert!(!proved(context(r#"{"b":1,"a":2}"#)));
    // Duplicates: serde's Value keeps the last one and writes one key.
    assert!(!proved(context(r#"{"a":1,"a":1}"#)));
    assert!(!proved(context(r#"{"a":1,"b":{"c":1,"c":1}}"#)));
    // Sorted at every level.
    assert!(proved(context(r#"{"a":{"b":2,"c":1}}"#)));
    assert!(!proved(context(r#"{"a":{"c":1,"b":2}}"#)));
    assert!(!proved(context(r#"{"a":[{"c":1,"b":2}]}"#)));
    // Byte order ('B' < 'a'), not case-insensitive order; "a" < "ab" < "b".
    assert!(proved(context(r#"{"B":1,"a":2}"#)));
    assert!(!proved(context(r#"{"a":1,"B":2}"#)));
    assert!(proved(context(r#"{"a":1,"ab":2,"b":3}"#)));
    assert!(!proved(context(r#"{"ab":1,"a":2}"#)));
    // UTF-8 byte order is code point order: U+00E9 < U+4E2D < U+1F600.
    assert!(proved(context(r#"{"é":1,"中":2,"😀":3}"#)));
    assert!(!proved(context(r#"{"😀":1,"中":2}"#)));
}

#[test]
fn strings_must_be_written_as_serde_json_escapes_them() {
    assert!(proved(base_with(r#""step":"s""#, r#""step":"A""#)));
    assert!(!proved(base_with(r#""step":"s""#, r#""step":"\u0041""#)));
    assert!(proved(base_with(r#""step":"s""#, r#""step":"é""#)));
    assert!(!proved(base_with(r#""step":"s""#, r#""step":"\u00e9""#)));
    assert!(!proved(base_with(r#""step":"s""#, r#""step":"\/""#)));
    // serde_json's own escapes: the short ones, else \u00XX in lowercase hex.
    assert!(proved(base_with(r#""step":"s""#, r#""step":"\b\"\\\n""#)));
    assert!(!proved(base_with(r#""step":"s""#, r#""step":"\u0008""#)));
    assert!(proved(base_with(r#""step":"s""#, r#""step":"\u001f""#)));
    assert!(!proved(base_with(r#""step":"s""#, r#""step":"\u001F""#)));
    // DEL is not escaped; a raw control character is invalid JSON.
    assert!(proved(base_with(r#""step":"s""#, "\"step\":\"\x7f\"")));
    assert!(!proved(base_with(r#""step":"s""#, "\"step\":\"\x01\"")));
    // Astral characters are written raw, never as a surrogate pair; a lone one is invalid.
    assert!(proved(base_with(r#""step":"s""#, r#""step":"😀""#)));
    assert!(!proved(base_with(
        r#""step":"s""#,
        r#""step":"\ud83d\ude00""#
    )));
    assert!(!proved(base_with(r#""step":"s""#, r#""step":"\ud83d""#)));
    // Keys too, nested and at the top level.
    assert!(!proved(context(r#"{"\u0061":1}"#)));
    assert!(!proved(base_with(r#""step""#, r#""st\u0065p""#)));
}

#[test]
fn invalid_utf8_is_refused() {
    let doc = |bytes: &[u8]| {
        let mut doc = BASE.as_bytes().to_vec();
        let at = BASE.find(r#""s""#).unwrap() + 1;
        doc.splice(at..at + 1, bytes.iter().copied());
        doc
    };
    assert!(proved(doc("é".as_bytes())));
    assert!(!proved(doc(b"\xff")));
    assert!(!proved(doc(b"\xc3"))); // truncated sequence
    assert!(!proved(doc(b"\xed\xa0\xbd"))); // an encoded surrogate
    assert!(!proved(doc(b"\xc0\xaf"))); // overlong
    let mut bom = b"\xef\xbb\xbf".to_vec();
    bom.extend_from_slice(BASE.as_bytes());
    assert!(!proved(bom));
}

// ---- the envelope's fields -------------------------------------------------------------------

#[test]
fn unknown_top_level_field_is_refused() {
    assert!(!proved(base_plus(r#""extra":1"#)));
    assert!(!proved(base_plus(r#""extra":null"#)));
    assert!(!proved(base_with(
        r#"{"execution_id""#,
        r#"{"extra":1,"execution_id""#
    )));
}

#[test]
fn serde_alias_is_refused() {
    // The schema gives `context` the serde alias `payload` (x-serde): serde reads it, writes
    // `context`; the contract rejects it.
    assert!(!proved(base_with(r#""context""#, r#""payload""#)));
    assert!(!proved(base_plus(r#""payload":{}"#)));
}

#[test]
fn fields_out_of_declaration_order_are_refused() {
    assert!(!proved(base_with(
        r#""event_type":"e","step":"s""#,
        r#""step":"s","event_type":"e""#
    )));
    let swapped = FULL.replace(
        r#""worker_id":"w","meta":{"retry":0}"#,
        r#""meta":{"retry":0},"worker_id":"w""#,
    );
    assert!(!proved(swapped));
    // An Option field ahead of a required one.
    assert!(!proved(base_with(
        r#""context":{}"#,
        r#""event_id":2,"context":{}"#
    )));
}

#[test]
fn same_field_twice_is_refused() {
    assert!(!proved(base_with(
        r#""step":"s""#,
        r#""step":"s","step":"s""#
    )));
    assert!(!proved(base_plus(r#""context":{}"#)));
    assert!(!proved(base_plus(r#""meta":{},"meta":{}"#)));
}

#[test]
fn missing_required_field_is_refused() {
    // First, in the middle, last.
    assert!(!proved(base_with(r#""execution_id":1,"#, "")));
    assert!(!proved(base_with(r#""step":"s","#, "")));
    assert!(!proved(base_with(r#","context":{}"#, "")));
    assert!(!proved(base_with(r#","context":{}"#, r#","meta":{}"#)));
    assert!(!proved("{}"));
}

#[test]
fn null_is_refused_for_every_field() {
    // An Option field read as None is skipped on output (skip_serializing_if).
    assert!(!proved(base_plus(r#""event_id":null"#)));
    assert!(!proved(base_plus(r#""worker_id":null"#)));
    assert!(!proved(base_plus(r#""meta":null"#)));
    assert!(!proved(base_with(r#""step":"s""#, r#""step":null"#)));
    assert!(!proved(base_with(
        r#""execution_id":1"#,
        r#""execution_id":null"#
    )));
    assert!(!proved(context("null")));
}

#[test]
fn not_an_envelope_object() {
    assert!(!proved(""));
    assert!(!proved("\n"));
    assert!(!proved(format!("[{BASE}]")));
    assert!(!proved(format!("{BASE}x")));
    assert!(!proved(&BASE[..BASE.len() - 1]));
    assert!(!proved("null"));
}

// ---- i64 fields ------------------------------------------------------------------------------

#[test]
fn i64_bounds_of_the_type() {
    let id = |n: &str| base_with(r#""execution_id":1"#, &format!(r#""execution_id":{n}"#));
    assert!(proved(id("9223372036854775807")));
    assert!(proved(id("-9223372036854775808")));
    assert!(proved(id("0")));
    assert!(!proved(id("9223372036854775808"))); // a u64: serde refuses it for i64
    assert!(!proved(id("-9223372036854775809"))); // read as a float
    assert!(!proved(id("18446744073709551616"))); // beyond u64: a float
    assert!(!proved(id("1.0")));
    assert!(!proved(id("1e0")));
    assert!(!proved(id("-0")));
    assert!(!proved(id("01")));
    assert!(!proved(id("+1")));
    assert!(!proved(id(r#""1""#)));
    assert!(proved(base_plus(r#""event_id":-1"#)));
    assert!(!proved(base_plus(r#""event_id":1.0"#)));
}

#[test]
fn i64_bounds_of_the_spec() {
    let prover = spec_with(
        "execution_id",
        r#"{"name": "execution_id", "rust": "i64", "optional": false, "minimum": -5, "maximum": 10}"#,
    );
    let id = |n: i64| base_with(r#""execution_id":1"#, &format!(r#""execution_id":{n}"#));
    assert!(verdict_with(&prover, id(-5).as_bytes()));
    assert!(verdict_with(&prover, id(10).as_bytes()));
    assert!(!verdict_with(&prover, id(-6).as_bytes()));
    assert!(!verdict_with(&prover, id(11).as_bytes()));
    assert!(!verdict_with(&prover, id(i64::MAX).as_bytes()));
    assert!(!verdict_with(&prover, id(i64::MIN).as_bytes()));
}

// ---- numbers inside serde_json::Value --------------------------------------------------------

#[test]
fn floats_must_be_serde_jsons_shortest_form() {
    let number = |n: &str| context(&format!(r#"{{"a":{n}}}"#));
    // What serde_json 1.0.150 writes back, byte for byte.
    for written in [
        "0.5",
        "0.0",
        "-0.0",
        "100000.0",
        "1000000000000000.0",
        "1e+16",
        "1.8e+19",
        "0.00001",
        "1e-7",
        "2.5e-8",
        "5e-324",
        "1.7976931348623157e+308",
        "18446744073709551615",
        "-9223372036854775808",
    ] {
        assert!(proved(number(written)), "{written}");
    }
    // Read fine, written otherwise.
    for (token, serde_writes) in [
        ("-0", "-0.0"),
        ("1e5", "100000.0"),
        ("1E5", "100000.0"),
        ("1e15", "1000000000000000.0"),
        ("1e16", "1e+16"),
        ("1E+16", "1e+16"),
        ("1.0e+16", "1e+16"),
        ("5e-1", "0.5"),
        ("0.50", "0.5"),
        ("1e-07", "1e-7"),
        ("1e-5", "0.00001"),
        ("-9223372036854775809", "-9.223372036854776e+18"),
        ("18446744073709551616", "1.8446744073709552e+19"),
        // serde_json's parser is not correctly rounded (no float_roundtrip feature): it reads
        // this shortest form of 1.2345678901234567e+20 as the neighbouring double.
        ("1.2345678901234567e+20", "1.2345678901234568e+20"),
    ] {
        let value: serde_json::Value = serde_json::from_str(token).unwrap();
        assert_eq!(serde_json::to_string(&value).unwrap(), serde_writes);
        assert!(!proved(number(token)), "{token}");
    }
    // Not JSON, or out of range.
    for token in ["1e400", "-1e400", "NaN", ".5", "5.", "01", "+1"] {
        assert!(!proved(number(token)), "{token}");
    }
}

// ---- floats serde_json reads back as a neighbour (`check`) -----------------------------------

/// `check`'s misreads for `doc` when it found nothing else, the same under every profile.
fn checked(doc: impl AsRef<[u8]>) -> Option<Vec<Misread>> {
    let verdict = verdict(doc)?;
    assert!(verdict.unknown.is_empty() && verdict.missing.is_empty() && verdict.failing.is_empty());
    Some(verdict.misreads)
}

/// `check`'s answer for `doc`, the same under every profile.
fn verdict(doc: impl AsRef<[u8]>) -> Option<Verdict> {
    let prover = prover();
    let answers: Vec<_> = PROFILES
        .iter()
        .map(|profile| {
            prover
                .check(doc.as_ref(), profile)
                .expect("a known profile")
        })
        .collect();
    assert!(
        answers.iter().all(|a| *a == answers[0]),
        "profiles disagree"
    );
    answers.into_iter().next().unwrap()
}

fn at(path: &[PathPart], token: &str) -> Misread {
    Misread {
        path: path.to_vec(),
        token: token.to_string(),
    }
}

fn key(name: &str) -> PathPart {
    PathPart::Key(name.to_string())
}

/// The shortest form of 1.2345678901234567e+20, which serde_json's default parser reads as the
/// neighbouring 1.2345678901234568e+20 (see floats_must_be_serde_jsons_shortest_form).
const MISREAD: &str = "1.2345678901234567e+20";

#[test]
fn misread_floats_are_reported_with_their_paths_in_document_order() {
    assert_eq!(checked(BASE), Some(vec![]));
    assert_eq!(
        checked(context(&format!(r#"{{"a":{MISREAD}}}"#))),
        Some(vec![at(&[key("context"), key("a")], MISREAD)])
    );
    let doc = base_plus(&format!(
        r#""meta":{{"a":[0.5,{MISREAD},{{"b":-{MISREAD}}}],"c":{MISREAD}}}"#
    ));
    let negative = format!("-{MISREAD}");
    assert_eq!(
        checked(doc),
        Some(vec![
            at(&[key("meta"), key("a"), PathPart::Index(1)], MISREAD),
            at(
                &[key("meta"), key("a"), PathPart::Index(2), key("b")],
                &negative
            ),
            at(&[key("meta"), key("c")], MISREAD),
        ])
    );
}

#[test]
fn a_misread_float_with_anything_else_wrong_is_not_known() {
    let with = |inner: &str| context(&format!("{{{inner}}}"));
    assert!(checked(with(&format!(r#""a":{MISREAD}"#))).is_some());
    // Not the shortest form of its value, in either reading.
    assert_eq!(checked(with(r#""a":1.23456789012345670e+20"#)), None);
    assert_eq!(checked(with(r#""a":1.2345678901234567e20"#)), None);
    assert_eq!(checked(with(r#""a":1.2345678901234567E+20"#)), None);
    // Something else the prover refuses, before or after the float.
    assert_eq!(checked(with(&format!(r#""b":1,"a":{MISREAD}"#))), None);
    assert_eq!(checked(with(&format!(r#""a":{MISREAD},"a":1"#))), None);
    assert_eq!(checked(with(&format!(r#""a": {MISREAD}"#))), None);
    assert_eq!(checked(with(&format!(r#""a":{MISREAD} "#))), None);
    assert_eq!(
        checked(with(&format!(r#""a":"\u0041","b":{MISREAD}"#))),
        None
    );
    let spaced = format!(
        r#"{{"execution_id":1, "event_type":"e","step":"s","status":"STARTED","created_at":"2024-01-01T00:00:00Z","context":{{"a":{MISREAD}}}}}"#
    );
    assert_eq!(checked(spaced), None);
    // A field fault besides: named too (the profiles decide what the misread is worth then).
    let failing =
        verdict(base_with("STARTED", "started").replace("{}", &format!(r#"{{"a":{MISREAD}}}"#)));
    assert_eq!(failing.unwrap().failing, vec!["status".to_string()]);
}

// ---- field faults read past (`check`) --------------------------------------------------------

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[test]
fn unknown_missing_and_failing_fields_are_named() {
    let unknown = verdict(base_plus(r#""trace_id":"t","x":{"a":[1]}"#)).unwrap();
    assert_eq!(unknown.unknown, names(&["trace_id", "x"]));
    assert!(unknown.missing.is_empty() && unknown.failing.is_empty());
    // Anywhere among the declared fields, which keep their order.
    let early = BASE.replacen(r#""step""#, r#""zz":1,"step""#, 1);
    assert_eq!(verdict(early).unwrap().unknown, names(&["zz"]));
    let renamed = verdict(base_with(r#""step":"s""#, r#""node_name":"s""#)).unwrap();
    assert_eq!(renamed.unknown, names(&["node_name"]));
    assert_eq!(renamed.missing, names(&["step"]));
    let missing = verdict(BASE.replacen(r#","context":{}"#, "", 1)).unwrap();
    assert_eq!(missing.missing, names(&["context"]));
    let failing = verdict(base_with("STARTED", "started").replacen(r#""e""#, r#""""#, 1)).unwrap();
    assert_eq!(failing.failing, names(&["event_type", "status"]));
    // A misread float inside an unknown member is named with its path.
    let inside = verdict(base_plus(&format!(r#""x":[{MISREAD}]"#))).unwrap();
    assert_eq!(
        inside.misreads,
        vec![at(&[key("x"), PathPart::Index(0)], MISREAD)]
    );
    assert_eq!(inside.unknown, names(&["x"]));
}

#[test]
fn field_faults_with_anything_else_wrong_are_not_known() {
    assert_eq!(verdict(base_plus(r#""x":1,"x":1"#)), None); // a repeated unknown key
    assert_eq!(verdict(base_plus(r#""x":{"b":1,"a":1}"#)), None); // not serde_json's bytes
    assert_eq!(verdict(base_plus(r#""x": 1"#)), None);
    assert_eq!(verdict(base_plus(r#""x":-0"#)), None);
    assert_eq!(verdict(base_with(r#""context""#, r#""payload""#)), None); // serde's alias
    assert_eq!(verdict(base_with(r#""step":"s""#, r#""step":1"#)), None); // a wrong type
    assert_eq!(
        verdict(base_with(r#""execution_id":1"#, r#""execution_id":1.0"#)),
        None
    );
    assert_eq!(verdict(base_with("2024-01-01", "2024-02-30")), None);
    assert_eq!(verdict(context("[]")), None);
    let misordered = BASE.replacen(
        r#""event_type":"e","step":"s""#,
        r#""step":"s","event_type":"e""#,
        1,
    );
    assert_eq!(verdict(misordered), None);
}

// ---- timestamps ------------------------------------------------------------------------------

#[test]
fn timestamps_must_be_chronos_utc_form() {
    let at = |t: &str| base_with("2024-01-01T00:00:00Z", t);
    for written in [
        "2024-01-01T00:00:00.120Z",
        "2024-01-01T00:00:00.100Z",
        "2024-01-01T00:00:00.000001Z",
        "2024-01-01T00:00:00.000000001Z",
        "2024-02-29T00:00:00Z",
        "0999-01-01T00:00:00Z",
        "9999-12-31T23:59:59.999999999Z",
    ] {
        assert!(proved(at(written)), "{written}");
    }
    for token in [
        "2024-01-01T00:00:00+00:00",
        "2024-01-01T01:00:00+01:00",
        "2024-01-01T00:00:00.12Z",
        "2024-01-01T00:00:00.1Z",
        "2024-01-01T00:00:00.000Z",
        "2024-01-01T00:00:00.1200Z",
        "2024-01-01T00:00:00.0000000001Z", // 10 fraction digits
        "2024-01-01t00:00:00z",
        "2024-01-01 00:00:00Z",
        "2024-01-01T00:00Z",
        "2024-02-30T00:00:00Z",
        "2023-02-29T00:00:00Z",
        "2024-01-01T24:00:00Z",
        "+10000-01-01T00:00:00Z",
        "10000-01-01T00:00:00Z",
        "-0001-01-01T00:00:00Z",
        "",
    ] {
        assert!(!proved(at(token)), "{token}");
    }
    assert!(!proved(base_with(
        r#""2024-01-01T00:00:00Z""#,
        "1704067200"
    )));
}

#[test]
fn leap_second_only_at_23_59() {
    let at = |t: &str| base_with("2024-01-01T00:00:00Z", t);
    assert!(proved(at("2016-12-31T23:59:60Z")));
    assert!(proved(at("2016-12-31T23:59:60.500Z")));
    // chrono accepts second 60 at any minute; RFC 3339 (the contract) does not.
    assert!(!proved(at("2024-01-01T12:00:60Z")));
    assert!(!proved(at("2024-01-01T23:58:60Z")));
    assert!(!proved(at("2024-01-01T00:59:60Z")));
}

#[test]
fn timestamps_get_the_string_checks_too() {
    // accel_spec() passes a timestamp's enum / minLength / maxLength on (none in the real
    // schema): they apply to the text as written.
    let prover = spec_with(
        "created_at",
        r#"{"name": "created_at", "rust": "DateTime<Utc>", "optional": false, "max_length": 20, "enum": ["2024-01-01T00:00:00Z", "2024-01-01T00:00:00.120Z"]}"#,
    );
    let at = |t: &str| base_with("2024-01-01T00:00:00Z", t);
    assert!(verdict_with(&prover, at("2024-01-01T00:00:00Z").as_bytes()));
    assert!(!verdict_with(
        &prover,
        at("2024-01-01T00:00:00.120Z").as_bytes()
    )); // 24 > 20
    assert!(!verdict_with(
        &prover,
        at("2024-01-01T00:00:01Z").as_bytes()
    )); // not in enum
}

// ---- strings ---------------------------------------------------------------------------------

#[test]
fn enum_and_length_checks() {
    let status = |s: &str| base_with(r#""STARTED""#, &format!(r#""{s}""#));
    let spec: serde_json::Value = serde_json::from_str(SPEC).unwrap();
    let members = spec["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "status")
        .and_then(|f| f["enum"].as_array())
        .expect("status is an enum in the schema");
    assert!(members.iter().any(|m| m == "STARTED"), "BASE's status");
    for member in members {
        let member = member.as_str().unwrap();
        assert!(proved(status(member)), "{member}");
    }
    for other in ["DONE", "started", "STARTED ", ""] {
        assert!(!proved(status(other)), "{other}");
    }
    assert!(!proved(base_with(r#""STARTED""#, r#""\u0053TARTED""#)));
    // event_type has minLength 1.
    assert!(!proved(base_with(
        r#""event_type":"e""#,
        r#""event_type":"""#
    )));
    assert!(proved(base_with(r#""step":"s""#, r#""step":"""#)));
}

#[test]
fn lengths_count_code_points() {
    let prover = spec_with(
        "step",
        r#"{"name": "step", "rust": "String", "optional": false, "min_length": 2, "max_length": 3}"#,
    );
    let step = |s: &str| base_with(r#""step":"s""#, &format!(r#""step":"{s}""#));
    assert!(!verdict_with(&prover, step("é").as_bytes())); // 2 bytes, 1 code point
    assert!(verdict_with(&prover, step("éé").as_bytes()));
    assert!(verdict_with(&prover, step("😀😀😀").as_bytes())); // 12 bytes, 3 code points
    assert!(!verdict_with(&prover, step("abcd").as_bytes()));
    assert!(verdict_with(&prover, step("\\n\\n").as_bytes())); // an escape is one character
}

#[test]
fn value_fields_hold_only_their_declared_types() {
    assert!(!proved(context("[]")));
    assert!(!proved(context(r#""x""#)));
    assert!(!proved(context("true")));
    assert!(!proved(context("1")));
    assert!(!proved(base_plus(r#""meta":[0]"#)));
    let prover = spec_with(
        "context",
        r#"{"name": "context", "rust": "serde_json::Value", "optional": false, "types": ["array", "string", "boolean"]}"#,
    );
    let verdict = |value: &str| verdict_with(&prover, context(value).as_bytes());
    assert!(verdict("[]"));
    assert!(verdict(r#"[1,"a",null,{"b":[]}]"#));
    assert!(verdict(r#""x""#));
    assert!(verdict("false"));
    assert!(!verdict("{}"));
    assert!(!verdict("null"));
    assert!(!verdict("1"));
    assert!(!verdict("0.5"));
}

// ---- nesting ---------------------------------------------------------------------------------

/// `{"a":` + `levels` nested arrays inside context: the envelope is level 1, context level 2.
fn nested_arrays(arrays: usize) -> String {
    context(&format!(
        r#"{{"a":{}{}}}"#,
        "[".repeat(arrays),
        "]".repeat(arrays)
    ))
}

#[test]
fn nesting_up_to_serde_jsons_limit() {
    assert_eq!(MAX_NESTING, 127);
    assert!(proved(nested_arrays(MAX_NESTING - 2))); // 127 levels
    assert!(!proved(nested_arrays(MAX_NESTING - 1))); // 128 levels
    let objects = |levels: usize| {
        context(&format!(
            "{}1{}",
            r#"{"a":"#.repeat(levels),
            "}".repeat(levels)
        ))
    };
    assert!(proved(objects(MAX_NESTING - 1)));
    assert!(!proved(objects(MAX_NESTING)));
    // In meta too, and far beyond the limit (no stack overflow: serde_json's own recursion
    // limit refuses the same 128th level before the prover's check sees it).
    assert!(!proved(base_plus(&format!(
        r#""meta":{{"a":{}}}"#,
        "[".repeat(10_000)
    ))));
}

// ---- the API ---------------------------------------------------------------------------------

#[test]
fn unknown_profile_is_an_error() {
    let prover = prover();
    for profile in ["strict", "", "Canonical", "reference"] {
        assert_eq!(
            prover.prove(BASE.as_bytes(), profile),
            Err(format!("unknown profile {profile:?}"))
        );
    }
    assert_eq!(
        prover.prove(b"not even JSON", "x"),
        Err(r#"unknown profile "x""#.to_string())
    );
}

fn spec_error(spec: &str) -> String {
    match Prover::from_spec(spec) {
        Ok(_) => panic!("spec accepted: {spec}"),
        Err(e) => e,
    }
}

#[test]
fn spec_errors() {
    assert_eq!(
        spec_error(r#"{"fields": [{"name": "a", "rust": "u8", "optional": false}]}"#),
        r#"field a: unsupported Rust type "u8""#
    );
    assert_eq!(
        spec_error(r#"{"fields": [{"name": "a", "rust": "Option<i64>", "optional": true}]}"#),
        r#"field a: unsupported Rust type "Option<i64>""#
    );
    assert_eq!(
        spec_error(
            r#"{"fields": [{"name": "a", "rust": "i64", "optional": false}, {"name": "a", "rust": "String", "optional": true}]}"#
        ),
        "spec: field a twice"
    );
    assert_eq!(
        spec_error(
            r#"{"fields": [{"name": "a", "rust": "serde_json::Value", "optional": false, "types": ["object", "number"]}]}"#
        ),
        r#"field a: unsupported Value type "number""#
    );
    let unknown_key = spec_error(
        r#"{"fields": [{"name": "a", "rust": "i64", "optional": false, "pattern": "x"}]}"#,
    );
    assert!(
        unknown_key.starts_with("spec: unknown field `pattern`"),
        "{unknown_key}"
    );
    let unknown_top = spec_error(r#"{"fields": [], "required": []}"#);
    assert!(
        unknown_top.starts_with("spec: unknown field `required`"),
        "{unknown_top}"
    );
    let missing = spec_error(r#"{"fields": [{"name": "a", "rust": "i64"}]}"#);
    assert!(
        missing.starts_with("spec: missing field `optional`"),
        "{missing}"
    );
    assert!(spec_error("").starts_with("spec: "));
    assert!(spec_error(r#"{"fields": [}"#).starts_with("spec: "));
    assert_eq!(
        spec_error("{}"),
        "spec: missing field `fields` at line 1 column 2"
    );
}

#[test]
fn spec_optional_keys_may_be_left_out() {
    let prover = Prover::from_spec(
        r#"{"fields": [{"name": "a", "rust": "i64", "optional": false}, {"name": "b", "rust": "String", "optional": true}]}"#,
    )
    .unwrap();
    assert!(verdict_with(&prover, br#"{"a":1}"#));
    assert!(verdict_with(&prover, br#"{"a":1,"b":"x"}"#));
    assert!(!verdict_with(&prover, br#"{"b":"x"}"#));
    // An empty field list proves only the empty object.
    let empty = Prover::from_spec(r#"{"fields": []}"#).unwrap();
    assert!(verdict_with(&empty, b"{}"));
    assert!(verdict_with(&empty, b"{}\n"));
    assert!(!verdict_with(&empty, br#"{"a":1}"#));
}
