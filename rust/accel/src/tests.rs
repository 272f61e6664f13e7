//! Unit tests of the prover, without Python: `cargo test --locked --no-default-features`.
//!
//! No document here spells out the envelope's fields: each is built from the schema's facts,
//! `spec.json` (the fields in declaration order with their Rust types and checks, as `make gen`
//! writes them) and, for what the spec does not carry, the schema's serde aliases. A test picks
//! the fields it needs by role (every required field, the first `i64`, a `String` without
//! checks, each enum, ...), so a field added to the schema plus `make gen` needs no edit here
//! (the drill, scripts/drill.py, adds an optional and a required one). That what the prover
//! proves the Python reference engine accepts is tests/test_accel.py's question, on whole corpora.

use std::sync::OnceLock;

use super::{
    FieldSpec, LineLimits, Listed, Misread, PathPart, Prover, SpecFile, Verdict, MAX_NESTING,
    PROFILES,
};

/// `fastpath.accel_spec()` for schema/executor_event.schema.json, written by `make gen`: the
/// tests follow the schema, and `make check-gen` fails when this copy is stale.
const SPEC: &str = include_str!("spec.json");

/// The schema itself, read only for serde's aliases (the prover refuses them as undeclared keys).
const SCHEMA: &str = include_str!("../../../schema/executor_event.schema.json");

/// What the tests ask of a field, beside what the prover reads (lib.rs).
impl FieldSpec {
    fn low(&self) -> i64 {
        self.minimum.unwrap_or(i64::MIN)
    }
    fn high(&self) -> i64 {
        self.maximum.unwrap_or(i64::MAX)
    }
    fn has_type(&self, json_type: &str) -> bool {
        self.types.iter().flatten().any(|t| t == json_type)
    }
    /// A String without enum or length checks: any string is proved in it.
    fn unchecked_string(&self) -> bool {
        self.rust == "String"
            && self.enumeration.is_none()
            && self.min_length.is_none()
            && self.max_length.is_none()
    }
}

/// The schema's fields, in declaration order.
fn fields() -> &'static [FieldSpec] {
    static FIELDS: OnceLock<Vec<FieldSpec>> = OnceLock::new();
    FIELDS.get_or_init(|| {
        serde_json::from_str::<SpecFile>(SPEC)
            .expect("spec.json as make gen writes it")
            .fields
    })
}

/// The first field `pick` accepts; `role` says what the test needs when the schema has none.
fn first(role: &str, pick: impl Fn(&FieldSpec) -> bool) -> &'static FieldSpec {
    fields()
        .iter()
        .find(|f| pick(f))
        .unwrap_or_else(|| panic!("the schema has no {role}"))
}

fn position(field: &FieldSpec) -> usize {
    fields()
        .iter()
        .position(|f| std::ptr::eq(f, field))
        .expect("a field of fields()")
}

/// A String field any string is proved in (the escape and UTF-8 tests write into it).
fn plain() -> &'static FieldSpec {
    first("String field without enum or length checks", |f| {
        !f.optional && f.unchecked_string()
    })
}

fn timestamp() -> &'static FieldSpec {
    first("DateTime<Utc> field", |f| f.rust == "DateTime<Utc>")
}

/// A serde_json::Value field holding objects (the number, key order and nesting tests).
fn object() -> &'static FieldSpec {
    first("serde_json::Value field holding objects", |f| {
        f.rust == "serde_json::Value" && f.has_type("object")
    })
}

fn json_string(text: &str) -> String {
    serde_json::to_string(text).unwrap()
}

/// A value the field's checks accept, as serde_json writes it. `rich`: a non-empty object where
/// objects are allowed, so the full envelope has something inside its Value fields.
fn sample(field: &FieldSpec, rich: bool) -> String {
    match field.rust.as_str() {
        "i64" => 1i64.clamp(field.low(), field.high()).to_string(),
        "String" | "DateTime<Utc>" => {
            if let Some(member) = field.enumeration.as_ref().and_then(|m| m.first()) {
                json_string(member)
            } else if field.rust == "DateTime<Utc>" {
                json_string("2024-01-01T00:00:00Z")
            } else {
                let length = field.min_length.unwrap_or(1);
                json_string(&"s".repeat(field.max_length.map_or(length, |m| length.min(m))))
            }
        }
        "serde_json::Value" => {
            let candidates = [
                ("object", if rich { r#"{"a":1}"# } else { "{}" }),
                ("array", "[]"),
                ("string", r#""""#),
                ("boolean", "false"),
            ];
            let (_, value) = candidates
                .into_iter()
                .find(|(t, _)| field.has_type(t))
                .unwrap_or_else(|| panic!("field {}: a Value of no JSON type", field.name));
            value.to_string()
        }
        other => panic!("field {}: no sample for Rust type {other:?}", field.name),
    }
}

/// `"key":value`.
fn member(key: &str, value: &str) -> String {
    format!("{}:{value}", json_string(key))
}

/// The members of an envelope, in order; each declared one knows its field's position, so an
/// added member lands where declaration order puts it.
#[derive(Clone)]
struct Doc {
    members: Vec<(Option<usize>, String)>,
}

impl Doc {
    fn of(pick: impl Fn(&FieldSpec) -> bool, rich: bool) -> Doc {
        let members = fields()
            .iter()
            .enumerate()
            .filter(|(_, f)| pick(f))
            .map(|(i, f)| (Some(i), member(&f.name, &sample(f, rich))))
            .collect();
        Doc { members }
    }

    /// `field` written as `text` (any bytes, e.g. another spelling of its key), in place, or
    /// inserted where declaration order puts it.
    fn raw(mut self, field: &FieldSpec, text: &str) -> Doc {
        let at = position(field);
        if let Some(slot) = self.members.iter_mut().find(|(i, _)| *i == Some(at)) {
            slot.1 = text.to_string();
        } else {
            let before = self
                .members
                .iter()
                .position(|(i, _)| i.is_some_and(|i| i > at))
                .unwrap_or(self.members.len());
            self.members.insert(before, (Some(at), text.to_string()));
        }
        self
    }

    /// `field` with the JSON text `value`.
    fn set(self, field: &FieldSpec, value: &str) -> Doc {
        self.raw(field, &member(&field.name, value))
    }

    fn without(mut self, field: &FieldSpec) -> Doc {
        let at = position(field);
        self.members.retain(|(i, _)| *i != Some(at));
        self
    }

    /// An undeclared member (`text` verbatim) after the others.
    fn push(mut self, text: &str) -> Doc {
        self.members.push((None, text.to_string()));
        self
    }

    /// An undeclared member (`text` verbatim) before the others.
    fn push_front(mut self, text: &str) -> Doc {
        self.members.insert(0, (None, text.to_string()));
        self
    }

    fn text(&self) -> String {
        let members: Vec<&str> = self.members.iter().map(|(_, m)| m.as_str()).collect();
        format!("{{{}}}", members.join(","))
    }
}

/// The smallest canonical envelope: every required field, none of the optional ones.
fn base() -> Doc {
    Doc::of(|f| !f.optional, false)
}

/// Every field present, in declaration order.
fn full() -> Doc {
    Doc::of(|_| true, true)
}

/// The base envelope with `object()` set to `value`.
fn object_with(value: &str) -> String {
    base().set(object(), value).text()
}

/// A top-level key no field and no alias uses.
fn undeclared_key() -> String {
    let taken: Vec<String> = fields()
        .iter()
        .map(|f| f.name.clone())
        .chain(aliases().into_iter().map(|(_, alias)| alias))
        .collect();
    (0..)
        .map(|n| format!("extra{n}"))
        .find(|k| !taken.contains(k))
        .unwrap()
}

/// Every serde alias of the schema, with the spec field it binds to when its key is known (the
/// property's `rename`, else its name).
fn aliases() -> Vec<(Option<&'static FieldSpec>, String)> {
    let schema: serde_json::Value = serde_json::from_str(SCHEMA).expect("the schema is JSON");
    let properties = schema["properties"].as_object().expect("schema properties");
    let mut found = Vec::new();
    for (name, property) in properties {
        let serde = &property["x-serde"];
        let key = serde["rename"].as_str().unwrap_or(name);
        let field = fields().iter().find(|f| f.name == key);
        let written = match &serde["alias"] {
            serde_json::Value::String(one) => vec![one.clone()],
            serde_json::Value::Array(many) => many
                .iter()
                .map(|a| a.as_str().expect("an alias is a string").to_string())
                .collect(),
            _ => vec![],
        };
        found.extend(written.into_iter().map(|alias| (field, alias)));
    }
    found
}

fn prover() -> Prover {
    Prover::from_spec(SPEC).expect("the real schema's spec is accepted")
}

/// The verdict for `doc` under "canonical", where the bytes must be serde_json's own (most tests
/// here are about that form). What is proved so is proved by the relaxed profiles too.
fn verdict_with(prover: &Prover, doc: &[u8]) -> bool {
    let strict = prover.prove(doc, "canonical").expect("a known profile");
    for profile in RELAXED {
        if strict {
            assert_eq!(
                prover.prove(doc, profile),
                Ok(true),
                "{profile} refuses what canonical proves: {:?}",
                String::from_utf8_lossy(doc)
            );
        }
    }
    strict
}

/// The profiles that read a document relaxed (all but "canonical").
const RELAXED: [&str; 2] = ["serde", "contract"];

fn proved(doc: impl AsRef<[u8]>) -> bool {
    verdict_with(&prover(), doc.as_ref())
}

/// The real spec with one field's JSON object replaced (its name and `optional` kept), for
/// checks the real schema lacks. `checks`: the other keys, e.g. `"minimum": -5`.
fn spec_with(field: &FieldSpec, rust: &str, checks: &str) -> Prover {
    let mut spec: serde_json::Value = serde_json::from_str(SPEC).unwrap();
    let slot = &mut spec["fields"][position(field)];
    let replaced = format!(
        r#"{{"name": {}, "rust": {}, "optional": {}, {checks}}}"#,
        json_string(&field.name),
        json_string(rust),
        field.optional
    );
    *slot = serde_json::from_str(&replaced).unwrap();
    Prover::from_spec(&spec.to_string()).unwrap()
}

// ---- valid documents ------------------------------------------------------------------------

#[test]
fn canonical_envelope_is_proved_under_every_profile() {
    let prover = prover();
    for doc in [base().text(), full().text()] {
        for profile in PROFILES {
            assert_eq!(
                prover.prove(doc.as_bytes(), profile),
                Ok(true),
                "{profile}: {doc}"
            );
        }
    }
}

#[test]
fn one_trailing_newline_only() {
    let (base, full) = (base().text(), full().text());
    assert!(proved(format!("{base}\n")));
    assert!(proved(format!("{full}\n")));
    assert!(!proved(format!("{base}\n\n")));
    assert!(!proved(format!("{base}\r\n")));
    assert!(!proved(format!("{base}\r")));
    assert!(!proved(format!("\n{base}")));
    assert!(!proved(format!("{base}\n{base}")));
}

#[test]
fn option_fields_may_be_left_out_anywhere() {
    // Every subset of the optional fields, each in its declared place.
    let optional: Vec<&FieldSpec> = fields().iter().filter(|f| f.optional).collect();
    assert!(optional.len() < 16, "2^{} subsets", optional.len());
    for subset in 0u32..1 << optional.len() {
        let doc = optional
            .iter()
            .enumerate()
            .filter(|(i, _)| subset & (1 << i) != 0)
            .fold(base(), |doc, (_, f)| {
                doc.set(f, &sample(f, subset % 2 == 1))
            });
        assert!(proved(doc.text()), "{}", doc.text());
    }
}

// ---- bytes serde_json would write differently ------------------------------------------------

#[test]
fn whitespace_is_refused() {
    let field = plain();
    let value = sample(field, false);
    let key = json_string(&field.name);
    assert!(!proved(
        base().raw(field, &format!("{key}: {value}")).text()
    ));
    assert!(!proved(
        base().raw(field, &format!("{key} :{value}")).text()
    ));
    assert!(!proved(
        base().raw(field, &format!(" {key}:{value}")).text()
    ));
    assert!(!proved(object_with("{ }")));
    assert!(!proved(object_with(r#"{"a":[1, 2]}"#)));
    let base = base().text();
    assert!(!proved(format!(" {base}")));
    assert!(!proved(format!("{base} ")));
    assert!(!proved(format!("{base}\t")));
}

#[test]
fn context_keys_must_be_sorted_by_bytes_without_duplicates() {
    assert!(proved(object_with(r#"{"a":2,"b":1}"#)));
    assert!(!proved(object_with(r#"{"b":1,"a":2}"#)));
    // Duplicates: serde's Value keeps the last one and writes one key.
    assert!(!proved(object_with(r#"{"a":1,"a":1}"#)));
    assert!(!proved(object_with(r#"{"a":1,"b":{"c":1,"c":1}}"#)));
    // Sorted at every level.
    assert!(proved(object_with(r#"{"a":{"b":2,"c":1}}"#)));
    assert!(!proved(object_with(r#"{"a":{"c":1,"b":2}}"#)));
    assert!(!proved(object_with(r#"{"a":[{"c":1,"b":2}]}"#)));
    // Byte order ('B' < 'a'), not case-insensitive order; "a" < "ab" < "b".
    assert!(proved(object_with(r#"{"B":1,"a":2}"#)));
    assert!(!proved(object_with(r#"{"a":1,"B":2}"#)));
    assert!(proved(object_with(r#"{"a":1,"ab":2,"b":3}"#)));
    assert!(!proved(object_with(r#"{"ab":1,"a":2}"#)));
    // UTF-8 byte order is code point order: U+00E9 < U+4E2D < U+1F600.
    assert!(proved(object_with(r#"{"é":1,"中":2,"😀":3}"#)));
    assert!(!proved(object_with(r#"{"😀":1,"中":2}"#)));
}

/// `name` with its first character written as a `\u` escape (serde reads the same key).
fn escaped_key(name: &str) -> String {
    let mut chars = name.chars();
    let head = chars.next().expect("a non-empty key");
    format!(r#""\u{:04x}{}""#, head as u32, chars.as_str())
}

#[test]
fn strings_must_be_written_as_serde_json_escapes_them() {
    let string = |value: &str| base().set(plain(), value).text();
    assert!(proved(string(r#""A""#)));
    assert!(!proved(string(r#""\u0041""#)));
    assert!(proved(string(r#""é""#)));
    assert!(!proved(string(r#""\u00e9""#)));
    assert!(!proved(string(r#""\/""#)));
    // serde_json's own escapes: the short ones, else \u00XX in lowercase hex.
    assert!(proved(string(r#""\b\"\\\n""#)));
    assert!(!proved(string(r#""\u0008""#)));
    assert!(proved(string(r#""\u001f""#)));
    assert!(!proved(string(r#""\u001F""#)));
    // DEL is not escaped; a raw control character is invalid JSON.
    assert!(proved(string("\"\x7f\"")));
    assert!(!proved(string("\"\x01\"")));
    // Astral characters are written raw, never as a surrogate pair; a lone one is invalid.
    assert!(proved(string(r#""😀""#)));
    assert!(!proved(string(r#""\ud83d\ude00""#)));
    assert!(!proved(string(r#""\ud83d""#)));
    // Keys too, nested and at the top level.
    assert!(!proved(object_with(r#"{"\u0061":1}"#)));
    let field = plain();
    let escaped = format!("{}:{}", escaped_key(&field.name), sample(field, false));
    assert!(!proved(base().raw(field, &escaped).text()));
}

#[test]
fn invalid_utf8_is_refused() {
    let text = base().set(plain(), r#""@""#).text();
    assert_eq!(text.matches('@').count(), 1, "{text}");
    let at = text.find('@').unwrap();
    let doc = |bytes: &[u8]| {
        let mut doc = text.as_bytes().to_vec();
        doc.splice(at..at + 1, bytes.iter().copied());
        doc
    };
    assert!(proved(doc("é".as_bytes())));
    assert!(!proved(doc(b"\xff")));
    assert!(!proved(doc(b"\xc3"))); // truncated sequence
    assert!(!proved(doc(b"\xed\xa0\xbd"))); // an encoded surrogate
    assert!(!proved(doc(b"\xc0\xaf"))); // overlong
    let mut bom = b"\xef\xbb\xbf".to_vec();
    bom.extend_from_slice(base().text().as_bytes());
    assert!(!proved(bom));
}

// ---- the envelope's fields -------------------------------------------------------------------

#[test]
fn unknown_top_level_field_is_refused() {
    let key = undeclared_key();
    assert!(!proved(base().push(&member(&key, "1")).text()));
    assert!(!proved(base().push(&member(&key, "null")).text()));
    assert!(!proved(base().push_front(&member(&key, "1")).text()));
}

#[test]
fn serde_alias_is_named_never_proved() {
    // serde reads a field under its alias (x-serde) and writes the field's own key; the
    // contract rejects the alias. The verdict names it, with what else the document holds
    // (the misreads inside it found under the alias as written), and nothing is proved.
    for (field, alias) in aliases() {
        if let Some(field) = field {
            let value = sample(field, false);
            let aliased = base().raw(field, &member(&alias, &value));
            assert!(!proved(aliased.text()), "{alias}");
            let found = verdict(aliased.text()).expect("an alias is read past");
            assert_eq!(found.aliases, vec![alias.clone()]);
            assert!(
                found.unknown.is_empty() && found.missing.is_empty() && found.failing.is_empty()
            );
            let extra = undeclared_key();
            let beside = verdict(aliased.clone().push(&member(&extra, "1")).text()).unwrap();
            assert_eq!(
                (beside.aliases, beside.unknown),
                (vec![alias.clone()], vec![extra])
            );
            if field.rust == "serde_json::Value" && field.has_type("object") {
                let inner = format!("{{\"a\":{MISREAD}}}");
                let found = verdict(base().raw(field, &member(&alias, &inner)).text()).unwrap();
                assert_eq!(
                    found.misreads,
                    vec![misread(&[key(&alias), key("a")], MISREAD)]
                );
            }
            assert!(
                !proved(base().push(&member(&alias, &value)).text()),
                "{alias}"
            );
            assert!(
                !proved(base().push(&member(&alias, &value)).text()),
                "{alias}"
            );
        }
        assert!(
            !proved(base().push(&member(&alias, "{}")).text()),
            "{alias}"
        );
    }
}

#[test]
fn top_level_keys_are_listed_where_they_are_in_document_order() {
    let extra = undeclared_key();
    let mut doc = full().push(&member(&extra, "[1]"));
    doc.members.rotate_right(1); // the undeclared key first
    let names: Vec<String> = std::iter::once(extra.clone())
        .chain(fields().iter().map(|f| f.name.clone()))
        .collect();
    let text = doc.text();
    let found = prover()
        .check(text.as_bytes(), "canonical")
        .unwrap()
        .unwrap();
    assert_eq!(top_level_keys(text.as_bytes(), &found), names);
    // Read relaxed: spaced, a key escaped, the order of the input.
    let spaced = text.replacen('"', " \"", 1).replace("\":", "\" :  ");
    let first = &fields()[0].name;
    let mut chars = first.chars();
    let lead = chars.next().unwrap();
    let written = format!("\"\\u{:04x}{}\"", lead as u32, chars.as_str());
    let escaped = spaced.replacen(&json_string(first), &written, 1);
    for form in [spaced, escaped] {
        let found = prover()
            .check(form.as_bytes(), "contract")
            .unwrap()
            .unwrap();
        assert_eq!(top_level_keys(form.as_bytes(), &found), names, "{form}");
    }
}

#[test]
fn fields_out_of_declaration_order_are_refused() {
    // Any two neighbours swapped.
    let full = full();
    for i in 1..full.members.len() {
        let mut swapped = full.clone();
        swapped.members.swap(i - 1, i);
        assert!(!proved(swapped.text()), "{}", swapped.text());
    }
    // An optional field ahead of a required one declared before it.
    let base = base();
    for (at, optional) in fields().iter().enumerate().filter(|(_, f)| f.optional) {
        for slot in 0..base.members.len() {
            if base.members[slot].0.is_some_and(|i| i < at) {
                let mut early = base.clone();
                early.members.insert(
                    slot,
                    (Some(at), member(&optional.name, &sample(optional, false))),
                );
                assert!(!proved(early.text()), "{}", early.text());
            }
        }
    }
}

#[test]
fn null_in_an_option_field_may_stand_anywhere() {
    // serde leaves the member out on output, so where it stands does not matter to the bytes:
    // a Python producer's `"meta":null` after a field declared later, or first, is read past
    // and named failing; the fields around it must still come in declaration order.
    let full = full();
    for (at, optional) in fields().iter().enumerate().filter(|(_, f)| f.optional) {
        let rest = full.clone().without(optional);
        for slot in 0..=rest.members.len() {
            let mut moved = rest.clone();
            let text = member(&optional.name, "null");
            moved.members.insert(slot, (Some(at), text.clone()));
            let doc = moved.text();
            let found = verdict(&doc).unwrap_or_else(|| panic!("{doc} declined"));
            assert_eq!(failing_names(&found), vec![optional.name.clone()], "{doc}");
            assert_eq!(&doc[found.failing[0].start..found.failing[0].end], "null");
            // The same place with a value (the order matters to serde_json then), and the null
            // among fields that are themselves out of order, are still declined.
            let mut valued = rest.clone();
            let value = member(&optional.name, &sample(optional, true));
            valued.members.insert(slot, (Some(at), value));
            let in_place = full.clone().set(optional, &sample(optional, true));
            if valued.text() != in_place.text() {
                assert_eq!(verdict(valued.text()), None, "{}", valued.text());
            }
            if moved.members.len() > 2 {
                let swap = if slot >= 2 {
                    0
                } else {
                    moved.members.len() - 2
                };
                moved.members.swap(swap, swap + 1);
                assert_eq!(verdict(moved.text()), None, "{}", moved.text());
            }
        }
    }
    // Null in a required field out of order: declined, as any value there.
    let required = required_i64();
    let mut early = base().without(required);
    early
        .members
        .push((Some(position(required)), member(&required.name, "null")));
    assert_eq!(verdict(early.text()), None, "{}", early.text());
}

#[test]
fn same_field_twice_is_refused() {
    let full = full();
    for i in 0..full.members.len() {
        // Next to itself, and once more at the end.
        let mut twice = full.clone();
        twice.members.insert(i, twice.members[i].clone());
        assert!(!proved(twice.text()), "{}", twice.text());
        let again = full.clone().push(&full.members[i].1);
        assert!(!proved(again.text()), "{}", again.text());
    }
}

#[test]
fn missing_required_field_is_refused() {
    // Each one, alone or replaced by an optional field.
    for required in fields().iter().filter(|f| !f.optional) {
        assert!(
            !proved(base().without(required).text()),
            "{}",
            required.name
        );
        for optional in fields().iter().filter(|f| f.optional) {
            let doc = base()
                .without(required)
                .set(optional, &sample(optional, false));
            assert!(!proved(doc.text()), "{}", doc.text());
        }
    }
    if fields().iter().any(|f| !f.optional) {
        assert!(!proved("{}"));
    }
}

#[test]
fn null_is_refused_for_every_field() {
    // An Option field read as None is skipped on output (skip_serializing_if).
    for field in fields() {
        assert!(!proved(base().set(field, "null").text()), "{}", field.name);
    }
}

#[test]
fn not_an_envelope_object() {
    let base = base().text();
    assert!(!proved(""));
    assert!(!proved("\n"));
    assert!(!proved(format!("[{base}]")));
    assert!(!proved(format!("{base}x")));
    assert!(!proved(&base[..base.len() - 1]));
    assert!(!proved("null"));
}

// ---- i64 fields ------------------------------------------------------------------------------

#[test]
fn i64_bounds_of_the_type() {
    let mut seen = 0;
    for field in fields().iter().filter(|f| f.rust == "i64") {
        seen += 1;
        let id = |n: &str| base().set(field, n).text();
        assert!(proved(id(&field.low().to_string())), "{}", field.name);
        assert!(proved(id(&field.high().to_string())), "{}", field.name);
        if field.low() <= 0 && 0 <= field.high() {
            assert!(proved(id("0")), "{}", field.name);
        }
        for token in [
            "9223372036854775808",  // a u64: serde refuses it for i64
            "-9223372036854775809", // read as a float
            "18446744073709551616", // beyond u64: a float
            "1.0",
            "1e0",
            "-0",
            "01",
            "+1",
            r#""1""#,
        ] {
            assert!(!proved(id(token)), "{}: {token}", field.name);
        }
    }
    assert!(seen > 0, "the schema has no i64 field");
}

#[test]
fn i64_bounds_of_the_spec() {
    let field = first("i64 field", |f| f.rust == "i64");
    let prover = spec_with(field, "i64", r#""minimum": -5, "maximum": 10"#);
    let id = |n: i64| base().set(field, &n.to_string()).text();
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
    let number = |n: &str| object_with(&format!(r#"{{"a":{n}}}"#));
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

/// `check`'s misreads for `doc` under "canonical" when it found nothing else (see `verdict`).
fn checked(doc: impl AsRef<[u8]>) -> Option<Vec<Misread>> {
    let verdict = verdict(doc)?;
    assert!(verdict.unknown.is_empty() && verdict.missing.is_empty() && verdict.failing.is_empty());
    Some(verdict.misreads)
}

/// The names of the fields `verdict` finds failing, in document order.
fn failing_names(verdict: &Verdict) -> Vec<String> {
    verdict.failing.iter().map(|f| f.name.clone()).collect()
}

/// `check`'s answer for `doc` under "canonical"; the relaxed profiles give the same answer
/// wherever it is known. The key spans are checked (`top_level_keys`) and left out.
fn verdict(doc: impl AsRef<[u8]>) -> Option<Verdict> {
    let prover = prover();
    let doc = doc.as_ref();
    let strict = prover.check(doc, "canonical").expect("a known profile");
    if strict.is_some() {
        for profile in RELAXED {
            assert_eq!(prover.check(doc, profile).unwrap(), strict, "{profile}");
        }
    }
    strict.map(|found| without_keys(doc, found))
}

/// `check`'s answer for `doc` under the relaxed profiles, which must agree (key spans checked
/// and left out, as by `verdict`).
fn relaxed(doc: impl AsRef<[u8]>) -> Option<Verdict> {
    let prover = prover();
    let doc = doc.as_ref();
    let answers: Vec<_> = RELAXED
        .iter()
        .map(|profile| prover.check(doc, profile).unwrap())
        .collect();
    assert_eq!(answers[0], answers[1], "serde and contract disagree");
    answers
        .into_iter()
        .next()
        .unwrap()
        .map(|found| without_keys(doc, found))
}

/// The top-level keys `verdict.keys` points at in `doc`, decoded, in order; each span must be
/// one JSON string, after the one before.
fn top_level_keys(doc: &[u8], verdict: &Verdict) -> Vec<String> {
    let mut after = 0;
    let mut keys = Vec::new();
    for &(start, end) in &verdict.keys {
        assert!(start >= after && start < end, "key spans out of order");
        keys.push(serde_json::from_slice::<String>(&doc[start..end]).expect("a JSON string"));
        after = end;
    }
    keys
}

/// `verdict` without its key spans, once they are checked to be the document's top-level keys.
fn without_keys(doc: &[u8], mut verdict: Verdict) -> Verdict {
    let listed = top_level_keys(doc, &verdict);
    let parsed: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(doc).unwrap();
    let mut sorted = listed.clone();
    sorted.sort();
    assert_eq!(sorted, parsed.keys().cloned().collect::<Vec<_>>()); // every key, once
    verdict.keys.clear();
    verdict
}

fn misread(path: &[PathPart], token: &str) -> Misread {
    Misread {
        path: path.to_vec(),
        token: token.to_string(),
        read_bits: serde_json::from_str::<f64>(token).unwrap().to_bits(),
    }
}

fn key(name: &str) -> PathPart {
    PathPart::Key(name.to_string())
}

/// A required String field with an enum (a value outside it is a field fault `check` names).
fn enum_field() -> &'static FieldSpec {
    first("required String field with an enum", |f| {
        !f.optional && f.rust == "String" && f.enumeration.is_some()
    })
}

/// A required String field with a minimum length (`""` is a field fault `check` names).
fn short_field() -> &'static FieldSpec {
    first("required String field with minLength", |f| {
        !f.optional && f.rust == "String" && f.min_length.is_some_and(|m| m > 0)
    })
}

fn required_i64() -> &'static FieldSpec {
    first("required i64 field", |f| !f.optional && f.rust == "i64")
}

/// The shortest form of 1.2345678901234567e+20, which serde_json's default parser reads as the
/// neighbouring 1.2345678901234568e+20 (see floats_must_be_serde_jsons_shortest_form).
const MISREAD: &str = "1.2345678901234567e+20";

#[test]
fn misread_floats_are_reported_with_their_paths_in_document_order() {
    let value = key(&object().name);
    assert_eq!(checked(base().text()), Some(vec![]));
    assert_eq!(
        checked(object_with(&format!(r#"{{"a":{MISREAD}}}"#))),
        Some(vec![misread(&[value.clone(), key("a")], MISREAD)])
    );
    let doc = object_with(&format!(
        r#"{{"a":[0.5,{MISREAD},{{"b":-{MISREAD}}}],"c":{MISREAD}}}"#
    ));
    let negative = format!("-{MISREAD}");
    assert_eq!(
        checked(doc),
        Some(vec![
            misread(&[value.clone(), key("a"), PathPart::Index(1)], MISREAD),
            misread(
                &[value.clone(), key("a"), PathPart::Index(2), key("b")],
                &negative
            ),
            misread(&[value, key("c")], MISREAD),
        ])
    );
}

#[test]
fn a_misread_float_with_anything_else_wrong_is_not_known() {
    let with = |inner: &str| object_with(&format!("{{{inner}}}"));
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
    // A space after the first member's comma (no sample value holds a comma).
    let spaced = with(&format!(r#""a":{MISREAD}"#)).replacen(',', ", ", 1);
    assert_eq!(checked(spaced), None);
    // A field fault besides: named too (the profiles decide what the misread is worth then).
    let failing = base()
        .set(enum_field(), &json_string("not a member"))
        .set(object(), &format!(r#"{{"a":{MISREAD}}}"#));
    assert_eq!(
        failing_names(&verdict(failing.text()).unwrap()),
        vec![enum_field().name.clone()]
    );
}

// ---- field faults read past (`check`) --------------------------------------------------------

#[test]
fn unknown_missing_and_failing_fields_are_named() {
    let (one, two) = (undeclared_key(), format!("{}_2", undeclared_key()));
    let unknown = verdict(
        base()
            .push(&member(&one, r#""t""#))
            .push(&member(&two, r#"{"a":[1]}"#))
            .text(),
    )
    .unwrap();
    assert_eq!(unknown.unknown, vec![one.clone(), two.clone()]);
    assert!(unknown.missing.is_empty() && unknown.failing.is_empty());
    // Anywhere among the declared fields, which keep their order.
    let early = base()
        .text()
        .replacen(',', &format!(",{},", member(&one, "1")), 1);
    assert_eq!(verdict(early).unwrap().unknown, vec![one.clone()]);
    let renamed = plain();
    let renamed = verdict(
        base()
            .raw(renamed, &member(&one, &sample(renamed, false)))
            .text(),
    )
    .unwrap();
    assert_eq!(renamed.unknown, vec![one.clone()]);
    assert_eq!(renamed.missing, vec![plain().name.clone()]);
    for field in fields().iter().filter(|f| !f.optional) {
        let missing = verdict(base().without(field).text()).unwrap();
        assert_eq!(missing.missing, vec![field.name.clone()], "{}", field.name);
    }
    let (short, listed) = (short_field(), enum_field());
    let failing = base()
        .set(listed, &json_string("not a member"))
        .set(short, r#""""#);
    let mut expected = [short, listed];
    expected.sort_by_key(|f| position(f));
    let text = failing.text();
    let found = verdict(text.clone()).unwrap();
    assert_eq!(
        failing_names(&found),
        expected.iter().map(|f| f.name.clone()).collect::<Vec<_>>()
    );
    // Each named with where its value is: exactly the value's JSON text.
    let values: Vec<&str> = found
        .failing
        .iter()
        .map(|f| &text[f.start..f.end])
        .collect();
    let mut wanted = [
        (short, r#""""#.to_string()),
        (listed, json_string("not a member")),
    ];
    wanted.sort_by_key(|(f, _)| position(f));
    assert_eq!(
        values,
        wanted.iter().map(|(_, v)| v.as_str()).collect::<Vec<_>>()
    );
    // A misread float inside an unknown member is named with its path.
    let inside = verdict(base().push(&member(&one, &format!("[{MISREAD}]"))).text()).unwrap();
    assert_eq!(
        inside.misreads,
        vec![misread(&[key(&one), PathPart::Index(0)], MISREAD)]
    );
    assert_eq!(inside.unknown, vec![one]);
}

#[test]
fn field_faults_with_anything_else_wrong_are_not_known() {
    let extra = undeclared_key();
    let plus = |text: &str| base().push(text).text();
    let twice = format!("{},{}", member(&extra, "1"), member(&extra, "1"));
    assert_eq!(verdict(plus(&twice)), None); // a repeated unknown key
    assert_eq!(verdict(plus(&member(&extra, r#"{"b":1,"a":1}"#))), None); // not serde_json's bytes
    assert_eq!(verdict(plus(&format!("{}: 1", json_string(&extra)))), None);
    assert_eq!(verdict(plus(&member(&extra, "-0"))), None);
    for (field, alias) in aliases() {
        if let Some(field) = field {
            // The field under its name and its alias: serde's duplicate field.
            let both = base().push(&member(&alias, &sample(field, false)));
            assert_eq!(
                verdict(both.text()),
                None,
                "serde's alias {alias} beside {}",
                field.name
            );
        }
    }
    // A container in a scalar field, an integer serde_json reads as a float there.
    for value in ["[1]", r#"{"a":1}"#, "-0", "18446744073709551616"] {
        assert_eq!(verdict(base().set(plain(), value).text()), None, "{value}");
    }
    if !object().has_type("array") {
        assert_eq!(verdict(object_with("[]")), None);
    }
    let mut misordered = base();
    misordered.members.swap(0, 1);
    assert_eq!(verdict(misordered.text()), None);
}

#[test]
fn other_json_types_in_scalar_fields_are_named_failing() {
    // A producer writing an id as a string, a name as a number, an epoch for a timestamp: serde
    // and the schema refuse each; the field is named with its token's span, the rest still read.
    let int_field = fields()
        .iter()
        .find(|f| f.rust == "i64" && !f.optional)
        .expect("an i64 field");
    let mut cases = vec![
        (int_field, r#""280640865532228085""#),
        (int_field, "true"),
        (int_field, "null"),
        (plain(), "17"),
        (plain(), "1.5"),
        (plain(), "false"),
        (plain(), "null"),
        (timestamp(), "1704067200"),
        (timestamp(), "1704067200.5"),
        (timestamp(), "null"),
    ];
    // Null in every field (None in an Option, which serde leaves out on output), and in a
    // Value field the JSON scalars its schema does not take.
    for field in fields() {
        cases.push((field, "null"));
        if field.rust == "serde_json::Value" {
            for (json_type, value) in [("number", "17"), ("string", r#""x""#), ("boolean", "true")]
            {
                if !field.has_type(json_type) {
                    cases.push((field, value));
                }
            }
        }
    }
    for (field, value) in cases {
        let doc = base().set(field, value).text();
        let found = verdict(&doc).unwrap_or_else(|| panic!("{} = {value} read past", field.name));
        assert_eq!(failing_names(&found), vec![field.name.clone()], "{value}");
        let failing = &found.failing[0];
        assert_eq!(&doc[failing.start..failing.end], value);
        assert!(found.unknown.is_empty() && found.missing.is_empty() && found.misreads.is_empty());
        // Spaced, read relaxed: the same field and token.
        let spaced = doc.replace(&format!(":{value}"), &format!(" :  {value} "));
        let relaxed_found = relaxed(&spaced).unwrap();
        let failing = &relaxed_found.failing[0];
        assert_eq!(&spaced[failing.start..failing.end], value);
    }
}

// ---- timestamps ------------------------------------------------------------------------------

/// The base envelope with `timestamp()` written as the JSON string `text`.
fn at(text: &str) -> String {
    base().set(timestamp(), &json_string(text)).text()
}

#[test]
fn timestamps_must_be_chronos_utc_form() {
    for written in [
        "2024-01-01T00:00:00Z",
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
        // Read on past, named failing with the span of its token, under every profile.
        let doc = at(token);
        let found = verdict(&doc).unwrap_or_else(|| panic!("{token} read past"));
        assert_eq!(
            failing_names(&found),
            vec![timestamp().name.clone()],
            "{token}"
        );
        let failing = &found.failing[0];
        assert_eq!(
            &doc[failing.start..failing.end],
            json_string(token),
            "{token}"
        );
        assert!(found.unknown.is_empty() && found.missing.is_empty() && found.misreads.is_empty());
    }
    assert!(!proved(base().set(timestamp(), "1704067200").text()));
    // Escaped: read relaxed as the text it stands for; canonical refuses serde_json's other form.
    let escaped = base()
        .set(timestamp(), r#""2024-01-01T00:00:00\u002b00:00""#)
        .text();
    assert_eq!(prover().check(escaped.as_bytes(), "canonical"), Ok(None));
    assert_eq!(
        failing_names(&relaxed(&escaped).unwrap()),
        vec![timestamp().name.clone()]
    );
    let chronos = base()
        .set(timestamp(), r#""2024-01-01T00:00:00\u005a""#)
        .text();
    assert_eq!(relaxed(&chronos), Some(Verdict::default()));
}

#[test]
fn leap_second_only_at_23_59() {
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
    let field = timestamp();
    let prover = spec_with(
        field,
        "DateTime<Utc>",
        r#""max_length": 20, "enum": ["2024-01-01T00:00:00Z", "2024-01-01T00:00:00.120Z"]"#,
    );
    assert!(verdict_with(&prover, at("2024-01-01T00:00:00Z").as_bytes()));
    // 24 characters > 20
    assert!(!verdict_with(
        &prover,
        at("2024-01-01T00:00:00.120Z").as_bytes()
    ));
    // not in the enum
    assert!(!verdict_with(
        &prover,
        at("2024-01-01T00:00:01Z").as_bytes()
    ));
}

// ---- strings ---------------------------------------------------------------------------------

#[test]
fn enum_and_length_checks() {
    for field in fields().iter().filter(|f| f.rust == "String") {
        let string = |s: &str| base().set(field, &json_string(s)).text();
        if let Some(members) = &field.enumeration {
            for member in members {
                assert!(proved(string(member)), "{}: {member}", field.name);
            }
            let first = &members[0];
            let others = [
                format!("{first}x"),
                format!("{first} "),
                first.to_lowercase(),
                first.to_uppercase(),
                String::new(),
            ];
            for other in others.iter().filter(|o| !members.contains(o)) {
                assert!(!proved(string(other)), "{}: {other:?}", field.name);
            }
            // A member spelled with an escape: serde reads the member, writes it otherwise.
            let escaped = escaped_key(first);
            assert!(!proved(base().set(field, &escaped).text()), "{escaped}");
        } else {
            let low = field.min_length.unwrap_or(0);
            let high = field.max_length.unwrap_or(low + 3);
            for length in low.saturating_sub(1)..=high + 1 {
                let fits = length >= low && field.max_length.map_or(true, |m| length <= m);
                assert_eq!(
                    proved(string(&"s".repeat(length))),
                    fits,
                    "{}: {length} characters",
                    field.name
                );
            }
        }
    }
}

#[test]
fn lengths_count_code_points() {
    let field = plain();
    let prover = spec_with(field, "String", r#""min_length": 2, "max_length": 3"#);
    let string = |s: &str| base().set(field, &format!(r#""{s}""#)).text();
    assert!(!verdict_with(&prover, string("é").as_bytes())); // 2 bytes, 1 code point
    assert!(verdict_with(&prover, string("éé").as_bytes()));
    assert!(verdict_with(&prover, string("😀😀😀").as_bytes())); // 12 bytes, 3 code points
    assert!(!verdict_with(&prover, string("abcd").as_bytes()));
    assert!(verdict_with(&prover, string("\\n\\n").as_bytes())); // an escape is one character
}

#[test]
fn value_fields_hold_only_their_declared_types() {
    let kinds = [
        ("object", "{}"),
        ("array", "[]"),
        ("string", r#""x""#),
        ("boolean", "true"),
        ("number", "1"),
        ("null", "null"),
    ];
    for field in fields().iter().filter(|f| f.rust == "serde_json::Value") {
        for (kind, value) in kinds {
            // The prover never proves a number or null in a Value field (spec_errors).
            let declared = field.has_type(kind) && kind != "number" && kind != "null";
            let doc = base().set(field, value).text();
            assert_eq!(proved(&doc), declared, "{doc}");
        }
    }
    let field = object();
    let prover = spec_with(
        field,
        "serde_json::Value",
        r#""types": ["array", "string", "boolean"]"#,
    );
    let verdict = |value: &str| verdict_with(&prover, base().set(field, value).text().as_bytes());
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

/// `{"a":` + `arrays` nested arrays inside `object()`: the envelope is level 1, the field level 2.
fn nested_arrays(arrays: usize) -> String {
    object_with(&format!(
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
        object_with(&format!(
            "{}1{}",
            r#"{"a":"#.repeat(levels),
            "}".repeat(levels)
        ))
    };
    assert!(proved(objects(MAX_NESTING - 1)));
    assert!(!proved(objects(MAX_NESTING)));
    // In every object field, and far beyond the limit (no stack overflow: serde_json's own
    // recursion limit refuses the same 128th level before the prover's check sees it).
    for field in fields().iter().filter(|f| f.has_type("object")) {
        let deep = format!(r#"{{"a":{}}}"#, "[".repeat(10_000));
        assert!(!proved(base().set(field, &deep).text()), "{}", field.name);
    }
}

// ---- the API ---------------------------------------------------------------------------------

#[test]
fn unknown_profile_is_an_error() {
    let prover = prover();
    for profile in ["strict", "", "Canonical", "reference"] {
        assert_eq!(
            prover.prove(base().text().as_bytes(), profile),
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

// ---- the bulk loop --------------------------------------------------------------------------

#[test]
fn check_lines_cuts_at_line_feeds_counts_and_lists_what_is_not_proved() {
    let prover = prover();
    let valid = base().text();
    let unknown = base().push(&member(&undeclared_key(), "1")).text();
    let lines = [
        valid.as_str(),
        "",
        " \t\r",
        unknown.as_str(),
        &format!("{valid}\r"),
        "not json",
        valid.as_str(),
    ];
    let data = format!("{}\n{valid}", lines.join("\n"));
    let limits = LineLimits {
        max_document_bytes: 1 << 20,
        list_valid: false,
        report_limit: 100,
        project: false,
    };
    let found = prover
        .check_lines(data.as_bytes(), "canonical", limits)
        .unwrap();
    // Read relaxed, the line with a trailing CR (whitespace to serde_json) is proved as well.
    let relaxed = prover
        .check_lines(data.as_bytes(), "contract", limits)
        .unwrap();
    let indices: Vec<usize> = relaxed.listed.iter().map(|l| l.index).collect();
    assert_eq!(indices, [3, 5]);
    // The bytes after the last line feed (a valid document) are left to the caller.
    assert_eq!(found.consumed, data.len() - valid.len());
    assert_eq!((found.documents, found.blank_lines), (5, 2));
    let listed: Vec<(usize, &str, bool)> = found
        .listed
        .iter()
        .map(|l| (l.index, &data[l.start..l.end], l.verdict.is_some()))
        .collect();
    assert_eq!(
        listed,
        [
            (3, unknown.as_str(), true),
            (4, format!("{valid}\r").as_str(), false),
            (5, "not json", false)
        ]
    );
    assert_eq!(
        found.listed[0].verdict.as_ref().unwrap().unknown,
        [undeclared_key()]
    );
    // Every line with list_valid, each with check's own answer.
    let all = prover
        .check_lines(
            data.as_bytes(),
            "serde",
            LineLimits {
                list_valid: true,
                ..limits
            },
        )
        .unwrap();
    assert_eq!(all.listed.len(), 5);
    for line in &all.listed {
        let text = &data.as_bytes()[line.start..line.end];
        assert_eq!(line.verdict, prover.check(text, "serde").unwrap());
    }
    // A line above the limit is listed unread.
    let small = LineLimits {
        max_document_bytes: valid.len() - 1,
        ..limits
    };
    let found = prover
        .check_lines(data.as_bytes(), "contract", small)
        .unwrap();
    assert_eq!(found.listed.len(), 5);
    assert!(found.listed.iter().all(|l| l.verdict.is_none()));
    // The report limit stops the pass just past the line that reached it.
    let stopped = prover
        .check_lines(
            data.as_bytes(),
            "contract",
            LineLimits {
                report_limit: 1,
                ..limits
            },
        )
        .unwrap();
    let end = lines[..4].iter().map(|l| l.len() + 1).sum::<usize>();
    assert_eq!(
        (stopped.consumed, stopped.documents, stopped.blank_lines),
        (end, 2, 2)
    );
    assert_eq!(
        stopped.listed,
        [Listed {
            index: 3,
            start: end - unknown.len() - 1,
            end: end - 1,
            verdict: prover.check(unknown.as_bytes(), "contract").unwrap()
        }]
    );
    assert!(prover.check_lines(b"", "strict", limits).is_err());
}

// ---- large documents: the output is compared as it is written, never held whole -------------

/// An object of `count` members `"kNNNNNNN":1.5` (sorted keys), with `last` as its last member's
/// value: far more output than `OUTPUT_WINDOW`, so it is compared piece by piece.
fn many_members(count: usize, last: &str) -> String {
    let mut members: Vec<String> = (0..count).map(|i| format!(r#""k{i:07}":1.5"#)).collect();
    members.push(format!(r#""z":{last}"#));
    format!("{{{}}}", members.join(","))
}

#[test]
fn a_document_far_larger_than_the_output_window_is_checked_to_its_end() {
    let count = 4 * super::OUTPUT_WINDOW / 10;
    assert_eq!(
        checked(object_with(&many_members(count, "1"))),
        Some(vec![])
    );
    // A misread float after the window moved on is still found, with its path.
    assert_eq!(
        checked(object_with(&many_members(count, MISREAD))),
        Some(vec![misread(&[key(&object().name), key("z")], MISREAD)])
    );
    // What differs from serde_json's output, early or late, still refuses the document.
    let late = many_members(count, "1").replacen(r#""z":1"#, r#""z": 1"#, 1);
    assert_eq!(checked(object_with(&late)), None);
    let early = many_members(count, "1").replacen(":1.5", ":1.50", 1);
    assert_eq!(checked(object_with(&early)), None);
    // The same length as serde_json's output: only a comparison of the bytes finds it (serde_json
    // writes lower-case hex), here before the window moves on.
    let upper_hex = many_members(count, "1").replacen(":1.5", r#":"\u001F""#, 1);
    assert_eq!(checked(object_with(&upper_hex)), None);
    let lower_hex = many_members(count, "1").replacen(":1.5", r#":"\u001f""#, 1);
    assert_eq!(checked(object_with(&lower_hex)), Some(vec![]));
    let unsorted = many_members(count, "1").replacen(r#""z":1"#, r#""a":1"#, 1);
    assert_eq!(checked(object_with(&unsorted)), None);
}

#[test]
fn a_long_string_is_compared_as_it_is_written() {
    let long = "é".repeat(3 * super::DIRECT_STRING);
    let doc = |text: &str| object_with(&format!(r#"{{"a":{text},"b":{MISREAD}}}"#));
    assert_eq!(
        checked(doc(&json_string(&long))),
        Some(vec![misread(&[key(&object().name), key("b")], MISREAD)])
    );
    // An escape serde_json writes otherwise, at the end of the long string or at its start.
    let escaped_end = format!(r#""{long}\u0041""#);
    assert_eq!(checked(doc(&escaped_end)), None);
    let escaped_start = format!(r#""\/{long}""#);
    assert_eq!(checked(doc(&escaped_start)), None);
    let upper_hex = format!(r#""{long}\u001F{long}""#);
    assert_eq!(checked(doc(&upper_hex)), None);
    let lower_hex = format!(r#""{long}\u001f{long}""#);
    assert!(checked(doc(&lower_hex)).is_some());
    // A long key, and a long unchecked String field, likewise.
    let long_key = format!(r#"{{{}:1}}"#, json_string(&long));
    assert_eq!(checked(object_with(&long_key)), Some(vec![]));
    assert_eq!(
        checked(base().set(plain(), &json_string(&long)).text()),
        Some(vec![])
    );
    assert_eq!(checked(base().set(plain(), &escaped_end).text()), None);
}

#[test]
fn a_document_with_a_string_too_long_to_decode_beside_it_is_declined() {
    use super::{has_long_escaped_string, LONGEST_ESCAPED_STRING};
    // Found wherever it is, after short strings with escapes and escaped quotes, and only with
    // an escape: serde_json borrows a string without one from the input.
    let found = |text: &str, limit: usize| has_long_escaped_string(text.as_bytes(), limit);
    assert!(found(r#"{"a":"\"x","b":"xxxxxxxxxx\n"}"#, 10));
    assert!(!found(r#"{"a":"\"x","b":"xxxxxxxx\n"}"#, 10)); // ten bytes: not longer
    assert!(!found(r#"{"a":"\"x","b":"xxxxxxxxxxxx"}"#, 10));
    assert!(found(r#"{"a":"\\","b":"\\\"xxxxxxxx"}"#, 10)); // the escaped quote does not end it
    assert!(!found(r#"{"a":"xxxxxxxxxxxx\"#, 10)); // cut short: not a string serde_json reads
    let long = "x".repeat(LONGEST_ESCAPED_STRING);
    let doc = |text: &str| object_with(&format!(r#"{{"a":"{text}"}}"#));
    assert_eq!(checked(doc(&long)), Some(vec![]));
    assert_eq!(checked(doc(&format!(r"{long}\n"))), None);
    assert_eq!(checked(doc(&format!(r"{}\n", &long[2..]))), Some(vec![])); // the limit exactly
}

#[test]
fn a_long_failing_string_is_named_with_its_span() {
    let listed = enum_field();
    let value = json_string(&"x".repeat(3 * super::DIRECT_STRING));
    let text = base().set(listed, &value).text();
    let found = verdict(text.clone()).unwrap();
    assert_eq!(failing_names(&found), vec![listed.name.clone()]);
    assert_eq!(&text[found.failing[0].start..found.failing[0].end], value);
}

// ---- relaxed (serde, contract): the form as the input has it ------------------------------------

/// The verdict of a document that differs from `base()` only in form: what `base()` gets.
fn same_as_base(doc: &str) {
    assert_eq!(
        verdict(doc),
        None,
        "canonical proves a non-canonical form: {doc}"
    );
    assert_eq!(relaxed(doc), verdict(base().text()), "{doc}");
}

#[test]
fn whitespace_escapes_key_order_and_field_order_are_read_relaxed() {
    let text = base().text();
    // Whitespace around every token, and a trailing CR.
    let spaced = text
        .replace(',', " ,\n\t")
        .replace("\":", "\" : ")
        .replace('{', "{ ")
        .replace('}', " }");
    same_as_base(&format!(" {spaced}\r"));
    // A string written with escapes serde_json does not use.
    let escaped = base().set(plain(), r#""\u0073""#).text();
    same_as_base(&escaped);
    // Fields in reverse declaration order.
    let mut reversed = base();
    reversed.members.reverse();
    same_as_base(&reversed.text());
    // Context keys out of order, escaped, spaced; numbers in other spellings that read the same.
    let object = object_with(r#"{"b" : [1.50, 1E2, -0.0, 2e-1], "\u0061":{ }}"#);
    assert_eq!(verdict(&object), None);
    assert_eq!(relaxed(&object), Some(Verdict::default()));
}

#[test]
fn relaxed_reading_still_refuses_what_the_reference_engine_words() {
    let refused = |doc: String| assert_eq!(relaxed(&doc), None, "{doc}");
    // Repeated keys (one escaped), in a Value and at the top level.
    refused(object_with(r#"{"a":1,"b":2,"a":3}"#));
    refused(object_with(r#"{"b":1,"\u0062":2}"#));
    refused(object_with(r#"{"b":1,"a":2,"c":3,"a":4}"#)); // repeated after the order broke
    let read = |doc: String| assert_eq!(relaxed(&doc), Some(Verdict::default()), "{doc}");
    read(object_with(r#"{"\u0062":1,"a":2,"c":3}"#)); // an escaped key among those remembered
    let twice = base().push(&base().members[0].1).text();
    refused(twice);
    // Integers serde_json reads as floats: -0, and beyond u64.
    refused(object_with(r#"{"a":-0}"#));
    refused(object_with(r#"{"a":18446744073709551616}"#));
    // A large object out of order is read, and a repeated key found anywhere in it.
    let keys: Vec<String> = (0..20_000).map(|i| format!(r#""k{i:06}":1"#)).collect();
    let mut shuffled = keys.clone();
    shuffled.reverse();
    shuffled.swap(5, 15_000);
    assert_eq!(
        relaxed(object_with(&format!("{{{}}}", shuffled.join(",")))),
        Some(Verdict::default())
    );
    shuffled[19_000] = keys[3].replace(":1", ":2");
    refused(object_with(&format!("{{{}}}", shuffled.join(","))));
}

#[test]
fn relaxed_misreads_take_the_token_as_written() {
    // Not serde_json's shortest form, still read as the neighbouring double by its parser.
    let token = "1.2345678901234567E+20";
    let doc = object_with(&format!(r#"{{ "a" : [ 1, {token} ] }}"#));
    assert_eq!(verdict(&doc), None);
    assert_eq!(
        relaxed(&doc).unwrap().misreads,
        vec![misread(
            &[key(&object().name), key("a"), PathPart::Index(1)],
            token
        )]
    );
    // Another spelling of a double serde_json reads right: no misread.
    assert_eq!(
        relaxed(object_with(r#"{"a":0.50}"#)),
        Some(Verdict::default())
    );
}

#[test]
fn relaxed_failing_fields_are_named_with_the_span_of_their_token() {
    let listed = enum_field();
    let doc = base()
        .raw(
            listed,
            &format!("{} :  {}", json_string(&listed.name), r#""\u006eope""#),
        )
        .text();
    let found = relaxed(&doc).unwrap();
    assert_eq!(failing_names(&found), vec![listed.name.clone()]);
    assert_eq!(
        &doc[found.failing[0].start..found.failing[0].end],
        r#""\u006eope""#
    );
    // A required field missing while the others are out of order: named, in declaration order.
    let mut reversed = base().without(required_i64());
    reversed.members.reverse();
    assert_eq!(
        relaxed(reversed.text()).unwrap().missing,
        vec![required_i64().name.clone()]
    );
}

#[test]
fn a_float_token_in_an_i64_field_is_named_with_its_span() {
    let field = required_i64();
    for token in ["1.0", "2.8047545963851523e+17", "-1.5", "-0.0", "9.3e+18"] {
        let doc = base().set(field, token).text();
        let found = verdict(&doc).unwrap_or_else(|| panic!("{token}"));
        assert_eq!(failing_names(&found), vec![field.name.clone()], "{token}");
        assert_eq!(&doc[found.failing[0].start..found.failing[0].end], token);
    }
    // Not serde_json's form of the double: canonical declines, the relaxed profiles name it.
    for token in ["1E2", "1.00", "2.50e0", "9.3e18"] {
        let doc = base().set(field, token).text();
        assert_eq!(verdict(&doc), None, "{token}");
        let found = relaxed(&doc).unwrap_or_else(|| panic!("{token}"));
        assert_eq!(&doc[found.failing[0].start..found.failing[0].end], token);
    }
    // Integer tokens serde_json reads as floats, and numbers it refuses: other rules' business.
    for token in [
        "-0",
        "18446744073709551616",
        "-9223372036854775809",
        "1e400",
        "9223372036854775808",
    ] {
        let doc = base().set(field, token).text();
        assert_eq!(verdict(&doc), None, "{token}");
        assert_eq!(relaxed(&doc), None, "{token}");
    }
}

// ---- projection into noetl.event ------------------------------------------------------------

/// Whether `project` finds nothing projection may change in `doc` under `profile`.
fn projectable_as(doc: &str, profile: &str) -> bool {
    let found = prover().project(doc.as_bytes(), profile).unwrap();
    found.is_some_and(|p| p.changes.is_empty() && p.timestamps.is_empty())
}

/// `projectable_as` under every profile: the same answer wherever the document is read, and
/// `check_lines` with `project` leaves the line unlisted exactly when it is valid and that.
fn projectable(doc: &str) -> bool {
    let answers: Vec<bool> = PROFILES.iter().map(|p| projectable_as(doc, p)).collect();
    assert!(
        answers.iter().all(|&a| a == answers[0]),
        "{doc}: {answers:?}"
    );
    let valid = verdict(doc).is_some_and(|v| v.is_valid());
    let limits = LineLimits {
        max_document_bytes: 1 << 20,
        list_valid: false,
        report_limit: 10,
        project: true,
    };
    let line = format!("{doc}\n");
    let lines = prover()
        .check_lines(line.as_bytes(), "canonical", limits)
        .unwrap();
    assert_eq!(lines.listed.is_empty(), valid && answers[0], "{doc}");
    answers[0]
}

#[test]
fn projection_losses_are_never_proved_projectable() {
    // The `project.*` rules' conservative side (predict.py): each value PostgreSQL would refuse
    // or write back otherwise makes the answer "don't know"; the same document without it is
    // proved. A float in `1.5` form, an integer, ordinary keys and a chrono timestamp are kept.
    assert!(projectable(&base().text()));
    assert!(projectable(&full().text()));
    assert!(projectable(&object_with(
        r#"{"a":[1.5,-2,"x"],"bb":{"c":0.25}}"#
    )));
    // serde_json's own text of a float whose shortest form has an exponent.
    let exponent = |value: f64| {
        let text = serde_json::to_string(&value).unwrap();
        assert!(text.contains('e'), "{text}");
        format!(r#"{{"a":{text}}}"#)
    };
    let (large, integral) = (exponent(1e300), exponent(3.5e21));
    // With digits after the point in numeric's text: read back as the same double.
    assert!(projectable(&object_with(&exponent(1.5e-7))));
    assert!(projectable(&object_with(&exponent(
        -2.7009898482205762e-14
    ))));
    for lost in [
        large.as_str(), // numeric writes it back as an integer (no digit after the point)
        integral.as_str(),
        r#"{"a":"x\u0000y"}"#,     // NUL in a string: refused
        r#"{"a\u0000":1}"#,        // and in a key
        r#"{"a":-0.0}"#,           // numeric has no negative zero
        r#"{"ab":1,"b":2}"#,       // sorted by bytes, but JSONB stores shorter keys first
        r#"{"a":{"ab":1,"b":2}}"#, // at any depth
        r#"{"a":[{"ab":1,"b":2}]}"#,
    ] {
        let doc = object_with(lost);
        assert!(
            verdict(&doc).is_some_and(|v| v.is_valid()),
            "{doc} not valid"
        );
        assert!(!projectable(&doc), "{doc}");
    }
    // A timestamp: digits below a microsecond, a leap second, a year beyond four digits.
    for (stamp, kept) in [
        ("2026-03-01T12:00:00.123456Z", true),
        ("2026-03-01T12:00:00.123456000Z", true),
        ("2026-03-01T12:00:00.123Z", true),
        ("0000-03-01T12:00:00Z", true),
        ("2026-03-01T12:00:00.123456789Z", false),
        ("2016-12-31T23:59:60Z", false),
        ("+10000-03-01T12:00:00Z", false),
    ] {
        let doc = at(stamp);
        if verdict(&doc).is_some_and(|v| v.is_valid()) {
            assert_eq!(projectable(&doc), kept, "{stamp}");
        } else {
            assert!(!projectable(&doc), "{stamp}");
        }
    }
    // Read relaxed, keys in JSONB's order are kept whatever their byte order; others not.
    assert!(projectable_as(
        &object_with(r#"{"b":1,"ab":2}"#),
        "contract"
    ));
    assert!(!projectable_as(
        &object_with(r#"{"ab":1, "b":2}"#),
        "contract"
    ));
}

#[test]
fn projection_changes_are_listed_with_their_paths_in_the_predictions_order() {
    use super::Change;
    let small = serde_json::to_string(&1e300f64).unwrap();
    let doc = object_with(&format!(
        r#"{{"a":[{small},{{"ab":1,"b":2}}],"bb":{{"c":-0.0}},"c":{{"ccc":1,"dd":2,"e":3,"ff":4,"g":5}}}}"#
    ));
    let name = object().name.clone();
    let under = |parts: &[PathPart]| [&[key(&name)][..], parts].concat();
    let keys = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
    let expected = vec![
        Change::KeyOrder {
            path: under(&[]),
            first: keys(&["a", "c", "bb"]),
            count: 3,
        },
        Change::Number {
            path: under(&[key("a"), PathPart::Index(0)]),
            token: small.clone(),
        },
        Change::KeyOrder {
            path: under(&[key("a"), PathPart::Index(1)]),
            first: keys(&["b", "ab"]),
            count: 2,
        },
        Change::Number {
            path: under(&[key("bb"), key("c")]),
            token: "-0.0".to_string(),
        },
        Change::KeyOrder {
            path: under(&[key("c")]),
            first: keys(&["e", "g", "dd", "ff"]),
            count: 5,
        },
    ];
    for profile in PROFILES {
        let found = prover().project(doc.as_bytes(), profile).unwrap().unwrap();
        assert_eq!(found.changes, expected, "{profile}");
        assert!(found.timestamps.is_empty());
    }
    // A timestamp to judge: named with its string's span.
    let stamp = at("2026-03-01T12:00:00.123456789Z");
    let found = prover()
        .project(stamp.as_bytes(), "canonical")
        .unwrap()
        .unwrap();
    let [ref field] = found.timestamps[..] else {
        panic!("{:?}", found.timestamps)
    };
    assert_eq!(field.name, timestamp().name);
    assert_eq!(
        &stamp[field.start..field.end],
        r#""2026-03-01T12:00:00.123456789Z""#
    );
    // Faults, a NUL, a declined document: don't know.
    for unknown in [
        base().without(required_i64()).text(),
        object_with(r#"{"a":"\u0000"}"#),
        object_with(r#"{"a":1,"a":2}"#),
    ] {
        assert_eq!(
            prover().project(unknown.as_bytes(), "contract").unwrap(),
            None,
            "{unknown}"
        );
    }
}

#[test]
fn check_lines_with_project_lists_valid_lines_projection_may_change() {
    let prover = prover();
    let kept = base().text();
    let lost = object_with(r#"{"a":-0.0}"#);
    let data = format!("{kept}\n{lost}\n");
    let limits = LineLimits {
        max_document_bytes: 1 << 20,
        list_valid: false,
        report_limit: 100,
        project: false,
    };
    let plain = prover
        .check_lines(data.as_bytes(), "contract", limits)
        .unwrap();
    assert!(plain.listed.is_empty());
    let project = LineLimits {
        project: true,
        ..limits
    };
    let found = prover
        .check_lines(data.as_bytes(), "contract", project)
        .unwrap();
    assert_eq!(found.documents, 2);
    let listed: Vec<usize> = found.listed.iter().map(|line| line.index).collect();
    assert_eq!(listed, vec![1]);
    assert!(found.listed[0]
        .verdict
        .as_ref()
        .is_some_and(Verdict::is_valid));
}
