"""Content-Encoding undone within the body cap, bombs and broken bodies stopped."""

from __future__ import annotations

import gzip
import zlib

import pytest

from apidock.outbound.decoding import BodyOverLimit, UndecodableBody, decode_body

BODY = b'{"id": 1, "name": "widget"}' * 20


def _raw_deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


@pytest.mark.parametrize(
    ("encoded", "content_encoding"),
    [
        (BODY, None),
        (BODY, ""),
        (BODY, "identity"),
        (gzip.compress(BODY, mtime=0), "gzip"),
        (gzip.compress(BODY, mtime=0), "X-GZIP"),
        (zlib.compress(BODY), "deflate"),
        (_raw_deflate(BODY), "deflate"),
        (gzip.compress(BODY[:100], mtime=0) + gzip.compress(BODY[100:], mtime=0), "gzip"),
        (gzip.compress(zlib.compress(BODY), mtime=0), "deflate, gzip"),
        (gzip.compress(BODY, mtime=0), "identity, gzip"),
    ],
)
def test_each_supported_coding_is_undone(encoded: bytes, content_encoding: str | None) -> None:
    assert decode_body(encoded, content_encoding, limit=len(BODY)) == BODY


def test_an_empty_body_needs_no_decoding_whatever_its_coding() -> None:
    assert decode_body(b"", "gzip", limit=10) == b""


def test_a_compressed_body_may_not_inflate_past_the_cap() -> None:
    bomb = gzip.compress(b"\0" * (8 * 1024 * 1024), mtime=0)
    assert len(bomb) < 16 * 1024
    with pytest.raises(BodyOverLimit):
        decode_body(bomb, "gzip", limit=1000)
    with pytest.raises(BodyOverLimit):
        decode_body(zlib.compress(b"\0" * 5000), "deflate", limit=4999)


def test_the_cap_counts_every_gzip_member() -> None:
    two_members = gzip.compress(b"a" * 600, mtime=0) + gzip.compress(b"b" * 600, mtime=0)
    with pytest.raises(BodyOverLimit):
        decode_body(two_members, "gzip", limit=1000)


def test_an_undecoded_body_over_the_cap_is_refused_too() -> None:
    with pytest.raises(BodyOverLimit):
        decode_body(b"x" * 11, None, limit=10)
    assert decode_body(b"x" * 10, None, limit=10) == b"x" * 10


@pytest.mark.parametrize(
    ("encoded", "content_encoding", "says"),
    [
        (b"not gzip at all", "gzip", "not valid gzip"),
        (gzip.compress(BODY, mtime=0)[:-12], "gzip", "cut short"),
        (gzip.compress(BODY, mtime=0) + b"trailing", "gzip", "not valid gzip"),
        (b"\xff\xfe\xfd", "deflate", "not valid deflate"),
        (BODY, "br", "'br' is not supported"),
        (BODY, "gzip, compress", "'compress' is not supported"),
    ],
)
def test_a_broken_or_unsupported_body_is_refused(
    encoded: bytes, content_encoding: str, says: str
) -> None:
    with pytest.raises(UndecodableBody, match=says):
        decode_body(encoded, content_encoding, limit=10 * len(BODY))
