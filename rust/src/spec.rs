//! `Field`: what the schema says about one struct field, in the shape the generated tables
//! (`fields.rs`, written by `make gen`) fill in. Hand-written, and names no field: the
//! generator in python/noetl_envelope/generate/rust_struct.py writes one `Field` per property.

/// One property of the schema as the harness uses it: its serde wiring (for tests that build
/// documents) and the constraints `emit --contract` honours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// The Rust field name.
    pub name: &'static str,
    /// The JSON key serde writes and reads (`rename` / `rename_all` applied; else the name).
    pub key: &'static str,
    /// The schema's `x-rust-type`, e.g. `"i64"` or `"Option<serde_json::Value>"`.
    pub rust_type: &'static str,
    /// In the schema's `required`.
    pub required: bool,
    /// `#[serde(alias = ...)]`, in order.
    pub aliases: &'static [&'static str],
    /// `#[serde(skip_serializing_if = "Option::is_none")]`.
    pub skip_if_none: bool,
    /// `#[serde(default)]`.
    pub serde_default: bool,
    /// The JSON types the schema allows besides `null`.
    pub json_types: &'static [&'static str],
    /// The schema's `enum` (a closed set of strings).
    pub enum_values: Option<&'static [&'static str]>,
    /// The schema's `examples` for a string field.
    pub examples: Option<&'static [&'static str]>,
    /// `minLength` / `maxLength` in characters.
    pub min_length: Option<usize>,
    pub max_length: Option<usize>,
    /// `minimum` / `maximum` of an integer field.
    pub minimum: Option<i64>,
    pub maximum: Option<i64>,
}

impl Field {
    /// `Option<T>`: absent and `null` both read as `None`.
    pub fn optional(&self) -> bool {
        self.rust_type.starts_with("Option<")
    }

    /// `T` for `Option<T>`, else the type itself.
    pub fn base_type(&self) -> &'static str {
        if self.optional() {
            &self.rust_type["Option<".len()..self.rust_type.len() - 1]
        } else {
            self.rust_type
        }
    }

    /// The schema allows only objects (besides `null`).
    pub fn object_only(&self) -> bool {
        self.json_types == ["object"]
    }
}
