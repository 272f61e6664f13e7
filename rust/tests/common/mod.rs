//! Documents built from the generated field tables (`fields::FIELDS`), so the tests follow the
//! schema instead of restating it: one simple JSON value per Rust type, and helpers that
//! assemble the minimal document, a document with one key replaced, and the sequence form.

#![allow(dead_code)] // each test binary uses its own subset

use noetl_envelope_harness::fields::FIELDS;
use noetl_envelope_harness::Field;
use serde_json::Value;

/// A simple JSON value of the field's Rust type that the pinned stack writes back unchanged.
pub fn sample(f: &Field) -> &'static str {
    match f.base_type() {
        "i64" => "1",
        "String" => match f.enum_values {
            Some(values) => leak(serde_json::to_string(values[0]).unwrap()),
            None => "\"s\"",
        },
        "DateTime<Utc>" => "\"2024-01-01T00:00:00Z\"",
        "serde_json::Value" => {
            for (t, v) in [
                ("object", "{}"),
                ("array", "[]"),
                ("string", "\"v\""),
                ("integer", "1"),
            ] {
                if f.json_types.contains(&t) {
                    return v;
                }
            }
            "true"
        }
        other => panic!("no sample for Rust type {other}"),
    }
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

/// The required fields in declaration order, as `"key":value` members.
pub fn required_members() -> Vec<(String, String)> {
    FIELDS
        .iter()
        .filter(|f| f.required)
        .map(|f| (f.key.to_string(), sample(f).to_string()))
        .collect()
}

/// `{"a":..,"b":..}` from members, in order.
pub fn object(members: &[(String, String)]) -> String {
    let body: Vec<String> = members
        .iter()
        .map(|(k, v)| format!("{}:{v}", serde_json::to_string(k).unwrap()))
        .collect();
    format!("{{{}}}", body.join(","))
}

/// The minimal document: every required field with its sample. It is also exactly what
/// `to_string` writes back for it (declaration order, no optional field).
pub fn minimal() -> String {
    object(&required_members())
}

/// The minimal document with `key`'s value replaced (`key` must be required).
pub fn minimal_with(key: &str, value: &str) -> String {
    let mut members = required_members();
    let slot = members
        .iter_mut()
        .find(|(k, _)| k == key)
        .expect("a required field");
    slot.1 = value.to_string();
    object(&members)
}

/// What `to_string` writes for the minimal document with `key` (if any) set to `value`:
/// declaration order, an optional field omitted when skipped and `null` otherwise.
pub fn canonical_with(key: Option<&str>, value: &str) -> String {
    let members: Vec<(String, String)> = FIELDS
        .iter()
        .filter(|f| f.required || !f.skip_if_none)
        .map(|f| {
            let v = if Some(f.key) == key {
                value
            } else if f.required {
                sample(f)
            } else {
                "null"
            };
            (f.key.to_string(), v.to_string())
        })
        .collect();
    object(&members)
}

/// What `to_string` writes for the minimal document.
pub fn canonical() -> String {
    canonical_with(None, "")
}

/// The minimal document plus extra members at the end.
pub fn minimal_plus(extra: &[(&str, &str)]) -> String {
    let mut members = required_members();
    members.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    object(&members)
}

/// The first required field of the given Rust type, if the schema has one.
pub fn first_required(rust_type: &str) -> Option<&'static Field> {
    FIELDS
        .iter()
        .find(|f| f.required && f.rust_type == rust_type)
}

/// The first field with a serde alias.
pub fn first_aliased() -> Option<&'static Field> {
    FIELDS.iter().find(|f| !f.aliases.is_empty())
}

/// The sequence form of the minimal document: one element per field up to the last required
/// one (`null` for an optional one in between), or `None` when a field after it has no
/// `#[serde(default)]` (serde then wants that element too).
pub fn sequence() -> Option<String> {
    let last = FIELDS.iter().rposition(|f| f.required)?;
    if FIELDS[last + 1..].iter().any(|f| !f.serde_default) {
        return None;
    }
    let items: Vec<&str> = FIELDS[..=last]
        .iter()
        .map(|f| if f.required { sample(f) } else { "null" })
        .collect();
    Some(format!("[{}]", items.join(",")))
}

/// Whether `v` is of JSON Schema type `name` (an integer-valued float counts as "number").
pub fn json_type_fits(v: &Value, name: &str) -> bool {
    match (name, v) {
        ("object", Value::Object(_))
        | ("array", Value::Array(_))
        | ("string", Value::String(_)) => true,
        ("boolean", Value::Bool(_)) | ("null", Value::Null) | ("number", Value::Number(_)) => true,
        ("integer", Value::Number(n)) => n.is_i64() || n.is_u64(),
        _ => false,
    }
}

/// An Option field serde skips when None: some emitted line must lack it, and `key` (its
/// `"name":`) joins the needles some line must hold.
pub fn expect_skipped_sometimes(f: &Field, all: &str, key: &str, needles: &mut Vec<String>) {
    if f.optional() && f.skip_if_none {
        assert!(
            all.lines().any(|l| !l.contains(key)),
            "{} always present",
            f.name
        );
        needles.push(key.to_string());
    }
}
