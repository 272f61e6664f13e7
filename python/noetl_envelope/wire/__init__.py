"""The semantics of the Rust stack's wire format, with no knowledge of the envelope: serde_json's
numbers (`numbers`), chrono's `DateTime<Utc>` (`timestamp`), and the lossless JSON lexer
(`lexer`) with the tree it produces (`jsontree`)."""
