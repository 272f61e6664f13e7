"""The `noetl-envelope` command line (also `python -m noetl_envelope`): the parser and the top-level guard.

Each subcommand is one module of `noetl_envelope.commands` (with `configure(parser)` and
`run(args) -> int`), named in `COMMANDS` and imported only when the parser is built for it or
it runs, so a start pays only for the command it runs and `gen` still runs when the generated
module is missing or stale. This module holds no command logic; exit codes are in
`commands.options`. Anything unexpected becomes one `internal error` line and exit 2, unless
NOETL_ENVELOPE_DEBUG=1 asks for the traceback.

What the environment does to a run is never an internal error: a closed standard input, output
or error stream, a full disk, a killed worker, running out of memory, SIGINT or SIGTERM at any
moment (the package's `__init__` guards the imports before `main` runs) each give one line and
exit 2, or 130 for a signal; an unwritable stderr (`2>/dev/full`) does not change the exit code.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import os
import signal
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

from noetl_envelope.commands.options import (
    EXIT_BROKEN_PIPE,
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    PROG,
    add_schema,
    apply_settings,
)
from noetl_envelope.core.errors import InputError, RunError, SchemaAnnotationError

DEBUG_ENV = "NOETL_ENVELOPE_DEBUG"


@dataclass(frozen=True, slots=True)
class Command:
    """A subcommand living in `module` (with `configure(parser)` and `run(args) -> int`), imported
    only when its parser is built or it runs, not when cli.py is imported."""

    help: str
    module: str

    def configure(self, parser: argparse.ArgumentParser) -> None:
        importlib.import_module(self.module).configure(parser)

    def run(self, args: argparse.Namespace) -> int:
        return int(importlib.import_module(self.module).run(args))


# One entry per subcommand, in the order `--help` lists them.
COMMANDS: dict[str, Command] = {
    "validate": Command("check documents against a profile and report", "noetl_envelope.commands.validate"),
    "canonicalize": Command(
        "decode documents and write serde_json's canonical bytes, one per line",
        "noetl_envelope.commands.canonicalize",
    ),
    "gen": Command("regenerate every file derived from schema/ (make gen)", "noetl_envelope.commands.gen"),
    "conform": Command(
        "check a producer's documents: contract-valid, canonical, and why not (drift classes)",
        "noetl_envelope.commands.conform",
    ),
    "sample": Command(
        "write N deterministic Python-produced canonical events as NDJSON", "noetl_envelope.commands.sample"
    ),
    "project": Command(
        "load envelopes into a NoETL database's noetl.event table (batched); count rows written and refused",
        "noetl_envelope.commands.project",
    ),
    "export": Command("write noetl.event rows back as canonical NDJSON envelopes", "noetl_envelope.commands.export"),
    "compat": Command(
        "schema compatibility gate: classify changes per consumer role, show counterexamples, check the version policy",
        "noetl_envelope.commands.compat",
    ),
    "rules": Command("print a rule's documentation (every rule without ID)", "noetl_envelope.commands.rules"),
}


# --- parser and top-level guard ---------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One line instead of argparse's usage block: the contract for exit code 2.
        self.exit(EXIT_ERROR, f"{self.prog}: {message} (see '{self.prog} --help')\n")


def _version() -> str:
    try:
        from importlib.metadata import PackageNotFoundError, version

        return version("noetl-envelope")
    except PackageNotFoundError:
        # Running from a source checkout (PYTHONPATH=python): pyproject.toml is the truth.
        import tomllib
        from pathlib import Path

        pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
        try:
            with open(pyproject, "rb") as handle:
                return str(tomllib.load(handle)["project"]["version"])
        except (OSError, KeyError, tomllib.TOMLDecodeError):
            return "unknown"


class _VersionAction(argparse.Action):
    # argparse's own action="version" needs the string when the parser is built; this computes
    # it only when asked.
    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, help="print the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *_: Any) -> None:
        from noetl_envelope.commands.options import describe_schema
        from noetl_envelope.engines import describe

        print(f"{PROG} {_version()} (engine: {describe()})")
        # The schema a command started here would use: what a user debugging discovery asks first.
        try:
            apply_settings(argparse.Namespace())
            print(describe_schema())
        except InputError as exc:
            print(f"schema: cannot be chosen: {_one_line(str(exc))}")
        parser.exit()


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser; given the arguments, only the subcommand they name gets its options (a
    command's `configure` may import its module, which every start would pay for otherwise)."""
    parser = _Parser(prog=PROG, description="Reference contract for the NoETL executor event envelope.")
    parser.add_argument("--version", action=_VersionAction)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True, parser_class=_Parser)
    named = _named_command(argv)
    for name, command in COMMANDS.items():
        child = sub.add_parser(name, help=command.help, description=command.help)
        if named is None or name == named:
            command.configure(child)
            if name != "rules":  # the only command reading no schema
                add_schema(child)
        child.set_defaults(run=command.run)
    return parser


def _named_command(argv: Sequence[str] | None) -> str | None:
    # The top-level parser has no option taking a value, so the first word that is not an
    # option is the subcommand.
    if argv is None:
        return None
    first = next((arg for arg in argv if not arg.startswith("-")), None)
    return first if first in COMMANDS else None


def _one_line(text: str) -> str:
    return " ".join(text.split()) or "(no message)"


def _silence_stdout() -> None:
    # The reader has gone: point stdout at /dev/null so the interpreter's final flush does not
    # print "Exception ignored ... BrokenPipeError" (see the Python docs on SIGPIPE).
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):
        pass


def _say(text: str) -> None:
    # One line on stderr, if stderr can take it: a closed or full stderr must not turn an exit
    # code into another (the code is then all the caller gets).
    try:
        stream = sys.stderr
        if stream is not None:
            stream.write(f"{PROG}: {text}\n")
            stream.flush()
    except (OSError, ValueError):
        _quiet_stderr()


def _quiet_stderr() -> None:
    # Nothing more can reach stderr: discard what is buffered, so the interpreter's final flush
    # neither fails nor prints "Exception ignored".
    with contextlib.suppress(OSError, ValueError, io.UnsupportedOperation):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
    with contextlib.suppress(OSError, ValueError):
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the process


def _closed_standard_streams() -> set[int]:
    """Which of fds 0, 1, 2 were closed when the process started; each is pointed at /dev/null
    so that no file this run opens can take its number (a report written to fd 1 by accident)."""
    closed = set()
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            closed.add(fd)
            with contextlib.suppress(OSError):
                null = os.open(os.devnull, os.O_RDONLY if fd == 0 else os.O_WRONLY)
                if null != fd:
                    os.dup2(null, fd)
                    os.close(null)
    if 2 in closed:
        _quiet_stderr()
    return closed


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt("interrupted" if signum == signal.SIGINT else f"stopped by {signal.Signals(signum).name}")


_SWALLOWED_INTERRUPTS: list[KeyboardInterrupt] = []


def _keep_swallowed_interrupts(unraisable: Any) -> None:
    # A signal landing in a weakref callback or a finalizer (the import system's module-lock
    # callback, say) raises where Python can only print "Exception ignored" and go on; the
    # interrupt would be lost and a traceback printed. It is kept and honoured when main ends.
    if isinstance(unraisable.exc_value, KeyboardInterrupt):
        _SWALLOWED_INTERRUPTS.append(unraisable.exc_value)
        return
    sys.__unraisablehook__(unraisable)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code (see the module docstring)."""
    from noetl_envelope import STARTED_AS_COMMAND

    from_command = STARTED_AS_COMMAND and argv is None
    try:
        if from_command:
            # orjson's module initialisation calls back into Python without checking for an
            # exception; a KeyboardInterrupt raised there dereferences NULL (SIGSEGV). It is loaded
            # here, while the package's early guard (which exits, never raises) still holds.
            import orjson  # noqa: F401

            # The command itself: SIGINT and SIGTERM now raise KeyboardInterrupt, caught below,
            # so cleanups run (workers stopped, temporary report removed).
            sys.unraisablehook = _keep_swallowed_interrupts
            for number in (signal.SIGINT, signal.SIGTERM):
                signal.signal(number, _interrupt)
        closed = _closed_standard_streams()
        try:
            if argv is None:
                argv = sys.argv[1:]
            args = build_parser(argv).parse_args(argv)
        except SystemExit as exc:  # --help, --version, usage errors: argparse already printed
            return exc.code if isinstance(exc.code, int) else EXIT_ERROR
        if 0 in closed and "-" in getattr(args, "paths", ()):
            raise InputError("standard input is closed: nothing to read for '-'")
        if 1 in closed and not getattr(args, "output", None):
            raise InputError("standard output is closed: nowhere to write (pass -o FILE where the command has it)")
        # The schema and config file first (core.config), then the schema lint, whatever the
        # command: a broken config or a malformed schema is one line and exit 2 before anything
        # is read or written (model.schema_lint).
        from noetl_envelope.model.schema import load_schema

        apply_settings(args)
        load_schema()
        code: int = args.run(args)
        if _SWALLOWED_INTERRUPTS:
            raise _SWALLOWED_INTERRUPTS[0]
        if sys.stdout is not None:
            sys.stdout.flush()  # here, so a failing flush is reported like any other write
        return code
    except (InputError, SchemaAnnotationError, RunError) as exc:
        _say(_one_line(str(exc)))
        return EXIT_ERROR
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except OSError as exc:
        # Writing failed (disk full, a report file on a vanished mount): an I/O error, exit 2.
        where = f"{exc.filename}: " if exc.filename else ""
        _say(f"{where}{exc.strerror or _one_line(str(exc))}")
        _silence_stdout()
        return EXIT_ERROR
    except KeyboardInterrupt as exc:
        _say(_one_line(str(exc.args[0])) if exc.args else "interrupted")
        return EXIT_INTERRUPTED
    except MemoryError:
        _say("out of memory")
        return EXIT_ERROR
    except Exception as exc:
        # The single place an unexpected exception is caught: one line, not a traceback.
        if os.environ.get(DEBUG_ENV) == "1":
            raise
        _say(f"internal error: {type(exc).__name__}: {_one_line(str(exc))} (please report)")
        return EXIT_ERROR
    finally:
        if from_command:
            # From here to the process's end a signal cannot interrupt anything worth a word.
            for number in (signal.SIGINT, signal.SIGTERM):
                signal.signal(number, signal.SIG_IGN)
        try:
            if sys.stderr is not None:
                sys.stderr.flush()
        except (OSError, ValueError):
            _quiet_stderr()
