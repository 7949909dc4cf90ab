"""The client against local listeners: refusals send nothing, allowed targets work, pinned."""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import AsyncIterator
from pathlib import Path

import httpcore
import pytest

from apidock.outbound.client import OutboundClient, OutboundLimits, TransportFailed
from apidock.outbound.guard import Refused, Target
from apidock.outbound.pinning import PinnedBackend, PinnedPools
from tests.outbound import Listener, Received, answering, resolving

LIMITS = OutboundLimits(connect_seconds=2.0, total_seconds=5.0)


@pytest.fixture
async def client() -> AsyncIterator[OutboundClient]:
    outbound = OutboundClient(LIMITS)
    yield outbound
    await outbound.aclose()


@pytest.fixture
async def listener() -> AsyncIterator[Listener]:
    async with Listener() as started:
        yield started


@pytest.fixture
async def ipv6_listener(listener: Listener) -> AsyncIterator[Listener | None]:
    """A second listener on [::1] at the same port, where this machine has IPv6 loopback."""
    try:
        async with Listener(host="::1", port=listener.port) as started:
            yield started
    except OSError:
        yield None


REFUSED_SPELLINGS = [
    "http://localhost:{port}/",
    "http://LOCALHOST:{port}/",
    "http://127.0.0.1:{port}/",
    "https://127.0.0.1:{port}/",
    "http://2130706433:{port}/",
    "http://0x7f000001:{port}/",
    "http://0177.0.0.1:{port}/",
    "http://127.1:{port}/",
    "http://0x7f.1:{port}/",
    "http://127.0.0.1.:{port}/",
    "http://[::1]:{port}/",
    "http://[::ffff:127.0.0.1]:{port}/",
    "http://[::ffff:7f00:1]:{port}/",
    "http://[::127.0.0.1]:{port}/",
    "http://[64:ff9b::127.0.0.1]:{port}/",
    "http://[2002:7f00:1::]:{port}/",
    "http://0.0.0.0:{port}/",
    "http://0:{port}/",
    "http://[::]:{port}/",
]


@pytest.mark.parametrize("template", REFUSED_SPELLINGS)
async def test_every_spelling_of_this_machine_is_refused_with_nothing_sent(
    template: str, client: OutboundClient, listener: Listener, ipv6_listener: Listener | None
) -> None:
    url = template.format(port=listener.port)
    with pytest.raises(Refused) as refused:
        await client.send("GET", url, allow_hosts=[f"127.0.0.1:{listener.port + 1}"])
    assert refused.value.rule in {"loopback", "unspecified"}
    assert "is not in the environment's allow_hosts" in refused.value.message
    assert listener.connections == 0
    assert ipv6_listener is None or ipv6_listener.connections == 0


async def test_a_name_resolving_to_this_machine_is_refused_with_nothing_sent(
    listener: Listener,
) -> None:
    outbound = OutboundClient(LIMITS, resolve=resolving("127.0.0.1"))
    with pytest.raises(Refused, match=r"api\.test resolves to 127\.0\.0\.1, a loopback address"):
        await outbound.send("POST", f"http://api.test:{listener.port}/", content=b"{}")
    assert listener.connections == 0


@pytest.mark.parametrize(
    "template", ["ftp://127.0.0.1:{port}/", "gopher://127.0.0.1:{port}/_GET", "file:///etc/passwd"]
)
async def test_other_schemes_are_refused_even_to_an_allowed_port(
    template: str, client: OutboundClient, listener: Listener
) -> None:
    with pytest.raises(Refused) as refused:
        await client.send(
            "GET", template.format(port=listener.port), allow_hosts=[listener.authority]
        )
    assert refused.value.rule == "scheme"
    assert listener.connections == 0


async def test_an_allow_listed_address_gets_the_request_and_gives_the_answer(
    client: OutboundClient,
) -> None:
    respond = answering(201, [("Content-Type", "application/json"), ("X-Trace", "t-1")], b"{}")
    async with Listener(respond) as target:
        fetched = await client.send(
            "post",
            target.url("/items?page=2"),
            headers=[("Content-Type", "application/json"), ("X-Api-Key", "k")],
            content=b'{"name": "widget"}',
            allow_hosts=[target.authority],
        )
    assert (fetched.status, fetched.body, fetched.url) == (201, b"{}", target.url("/items?page=2"))
    assert ("X-Trace", "t-1") in fetched.headers
    assert fetched.redirects == []
    assert fetched.elapsed_ms > 0
    [received] = target.requests
    assert (received.method, received.target) == ("POST", "/items?page=2")
    assert received.header("Host") == target.authority
    assert received.header("X-Api-Key") == "k"
    assert received.header("Content-Length") == "18"
    assert received.body == b'{"name": "widget"}'


async def test_a_name_is_connected_to_its_checked_address_and_keeps_its_host_header(
    listener: Listener,
) -> None:
    calls: list[tuple[str, int]] = []
    outbound = OutboundClient(LIMITS, resolve=resolving("127.0.0.1", calls=calls))
    try:
        fetched = await outbound.send(
            "GET", f"http://api.test:{listener.port}/", allow_hosts=[f"api.test:{listener.port}"]
        )
    finally:
        await outbound.aclose()
    assert fetched.status == 200
    assert listener.requests[0].header("Host") == f"api.test:{listener.port}"
    assert calls == [("api.test", listener.port)]


async def test_a_kept_connection_is_never_reused_for_another_checked_address(
    listener: Listener,
) -> None:
    try:
        second = Listener(host="127.0.0.2", port=listener.port)
        await second.__aenter__()
    except OSError:
        pytest.skip("127.0.0.2 cannot be bound here")
    answers = iter([["127.0.0.1"], ["127.0.0.2"], ["127.0.0.1"]])

    async def rebinding(host: str, port: int) -> list[str]:
        return next(answers)

    outbound = OutboundClient(LIMITS, resolve=rebinding)
    allow = [f"api.test:{listener.port}"]
    try:
        for _ in range(3):
            await outbound.send("GET", f"http://api.test:{listener.port}/", allow_hosts=allow)
    finally:
        await outbound.aclose()
        await second.__aexit__(None, None, None)
    assert (len(listener.requests), len(second.requests)) == (2, 1)
    assert (listener.connections, second.connections) == (1, 1)


async def test_concurrent_sends_through_one_client_reach_their_own_targets(
    client: OutboundClient,
) -> None:
    async with Listener() as first, Listener() as second:
        allow = [first.authority, second.authority]
        sends = [
            client.send("GET", (first if n % 2 else second).url(f"/{n}"), allow_hosts=allow)
            for n in range(20)
        ]
        fetched = await asyncio.gather(*sends)
    assert all(answer.status == 200 for answer in fetched)
    assert sorted(int(r.target[1:]) for r in first.requests) == list(range(1, 20, 2))
    assert sorted(int(r.target[1:]) for r in second.requests) == list(range(0, 20, 2))


async def test_the_caller_cannot_write_the_host_or_the_framing(
    client: OutboundClient, listener: Listener
) -> None:
    await client.send(
        "PUT",
        listener.url(),
        headers=[("Host", "internal.admin"), ("Content-Length", "999"), ("Transfer-Encoding", "x")],
        content=b"abc",
        allow_hosts=[listener.authority],
    )
    [received] = listener.requests
    assert received.header("Host") == listener.authority
    assert received.header("Content-Length") == "3"
    assert received.header("Transfer-Encoding") is None
    assert received.body == b"abc"


@pytest.mark.parametrize(
    "header", [("X-Key", "secret\r\nInjected: 1"), ("Bad Name", "v"), ("X-Key", "a\0b")]
)
async def test_an_invalid_header_is_refused_before_anything_is_sent(
    header: tuple[str, str], client: OutboundClient, listener: Listener
) -> None:
    with pytest.raises(TransportFailed) as failed:
        await client.send("GET", listener.url(), headers=[header], allow_hosts=[listener.authority])
    assert "secret" not in failed.value.message
    assert listener.connections == 0


async def test_proxy_settings_and_netrc_in_the_environment_are_ignored(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, client: OutboundClient, listener: Listener
) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login user password hunter2\n")
    async with Listener() as proxy:
        for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "all_proxy"):
            monkeypatch.setenv(name, proxy.url())
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        monkeypatch.setenv("NETRC", str(netrc))
        fetched = await client.send("GET", listener.url(), allow_hosts=[listener.authority])
    assert fetched.status == 200
    assert proxy.connections == 0
    assert listener.requests[0].header("Authorization") is None


async def test_no_cookie_is_kept_between_requests(client: OutboundClient) -> None:
    async with Listener(answering(headers=[("Set-Cookie", "session=abc; Path=/")])) as target:
        for _ in range(2):
            await client.send("GET", target.url(), allow_hosts=[target.authority])
    assert [r.header("Cookie") for r in target.requests] == [None, None]


async def test_a_closed_port_is_a_transport_failure(client: OutboundClient) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(TransportFailed, match=f"could not connect to 127.0.0.1:{port}"):
        await client.send("GET", f"http://127.0.0.1:{port}/", allow_hosts=[f"127.0.0.1:{port}"])


async def test_an_answer_that_is_not_http_is_a_transport_failure(client: OutboundClient) -> None:
    async def garbage(_: Received, writer: asyncio.StreamWriter) -> None:
        writer.write(b"SSH-2.0-OpenSSH_9.6\r\n\r\n")
        await writer.drain()
        writer.close()

    async with Listener(garbage) as target:
        with pytest.raises(TransportFailed, match=r"the exchange with 127\.0\.0\.1"):
            await client.send("GET", target.url(), allow_hosts=[target.authority])


async def test_the_backend_connects_to_the_checked_address_whatever_the_host(
    listener: Listener,
) -> None:
    target = Target(scheme="http", host="api.test", port=listener.port, address="127.0.0.1")
    backend = PinnedBackend(target)
    stream = await backend.connect_tcp("api.test", listener.port, timeout=2)
    await stream.aclose()
    with pytest.raises(httpcore.ConnectError, match="is not the checked target"):
        await backend.connect_tcp("other.test", listener.port, timeout=2)
    with pytest.raises(httpcore.ConnectError, match="never use a Unix socket"):
        await backend.connect_unix_socket("/var/run/docker.sock")
    await asyncio.sleep(0.05)
    assert listener.connections == 1


async def test_idle_pools_past_the_cap_are_closed_and_busy_ones_kept() -> None:
    pools = PinnedPools(ssl.create_default_context(), max_pools=1)
    targets = [Target("http", f"h{n}.test", 80, f"10.0.0.{n}") for n in range(3)]
    async with pools.pool_for(targets[0]):
        async with pools.pool_for(targets[1]):
            assert len(pools) == 2
        async with pools.pool_for(targets[2]):
            assert len(pools) == 2
    async with pools.pool_for(targets[1]):
        assert len(pools) == 1
    await pools.aclose()
    assert len(pools) == 0
