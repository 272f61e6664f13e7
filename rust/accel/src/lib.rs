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
//! The proof under canonical (the strictest; canonical ⊂ contract ⊂ serde):
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
//! requires anyway), top-level fields declared, in declaration order (but for null in an
//! Option field, which serde leaves out wherever it stands), none twice,
//! every required one present, nesting within serde_json's limit, and the schema's enum,
//! length, bound and date-time (RFC 3339: four-digit year, leap second at 23:59 UTC) checks.
//!
//! [`Prover::check`] gives the whole verdict for one more class, the commonest non-valid one in
//! real dumps: a document that would be proved but for float tokens that serde_json's default
//! parser (not correctly rounded) reads as a neighbouring double. Such a token is serde_json's
//! own shortest form of its correctly rounded value (it is canonical), so the reference engine
//! reports exactly one `canonical.float-roundtrip` warning per such token, in document order,
//! and nothing else, under every profile. `check` returns those tokens with their paths; the
//! Python engine turns each into the reference engine's own violation (and declines if it does
//! not agree that the token is misread).
//!
//! The byte comparison is what the canonical profile asks. serde and contract do not look at the
//! form, so under them a document is read *relaxed*: nothing is written back; a scan of the
//! input's tokens in step with serde_json's reading finds each token's bytes, and what byte
//! equality ruled out is checked on those instead: an integer token that serde_json reads as a
//! float (`-0`, beyond u64) and a repeated key anywhere (keys may come in any order) are refused, a float token whose
//! correctly rounded reading differs from serde_json's is a misread as written, and a timestamp
//! not in chrono's own form (decoded) is a failing field. Whitespace, escapes, number spellings
//! and field order are then the input's own business.
//!
//! The written-back document is never held whole: it is compared with the input every
//! `OUTPUT_WINDOW` bytes, and a long string as serde_json writes it, so a large document costs
//! little beside itself.
//!
//! [`Prover::check_lines`] is the bulk loop: one call per buffer of NDJSON lines (a span of a
//! file) cuts it at b"\n", checks and counts every line, and lists only the lines the report
//! needs (those not proved valid, or every one), so a valid line costs no Python at all.
//!
//! [`Prover::project`] is `validate --project`'s: while reading it records what projection into
//! `noetl.event` may change ([`Projection`]), so that Python words the `project.*` violations
//! from those findings alone, and `check_lines` with `project` lists a valid line only when
//! something may change.
//!
//! It also reads on past the ordinary field faults of real dumps, so that Python can give their
//! verdict from the schema alone, without the reference pipeline: a top-level key the schema
//! does not declare (read and written back like a `Value`; a repeated unknown key still
//! declines), a field written under its serde alias (read as the field, written back under the
//! alias as the input has it: an alias is a contract error, so canonical's verdict is the
//! contract's whatever the bytes), a required field missing, a string or i64 field failing the
//! schema's enum, length or bound checks, another JSON scalar than the field's type takes (a
//! float token or a string in an i64 field, a number or boolean in a String, a scalar the
//! schema's types leave out in a `Value`), null (None in an `Option`, written back as the input
//! has it), a timestamp not in chrono's own form (another offset or fraction, or one chrono or RFC 3339 refuses: Python
//! judges it from its token, as serde, the contract and conform each see it). Each is named in
//! the [`Verdict`]; everything else is still proved byte for byte.

use std::borrow::Cow;
use std::fmt;

use chrono::{DateTime, FixedOffset, Utc};
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
    /// serde's aliases (`#[serde(alias = ...)]`): other top-level names it binds to this field.
    #[serde(default)]
    aliases: Vec<String>,
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
    aliases: Vec<String>,
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
            aliases: spec.aliases,
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

/// Written with a fraction or an exponent: serde_json reads such a token as an f64 whatever its
/// value (the Python side's `Num.is_float_literal`).
fn is_float_literal(token: &[u8]) -> bool {
    token.iter().any(|b| b".eE".contains(b))
}

/// One step of a JSON path: an object key or an array index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathPart {
    Key(String),
    Index(usize),
}

/// A float token serde_json's default parser reads as another double than the correctly
/// rounded reading, which the token is the shortest form of; `path` leads to it from the top.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Misread {
    pub path: Vec<PathPart>,
    pub token: String,
    /// The bits of the double serde_json's default parser reads (f64 is not `Eq`).
    pub read_bits: u64,
}

/// What [`Prover::check`] found in a document it read to the end and whose bytes are serde_json's
/// own but for the unknown members: all empty means valid (proved).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// Floats serde_json's default parser misreads, in document order.
    pub misreads: Vec<Misread>,
    /// Top-level keys the schema does not declare, in document order.
    pub unknown: Vec<String>,
    /// Top-level keys that are a field's serde alias (serde binds them to the field), in
    /// document order.
    pub aliases: Vec<String>,
    /// Where each top-level key's JSON string is in the document (`start..end`, quotes
    /// included), in document order: the key order, without reading the values again.
    pub keys: Vec<(usize, usize)>,
    /// Required fields that are absent, in declaration order.
    pub missing: Vec<String>,
    /// String and i64 fields whose value fails the schema's checks (enum, length, bounds), scalar
    /// fields holding another JSON scalar than their type takes (`1.0` or `"1"` in an i64, `1`
    /// in a String), which serde refuses, and timestamp fields holding a string that is not
    /// chrono's own form (serde may read it or not).
    pub failing: Vec<Failing>,
}

impl Verdict {
    /// Nothing found: valid, no warning (`keys` only says where the keys are).
    pub fn is_valid(&self) -> bool {
        self.misreads.is_empty()
            && self.unknown.is_empty()
            && self.aliases.is_empty()
            && self.missing.is_empty()
            && self.failing.is_empty()
    }
}

/// A field whose value fails the schema's checks: its name, and where its value's JSON text is
/// in the document (`start..end`), so the value can be judged without reading the rest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failing {
    pub name: String,
    pub start: usize,
    pub end: usize,
}

/// What projection into `noetl.event` (PostgreSQL's VARCHAR, TIMESTAMP and JSONB columns) may
/// change in the values read so far: the conservative side of the `project.*` rules
/// (python/noetl_envelope/projection/predict.py), each value judged alone. A string or key with
/// U+0000 (refused) is not `known` (the prediction's to judge whole); a float token numeric
/// writes back otherwise (see [`numeric_keeps`]: `1e2` as `100`, `-0.0` as `0.0`), object keys
/// not in JSONB's order (shorter first, then bytes) and a
/// timestamp beyond chrono's four-digit years, with second 60 or digits below a microsecond are
/// each a possible change: `kept` is false, and with [`Projecting::Record`] each is listed (see
/// [`Projection`]) for Python to word. Only `validate --project` asks: otherwise the reading
/// does none of this ([`Projecting::No`]).
struct Projector {
    mode: Projecting,
    kept: bool,
    known: bool,
    /// Pre-order position of the next value recorded: a JSONB value's findings in the order the
    /// prediction walks it (an object's own before its members'), whatever order they end in.
    seq: usize,
    changes: Vec<(usize, Change)>,
    timestamps: Vec<Failing>,
}

/// How much of [`Projector`]'s work a reading does.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Projecting {
    /// None (every profile's own reading).
    No,
    /// Whether anything may change (`check_lines` with `project`).
    Flag,
    /// What may change, listed ([`Prover::project`]).
    Record,
}

/// A float token longer than this is left to the prediction (a shortest form is at most 24).
const LONGEST_KEPT_NUMBER: usize = 40;
/// A float token whose numeric text has more digits after the point is left to the prediction
/// (numeric refuses a scale above 16383; a double's shortest form needs at most about 340).
const LARGEST_KEPT_SCALE: i64 = 400;

/// Whether JSONB's numeric writes the float token back as a number a correctly rounding reader
/// reads as the same double, written the same (pgtypes.numeric_text, predict's `_number`):
/// numeric keeps the token's exact decimal value with max(0, fraction digits - exponent)
/// digits after the point, so with at least one (and not a negative zero, which numeric
/// drops) it comes back as a float of the same value; with none it comes back as an integer.
fn numeric_keeps(token: &[u8]) -> bool {
    if token.len() > LONGEST_KEPT_NUMBER {
        return false;
    }
    let (mantissa, exponent) = match token.iter().position(|&b| b == b'e' || b == b'E') {
        Some(at) => (&token[..at], &token[at + 1..]),
        None => (token, &b"0"[..]),
    };
    let Some(exponent) = std::str::from_utf8(exponent)
        .ok()
        .and_then(|e| e.parse::<i64>().ok())
    else {
        return false;
    };
    let fraction = mantissa
        .iter()
        .position(|&b| b == b'.')
        .map_or(0, |at| mantissa.len() - at - 1) as i64;
    let scale = fraction - exponent;
    let negative_zero =
        mantissa.first() == Some(&b'-') && mantissa[1..].iter().all(|&b| b == b'0' || b == b'.');
    !negative_zero && scale > 0 && scale <= LARGEST_KEPT_SCALE
}

impl Projector {
    fn new(mode: Projecting) -> Projector {
        Projector {
            mode,
            kept: true,
            known: true,
            seq: 0,
            changes: Vec::new(),
            timestamps: Vec::new(),
        }
    }

    fn record(&self) -> bool {
        self.mode == Projecting::Record
    }

    fn text(&mut self, text: &str) {
        if self.mode != Projecting::No && text.contains('\0') {
            self.kept = false;
            self.known = false;
        }
    }

    /// A float token.
    fn number(&mut self, token: &[u8]) {
        if self.mode == Projecting::No {
            return;
        }
        if !numeric_keeps(token) {
            self.kept = false;
            if self.record() {
                let token = String::from_utf8_lossy(token).into_owned();
                self.changes.push((
                    self.seq,
                    Change::Number {
                        path: Vec::new(),
                        token,
                    },
                ));
            }
        }
        self.seq += 1;
    }

    /// An object opens: its pre-order position, for [`Projector::object`] when it closes.
    fn open(&mut self) -> usize {
        self.seq += 1;
        self.seq - 1
    }

    /// An object's `key` after `previous` (the key before it, if any), into its `order`.
    fn key(&mut self, order: &mut JsonbOrder, previous: Option<&str>, key: &str) {
        if self.mode != Projecting::No {
            self.text(key);
            order.add(previous, key, self.record());
        }
    }

    /// An object read whole, opened at `seq`: `order` says whether its keys came in JSONB's
    /// order (always, when nothing is asked).
    fn object(&mut self, seq: usize, order: JsonbOrder) {
        if order.ordered {
            return;
        }
        self.kept = false;
        if self.record() {
            self.changes.push((
                seq,
                Change::KeyOrder {
                    path: Vec::new(),
                    first: order.first,
                    count: order.count,
                },
            ));
        }
    }

    /// A timestamp field's value in chrono's own form (`YYYY-MM-DDTHH:MM:SS[.f]Z`, 0, 3, 6 or 9
    /// digits) at `span`.
    fn timestamp(&mut self, field: &Field, text: &str, span: (usize, usize)) {
        if self.mode == Projecting::No {
            return;
        }
        let bytes = text.as_bytes();
        let four_digit_year =
            bytes.len() > 19 && bytes[..4].iter().all(u8::is_ascii_digit) && bytes[4] == b'-';
        let below_micros = bytes
            .get(26..bytes.len().saturating_sub(1))
            .is_some_and(|digits| digits.iter().any(|&b| b != b'0'));
        if !four_digit_year || &bytes[17..19] == b"60" || below_micros {
            self.kept = false;
            if self.record() {
                self.timestamps.push(Failing {
                    name: field.name.clone(),
                    start: span.0,
                    end: span.1,
                });
            }
        }
    }
}

/// The keys of one object in JSONB's stored order so far: whether they came in it, and (when
/// recording) the first four of that order and how many there are.
#[derive(Default)]
struct JsonbOrder {
    ordered: bool,
    first: Vec<String>,
    count: usize,
}

/// JSONB's key order (`lengthCompareJsonbString`): shorter keys first, then by bytes.
fn jsonb_key(key: &str) -> (usize, &[u8]) {
    (key.len(), key.as_bytes())
}

impl JsonbOrder {
    fn new() -> JsonbOrder {
        JsonbOrder {
            ordered: true,
            ..JsonbOrder::default()
        }
    }

    /// `key` after `previous` (the key before it, if any); `record`: keep the first four.
    fn add(&mut self, previous: Option<&str>, key: &str, record: bool) {
        if previous.is_some_and(|p| jsonb_key(p) >= jsonb_key(key)) {
            self.ordered = false;
        }
        self.count += 1;
        if record {
            let at = self
                .first
                .partition_point(|k| jsonb_key(k) < jsonb_key(key));
            if at < 4 {
                self.first.insert(at, key.to_string());
                self.first.truncate(4);
            }
        }
    }
}

/// A value projection may change, with its path (the JSON pointer's parts) in the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A number token numeric may write back otherwise (`project.number-normalized`, or
    /// `project.number-range`): the prediction judges it from the token.
    Number { path: Vec<PathPart>, token: String },
    /// An object whose keys JSONB stores in another order (`project.key-order`): the first four
    /// keys in that order, and how many there are.
    KeyOrder {
        path: Vec<PathPart>,
        first: Vec<String>,
        count: usize,
    },
}

impl Change {
    fn path_mut(&mut self) -> &mut Vec<PathPart> {
        match self {
            Change::Number { path, .. } | Change::KeyOrder { path, .. } => path,
        }
    }
}

/// What [`Prover::project`] found that projection may change in a document with no fault but
/// misread floats: the
/// changes in the order the prediction words them (per field, pre-order), and the timestamp
/// fields whose value it must judge (digits below a microsecond, a leap second, a year beyond
/// four digits). Both empty: projection loses nothing.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Projection {
    pub changes: Vec<Change>,
    pub timestamps: Vec<Failing>,
}

/// Output held at most before it is compared with the input and let go (`Ctx::settle`): the
/// written-back document is never held whole, so a large document costs little beside itself.
const OUTPUT_WINDOW: usize = 64 * 1024;
/// A longer string is compared with the input as serde_json writes it, never held as output.
const DIRECT_STRING: usize = 4 * 1024;
/// A document holding a longer string with an escape is declined: serde_json decodes such a
/// string whole into its scratch buffer, about the string's size again beside the document (the
/// reference engine keeps it as its place in the bytes). A shorter one fits the memory bound.
const LONGEST_ESCAPED_STRING: usize = 16 * 1024 * 1024;

/// Whether `body` holds a string token longer than `limit` bytes with an escape in it. Found by
/// quotes and backslashes alone (outside a string a '"' opens one); on input that is not JSON the
/// answer may be wrong, which costs nothing: serde_json refuses that input anyway.
fn has_long_escaped_string(body: &[u8], limit: usize) -> bool {
    let mut at = 0;
    while let Some(open) = memchr::memchr(b'"', &body[at..]) {
        let start = at + open + 1;
        let mut escaped = false;
        at = start;
        loop {
            let Some(found) = memchr::memchr2(b'"', b'\\', &body[at..]) else {
                return false;
            };
            at += found;
            if body[at] == b'\\' {
                escaped = true;
                at += 2;
                if at >= body.len() {
                    return false;
                }
                continue;
            }
            if escaped && at - start > limit {
                return true;
            }
            at += 1;
            break;
        }
    }
    false
}

/// What one document's read carries along: the input, serde_json's output not yet compared with
/// it (`out`, which stands for the input from `base` on), how much of the input is known to equal
/// the output (`verified`, an input offset), and what was found so far (the misreads' paths are
/// built innermost first, as each container returns, and reversed at the end). `relaxed`: the
/// form is not compared (see [`Prover::check`]); then nothing is written, and `at` is where the
/// scan of the input's tokens stands (each token's bytes are found there, `scan_*`).
struct Ctx<'b> {
    body: &'b [u8],
    relaxed: bool,
    at: usize,
    out: Vec<u8>,
    base: usize,
    verified: usize,
    misreads: Vec<Misread>,
    unknown: Vec<String>,
    aliases: Vec<String>,
    keys: Vec<(usize, usize)>,
    missing: Vec<String>,
    failing: Vec<Failing>,
    /// Where the last scalar `scalar` wrote (or scanned) is in the input.
    last_span: (usize, usize),
    /// What projection may change in what was read so far (see [`Projector`]).
    projector: Projector,
}

/// How many misreads and projection changes there were at one point of the reading.
#[derive(Clone, Copy)]
struct Mark {
    misreads: usize,
    changes: usize,
}

impl Ctx<'_> {
    /// Adds `part` to the paths of the misreads found since there were `since` of them.
    fn inside(&mut self, since: Mark, part: impl Fn() -> PathPart) {
        for misread in &mut self.misreads[since.misreads..] {
            misread.path.push(part());
        }
        for (_, change) in &mut self.projector.changes[since.changes..] {
            change.path_mut().push(part());
        }
    }

    /// Where the misreads and the projection's changes found from here on start (`inside`).
    fn mark(&self) -> Mark {
        Mark {
            misreads: self.misreads.len(),
            changes: self.projector.changes.len(),
        }
    }

    /// Appends `byte` to the output (nothing is written when relaxed).
    fn push(&mut self, byte: u8) {
        if !self.relaxed {
            self.out.push(byte);
        }
    }

    /// Writes `value` as serde_json does (nothing is written when relaxed).
    fn put<T: serde::Serialize + ?Sized, E: de::Error>(&mut self, value: &T) -> Result<(), E> {
        if self.relaxed {
            return Ok(());
        }
        write(&mut self.out, value)
    }

    /// Relaxed: moves past JSON whitespace.
    fn skip_space(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.body.get(self.at) {
            self.at += 1;
        }
    }

    /// Relaxed: where the next token starts, past whitespace and the `,` or `:` before it.
    fn next_token(&mut self) -> usize {
        self.skip_space();
        if let Some(b',' | b':') = self.body.get(self.at) {
            self.at += 1;
            self.skip_space();
        }
        self.at
    }

    /// Relaxed: the span of the next token, a string, number, `true`, `false` or `null` (one
    /// serde_json has read, so it is well formed), and moves past it.
    fn scan_scalar(&mut self) -> (usize, usize) {
        let start = self.next_token();
        let body = self.body;
        let mut end = start;
        if body.get(start) == Some(&b'"') {
            end += 1;
            // To the closing quote: past each escape's backslash and the byte it escapes.
            while let Some(found) = memchr::memchr2(b'"', b'\\', &body[end.min(body.len())..]) {
                end += found + 1;
                if body[end - 1] == b'"' {
                    break;
                }
                end += 1;
            }
        } else {
            while !matches!(
                body.get(end),
                None | Some(b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
            ) {
                end += 1;
            }
        }
        self.at = end.min(body.len());
        (start, self.at)
    }

    /// Relaxed: moves past the `{` or `[` that opens a container.
    fn scan_open(&mut self) {
        self.next_token();
        self.at += 1;
    }

    /// Relaxed: moves past the `}` or `]` that closes a container.
    fn scan_close(&mut self) {
        self.skip_space();
        self.at += 1;
    }

    /// Records `token` as a float serde_json's parser reads as `value` (its path is added as the
    /// containers return, see `inside`).
    fn misread_found(&mut self, token: &str, value: f64) {
        self.misreads.push(Misread {
            path: Vec::new(),
            token: token.to_string(),
            read_bits: value.to_bits(),
        });
    }

    /// Relaxed: the float serde_json read as `value` from the next token. The reference engine
    /// warns when the token is a float literal whose correctly rounded reading differs; an
    /// integer token read as a float (beyond u64, or `-0`) is a contract error it words: refused.
    fn relaxed_float<E: de::Error>(&mut self, value: f64) -> Result<(), E> {
        let (start, end) = self.scan_scalar();
        let token = &self.body[start..end];
        if !is_float_literal(token) {
            return Err(refuse("an integer read as a float"));
        }
        self.projector.number(token);
        let token = std::str::from_utf8(token).map_err(|_| refuse("not UTF-8"))?;
        let correct: f64 = token.parse().map_err(|_| refuse("not a float"))?;
        if correct.to_bits() != value.to_bits() {
            self.misread_found(token, value);
        }
        Ok(())
    }

    /// serde_json wrote `value` at `start` but the input differs there. When the input's token
    /// is the shortest form of the correctly rounded reading and that reading differs from
    /// serde_json's (`value`), the token replaces the output and is recorded; else the
    /// document cannot be proved.
    /// `start`: where in `out` serde_json wrote `value`.
    fn misread<E: de::Error>(&mut self, start: usize, value: f64) -> Result<(), E> {
        let body = self.body;
        let written = start;
        let start = self.base + start;
        if start > body.len()
            || body[self.verified..start] != self.out[self.verified - self.base..written]
        {
            return Err(refuse("differs before a float"));
        }
        let end = start
            + body[start..]
                .iter()
                .take_while(|b| b.is_ascii_digit() || b"-+.eE".contains(b))
                .count();
        let token = std::str::from_utf8(&body[start..end]).map_err(|_| refuse("not UTF-8"))?;
        let correct: f64 = token.parse().map_err(|_| refuse("not a float"))?;
        if correct.to_bits() == value.to_bits() || !correct.is_finite() {
            return Err(refuse("float written otherwise"));
        }
        let mut shortest = Vec::new();
        write::<f64, E>(&mut shortest, &correct)?;
        if shortest != token.as_bytes() {
            return Err(refuse("float written otherwise"));
        }
        self.misread_found(token, value);
        self.projector.number(token.as_bytes());
        self.out.truncate(written);
        self.out.extend_from_slice(&body[start..end]);
        self.verified = end;
        Ok(())
    }

    /// Compares the output held with the input it stands for and lets it go; an error where they
    /// differ (the document cannot be proved then: the final comparison would fail).
    fn settle<E: de::Error>(&mut self) -> Result<(), E> {
        let end = self.base + self.out.len();
        if self.body.get(self.base..end) != Some(self.out.as_slice()) {
            return Err(refuse("differs"));
        }
        self.base = end;
        self.verified = end;
        self.out.clear();
        Ok(())
    }

    /// `settle` once the output held reaches `OUTPUT_WINDOW`. Called only where nothing later
    /// goes back into the output held (between a container's members).
    fn bound<E: de::Error>(&mut self) -> Result<(), E> {
        if !self.relaxed && self.out.len() >= OUTPUT_WINDOW {
            self.settle()?;
        }
        Ok(())
    }

    /// Writes `text` as serde_json writes a string; a long one is compared with the input as it
    /// is written instead of held.
    fn write_str<E: de::Error>(&mut self, text: &str) -> Result<(), E> {
        if self.relaxed {
            return Ok(());
        }
        if text.len() < DIRECT_STRING {
            return write(&mut self.out, text);
        }
        self.settle()?;
        let mut input = Compare {
            body: self.body,
            at: self.base,
        };
        serde_json::to_writer(&mut input, text).map_err(|_| refuse("differs in a string"))?;
        self.base = input.at;
        self.verified = input.at;
        Ok(())
    }

    /// Where in the input the output written from here on starts.
    fn position(&self) -> usize {
        self.base + self.out.len()
    }

    /// Writes a scalar field's value with `write` and returns where its JSON text is in the
    /// input: what was written, or when relaxed the token scanned.
    fn scalar<E: de::Error>(
        &mut self,
        write: impl FnOnce(&mut Self) -> Result<(), E>,
    ) -> Result<(usize, usize), E> {
        let span = if self.relaxed {
            self.scan_scalar()
        } else {
            let start = self.position();
            write(self)?;
            (start, self.position())
        };
        self.last_span = span;
        Ok(span)
    }

    /// Writes a scalar field's value as serde_json writes what it read (relaxed: scans its token)
    /// and returns where its JSON text is in the input. An integer token serde_json reads as a
    /// float (`-0`, beyond u64) is declined: the Python side reads the token otherwise.
    fn write_scalar<E: de::Error>(&mut self, read: &Scalar<'_>) -> Result<(usize, usize), E> {
        let span = self.scalar(|ctx| match read {
            Scalar::Null => ctx.put(&()),
            Scalar::Integer(value) => ctx.put(value),
            Scalar::Float(value) => ctx.put(value),
            Scalar::Text(text) => ctx.write_str(text),
            Scalar::Bool(value) => ctx.put(value),
        })?;
        let token = self.body.get(span.0..span.1).unwrap_or_default();
        if matches!(read, Scalar::Float(_)) && !is_float_literal(token) {
            return Err(refuse("an integer read as a float"));
        }
        Ok(span)
    }

    /// Writes a top-level key (relaxed: scans it) and records where it is in the input.
    fn key<E: de::Error>(&mut self, text: &str) -> Result<(), E> {
        let span = self.scalar(|ctx| ctx.write_str(text))?;
        self.keys.push(span);
        Ok(())
    }

    /// Records that `field`'s value, at `start..end` in the input, fails the schema's checks.
    fn fail(&mut self, field: &Field, (start, end): (usize, usize)) {
        self.failing.push(Failing {
            name: field.name.clone(),
            start,
            end,
        });
    }

    /// Whether the whole output equals the whole input (relaxed: not asked).
    fn matches(&self) -> bool {
        self.relaxed || self.body.get(self.base..) == Some(self.out.as_slice())
    }
}

/// A writer that compares what it is given with the input from `at` on, advancing `at`.
struct Compare<'b> {
    body: &'b [u8],
    at: usize,
}

impl std::io::Write for Compare<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let end = self.at + buf.len();
        if self.body.get(self.at..end) != Some(buf) {
            return Err(std::io::Error::other("differs"));
        }
        self.at = end;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
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
    Float,
    Str,
    Array,
    Object,
}

/// Reads any JSON value as serde_json::Value would and writes serde_json's output for it.
/// `level` is the nesting level of the enclosing container (the envelope is level 1).
struct ValueSeed<'a, 'b> {
    ctx: &'a mut Ctx<'b>,
    level: usize,
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_, '_> {
    type Value = Read;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Read, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_, '_> {
    type Value = Read;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Read, E> {
        self.ctx.scalar(|ctx| ctx.put(&()))?;
        Ok(Read::Null)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Read, E> {
        self.ctx.scalar(|ctx| ctx.put(&v))?;
        Ok(Read::Bool)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Read, E> {
        self.ctx.scalar(|ctx| ctx.put(&v))?;
        Ok(Read::Number)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Read, E> {
        self.ctx.scalar(|ctx| ctx.put(&v))?;
        Ok(Read::Number)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Read, E> {
        // serde_json's parser never yields a non-finite f64 (it refuses the token), and
        // Value keeps a finite f64 as is: writing the f64 is writing the Value.
        if !v.is_finite() {
            return Err(refuse("non-finite"));
        }
        let ctx = self.ctx;
        if ctx.relaxed {
            ctx.relaxed_float(v)?;
            return Ok(Read::Float);
        }
        let start = ctx.out.len();
        write(&mut ctx.out, &v)?;
        let written = &ctx.out[start..];
        let at = ctx.base + start;
        if ctx.body.get(at..at + written.len()) == Some(written) {
            ctx.projector.number(&ctx.body[at..at + written.len()]);
        } else {
            ctx.misread(start, v)?;
        }
        Ok(Read::Float)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Read, E> {
        self.ctx.projector.text(v);
        self.ctx.scalar(|ctx| ctx.write_str(v))?;
        Ok(Read::Str)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Read, A::Error> {
        let level = self.level + 1;
        if level > MAX_NESTING {
            return Err(refuse("too deep"));
        }
        let ctx = self.ctx;
        if ctx.relaxed {
            ctx.scan_open();
        }
        ctx.push(b'[');
        let mut index = 0;
        loop {
            ctx.bound()?;
            let mark = ctx.out.len();
            if index > 0 {
                ctx.push(b',');
            }
            let since = ctx.mark();
            match seq.next_element_seed(ValueSeed {
                ctx: &mut *ctx,
                level,
            })? {
                Some(_) => {
                    ctx.inside(since, || PathPart::Index(index));
                    index += 1;
                }
                None => {
                    ctx.out.truncate(mark);
                    break;
                }
            }
        }
        ctx.push(b']');
        if ctx.relaxed {
            ctx.scan_close();
        }
        Ok(Read::Array)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Read, A::Error> {
        let level = self.level + 1;
        if level > MAX_NESTING {
            return Err(refuse("too deep"));
        }
        let ctx = self.ctx;
        if ctx.relaxed {
            ctx.scan_open();
        }
        ctx.push(b'{');
        // serde_json's Map is a BTreeMap: it writes keys sorted by bytes. Requiring strictly
        // increasing keys is what byte equality needs anyway, and it refuses duplicates. Relaxed,
        // keys may come in any order but none twice (the contract profile's error otherwise).
        let mut keys = Keys::default();
        let seq = ctx.projector.open();
        let mut order = JsonbOrder::new();
        loop {
            ctx.bound()?;
            let mark = ctx.out.len();
            if keys.count > 0 {
                ctx.push(b',');
            }
            let key = match map.next_key::<KeyText>()? {
                Some(key) => key.0,
                None => {
                    ctx.out.truncate(mark);
                    break;
                }
            };
            ctx.scalar(|ctx| ctx.write_str(&key))?;
            ctx.projector
                .key(&mut order, keys.previous.as_deref(), &key);
            if !keys.add(key.clone(), ctx.relaxed) {
                return Err(refuse("keys not strictly increasing"));
            }
            ctx.push(b':');
            let since = ctx.mark();
            map.next_value_seed(ValueSeed {
                ctx: &mut *ctx,
                level,
            })?;
            ctx.inside(since, || PathPart::Key(key.to_string()));
        }
        if !keys.distinct() {
            return Err(refuse("a repeated key"));
        }
        ctx.projector.object(seq, order);
        ctx.push(b'}');
        if ctx.relaxed {
            ctx.scan_close();
        }
        Ok(Read::Object)
    }
}

/// The keys of one object read so far: the last, whether one came out of increasing order, and
/// (relaxed) a hash of each, to find a repeated key once the object is read (see [`Keys::add`]).
#[derive(Default)]
struct Keys<'de> {
    count: usize,
    previous: Option<Cow<'de, str>>,
    unordered: bool,
    hashes: Vec<u64>,
}

impl<'de> Keys<'de> {
    /// Takes `key`; false when it is out of increasing order where that is required (not
    /// relaxed, where increasing keys cannot repeat).
    fn add(&mut self, key: Cow<'de, str>, relaxed: bool) -> bool {
        let increasing = self.previous.as_deref().map_or(true, |p| p < key.as_ref());
        if !increasing && !relaxed {
            return false;
        }
        if relaxed {
            self.unordered |= !increasing;
            self.hashes.push(key_hash(&key));
        }
        self.count += 1;
        self.previous = Some(key);
        true
    }

    /// Whether no key came twice (relaxed): false also when two keys' hashes collide, which only
    /// ever refuses a document too many.
    fn distinct(mut self) -> bool {
        if !self.unordered {
            return true;
        }
        self.hashes.sort_unstable();
        self.hashes.windows(2).all(|pair| pair[0] != pair[1])
    }
}

/// FNV-1a of a key: cheap, and a collision only costs a refusal.
fn key_hash(key: &str) -> u64 {
    key.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// An object key, decoded (escapes resolved) the way serde_json's Map reads it, borrowed from
/// the input where it has no escape.
struct KeyText<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for KeyText<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(TextVisitor).map(KeyText)
    }
}

/// A string, borrowed from the input where it has no escape.
struct TextVisitor;

impl<'de> Visitor<'de> for TextVisitor {
    type Value = Cow<'de, str>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }
}

/// A top-level key: a declared field's index, a field's index by one of its serde aliases (as
/// written), or a name the schema does not declare.
enum TopKey {
    Declared(usize),
    Alias(usize, String),
    Unknown(String),
}

/// Reads a top-level key.
struct FieldKey<'a>(&'a [Field]);

impl<'de> DeserializeSeed<'de> for FieldKey<'_> {
    type Value = TopKey;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<TopKey, D::Error> {
        let key = deserializer.deserialize_str(TextVisitor)?;
        if let Some(index) = self.0.iter().position(|f| f.name == key) {
            return Ok(TopKey::Declared(index));
        }
        if let Some(index) = self
            .0
            .iter()
            .position(|f| f.aliases.iter().any(|a| *a == key))
        {
            return Ok(TopKey::Alias(index, key.into_owned()));
        }
        Ok(TopKey::Unknown(key.into_owned()))
    }
}

/// One top-level field's value, read with the field's Rust type exactly as serde's derive does;
/// whether it was null.
struct FieldValue<'a, 'b> {
    field: &'a Field,
    ctx: &'a mut Ctx<'b>,
}

impl<'de> DeserializeSeed<'de> for FieldValue<'_, '_> {
    type Value = bool;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        let field = self.field;
        match field.kind {
            Kind::I64 { low, high } => {
                let read = deserializer.deserialize_option(ScalarSeed)?;
                let span = self.ctx.write_scalar(&read)?;
                match read {
                    Scalar::Integer(value) if value >= low && value <= high => {}
                    // Outside the schema's bounds, a float token (serde and the schema's
                    // `integer` refuse it) or another JSON type: a failing value, which the
                    // Python side words from its token.
                    _ => self.ctx.fail(field, span),
                }
                Ok(matches!(read, Scalar::Null))
            }
            Kind::Text { timestamp } => {
                let read = deserializer.deserialize_option(ScalarSeed)?;
                let span = self.ctx.write_scalar(&read)?;
                let proved = match &read {
                    // A timestamp is judged as chrono reads it (serde's `DateTime<Utc>`:
                    // `parse::<DateTime<FixedOffset>>` in UTC): another offset or fraction, or one
                    // chrono or RFC 3339 refuses, fails (serde may still read it).
                    Scalar::Text(text) => {
                        self.ctx.projector.text(text);
                        if timestamp {
                            self.ctx.projector.timestamp(field, text, span);
                        }
                        (!timestamp || is_chronos_own(text)) && field.text_ok(text)
                    }
                    _ => false, // another JSON type
                };
                if !proved {
                    self.ctx.fail(field, span);
                }
                Ok(matches!(read, Scalar::Null))
            }
            Kind::Value {
                object,
                array,
                string,
                boolean,
            } => {
                let read = deserializer.deserialize_any(ValueSeed {
                    ctx: self.ctx,
                    level: 1,
                })?;
                let allowed = match read {
                    Read::Object => object,
                    Read::Array => array,
                    Read::Str => string,
                    Read::Bool => boolean,
                    Read::Null | Read::Number | Read::Float => false,
                };
                match read {
                    _ if allowed => Ok(false),
                    // Null (None in an Option), or an integer, string or boolean the schema
                    // does not take: a failing value, judged from its token on the Python side.
                    Read::Null | Read::Number | Read::Str | Read::Bool => {
                        let span = self.ctx.last_span;
                        self.ctx.fail(field, span);
                        Ok(matches!(read, Read::Null))
                    }
                    _ => Err(refuse("type")),
                }
            }
        }
    }
}

/// A scalar field's value as serde_json reads it (`deserialize_any`): what the field's Rust type
/// takes, or another JSON scalar or null (None in an `Option`, which serde skips on output;
/// refused otherwise), which the field's check judges as failing. A container is declined.
enum Scalar<'de> {
    Null,
    Integer(i64),
    Float(f64),
    Text(Cow<'de, str>),
    Bool(bool),
}

/// Reads a scalar field's value into a [`Scalar`].
struct ScalarSeed;

impl<'de> Visitor<'de> for ScalarSeed {
    type Value = Scalar<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a scalar")
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Scalar::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Scalar::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Scalar::Integer(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        // Beyond i64: serde's own error for an i64 field, not worded on the Python side.
        i64::try_from(v)
            .map(Scalar::Integer)
            .map_err(|_| refuse("beyond i64"))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Scalar::Float(v))
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Scalar::Text(Cow::Borrowed(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Scalar::Text(Cow::Owned(v.to_string())))
    }
}

/// Whether `text` is a timestamp chrono reads and writes back unchanged (its own output form),
/// and RFC 3339 accepts as well.
fn is_chronos_own(text: &str) -> bool {
    let Ok(read) = text.parse::<DateTime<FixedOffset>>() else {
        return false;
    };
    let mut written = Vec::new();
    if write::<_, serde_json::Error>(&mut written, &read.with_timezone(&Utc)).is_err() {
        return false;
    }
    written.get(1..written.len().saturating_sub(1)) == Some(text.as_bytes())
        && rfc3339_beyond_chrono(text)
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
struct Envelope<'a, 'b> {
    fields: &'a [Field],
    ctx: &'a mut Ctx<'b>,
}

impl<'de> Visitor<'de> for Envelope<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("the envelope object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let ctx = self.ctx;
        if ctx.relaxed {
            ctx.scan_open();
        }
        ctx.push(b'{');
        let mut next = 0; // fields before this index were passed (present or skipped)
        let mut seen = vec![false; self.fields.len()]; // relaxed: the fields present
        let mut first = true;
        while let Some(key) = map.next_key_seed(FieldKey(self.fields))? {
            ctx.bound()?;
            if !first {
                ctx.push(b',');
            }
            first = false;
            let since = ctx.mark();
            let (index, alias) = match key {
                TopKey::Declared(index) => (index, None),
                TopKey::Alias(index, alias) => (index, Some(alias)),
                TopKey::Unknown(name) => {
                    // serde skips it; the schema reports it. Read as a Value so the bytes are
                    // still proved serde_json's own; a repeated unknown key is the lexer's to report.
                    if ctx.unknown.contains(&name) {
                        return Err(refuse("unknown key twice"));
                    }
                    ctx.key(name.as_str())?;
                    ctx.push(b':');
                    map.next_value_seed(ValueSeed {
                        ctx: &mut *ctx,
                        level: 1,
                    })?;
                    ctx.inside(since, || PathPart::Key(name.clone()));
                    ctx.unknown.push(name);
                    continue;
                }
            };
            // A field under its name and its alias is serde's duplicate field: declined too.
            let field = &self.fields[index];
            let early = index < next && !ctx.relaxed;
            if seen[index] || (early && !field.optional) {
                return Err(refuse("field order or duplicate"));
            }
            seen[index] = true;
            // The key as the input has it: the field's name as serde writes it, or the alias.
            let key = alias.as_deref().unwrap_or(field.name.as_str());
            ctx.key(key)?;
            ctx.push(b':');
            let null = map.next_value_seed(FieldValue {
                field,
                ctx: &mut *ctx,
            })?;
            ctx.inside(since, || PathPart::Key(key.to_string()));
            if let Some(alias) = alias {
                ctx.aliases.push(alias);
            }
            // Null in an Option field serde leaves out on output: where it stands does not
            // matter to the bytes serde_json writes (a Python producer's dump puts it anywhere),
            // so it neither breaks the declaration order nor moves it on. Any other value of a
            // field out of order is declined.
            let left_out = null && field.optional;
            if early && !left_out {
                return Err(refuse("field order or duplicate"));
            }
            if !left_out {
                next = next.max(index + 1);
            }
        }
        // The required fields absent, in declaration order.
        for (field, present) in self.fields.iter().zip(seen) {
            if !present && !field.optional {
                ctx.missing.push(field.name.clone());
            }
        }
        ctx.push(b'}');
        if ctx.relaxed {
            ctx.scan_close();
        }
        Ok(())
    }
}

/// The bounds of one [`Prover::check_lines`] pass.
#[derive(Debug, Clone, Copy)]
pub struct LineLimits {
    /// A longer line is the reader's to report (too large): not read.
    pub max_document_bytes: usize,
    /// List lines proved valid too (a report that shows every document).
    pub list_valid: bool,
    /// Stop after this many listed lines.
    pub report_limit: usize,
    /// `validate --project`: a valid line is listed too unless projection is certain to lose
    /// nothing of it (its [`Prover::project`] finds nothing).
    pub project: bool,
}

/// A line [`Prover::check_lines`] lists: its 0-based line number in the buffer, its bytes
/// (`start..end`, without the b"\n") and [`Prover::check`]'s answer (`None` also for a line
/// that was not read, longer than a limit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub index: usize,
    pub start: usize,
    pub end: usize,
    pub verdict: Option<Verdict>,
}

/// What one [`Prover::check_lines`] pass saw: `consumed` bytes (just past the last line looked
/// at), the documents and blank lines among them, and the lines it lists, in order.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Lines {
    pub consumed: usize,
    pub documents: usize,
    pub blank_lines: usize,
    pub listed: Vec<Listed>,
}

/// Whether `profile` reads documents relaxed (all but "canonical"); an error for an unknown one.
fn relaxed(profile: &str) -> Result<bool, String> {
    if !PROFILES.contains(&profile) {
        return Err(format!("unknown profile {profile:?}"));
    }
    Ok(profile != "canonical")
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
        Ok(self
            .check(data, profile)?
            .is_some_and(|found| found.is_valid()))
    }

    /// What projecting `data` into `noetl.event` may change (see [`Projection`]; both lists
    /// empty: nothing), for a document read to the end with nothing found but floats serde_json
    /// misreads (which projection keeps as written); `None`: don't know. An error for a profile
    /// other than "serde", "contract", "canonical".
    pub fn project(&self, data: &[u8], profile: &str) -> Result<Option<Projection>, String> {
        let relaxed = relaxed(profile)?;
        let body = data.strip_suffix(b"\n").unwrap_or(data);
        let Some((verdict, projector)) = self.read_with(body, relaxed, Projecting::Record) else {
            return Ok(None);
        };
        let faults = !(verdict.unknown.is_empty()
            && verdict.aliases.is_empty()
            && verdict.missing.is_empty()
            && verdict.failing.is_empty());
        if faults || !projector.known {
            return Ok(None);
        }
        let mut changes = projector.changes;
        changes.sort_by_key(|&(seq, _)| seq);
        Ok(Some(Projection {
            changes: changes.into_iter().map(|(_, change)| change).collect(),
            timestamps: projector.timestamps,
        }))
    }

    /// What the document holds besides serde_json's own bytes (see [`Verdict`]; all empty:
    /// valid, no warning); `None`: don't know. Each profile makes its own verdict of it. Under
    /// "canonical" the bytes must be serde_json's own; under "serde" and "contract", which do not
    /// look at the form, they are read relaxed: whitespace, escapes, number spellings, key and
    /// field order as the input has them (see the module documentation). An error for a profile
    /// other than "serde", "contract", "canonical".
    pub fn check(&self, data: &[u8], profile: &str) -> Result<Option<Verdict>, String> {
        let relaxed = relaxed(profile)?;
        let body = data.strip_suffix(b"\n").unwrap_or(data);
        Ok(self.read(body, relaxed))
    }

    /// One pass over a buffer of NDJSON lines (see [`Lines`]): each line, cut at b"\n" only,
    /// is blank (only space, tab, CR: counted, not a document), longer than
    /// `max_document_bytes` (not read: `None`), or read as [`Prover::check`]
    /// reads it. A line is listed unless it is proved valid and `list_valid` is false. Bytes
    /// after the last b"\n" are not looked at; the pass also stops after the line that makes
    /// `report_limit` listed lines (at least one). An error for an unknown profile.
    pub fn check_lines(
        &self,
        data: &[u8],
        profile: &str,
        limits: LineLimits,
    ) -> Result<Lines, String> {
        let relaxed = relaxed(profile)?;
        let mut lines = Lines::default();
        let mut start = 0;
        let mut index = 0;
        while lines.listed.len() < limits.report_limit.max(1) {
            let Some(length) = data[start..].iter().position(|&b| b == b'\n') else {
                break;
            };
            let end = start + length;
            let line = &data[start..end];
            if line.iter().all(|b| b" \t\r".contains(b)) {
                lines.blank_lines += 1;
            } else {
                lines.documents += 1;
                let mode = if limits.project {
                    Projecting::Flag
                } else {
                    Projecting::No
                };
                let read = if length > limits.max_document_bytes {
                    None
                } else {
                    self.read_with(line, relaxed, mode)
                };
                let unlisted = read.as_ref().is_some_and(|(verdict, projector)| {
                    verdict.is_valid() && projector.kept && projector.known
                });
                let verdict = read.map(|(verdict, _)| verdict);
                if limits.list_valid || !unlisted {
                    lines.listed.push(Listed {
                        index,
                        start,
                        end,
                        verdict,
                    });
                }
            }
            index += 1;
            start = end + 1;
        }
        lines.consumed = start;
        Ok(lines)
    }

    fn read(&self, body: &[u8], relaxed: bool) -> Option<Verdict> {
        self.read_with(body, relaxed, Projecting::No)
            .map(|(verdict, _)| verdict)
    }

    /// `read`, and what projection may change in the document, as far as `mode` asks.
    fn read_with(
        &self,
        body: &[u8],
        relaxed: bool,
        mode: Projecting,
    ) -> Option<(Verdict, Projector)> {
        if body.len() > LONGEST_ESCAPED_STRING
            && has_long_escaped_string(body, LONGEST_ESCAPED_STRING)
        {
            return None;
        }
        let mut ctx = Ctx {
            body,
            relaxed,
            at: 0,
            out: Vec::with_capacity(if relaxed {
                0
            } else {
                body.len().min(2 * OUTPUT_WINDOW)
            }),
            base: 0,
            verified: 0,
            misreads: Vec::new(),
            unknown: Vec::new(),
            aliases: Vec::new(),
            keys: Vec::with_capacity(self.fields.len() + 1),
            last_span: (0, 0),
            missing: Vec::new(),
            failing: Vec::new(),
            projector: Projector::new(mode),
        };
        let mut deserializer = serde_json::Deserializer::from_slice(body);
        let envelope = Envelope {
            fields: &self.fields,
            ctx: &mut ctx,
        };
        if deserializer.deserialize_map(envelope).is_err() || deserializer.end().is_err() {
            return None;
        }
        if !ctx.matches() {
            return None;
        }
        for misread in &mut ctx.misreads {
            misread.path.reverse();
        }
        for (_, change) in &mut ctx.projector.changes {
            change.path_mut().reverse();
        }
        Some((
            Verdict {
                misreads: ctx.misreads,
                unknown: ctx.unknown,
                aliases: ctx.aliases,
                keys: ctx.keys,
                missing: ctx.missing,
                failing: ctx.failing,
            },
            ctx.projector,
        ))
    }
}

#[cfg(feature = "python")]
mod python;

#[cfg(test)]
mod tests;
