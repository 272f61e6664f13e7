"""One module per subcommand, each with `configure(parser)` and `run(args) -> int`; the options
and exit codes they share live in `options`. `cli` builds the parser and dispatches here."""
