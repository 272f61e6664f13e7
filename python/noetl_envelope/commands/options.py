"""What the subcommands share: exit codes, the common arguments, the report stream, the `--dsn` option.

Exit codes (DESIGN.md): 0 all good; 1 findings; 2 usage or I/O error, reported as one line on
stderr (`noetl-envelope: <path>: <what>`) and never a traceback; 130 on Ctrl-C; 141 (the
shell's code for SIGPIPE) when stdout is closed early, e.g. by `| head`, without a message.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import functools
import io
import os
import stat
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, TextIO

from noetl_envelope.core.config import Settings
from noetl_envelope.core.errors import InputError, SchemaAnnotationError
from noetl_envelope.core.rules import PROFILES
from noetl_envelope.core.violations import Violation
from noetl_envelope.report import FORMATS
from noetl_envelope.report.base import LineReporter, Reporter, Summary, one_line, render, report_all, report_rendered
from noetl_envelope.run.reader import STDIN, Document, DocumentReader

if TYPE_CHECKING:
    from noetl_envelope.pipeline import Checker
    from noetl_envelope.run.bulk import Quote

PROG = "noetl-envelope"
EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, what a shell reports for Ctrl-C
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what `yes | head` reports under `set -o pipefail`


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


def add_verdicts(parser: argparse.ArgumentParser) -> None:
    """--strict and --ignore: what a warning and an ignored rule do to the exit code. A config
    file may set both (`core.config`); the command line adds to `ignore` and overrides `strict`."""
    parser.add_argument(
        "--strict",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="exit 1 on warnings too (default: only on errors, or the config file's `strict`)",
    )
    parser.add_argument(
        "--ignore",
        metavar="RULE",
        action="append",
        type=_rule_id,
        default=[],
        help="do not let RULE decide anything (repeatable, added to the config file's `ignore`); "
        "its violations are still counted, as ignored",
    )


def add_schema(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--schema",
        metavar="PATH",
        default=None,
        help="the envelope schema to use (default: [tool.noetl-envelope] in pyproject.toml, .noetl-envelope.toml, "
        "schema/executor_event.schema.json here or above, else the packaged one; see --version)",
    )


def apply_settings(args: argparse.Namespace) -> Settings:
    """Discover the run's settings (`core.config`), make its schema the process's one, and merge
    the config file's `ignore` and `strict` into the arguments (the command line adds and overrides)."""
    from noetl_envelope.core.config import discover
    from noetl_envelope.model.schema import use_schema

    settings = discover(getattr(args, "schema", None))
    use_schema(settings.schema, settings.origin)
    if hasattr(args, "ignore"):
        args.ignore = list(dict.fromkeys([*settings.ignore, *args.ignore]))
    if hasattr(args, "strict") and args.strict is None:
        args.strict = bool(settings.strict)
    return settings


def describe_schema() -> str:
    """`schema: FILE (version V), from ORIGIN` for the schema this process uses, or why none can be chosen."""
    from noetl_envelope.core.errors import label_of
    from noetl_envelope.model.schema import schema_origin, schema_path, schema_version

    try:
        version = schema_version()
    except (InputError, SchemaAnnotationError) as exc:
        return f"schema: {label_of(schema_path())}, from {schema_origin()}: unusable: {exc}"
    return f"schema: {label_of(schema_path())} (version {version}), from {schema_origin()}"


def _rule_id(text: str) -> str:
    from noetl_envelope.core.rules import lookup

    try:
        return str(lookup(text))
    except KeyError:
        raise argparse.ArgumentTypeError(f"unknown rule {text!r} (see `noetl-envelope rules`)") from None


def add_report(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=FORMATS, default="text", help="report format (default: text)")
    parser.add_argument("--quiet", "-q", action="store_true", help="text format: do not list valid documents")
    parser.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of stdout")


def _refuse_overwriting_inputs(output: str, inputs: DocumentReader) -> None:
    """InputError when writing `output` would destroy an input: it is one of the input files
    (by name, through a link, or as another hard link), or it lies inside an input directory
    (a later run would read it as input). Checked before anything is opened for writing."""
    target = os.path.realpath(output)
    for path in inputs.paths:
        if path == STDIN:
            continue
        real = os.path.realpath(path)
        if target == real or (os.path.isdir(real) and target.startswith(real.rstrip(os.sep) + os.sep)):
            where = "is an input" if target == real else f"is inside the input directory {path}"
            raise InputError(f"{output}: {where}; the report would overwrite or join the input (choose another -o)")
    try:
        info = os.stat(output)
    except OSError:
        return  # nothing there yet
    if info.st_nlink > 1:  # another name for an input file?
        for path in inputs.files():
            if os.path.samefile(path, output):
                raise InputError(f"{output}: is the input {path} (a hard link); choose another -o")


def _temporary_beside(target: str) -> tuple[int, str]:
    """A new file next to `target` (same directory, so a rename replaces it in one step)."""
    directory, name = os.path.split(target)
    for attempt in range(100):
        temporary = os.path.join(directory, f".{name}.{os.getpid()}.{attempt}.tmp")
        try:
            # 0o666 less the umask, as open(..., "w") would create the report itself.
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
            return os.open(temporary, flags, 0o666), temporary
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary name", target)


@contextlib.contextmanager
def report_stream(output: str | None, inputs: DocumentReader | None = None) -> Iterator[TextIO]:
    """The text stream a report goes to: FILE (UTF-8), or stdout.

    FILE is refused when it is one of `inputs` or inside an input directory. The report is
    written to a temporary file beside FILE and renamed over it when complete: a failed or
    interrupted run leaves FILE as it was (and no temporary file). A FILE that is not a
    regular file (a FIFO, /dev/stdout) is written directly.
    """
    if output is None:
        if sys.stdout is None:
            raise InputError("standard output is closed: nowhere to write the report (pass -o FILE)")
        # Keep the locale's encoding (a terminal expects it) but never fail on a character it
        # lacks: a report line must not become an internal error. json and junit are ASCII anyway.
        if isinstance(sys.stdout, io.TextIOWrapper):
            sys.stdout.reconfigure(errors="backslashreplace")
        try:
            yield sys.stdout
            sys.stdout.flush()  # inside main's guard, so a closed pipe is handled there
        except BrokenPipeError:
            raise  # the reader has gone (`| head`): main exits quietly
        except OSError as exc:
            if exc.filename is not None:
                raise  # another file's error, already naming it
            raise InputError(f"standard output: cannot write: {exc.strerror or type(exc).__name__}") from exc
        return
    if inputs is not None:
        _refuse_overwriting_inputs(output, inputs)
    target = os.path.realpath(output)  # through a link: replace the file it names, not the link
    try:
        existing: os.stat_result | None = os.stat(target)
    except OSError:
        existing = None
    try:
        if existing is not None and not stat.S_ISREG(existing.st_mode):
            temporary = None
            handle = open(target, "w", encoding="utf-8", newline="\n", errors="backslashreplace")  # noqa: SIM115
        else:
            fd, temporary = _temporary_beside(target)
            if existing is not None:
                os.chmod(fd, stat.S_IMODE(existing.st_mode))
            handle = open(fd, "w", encoding="utf-8", newline="\n", errors="backslashreplace")  # noqa: SIM115
    except OSError as exc:
        raise InputError(f"{output}: cannot write: {exc.strerror or type(exc).__name__}") from exc
    done = False
    try:
        with handle:
            yield handle
        if temporary is not None:
            os.replace(temporary, target)
        done = True
    except OSError as exc:  # a failed write or close: disk full, quota, a vanished mount
        raise InputError(f"{output}: cannot write: {exc.strerror or type(exc).__name__}") from exc
    finally:
        if not done and temporary is not None:
            with contextlib.suppress(OSError):
                handle.close()
            with contextlib.suppress(OSError):
                os.unlink(temporary)


def error_line(doc: Document, violation: Violation) -> str:
    return one_line(f"{doc.source}:{doc.line}: {violation}")


def report_checked(
    documents: DocumentReader,
    check: Checker,
    summary: Summary,
    reporter: Reporter,
    *,
    jobs: int,
    ignore: frozenset[str],
    quote: Quote | None = None,
) -> None:
    """Check, count and report every document, then settle the counts with the reader's. No
    reporter shows a document's bytes, so workers do not send them back (`quote`: what they
    quote from them instead). A document the reader could not take in full is reported, not
    checked (`bulk.check_stream`)."""
    from noetl_envelope.run.bulk import Progress, check_stream, digest_stream

    if isinstance(reporter, LineReporter):
        # Rendered where checked: with --jobs the workers send text, not documents.
        digest = functools.partial(render, reporter=reporter, summary=summary, ignore=ignore)
        rendered = digest_stream(
            documents, check, digest, jobs=jobs, progress=Progress(), list_valid=reporter.lists_valid, quote=quote
        )
        report_rendered(rendered, summary, reporter)
    else:
        checked = check_stream(
            documents,
            check,
            jobs=jobs,
            progress=Progress(),
            list_valid=reporter.lists_valid,
            keep_data=False,
            quote=quote,
        )
        report_all(checked, summary, reporter, ignore=ignore)
    summary.settle(documents.documents, documents.blank_lines)


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


def jobs_for(requested: int, inputs: DocumentReader) -> int:
    """The worker processes to use: `requested` (0: one per CPU), but no more than the CPUs this
    process may use nor the units of work the input holds; a request above that gets one note
    line on stderr (`-j 1000` on 100 documents would fork 1,000 processes otherwise)."""
    from noetl_envelope.run.bulk import default_jobs, work_units

    cpus = default_jobs()
    work = work_units(inputs, enough=cpus)
    usable = max(1, min(cpus, work))
    if requested == 0 or requested <= usable:
        return requested or usable
    reason = f"{cpus} CPU(s) to use" if usable == cpus else f"{work} unit(s) of work in the input"
    with contextlib.suppress(OSError, ValueError, AttributeError):
        print(f"{PROG}: note: --jobs {requested} capped at {usable} ({reason})", file=sys.stderr)
    return usable


def add_jobs(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--jobs",
        "-j",
        type=_jobs,
        default=1,
        metavar="N",
        help="check documents in N worker processes (0: one per CPU); report order and counts are unchanged",
    )


DSN_ENV = "NOETL_ENVELOPE_DSN"


def add_dsn(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dsn",
        metavar="DSN",
        default=None,
        help="libpq connection string or URI of the NoETL database, e.g. "
        f"postgresql://noetl@db:5432/noetl (default: ${DSN_ENV})",
    )


def dsn_of(args: argparse.Namespace) -> str:
    dsn = args.dsn if args.dsn is not None else os.environ.get(DSN_ENV)
    if not dsn:
        raise InputError(f"no database given: pass --dsn DSN or set {DSN_ENV}")
    return str(dsn)


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not at least 1")
    return value
