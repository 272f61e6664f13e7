"""The fast engine: proves, cheaply, what the reference engine would report, or declines.

Role in the pipeline: `engines.check` asks `violations(data, profile)` before running the
reference engine (lexer -> profile rules). It returns a list only when it has *proved* that
the reference engine returns exactly that list: [] for a valid document, or, for a document
whose bytes and shape are proved clean and whose only faults are field values, the
violations python-jsonschema reports for those fields (see "documents whose only faults are
field values" below). Otherwise it returns None ("cannot tell") and the reference engine
runs. `decide(data, profile)` is the boolean form (proved valid). The two engines agree by
construction, and tests/test_fastpath.py checks it on the whole differential corpus.
When the optional native accelerator is installed (rust/accel, see "the optional native
accelerator" below) it is asked first, at any size: it answers "proved valid", "valid but for
these floats serde_json misreads" (their warnings are then the reference engine's own), "these
fields are undeclared, missing or failing their checks, all else proved" (the schema's findings
are then the whole verdict) or "don't know".

The proof, for one document (`body` = the bytes without one trailing newline):

1. orjson parses `body` into a dict whose keys are declared fields in declaration order,
   every required field present and no Option field null;
2. each value passes a check compiled from its schema property (type, enum, minLength,
   maxLength, minimum, maximum, format date-time) and its Rust type (`x-rust-type`); a
   property using any other keyword makes its field undecidable here;
3. `body` is byte for byte what orjson writes for the parsed dict. That rules out everything
   the lexer keeps and orjson hides: whitespace, duplicate keys (a dict has one), `-0` (orjson
   reads the int 0 and writes `0`), integers past i64/u64 (read as a float, written `1.8e+19`),
   `1.0` or `1e3` in an i64 field, escapes written another way, a BOM. orjson writes strings
   and integers exactly as serde_json does, and floats too: shortest round-trip digits in
   zmij's layout (tests/test_fastpath.py compares orjson with `numbers.format_float`);
4. serde_json's parser (not correctly rounded) reads every float as finite: only a token
   written with `e+308` can overflow, and each such token is parsed by `numbers.parse_number`;
5. nesting stays within serde_json's recursion limit (bounded by counting bracket bytes).

That proves the `contract` and `serde` profiles find nothing (contract ⊂ serde), once every
float is one serde_json reads back unchanged (else every profile warns,
`canonical.float-roundtrip`), checked on the tokens where that can fail (an exponent, or 8 and
more digits on one side of the dot). For `canonical` the bytes must also be serde_json's: the
same check with nested object keys sorted (orjson's OPT_SORT_KEYS sorts dicts but keeps a
dataclass's field order, so the top level is written in declaration order) and a timestamp in
chrono's own form.

Anything else -- invalid in another way, or valid but written differently (whitespace, an
alias, a null Option, an unsorted context under canonical) -- goes to the reference engine.

The per-shape check is generated Python source (`_compile_shape`): one function per set of
present fields, so the common case costs one orjson.loads, one orjson.dumps and a few
comparisons.
"""

from __future__ import annotations

import dataclasses
import keyword
import re
from collections.abc import Callable
from functools import cache
from typing import Any, cast

import orjson

from noetl_envelope.core.violations import Violation
from noetl_envelope.engines.native import LinesCheck, Misreads, Prover, Verdict, key_spans
from noetl_envelope.engines.native import load as load_native
from noetl_envelope.model.rusttypes import MAX_NESTING
from noetl_envelope.model.schema import FieldSpec, field_specs, float_roundtrip, load_schema
from noetl_envelope.projection.findings import Projection
from noetl_envelope.wire.jsontree import Num
from noetl_envelope.wire.numbers import NumberRangeError, number_reader, parse_number

# Keywords whose meaning the compiled checks reproduce, and annotations that validate nothing.
_PROPERTY_KEYWORDS = frozenset(
    {"type", "enum", "minLength", "maxLength", "minimum", "maximum", "format", "description", "examples", "title"}
)
_TOP_KEYWORDS = frozenset(
    {"$schema", "$id", "title", "description", "type", "properties", "required", "additionalProperties"}
)
# A larger document is not read with orjson here (it would copy it and build its objects, several
# times its size, before any verdict): the accelerator, which compares its output with the input
# as it writes it and holds little beside the document, or else the reference engine judges it.
LARGE_DOCUMENT_BYTES = 16 * 2**20
_MAX_SHAPES = 1024  # distinct field sets seen; a handful in practice, bounded against adversaries

# A float token in compact JSON (a value starts after ':', ',' or '['); matches inside strings
# are weeded out by `_floats_read_back`.
_FLOAT_TOKEN = re.compile(rb"[:,\[](-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:e[+-]?[0-9]+)?)")


def _floats_read_back(body: bytes) -> bool:
    """Every hard float token in `body` is one serde_json's parser reads back to itself.

    A token orjson wrote is `format_float` of its value, so a candidate whose text is not
    `format_float(float(text))` lies inside a string and is skipped."""
    from noetl_envelope.wire.numbers import format_float

    for match in _FLOAT_TOKEN.finditer(body):
        text = match.group(1).decode("ascii")
        if "." not in text and "e" not in text:
            continue
        try:
            written = format_float(float(text))
        except ValueError:  # infinite: no number orjson wrote
            continue
        if written != text:
            continue  # not a number orjson wrote: part of a string
        try:
            reread = parse_number(text)
        except NumberRangeError:
            return False
        if not isinstance(reread, float) or format_float(reread) != text:
            return False
    return True


_E308 = re.compile(rb"-?[0-9]+(?:\.[0-9]+)?e\+308")


def _no_overflow(body: bytes) -> bool:
    """serde_json's parser (not correctly rounded) reads every float near f64::MAX as finite."""
    for match in _E308.finditer(body):
        try:
            number_reader(float_roundtrip())(match.group().decode("ascii"))
        except ValueError:  # NumberRangeError, or a match inside a string that is no number
            return False
    return True


def _field_condition(spec: FieldSpec, var: str, names: dict[str, Any], *, canonical: bool) -> str | None:
    """Python source that is true only for a valid non-null value in `var`; None when the
    property uses something not reproduced here. Constants go into `names`."""
    prop = spec.schema
    if any(key not in _PROPERTY_KEYWORDS and not key.startswith("x-") and key != "customTypePath" for key in prop):
        return None
    declared = prop.get("type")
    types = (declared,) if isinstance(declared, str) else tuple(declared or ())
    rust = spec.inner
    parts = rust.fast.condition(prop, types, var, names, canonical)
    if parts is None:
        return None
    if "enum" in prop:
        if not all(isinstance(member, str) for member in prop["enum"]):
            return None
        names[f"_enum_{var}"] = frozenset(prop["enum"])
        parts.append(f"{var} in _enum_{var}")
    if "format" in prop and prop["format"] not in rust.fast.formats:
        return None
    return " and ".join(f"({part})" for part in parts)


Decider = Callable[[bytes, dict[str, Any]], int]


def _compile_shape(keys: tuple[str, ...], *, canonical: bool) -> Decider | None:
    """The decider for documents holding exactly `keys` (in that order), or None when such a
    document can never be decided here (unknown or misordered keys, a required field missing,
    a property the compiler does not reproduce)."""
    specs = field_specs()
    schema = load_schema()
    if any(key not in _TOP_KEYWORDS and not key.startswith("x-") for key in schema):
        return None
    # Documents carry wire names (`rename`, `rename_all`); an alias or an unknown key is left
    # to the reference engine, whether serde skips or (deny_unknown_fields) refuses it.
    by_name = {spec.wire: spec for spec in specs}
    order = [spec.wire for spec in specs]
    if any(key not in by_name for key in keys) or list(keys) != [name for name in order if name in keys]:
        return None
    required = set(schema.get("required", ()))
    for spec in specs:
        # May be absent: serde reads a missing Option as None, and None is not written.
        optional = spec.optional and spec.skip_if_none and spec.name not in required
        if spec.wire not in keys and not optional:
            return None
    names: dict[str, Any] = {"_dumps": orjson.dumps, "_SORT": orjson.OPT_SORT_KEYS}
    variables = [f"v{index}" for index in range(len(keys))]
    conditions = []
    for key, var in zip(keys, variables, strict=True):
        condition = _field_condition(by_name[key], var, names, canonical=canonical)
        if condition is None:
            return None
        conditions.append(f"{var} is not None and {condition}")
    if canonical:
        # A dataclass keeps its field order under OPT_SORT_KEYS; nested dicts get sorted.
        if not all(key.isidentifier() and not keyword.iskeyword(key) for key in keys):
            return None
        # Not slots=True: orjson writes a __dict__ dataclass about twice as fast.
        names["_Shape"] = dataclasses.make_dataclass("_Shape", [(key, Any) for key in keys])
        rendered = f"_dumps(_Shape({', '.join(variables)}), option=_SORT)"
    else:
        rendered = "_dumps(event)"
    unpack = ", ".join(variables) + ("," if len(variables) == 1 else "")
    # The result: -1 when not proved, else how many timestamps carry a 9-digit fraction
    # (`decide` discounts those when it looks for floats with 8+ digits after the dot).
    nine_digit = [
        f"(len({var}) == 30)" for key, var in zip(keys, variables, strict=True) if by_name[key].inner.timestamp
    ]
    source = (
        "def decide(body, event):\n"
        f"    {unpack} = event.values()\n"
        f"    if not (({' and '.join(f'({c})' for c in conditions) or 'True'}) and {rendered} == body):\n"
        "        return -1\n"
        f"    return {' + '.join(nine_digit) or '0'}\n"
    )
    # The source is built above from the schema alone; no document text reaches it.
    exec(compile(source, f"<fastpath shape {'/'.join(keys)}>", "exec"), names)
    decider: Decider = names["decide"]
    return decider


# Deciders by field set, compiled on first sight (None: never decidable), one table per mode.
_CONTRACT_SHAPES: dict[tuple[str, ...], Decider | None] = {}
_CANONICAL_SHAPES: dict[tuple[str, ...], Decider | None] = {}
_MISSING = object()


def _decider(table: dict[tuple[str, ...], Decider | None], keys: tuple[str, ...], *, canonical: bool) -> Decider | None:
    decider = _compile_shape(keys, canonical=canonical)
    if len(table) < _MAX_SHAPES:
        table[keys] = decider
    return decider


_loads = orjson.loads
_dumps = orjson.dumps
_JSONDecodeError = orjson.JSONDecodeError
# One pass that deletes every byte but '[', '{' and '+': nesting depth is at most the number
# of openings, and a float near 1e308 is written with 'e+'.
_ALL_BUT_MARKS = bytes(b for b in range(256) if b not in b"[{+")
# One pass that keeps the shape of numbers: digits become '0', '.', 'e', '+', '-' stay, all
# else becomes '_'. A float serde_json may read back as a neighbouring double has an exponent
# ("0e") or 16+ digits, hence 8+ digits on one side of its dot.
_NUMBER_SHAPE = bytes.maketrans(
    bytes(range(256)),
    bytes(b"0"[0] if 0x30 <= b <= 0x39 else b if b in b".e+-" else b"_"[0] for b in range(256)),
)


# --- the optional native accelerator ---------------------------------------------------
#
# `noetl_envelope_accel` (rust/accel, built by `make setup`) proves in one native pass what
# steps 1-5 above prove: serde_json itself reads the document with the fields' Rust types,
# checking the compiled field specs on the way; under canonical it writes it back and compares
# byte for byte, under serde and contract it reads the input's form as it is and checks on the
# tokens what the comparison would have ruled out (see rust/accel/src/lib.rs). Where the only
# finding is a float token which serde_json's default parser reads as a neighbour, it names
# those tokens, their paths and the doubles read: the reference engine reports exactly one
# `canonical.float-roundtrip` warning for each, under every profile, and nothing else; the
# warnings are worded here by the canonical profile's own `float_roundtrip_warning`. It also
# reads past undeclared top-level members, fields under serde's aliases, absent required fields
# and string / i64 values failing the schema's checks, naming each (a failing value with where it
# is): serde's verdict is then known (skipped, bound, an error, accepted), and contract's is one
# `contract.alias-used` per alias and python-jsonschema's findings on those values
# (`_aliased_violations`, `_schema_only_violations`). Anything else takes the path below.
# NOETL_ENVELOPE_ACCEL=0 switches it off (tests run both paths). Its bulk loop
# (`native_lines_checker`, one call per span, run/bulk.py) gives each listed line's verdict to
# `after_native`, which goes on exactly as `violations` does after asking the accelerator.


def accel_spec() -> dict[str, Any] | None:
    """The schema's fields as the accelerator checks them, or None when the schema uses
    something the compiled checks do not reproduce (then nothing is accelerated).

    The gate is `_field_condition`'s own, so the accelerator proves only what the Python
    checks could prove."""
    schema = load_schema()
    if any(key not in _TOP_KEYWORDS and not key.startswith("x-") for key in schema):
        return None
    required = set(schema.get("required", ()))
    fields: list[dict[str, Any]] = []
    for spec in field_specs():
        if _field_condition(spec, "v", {}, canonical=False) is None:
            return None
        prop = spec.schema
        filled = spec.inner.fast.accel(prop)
        if filled is None:
            return None
        field: dict[str, Any] = {
            "name": spec.wire,
            "rust": spec.inner_rust_type,
            "optional": spec.optional and spec.skip_if_none and spec.name not in required,
            "minimum": None,
            "maximum": None,
            "min_length": None,
            "max_length": None,
            "enum": list(prop["enum"]) if "enum" in prop else None,
            "types": None,
            "aliases": list(spec.aliases),
        }
        field.update(filled)  # the type's own keys (bounds, lengths, JSON types), in place
        fields.append(field)
    return {"fields": fields}


NativeCheck = Callable[[bytes, str], Verdict | None]


@cache
def native_prover() -> Prover | None:
    """The native accelerator's `Prover` for this schema, or None when the module is not built or
    the schema uses something it does not check. Loaded when an engine first asks, not at import."""
    spec = accel_spec()
    return None if spec is None else load_native(orjson.dumps(spec).decode())


def native_checker() -> NativeCheck | None:
    """`native_prover()`'s `check`, or None where there is no prover."""
    prover = native_prover()
    return None if prover is None else prover.check


def native_projector() -> Callable[[bytes, str], Projection | None] | None:
    """`native_prover()`'s `project`, or None where there is no prover."""
    prover = native_prover()
    return None if prover is None else prover.project


def native_lines_checker() -> LinesCheck | None:
    """`native_prover()`'s bulk loop (`check_lines`), or None where there is no prover."""
    prover = native_prover()
    return None if prover is None else prover.check_lines


def decide(data: bytes, profile: str, native: NativeCheck | None = None) -> bool:
    """True only if the reference engine finds nothing in `data` under `profile`; False means
    "run the reference engine" (the document may well be valid)."""
    return violations(data, profile, native) == []


def violations(data: bytes, profile: str, native: NativeCheck | None = None) -> list[Violation] | None:
    """The reference engine's violations for `data` under `profile`, when this module can
    prove what they are ([] = valid); None means "run the reference engine". `native` is the
    accelerator's check, asked first when given."""
    verdict = native(data, profile) if native is not None else None
    return after_native(data, profile, verdict, native)


def after_native(
    data: bytes, profile: str, verdict: Verdict | None, native: NativeCheck | None = None
) -> list[Violation] | None:
    """`violations` for a document the accelerator answered already: `verdict` is its `check`
    (None: it declined, or was not asked). `native`, when given, is asked again under contract
    for a canonical document it declined (see `_contract_errors`)."""
    if verdict is not None:
        found = _native_violations(data, profile, verdict)
        if found is not None:
            return found
    if profile == "canonical" and native is not None:
        found = _contract_errors(data, native)
        if found is not None:
            return found
    if len(data) > LARGE_DOCUMENT_BYTES:
        return None
    body = data[:-1] if data[-1:] == b"\n" else data
    if body[:1] != b"{":
        return None
    try:
        event = _loads(body)
    except _JSONDecodeError:
        return None
    canonical = profile == "canonical"
    table = _CANONICAL_SHAPES if canonical else _CONTRACT_SHAPES
    keys = tuple(event)
    decider = table.get(keys, _MISSING)
    if decider is _MISSING:
        decider = _decider(table, keys, canonical=canonical)
    if decider is None:
        return None
    try:
        fractions = decider(body, event)  # type: ignore[operator]
    except orjson.JSONEncodeError:  # nested past orjson's own limit (254): the reference engine judges it
        return None
    if fractions < 0:
        return None if profile == "serde" else _field_violations(body, event)
    if not _marks_ok(body):
        return None
    # Every profile warns about a float serde_json reads back as a neighbour
    # (canonical.float-roundtrip): such a document is the reference engine's to report.
    shape = body.translate(_NUMBER_SHAPE)
    if b"0e" in shape or b"00000000." in shape or shape.count(b".00000000") > fractions:
        return [] if float_roundtrip() or _floats_read_back(body) else None
    return []


def _contract_errors(data: bytes, native: NativeCheck) -> list[Violation] | None:
    """canonical's verdict for a document with contract errors, from the accelerator's contract
    reading, or None. The reference engine compares bytes only for a contract-valid document, so
    such a document's canonical verdict is its contract one, whatever its bytes: the accelerator's
    canonical reading declined it at the first byte serde_json would write otherwise (a float id
    as Python writes it, `e+17`, in the benchmark's dumps)."""
    verdict = native(data, "contract")
    if verdict is None or not any(verdict[1:5]):
        return None  # declined, or contract-valid: the bytes decide, which only the reference engine can word here
    _, unknown, missing, failing, aliases, _ = verdict
    if not (unknown or missing or aliases) and all(_maybe_taken(name, data[start:end]) for name, start, end in failing):
        # Perhaps contract-valid (a Python producer's `+00:00` or null): then the reference engine
        # judges it all the same, and working out the schema's findings first would be wasted.
        return None
    return _contract_findings(data, verdict) or None


def _maybe_taken(name: str, token: bytes) -> bool:
    """Whether a failing value may be one the contract takes: a timestamp string in another form
    than chrono's, or null (an Option's None). Any other failing value is a contract error."""
    return token == b"null" or (name in _timestamp_fields() and token[:1] == b'"')


def _native_violations(data: bytes, profile: str, verdict: Verdict) -> list[Violation] | None:
    """The reference engine's violations for a document the accelerator read to the end (see
    `Verdict`), or None when they are not certain here."""
    misreads, unknown, missing, failing, aliases, _ = verdict
    if not (unknown or missing or failing or aliases):
        return _misread_warnings(misreads) if misreads else []
    if profile == "serde":
        return _serde_violations(data, verdict)
    found = _contract_findings(data, verdict)
    if found is None or found:
        return found
    # Contract-valid: the named faults were values the schema takes (timestamps in another form
    # than chrono's, null in an Option), where the canonical bytes differ (the accelerator proved
    # the rest serde_json's own).
    return _first_difference(data, failing, verdict[5]) if profile == "canonical" else _misread_warnings(misreads)


def _first_difference(data: bytes, failing: list[tuple[str, int, int]], packed_keys: bytes) -> list[Violation] | None:
    """canonical's verdict for a contract-valid document the accelerator read under canonical as
    serde_json's own bytes but for one failing value the schema takes (a timestamp in another
    form than chrono's, null in an Option): the bytes differ where serde_json writes chrono's form
    of the timestamp, or leaves the null member out (`canonical.difference_from`). None where
    that is not certain here: with more than one, what serde_json writes after the first
    depends on the others."""
    from noetl_envelope.model.codec import serde_reader
    from noetl_envelope.profiles.canonical import difference_from
    from noetl_envelope.wire.lexer import scan

    if len(failing) != 1:
        return None
    [(name, start, end)] = failing
    spec = next(spec for spec in field_specs() if spec.wire == name)
    view = memoryview(data)
    if data[start:end] == b"null":
        if not (spec.optional and spec.skip_if_none):
            return None  # serde writes the null back
        keys = key_spans(packed_keys)
        index = max(i for i, (key_start, _) in enumerate(keys) if key_start < start)  # the member's key
        key_start = keys[index][0]
        if index + 1 < len(keys):  # serde_json writes the next member where this one stands
            found = difference_from(data, key_start, [view[keys[index + 1][0] :]])
        elif index > 0:  # the last one: serde_json closes the object where its comma stands
            found = difference_from(data, key_start - 1, [view[end:]])
        else:  # the only one
            found = difference_from(data, key_start, [view[end:]])
    else:
        out: list[str] = []
        spec.rust.write(spec.rust.to_python(scan(data[start:end]), serde_reader()), out)
        found = difference_from(data, start, ["".join(out).encode(), view[end:]])
    return None if found is None else [found]


def _serde_violations(data: bytes, verdict: Verdict) -> list[Violation] | None:
    """serde's verdict for a document the accelerator read to the end with faults in it: serde
    skips undeclared members (unless it denies them), binds aliases, takes any string into a
    String and any integer into an i64 (enum and bounds are the schema's); it refuses absent
    required fields and what each failing value's Rust type refuses (a float token or a string in
    an i64, a number in a String, a timestamp chrono refuses). The bound fields' floats speak
    only in a document serde reads (a warning)."""
    misreads, unknown, missing, failing, _, _ = verdict
    if not _wordable(verdict):
        return None
    if failing or missing:
        # Each failing value judged by its Rust type's own check: [] where serde takes it.
        refused = {key: (start, end) for key, start, end in failing}
        found = _serde_field_violations(data, refused, frozenset(missing))
        if found is None or found:
            return found
    bound = [misread for misread in misreads if misread[0][0] not in unknown]
    return _misread_warnings(bound) if bound else []


def _contract_findings(data: bytes, verdict: Verdict) -> list[Violation] | None:
    """What `contract.check` finds in a document the accelerator read to the end ([] =
    contract-valid; no read-back warning, which the caller adds to a valid document): one
    `contract.alias-used` per alias in document order, then the schema's findings on the named
    faults (`_schema_only_violations`). None when not certain here."""
    from noetl_envelope.profiles.contract import alias_violation

    _, unknown, missing, failing, aliases, _ = verdict
    if not _wordable(verdict):
        return None
    found = _schema_only_violations(data, unknown, missing, failing)
    if found is None or not aliases:
        return found
    specs = field_specs()
    return [alias_violation(key, specs)[0] for key in aliases] + found


def _wordable(verdict: Verdict) -> bool:
    """Whether the faults the accelerator named can be worded here: not an undeclared key serde
    refuses (`deny_unknown_fields`), nor a field under an alias that also fails (serde would
    name it by the alias, the schema by the field)."""
    _, unknown, _, failing, aliases, _ = verdict
    specs = field_specs()
    if unknown and specs.deny_unknown_fields:
        return False
    if not aliases:
        return True
    aliased = {spec.wire for spec in specs if set(spec.aliases) & set(aliases)}
    return not any(name in aliased for name, _, _ in failing)


def _is_float_token(token: bytes) -> bool:
    """Whether a failing i64 field's token is a float literal (the accelerator names only those
    and integers outside the schema's bounds)."""
    return token[:1] in _NUMBER_STARTS and Num(token.decode("ascii")).is_float_literal


_NUMBER_STARTS = frozenset(bytes([digit]) for digit in b"-0123456789")  # a number token's first byte


@cache
def _timestamp_fields() -> frozenset[str]:
    """The wire names of the timestamp fields (the accelerator names those not in chrono's form)."""
    return frozenset(spec.wire for spec in field_specs() if spec.inner.timestamp)


def _serde_number(token: bytes) -> int | float:
    """A number token as the consumers' serde_json reads it (`codec.serde_reader`)."""
    from noetl_envelope.model.codec import serde_reader
    from noetl_envelope.wire.lexer import scan

    return serde_reader()(scan(token))


def _serde_field_violations(
    data: bytes, refused: dict[str, tuple[int, int]], missing: frozenset[str]
) -> list[Violation] | None:
    """serde's findings for a document it reads but for the values in `refused` (the failing ones,
    their spans by field) and absent required fields: per field in declaration order, as serde
    reports them, the field's own check on its token ([] where serde takes it: a string outside
    the enum, a timestamp chrono reads) or `missing field`. None when a field the
    accelerator calls missing is one serde fills in (Option, `#[serde(default)]`)."""
    from noetl_envelope.profiles.serde import SERDE_MISSING_FIELD

    found: list[Violation] = []
    for spec in field_specs():
        if spec.wire in missing:
            if spec.optional or spec.serde_default:
                return None
            found.append(SERDE_MISSING_FIELD.at((), field=spec.wire))
        elif spec.wire in refused:
            start, end = refused[spec.wire]
            found.extend(_serde_check(spec, data[start:end]))
    return found


def _serde_check(spec: FieldSpec, token: bytes) -> list[Violation]:
    """serde's findings for the top-level field `spec` read from `token` (its Rust type's check)."""
    from noetl_envelope.model.binding import TOP_LEVEL
    from noetl_envelope.model.codec import serde_reader
    from noetl_envelope.wire.lexer import scan

    return spec.rust.check(scan(token), (spec.wire,), TOP_LEVEL, serde_reader())


def _schema_only_violations(
    data: bytes, unknown: list[str], missing: list[str], failing: list[tuple[str, int, int]]
) -> list[Violation] | None:
    """What the contract finds in a document whose bytes are serde_json's own but for undeclared
    members, and whose only faults are those members, absent required fields and failing
    string / i64 / timestamp values: the fraction-digit rule on those timestamps, then
    python-jsonschema's findings for just those values, sorted as the contract profile sorts
    them (no lexical, alias or serde finding can arise). [] = none (every failing value was a
    timestamp the contract accepts), None when not certain here. Each failing value is read
    alone, from where the accelerator found it (`(name, start, end)`). The verdict depends on
    those names and tokens only: it is memoized on them, as the field values' errors are (a
    drifting producer repeats its mistakes in every event)."""
    tokens = tuple((key, data[start:end]) for key, start, end in failing)
    cache_key = (tuple(unknown), tuple(missing), tokens)
    cached = _verdict_cache.get(cache_key, _MISSING)
    if cached is not _MISSING:
        return None if cached is None else list(cast(tuple[Violation, ...], cached))
    found = _schema_only_verdict(unknown, missing, tokens)
    if all(len(token) <= _CACHED_STRING_LIMIT for _, token in tokens):  # bounded memory
        if len(_verdict_cache) >= _ERROR_CACHE_LIMIT:
            _verdict_cache.clear()
        _verdict_cache[cache_key] = None if found is None else tuple(found)
    return found


_verdict_cache: dict[
    tuple[tuple[str, ...], tuple[str, ...], tuple[tuple[str, bytes], ...]], tuple[Violation, ...] | None
] = {}


def _schema_only_verdict(
    unknown: list[str], missing: list[str], tokens: tuple[tuple[str, bytes], ...]
) -> list[Violation] | None:
    """`_schema_only_violations`, worked out."""
    found = list(_shape_errors(tuple(unknown), tuple(missing)))
    if len(found) < len(unknown) + len(missing):
        return None  # the accelerator named a fault python-jsonschema does not see: not certain
    fraction_violations, _, _, timestamp_specs = _contract_parts()
    properties = _properties()
    timestamps = _timestamp_fields()
    texts: dict[str, str] = {}  # the failing timestamps' values
    for key, token in tokens:
        try:
            # A float token in an i64 field is read as the consumers' serde_json reads it, as
            # the reference does (its message shows that double).
            value = _serde_number(token) if _is_float_token(token) else _loads(token)
        except (_JSONDecodeError, NumberRangeError):
            return None
        if type(value) not in _SCALARS and type(value) is not float:
            return None
        errors = _value_errors(key, value, properties[key])
        if key in timestamps and isinstance(value, str):
            texts[key] = value
        if not errors and not _serde_takes(key, token):
            # The schema takes what serde refuses: contract.serde-rejected, the reference's to word.
            return None
        found.extend(errors)
    found.sort(key=lambda v: (v.pointer, v.rule))
    return fraction_violations(texts, timestamp_specs) + found if texts else found


def _serde_takes(key: str, token: bytes) -> bool:
    """Whether serde reads the top-level field `key` from `token` (a failing value the schema
    takes: a timestamp in another form than chrono's, null in an Option)."""
    return not _serde_check(next(spec for spec in field_specs() if spec.wire == key), token)


def _misread_warnings(misreads: Misreads) -> list[Violation]:
    """The canonical profile's warning for each misread float the accelerator found, in its
    order (the reference engine's: document order), worded from the double serde_json read
    there (the accelerator is serde_json) and the correctly rounded one Python reads. [] when the
    schema declares consumers built with float_roundtrip: the accelerator judges by serde_json's
    default parser, they read what Python reads."""
    from noetl_envelope.profiles.canonical import float_roundtrip_warning

    if float_roundtrip():
        return []
    return [float_roundtrip_warning(path, token, read, float(token)) for path, token, read in misreads]


def _marks_ok(body: bytes) -> bool:
    """Nesting within serde_json's limit, and no float serde_json's parser overflows on."""
    marks = body.translate(None, _ALL_BUT_MARKS)
    pluses = marks.count(b"+")
    return len(marks) - pluses <= MAX_NESTING and not (pluses and b"e+308" in body and not _no_overflow(body))


# --- documents whose only faults are field values ----------------------------------------
#
# A document with the proved shape (declared fields, in order, none missing) and proved bytes
# (orjson's rendering, so the lexer's tree holds no lexical finding) is judged by the contract
# profile as: the fraction-digit rule, then python-jsonschema's errors, sorted, and nothing else
# (no alias, no duplicate field, no depth or number finding; the serde-rejected guard only
# speaks when nothing else did). Only `properties` can report (required and
# additionalProperties are satisfied by the shape), so each field whose compiled check fails
# is handed to python-jsonschema alone, exactly as its `properties` keyword would
# (`validator.descend`), and converted by the contract profile's own `_from_error`. canonical
# reports contract violations as they are. A field value's errors depend on the value only, so
# they are memoized per (field, type, value): a drifting producer repeats its mistakes.

_ERROR_CACHE_LIMIT = 4096
_CACHED_STRING_LIMIT = 256  # longer bad strings are judged each time, never kept
_error_cache: dict[tuple[str, type, object], tuple[Violation, ...]] = {}
_SCALARS = (str, int, bool, type(None))  # values the lexer's tree and orjson read alike


@cache
def _properties() -> dict[str, dict[str, Any]]:
    """Each field's schema by its wire name (documents carry wire names)."""
    return {spec.wire: spec.schema for spec in field_specs()}


@cache
def _field_checks() -> dict[str, Callable[[Any], bool]]:
    """Per field, the compiled contract check (True = the schema has nothing to say)."""
    checks: dict[str, Callable[[Any], bool]] = {}
    for spec in field_specs():
        names: dict[str, Any] = {}
        condition = _field_condition(spec, "v", names, canonical=False)
        source = f"def ok(v):\n    return v is not None and ({condition or 'False'})\n"
        exec(compile(source, f"<fastpath field {spec.name}>", "exec"), names)
        checks[spec.wire] = names["ok"]
    return checks


@cache
def _contract_parts() -> tuple[Any, Any, Any, tuple[FieldSpec, ...]]:
    # Imported on first use: profiles/__init__ imports this module before the profiles.
    from noetl_envelope.profiles.contract import _fraction_violations, _from_error, validator_for

    # `_fraction_violations` only looks at timestamp fields: handing it just those is the same call.
    timestamps = tuple(spec for spec in field_specs() if spec.inner.timestamp)
    return _fraction_violations, _from_error, validator_for(), timestamps


def _value_errors(key: str, value: str | int | float | bool | None, schema: dict[str, Any]) -> tuple[Violation, ...]:
    """What the `properties` keyword reports for one top-level field's scalar value, exactly as
    python-jsonschema does (`validator.descend`), memoized per value."""
    kind = type(value)
    # A float by its repr: -0.0 == 0.0, but python-jsonschema's message shows the sign.
    cache_key = (key, kind, repr(value) if kind is float else value)
    errors = _error_cache.get(cache_key)
    if errors is None:
        _, from_error, validator, _ = _contract_parts()
        errors = tuple(v for error in validator.descend(value, schema, path=key) for v in from_error(error))
        if not isinstance(value, str) or len(value) <= _CACHED_STRING_LIMIT:  # bounded memory
            if len(_error_cache) >= _ERROR_CACHE_LIMIT:
                _error_cache.clear()
            _error_cache[cache_key] = errors
    return errors


def _shape_errors(unknown: tuple[str, ...], missing: tuple[str, ...]) -> tuple[Violation, ...]:
    """What the top level's `additionalProperties` and `required` keywords report for these
    undeclared keys and absent fields, exactly as python-jsonschema does, memoized."""
    errors = _shape_cache.get((unknown, missing))
    if errors is None:
        _, from_error, validator, _ = _contract_parts()
        schema = load_schema()
        declared = {name: None for name in schema["properties"] if name not in missing}
        skeleton = {**declared, **dict.fromkeys(unknown)}
        keywords = {key: schema[key] for key in ("properties", "additionalProperties", "required") if key in schema}
        # Only the shape keywords, and no value is looked at: each property's schema becomes
        # `true` (the skeleton's values are None), while `additionalProperties` still reads the names.
        shape = {**keywords, "properties": dict.fromkeys(schema["properties"], True)}
        errors = tuple(v for error in validator.descend(skeleton, shape) for v in from_error(error))
        if len(_shape_cache) >= _ERROR_CACHE_LIMIT:
            _shape_cache.clear()
        _shape_cache[unknown, missing] = errors
    return errors


_shape_cache: dict[tuple[tuple[str, ...], tuple[str, ...]], tuple[Violation, ...]] = {}


def _field_violations(body: bytes, event: dict[str, Any]) -> list[Violation] | None:
    if not _marks_ok(body) or _dumps(event) != body:  # bounded nesting first: orjson stops at 254
        return None
    fraction_violations, _, _, specs = _contract_parts()
    checks = _field_checks()
    properties = _properties()
    found: list[Violation] = []
    for key, value in event.items():
        if checks[key](value):
            continue
        if type(value) not in _SCALARS:
            return None  # a float or a container: the tree's reading may differ from orjson's
        found.extend(_value_errors(key, value, properties[key]))
    if not found:
        return None  # the fast checks were only cautious (a leap second...): let the reference judge
    found.sort(key=lambda v: (v.pointer, v.rule))
    result: list[Violation] = fraction_violations(event, specs)
    return result + found
