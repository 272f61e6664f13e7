//! `check`: the oracle. For each document, run exactly
//! `serde_json::from_slice::<ExecutorEvent>` and report either the bytes
//! `serde_json::to_string` writes back or serde_json's error, one JSON line each.
//!
//! Splitting is on `\n` bytes only (never `\r`, U+2028 or U+2029, which serde_json
//! writes raw inside strings), so the Python side must split the same way.

use std::fs;
use std::io::{self, Read, Write};

use serde::Serialize;
use serde_json::error::Category;

use crate::b64;
use crate::event::ExecutorEvent;

/// One output line. Field order is the output key order; `None` fields are omitted,
/// which yields exactly the two documented shapes:
/// `{"index","line","accepted":true,"output"}` and
/// `{"index","line","accepted":false,"error","category","error_line","error_column"}`.
#[derive(Debug, Serialize)]
pub struct Record {
    /// 0-based document index across all inputs.
    pub index: u64,
    /// 1-based line number within its input.
    pub line: u64,
    pub accepted: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_column: Option<usize>,
}

/// Verdict on one document's bytes.
pub fn check_document(index: u64, line: u64, doc: &[u8]) -> Record {
    let mut record = Record {
        index,
        line,
        accepted: false,
        output: None,
        error: None,
        category: None,
        error_line: None,
        error_column: None,
    };
    match serde_json::from_slice::<ExecutorEvent>(doc) {
        Ok(event) => {
            record.accepted = true;
            record.output =
                Some(serde_json::to_string(&event).expect("a decoded ExecutorEvent serializes"));
        }
        Err(err) => {
            record.category = Some(match err.classify() {
                Category::Io => "io",
                Category::Syntax => "syntax",
                Category::Data => "data",
                Category::Eof => "eof",
            });
            record.error_line = Some(err.line());
            record.error_column = Some(err.column());
            record.error = Some(err.to_string());
        }
    }
    record
}

/// The documents of one input: split on `\n`; a final empty segment (after a
/// trailing newline, or an empty input) is not a document, every other segment is.
pub fn documents(data: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut segments: Vec<&[u8]> = data.split(|&b| b == b'\n').collect();
    if segments.last().is_some_and(|s| s.is_empty()) {
        segments.pop();
    }
    segments.into_iter()
}

/// Check every document of every input (`-` = stdin; no inputs = stdin), writing one
/// record per line to `out`. `Err` carries a one-line message for I/O or usage
/// errors (unreadable file, invalid base64, closed stdout).
pub fn run<W: Write>(inputs: &[String], b64: bool, out: &mut W) -> Result<(), String> {
    let stdin_only = ["-".to_string()];
    let inputs = if inputs.is_empty() {
        &stdin_only[..]
    } else {
        inputs
    };
    let mut index = 0u64;
    for path in inputs {
        let data = read_input(path)?;
        for (i, segment) in documents(&data).enumerate() {
            let line = i as u64 + 1;
            let decoded;
            let doc = if b64 {
                decoded = b64::decode(segment)
                    .map_err(|e| format!("{}:{line}: invalid base64: {e}", display(path)))?;
                &decoded[..]
            } else {
                segment
            };
            let record = check_document(index, line, doc);
            serde_json::to_writer(&mut *out, &record)
                .map_err(|e| format!("writing output: {e}"))?;
            out.write_all(b"\n")
                .map_err(|e| format!("writing output: {e}"))?;
            index += 1;
        }
    }
    out.flush().map_err(|e| format!("writing output: {e}"))
}

/// `count`: only `serde_json::from_slice::<ExecutorEvent>` over every document of every input,
/// counting accepted and rejected ones (the benchmark's "Rust reads the same NDJSON" figure:
/// nothing is written back). Returns `(accepted, rejected)`.
pub fn count(inputs: &[String]) -> Result<(u64, u64), String> {
    let stdin_only = ["-".to_string()];
    let inputs = if inputs.is_empty() {
        &stdin_only[..]
    } else {
        inputs
    };
    let (mut accepted, mut rejected) = (0u64, 0u64);
    for path in inputs {
        let data = read_input(path)?;
        for doc in documents(&data) {
            match serde_json::from_slice::<ExecutorEvent>(doc) {
                Ok(_) => accepted += 1,
                Err(_) => rejected += 1,
            }
        }
    }
    Ok((accepted, rejected))
}

fn read_input(path: &str) -> Result<Vec<u8>, String> {
    if path == "-" {
        let mut data = Vec::new();
        io::stdin()
            .lock()
            .read_to_end(&mut data)
            .map_err(|e| format!("<stdin>: {e}"))?;
        Ok(data)
    } else {
        fs::read(path).map_err(|e| format!("{path}: {e}"))
    }
}

fn display(path: &str) -> &str {
    if path == "-" {
        "<stdin>"
    } else {
        path
    }
}

#[cfg(test)]
mod tests {
    use super::documents;

    #[test]
    fn splitting_rules() {
        let split = |d: &'static [u8]| documents(d).collect::<Vec<_>>();
        assert!(split(b"").is_empty());
        assert_eq!(split(b"\n"), vec![&b""[..]]);
        assert_eq!(split(b"a\n\nb"), vec![&b"a"[..], b"", b"b"]);
        assert_eq!(split(b"a\r\nb\n"), vec![&b"a\r"[..], b"b"]);
        assert_eq!(split("a\u{2028}b".as_bytes()).len(), 1);
    }
}
