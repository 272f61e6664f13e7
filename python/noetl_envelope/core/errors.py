"""The errors that end a command with one line on stderr and exit code 2 (never a traceback)."""

from __future__ import annotations

import os


class InputError(Exception):
    """The input cannot be read as documents at all: a one-line message, exit code 2 in the CLI."""


class SchemaAnnotationError(ValueError):
    """The schema's annotations name something the package has no entry for (an `x-rust-type`
    no registered Rust type covers): a one-line message naming the property, exit code 2."""


class RunError(Exception):
    """The environment failed under a running command (a worker process killed, out of memory
    in a worker): not a bug of the package, not a finding; a one-line message, exit code 2."""


def label_of(path: str | os.PathLike[str]) -> str:
    """A file as a message names it: relative to the working directory when inside it."""
    text = os.fspath(path)
    relative = os.path.relpath(text)
    return text if relative.startswith("..") else relative
