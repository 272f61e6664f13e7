"""The public functions: `validate`, `decode`, `encode` (re-exported by `noetl_envelope`)."""

from __future__ import annotations

from typing import Any

from noetl_envelope.core.violations import EnvelopeError, Violation
from noetl_envelope.engines import check as engine_check
from noetl_envelope.engines.reference import run
from noetl_envelope.model.codec import build_event, encode_event, exact_reader, is_event, serde_reader
from noetl_envelope_generated import ExecutorEvent


def _as_bytes(data: Any, function: str) -> bytes:
    if type(data) is bytes:
        return data
    if isinstance(data, str):
        return data.encode("utf-8", "surrogatepass")
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    # bytes(5) would be five NUL bytes and bytes({}) an empty document: refuse instead.
    raise TypeError(f"{function}() takes a JSON document as bytes or str, not {type(data).__name__}")


def _errors(violations: list[Violation]) -> list[Violation]:
    return [v for v in violations if v.severity == "error"]


def validate(data: bytes | str, *, profile: str = "contract", engine: str = "fast") -> list[Violation]:
    """Every violation of `profile` in one JSON document, each with its `severity`; a list with
    no "error" (empty, or warnings only) means valid.

    `engine="reference"` skips the fast path (same result, slower; see `engines.check`)."""
    return engine_check(_as_bytes(data, "validate"), profile, engine)


def decode(data: bytes | str, *, profile: str = "contract") -> ExecutorEvent:
    """The event in `data`, or EnvelopeError listing why `profile` rejects it (warnings do not).

    Under `serde` numbers are what serde_json computes (its float parser is not correctly
    rounded); under `contract` and `canonical` they are what the producer wrote.
    """
    outcome = run(_as_bytes(data, "decode"), profile)
    errors = _errors(outcome.violations)
    if errors or outcome.binding is None:
        raise EnvelopeError(errors)
    return build_event(outcome.binding, serde_reader() if profile == "serde" else exact_reader)


def encode(event: ExecutorEvent, *, check: bool = True) -> bytes:
    """The bytes serde_json::to_string writes for the event (no trailing newline).

    A producer cannot emit an invalid envelope unknowingly: the bytes are checked under the
    `contract` profile (which a Rust consumer's serde accepts too) and EnvelopeError lists what
    is wrong (a status outside the enum, an empty event_type, a context that is not an object,
    nesting past serde_json's limit, ...). `check=False` skips that, for writing deliberately
    broken documents (tests, fixtures). A value the field's Rust type cannot hold at all is an
    EncodeError either way.
    """
    if not is_event(event):
        raise TypeError(f"encode() takes an ExecutorEvent, not {type(event).__name__}")
    data = encode_event(event)
    if check:
        errors = _errors(engine_check(data, "contract"))
        if errors:
            raise EnvelopeError(errors)
    return data
