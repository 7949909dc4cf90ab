"""Which addresses are refused, by which rule, and how legacy IPv4 spellings read."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv6Address, ip_address

import pytest

from apidock.outbound.addresses import embedded_ipv4, parse_legacy_ipv4
from apidock.outbound.guard import METADATA_ADDRESSES, refusal_rule

REFUSED = {
    "loopback": [
        "127.0.0.1",
        "127.255.255.254",
        "::1",
        "::ffff:127.0.0.1",  # IPv4-mapped
        "::ffff:0:7f00:1",  # IPv4-translated
        "::127.0.0.1",  # IPv4-compatible
        "64:ff9b::7f00:1",  # NAT64
        "2002:7f00:1::",  # 6to4
    ],
    "private": [
        "10.0.0.1",
        "172.16.0.1",
        "172.31.255.255",
        "192.168.1.1",
        "fc00::1",
        "fd12:3456::1",
        "fec0::1",
        "64:ff9b:1::a00:1",
        "::ffff:10.0.0.1",
        "2002:a00:1::",
    ],
    "link-local": ["169.254.1.1", "fe80::1", "fe80::1%eth0", "::ffff:169.254.9.9"],
    "metadata": [
        "169.254.169.254",
        "169.254.170.2",
        "100.100.100.200",
        "168.63.129.16",
        "192.0.0.192",
        "fd00:ec2::254",
        "fd20:ce::254",
        "::ffff:169.254.169.254",
        "64:ff9b::a9fe:a9fe",
        "2002:a9fe:a9fe::1",
    ],
    "unspecified": ["0.0.0.0", "0.1.2.3", "::", "::ffff:0.0.0.0", "::2"],  # noqa: S104
    "reserved": [
        "240.0.0.1",
        "255.255.255.255",
        "192.0.2.1",
        "198.51.100.1",
        "203.0.113.9",
        "198.18.0.1",
        "192.0.0.8",
        "192.88.99.1",
        "2001:db8::1",
        "2001::1",  # Teredo
        "3fff::1",
        "100::1",
        "5f00::1",
        "4000::1",
        "::ff:1:2:3",
    ],
    "multicast": ["224.0.0.1", "239.255.255.250", "ff02::1", "::ffff:224.0.0.1"],
    "cgnat": ["100.64.0.1", "100.127.255.254", "::ffff:100.64.0.1"],
}

PUBLIC = [
    "8.8.8.8",
    "1.1.1.1",
    "93.184.215.14",
    "172.32.0.1",
    "100.128.0.1",
    "169.253.255.255",
    "192.0.1.1",
    "2606:4700:4700::1111",
    "2a00:1450:4001::200e",
    "::ffff:8.8.8.8",
    "64:ff9b::808:808",
    "2002:808:808::1",
]


@pytest.mark.parametrize(
    ("text", "rule"), [(text, rule) for rule, texts in REFUSED.items() for text in texts]
)
def test_each_non_public_address_has_its_rule(text: str, rule: str) -> None:
    assert refusal_rule(ip_address(text)) == rule


@pytest.mark.parametrize("text", PUBLIC)
def test_public_addresses_have_no_rule(text: str) -> None:
    assert refusal_rule(ip_address(text)) is None


def test_every_named_metadata_address_is_refused_as_metadata() -> None:
    assert len(METADATA_ADDRESSES) >= 8
    for address in METADATA_ADDRESSES:
        assert refusal_rule(address) == "metadata"


@pytest.mark.parametrize(
    ("text", "carried"),
    [
        ("::ffff:10.1.2.3", "10.1.2.3"),
        ("64:ff9b::a01:203", "10.1.2.3"),
        ("2002:a01:203::1", "10.1.2.3"),
        ("::a01:203", "10.1.2.3"),
        ("::1", None),
        ("::", None),
        ("2606:4700::1", None),
    ],
)
def test_the_ipv4_an_ipv6_address_carries(text: str, carried: str | None) -> None:
    expected = IPv4Address(carried) if carried else None
    assert embedded_ipv4(IPv6Address(text)) == expected


@pytest.mark.parametrize(
    ("spelling", "address"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("0X7F000001", "127.0.0.1"),
        ("0x00000000007f000001", "127.0.0.1"),
        ("017700000001", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("0x7f.0.0.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("127.0.1", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("127.0.0.1.", "127.0.0.1"),
        ("10.0x10.0377.1", "10.16.255.1"),
        ("169.254.43518", "169.254.169.254"),
        ("0", "0.0.0.0"),  # noqa: S104 (an address read, not bound)
        ("0x", "0.0.0.0"),  # noqa: S104
        ("4294967295", "255.255.255.255"),
    ],
)
def test_legacy_ipv4_spellings_read_as_inet_aton_reads_them(spelling: str, address: str) -> None:
    assert parse_legacy_ipv4(spelling) == IPv4Address(address)


@pytest.mark.parametrize(
    "host",
    [
        "",
        ".",
        "example.com",
        "1.2.3.4.5",
        "256.1.1.1",
        "1.2.65536",
        "1.16777216",
        "4294967296",
        "09.1.1.1",
        "0x1g.1.1.1",
        "1e3",
        "1..1",
        "+1.1.1.1",
        "1_0.0.0.1",
        "\u0663.1.1.1",  # an Arabic-Indic digit, which str.isdigit and int() accept
        " 127.0.0.1",
        "1" * 5000,
        "0x" + "f" * 5000,
    ],
)
def test_what_is_not_a_legacy_ipv4_spelling(host: str) -> None:
    assert parse_legacy_ipv4(host) is None
