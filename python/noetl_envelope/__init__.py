"""noetl_envelope: the reference contract for the NoETL executor event envelope.

One canonical JSON Schema (schema/) generates the `ExecutorEvent` dataclass; this package reads
bytes exactly as the Rust side (serde_json + chrono) does, checks them under three profiles
(`serde`, `contract`, `canonical`) and writes the bytes serde_json would write.

The public names are loaded on first use so that `noetl_envelope.generate.files` can run (and regenerate
the dataclass module) even when the generated module is missing or stale.
"""

from __future__ import annotations

import sys


def _started_as_the_command() -> bool:
    # `noetl-envelope ...` (the console script) or `python [options] -m noetl_envelope ...`;
    # never when a program imports the package as a library.
    script = sys.argv[0].replace("\\", "/").rsplit("/", 1)[-1] if sys.argv else ""
    if script in ("noetl-envelope", "noetl-envelope.exe"):
        return True
    argv = sys.orig_argv
    return any(argv[i] == "-m" and argv[i + 1] == "noetl_envelope" for i in range(len(argv) - 1))


STARTED_AS_COMMAND = _started_as_the_command()  # cli.main takes over the signals then

if STARTED_AS_COMMAND:
    # The first code of ours to run, before anything heavy is imported: a Ctrl-C (or SIGTERM)
    # from here until `cli.main` has its guard up ends the process with one line and exit 130,
    # never a KeyboardInterrupt traceback out of an import. `cli.main` takes over from there.
    import os as _os
    import signal as _signal

    def _interrupted_early(signum: int, frame: object) -> None:
        try:
            _os.write(2, b"noetl-envelope: interrupted\n")
        finally:
            _os._exit(130)

    for _number in (_signal.SIGINT, _signal.SIGTERM):
        _signal.signal(_number, _interrupted_early)

import importlib  # noqa: E402
from typing import TYPE_CHECKING, Any  # noqa: E402

if TYPE_CHECKING:
    from noetl_envelope.api import decode, encode, validate
    from noetl_envelope.core.errors import InputError, SchemaAnnotationError
    from noetl_envelope.core.violations import EnvelopeError, Violation
    from noetl_envelope.model.rusttypes import EncodeError
    from noetl_envelope.timestamp import Timestamp
    from noetl_envelope.wire.timestamp import TimestampError
    from noetl_envelope_generated import ExecutorEvent

_EXPORTS = {
    "decode": "noetl_envelope.api",
    "encode": "noetl_envelope.api",
    "validate": "noetl_envelope.api",
    "Timestamp": "noetl_envelope.timestamp",
    "EnvelopeError": "noetl_envelope.core.violations",
    # Every exception a caller of the API can meet: decode's, encode's, a timestamp's, a
    # schema's annotations, an unreadable input.
    "EncodeError": "noetl_envelope.model.rusttypes",
    "TimestampError": "noetl_envelope.wire.timestamp",
    "SchemaAnnotationError": "noetl_envelope.core.errors",
    "InputError": "noetl_envelope.core.errors",
    "Violation": "noetl_envelope.core.violations",
    "ExecutorEvent": "noetl_envelope_generated",
}

__all__ = [
    "EncodeError",
    "EnvelopeError",
    "ExecutorEvent",
    "InputError",
    "SchemaAnnotationError",
    "Timestamp",
    "TimestampError",
    "Violation",
    "decode",
    "encode",
    "validate",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'noetl_envelope' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
