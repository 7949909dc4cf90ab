"""What a plain YAML scalar means here: the YAML 1.2 core schema, shared by the loader (to
read) and the YAML export (to quote whatever would not read back as the same string).

`true`/`false` (in three cases) are booleans; `null`, `Null`, `NULL`, `~` and nothing are
null; `12`, `-3`, `0x1F` and `0o17` are integers; `1.5`, `.5`, `1.` and `1e3` are floats;
everything else is a string: `yes`, `on`, `2020-01-01`, `1_000`, `1:30`, `0b101`. A number
written with a leading zero (`012`, `-007`, `01.5`) is a string too: YAML 1.1 reads it as
octal and 1.2 as decimal, and what such a value usually is, a code, is kept as written.
`.inf` and `.nan` are refused, as JSON has no such numbers.
"""

from __future__ import annotations

import math
import re
import sys
from typing import Any

_WORDS: dict[str, Any] = {
    **dict.fromkeys(("true", "True", "TRUE"), True),
    **dict.fromkeys(("false", "False", "FALSE"), False),
    **dict.fromkeys(("null", "Null", "NULL", "~", ""), None),
}
# the first characters of every number: any other scalar is a word, looked up or kept
NUMBER_START = frozenset("-+.0123456789")
_DECIMAL = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|(?:0|[1-9][0-9]*)(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_NOT_A_NUMBER = re.compile(r"[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)")
_HEX_OR_OCTAL = re.compile(r"0x[0-9a-fA-F]+|0o[0-7]+")


class NumberRefused(ValueError):
    """A plain scalar that reads as a number JSON cannot hold."""


def integer_digits(max_digits: int) -> int:
    """`max_digits`, or fewer if this process converts fewer (`sys.set_int_max_str_digits`):
    past that, `int()` would raise where a refusal is due."""
    process_limit = sys.get_int_max_str_digits()
    return max_digits if process_limit == 0 else min(max_digits, process_limit)


def plain_word(text: str) -> Any:
    """The value of a plain scalar that does not start like a number: fast, no expression."""
    return _WORDS.get(text, text)


def plain_scalar(text: str, max_digits: int = 4300) -> Any:
    """The JSON value of the plain (unquoted, untagged) scalar `text`, as the module says.

    Raises NumberRefused for `.inf`, `.nan`, a float that overflows and an integer of more
    than `max_digits` digits.
    """
    if not text or text[0] not in NUMBER_START:
        return _WORDS.get(text, text)
    if text.isdigit() and text.isascii() and (text[0] != "0" or len(text) == 1):
        if len(text) > max_digits:  # the common case first: no expression to match
            raise NumberRefused(f"An integer of more than {max_digits} digits")
        return int(text)
    if _DECIMAL.fullmatch(text):
        if len(text) - (text[0] in "+-") > max_digits:
            raise NumberRefused(f"An integer of more than {max_digits} digits")
        return int(text)
    if _FLOAT.fullmatch(text):
        number = float(text)
        if math.isinf(number):
            raise NumberRefused(f"The number {text[:40]} is too large for a float")
        return number
    if _HEX_OR_OCTAL.fullmatch(text):
        number = int(text[2:], 16 if text[1] == "x" else 8)
        # three bits a digit keeps the decimal text under `max_digits`, which `str()` needs
        if number.bit_length() > 3 * max_digits:
            raise NumberRefused(f"An integer of more than {max_digits} digits")
        return number
    if _NOT_A_NUMBER.fullmatch(text):
        raise NumberRefused(f"{text} is not a JSON number")
    return text
