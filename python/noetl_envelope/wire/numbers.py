"""serde_json 1.0.150's number semantics, bit-exact, in Python.

Role in the pipeline: the lexical scanner hands every JSON number token to
:func:`parse_number`, which returns exactly what serde_json's ``ParserNumber``
would hold when a Rust consumer (default features: no ``float_roundtrip``, no
``arbitrary_precision``) reads the token into a ``serde_json::Value`` or an
integer field; the encoder writes numbers back with :func:`format_number` /
:func:`format_float`, byte-for-byte what ``serde_json::to_string`` emits.

Why a port and not ``int()``/``float()``/``repr()``:

* serde_json's default float parser is *not* correctly rounded.  It keeps at
  most the first 19-20 significant digits in a ``u64`` (silently dropping the
  rest), converts that to ``f64`` (one rounding) and then multiplies or divides
  by a power of ten from a table (a second rounding, sometimes a third for
  exponents beyond 1e308).  About a third of Python's shortest ``repr()``
  strings therefore land on a neighbouring double (up to 2 ulp away) in Rust,
  and serde does not even read its *own* output back to the same double.
* Integer literals outside u64/i64 range become floats, ``-0`` is a float,
  ``1e400`` and ``1`` followed by 400 zeros are "number out of range" errors,
  while ``1e-400`` and ``0e999999999999`` are silently 0.0.
* serde_json 1.0.150 formats floats with the ``zmij`` crate: shortest
  round-trip digits (the same digits as Python's ``repr``), fixed notation for
  decimal exponents -5..=15 and otherwise ``d.ddde+NN`` / ``d.ddde-N`` (always
  a sign, no leading zeros in the exponent) -- e.g. ``1e+16``, ``1e-6``,
  ``0.00001``, ``100.0``, ``-0.0``, ``5e-324``.

Every function here is a transcription of the Rust code named in its comments
(``serde_json-1.0.150/src/de.rs`` and ``zmij-1.0.23/src/lib.rs``) and is
differential-tested against the real crate.  Python floats are IEEE binary64
with round-to-nearest-even, so ``float(int)``, ``*`` and ``/`` reproduce Rust's
``u64 as f64``, ``f *= pow`` and ``f /= pow`` exactly.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Callable

__all__ = [
    "I64_MAX",
    "I64_MIN",
    "U64_MAX",
    "NumberRangeError",
    "format_float",
    "format_number",
    "number_reader",
    "parse_number",
    "parse_number_roundtrip",
]

U64_MAX = (1 << 64) - 1
I64_MIN = -(1 << 63)
I64_MAX = (1 << 63) - 1
_I32_MAX = (1 << 31) - 1
_I32_MIN = -(1 << 31)


class NumberRangeError(ValueError):
    """The token is valid JSON but serde_json rejects it: "number out of range".

    Raised exactly where serde_json's ``f64_from_parts`` (the result would be
    infinite) or ``parse_exponent_overflow`` (an exponent beyond i32 with a
    nonzero significand and a positive sign) fail.
    """


# de.rs `static POW10: [f64; 309] = [1e000, ..., 1e308]`.  The Rust literals and
# Python's float('1eN') are both correctly rounded, so the tables are identical
# (10.0 ** n would not be: it is not correctly rounded for large n).
_POW10: tuple[float, ...] = tuple(float(f"1e{i}") for i in range(309))

# A JSON number token, split into the parts serde_json's parser walks through.
# Group 2 (the integer part) has no leading zeros except a lone "0".
_NUMBER = re.compile(r"(-?)(0|[1-9][0-9]*)(?:\.([0-9]+))?(?:[eE]([+-]?)([0-9]+))?")


def parse_number(text: str) -> int | float:
    """Parse a JSON number token exactly like serde_json 1.0.150 does.

    Returns an ``int`` for ``ParserNumber::U64`` (0..2^64-1) and
    ``ParserNumber::I64`` (negative, >= -2^63), and a ``float`` for
    ``ParserNumber::F64`` (a fraction, an exponent, ``-0``, or an integer
    outside both ranges), bit-identical to the ``f64`` serde_json computes.

    Raises :class:`NumberRangeError` where serde_json reports "number out of
    range", and plain :class:`ValueError` if ``text`` is not a JSON number.
    """
    # Fast paths, no regex: split with str methods, validate with isdigit()
    # (after isascii(): str.isdigit() alone also accepts "٣" or "²"), and
    # accept the token when serde's u64 significand cannot overflow (<= 19
    # digits, not counting the leading zeros of "0.000ddd") and its i32
    # exponent cannot either (<= 9 exponent digits).  That is nearly every
    # token in real payloads; anything else goes to _parse_general.
    if not text.isascii():
        return _parse_general(text)
    if text.isdigit():
        # Non-negative integer: ParserNumber::U64.
        if len(text) <= 19 and (text[0] != "0" or len(text) == 1):
            return int(text)
        return _parse_general(text)
    negative = text[0] == "-" if text else False
    body = text[1:] if negative else text
    ipart, dot, fpart = body.partition(".")
    if ipart.isdigit() and (ipart[0] != "0" or len(ipart) == 1):
        if not dot and not fpart:
            # Negative integer.  parse_number: `(significand as i64)
            # .wrapping_neg()`, F64 when that is >= 0: with n < 10^19 that is
            # "-0" -> -0.0 and n > 2^63 -> -(n as f64); n == 2^63 is i64::MIN.
            if negative and len(ipart) <= 19:
                n = int(ipart)
                return -n if 0 < n <= 1 << 63 else -float(n)
            return _parse_general(text)
        if fpart.isdigit():
            # Plain decimal "i.f" (the most common float).
            ndigits = len(ipart) + len(fpart)
            if ndigits <= 15:
                # Clinger's exact case: significand < 10^15 < 2^53 converts
                # exactly and 10^len(f) <= 10^14 is exact, so serde's single
                # `f /= pow` is correctly rounded -- the same double as
                # Python's correctly rounded float().
                return float(text)
            if ndigits <= 19 or (ipart == "0" and len(fpart) <= 308 and len(fpart.lstrip("0")) <= 19):
                # f64_from_parts, exponent -len(f) in -308..=-1: rounding in
                # `significand as f64`, then again in `f /= POW10[..]`.
                f = float(int(ipart + fpart)) / _POW10[len(fpart)]
                return -f if negative else f
            return _parse_general(text)
        # "i.f" followed by an exponent part: fpart is "fe[+-]x" here.
        fpart, emark, edigits = fpart.partition("e")
        if not emark:
            fpart, emark, edigits = fpart.partition("E")
        if not fpart.isdigit():
            return _parse_general(text)
    else:
        # "ie[+-]x" (no fraction): the partition on "." left everything in ipart.
        mantissa, emark, edigits = ipart.partition("e")
        if not emark:
            mantissa, emark, edigits = ipart.partition("E")
        if dot or not emark or not mantissa.isdigit() or (mantissa[0] == "0" and len(mantissa) > 1):
            return _parse_general(text)
        ipart, fpart = mantissa, ""
    # Here: ipart, fpart (possibly empty) are valid digit strings and
    # edigits is what follows the "e"/"E".
    esign = edigits[:1]
    if esign == "-" or esign == "+":
        edigits = edigits[1:]
    if not (edigits.isdigit() and len(edigits) <= 9):
        return _parse_general(text)
    if not (len(ipart) + len(fpart) <= 19 or (ipart == "0" and len(fpart) <= 308 and len(fpart.lstrip("0")) <= 19)):
        return _parse_general(text)
    # parse_exponent: starting_exp +/- exp (cannot saturate at these sizes).
    exponent = -len(fpart) - int(edigits) if esign == "-" else int(edigits) - len(fpart)
    significand = int(ipart + fpart)
    if -308 <= exponent <= 308:
        # The common case of f64_from_parts, inlined: one rounding in
        # `significand as f64`, one in `f *= pow` or `f /= pow`.
        if exponent >= 0:
            f = float(significand) * _POW10[exponent]
            if f == _INF:
                raise _range_error(text)
        else:
            f = float(significand) / _POW10[-exponent]
        return -f if negative else f
    return _f64_from_parts(not negative, significand, exponent, text)


def _parse_general(text: str) -> int | float:
    """parse_number for any token: huge integers, >= 20 significant digits,
    exponents that overflow i32; also the syntax check (ValueError)."""
    m = _NUMBER.fullmatch(text)
    if m is None:
        raise ValueError(f"not a JSON number: {text!r}")
    sign, ipart, fpart, esign, edigits = m.groups()

    if fpart is None and edigits is None:
        # parse_integer -> parse_number: no '.', no exponent.
        if len(ipart) <= 20:
            n = int(ipart)
            if n <= U64_MAX:
                if not sign:
                    return n  # ParserNumber::U64
                if n <= 1 << 63 and n != 0:
                    return -n  # ParserNumber::I64
                # `(significand as i64).wrapping_neg() >= 0`: "-0" and
                # magnitudes above 2^63 become -(significand as f64).
                return -float(n)
        # More digits than a u64 holds: parse_long_integer keeps the prefix
        # that fits and counts every further digit as a power of ten.
        s, exponent = _long_integer(ipart)
        return _f64_from_parts(not sign, s, exponent, text)

    if len(ipart) + len(fpart or "") <= 19:
        s = int(ipart + (fpart or ""))
        exponent = -len(fpart or "")
    else:
        s, exponent = _significand(ipart, fpart or "")

    if edigits is not None:
        # parse_exponent: the exponent accumulates in an i32; on overflow
        # parse_exponent_overflow gives 0.0 for a zero significand or a
        # negative exponent, and "number out of range" otherwise.
        if len(edigits) > 10:
            edigits = edigits.lstrip("0") or "0"
        if len(edigits) > 10 or int(edigits) > _I32_MAX:
            if s != 0 and esign != "-":
                raise _range_error(text)
            return -0.0 if sign else 0.0
        exp = int(edigits)
        # `starting_exp.saturating_add(exp)` / `.saturating_sub(exp)`.
        exponent = exponent - exp if esign == "-" else exponent + exp
        if exponent > _I32_MAX:
            exponent = _I32_MAX
        elif exponent < _I32_MIN:
            exponent = _I32_MIN
    return _f64_from_parts(not sign, s, exponent, text)


_INF = float("inf")


def parse_number_roundtrip(text: str) -> int | float:
    """``parse_number`` for a consumer that builds serde_json with its ``float_roundtrip``
    feature: integers as without it (u64, negative i64, ``-0`` the float -0.0, anything beyond
    both a float), every float correctly rounded from all its digits, as Python's ``float()``
    reads it. (de.rs ``f64_from_parts`` / ``f64_long_from_parts`` under the feature call
    lexical's ``parse_concise_float`` / ``parse_truncated_float``, which keep 768 digits and a
    sticky one: enough to round every decimal correctly.) Infinite is "number out of range";
    exponents past i32 give what the exact value gives (0.0, or out of range)."""
    if _NUMBER.fullmatch(text) is None:
        raise ValueError(f"not a JSON number: {text!r}")
    if "." not in text and "e" not in text and "E" not in text and len(text) <= 21:
        n = int(text)
        if text[0] != "-":
            if n <= U64_MAX:
                return n
        elif I64_MIN <= n < 0:  # "-0" is the float -0.0
            return n
    f = float(text)
    if f == _INF or f == -_INF:
        raise _range_error(text)
    return f


def number_reader(float_roundtrip: bool) -> Callable[[str], int | float]:
    """How a consumer's serde_json reads number tokens: with the ``float_roundtrip`` feature
    (correctly rounded) or without (``parse_number``, the default)."""
    return parse_number_roundtrip if float_roundtrip else parse_number


def _range_error(text: str) -> NumberRangeError:
    shown = text if len(text) <= 40 else text[:37] + "..."
    return NumberRangeError(f"number out of range: {shown}")


# The 19-digit prefix after which exactly one more digit 0..=5 still fits in a
# u64 (u64::MAX = 18446744073709551615); see _long_integer / _significand.
_U64_MAX_DIV10 = U64_MAX // 10


def _long_integer(ipart: str) -> tuple[int, int]:
    """Significand and exponent after parse_integer overflowed into
    parse_long_integer (``ipart`` has no leading zeros and exceeds u64).

    parse_integer accumulates digits while ``significand * 10 + digit`` fits in
    a u64 -- the ``overflow!`` macro is exactly that test.  A 19-digit prefix
    always fits (< 10^19), a 21-digit one never does, so the kept prefix is 20
    digits if they fit and 19 otherwise; each remaining integer digit adds 1
    to the exponent without being looked at.
    """
    head = ipart[:20]
    if int(head) > U64_MAX:
        head = ipart[:19]
    return int(head), len(ipart) - len(head)


def _significand(ipart: str, fpart: str) -> tuple[int, int]:
    """Significand and exponent serde_json builds from ``ipart.fpart``
    (before any exponent part; ``fpart`` may be empty), for the rare tokens
    with >= 20 digits.  Only a bounded prefix is handed to ``int()``, so
    thousands of digits cost nothing (and stay under Python's int-string
    limit).
    """
    if len(ipart) > 20 or int(ipart) > U64_MAX:
        # parse_long_integer dropped integer digits, then hit '.', and calls
        # parse_decimal(positive, significand, exponent) -- which *resumes*
        # accumulating fraction digits into the truncated significand.  With a
        # 20-digit prefix nothing more fits; with the 19-digit prefix
        # 1844674407370955161 one fraction digit 0..=5 still does (a serde
        # quirk: "184467440737095516190.5" reads as 18446744073709551615e1).
        s, exponent = _long_integer(ipart)
        if s == _U64_MAX_DIV10 and fpart and fpart[0] <= "5":
            s = s * 10 + int(fpart[0])
            exponent -= 1
        return s, exponent
    # The integer part fits; parse_decimal keeps appending fraction digits
    # until the first one that would overflow, then parse_decimal_overflow
    # ignores all the rest.  Appending a digit never decreases the value, so
    # the kept digits are the longest prefix of the digit string whose value
    # fits: leading zeros (all free, 0 * 10 + 0 == 0) plus 20 significant
    # digits if they fit, else 19.
    digits = ipart + fpart
    significant = digits.lstrip("0")
    head = significant[:20]
    if len(head) == 20 and int(head) > U64_MAX:
        head = significant[:19]
    consumed = len(digits) - len(significant) + len(head)
    # (Rust counts exponent_after_decimal_point in an i32; only a token with
    # over 2^31 fraction digits could wrap it, which is not modelled.)
    return int(head or "0"), len(ipart) - consumed


def _f64_from_parts(positive: bool, significand: int, exponent: int, text: str = "") -> float:
    """de.rs ``f64_from_parts`` (the ``not(feature = "float_roundtrip")`` one).

    ``significand as f64`` then one multiply or divide by ``POW10[|exp|]``;
    below 1e-308 it divides by 1e308 repeatedly (an extra rounding each time)
    and stops early once the value is 0.0; above 1e308 it is an error even if
    the significand would have made the value representable.
    """
    f = float(significand)  # u64 as f64: round to nearest, ties to even
    while True:
        # `POW10.get(exponent.wrapping_abs() as usize)`; i32::MIN wraps to a
        # huge usize and takes the None branch, same as abs() > 308 here.
        a = -exponent if exponent < 0 else exponent
        if a <= 308:
            if exponent >= 0:
                f *= _POW10[a]
                if f == _INF:
                    raise _range_error(text)
            else:
                f /= _POW10[a]
            break
        if f == 0.0:
            break
        if exponent >= 0:
            raise _range_error(text)
        f /= 1e308
        exponent += 308
    return f if positive else -f


_float_repr = float.__repr__


def format_float(x: float) -> str:
    """What ``serde_json::to_string`` writes for a finite f64 in a ``Value``.

    serde_json 1.0.150's ``write_f64`` calls ``zmij::Buffer::format_finite``.
    zmij (Schubfach) picks the shortest digit string that round-trips under
    correct rounding, closest to the value, ties to even -- the digits CPython's
    ``repr`` produces -- and lays them out as:

    * decimal exponent (of the leading digit) in -5..=15: fixed notation,
      ``.0`` appended to integers: ``100.0``, ``0.00001``,
      ``1000000000000000.0``;
    * otherwise ``d[.ddd]e+N`` / ``d[.ddd]e-N``: the exponent always signed and
      without leading zeros: ``1e+16``, ``1.5e-7``, ``5e-324``;
    * zero is ``0.0`` / ``-0.0``.

    ``repr`` uses fixed notation for exponents -4..=15 and ``e+NN``/``e-NN``
    (two digits at least) elsewhere, so only exponent -5 and single-digit
    negative exponents need rewriting.
    """
    s = _float_repr(x)  # float.__repr__: subclasses (numpy.float64) override repr
    if "e" not in s:
        if s[-1] in "fn":  # 'inf', '-inf', 'nan'
            raise ValueError(f"serde_json::Value cannot hold a non-finite float: {s}")
        return s
    if "e-0" in s:
        mantissa, _, e = s.partition("e-0")
        if e == "5":
            # 1.5e-05 -> 0.000015 (zmij's fixed range reaches one further)
            neg = mantissa[0] == "-"
            digits = mantissa.lstrip("-").replace(".", "")
            return ("-0.0000" if neg else "0.0000") + digits
        return mantissa + "e-" + e
    return s


def f64_bits(x: float) -> int:
    """The IEEE 754 bit pattern of `x` (tells -0.0 from 0.0, unlike ==)."""
    return int.from_bytes(struct.pack("<d", x), "little")


def format_number(x: int | float) -> str:
    """What ``serde_json::to_string`` writes for a ``serde_json::Number``.

    Integers are the ``PosInt(u64)`` / ``NegInt(i64)`` variants, written in
    decimal (itoa); a Python int outside -2^63..2^64-1 cannot be a serde
    Number and is refused rather than silently written.  Floats go through
    :func:`format_float`.
    """
    if isinstance(x, float):
        return format_float(x)
    if isinstance(x, bool) or not isinstance(x, int):
        raise TypeError(f"not a JSON number: {x!r}")
    if x < I64_MIN or x > U64_MAX:
        raise ValueError(f"integer {x} is outside serde_json's i64/u64 range")
    return str(int(x))
