"""The profiles' rules, one module each: `serde` (what `from_slice::<ExecutorEvent>` rejects),
`contract` (the schema plus the lexical rules it cannot express), `canonical` (bytes differ
from serde_json's output), and `drift` (why a producer's bytes are not canonical, for
`conform`). Each works on the lexer's tree; the engines (one layer up) run them."""
