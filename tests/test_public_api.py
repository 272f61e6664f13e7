"""The package's public names: everything in `__all__` resolves, and every exception a caller of
decode / encode / validate / Timestamp can meet is importable from `noetl_envelope` itself."""

from __future__ import annotations

import pytest

import noetl_envelope


def test_every_public_name_resolves() -> None:
    for name in noetl_envelope.__all__:
        assert getattr(noetl_envelope, name) is not None, name


def test_the_exceptions_are_exported() -> None:
    for name in ("EnvelopeError", "EncodeError", "TimestampError", "SchemaAnnotationError", "InputError"):
        value = getattr(noetl_envelope, name)
        assert isinstance(value, type) and issubclass(value, Exception), name
        assert name in noetl_envelope.__all__


def test_decode_and_timestamp_raise_exported_exceptions() -> None:
    with pytest.raises(noetl_envelope.EnvelopeError):
        noetl_envelope.decode(b"{}")
    with pytest.raises(noetl_envelope.TimestampError):
        noetl_envelope.Timestamp.parse("2024-02-30T00:00:00Z")
