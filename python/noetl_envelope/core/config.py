"""Where a run's settings come from: which schema it uses, and the verdict settings `ignore` and `strict`.

The one owner of schema discovery. `discover(schema_arg)` decides, first found wins:

1. `--schema PATH` on the command line (relative to the working directory);
2. walking up from the working directory, in each directory: a `[tool.noetl-envelope]` table
   in `pyproject.toml`, else a `.noetl-envelope.toml`, else `schema/executor_event.schema.json`.
   The walk stops after the project root, the first directory holding `.git` (as black does),
   else at the file system's root. A config file ends the walk even without a `schema` key
   (then its own directory's `schema/executor_event.schema.json`, if any, else the packaged one);
3. the schema packaged with noetl-envelope (`Settings.schema` is None).

A config file's keys: `schema` (a path, relative to the file), `ignore` (rule ids) and `strict`
(a bool), the same as `--ignore` and `--strict` on the command line, which add to and override
them. A broken config file (TOML syntax, unknown key, wrong type, a schema path that names no
file, an unknown rule id) is a `ConfigError`: one line naming the file, and the line where it
can be told, exit 2.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any

from noetl_envelope.core.errors import InputError, label_of

SCHEMA_FILE = "executor_event.schema.json"
SCHEMA_REL = os.path.join("schema", SCHEMA_FILE)
PYPROJECT = "pyproject.toml"
CONFIG_FILE = ".noetl-envelope.toml"
TABLE = "noetl-envelope"  # [tool.noetl-envelope] in pyproject.toml
KEYS = ("schema", "ignore", "strict")
PROJECT_ROOT_MARKER = ".git"
PACKAGED = "the package (no --schema, config file or schema/ found)"

_TOML_POSITION = re.compile(r"\(at line (\d+), column \d+\)$")
_AT_END = "(at end of document)"


class ConfigError(InputError):
    """A config file that cannot be used: one line `file[:line]: what` (exit 2)."""


@dataclass(frozen=True, slots=True)
class Settings:
    """What discovery found. `schema`: an absolute path, or None for the packaged schema;
    `origin`: how it was chosen, as a user debugging a run reads it; `config`: the config file
    read, if any; `ignore` and `strict` as that file gives them (`strict` None: not set)."""

    schema: str | None
    origin: str
    config: str | None = None
    ignore: tuple[str, ...] = ()
    strict: bool | None = None


def discover(schema_arg: str | None = None, start: str | None = None) -> Settings:
    """The settings for a run started in `start` (default: the working directory); see the module docstring."""
    here = os.path.abspath(start or os.getcwd())
    found = _search(here)
    if schema_arg is not None:
        schema = os.path.abspath(schema_arg)
        if found is not None and found.config is not None:  # the config's ignore/strict still hold
            return Settings(schema, "--schema", found.config, found.ignore, found.strict)
        return Settings(schema, "--schema")
    return found if found is not None else Settings(None, PACKAGED)


def _search(here: str) -> Settings | None:
    directory = here
    while True:
        pyproject = os.path.join(directory, PYPROJECT)
        dotfile = os.path.join(directory, CONFIG_FILE)
        table = _pyproject_table(pyproject) if os.path.isfile(pyproject) else None
        if table is not None and os.path.isfile(dotfile):
            raise ConfigError(
                f"{label_of(dotfile)}: [tool.{TABLE}] in {label_of(pyproject)} configures this directory too; keep one"
            )
        if table is not None:
            return _settings(pyproject, table, f"[tool.{TABLE}] in {label_of(pyproject)}")
        if os.path.isfile(dotfile):
            return _settings(dotfile, _read_toml(dotfile), label_of(dotfile))
        schema = os.path.join(directory, SCHEMA_REL)
        if os.path.isfile(schema):
            return Settings(schema, f"the working directory (the nearest {SCHEMA_REL}, no config file before it)")
        parent = os.path.dirname(directory)
        if parent == directory or os.path.exists(os.path.join(directory, PROJECT_ROOT_MARKER)):
            return None
        directory = parent


def _read_toml(path: str) -> dict[str, Any]:
    import tomllib  # only when a config file is there to read: every command start runs discovery

    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(f"{label_of(path)}: cannot read: {exc.strerror or type(exc).__name__}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{label_of(path)}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        position = _TOML_POSITION.search(message)
        line = f":{position.group(1)}" if position else ""
        if not position and message.endswith(_AT_END):  # an unclosed bracket or string: its last line
            with open(path, "rb") as handle:
                line = f":{max(1, len(handle.read().splitlines()))}"
        text = _TOML_POSITION.sub("", message).removesuffix(_AT_END).strip()
        raise ConfigError(f"{label_of(path)}{line}: not TOML: {text}") from None


def _pyproject_table(path: str) -> dict[str, Any] | None:
    """pyproject.toml's [tool.noetl-envelope] table, or None when it has none (a broken
    pyproject.toml is only an error when it might hold one: a project's own file is not ours)."""
    try:
        data = _read_toml(path)
    except ConfigError:
        with open(path, "rb") as handle:
            if f"tool.{TABLE}".encode() not in handle.read():
                return None
        raise
    tool = data.get("tool")
    table = tool.get(TABLE) if isinstance(tool, dict) else None
    if table is None:
        return None
    if not isinstance(table, dict):
        raise ConfigError(f"{label_of(path)}{_line_of(path, None)}: tool.{TABLE} must be a table")
    return table


def _settings(path: str, table: dict[str, Any], origin: str) -> Settings:
    in_pyproject = os.path.basename(path) == PYPROJECT

    def where(key: str) -> str:
        return f"{label_of(path)}{_line_of(path, key, in_pyproject=in_pyproject)}"

    unknown = [key for key in table if key not in KEYS]
    if unknown:
        raise ConfigError(f"{where(unknown[0])}: unknown key {unknown[0]!r} (expected one of {', '.join(KEYS)})")
    base = os.path.dirname(path)
    schema: str | None
    if "schema" in table:
        value = table["schema"]
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{where('schema')}: schema must be a path (a string), not {_type_name(value)}")
        schema = os.path.normpath(os.path.join(base, value))
        if not os.path.isfile(schema):
            raise ConfigError(f"{where('schema')}: schema {value!r} names no file (paths are relative to this file)")
    else:
        beside = os.path.join(base, SCHEMA_REL)
        schema = beside if os.path.isfile(beside) else None
        if schema is None:
            origin += f" (no schema key, no {SCHEMA_REL} beside it: {PACKAGED})"
    ignore = table.get("ignore", [])
    if not isinstance(ignore, list) or not all(isinstance(item, str) for item in ignore):
        raise ConfigError(f"{where('ignore')}: ignore must be a list of rule ids (strings), not {_type_name(ignore)}")
    from noetl_envelope.core.rules import lookup

    for item in ignore:
        try:
            lookup(item)
        except KeyError:
            raise ConfigError(f"{where('ignore')}: ignore: unknown rule {item!r} (see noetl-envelope rules)") from None
    strict = table.get("strict")
    if strict is not None and not isinstance(strict, bool):
        raise ConfigError(f"{where('strict')}: strict must be true or false, not {_type_name(strict)}")
    return Settings(schema, origin, path, tuple(ignore), strict)


def _type_name(value: object) -> str:
    return {str: "a string", bool: "a boolean", int: "an integer", float: "a float", list: "an array"}.get(
        type(value), "a table" if isinstance(value, dict) else type(value).__name__
    )


def _line_of(path: str, key: str | None, *, in_pyproject: bool = True) -> str:
    """`:N`, the line where `key` is set in the noetl-envelope table (tomllib says only where the
    syntax breaks), or "" when it cannot be told (a dotted or inline form)."""
    try:
        with open(path, encoding="utf-8") as handle:
            lines = handle.read().split("\n")
    except (OSError, UnicodeDecodeError):
        return ""
    header = re.compile(r'\s*\[\s*tool\s*\.\s*("noetl-envelope"|noetl-envelope)\s*\]\s*(#.*)?$')
    inside = not in_pyproject
    for number, line in enumerate(lines, 1):
        if line.lstrip().startswith("["):
            inside = bool(header.match(line)) if in_pyproject else False
            if inside and key is None:
                return f":{number}"
            continue
        if inside and key is not None and re.match(rf'\s*("{re.escape(key)}"|{re.escape(key)})\s*=', line):
            return f":{number}"
    return ""
