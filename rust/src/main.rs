//! `envelope-harness`: command-line entry point. Hand-rolled argument parsing keeps
//! the dependency list at the three crates the upstream executor pins.
//!
//! Exit codes: 0 = all documents processed (even if some were rejected);
//! 2 = usage or I/O error, one line on stderr, never a panic message.

use std::io::{self, BufWriter};
use std::process::ExitCode;

use noetl_envelope_harness::{check, emit};

const USAGE: &str = "\
envelope-harness: what serde_json 1.0.150 + chrono 0.4.44 do with ExecutorEvent

USAGE:
    envelope-harness emit [--count N] [--seed S] [--contract] [--raw-floats]
        Write N (default 100) deterministic ExecutorEvents as NDJSON, each line
        serde_json::to_string(&event). Same seed (default 0) => same bytes.
        --contract: only events the contract profile accepts (every field inside
        the schema's enum, lengths, bounds and JSON types; years 0000..9999).
        --raw-floats: floats in Values are any finite f64 (random bit patterns),
        not only those serde_json reads back exactly: lines need not be fixed
        points of check, as an unmodified producer's are not.

    envelope-harness check [--b64] [PATH...]
        Read PATHs (stdin if none or '-'), split on '\\n' bytes only, and for each
        document run serde_json::from_slice::<ExecutorEvent>. One JSON line each:
          {\"index\":I,\"line\":L,\"accepted\":true,\"output\":\"<to_string(&event)>\"}
          {\"index\":I,\"line\":L,\"accepted\":false,\"error\":\"...\",\"category\":\"syntax|data|eof|io\",\"error_line\":N,\"error_column\":N}
        --b64: each line is the padded standard base64 of the document bytes.

    envelope-harness count [PATH...]
        Only serde_json::from_slice::<ExecutorEvent> over every document (split as
        `check` does, nothing written back); prints one line:
          {\"accepted\":A,\"rejected\":R}

    envelope-harness --help

EXIT: 0 all documents processed (some may be rejected); 2 usage or I/O error.
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("envelope-harness: {msg}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &[String]) -> Result<(), String> {
    let Some((command, rest)) = args.split_first() else {
        return Err("missing subcommand (emit, check, count); try --help".to_string());
    };
    if rest.iter().any(|a| a == "--help" || a == "-h") {
        return print_usage();
    }
    match command.as_str() {
        "--help" | "-h" | "help" => print_usage(),
        "emit" => run_emit(rest),
        "check" => run_check(rest),
        "count" => run_count(rest),
        other => Err(format!("unknown subcommand {other:?}; try --help")),
    }
}

fn print_usage() -> Result<(), String> {
    print!("{USAGE}");
    Ok(())
}

fn run_emit(args: &[String]) -> Result<(), String> {
    let (mut count, mut seed) = (100u64, 0u64);
    let (mut contract, mut floats) = (false, emit::Floats::FixedPoints);
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        if arg == "--contract" {
            contract = true;
            continue;
        }
        if arg == "--raw-floats" {
            floats = emit::Floats::Raw;
            continue;
        }
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string())),
            None => (arg.as_str(), None),
        };
        let target = match name {
            "--count" => &mut count,
            "--seed" => &mut seed,
            _ => return Err(format!("emit: unexpected argument {arg:?}")),
        };
        let value = match inline {
            Some(v) => v,
            None => it
                .next()
                .cloned()
                .ok_or_else(|| format!("emit: {name} needs a value"))?,
        };
        *target = value
            .parse()
            .map_err(|_| format!("emit: {name} wants a non-negative integer, got {value:?}"))?;
    }
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    emit::emit_floats(&mut out, count, seed, contract, floats)
        .and_then(|()| io::Write::flush(&mut out))
        .map_err(|e| format!("writing output: {e}"))
}

fn run_check(args: &[String]) -> Result<(), String> {
    let mut b64 = false;
    let mut paths = Vec::new();
    let mut only_paths = false;
    for arg in args {
        match arg.as_str() {
            "--" if !only_paths => only_paths = true,
            "--b64" if !only_paths => b64 = true,
            a if !only_paths && a.starts_with("--") => {
                return Err(format!("check: unknown option {a:?}"))
            }
            a => paths.push(a.to_string()),
        }
    }
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    check::run(&paths, b64, &mut out)
}

fn run_count(args: &[String]) -> Result<(), String> {
    if let Some(option) = args.iter().find(|a| a.starts_with("--")) {
        return Err(format!("count: unknown option {option:?}"));
    }
    let (accepted, rejected) = check::count(args)?;
    println!("{{\"accepted\":{accepted},\"rejected\":{rejected}}}");
    Ok(())
}
