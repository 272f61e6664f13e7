"""Thin entry point for `make gen` / `make check-gen` (same as `noetl-envelope gen [--check]`)."""

import sys

from noetl_envelope.core.errors import SchemaAnnotationError
from noetl_envelope.generate.files import run

if __name__ == "__main__":
    try:
        code = run(check_only="--check" in sys.argv[1:])
    except SchemaAnnotationError as exc:  # e.g. an x-rust-type no entry covers: one line, exit 2, as the CLI
        print(f"noetl-envelope: {exc}", file=sys.stderr)
        code = 2
    sys.exit(code)
