"""Undo a response's Content-Encoding without ever holding more than the body cap.

Decisions:
- The client asks for `gzip, deflate` only and decodes exactly those (and `identity`); a body in
  another coding is an error rather than bytes handed on undecoded, which a schema check would
  misreport.
- Inflating is bounded with zlib's `max_length`, so a small compressed body that expands past the
  cap (a decompression bomb) is stopped at the cap plus one byte, never inflated whole.
- `deflate` is tried as zlib-wrapped (what RFC 9110 says) and then as raw deflate (what some
  servers send); gzip bodies of several members are joined.
"""

from __future__ import annotations

import zlib

ACCEPTED_ENCODINGS = "gzip, deflate"

_GZIP_WBITS = 16 + zlib.MAX_WBITS
_ZLIB_WBITS = zlib.MAX_WBITS
_RAW_DEFLATE_WBITS = -zlib.MAX_WBITS


class BodyOverLimit(Exception):
    """The decoded body is longer than the cap."""


class UndecodableBody(Exception):
    """The body is not valid in its Content-Encoding, or the coding is not supported."""


def _inflate_member(data: bytes, wbits: int, room: int) -> tuple[bytes, bytes]:
    """One compressed stream of `data` inflated, and what follows it."""
    inflater = zlib.decompressobj(wbits)
    inflated = inflater.decompress(data, room + 1)
    if len(inflated) > room:
        raise BodyOverLimit
    if not inflater.eof:
        raise UndecodableBody("the compressed body is cut short")
    return inflated, inflater.unused_data


def _gunzip(data: bytes, limit: int) -> bytes:
    output = bytearray()
    while data:
        inflated, data = _inflate_member(data, _GZIP_WBITS, limit - len(output))
        output += inflated
    return bytes(output)


def _inflate(data: bytes, limit: int) -> bytes:
    if not data:
        return data
    try:
        return _inflate_member(data, _ZLIB_WBITS, limit)[0]
    except zlib.error:
        return _inflate_member(data, _RAW_DEFLATE_WBITS, limit)[0]


def decode_body(body: bytes, content_encoding: str | None, limit: int) -> bytes:
    """`body` with the codings of its Content-Encoding header undone, at most `limit` bytes."""
    codings = [part.strip().lower() for part in (content_encoding or "").split(",")]
    for coding in reversed([coding for coding in codings if coding]):
        try:
            if coding in ("gzip", "x-gzip"):
                body = _gunzip(body, limit)
            elif coding == "deflate":
                body = _inflate(body, limit)
            elif coding != "identity":
                raise UndecodableBody(f"the body's Content-Encoding {coding!r} is not supported")
        except zlib.error as error:
            raise UndecodableBody(f"the body is not valid {coding}: {error}") from None
    if len(body) > limit:
        raise BodyOverLimit
    return body
