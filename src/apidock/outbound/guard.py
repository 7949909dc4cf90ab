"""The check every outbound URL passes before anything is sent to it.

Decisions:
- The URL is parsed once, with httpx's parser, and the request is later built from that same
  parsed URL, so the host judged here is the host the request goes to. httpx keeps odd IPv4
  spellings (`2130706433`, `0x7f000001`, `127.1`, `127.0.0.1.`) as host names, which the
  system resolver would turn into 127.0.0.1, and rejects others (`0177.0.0.1`): every such
  spelling is rewritten here to its dotted form, as browsers do, and judged as that address.
- A host name is resolved once (getaddrinfo in the loop's executor, or the injected resolver);
  it is refused if any of its addresses has a refusal rule, and the request is then made to the
  first address, which the client connects to without resolving again. Because the address
  connected to is the address judged, no spelling and no DNS answer that changes between two
  look-ups can lead anywhere the check did not see.
- `allow_hosts` entries are `host:port`; they are normalised like URLs (lower case, IDNA,
  canonical IP form, IPv6 in brackets) and an entry that is not of that form never matches.
  An allowed `host:port` may reach any address, metadata included: the administrator said so.
- Refusals beyond the address rules: "scheme" (anything but http and https), "invalid-url"
  (no host, a port out of range, a URL httpx cannot parse) and "unresolvable".
"""

from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from ipaddress import IPv6Address, ip_address
from urllib.parse import unquote, urlsplit

import httpx

from apidock.outbound.addresses import (
    METADATA_ADDRESSES,
    Address,
    embedded_ipv4,
    parse_legacy_ipv4,
    refusal_rule,
)

__all__ = [
    "METADATA_ADDRESSES",
    "Refused",
    "Resolver",
    "Target",
    "check_target",
    "check_url",
    "normalise_allow_host",
    "refusal_rule",
    "resolve_with_system",
]

Resolver = Callable[[str, int], Awaitable[list[str]]]

_DEFAULT_PORTS = {"http": 80, "https": 443}

_RULE_DESCRIPTIONS = {
    "loopback": "a loopback address",
    "private": "a private address",
    "link-local": "a link-local address",
    "metadata": "a cloud metadata address",
    "unspecified": "an unspecified address",
    "reserved": "a reserved address",
    "multicast": "a multicast address",
    "cgnat": "a carrier-grade NAT (CGNAT) address",
}

_PORT_SUFFIX = re.compile(r":([0-9]{1,5})\Z")


class Refused(Exception):
    """An outbound target that must not be reached; nothing was sent to it."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message


@dataclass(frozen=True)
class Target:
    """Where a checked request goes: the URL's scheme, host and port, and the checked address."""

    scheme: str
    host: str
    port: int
    address: str


async def resolve_with_system(host: str, port: int) -> list[str]:
    """The addresses of `host` from the system resolver, in its order, without duplicates."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _literal_address(host: str) -> Address | None:
    """The IP address a URL host spells, or None for a host name."""
    if ":" in host:
        try:
            return IPv6Address(unquote(host))  # a zone is written %25eth0 in a URL
        except ValueError:
            return None
    return parse_legacy_ipv4(host)


def _with_canonical_host(url: httpx.URL) -> httpx.URL:
    host = url.raw_host.decode("ascii")
    literal = _literal_address(host)
    if literal is None or str(literal) == host:
        return url
    try:
        return url.copy_with(host=str(literal))
    except httpx.InvalidURL as error:
        raise Refused("invalid-url", f"the URL is not valid: {error}") from None


def _rewrite_legacy_ipv4(text: str) -> str | None:
    """`text` with a legacy IPv4 host httpx refuses (`0177.0.0.1`) spelt in dotted form."""
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    host = parts.hostname
    literal = parse_legacy_ipv4(host) if host else None
    if host is None or literal is None:
        return None
    userinfo, _, host_and_port = parts.netloc.rpartition("@")
    port = host_and_port[len(host) :]
    netloc = f"{userinfo}@{literal}{port}" if userinfo else f"{literal}{port}"
    return parts._replace(netloc=netloc).geturl()


def _parse(url: str | httpx.URL) -> httpx.URL:
    if isinstance(url, httpx.URL):
        return _with_canonical_host(url)
    try:
        return _with_canonical_host(httpx.URL(url))
    except httpx.InvalidURL as error:
        rewritten = _rewrite_legacy_ipv4(url)
        if rewritten is None:
            raise Refused("invalid-url", f"the URL is not valid: {error}") from None
    try:
        return _with_canonical_host(httpx.URL(rewritten))
    except httpx.InvalidURL as error:
        raise Refused("invalid-url", f"the URL is not valid: {error}") from None


def _host_key(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def normalise_allow_host(entry: str) -> str:
    """`entry` ("host:port") in the form `check_target` compares; ValueError when it is not one."""
    match = _PORT_SUFFIX.search(entry)
    if match is None:
        raise ValueError(f"{entry!r} is not host:port")
    port = int(match.group(1))
    host = entry[: match.start()]
    bracketed = host.startswith("[") and host.endswith("]")
    if not 0 < port < 65536 or not host or (":" in host and not bracketed) or "/" in host:
        raise ValueError(f"{entry!r} is not host:port")
    try:
        url = _parse(f"http://{host}/")
    except Refused as refused:
        raise ValueError(f"{entry!r} is not host:port") from refused
    if url.port is not None or url.userinfo or not url.raw_host or url.raw_path != b"/":
        raise ValueError(f"{entry!r} is not host:port")
    return _host_key(url.raw_host.decode("ascii"), port)


def _allowed_keys(allow_hosts: Collection[str]) -> set[str]:
    keys = set()
    for entry in allow_hosts:
        try:
            keys.add(normalise_allow_host(entry))
        except ValueError:
            continue
    return keys


def _scheme_and_port(url: httpx.URL) -> tuple[str, int]:
    scheme = url.scheme
    if scheme not in _DEFAULT_PORTS:
        raise Refused("scheme", f"'{scheme}:' URLs are not fetched: only http and https are")
    if not url.raw_host:
        raise Refused("invalid-url", "the URL is not valid: it has no host")
    port = url.port if url.port is not None else _DEFAULT_PORTS[scheme]
    if not 0 < port < 65536:
        raise Refused("invalid-url", f"the URL is not valid: port {port} is out of range")
    return scheme, port


async def _addresses(host: str, port: int, resolve: Resolver) -> list[Address]:
    try:
        answers = await resolve(host, port)
    except (OSError, UnicodeError):
        answers = []
    addresses = []
    for answer in answers:
        try:
            addresses.append(ip_address(answer))
        except ValueError:
            continue
    if not addresses or len(addresses) != len(answers):
        raise Refused("unresolvable", f"{host} does not resolve to an IP address")
    return addresses


def _subject(host: str, address: Address, literal: bool) -> str:
    """How a refusal names what it refused: `127.0.0.1 is`, `db resolves to 10.0.0.5,`."""
    named = str(address)
    if isinstance(address, IPv6Address):
        carried = embedded_ipv4(IPv6Address(int(address)))
        if carried is not None:
            named = f"{address} (carrying {carried})"
    return f"{named} is" if literal else f"{host} resolves to {named},"


async def check_url(
    url: str | httpx.URL, allow_hosts: Collection[str], *, resolve: Resolver | None = None
) -> tuple[httpx.URL, Target]:
    """The URL as it is to be sent, and its checked target; Refused when it must not be reached."""
    parsed = _parse(url)
    scheme, port = _scheme_and_port(parsed)
    host = parsed.raw_host.decode("ascii")
    literal = _literal_address(host)
    if literal is not None:
        addresses = [literal]
    else:
        addresses = await _addresses(host, port, resolve or resolve_with_system)
    key = _host_key(host, port)
    if key not in _allowed_keys(allow_hosts):
        for address in addresses:
            rule = refusal_rule(address)
            if rule is not None:
                raise Refused(
                    rule,
                    f"{_subject(host, address, literal is not None)} {_RULE_DESCRIPTIONS[rule]},"
                    f" and '{key}' is not in the environment's allow_hosts",
                )
    return parsed, Target(scheme=scheme, host=host, port=port, address=str(addresses[0]))


async def check_target(
    url: str | httpx.URL, allow_hosts: Collection[str], *, resolve: Resolver | None = None
) -> Target:
    """Where `url` may be fetched from; Refused when it must not be reached."""
    _, target = await check_url(url, allow_hosts, resolve=resolve)
    return target
