"""The public functions: `validate`, `decode`, `encode` (re-exported by `noetl_envelope`)."""

from __future__ import annotations

from noetl_envelope.core.violations import EnvelopeError, Violation
from noetl_envelope.engines import check
from noetl_envelope.engines.reference import run
from noetl_envelope.model.codec import build_event, encode_event, exact_reader
from noetl_envelope.wire.numbers import parse_number
from noetl_envelope_generated import ExecutorEvent


def _as_bytes(data: bytes | str) -> bytes:
    return data.encode("utf-8", "surrogatepass") if isinstance(data, str) else bytes(data)


def validate(data: bytes | str, *, profile: str = "contract", engine: str = "fast") -> list[Violation]:
    """Every violation of `profile` in one JSON document; [] means valid.

    `engine="reference"` skips the fast path (same result, slower; see `engines.check`)."""
    return check(data if type(data) is bytes else _as_bytes(data), profile, engine)


def decode(data: bytes | str, *, profile: str = "contract") -> ExecutorEvent:
    """The event in `data`, or EnvelopeError listing why `profile` rejects it.

    Under `serde` numbers are what serde_json computes (its float parser is not correctly
    rounded); under `contract` and `canonical` they are what the producer wrote.
    """
    outcome = run(_as_bytes(data), profile)
    if outcome.violations or outcome.binding is None:
        raise EnvelopeError(outcome.violations)
    return build_event(outcome.binding, parse_number if profile == "serde" else exact_reader)


def encode(event: ExecutorEvent) -> bytes:
    """The bytes serde_json::to_string writes for the event (no trailing newline)."""
    return encode_event(event)
