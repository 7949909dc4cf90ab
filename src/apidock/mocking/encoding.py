"""Values made into the bytes of a mock body and the text of a mock header.

Decisions:
- A JSON media type (`application/json`, any `+json` suffix) gets compact JSON in UTF-8. JSON
  that orjson cannot write (an integer past 64 bits, a lone surrogate) is written by the
  standard library instead, ASCII-escaped, so any JSON value of a document can be answered.
- Any other type: a string as its UTF-8 bytes (a lone surrogate replaced), anything else as
  JSON; `text/*` types answered without a charset say `charset=utf-8`.
- A header value is the "simple" style of OpenAPI: an array's items comma-joined, an object's
  members `key,value,…` (or `key=value,…` when `explode` is true), a scalar as its JSON text
  (a string as it is). What reaches the HTTP layer is only visible ASCII, space and tab:
  control characters (CR and LF included) are dropped and other characters are
  percent-encoded as UTF-8, so a description can never split or add a header.
- A documented header is sent only when its name is an HTTP token, and never one of
  `FORBIDDEN_HEADERS` (what the HTTP layer sets, hop-by-hop ones, and `content-encoding`,
  which would make clients decode a body that is not encoded).
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

import orjson

from apidock.mocking.negotiation import essence

FORBIDDEN_HEADERS = frozenset(
    {
        "set-cookie",
        "cache-control",
        "content-length",
        "content-type",
        "content-security-policy",
        "x-content-type-options",
        "connection",
        "keep-alive",
        "transfer-encoding",
        "te",
        "trailer",
        "upgrade",
        "proxy-connection",
        "content-encoding",
    }
)
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
# visible ASCII, space and tab stay; everything else is percent-encoded
_HEADER_SAFE = "".join(chr(code) for code in range(0x20, 0x7F)) + "\t"


def is_json_type(content_type: str) -> bool:
    """Whether `content_type` is JSON: `application/json` or a `+json` structured type."""
    type_, subtype = essence(content_type)
    return (type_ == "application" and subtype == "json") or subtype.endswith("+json")


def json_bytes(value: Any) -> bytes:
    """`value` as compact JSON in UTF-8."""
    try:
        return orjson.dumps(value)
    except (orjson.JSONEncodeError, TypeError):
        return json.dumps(value, separators=(",", ":")).encode("ascii")


def body_bytes(value: Any, content_type: str) -> bytes:
    """The body answering `value` as `content_type` (see the module's doc)."""
    if isinstance(value, str) and not is_json_type(content_type):
        return value.encode("utf-8", errors="replace")
    return json_bytes(value)


def with_charset(content_type: str) -> str:
    """`content_type`, with `charset=utf-8` added to a `text/*` type that has no charset."""
    if essence(content_type)[0] == "text" and "charset=" not in content_type.lower():
        return content_type + "; charset=utf-8"
    return content_type


def header_name(name: Any) -> str | None:
    """The lower-case name a documented header is sent under, or None when it is not sent."""
    if not isinstance(name, str) or not _HEADER_NAME.fullmatch(name):
        return None
    lowered = name.lower()
    if lowered in FORBIDDEN_HEADERS or lowered.startswith("access-control-"):
        return None
    return lowered


def header_text(value: Any, *, explode: bool = False) -> str:
    """`value` as a header's text, in the simple style, made safe (see the module's doc)."""
    if isinstance(value, list):
        text = ",".join(_scalar_text(item) for item in value)
    elif isinstance(value, dict):
        joined = "=" if explode else ","
        text = ",".join(f"{key}{joined}{_scalar_text(item)}" for key, item in value.items())
    else:
        text = _scalar_text(value)
    return safe_header_text(text)


def safe_header_text(text: str) -> str:
    """`text` with control characters dropped and non-ASCII ones percent-encoded."""
    text = _CONTROL.sub("", text)
    if text.isascii():
        return text.strip()
    return quote(text, safe=_HEADER_SAFE, errors="surrogatepass").strip()


def _scalar_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    return json_bytes(value).decode("utf-8")
