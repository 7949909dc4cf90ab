"""The caps of a send (body, deadline, connect time) and TLS to a pinned address."""

from __future__ import annotations

import asyncio
import gzip
import shutil
import socket
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from apidock.outbound.client import (
    OutboundClient,
    OutboundLimits,
    TransportFailed,
    describe_size,
)
from tests.outbound import Listener, Received, answering, resolving


async def _send(limits: OutboundLimits, target: Listener) -> bytes:
    outbound = OutboundClient(limits)
    try:
        fetched = await outbound.send("GET", target.url(), allow_hosts=[target.authority])
    finally:
        await outbound.aclose()
    return fetched.body


async def test_a_body_at_the_cap_is_read_and_one_past_it_is_refused() -> None:
    limits = OutboundLimits(total_seconds=5, max_body_bytes=1000)
    async with Listener(answering(body=b"x" * 1000)) as target:
        assert await _send(limits, target) == b"x" * 1000
    async with Listener(answering(body=b"x" * 1001)) as target:
        with pytest.raises(TransportFailed, match=r"^the body is over 1000 bytes$"):
            await _send(limits, target)


async def test_an_endless_body_is_stopped_at_the_cap_not_at_the_deadline() -> None:
    async def endless(_: Received, writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        chunk = b"x" * 65536
        while not writer.is_closing():
            writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            await writer.drain()

    limits = OutboundLimits(total_seconds=5, max_body_bytes=256 * 1024)
    async with Listener(endless) as target:
        with pytest.raises(TransportFailed, match=r"^the body is over 256 KiB$"):
            await _send(limits, target)


async def test_a_compressed_body_is_decoded_within_the_cap() -> None:
    limits = OutboundLimits(total_seconds=5, max_body_bytes=100_000)
    small = answering(headers=[("Content-Encoding", "gzip")], body=gzip.compress(b"a" * 99_000))
    async with Listener(small) as target:
        assert await _send(limits, target) == b"a" * 99_000
    bomb = answering(headers=[("Content-Encoding", "gzip")], body=gzip.compress(b"\0" * 10**7))
    async with Listener(bomb) as target:
        with pytest.raises(TransportFailed, match=r"^the body is over 100000 bytes$"):
            await _send(limits, target)


async def test_the_client_asks_only_for_codings_it_decodes() -> None:
    async with Listener() as target:
        await _send(OutboundLimits(total_seconds=5), target)
    assert target.requests[0].header("Accept-Encoding") == "gzip, deflate"


async def test_an_answer_that_dribbles_past_the_deadline_fails() -> None:
    async def dribble(_: Received, writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
        for _ in range(200):
            if writer.is_closing():
                return
            writer.write(b"x")
            await writer.drain()
            await asyncio.sleep(0.02)

    async with Listener(dribble) as target:
        with pytest.raises(TransportFailed, match=r"^no complete answer within 0\.3 s$"):
            await _send(OutboundLimits(total_seconds=0.3), target)


async def test_a_silent_service_fails_at_the_deadline() -> None:
    async def silent(_: Received, writer: asyncio.StreamWriter) -> None:
        for _ in range(250):
            if writer.is_closing():
                return
            await asyncio.sleep(0.02)

    async with Listener(silent) as target:
        with pytest.raises(TransportFailed, match=r"^no complete answer within 0\.2 s$"):
            await _send(OutboundLimits(total_seconds=0.2), target)


@pytest.fixture
def unaccepting_port() -> Iterator[int]:
    """A port whose listen queue is full, so a new connection waits; skipped where none does."""
    server = socket.socket()
    waiting = [server]
    try:
        server.bind(("127.0.0.1", 0))
        server.listen(0)
        port = server.getsockname()[1]
        for _ in range(8):
            client = socket.socket()
            waiting.append(client)
            client.settimeout(0.2)
            try:
                client.connect(("127.0.0.1", port))
            except TimeoutError:
                yield port
                return
        pytest.skip("this machine accepts every connection into the listen queue")
    finally:
        for sock in waiting:
            sock.close()


async def test_a_connection_that_is_not_accepted_in_time_fails(unaccepting_port: int) -> None:
    port = unaccepting_port
    outbound = OutboundClient(OutboundLimits(connect_seconds=0.2, total_seconds=5))
    try:
        with pytest.raises(TransportFailed, match=rf"^connecting to 127\.0\.0\.1:{port} took over"):
            await outbound.send(
                "GET", f"http://127.0.0.1:{port}/", allow_hosts=[f"127.0.0.1:{port}"]
            )
    finally:
        await outbound.aclose()


@pytest.mark.parametrize(
    ("size", "said"),
    [(10 * 1024 * 1024, "10 MiB"), (64 * 1024, "64 KiB"), (1 << 30, "1 GiB"), (1000, "1000 bytes")],
)
def test_sizes_are_said_as_people_say_them(size: int, said: str) -> None:
    assert describe_size(size) == said


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for api.test, made with the openssl command."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("no openssl command here to make a certificate")
    folder = tmp_path_factory.mktemp("tls")
    key, cert = folder / "key.pem", folder / "cert.pem"
    subprocess.run(
        [
            *(openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"),
            *("-nodes", "-days", "1", "-subj", "/CN=api.test", "-keyout", str(key)),
            *("-out", str(cert), "-addext", "subjectAltName=DNS:api.test"),
        ],
        check=True,
        capture_output=True,
        timeout=30,
    )
    return key, cert


def _tls(certificate: tuple[Path, Path]) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    key, cert = certificate
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert, key)
    return server, ssl.create_default_context(cafile=str(cert))


async def test_tls_checks_the_urls_host_while_connecting_to_the_checked_address(
    certificate: tuple[Path, Path],
) -> None:
    server, trusting = _tls(certificate)
    async with Listener(tls=server) as target:
        calls: list[tuple[str, int]] = []
        outbound = OutboundClient(
            OutboundLimits(total_seconds=5),
            resolve=resolving("127.0.0.1", calls=calls),
            verify=trusting,
        )
        url = f"https://api.test:{target.port}/secure"
        try:
            fetched = await outbound.send("GET", url, allow_hosts=[f"api.test:{target.port}"])
        finally:
            await outbound.aclose()
    assert (fetched.status, fetched.url) == (200, url)
    assert target.requests[0].header("Host") == f"api.test:{target.port}"
    assert calls == [("api.test", target.port)]


async def test_a_certificate_for_another_name_fails_the_handshake(
    certificate: tuple[Path, Path],
) -> None:
    server, trusting = _tls(certificate)
    async with Listener(tls=server) as target:
        outbound = OutboundClient(
            OutboundLimits(total_seconds=5), resolve=resolving("127.0.0.1"), verify=trusting
        )
        try:
            with pytest.raises(TransportFailed, match=r"^the TLS handshake with other\.test"):
                await outbound.send(
                    "GET",
                    f"https://other.test:{target.port}/",
                    allow_hosts=[f"other.test:{target.port}"],
                )
        finally:
            await outbound.aclose()
    assert target.requests == []
