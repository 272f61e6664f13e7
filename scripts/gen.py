"""Thin entry point for `make gen` / `make check-gen` (same as `noetl-envelope gen [--check]`)."""

import sys

from noetl_envelope.generate.files import run

if __name__ == "__main__":
    sys.exit(run(check_only="--check" in sys.argv[1:]))
