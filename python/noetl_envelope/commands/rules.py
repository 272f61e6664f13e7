"""`noetl-envelope rules [ID]`: the rules' documentation from the installed package (like `ruff rule`).

Without ID, one line per rule: id, severity, the profiles that report it and its category. With
ID, that rule in full: the same facts, the module that emits it, its message template (one
line per form when it has several) and its doc paragraph. The text comes from the rule
registry (`core.rules`), the same source docs/RULES.md is generated from, so it is there in
any install. An unknown ID is one line and exit 2.
"""

from __future__ import annotations

import argparse
import sys


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("rule", metavar="ID", nargs="?", help="a rule id, e.g. drift.null-instead-of-absent")


def run(args: argparse.Namespace) -> int:
    from noetl_envelope.commands.options import EXIT_OK, PROG
    from noetl_envelope.core.errors import InputError
    from noetl_envelope.core.rules import all_rules

    rules = all_rules()
    out = sys.stdout
    if args.rule is None:
        width = max(len(rule_id) for rule_id in rules)
        for rule_id, listed in rules.items():
            category = f"  [{listed.category}]" if listed.category else ""
            out.write(f"{rule_id:<{width}}  {listed.severity:<7}  {', '.join(listed.profiles)}{category}\n")
        return EXIT_OK
    rule = rules.get(args.rule)
    if rule is None:
        stage = args.rule.split(".", 1)[0]
        near = [rule_id for rule_id in rules if rule_id.startswith(f"{stage}.")]
        hint = f"; {stage}.* rules: {', '.join(near)}" if near else f"; `{PROG} rules` lists them"
        raise InputError(f"{args.rule}: no such rule{hint}")
    facts = [("severity", rule.severity), ("category", rule.category), ("profiles", ", ".join(rule.profiles))]
    out.write(f"{rule.id}\n")
    for name, value in [*facts, ("emitted by", rule.owner)]:
        if value:
            out.write(f"  {name}: {value}\n")
    for form, template in rule.messages.items():
        out.write(f"  message ({form}): {template}\n" if form else f"  message: {template}\n")
    out.write(f"\n{rule.doc}\n")
    return EXIT_OK
