"""The `noetl-envelope` command line (also `python -m noetl_envelope`): argument parsing and exit codes.

Each subcommand is one entry in `COMMANDS`: a help line, a function adding its arguments and a
function running it. Commands only join the stages (reader -> api -> report); they hold no
validation logic of their own.

Exit codes (DESIGN.md): 0 all good; 1 findings; 2 usage or I/O error, reported as one line on
stderr (`noetl-envelope: <path>: <what>`) and never a traceback; 130 on Ctrl-C; 141 (the
shell's code for SIGPIPE) when stdout is closed early, e.g. by `| head`, without a message.
Anything unexpected becomes one `internal error` line and exit 2, unless NOETL_ENVELOPE_DEBUG=1
asks for the traceback.

Heavy modules (the codec, the generated dataclass) are imported only by the command that needs
them, so `gen` still runs when the generated module is missing or stale.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from noetl_envelope.reader import Document, InputError, iter_documents
from noetl_envelope.report import FORMATS, Summary, make_reporter
from noetl_envelope.report.base import one_line
from noetl_envelope.rules import PROFILES
from noetl_envelope.violations import EnvelopeError, Violation

if TYPE_CHECKING:
    from noetl_envelope_generated import ExecutorEvent

PROG = "noetl-envelope"
DEBUG_ENV = "NOETL_ENVELOPE_DEBUG"
EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, what a shell reports for Ctrl-C
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what `yes | head` reports under `set -o pipefail`


# The api module is imported on first use (see the module docstring); an import statement
# inside a function is a dictionary lookup after the first call. (validate checks documents
# through noetl_envelope.bulk, which imports the profiles when the command runs.)
def _decode(data: bytes, profile: str) -> ExecutorEvent:
    from noetl_envelope.api import decode

    return decode(data, profile=profile)


def _encode(event: ExecutorEvent) -> bytes:
    from noetl_envelope.api import encode

    return encode(event)


# --- arguments shared by the document commands (conform will reuse them) --------------------


def add_paths(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        metavar="PATH",
        nargs="+",
        help="a .json file (one document), a .ndjson/.jsonl file (one per line), "
        "a directory (walked for those) or '-' (stdin as NDJSON)",
    )


def add_profile(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--profile",
        choices=PROFILES,
        default="contract",
        help="serde: what Rust's serde_json accepts; contract (default): valid for every consumer; "
        "canonical: byte-for-byte serde_json output",
    )


def add_report(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=FORMATS, default="text", help="report format (default: text)")
    parser.add_argument("--quiet", "-q", action="store_true", help="text format: do not list valid documents")
    parser.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of stdout")


@contextlib.contextmanager
def report_stream(output: str | None) -> Iterator[TextIO]:
    """The text stream a report goes to: FILE (UTF-8), or stdout."""
    if output is not None:
        try:
            handle = open(output, "w", encoding="utf-8", newline="\n", errors="backslashreplace")  # noqa: SIM115
        except OSError as exc:
            raise InputError(f"{output}: cannot write: {exc.strerror or type(exc).__name__}") from exc
        try:
            with handle:
                yield handle
        except OSError as exc:  # a failed write or close: disk full, quota, a vanished mount
            raise InputError(f"{output}: cannot write: {exc.strerror or type(exc).__name__}") from exc
        return
    # Keep the locale's encoding (a terminal expects it) but never fail on a character it
    # lacks: a report line must not become an internal error. json and junit are ASCII anyway.
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(errors="backslashreplace")
    yield sys.stdout
    sys.stdout.flush()  # inside main's guard, so a closed pipe is handled there


def _error_line(doc: Document, violation: Violation) -> str:
    return one_line(f"{doc.source}:{doc.line}: {violation}")


# --- commands ---------------------------------------------------------------------------------


def add_engine(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--engine",
        choices=("fast", "reference"),
        default="fast",
        help="fast (default): prove canonical-looking valid documents cheaply, else fall back to the reference "
        "engine; reference: the lexer and python-jsonschema on every document (same verdicts, slower)",
    )


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid job count {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("--jobs must be 0 (one per CPU) or more")
    if value > 1 and not hasattr(os, "fork"):  # worker processes are forked (forkpool.py)
        raise argparse.ArgumentTypeError("--jobs above 1 needs os.fork, which this platform lacks")
    return value


def add_jobs(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--jobs",
        "-j",
        type=_jobs,
        default=1,
        metavar="N",
        help="check documents in N worker processes (0: one per CPU); report order and counts are unchanged",
    )


def configure_validate(parser: argparse.ArgumentParser) -> None:
    add_profile(parser)
    add_engine(parser)
    add_jobs(parser)
    parser.add_argument(
        "--project",
        action="store_true",
        help="also report what projecting into the noetl.event table loses or is refused (project.* rules)",
    )
    add_report(parser)
    add_paths(parser)


def run_validate(args: argparse.Namespace) -> int:
    from noetl_envelope.bulk import Progress, check_stream, default_jobs, validate_checker

    started = time.monotonic()
    documents = iter_documents(args.paths)
    summary = Summary(command="validate", profile=args.profile)
    checker = validate_checker(args.profile, args.engine, project=args.project)
    jobs = args.jobs or default_jobs()
    with report_stream(args.output) as stream:
        reporter = make_reporter(args.format, stream, quiet=args.quiet)
        # A document the reader could not take in full is reported, not validated (check_stream).
        checked = check_stream(documents, checker, jobs=jobs, progress=Progress(), list_valid=reporter.lists_valid)
        for doc, violations in checked:
            summary.record(violations)
            reporter.document(doc, violations)
        summary.settle(documents.documents, documents.blank_lines)
        summary.elapsed = time.monotonic() - started
        reporter.finish(summary)
    return EXIT_FINDINGS if summary.invalid else EXIT_OK


def configure_canonicalize(parser: argparse.ArgumentParser) -> None:
    add_profile(parser)
    add_paths(parser)


def run_canonicalize(args: argparse.Namespace) -> int:
    out = sys.stdout.buffer
    invalid = 0
    for doc in iter_documents(args.paths):
        violations = list(doc.input_violations)
        if not violations:
            try:
                event = _decode(doc.data, args.profile)
            except EnvelopeError as exc:
                violations = exc.violations
            else:
                out.write(_encode(event) + b"\n")
                continue
        invalid += 1
        # Flush first so that, on a terminal, stdout and stderr lines appear in input order.
        out.flush()
        for violation in violations:
            print(_error_line(doc, violation), file=sys.stderr)
    out.flush()
    return EXIT_FINDINGS if invalid else EXIT_OK


def configure_gen(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--check", action="store_true", help="do not write: exit 1 with diffs if generated files are stale"
    )


def run_gen(args: argparse.Namespace) -> int:
    from noetl_envelope import gen

    return gen.run(check_only=args.check)


@dataclass(frozen=True, slots=True)
class Command:
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


def lazy_command(help_line: str, module: str) -> Command:
    """A command living in its own module (with `configure(parser)` and `run(args) -> int`),
    imported only when the parser is built or the command runs, not when cli.py is imported."""
    import importlib

    return Command(
        help_line,
        lambda parser: importlib.import_module(module).configure(parser),
        lambda args: int(importlib.import_module(module).run(args)),
    )


# One entry per subcommand, in the order `--help` lists them. Other issues add `conform`,
# `sample` and `compat` here: a configure function (cheap, no heavy imports) and a run function
# importing its module lazily, as run_gen does.
COMMANDS: dict[str, Command] = {
    "validate": Command("check documents against a profile and report", configure_validate, run_validate),
    "canonicalize": Command(
        "decode documents and write serde_json's canonical bytes, one per line",
        configure_canonicalize,
        run_canonicalize,
    ),
    "gen": Command("regenerate every file derived from schema/ (make gen)", configure_gen, run_gen),
    "conform": lazy_command(
        "check a producer's documents: contract-valid, canonical, and why not (drift classes)",
        "noetl_envelope.conform",
    ),
    "sample": lazy_command("write N deterministic Python-produced canonical events as NDJSON", "noetl_envelope.sample"),
    "project": lazy_command(
        "load envelopes into a NoETL database's noetl.event table (batched); count rows written and refused",
        "noetl_envelope.projection.project_cmd",
    ),
    "export": lazy_command(
        "write noetl.event rows back as canonical NDJSON envelopes", "noetl_envelope.projection.export_cmd"
    ),
    "compat": lazy_command(
        "schema compatibility gate: classify changes per consumer role, show counterexamples, check the version policy",
        "noetl_envelope.compat.command",
    ),
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
        print(f"{PROG} {_version()}")
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


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code (see the module docstring)."""
    try:
        try:
            if argv is None:
                argv = sys.argv[1:]
            args = build_parser(argv).parse_args(argv)
        except SystemExit as exc:  # --help, --version, usage errors: argparse already printed
            return exc.code if isinstance(exc.code, int) else EXIT_ERROR
        code: int = args.run(args)
        return code
    except InputError as exc:
        print(f"{PROG}: {_one_line(str(exc))}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except OSError as exc:
        # Writing failed (disk full, a report file on a vanished mount): an I/O error, exit 2.
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"{PROG}: {where}{exc.strerror or _one_line(str(exc))}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:
        # The single place an unexpected exception is caught: one line, not a traceback.
        if os.environ.get(DEBUG_ENV) == "1":
            raise
        print(
            f"{PROG}: internal error: {type(exc).__name__}: {_one_line(str(exc))} (please report)",
            file=sys.stderr,
        )
        return EXIT_ERROR
