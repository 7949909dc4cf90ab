"""Which IP addresses an outbound request must not reach, and how odd IPv4 spellings read.

Decisions:
- The ranges are written out here, in order, rather than taken from `ipaddress`'s `is_private`
  and `is_global`, whose answers changed between Python releases; each range names its rule.
- IPv6 addresses that carry an IPv4 address (IPv4-mapped `::ffff:0:0/96`, IPv4-translated
  `::ffff:0:0:0/96`, IPv4-compatible `::/96`, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`) are judged
  by that IPv4 address, since that is where the packets end up.
- IPv6 outside the global unicast block `2000::/3` is refused as reserved, whatever it is: no
  public service lives there. Teredo and the other IETF assignments in `2001::/23`, and the
  documentation prefixes, are refused as reserved too.
- Cloud metadata services are named in `METADATA_ADDRESSES` and checked first, so a refusal
  says "metadata" rather than "link-local"; Azure's 168.63.129.16 is refused although it sits in
  public address space.
- IPv4 in the legacy forms `inet_aton` and the WHATWG URL standard accept (1 to 4 parts, each
  decimal, `0x` hex or `0`-led octal, the last filling the remaining bytes, one trailing dot) is
  read by `parse_legacy_ipv4`, so `2130706433`, `0x7f000001`, `0177.0.0.1` and `127.1` are all
  127.0.0.1.
"""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address

Address = IPv4Address | IPv6Address

METADATA_ADDRESSES: frozenset[Address] = frozenset(
    ip_address(text)
    for text in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack, Oracle, DigitalOcean, Hetzner …
        "169.254.170.2",  # AWS ECS task metadata and credentials
        "169.254.170.23",  # AWS EKS Pod Identity agent
        "169.254.0.23",  # Tencent Cloud
        "100.100.100.200",  # Alibaba Cloud
        "192.0.0.192",  # Oracle Cloud (legacy)
        "168.63.129.16",  # Azure WireServer, in public address space
        "fd00:ec2::254",  # AWS instance metadata over IPv6
        "fd00:ec2::23",  # AWS EKS Pod Identity agent over IPv6
        "fd20:ce::254",  # GCP metadata server over IPv6
    )
)

_IPV4_RULES: tuple[tuple[IPv4Network, str], ...] = tuple(
    (IPv4Network(network), rule)
    for network, rule in (
        ("0.0.0.0/8", "unspecified"),  # "this host on this network": 0.0.0.0 reaches this machine
        ("127.0.0.0/8", "loopback"),
        ("10.0.0.0/8", "private"),
        ("172.16.0.0/12", "private"),
        ("192.168.0.0/16", "private"),
        ("100.64.0.0/10", "cgnat"),
        ("169.254.0.0/16", "link-local"),
        ("224.0.0.0/4", "multicast"),
        ("192.0.0.0/24", "reserved"),  # IETF protocol assignments
        ("192.0.2.0/24", "reserved"),  # documentation
        ("198.51.100.0/24", "reserved"),  # documentation
        ("203.0.113.0/24", "reserved"),  # documentation
        ("198.18.0.0/15", "reserved"),  # benchmarking
        ("192.88.99.0/24", "reserved"),  # 6to4 relay anycast, deprecated
        ("240.0.0.0/4", "reserved"),  # future use, and the broadcast 255.255.255.255
    )
)

_IPV6_RULES: tuple[tuple[IPv6Network, str], ...] = tuple(
    (IPv6Network(network), rule)
    for network, rule in (
        ("::/128", "unspecified"),
        ("::1/128", "loopback"),
        ("fe80::/10", "link-local"),
        ("fc00::/7", "private"),  # unique local
        ("fec0::/10", "private"),  # site-local, deprecated
        ("64:ff9b:1::/48", "private"),  # local-use NAT64: where it leads is the network's choice
        ("ff00::/8", "multicast"),
        ("2001::/23", "reserved"),  # IETF protocol assignments, Teredo among them
        ("2001:db8::/32", "reserved"),  # documentation
        ("3fff::/20", "reserved"),  # documentation
    )
)

_GLOBAL_UNICAST = IPv6Network("2000::/3")
_IPV4_COMPATIBLE = IPv6Network("::/96")
_IPV4_TRANSLATED = IPv6Network("::ffff:0:0:0/96")
_NAT64 = IPv6Network("64:ff9b::/96")


def embedded_ipv4(address: IPv6Address) -> IPv4Address | None:
    """The IPv4 address an IPv6 address carries to, or None."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    low_bits = IPv4Address(int(address) & 0xFFFFFFFF)
    if address in _NAT64 or address in _IPV4_TRANSLATED:
        return low_bits
    # :: and ::1 keep their IPv6 meaning; the rest of ::/96 is the old IPv4-compatible form
    if address in _IPV4_COMPATIBLE and int(address) > 1:
        return low_bits
    return None


def refusal_rule(address: IPv4Address | IPv6Address) -> str | None:
    """The rule that refuses `address`, or None when it is a public address."""
    if isinstance(address, IPv6Address):
        address = IPv6Address(int(address))  # without a zone: membership ignores it, equality not
        embedded = embedded_ipv4(address)
        if embedded is not None:
            return refusal_rule(embedded)
        if address in METADATA_ADDRESSES:
            return "metadata"
        for network6, rule in _IPV6_RULES:
            if address in network6:
                return rule
        return None if address in _GLOBAL_UNICAST else "reserved"
    if address in METADATA_ADDRESSES:
        return "metadata"
    for network4, rule in _IPV4_RULES:
        if address in network4:
            return rule
    return None


_DIGITS = {10: frozenset("0123456789"), 16: frozenset("0123456789abcdef"), 8: frozenset("01234567")}
# 0xffffffff has 8 hex digits, 4294967295 ten decimal ones, 37777777777 eleven octal ones
_MAX_SIGNIFICANT_DIGITS = 11


def _legacy_number(part: str) -> int | None:
    """One part of a legacy IPv4 spelling as a number, or None when it is not one."""
    if not part:
        return None
    if part[:2].lower() == "0x":
        digits, base = part[2:].lower(), 16
    elif len(part) > 1 and part[0] == "0":
        digits, base = part[1:], 8
    else:
        digits, base = part, 10
    if not set(digits) <= _DIGITS[base]:
        return None
    significant = digits.lstrip("0")
    if len(significant) > _MAX_SIGNIFICANT_DIGITS:
        return None
    return int(significant, base) if significant else 0


def parse_legacy_ipv4(host: str) -> IPv4Address | None:
    """The IPv4 address that `host` spells in any form `inet_aton` accepts, or None."""
    parts = host.split(".")
    if len(parts) > 1 and parts[-1] == "":
        parts.pop()
    if not 1 <= len(parts) <= 4:
        return None
    numbers: list[int] = []
    for part in parts:
        number = _legacy_number(part)
        if number is None:
            return None
        numbers.append(number)
    *leading, last = numbers
    if any(number > 0xFF for number in leading) or last >= 1 << (8 * (5 - len(numbers))):
        return None
    value = last
    for index, number in enumerate(leading):
        value += number << (8 * (3 - index))
    return IPv4Address(value)
