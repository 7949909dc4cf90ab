"""The guard's decisions: what is refused and why, what is allowed, how URLs are read.

Addresses off this machine are given by an injected resolver and only judged here: nothing in
this module opens a connection.
"""

from __future__ import annotations

import socket

import httpx
import pytest

from apidock.outbound.guard import (
    Refused,
    Target,
    check_target,
    check_url,
    normalise_allow_host,
)
from tests.outbound import resolving


async def _never_called(host: str, port: int) -> list[str]:
    raise AssertionError(f"{host}:{port} was resolved")


@pytest.mark.parametrize(
    ("address", "rule"),
    [
        ("10.0.0.5", "private"),
        ("172.20.1.1", "private"),
        ("192.168.0.10", "private"),
        ("169.254.169.254", "metadata"),
        ("fd00:ec2::254", "metadata"),
        ("100.100.100.200", "metadata"),
        ("169.254.3.4", "link-local"),
        ("fe80::1%eth0", "link-local"),
        ("100.64.1.1", "cgnat"),
        ("224.0.0.251", "multicast"),
        ("240.0.0.1", "reserved"),
        ("0.0.0.0", "unspecified"),  # noqa: S104 (an address judged, not bound)
        ("::ffff:10.0.0.5", "private"),
        ("127.0.0.1", "loopback"),
    ],
)
async def test_a_name_resolving_to_a_non_public_address_is_refused(address: str, rule: str) -> None:
    with pytest.raises(Refused) as refused:
        await check_target("https://api.example.com/v1", (), resolve=resolving(address))
    assert refused.value.rule == rule
    assert "api.example.com resolves to" in refused.value.message
    assert "'api.example.com:443' is not in the environment's allow_hosts" in refused.value.message


@pytest.mark.parametrize(
    "addresses",
    [("93.184.215.14", "10.0.0.1"), ("10.0.0.1", "93.184.215.14"), ("2606:2800::1", "fd00::1")],
)
async def test_one_non_public_address_among_public_ones_refuses_the_name(
    addresses: tuple[str, ...],
) -> None:
    with pytest.raises(Refused) as refused:
        await check_target("http://mixed.example.com/", (), resolve=resolving(*addresses))
    assert refused.value.rule == "private"


async def test_a_public_name_is_checked_to_its_first_address() -> None:
    calls: list[tuple[str, int]] = []
    target = await check_target(
        "https://API.Example.com/v1?q=1",
        (),
        resolve=resolving("93.184.215.14", "2606:2800::1", calls=calls),
    )
    assert target == Target(
        scheme="https", host="api.example.com", port=443, address="93.184.215.14"
    )
    assert calls == [("api.example.com", 443)]


async def test_an_international_name_is_resolved_in_its_ascii_form() -> None:
    calls: list[tuple[str, int]] = []
    target = await check_target(
        "http://bücher.example:8080/", (), resolve=resolving("93.184.215.14", calls=calls)
    )
    assert calls == [("xn--bcher-kva.example", 8080)]
    assert target.host == "xn--bcher-kva.example"


async def test_an_allow_listed_host_and_port_reaches_its_private_address() -> None:
    allow = ["DB.Internal:8080"]
    target = await check_target("http://db.internal:8080/x", allow, resolve=resolving("10.0.0.5"))
    assert target.address == "10.0.0.5"
    with pytest.raises(Refused, match=r"'db\.internal:8081' is not in"):
        await check_target("http://db.internal:8081/x", allow, resolve=resolving("10.0.0.5"))
    with pytest.raises(Refused, match=r"'other\.internal:8080' is not in"):
        await check_target("http://other.internal:8080/", allow, resolve=resolving("10.0.0.5"))


async def test_the_allow_list_is_the_administrators_word_even_for_metadata() -> None:
    target = await check_target(
        "http://meta.internal/", ["meta.internal:80"], resolve=resolving("169.254.169.254")
    )
    assert target.address == "169.254.169.254"


@pytest.mark.parametrize(
    ("url", "allow", "address"),
    [
        ("http://[fd00::1]:8080/", "[FD00:0::1]:8080", "fd00::1"),
        ("http://10.0.0.5/", "10.0.0.5:80", "10.0.0.5"),
        ("https://10.0.0.5/", "10.0.0.5:443", "10.0.0.5"),
        ("http://0x0a000005:81/", "10.0.0.5:81", "10.0.0.5"),
        ("http://10.0.0.5:81/", "012.0.0.5:81", "10.0.0.5"),
    ],
)
async def test_allow_listed_literal_addresses(url: str, allow: str, address: str) -> None:
    target = await check_target(url, [allow], resolve=_never_called)
    assert target.address == address


@pytest.mark.parametrize(
    "spelling",
    [
        "127.0.0.1",
        "2130706433",
        "0x7f000001",
        "0X7F000001",
        "0177.0.0.1",
        "0177.0.0.01",
        "127.1",
        "127.0.1",
        "0x7f.1",
        "127.0.0.1.",
        "017700000001",
    ],
)
async def test_every_ipv4_spelling_is_judged_and_sent_as_its_address(spelling: str) -> None:
    with pytest.raises(Refused) as refused:
        await check_target(f"http://{spelling}:8080/a", (), resolve=_never_called)
    assert refused.value.rule == "loopback"
    assert refused.value.message.startswith("127.0.0.1 is a loopback address")
    url, target = await check_url(
        f"http://{spelling}:8080/a?b=1", ["127.0.0.1:8080"], resolve=_never_called
    )
    assert str(url) == "http://127.0.0.1:8080/a?b=1"
    assert target == Target(scheme="http", host="127.0.0.1", port=8080, address="127.0.0.1")


@pytest.mark.parametrize(
    ("url", "rule"),
    [
        ("http://[::1]/", "loopback"),
        ("http://[0:0:0:0:0:0:0:1]/", "loopback"),
        ("http://[::ffff:127.0.0.1]/", "loopback"),
        ("http://[::ffff:7f00:1]/", "loopback"),
        ("http://[::127.0.0.1]/", "loopback"),
        ("http://[64:ff9b::127.0.0.1]/", "loopback"),
        ("http://[::ffff:169.254.169.254]/", "metadata"),
        ("http://[fe80::1%25eth0]/", "link-local"),
        ("http://0.0.0.0/", "unspecified"),
        ("http://0/", "unspecified"),
        ("http://[::]/", "unspecified"),
        ("http://169.254.169.254/latest/meta-data/", "metadata"),
        ("http://2852039166/", "metadata"),
        ("http://10.1/", "private"),
    ],
)
async def test_literal_addresses_are_judged_without_resolving(url: str, rule: str) -> None:
    with pytest.raises(Refused) as refused:
        await check_target(url, (), resolve=_never_called)
    assert refused.value.rule == rule


async def test_a_refusal_of_a_mapped_address_names_the_ipv4_it_carries() -> None:
    with pytest.raises(Refused) as refused:
        await check_target("http://[::ffff:10.0.0.1]:8080/", (), resolve=_never_called)
    assert refused.value.message == (
        "::ffff:a00:1 (carrying 10.0.0.1) is a private address, and '[::ffff:a00:1]:8080' "
        "is not in the environment's allow_hosts"
    )


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/file",
        "file:///etc/passwd",
        "gopher://127.0.0.1:70/_GET",
        "ws://example.com/socket",
        "data:text/plain,hello",
        "javascript:alert(1)",
        "dict://127.0.0.1:11211/",
    ],
)
async def test_only_http_and_https_are_fetched(url: str) -> None:
    with pytest.raises(Refused) as refused:
        await check_target(url, ["127.0.0.1:70", "127.0.0.1:11211"], resolve=_never_called)
    assert refused.value.rule == "scheme"
    assert "only http and https" in refused.value.message


@pytest.mark.parametrize(
    "url",
    [
        "http:///no-host",
        "http://example.com:99999/",
        "http://example.com:0/",
        "http://[v1.x]/",
        "http://09.0.0.1/",
        "http://[::1/",
    ],
)
async def test_a_url_that_is_not_valid_is_refused(url: str) -> None:
    with pytest.raises(Refused) as refused:
        await check_target(url, (), resolve=_never_called)
    assert refused.value.rule == "invalid-url"


async def _failing(host: str, port: int) -> list[str]:
    raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")


@pytest.mark.parametrize(
    "resolve", [_failing, resolving(), resolving("not-an-address"), resolving("8.8.8.8", "bogus")]
)
async def test_a_name_without_usable_addresses_is_unresolvable(resolve: object) -> None:
    with pytest.raises(Refused) as refused:
        await check_target("http://nowhere.example/", (), resolve=resolve)  # type: ignore[arg-type]
    assert refused.value.rule == "unresolvable"


async def test_the_system_resolver_is_the_default_and_localhost_is_loopback() -> None:
    with pytest.raises(Refused) as refused:
        await check_target("http://localhost:8080/", ())
    assert refused.value.rule == "loopback"
    assert refused.value.message.startswith("localhost resolves to")


async def test_an_httpx_url_is_judged_like_its_text() -> None:
    with pytest.raises(Refused, match="loopback"):
        await check_target(httpx.URL("http://2130706433/"), (), resolve=_never_called)


@pytest.mark.parametrize(
    ("entry", "normalised"),
    [
        ("LocalHost:8080", "localhost:8080"),
        ("127.0.0.1:80", "127.0.0.1:80"),
        ("127.1:80", "127.0.0.1:80"),
        ("[::1]:8443", "[::1]:8443"),
        ("[0::ffff:7f00:1]:1", "[::ffff:7f00:1]:1"),
        ("bücher.example:443", "xn--bcher-kva.example:443"),
    ],
)
def test_allow_entries_are_normalised_like_urls(entry: str, normalised: str) -> None:
    assert normalise_allow_host(entry) == normalised


@pytest.mark.parametrize(
    "entry",
    [
        "localhost",
        "localhost:",
        ":8080",
        "::1:8080",
        "localhost:0",
        "localhost:65536",
        "user@localhost:80",
        "localhost/path:80",
        "localhost?x:80",
        "localhost:80:80",
        "http://localhost:80",
    ],
)
def test_what_is_not_an_allow_entry(entry: str) -> None:
    with pytest.raises(ValueError, match="is not host:port"):
        normalise_allow_host(entry)


async def test_an_entry_that_is_not_host_and_port_allows_nothing() -> None:
    with pytest.raises(Refused, match="private"):
        await check_target(
            "http://10.0.0.5/", ["10.0.0.5", "10.0.0.5:", "*:80"], resolve=_never_called
        )
