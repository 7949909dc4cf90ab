"""Redirects: off by default, each hop checked again, methods changed as browsers change them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from apidock.outbound.client import OutboundClient, OutboundLimits, TransportFailed
from apidock.outbound.guard import Refused
from tests.outbound import Listener, Received, Respond, answering, response_bytes


def routes(table: dict[str, tuple[int, list[tuple[str, str]]]]) -> Respond:
    """Answers by path: (status, headers) from `table`, 200 "final" for any other path."""

    async def respond(request: Received, writer: asyncio.StreamWriter) -> None:
        status, headers = table.get(request.target, (200, []))
        writer.write(response_bytes(status, headers, b"final" if status == 200 else b""))
        await writer.drain()

    return respond


def redirect(status: int, location: str) -> tuple[int, list[tuple[str, str]]]:
    return status, [("Location", location)]


@pytest.fixture
async def client() -> AsyncIterator[OutboundClient]:
    outbound = OutboundClient(OutboundLimits(total_seconds=5, max_redirects=3))
    yield outbound
    await outbound.aclose()


async def test_a_redirect_is_the_answer_unless_following_is_asked(client: OutboundClient) -> None:
    async with Listener(routes({"/start": redirect(302, "/final")})) as target:
        fetched = await client.send("GET", target.url("/start"), allow_hosts=[target.authority])
    assert fetched.status == 302
    assert ("Location", "/final") in fetched.headers
    assert fetched.redirects == []
    assert [r.target for r in target.requests] == ["/start"]


async def test_followed_redirects_resolve_each_location_against_the_current_url(
    client: OutboundClient,
) -> None:
    table = {"/a/start": redirect(301, "next?x=1"), "/a/next?x=1": redirect(302, "../final")}
    async with Listener(routes(table)) as target:
        fetched = await client.send(
            "GET", target.url("/a/start"), allow_hosts=[target.authority], follow_redirects=True
        )
    assert (fetched.status, fetched.body, fetched.url) == (200, b"final", target.url("/final"))
    assert fetched.redirects == [target.url("/a/start"), target.url("/a/next?x=1")]
    assert [r.target for r in target.requests] == ["/a/start", "/a/next?x=1", "/final"]


async def test_a_redirect_to_a_target_not_allowed_is_refused_with_nothing_sent_to_it(
    client: OutboundClient,
) -> None:
    async with Listener() as elsewhere:
        table = {"/start": redirect(302, elsewhere.url("/steal"))}
        async with Listener(routes(table)) as allowed:
            with pytest.raises(Refused) as refused:
                await client.send(
                    "GET",
                    allowed.url("/start"),
                    allow_hosts=[allowed.authority],
                    follow_redirects=True,
                )
    assert refused.value.rule == "loopback"
    assert f"'127.0.0.1:{elsewhere.port}' is not in" in refused.value.message
    assert elsewhere.connections == 0
    assert [r.target for r in allowed.requests] == ["/start"]


@pytest.mark.parametrize(
    ("location", "rule"),
    [
        ("http://0177.0.0.1:{port}/", "loopback"),
        ("http://2130706433:{port}/", "loopback"),
        ("http://[::ffff:127.0.0.1]:{port}/", "loopback"),
        ("http://169.254.169.254/latest/meta-data/", "metadata"),
        ("ftp://127.0.0.1:{port}/", "scheme"),
        ("file:///etc/passwd", "scheme"),
        ("http://[v1.x]/", "invalid-url"),
    ],
)
async def test_every_hop_is_checked_again(location: str, rule: str, client: OutboundClient) -> None:
    async with Listener() as elsewhere:
        table = {"/start": redirect(307, location.format(port=elsewhere.port))}
        async with Listener(routes(table)) as allowed:
            with pytest.raises(Refused) as refused:
                await client.send(
                    "GET",
                    allowed.url("/start"),
                    allow_hosts=[allowed.authority],
                    follow_redirects=True,
                )
    assert refused.value.rule == rule
    assert elsewhere.connections == 0


@pytest.mark.parametrize(
    ("status", "method", "then_method", "body_kept"),
    [
        (307, "POST", "POST", True),
        (308, "PUT", "PUT", True),
        (303, "POST", "GET", False),
        (303, "PUT", "GET", False),
        (303, "HEAD", "HEAD", True),  # nothing to drop: HEAD stays HEAD
        (301, "POST", "GET", False),
        (302, "POST", "GET", False),
        (302, "PUT", "PUT", True),
    ],
)
async def test_methods_and_bodies_follow_as_in_browsers(
    status: int, method: str, then_method: str, body_kept: bool, client: OutboundClient
) -> None:
    async with Listener(routes({"/start": redirect(status, "/next")})) as target:
        await client.send(
            method,
            target.url("/start"),
            headers=[("Content-Type", "application/json"), ("X-Request", "1")],
            content=None if method == "HEAD" else b'{"a": 1}',
            allow_hosts=[target.authority],
            follow_redirects=True,
        )
    first, then = target.requests
    assert then.method == then_method
    assert then.header("X-Request") == "1"
    if body_kept:
        assert (then.body, then.header("Content-Type")) == (first.body, "application/json")
    else:
        assert (then.body, then.header("Content-Type")) == (b"", None)


async def test_too_many_redirects_fail(client: OutboundClient) -> None:
    async with Listener(routes({"/loop": redirect(302, "/loop")})) as target:
        with pytest.raises(TransportFailed, match=r"^more than 3 redirects$"):
            await client.send(
                "GET", target.url("/loop"), allow_hosts=[target.authority], follow_redirects=True
            )
    assert len(target.requests) == 4


async def test_credentials_stay_with_their_origin(client: OutboundClient) -> None:
    credentials = [("Authorization", "Bearer t"), ("Cookie", "s=1"), ("X-Trace", "kept")]
    async with Listener() as other:
        table = {"/start": redirect(302, "/same"), "/same": redirect(302, other.url("/other"))}
        async with Listener(routes(table)) as first:
            await client.send(
                "GET",
                first.url("/start"),
                headers=credentials,
                allow_hosts=[first.authority, other.authority],
                follow_redirects=True,
            )
    assert [r.header("Authorization") for r in first.requests] == ["Bearer t", "Bearer t"]
    [moved] = other.requests
    assert (moved.header("Authorization"), moved.header("Cookie")) == (None, None)
    assert moved.header("X-Trace") == "kept"


async def test_a_redirect_without_location_is_the_answer(client: OutboundClient) -> None:
    async with Listener(answering(302, body=b"")) as target:
        fetched = await client.send(
            "GET", target.url(), allow_hosts=[target.authority], follow_redirects=True
        )
    assert fetched.status == 302
    assert len(target.requests) == 1
