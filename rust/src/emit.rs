//! `emit`: deterministic, deliberately nasty `ExecutorEvent`s, written the way a Rust
//! producer writes them (`serde_json::to_string`, one per line).
//!
//! The output is the "Rust-emitted" side of the conformance suite, so it aims at the
//! corners where the two stacks can drift: i64 extremes and snowflake ids above 2^53,
//! nanosecond / leap-second / out-of-range-year timestamps, escape- and Unicode-heavy
//! strings, deep `context` trees with u64 extremes and floats of every magnitude.
//!
//! Every value is drawn from [`Rng`], so the same seed gives the same bytes.

use std::io::{self, Write};

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use serde_json::{Map, Number, Value};

use crate::event::ExecutorEvent;
use crate::fields;
use crate::rng::Rng;
use crate::spec::Field;

/// Names for a string field the schema gives no `enum` or `examples` for: step-like and
/// worker-like names, the empty string. Half the time such a field gets a random string instead.
const NAMES: &[&str] = &[
    "start",
    "end",
    "fetch_users",
    "loop_items",
    "http_call",
    "transform",
    "load.postgres",
    "node-1",
    "retry_step",
    "cli-local",
    "worker-17",
    "noetl-worker-3fa2c1d0-12",
    "",
];

/// Characters that stress JSON escaping and Unicode handling: the two characters
/// serde_json escapes besides controls (`"` `\`), `/` (escapable but never escaped on
/// output), the short-escape controls, DEL and C1 controls (written raw), U+2028/2029
/// (raw in JSON, line breaks to JavaScript and `str.splitlines()`), BOM,
/// noncharacters, astral characters (surrogate pairs when escaped), combining marks,
/// ZWJ and bidi overrides, and case-mapping oddities.
#[rustfmt::skip]
const SPECIAL_CHARS: &[char] = &[
    '"', '\\', '/', '\u{0}', '\u{1}', '\u{8}', '\t', '\n', '\u{b}', '\u{c}', '\r', '\u{1b}',
    '\u{1f}', '\u{7f}', '\u{80}', '\u{9f}', '\u{a0}', '\u{ad}', '\u{2028}', '\u{2029}',
    '\u{200b}', '\u{200d}', '\u{202e}', '\u{feff}', '\u{fffd}', '\u{fffe}', '\u{ffff}',
    '\u{10000}', '\u{1f600}', '\u{1f468}', '\u{e0001}', '\u{10ffff}', '\u{0301}',
    '\u{0308}', '\u{20db}', 'é', 'ß', 'ı', 'İ', 'ﬀ', '中', '日', 'Ω', '<', '>', '&', '\'',
    '%', '$',
];

const OBJECT_KEYS: &[&str] = &[
    "result",
    "data",
    "error",
    "rows",
    "status",
    "id",
    "attempt",
    "payload",
    "context",
    "meta",
    "items",
    "",
    "__proto__",
    "key with space",
    "ключ",
    "a.b",
    "$ref",
];

/// The value generators, one per Rust type. `fields::build` (generated from the schema) calls
/// the one of each field's type with that field's [`Field`] table; nothing here names a field.
///
/// Default mode draws anything the Rust type can hold (serde-valid, mostly contract-invalid);
/// contract mode (`emit --contract`) stays inside what the schema allows: its `enum`,
/// `minLength` / `maxLength`, `minimum` / `maximum`, the JSON types of a `serde_json::Value`,
/// and RFC 3339 timestamps as JSON Schema reads them.
pub struct Gen {
    rng: Rng,
    contract: bool,
    floats: Floats,
}

/// How `serde_json::Value` floats are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Floats {
    /// Only values serde_json's default parser reads back exactly (see [`fixed_point`]), so
    /// every line is a byte-for-byte fixed point of `check`.
    FixedPoints,
    /// Any finite f64, as computed floats are: mostly uniform bit patterns (every exponent,
    /// subnormals, full 17-digit mantissas), with no redraw. About a third of them are read back
    /// by serde_json as a neighbour: what an unmodified Rust producer really writes.
    Raw,
}

impl Gen {
    /// Generators drawing from `seed`; `contract` keeps every event contract-valid.
    pub fn new(seed: u64, contract: bool) -> Self {
        Gen {
            rng: Rng::new(seed),
            contract,
            floats: Floats::FixedPoints,
        }
    }

    /// The same generators with `floats` drawn as that mode says.
    pub fn with_floats(mut self, floats: Floats) -> Self {
        self.floats = floats;
        self
    }

    /// `i64`: extremes, the 2^53 boundary, snowflakes; in contract mode inside the bounds.
    pub fn i64(&mut self, f: &Field) -> i64 {
        let v = id(&mut self.rng);
        if !self.contract {
            return v;
        }
        let (lo, hi) = (f.minimum.unwrap_or(i64::MIN), f.maximum.unwrap_or(i64::MAX));
        if (lo..=hi).contains(&v) {
            v
        } else if self.rng.chance(1, 3) {
            *self.rng.pick(&[lo, hi])
        } else {
            self.rng.range_i64(lo, hi)
        }
    }

    /// `String`: the schema's enum or examples (with case variants and random strings outside
    /// contract mode), else a name or an escape-heavy random string.
    pub fn string(&mut self, f: &Field) -> String {
        let rng = &mut self.rng;
        if !self.contract {
            return match f.enum_values.or(f.examples) {
                Some(known) if !known.is_empty() => label(rng, known),
                _ if rng.chance(1, 2) => rng.pick(NAMES).to_string(),
                _ => string(rng),
            };
        }
        if let Some(closed) = f.enum_values {
            return rng.pick(closed).to_string();
        }
        let drawn = match f.examples {
            Some(known) if !known.is_empty() && rng.chance(4, 5) => rng.pick(known).to_string(),
            _ if rng.chance(1, 2) => rng.pick(NAMES).to_string(),
            _ => string(rng),
        };
        fit_length(rng, drawn, f.min_length, f.max_length)
    }

    /// `DateTime<Utc>`: anywhere in chrono's range, or RFC 3339's in contract mode.
    pub fn datetime(&mut self, _f: &Field) -> DateTime<Utc> {
        if self.contract {
            contract_timestamp(&mut self.rng)
        } else {
            timestamp(&mut self.rng)
        }
    }

    /// `serde_json::Value`: deep, float- and escape-heavy trees; in contract mode only the
    /// JSON types the schema allows. Never `null` inside an `Option` (`Some(Value::Null)`
    /// writes `null`, which reads back as `None`: no byte-for-byte round trip).
    pub fn value(&mut self, f: &Field) -> Value {
        let (rng, fl) = (&mut self.rng, self.floats);
        if self.contract && f.object_only() {
            return match rng.below(10) {
                0 => Value::Object(Map::new()),
                1 => {
                    // A deep chain, always under an object at the top.
                    let depth = rng.range_i64(10, 20) as usize;
                    let mut m = Map::new();
                    m.insert(key(rng), deep_chain(rng, fl, depth));
                    Value::Object(m)
                }
                _ => object(rng, fl, 0, 8),
            };
        }
        loop {
            let v = if f.optional() {
                non_null(value(rng, fl, 0, 6))
            } else {
                context(rng, fl)
            };
            if !self.contract || f.json_types.iter().any(|t| json_type_fits(&v, t)) {
                return v;
            }
        }
    }

    /// `Option<T>`: `None` half the time, else the generator of `T`.
    pub fn option<T>(&mut self, f: &Field, inner: fn(&mut Gen, &Field) -> T) -> Option<T> {
        if self.rng.chance(1, 2) {
            Some(inner(self, f))
        } else {
            None
        }
    }
}

/// Write `count` events for `seed` as NDJSON (`to_string` + `\n`).
pub fn emit<W: Write>(out: &mut W, count: u64, seed: u64) -> io::Result<()> {
    emit_with(out, count, Gen::new(seed, false))
}

/// Like [`emit`], but every event is contract-valid (see [`contract_event`]).
pub fn emit_contract<W: Write>(out: &mut W, count: u64, seed: u64) -> io::Result<()> {
    emit_with(out, count, Gen::new(seed, true))
}

/// Like [`emit`] or [`emit_contract`] (`contract`), with floats drawn as `floats` says.
pub fn emit_floats<W: Write>(
    out: &mut W,
    count: u64,
    seed: u64,
    contract: bool,
    floats: Floats,
) -> io::Result<()> {
    emit_with(out, count, Gen::new(seed, contract).with_floats(floats))
}

fn emit_with<W: Write>(out: &mut W, count: u64, mut gen: Gen) -> io::Result<()> {
    for _ in 0..count {
        let line = serde_json::to_string(&fields::build(&mut gen)).map_err(io::Error::other)?;
        out.write_all(line.as_bytes())?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// The emitted lines as strings, for tests.
pub fn lines(count: u64, seed: u64) -> Vec<String> {
    lines_with(count, Gen::new(seed, false))
}

/// The `--contract` lines as strings, for tests.
pub fn contract_lines(count: u64, seed: u64) -> Vec<String> {
    lines_with(count, Gen::new(seed, true))
}

/// The `--raw-floats` lines (with `--contract` when `contract`) as strings, for tests.
pub fn raw_float_lines(count: u64, seed: u64, contract: bool) -> Vec<String> {
    lines_with(count, Gen::new(seed, contract).with_floats(Floats::Raw))
}

fn lines_with(count: u64, mut gen: Gen) -> Vec<String> {
    (0..count)
        .map(|_| {
            serde_json::to_string(&fields::build(&mut gen))
                .expect("ExecutorEvent always serializes")
        })
        .collect()
}

/// One varied event: every field drawn by its Rust type's generator, each `Option` set
/// independently.
pub fn event(rng_seed: u64) -> ExecutorEvent {
    fields::build(&mut Gen::new(rng_seed, false))
}

/// One varied event that the Python `contract` profile accepts, so that
/// `emit --contract | noetl-envelope conform --producer rust` is all canonical. The rest is as
/// nasty as [`event`].
pub fn contract_event(rng_seed: u64) -> ExecutorEvent {
    fields::build(&mut Gen::new(rng_seed, true))
}

/// `text` padded with random characters to at least `min` characters and cut to at most `max`.
fn fit_length(rng: &mut Rng, mut text: String, min: Option<usize>, max: Option<usize>) -> String {
    while text.chars().count() < min.unwrap_or(0) {
        text.push(character(rng));
    }
    match max {
        Some(max) if text.chars().count() > max => text.chars().take(max).collect(),
        _ => text,
    }
}

/// Whether `v` is of JSON Schema type `name` (an integer-valued float is not an "integer" here:
/// the generator simply redraws).
fn json_type_fits(v: &Value, name: &str) -> bool {
    match (name, v) {
        ("object", Value::Object(_))
        | ("array", Value::Array(_))
        | ("string", Value::String(_)) => true,
        ("boolean", Value::Bool(_)) | ("null", Value::Null) => true,
        ("number", Value::Number(_)) => true,
        ("integer", Value::Number(n)) => n.is_i64() || n.is_u64(),
        _ => false,
    }
}

/// [`timestamp`] restricted to what RFC 3339 allows: years 0..=9999 (four digits, no
/// sign) and a leap second only at the end of 23:59 (chrono writes UTC with `Z`).
fn contract_timestamp(rng: &mut Rng) -> DateTime<Utc> {
    let year = match rng.below(6) {
        0..=2 => rng.range_i64(1970, 2100),
        3 => *rng.pick(&[0, 1, 1969, 1970, 2000, 2038, 9999]),
        _ => rng.range_i64(0, 9999),
    } as i32;
    let (date, nano) = date_and_nano(rng, year);
    let time = match rng.below(20) {
        0 => leap_second(23, 59, nano),
        1 => edge_time(rng, nano),
        _ => any_time(rng, nano),
    }
    .expect("valid time");
    NaiveDateTime::new(date, time).and_utc()
}

/// i64 ids: extremes, the 2^53 boundary (where float-based readers start to corrupt
/// ids), snowflake-sized values, small and negative ones.
fn id(rng: &mut Rng) -> i64 {
    const TWO_53: i64 = 1 << 53;
    match rng.below(10) {
        0 => *rng.pick(&[i64::MIN, i64::MAX, 0, -1, 1, i64::MIN + 1, i64::MAX - 1]),
        1 => *rng.pick(&[TWO_53 - 1, TWO_53, TWO_53 + 1, -TWO_53 - 1]),
        2 => rng.range_i64(0, 1_000_000),
        3 => rng.next_u64() as i64,
        // Snowflake: 41-bit ms timestamp << 22 | worker | sequence; > 2^53 after ~a month.
        _ => rng.range_i64(TWO_53 + 1, i64::MAX),
    }
}

/// A known label most of the time, otherwise a case variant or a random string.
fn label(rng: &mut Rng, known: &[&str]) -> String {
    match rng.below(10) {
        0 => rng.pick(known).to_lowercase(),
        1 => rng.pick(known).to_uppercase(),
        2 | 3 => string(rng),
        _ => rng.pick(known).to_string(),
    }
}

/// A string heavy in escapes and non-ASCII; sometimes empty.
fn string(rng: &mut Rng) -> String {
    let len = match rng.below(8) {
        0 => 0,
        1 => rng.below(200) as usize,
        _ => rng.below(16) as usize,
    };
    (0..len).map(|_| character(rng)).collect()
}

fn character(rng: &mut Rng) -> char {
    match rng.below(20) {
        0..=7 => (0x20 + rng.below(0x5f) as u8) as char,
        8..=12 => *rng.pick(SPECIAL_CHARS),
        13 | 14 => char::from(rng.below(0x20) as u8),
        _ => loop {
            // Any Unicode scalar value; surrogates are not chars and are skipped.
            if let Some(c) = char::from_u32(rng.below(0x11_0000) as u32) {
                break c;
            }
        },
    }
}

/// A `DateTime<Utc>` anywhere in chrono's range, with 0/3/6/9 significant fractional
/// digits and occasional leap seconds.
fn timestamp(rng: &mut Rng) -> DateTime<Utc> {
    let year = match rng.below(12) {
        0..=4 => rng.range_i64(1970, 2100),
        5..=7 => rng.range_i64(1, 9999),
        8 => rng.range_i64(10_000, 262_142),
        9 => rng.range_i64(-262_143, 0),
        10 => *rng.pick(&[-262_143, -1, 0, 1, 9999, 10_000, 262_142]),
        _ => rng.range_i64(1000, 3000),
    } as i32;
    let (date, nano) = date_and_nano(rng, year);
    let time = match rng.below(20) {
        0 => leap_second(23, 59, nano),
        // chrono allows a leap second at any minute, not just 23:59 UTC.
        1 => leap_second(rng.below(24) as u32, rng.below(60) as u32, nano),
        2 => edge_time(rng, nano),
        _ => any_time(rng, nano),
    }
    .expect("valid time");
    NaiveDateTime::new(date, time).and_utc()
}

/// A date in `year` (day 31 is clamped to the month's end, so month ends and Feb 29 come
/// up) and a nanosecond count with 0, 3, 6 or 9 significant digits.
fn date_and_nano(rng: &mut Rng, year: i32) -> (NaiveDate, u32) {
    let month = rng.range_i64(1, 12) as u32;
    let day = match rng.below(5) {
        0 => 31,
        _ => rng.range_i64(1, 28) as u32,
    };
    let date = (0..4)
        .find_map(|back| NaiveDate::from_ymd_opt(year, month, day - back))
        .expect("day 28 exists in every month");
    let nano = match rng.below(4) {
        0 => 0,
        1 => rng.below(1000) as u32 * 1_000_000,
        2 => rng.below(1_000_000) as u32 * 1_000,
        _ => rng.below(1_000_000_000) as u32,
    };
    (date, nano)
}

/// A leap second at the end of hour:minute: chrono stores it as second 59 with nanos >= 1e9
/// and prints ":60".
fn leap_second(hour: u32, minute: u32, nano: u32) -> Option<NaiveTime> {
    NaiveTime::from_hms_nano_opt(hour, minute, 59, 1_000_000_000 + nano)
}

/// Midnight, the last second of the day and their neighbours.
fn edge_time(rng: &mut Rng, nano: u32) -> Option<NaiveTime> {
    NaiveTime::from_hms_nano_opt(
        *rng.pick(&[0, 23]),
        *rng.pick(&[0, 59]),
        *rng.pick(&[0, 59]),
        nano,
    )
}

fn any_time(rng: &mut Rng, nano: u32) -> Option<NaiveTime> {
    NaiveTime::from_hms_nano_opt(
        rng.below(24) as u32,
        rng.below(60) as u32,
        rng.below(60) as u32,
        nano,
    )
}

/// The `context` field: mostly an object, sometimes any other JSON value, sometimes
/// a deep chain (serde_json's recursion limit is 128; we stay around 20).
fn context(rng: &mut Rng, fl: Floats) -> Value {
    match rng.below(10) {
        0 => value(rng, fl, 0, 3),
        1 => {
            let depth = rng.range_i64(10, 20) as usize;
            deep_chain(rng, fl, depth)
        }
        2 => Value::Object(Map::new()),
        _ => object(rng, fl, 0, 8),
    }
}

fn deep_chain(rng: &mut Rng, fl: Floats, depth: usize) -> Value {
    let mut v = scalar(rng, fl);
    for _ in 0..depth {
        v = if rng.chance(1, 2) {
            Value::Array(vec![v])
        } else {
            let mut m = Map::new();
            m.insert(key(rng), v);
            Value::Object(m)
        };
    }
    v
}

fn value(rng: &mut Rng, fl: Floats, depth: usize, max_depth: usize) -> Value {
    if depth >= max_depth || rng.chance(3, 5) {
        return scalar(rng, fl);
    }
    if rng.chance(1, 2) {
        object(rng, fl, depth, max_depth)
    } else {
        let n = rng.below(6) as usize;
        Value::Array(
            (0..n)
                .map(|_| value(rng, fl, depth + 1, max_depth))
                .collect(),
        )
    }
}

fn object(rng: &mut Rng, fl: Floats, depth: usize, max_depth: usize) -> Value {
    let n = rng.below(7) as usize;
    let mut m = Map::new();
    for _ in 0..n {
        m.insert(key(rng), value(rng, fl, depth + 1, max_depth));
    }
    Value::Object(m)
}

fn key(rng: &mut Rng) -> String {
    if rng.chance(1, 2) {
        rng.pick(OBJECT_KEYS).to_string()
    } else {
        string(rng)
    }
}

fn non_null(v: Value) -> Value {
    if v.is_null() {
        Value::Object(Map::new())
    } else {
        v
    }
}

fn scalar(rng: &mut Rng, fl: Floats) -> Value {
    match rng.below(10) {
        0 => Value::Null,
        1 => Value::Bool(rng.chance(1, 2)),
        2 | 3 => Value::String(string(rng)),
        4 | 5 => integer(rng),
        _ => Value::Number(float(rng, fl)),
    }
}

/// Integers as serde_json stores them: i64 (negative) or u64 (non-negative).
fn integer(rng: &mut Rng) -> Value {
    match rng.below(6) {
        0 => Value::from(*rng.pick(&[i64::MIN, i64::MAX, 0, -1, 1 << 53, (1 << 53) + 1])),
        1 => Value::from(*rng.pick(&[u64::MAX, u64::MAX - 1, i64::MAX as u64 + 1])),
        2 => Value::from(rng.next_u64()),
        3 => Value::from(rng.next_u64() as i64),
        _ => Value::from(rng.range_i64(-1000, 1000)),
    }
}

/// A finite f64 of any magnitude: under [`Floats::FixedPoints`] one serde_json reads back
/// exactly (see [`fixed_point`]; candidates without a nearby fixed point are redrawn), under
/// [`Floats::Raw`] whatever was drawn.
fn float(rng: &mut Rng, fl: Floats) -> Number {
    if fl == Floats::Raw {
        let f = if rng.chance(1, 4) {
            float_candidate(rng)
        } else {
            finite_bits(rng)
        };
        return Number::from_f64(f).expect("finite");
    }
    loop {
        if let Some(f) = fixed_point(float_candidate(rng)) {
            return Number::from_f64(f).expect("finite");
        }
    }
}

fn float_candidate(rng: &mut Rng) -> f64 {
    match rng.below(8) {
        0 => *rng.pick(&[
            0.0,
            -0.0,
            100.0,
            -1.0,
            0.1,
            0.5,
            1e16,
            1e15,
            1e17,
            1e-7,
            1e-6,
            1e21,
            1e22,
            9007199254740993.0,
            f64::EPSILON,
            f64::MIN_POSITIVE,
            f64::MAX,
            f64::MIN,
            f64::from_bits(1),                     // smallest subnormal, 5e-324
            f64::from_bits(0x000F_FFFF_FFFF_FFFF), // largest subnormal
            1e-300,
            1e300,
        ]),
        // Subnormals.
        1 => f64::from_bits(rng.below(1 << 52)) * if rng.chance(1, 2) { -1.0 } else { 1.0 },
        // Integer-valued floats (written with ".0" or an exponent).
        2 => rng.range_i64(-(1 << 60), 1 << 60) as f64,
        // A short decimal times a power of ten in 1e-300..1e300.
        3 | 4 => {
            let mantissa = rng.range_i64(-99_999, 99_999) as f64;
            mantissa * 10f64.powi(rng.range_i64(-305, 295) as i32)
        }
        _ => finite_bits(rng),
    }
}

/// A uniformly random finite bit pattern: every exponent, full 17-digit mantissas.
fn finite_bits(rng: &mut Rng) -> f64 {
    loop {
        let f = f64::from_bits(rng.next_u64());
        if f.is_finite() {
            return f;
        }
    }
}

/// serde_json's default (non-`float_roundtrip`) parser is not correctly rounded:
/// about 30% of random doubles come back 1-2 ulp off from their own `to_string`,
/// and about 3% sit on a 2- or 3-cycle (x writes as text that reads as y, y writes
/// as text that reads as x) with no fixed point at all. A Rust producer can emit
/// either kind, but `emit` promises byte-for-byte round trips, so follow
/// write -> read a few steps and return the value that is stable, if any.
pub fn fixed_point(mut f: f64) -> Option<f64> {
    for _ in 0..4 {
        let text = serde_json::to_string(&f).expect("finite");
        let back: f64 = serde_json::from_str(&text).expect("serde_json reads its own floats");
        if back.to_bits() == f.to_bits() {
            return Some(f);
        }
        f = back;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::{fixed_point, raw_float_lines};
    use crate::event::ExecutorEvent;

    #[test]
    fn raw_floats_are_not_redrawn() {
        // What an unmodified producer writes: serde_json reads some of its own floats back as a
        // neighbour, so some lines are not fixed points; all are still accepted.
        let lines = raw_float_lines(300, 5, true);
        let moved = lines
            .iter()
            .filter(|line| {
                let event: ExecutorEvent = serde_json::from_str(line).expect("accepted");
                serde_json::to_string(&event).unwrap() != **line
            })
            .count();
        assert!(moved > 30, "{moved} of 300 lines changed on a round trip");
        for needle in ["e-31", "e+30"] {
            assert!(lines.iter().any(|l| l.contains(needle)), "no {needle}");
        }
    }

    #[test]
    fn fixed_point_detects_cycles_and_off_by_one_ulp() {
        // Writes as "6.600983877804657e+286", which reads back as the neighbour whose
        // text reads back as this value again: a 2-cycle, no fixed point.
        let cyc: f64 = "6.600983877804657e+286".parse().unwrap();
        assert_eq!(fixed_point(cyc), None);
        // Writes as "-4.667013499125689e-54", which reads back 1 ulp off; that
        // neighbour is stable.
        let off: f64 = "-4.667013499125689e-54".parse().unwrap();
        let fp = fixed_point(off).unwrap();
        assert_ne!(fp.to_bits(), off.to_bits());
        assert_eq!(fixed_point(fp), Some(fp));
    }

    #[test]
    fn hand_picked_corner_floats_are_stable() {
        // If one of these stopped being a fixed point, `emit` would silently redraw it.
        for f in [
            0.0,
            -0.0,
            100.0,
            1e16,
            1e-7,
            1e22,
            f64::MAX,
            f64::MIN,
            f64::MIN_POSITIVE,
            f64::EPSILON,
            f64::from_bits(1),
            f64::from_bits(0x000F_FFFF_FFFF_FFFF),
            1e-300,
            1e300,
        ] {
            assert_eq!(fixed_point(f).map(f64::to_bits), Some(f.to_bits()), "{f:e}");
        }
    }
}
