"""What a mock request asks for: its `Prefer` (RFC 7240) and `x-mock-response-*` headers, and
which documented media type its `Accept` (RFC 9110) takes.

Decisions:
- `Prefer` is a comma-separated list of `name[=value]` with `;` parameters (ignored); values
  may be quoted strings. Names are case-insensitive and the first instance of a name counts
  (RFC 7240, section 2). Preferences other than `code`, `example`, `dynamic`, `seed` and
  `validate` are ignored, as RFC 7240 asks of ones a server does not know; a known one with a
  value it cannot take (`code=abc`, `dynamic=maybe`) is refused, and so is an unterminated
  quoted string: `PreferenceRefused`, a 400. `x-mock-response-code` and `x-mock-response-name`
  say the same as `code` and `example`; `Prefer` wins when both are sent.
- `code` is a status of 100 to 599; `seed` an integer of at most 40 digits (it is hashed, so
  its size costs nothing); `example` a name of at most `MAX_NAME` characters.
- Accept: each range is `type/subtype` or `type/*` or `*/*` with an optional `q` (0 to 1, at
  most three decimals); other parameters are ignored, as SPEC says. A range that does not
  parse, or whose q does not, is skipped; an `Accept` of nothing usable is as if absent. A
  documented type takes the q of the most specific range that matches it; the documented type
  with the highest q wins, then the one matched most specifically, then document order. q=0
  means "not this". So with no `Accept`, or `*/*`, the first documented type is answered.
- A documented media type range (`application/*`, `*/*` in a description) is answered as a
  concrete type: the request's own type when it names one inside the range, else the range's
  usual type (`application/json` for `*/*` and `application/*`, `text/plain` for `text/*`;
  see `_USUAL`), which must itself be acceptable; failing that, `application/json`,
  `text/plain` or `application/octet-stream` when they are in the range and acceptable.
- A header longer than `MAX_HEADER` characters, or an `Accept` of more than `MAX_RANGES`
  ranges, is refused (400) before it is read: choosing is then at most a few thousand steps.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

MAX_HEADER = 4096
MAX_RANGES = 64
MAX_NAME = 256

_CODE = re.compile(r"[1-5][0-9]{2}")
_SEED = re.compile(r"-?[0-9]{1,40}")
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_Q = re.compile(r"(?:0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?)")
_BOOLEANS = {"true": True, "false": False}
_USUAL = {
    "*": "application/json",
    "application": "application/json",
    "text": "text/plain",
    "image": "image/png",
    "audio": "audio/mpeg",
    "video": "video/mp4",
    "font": "font/woff2",
    "multipart": "multipart/mixed",
}
_FALLBACK = "application/octet-stream"
_LAST_RESORTS = ("application/json", "text/plain", _FALLBACK)


class PreferenceRefused(Exception):
    """A `Prefer`, `Accept` or `x-mock-response-*` header that cannot be read (400)."""


@dataclass(frozen=True, slots=True)
class Preferences:
    """What a request prefers; None where it says nothing."""

    code: int | None = None
    example: str | None = None
    dynamic: bool | None = None
    seed: str | None = None
    validate: bool = False


NO_PREFERENCES = Preferences()


def preferences_of(headers: Mapping[str, str]) -> Preferences:
    """The preferences of a request's (lower-case) headers; raises PreferenceRefused."""
    prefer = headers.get("prefer")
    code_header = headers.get("x-mock-response-code")
    name_header = headers.get("x-mock-response-name")
    if prefer is None and code_header is None and name_header is None:
        return NO_PREFERENCES
    values = _prefer_values(prefer) if prefer is not None else {}
    code_text = values.get("code", code_header)
    example = values.get("example", name_header)
    return Preferences(
        code=None if code_text is None else _code(code_text),
        example=None if example is None else _example(example),
        dynamic=_boolean(values, "dynamic"),
        seed=_seed(values.get("seed")),
        validate=_boolean(values, "validate") or False,
    )


def _prefer_values(header: str) -> dict[str, str]:
    if len(header) > MAX_HEADER:
        raise PreferenceRefused(f"The Prefer header is longer than {MAX_HEADER} characters")
    values: dict[str, str] = {}
    for preference in _split(header, ","):
        head = _split(preference, ";")[0]
        name, equals, value = head.partition("=")
        name = name.strip().lower()
        if name and name not in values:
            values[name] = _unquoted(value.strip()) if equals else ""
    return values


def _split(text: str, separator: str) -> list[str]:
    """`text` cut at each `separator` outside quoted strings; raises for an open quote."""
    if '"' not in text:
        return text.split(separator)
    parts: list[str] = []
    start = 0
    quoted = escaped = False
    for index, character in enumerate(text):
        if escaped:
            escaped = False
        elif quoted:
            if character == "\\":
                escaped = True
            elif character == '"':
                quoted = False
        elif character == '"':
            quoted = True
        elif character == separator:
            parts.append(text[start:index])
            start = index + 1
    if quoted:
        raise PreferenceRefused("The Prefer header has a quoted string that is not closed")
    parts.append(text[start:])
    return parts


def _unquoted(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    return value


def _code(text: str) -> int:
    text = text.strip()
    if not _CODE.fullmatch(text):
        raise PreferenceRefused("code must be an HTTP status code, 100 to 599")
    return int(text)


def _example(text: str) -> str:
    text = text.strip()
    if not text or len(text) > MAX_NAME:
        raise PreferenceRefused(f"example must be a name of 1 to {MAX_NAME} characters")
    return text


def _boolean(values: Mapping[str, str], name: str) -> bool | None:
    text = values.get(name)
    if text is None:
        return None
    value = _BOOLEANS.get(text.strip().lower())
    if value is None:
        raise PreferenceRefused(f"{name} must be true or false")
    return value


def _seed(text: str | None) -> str | None:
    if text is None:
        return None
    text = text.strip()
    if not _SEED.fullmatch(text):
        raise PreferenceRefused("seed must be an integer of at most 40 digits")
    return str(int(text))


@dataclass(frozen=True, slots=True)
class MediaRange:
    """One range of an `Accept` header: `type/subtype` (lower case, `*` for any) and its q."""

    type: str
    subtype: str
    q: float

    @property
    def specificity(self) -> int:
        return 0 if self.type == "*" else 1 if self.subtype == "*" else 2

    def covers(self, type_: str, subtype: str) -> bool:
        """Whether the concrete type `type_/subtype` is in this range."""
        return self.type in ("*", type_) and self.subtype in ("*", subtype)


def accept_ranges(header: str | None) -> tuple[MediaRange, ...] | None:
    """The usable ranges of an `Accept` header, or None when any type goes (absent, or
    nothing in it parses). Raises PreferenceRefused for one longer than `MAX_HEADER`."""
    if header is None:
        return None
    if len(header) > MAX_HEADER:
        raise PreferenceRefused(f"The Accept header is longer than {MAX_HEADER} characters")
    entries = header.split(",")
    if len(entries) > MAX_RANGES:
        raise PreferenceRefused(f"The Accept header lists more than {MAX_RANGES} media ranges")
    ranges: list[MediaRange] = []
    for entry in entries:
        found = _media_range(entry)
        if found is not None:
            ranges.append(found)
    return tuple(ranges) or None


def _media_range(entry: str) -> MediaRange | None:
    name, *parameters = entry.split(";")
    type_, slash, subtype = name.strip().lower().partition("/")
    if not slash or not _TOKEN.fullmatch(type_) or not _TOKEN.fullmatch(subtype):
        return None
    if type_ == "*" and subtype != "*":
        return None
    q = 1.0
    for parameter in parameters:
        key, _, value = parameter.partition("=")
        if key.strip().lower() == "q":
            value = value.strip()
            if not _Q.fullmatch(value):
                return None
            q = float(value)
    return MediaRange(type_, subtype, q)


def essence(media_type: str) -> tuple[str, str]:
    """`type` and `subtype` of a media type (or range), lower case, parameters dropped."""
    type_, _, subtype = media_type.split(";", 1)[0].strip().lower().partition("/")
    return type_ or "*", subtype or "*"


def choose_media_type(
    ranges: tuple[MediaRange, ...] | None, documented: Sequence[str]
) -> tuple[int, str] | None:
    """The documented media type to answer (its index in `documented`) and the concrete
    Content-Type to send, or None when `Accept` takes none of them (406)."""
    best: tuple[float, int, int, str] | None = None
    for index, media_type in enumerate(documented):
        for content_type in _candidates(media_type, ranges):
            score = _score(content_type, ranges)
            if score is None:
                continue
            q, specificity = score
            # higher q, then a more specific match, then document order (lower index)
            if best is None or (q, specificity, -index) > (best[0], best[1], -best[2]):
                best = (q, specificity, index, content_type)
    return None if best is None else (best[2], best[3])


def _candidates(media_type: str, ranges: tuple[MediaRange, ...] | None) -> list[str]:
    """The concrete types that answering with `media_type` may send."""
    type_, subtype = essence(media_type)
    if type_ != "*" and subtype != "*":
        return [media_type.strip()]
    within = MediaRange(type_, subtype, 1.0)
    found = [
        f"{accepted.type}/{accepted.subtype}"
        for accepted in ranges or ()
        if accepted.specificity == 2 and within.covers(accepted.type, accepted.subtype)
    ]
    usual = [
        _USUAL.get(accepted.type if type_ == "*" else type_, _FALLBACK)
        for accepted in ranges or (within,)
    ]
    for candidate in (*usual, *_LAST_RESORTS):
        if within.covers(*essence(candidate)) and candidate not in found:
            found.append(candidate)
    return found


def _score(content_type: str, ranges: tuple[MediaRange, ...] | None) -> tuple[float, int] | None:
    """The q of the most specific range taking `content_type`, and that specificity; None
    when no range takes it or its q is 0."""
    if ranges is None:
        return (1.0, 0)
    type_, subtype = essence(content_type)
    matched = [accepted for accepted in ranges if accepted.covers(type_, subtype)]
    if not matched:
        return None
    most_specific = max(matched, key=lambda accepted: accepted.specificity)
    if most_specific.q <= 0:
        return None
    return (most_specific.q, most_specific.specificity)
