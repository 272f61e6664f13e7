"""`noetl-envelope validate`: check documents against a profile and report them."""

from __future__ import annotations

import argparse
import time

from noetl_envelope.commands.options import (
    EXIT_FINDINGS,
    EXIT_OK,
    add_engine,
    add_jobs,
    add_paths,
    add_profile,
    add_report,
    add_verdicts,
    jobs_for,
    report_checked,
    report_stream,
)
from noetl_envelope.report import Summary, make_reporter
from noetl_envelope.run.reader import iter_documents


def configure(parser: argparse.ArgumentParser) -> None:
    add_profile(parser)
    add_engine(parser)
    add_jobs(parser)
    parser.add_argument(
        "--project",
        action="store_true",
        help="also report what projecting into the noetl.event table loses or is refused (project.* rules)",
    )
    add_verdicts(parser)
    add_report(parser)
    add_paths(parser)


def run(args: argparse.Namespace) -> int:
    from noetl_envelope.pipeline import Checks, checker_for

    started = time.monotonic()
    documents = iter_documents(args.paths)
    summary = Summary(command="validate", profile=args.profile)
    jobs = jobs_for(args.jobs, documents)
    check = checker_for(Checks(profile=args.profile, engine=args.engine, project=args.project))
    with report_stream(args.output, documents) as stream:
        documents.before_wait = stream.flush  # standard input: what is reported shows before a wait
        reporter = make_reporter(args.format, stream, quiet=args.quiet)
        report_checked(documents, check, summary, reporter, jobs=jobs, ignore=frozenset(args.ignore))
        summary.elapsed = time.monotonic() - started
        reporter.finish(summary)
    return EXIT_FINDINGS if summary.failed(strict=args.strict) else EXIT_OK
