//! `noetl_envelope_accel`: an optional native prover for noetl-envelope's fast engine.
//!
//! One question, one answer: `Prover(spec).prove(data, profile)` returns true only when it has
//! proved that the reference engine (python/noetl_envelope/profiles) reports nothing for `data`
//! under `profile`; false means "don't know" and the Python engines decide. A false true would
//! be a correctness bug, a false false only costs speed.
//!
//! The prover is plain Rust ([`Prover::from_spec`], [`Prover::prove`]); the Python module
//! (`python.rs`: the class `Prover`, whose errors are `ValueError`s with the same messages) is
//! a thin PyO3 wrapper behind the cargo feature `python`, on by default. Without it the crate
//! builds and tests with no Python at all: `cargo test --locked --no-default-features`.
//!
//! The proof (the same for serde, contract and canonical, since canonical ⊂ contract ⊂ serde):
//! `data` (minus one trailing newline) is read by serde_json itself, field by field with the
//! schema's Rust types (i64, String, DateTime<Utc>, serde_json::Value), while serde_json's own
//! serializer writes back what `serde_json::to_string(&event)` would; the document is proved
//! when the written bytes equal the input and every field passes the schema checks handed over
//! in `spec`. Byte equality rules out, without further checks, everything that serde would
//! rewrite: whitespace, escapes written another way, `-0` (read as -0.0, written `-0.0`),
//! integers beyond i64/u64 (read as f64, written in float form), `1.0` in an i64 field
//! (refused by serde), floats not in zmij's shortest form, more than 9 fraction digits or a
//! non-UTC offset in a timestamp (chrono writes UTC, 'Z', 0/3/6/9 digits). For a float token
//! t read as x, `format(x) == t` means t is x's shortest round-trip form, so the correctly
//! rounded reading of t is x as well: `canonical.float-roundtrip` cannot fire either.
//! What equality does not cover is checked while reading: duplicate keys (serde's Value keeps
//! the last; here object keys must be strictly increasing, which serde's sorted BTreeMap output
//! requires anyway), top-level fields declared, in declaration order, none twice, none null,
//! every required one present, nesting within serde_json's limit, and the schema's enum,
//! length, bound and date-time (RFC 3339: four-digit year, leap second at 23:59 UTC) checks.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

/// serde_json's recursion limit: the 128th nested container is refused (rusttypes.MAX_NESTING).
const MAX_NESTING: usize = 127;
const PROFILES: [&str; 3] = ["serde", "contract", "canonical"];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SpecFile {
    fields: Vec<FieldSpec>,
}

/// One struct field, as python/noetl_envelope/fastpath.py compiles it from the schema.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FieldSpec {
    name: String,
    /// The inner Rust type: "i64", "String", "DateTime<Utc>" or "serde_json::Value".
    rust: String,
    /// May be absent (an Option with serde default and skip_serializing_if, not required).
    optional: bool,
    minimum: Option<i64>,
    maximum: Option<i64>,
    min_length: Option<usize>,
    max_length: Option<usize>,
    #[serde(rename = "enum")]
    enumeration: Option<Vec<String>>,
    /// JSON types a serde_json::Value field may hold ("object", "array", "string", "boolean").
    types: Option<Vec<String>>,
}

enum Kind {
    I64 {
        low: i64,
        high: i64,
    },
    Text {
        timestamp: bool,
    },
    Value {
        object: bool,
        array: bool,
        string: bool,
        boolean: bool,
    },
}

struct Field {
    name: String,
    kind: Kind,
    optional: bool,
    min_length: Option<usize>,
    max_length: Option<usize>,
    enumeration: Option<Vec<String>>,
}

impl Field {
    fn from_spec(spec: FieldSpec) -> Result<Field, String> {
        let kind = match spec.rust.as_str() {
            "i64" => Kind::I64 {
                low: spec.minimum.unwrap_or(i64::MIN),
                high: spec.maximum.unwrap_or(i64::MAX),
            },
            "String" => Kind::Text { timestamp: false },
            "DateTime<Utc>" => Kind::Text { timestamp: true },
            "serde_json::Value" => {
                let types = spec.types.unwrap_or_default();
                let has = |name: &str| types.iter().any(|t| t == name);
                if let Some(other) = types
                    .iter()
                    .find(|t| !["object", "array", "string", "boolean"].contains(&t.as_str()))
                {
                    return Err(format!(
                        "field {}: unsupported Value type {other:?}",
                        spec.name
                    ));
                }
                Kind::Value {
                    object: has("object"),
                    array: has("array"),
                    string: has("string"),
                    boolean: has("boolean"),
                }
            }
            other => {
                return Err(format!(
                    "field {}: unsupported Rust type {other:?}",
                    spec.name
                ))
            }
        };
        Ok(Field {
            name: spec.name,
            kind,
            optional: spec.optional,
            min_length: spec.min_length,
            max_length: spec.max_length,
            enumeration: spec.enumeration,
        })
    }

    /// The schema's string checks (enum, minLength, maxLength; lengths in code points, as
    /// python-jsonschema counts them).
    fn text_ok(&self, text: &str) -> bool {
        if let Some(members) = &self.enumeration {
            if !members.iter().any(|m| m == text) {
                return false;
            }
        }
        if self.min_length.is_some() || self.max_length.is_some() {
            let length = text.chars().count();
            if self.min_length.is_some_and(|n| length < n)
                || self.max_length.is_some_and(|n| length > n)
            {
                return false;
            }
        }
        true
    }
}

fn refuse<E: de::Error>(why: &str) -> E {
    E::custom(why)
}

/// Writes `value` with serde_json's serializer (the writer behind `serde_json::to_string`).
fn write<T: serde::Serialize + ?Sized, E: de::Error>(
    out: &mut Vec<u8>,
    value: &T,
) -> Result<(), E> {
    serde_json::to_writer(out, value).map_err(|_| refuse("not writable"))
}

/// What kind of JSON value a `ValueSeed` read.
#[derive(PartialEq)]
enum Read {
    Null,
    Bool,
    Number,
    Str,
    Array,
    Object,
}

/// Reads any JSON value as serde_json::Value would and writes serde_json's output for it.
/// `level` is the nesting level of the enclosing container (the envelope is level 1).
struct ValueSeed<'a> {
    out: &'a mut Vec<u8>,
    level: usize,
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_> {
    type Value = Read;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Read, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_> {
    type Value = Read;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Read, E> {
        self.out.extend_from_slice(b"null");
        Ok(Read::Null)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Read, E> {
        write(self.out, &v)?;
        Ok(Read::Bool)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Read, E> {
        write(self.out, &v)?;
        Ok(Read::Number)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Read, E> {
        write(self.out, &v)?;
        Ok(Read::Number)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Read, E> {
        // serde_json's parser never yields a non-finite f64 (it refuses the token), and
        // Value keeps a finite f64 as is: writing the f64 is writing the Value.
        if !v.is_finite() {
            return Err(refuse("non-finite"));
        }
        write(self.out, &v)?;
        Ok(Read::Number)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Read, E> {
        write(self.out, v)?;
        Ok(Read::Str)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Read, A::Error> {
        let level = self.level + 1;
        if level > MAX_NESTING {
            return Err(refuse("too deep"));
        }
        self.out.push(b'[');
        let mut first = true;
        loop {
            let mark = self.out.len();
            if !first {
                self.out.push(b',');
            }
            match seq.next_element_seed(ValueSeed {
                out: self.out,
                level,
            })? {
                Some(_) => first = false,
                None => {
                    self.out.truncate(mark);
                    break;
                }
            }
        }
        self.out.push(b']');
        Ok(Read::Array)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Read, A::Error> {
        let level = self.level + 1;
        if level > MAX_NESTING {
            return Err(refuse("too deep"));
        }
        self.out.push(b'{');
        // serde_json's Map is a BTreeMap: it writes keys sorted by bytes. Requiring strictly
        // increasing keys is what byte equality needs anyway, and it refuses duplicates.
        let mut previous: Option<String> = None;
        loop {
            let mark = self.out.len();
            if previous.is_some() {
                self.out.push(b',');
            }
            let key = match map.next_key::<KeyText>()? {
                Some(key) => key.0,
                None => {
                    self.out.truncate(mark);
                    break;
                }
            };
            if previous.as_deref().is_some_and(|p| p >= key.as_str()) {
                return Err(refuse("keys not strictly increasing"));
            }
            write(self.out, key.as_str())?;
            self.out.push(b':');
            map.next_value_seed(ValueSeed {
                out: self.out,
                level,
            })?;
            previous = Some(key);
        }
        self.out.push(b'}');
        Ok(Read::Object)
    }
}

/// An object key, decoded (escapes resolved) the way serde_json's Map reads it.
struct KeyText(String);

impl<'de> Deserialize<'de> for KeyText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(KeyText)
    }
}

/// The top-level key: the index of a declared field (an unknown key or alias is refused).
struct FieldKey<'a>(&'a [Field]);

impl<'de> DeserializeSeed<'de> for FieldKey<'_> {
    type Value = usize;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<usize, D::Error> {
        let key = std::borrow::Cow::<str>::deserialize(deserializer)?;
        self.0
            .iter()
            .position(|f| f.name == key)
            .ok_or_else(|| refuse("not a declared field"))
    }
}

/// One top-level field's value, read with the field's Rust type exactly as serde's derive does.
struct FieldValue<'a> {
    field: &'a Field,
    out: &'a mut Vec<u8>,
}

impl<'de> DeserializeSeed<'de> for FieldValue<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        let field = self.field;
        match field.kind {
            Kind::I64 { low, high } => {
                // Option<i64> reads null as None, which serde then skips on output: refused.
                let value =
                    Option::<i64>::deserialize(deserializer)?.ok_or_else(|| refuse("null"))?;
                if value < low || value > high {
                    return Err(refuse("out of bounds"));
                }
                write(self.out, &value)
            }
            Kind::Text { timestamp: false } => {
                let value =
                    Option::<String>::deserialize(deserializer)?.ok_or_else(|| refuse("null"))?;
                if !field.text_ok(&value) {
                    return Err(refuse("string check"));
                }
                write(self.out, &value)
            }
            Kind::Text { timestamp: true } => {
                let value = Option::<DateTime<Utc>>::deserialize(deserializer)?
                    .ok_or_else(|| refuse("null"))?;
                let start = self.out.len();
                write(self.out, &value)?;
                // What chrono wrote (between the quotes) is the input's text if the document is
                // proved at all: the checks chrono's acceptance does not imply are made on it.
                let text = std::str::from_utf8(&self.out[start + 1..self.out.len() - 1])
                    .map_err(|_| refuse("not UTF-8"))?;
                if !rfc3339_beyond_chrono(text) || !field.text_ok(text) {
                    return Err(refuse("timestamp check"));
                }
                Ok(())
            }
            Kind::Value {
                object,
                array,
                string,
                boolean,
            } => {
                let read = deserializer.deserialize_any(ValueSeed {
                    out: self.out,
                    level: 1,
                })?;
                let allowed = match read {
                    Read::Object => object,
                    Read::Array => array,
                    Read::Str => string,
                    Read::Bool => boolean,
                    Read::Null | Read::Number => false,
                };
                if allowed {
                    Ok(())
                } else {
                    Err(refuse("type"))
                }
            }
        }
    }
}

/// For a timestamp in chrono's output form (`YYYY-MM-DDTHH:MM:SS[.f{3,6,9}]Z` for years
/// 0..=9999, a sign and more digits otherwise), what RFC 3339 requires beyond chrono's own
/// acceptance (timestamp.rfc3339_problem): a four-digit year, and second 60 only at 23:59 UTC.
/// Date, hour and minute ranges are chrono's; 'T', 'Z' and <= 9 fraction digits are its output.
fn rfc3339_beyond_chrono(text: &str) -> bool {
    let b = text.as_bytes();
    if b.len() < 20 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' || b[10] != b'T' {
        return false;
    }
    if b[16] != b':' || !b.ends_with(b"Z") {
        return false;
    }
    &b[17..19] != b"60" || &b[11..16] == b"23:59"
}

/// The envelope: an object whose keys are declared fields in declaration order.
struct Envelope<'a> {
    fields: &'a [Field],
    out: &'a mut Vec<u8>,
}

impl<'de> Visitor<'de> for Envelope<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("the envelope object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.out.push(b'{');
        let mut next = 0; // fields before this index were passed (present or skipped)
        let mut first = true;
        while let Some(index) = map.next_key_seed(FieldKey(self.fields))? {
            if index < next {
                return Err(refuse("field order or duplicate"));
            }
            if self.fields[next..index].iter().any(|f| !f.optional) {
                return Err(refuse("required field missing"));
            }
            if !first {
                self.out.push(b',');
            }
            first = false;
            let field = &self.fields[index];
            write(self.out, field.name.as_str())?;
            self.out.push(b':');
            map.next_value_seed(FieldValue {
                field,
                out: self.out,
            })?;
            next = index + 1;
        }
        if self.fields[next..].iter().any(|f| !f.optional) {
            return Err(refuse("required field missing"));
        }
        self.out.push(b'}');
        Ok(())
    }
}

/// The prover for one schema (see the module documentation).
pub struct Prover {
    fields: Vec<Field>,
}

impl Prover {
    /// `spec`: JSON `{"fields": [...]}`, the schema's fields in declaration order as
    /// `fastpath.accel_spec()` compiles them. An error names what is wrong with the spec.
    pub fn from_spec(spec: &str) -> Result<Prover, String> {
        let parsed: SpecFile = serde_json::from_str(spec).map_err(|e| format!("spec: {e}"))?;
        let mut fields = Vec::with_capacity(parsed.fields.len());
        for field in parsed.fields {
            let field = Field::from_spec(field)?;
            if fields.iter().any(|f: &Field| f.name == field.name) {
                return Err(format!("spec: field {} twice", field.name));
            }
            fields.push(field);
        }
        Ok(Prover { fields })
    }

    /// True only if the reference engine reports nothing for `data` under `profile`; an error
    /// for a profile other than "serde", "contract" and "canonical".
    pub fn prove(&self, data: &[u8], profile: &str) -> Result<bool, String> {
        if !PROFILES.contains(&profile) {
            return Err(format!("unknown profile {profile:?}"));
        }
        let body = data.strip_suffix(b"\n").unwrap_or(data);
        Ok(self.proves(body))
    }

    fn proves(&self, body: &[u8]) -> bool {
        let mut out = Vec::with_capacity(body.len());
        let mut deserializer = serde_json::Deserializer::from_slice(body);
        let envelope = Envelope {
            fields: &self.fields,
            out: &mut out,
        };
        if deserializer.deserialize_map(envelope).is_err() || deserializer.end().is_err() {
            return false;
        }
        out == body
    }
}

#[cfg(feature = "python")]
mod python;

#[cfg(test)]
mod tests;
