"""The errors that end a command with one line on stderr and exit code 2 (never a traceback)."""

from __future__ import annotations


class InputError(Exception):
    """The input cannot be read as documents at all: a one-line message, exit code 2 in the CLI."""


class SchemaAnnotationError(ValueError):
    """The schema's annotations name something the package has no entry for (an `x-rust-type`
    no registered Rust type covers): a one-line message naming the property, exit code 2."""


class RunError(Exception):
    """The environment failed under a running command (a worker process killed, out of memory
    in a worker): not a bug of the package, not a finding; a one-line message, exit code 2."""
