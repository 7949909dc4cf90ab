"""The scalars a mock makes: string formats, made by hand, plausible, and valid as jsonschema-rs
checks them with format validation on; and numbers within bounds and multiples.

Decisions:
- Every value comes from the caller's `random.Random`: no clock, no global generator, so the
  same seed gives the same date.
- A format that can grow does so to meet a `minLength` (a URI's last segment, an email's local
  part then its domain's labels, a time's fraction of a second); a format made too long for a
  `maxLength` falls back to a short spelling, and None when even that doesn't fit.
- `format_holds` asks jsonschema-rs itself, for the formats it validates, so a value made some
  other way (from a `pattern`) is accepted only if the real validator agrees.
- OpenAPI's numeric formats (int32, int64, …) give integer bounds; on a string they give a
  numeral, as Google-style APIs write 64-bit numbers.
- Numbers are exact fractions until the end: a multiple of every `multipleOf` (their least
  common multiple, each read as the decimal it was written as), inside the bounds, first in a
  plausible window (1 to 1000 where the bounds allow), with two decimals for a `number`.
"""

from __future__ import annotations

import base64
import math
import string
import uuid
from collections.abc import Callable, Sequence
from fractions import Fraction
from functools import lru_cache
from random import Random

import jsonschema_rs

from apidock.mocking.generate_shape import Bound, tighter

# fmt: off
WORDS = (
    "alpha", "amber", "apple", "atlas", "basil", "birch", "blue", "breeze", "cedar", "cloud",
    "coral", "delta", "ember", "fern", "forest", "garnet", "harbor", "hazel", "indigo", "iris",
    "jade", "juniper", "lake", "lemon", "lilac", "maple", "meadow", "mint", "north", "ocean",
    "olive", "orbit", "pebble", "pine", "pixel", "quartz", "river", "sage", "silver", "sky",
    "spruce", "stone", "summit", "sunny", "tango", "tiger", "topaz", "violet", "willow", "zephyr",
)
# fmt: on
FIRST_NAMES = ("anna", "ben", "chloe", "david", "emma", "felix", "grace", "hugo", "ines", "jon")
LAST_NAMES = ("smith", "garcia", "chen", "novak", "okafor", "silva", "berg", "kim", "rossi")
TOP_LEVEL_DOMAINS = ("com", "org", "net", "io", "dev")
OFFSETS = ("Z", "Z", "+00:00", "+01:00", "+02:00", "-05:00", "+05:30", "-08:00")
REGEXES = ("^[a-z]+$", "^[A-Z][a-z]*$", "^\\d{3}-\\d{4}$", "^(yes|no)$")

# What jsonschema-rs checks when format validation is on (the rest it ignores).
# fmt: off
VALIDATED_FORMATS = frozenset((
    "date", "date-time", "time", "duration", "email", "idn-email", "hostname", "idn-hostname",
    "ipv4", "ipv6", "uri", "uri-reference", "iri", "iri-reference", "uri-template", "uuid",
    "json-pointer", "relative-json-pointer", "regex",
))
# fmt: on

INTEGER_FORMAT_BOUNDS: dict[str, tuple[int, int]] = {
    "int8": (-(2**7), 2**7 - 1),
    "int16": (-(2**15), 2**15 - 1),
    "int32": (-(2**31), 2**31 - 1),
    "int64": (-(2**63), 2**63 - 1),
    "uint8": (0, 2**8 - 1),
    "uint16": (0, 2**16 - 1),
    "uint32": (0, 2**32 - 1),
    "uint64": (0, 2**64 - 1),
}
_FORMAT_BOUNDS = {
    name: (Bound(Fraction(least), False), Bound(Fraction(most), False))
    for name, (least, most) in INTEGER_FORMAT_BOUNDS.items()
}
_ONE = Fraction(1)
_ZERO = Fraction(0)
_DECIMAL_STEPS = (Fraction(1, 100), Fraction(1, 10**6), Fraction(1, 10**12))  # finer if narrow
_DECIMAL_FORMATS = ("float", "double", "decimal", "float32", "float64", "number")
_MAX_EMAIL_LOCAL = 64
_MAX_LABEL = 63
_MAX_HOSTNAME = 253


@lru_cache(maxsize=len(VALIDATED_FORMATS))
def _format_validator(name: str) -> jsonschema_rs.Validator:
    return jsonschema_rs.validator_for({"format": name}, validate_formats=True, offline=True)


def format_holds(name: str, value: str) -> bool:
    """Whether `value` passes jsonschema-rs's check of format `name` (true for a format it
    doesn't check)."""
    if name not in VALIDATED_FORMATS:
        return True
    return _format_validator(name).is_valid(value)


def _letters(rng: Random, count: int) -> str:
    return "".join(rng.choice(string.ascii_lowercase) for _ in range(count))


def _fits(value: str, min_length: int, max_length: int | None) -> bool:
    return len(value) >= min_length and (max_length is None or len(value) <= max_length)


def _date(rng: Random) -> str:
    return f"{rng.randint(2019, 2026):04d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def _time(rng: Random, min_length: int) -> str:
    clock = f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"
    offset = rng.choice(OFFSETS)
    missing = min_length - len(clock) - len(offset)
    if missing >= 2:  # RFC 3339 allows any number of digits after the second's point
        clock += "." + "".join(rng.choice(string.digits) for _ in range(missing - 1))
    elif rng.random() < 0.25:
        clock += f".{rng.randint(0, 999):03d}"
    return clock + offset


def _host(rng: Random) -> str:
    return f"{rng.choice(WORDS)}.{rng.choice(('example', 'test', 'sample'))}." + rng.choice(
        TOP_LEVEL_DOMAINS
    )


def _grow_host(rng: Random, host: str, missing: int) -> str | None:
    """`host` with labels put in front until it is `missing` characters longer."""
    while missing > 0:
        label = min(_MAX_LABEL, missing - 1) if missing > 1 else 0
        if label == 0:  # one character short: lengthen the first label by one
            host = rng.choice(string.ascii_lowercase) + host
            missing -= 1
            continue
        host = _letters(rng, label) + "." + host
        missing -= label + 1
    return host if len(host) <= _MAX_HOSTNAME else None


def _hostname(rng: Random, min_length: int, max_length: int | None) -> str | None:
    host = _host(rng)
    if max_length is not None and len(host) > max_length:
        host = rng.choice(WORDS)[: max(1, max_length)]
    return _grow_host(rng, host, min_length - len(host))


def _email(rng: Random, min_length: int, max_length: int | None) -> str | None:
    local = f"{rng.choice(FIRST_NAMES)}.{rng.choice(LAST_NAMES)}"
    domain = f"{rng.choice(('example', 'mail', 'test'))}.{rng.choice(TOP_LEVEL_DOMAINS)}"
    if max_length is not None and len(local) + 1 + len(domain) > max_length:
        local, domain = local[0], "ex.io" if max_length >= 7 else "ex"
    missing = min_length - len(local) - 1 - len(domain)
    grow_local = max(0, min(missing, _MAX_EMAIL_LOCAL - len(local)))
    local += _letters(rng, grow_local)
    grown = _grow_host(rng, domain, missing - grow_local)
    return None if grown is None else f"{local}@{grown}"


def _path(rng: Random) -> str:
    return f"/{rng.choice(WORDS)}/{rng.randint(1, 999)}"


def _uri(rng: Random, min_length: int, max_length: int | None) -> str:
    value = f"https://{_host(rng)}{_path(rng)}"
    if max_length is not None and len(value) > max_length:
        value = "https://ex.io" if max_length >= 13 else "urn:x"
    return value + _letters(rng, min_length - len(value))


def _uri_reference(rng: Random, min_length: int, max_length: int | None) -> str:
    value = _path(rng) if rng.random() < 0.5 else f"https://{_host(rng)}{_path(rng)}"
    if max_length is not None and len(value) > max_length:
        value = "/" if max_length < 2 else "/" + rng.choice(WORDS)[: max_length - 1]
    return value + _letters(rng, min_length - len(value))


def _base64(rng: Random, min_length: int, max_length: int | None) -> str | None:
    lowest = -(-min_length // 4)
    highest = lowest + 4 if max_length is None else max_length // 4
    if highest < lowest:
        return None
    quads = rng.randint(lowest, min(highest, max(lowest, 5)))
    size = max(quads * 3 - rng.randint(0, 2), 0) if quads else 0
    return base64.b64encode(rng.randbytes(size)).decode("ascii")


def _sized(rng: Random, min_length: int, max_length: int | None, usual: int) -> int:
    highest = max(min_length, usual) if max_length is None else max_length
    return rng.randint(min_length, max(min_length, min(highest, max(min_length, usual))))


def _password(rng: Random, min_length: int, max_length: int | None) -> str:
    alphabet = string.ascii_letters + string.digits + "!#%*+-_"
    size = _sized(rng, min_length, max_length, 12)
    return "".join(rng.choice(alphabet) for _ in range(size))


def _numeral(rng: Random, min_length: int, max_length: int | None) -> str:
    size = max(1, _sized(rng, min_length, max_length, rng.randint(1, 4)))
    return str(rng.randint(1, 9)) + "".join(rng.choice(string.digits) for _ in range(size - 1))


def _decimal(rng: Random, min_length: int, max_length: int | None) -> str:
    value = f"{rng.randint(0, 999)}.{rng.randint(0, 99):02d}"
    if max_length is not None and len(value) > max_length:
        return _numeral(rng, min_length, max_length)
    return value + "".join(rng.choice(string.digits) for _ in range(min_length - len(value)))


def _fixed(make: Callable[[Random], str]) -> Callable[[Random, int, int | None], str]:
    return lambda rng, _min_length, _max_length: make(rng)


def _duration(rng: Random) -> str:
    return rng.choice(
        (
            f"P{rng.randint(1, 30)}D",
            f"PT{rng.randint(1, 23)}H{rng.randint(1, 59)}M",
            f"P{rng.randint(1, 10)}W",
            f"P{rng.randint(1, 3)}Y{rng.randint(1, 11)}M",
            f"PT{rng.randint(1, 59)}S",
        )
    )


def _ipv6(rng: Random) -> str:
    return "2001:db8::" + ":".join(f"{rng.randint(1, 0xFFFF):x}" for _ in range(rng.randint(1, 3)))


_MAKERS: dict[str, Callable[[Random, int, int | None], str | None]] = {
    "date": _fixed(_date),
    "time": lambda rng, min_length, _: _time(rng, min_length),
    "date-time": lambda rng, min_length, _: _date(rng) + "T" + _time(rng, min_length - 11),
    "duration": _fixed(_duration),
    "email": _email,
    "idn-email": _email,
    "hostname": _hostname,
    "idn-hostname": _hostname,
    "ipv4": _fixed(
        lambda rng: (
            f"{rng.choice((192, 198, 203, 10))}.{rng.randint(0, 255)}."
            f"{rng.randint(0, 255)}.{rng.randint(1, 254)}"
        )
    ),
    "ipv6": _fixed(_ipv6),
    "uri": _uri,
    "iri": _uri,
    "url": _uri,
    "uri-reference": _uri_reference,
    "iri-reference": _uri_reference,
    "uriref": _uri_reference,
    "uri-template": _fixed(lambda rng: f"https://{_host(rng)}/{rng.choice(WORDS)}/{{id}}"),
    "uuid": _fixed(lambda rng: str(uuid.UUID(int=rng.getrandbits(128), version=4))),
    "json-pointer": lambda rng, min_length, _: (
        f"/{rng.choice(WORDS)}/{rng.randint(0, 9)}" + _letters(rng, max(0, min_length - 4))
    ),
    "relative-json-pointer": _fixed(lambda rng: f"{rng.randint(0, 3)}/{rng.choice(WORDS)}"),
    "regex": _fixed(lambda rng: rng.choice(REGEXES)),
    "byte": _base64,
    "password": _password,
    **dict.fromkeys(INTEGER_FORMAT_BOUNDS, _numeral),
    **dict.fromkeys(_DECIMAL_FORMATS, _decimal),
}


def knows_format(name: str) -> bool:
    """Whether `make_format` has a maker for `name`."""
    return name in _MAKERS


def make_format(name: str, rng: Random, min_length: int, max_length: int | None) -> str | None:
    """A string of format `name` within the lengths, or None when the format is unknown here
    or its values can't be that long or that short."""
    maker = _MAKERS.get(name)
    if maker is None:
        return None
    value = maker(rng, min_length, max_length)
    if value is None or not _fits(value, min_length, max_length):
        return None
    return value


def _lcm(steps: Sequence[Fraction]) -> Fraction:
    result = steps[0]
    for step in steps[1:]:
        result = Fraction(
            math.lcm(result.numerator, step.numerator),
            math.gcd(result.denominator, step.denominator),
        )
    return result


def _steps_below(value: Fraction | int, step: Fraction) -> int:
    """floor(value / step), in integers (Fraction division normalises, and is slow)."""
    return (value.numerator * step.denominator) // (value.denominator * step.numerator)


def _steps_above(value: Fraction | int, step: Fraction) -> int:
    """ceil(value / step)."""
    return -((-value.numerator * step.denominator) // (value.denominator * step.numerator))


def _multiple_between(
    rng: Random, low: Bound | None, high: Bound | None, step: Fraction, fractional: bool
) -> int | float | None:
    """A multiple of `step` between the bounds (not an integer when `fractional`), or None."""
    least = most = None
    if low is not None:
        least = (
            _steps_below(low.value, step) + 1 if low.exclusive else _steps_above(low.value, step)
        )
    if high is not None:
        most = (
            _steps_above(high.value, step) - 1 if high.exclusive else _steps_below(high.value, step)
        )
    if least is not None and most is not None and least > most:
        return None
    # a plausible window first: 1 to 1000, or from the lower bound, where the bounds allow
    start: Fraction | int = 1
    if low is not None:
        start = low.value if low.value > 1 else max(low.value, _ZERO)
    if high is not None and high.value < start:
        start = high.value - 1000 if low is None else max(low.value, high.value - 1000)
    first, last = _steps_above(start, step), _steps_below(start + 1000, step)
    first = first if least is None else max(first, least)
    last = last if most is None else min(last, most)
    if first > last:
        first = least if least is not None else (most or 0) - 3
        last = min(first + 1000, most) if most is not None else first + 3
    numerator, denominator = step.numerator, step.denominator
    for _ in range(8):
        scaled = rng.randint(first, last) * numerator
        if scaled % denominator == 0 and not fractional:
            return scaled // denominator
        if scaled % denominator:
            return (
                scaled / denominator
                if denominator < 2**53
                else float(Fraction(scaled, denominator))
            )
    return None


def make_number(
    rng: Random,
    *,
    low: Bound | None,
    high: Bound | None,
    multiples: Sequence[Fraction],
    formats: Sequence[str],
    integer: bool,
    fractional: bool,
) -> int | float | None:
    """A number within the bounds, a multiple of each of `multiples`, an integer when `integer`
    or an integer format says so, never integral when `fractional`; None when none exists."""
    for name in formats:
        if name in _FORMAT_BOUNDS:
            integer, fractional = True, False
            least, most = _FORMAT_BOUNDS[name]
            low, high = tighter(low, least, lower=True), tighter(high, most, lower=False)
    steps: Sequence[Fraction] = _DECIMAL_STEPS
    if integer:
        steps = [_lcm([*multiples, _ONE])] if multiples else [_ONE]
    elif multiples:
        steps = [_lcm(multiples)]
    for step in steps:
        value = _multiple_between(rng, low, high, step, fractional and not integer)
        if value is not None:
            return value
    return None
