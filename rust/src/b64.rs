//! Standard base64 (RFC 4648 §4, `+/`, with `=` padding) decoder for `check --b64`.
//!
//! `check` splits its input on `\n`, so a document that itself contains `\n` (or
//! any arbitrary bytes) can only reach serde_json intact if the test encodes it.
//! A dozen lines here beat a dependency the upstream crate does not have.

/// Decode strict padded standard base64. Rejects bad characters, a length that is
/// not a multiple of 4, misplaced padding, and non-zero trailing bits (so every
/// byte string has exactly one accepted encoding). A trailing `\r` is NOT
/// stripped: the caller decides what a line is.
pub fn decode(input: &[u8]) -> Result<Vec<u8>, String> {
    let quads = input.chunks_exact(4);
    if !quads.remainder().is_empty() {
        return Err(format!(
            "base64 length {} is not a multiple of 4",
            input.len()
        ));
    }
    let mut out = Vec::with_capacity(input.len() / 4 * 3);
    let chunks = quads.len();
    for (ci, chunk) in quads.enumerate() {
        let last = ci + 1 == chunks;
        let pad = chunk.iter().rev().take_while(|&&c| c == b'=').count();
        if pad > 2 || (pad > 0 && !last) {
            return Err("misplaced base64 padding".to_string());
        }
        let mut acc: u32 = 0;
        for &c in &chunk[..4 - pad] {
            acc = (acc << 6) | sextet(c)?;
        }
        acc <<= 6 * pad as u32;
        let bytes = [(acc >> 16) as u8, (acc >> 8) as u8, acc as u8];
        let keep = 3 - pad;
        if bytes[keep..].iter().any(|&b| b != 0) {
            return Err("non-canonical base64 (trailing bits set)".to_string());
        }
        out.extend_from_slice(&bytes[..keep]);
    }
    Ok(out)
}

fn sextet(c: u8) -> Result<u32, String> {
    Ok(match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => return Err(format!("invalid base64 byte 0x{c:02x}")),
    } as u32)
}

#[cfg(test)]
mod tests {
    use super::decode;

    #[test]
    fn rfc4648_vectors() {
        let cases: [(&str, &str); 7] = [
            ("", ""),
            ("Zg==", "f"),
            ("Zm8=", "fo"),
            ("Zm9v", "foo"),
            ("Zm9vYg==", "foob"),
            ("Zm9vYmE=", "fooba"),
            ("Zm9vYmFy", "foobar"),
        ];
        for (enc, dec) in cases {
            assert_eq!(decode(enc.as_bytes()).unwrap(), dec.as_bytes(), "{enc}");
        }
    }

    #[test]
    fn rejects_malformed() {
        for bad in ["Zg=", "Zg=a", "Z===", "Zm9v!A==", "Zg==Zg==", "Zh=="] {
            assert!(decode(bad.as_bytes()).is_err(), "{bad}");
        }
    }
}
