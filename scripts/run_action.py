"""Run the composite action (action.yml) on this machine, its `run:` steps as the runner would.

    python scripts/run_action.py --input paths=DIR [--input strict=true] [--workdir DIR]

Each `run:` step runs under `bash --noprofile --norc -eo pipefail` (GitHub's `shell: bash`) in
--workdir, with its `env:` and `${{ }}` expressions evaluated (inputs with their defaults,
github.action_path = this checkout, steps.<id>.outputs), and with GITHUB_OUTPUT, GITHUB_ENV,
GITHUB_STEP_SUMMARY, GITHUB_PATH and RUNNER_TEMP pointed at files in a temporary directory
(--runner-temp keeps one between runs). Lines a step appends to GITHUB_ENV / GITHUB_PATH reach
the steps after it. `uses:` steps are GitHub's own actions and are skipped (the machine's
python3 stands in for setup-python). An expression this runner does not know stops it.

Prints one JSON object: {"status", "outputs", "summary", "stdout", "stderr", "skipped"}; exits 0
whenever the steps ran (the action's status is in the object), 2 on a usage error.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


class RunnerError(Exception):
    """The action uses something this runner does not reproduce."""


def _evaluate(text: str, context: dict[str, Any]) -> str:
    def one(match: re.Match[str]) -> str:
        path = match.group(1).split(".")
        value: Any = context
        for part in path:
            if not isinstance(value, dict) or part not in value:
                if path[0] == "steps":
                    return ""  # a step that did not run, or wrote no such output: GitHub gives ''
                raise RunnerError(f"action.yml: unsupported expression ${{{{ {match.group(1)} }}}}")
            value = value[part]
        return str(value)

    return EXPRESSION.sub(one, text)


def _read_key_values(path: Path) -> dict[str, str]:
    """GITHUB_OUTPUT / GITHUB_ENV lines: NAME=value, or NAME<<DELIM ... DELIM."""
    values: dict[str, str] = {}
    lines = path.read_text(encoding="utf-8").split("\n") if path.exists() else []
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            end = lines.index(delimiter, i + 1)
            values[name] = "\n".join(lines[i + 1 : end])
            i = end + 1
            continue
        if "=" in line:
            name, value = line.split("=", 1)
            values[name] = value
        i += 1
    return values


def run(inputs: dict[str, str], workdir: Path, runner_temp: Path) -> dict[str, Any]:
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    if action["runs"]["using"] != "composite":
        raise RunnerError("action.yml: not a composite action")
    declared = action.get("inputs", {})
    unknown = sorted(set(inputs) - set(declared))
    if unknown:
        raise RunnerError(f"unknown input(s) {', '.join(unknown)}; action.yml declares {', '.join(declared)}")
    resolved = {name: inputs.get(name, str(spec.get("default", ""))) for name, spec in declared.items()}
    missing = [name for name, spec in declared.items() if spec.get("required") and not resolved[name]]
    if missing:
        raise RunnerError(f"missing required input(s) {', '.join(missing)}")

    files = {name: runner_temp / f"{name.lower()}.txt" for name in ("GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_PATH")}
    summary = runner_temp / "step_summary.md"
    summary.write_text("", encoding="utf-8")
    context: dict[str, Any] = {"inputs": resolved, "github": {"action_path": str(ROOT)}, "steps": {}}
    env = dict(os.environ, RUNNER_TEMP=str(runner_temp), GITHUB_STEP_SUMMARY=str(summary), GITHUB_ACTIONS="true")
    stdout, stderr, skipped = [], [], []
    status = 0
    for number, step in enumerate(action["runs"]["steps"], 1):
        label = step.get("name") or step.get("uses") or f"step {number}"
        if "uses" in step:
            skipped.append(label)
            continue
        if step.get("shell") != "bash":
            raise RunnerError(f"action.yml: {label}: only shell: bash is reproduced here")
        for name, path in files.items():
            path.write_text("", encoding="utf-8")
            env[name] = str(path)
        step_env = dict(env)
        step_env.update({name: _evaluate(str(value), context) for name, value in step.get("env", {}).items()})
        script = _evaluate(step["run"], context)
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
            cwd=workdir,
            env=step_env,
            capture_output=True,
            text=True,
            check=False,
        )
        stdout.append(done.stdout)
        stderr.append(done.stderr)
        env.update(_read_key_values(files["GITHUB_ENV"]))
        added = [line for line in files["GITHUB_PATH"].read_text(encoding="utf-8").splitlines() if line]
        if added:
            env["PATH"] = os.pathsep.join([*reversed(added), env["PATH"]])
        if "id" in step:
            context["steps"][step["id"]] = {"outputs": _read_key_values(files["GITHUB_OUTPUT"])}
        if done.returncode != 0:
            status = done.returncode
            break
    # A failed step's outputs still reach later steps (`if: failure()`), so they are read either way.
    outputs = {name: _evaluate(str(spec["value"]), context) for name, spec in action.get("outputs", {}).items()}
    return {
        "status": status,
        "outputs": outputs,
        "summary": summary.read_text(encoding="utf-8"),
        "stdout": "".join(stdout),
        "stderr": "".join(stderr),
        "skipped": skipped,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--input", action="append", default=[], metavar="NAME=VALUE", help="an input of the action")
    parser.add_argument("--workdir", type=Path, default=Path.cwd(), help="the job's working directory")
    parser.add_argument("--runner-temp", type=Path, help="RUNNER_TEMP (default: a fresh temporary directory)")
    args = parser.parse_args(argv)
    inputs = {}
    for item in args.input:
        name, sep, value = item.partition("=")
        if not sep:
            parser.error(f"--input {item!r}: expected NAME=VALUE")
        inputs[name] = value
    try:
        if args.runner_temp:
            args.runner_temp.mkdir(parents=True, exist_ok=True)
            result = run(inputs, args.workdir, args.runner_temp)
        else:
            with tempfile.TemporaryDirectory(prefix="noetl-envelope-runner-") as tmp:
                result = run(inputs, args.workdir, Path(tmp))
    except RunnerError as exc:
        print(f"run_action: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
