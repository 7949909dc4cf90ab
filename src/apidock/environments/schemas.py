"""Environments in the API: what a write takes (secrets' values included) and what a read
answers (their names only).

Decisions:
- Variable and secret names follow one grammar, `[A-Za-z_][A-Za-z0-9_.-]*` (at most 100
  characters), the names `{{name}}` may use in a case; at most 200 of each, values at most
  10,000 characters. A secret's value is not empty. No message about a secret quotes its value.
- `base_url` is an absolute http or https URL with a host, which may carry a path (it prefixes
  every request) but no user, password, query or fragment: credentials belong in secrets.
- An `allow_hosts` entry is `host:port`: a host name, a dotted IPv4 address or a bracketed
  IPv6 one, and a port from 1 to 65535. Entries are kept normalised (host in lower case, IPv6
  in its compressed form) so that the guard compares them with a URL's host exactly. Other
  spellings of an IPv4 address (`127.1`, `0x7f.0.0.1`, `2130706433`) are refused, naming the
  dotted form, so that an entry never means something other than it reads.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from datetime import datetime
from typing import Annotated, ClassVar
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field

from apidock.catalog.schemas import PatchModel
from apidock.config import HOST_NAME
from apidock.environments.models import BASE_URL_MAX_LENGTH, NAME_MAX_LENGTH
from apidock.schemas import ApiModel, RequestModel

NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_.-]*$"
VARIABLE_NAME_MAX_LENGTH = 100
VALUE_MAX_LENGTH = 10_000
MAX_ENTRIES = 200
MAX_ALLOW_HOSTS = 100
_HOST_NAME_MAX_LENGTH = 253
_HOST_NAME_RE = re.compile(HOST_NAME)
# what a URL's path may hold as it is written (others percent-encoded)
_PATH_RE = re.compile(r"[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*")
_PORT_RE = re.compile(r"[0-9]{1,5}")


def normal_host(host: str) -> str:
    """`host` (a name, a dotted IPv4 address or an IPv6 address without brackets) in the
    form entries keep; `ValueError` saying what is wrong."""
    if ":" in host:
        if "%" in host:
            raise ValueError("an IPv6 address without a zone (no '%')")
        try:
            return str(ipaddress.IPv6Address(host))
        except ValueError:
            raise ValueError(f"{host!r} is not an IPv6 address") from None
    lowered = host.lower()
    if len(lowered) > _HOST_NAME_MAX_LENGTH or not _HOST_NAME_RE.fullmatch(lowered):
        raise ValueError(
            f"{host!r} is not a host name: letters, digits, '-', '_' and '.' (an "
            "internationalised name in its xn-- form), no scheme, path or trailing dot"
        )
    try:
        return str(ipaddress.IPv4Address(lowered))
    except ValueError:
        pass
    try:
        packed = socket.inet_aton(lowered)
    except OSError:
        return lowered
    dotted = ipaddress.IPv4Address(packed)
    raise ValueError(f"{host!r} is another spelling of the IPv4 address {dotted}: write {dotted}")


def _port(text: str) -> int:
    if not _PORT_RE.fullmatch(text) or not 1 <= int(text) <= 65535:
        raise ValueError(f"{text!r} is not a port: a number from 1 to 65535")
    return int(text)


def normal_host_port(entry: str) -> str:
    """An `allow_hosts` entry, `host:port`, normalised; `ValueError` saying what is wrong."""
    if entry.startswith("["):
        inside, closed, rest = entry[1:].partition("]")
        if not closed or not rest.startswith(":"):
            raise ValueError("an IPv6 entry is [address]:port, such as [::1]:8080")
        return f"[{normal_host(inside)}]:{_port(rest[1:])}"
    host, colon, port = entry.rpartition(":")
    if not colon or not host:
        raise ValueError("an entry is host:port, such as 127.0.0.1:8080")
    if ":" in host:
        raise ValueError("an IPv6 address goes in brackets: [::1]:8080")
    return f"{normal_host(host)}:{_port(port)}"


def _distinct(entries: list[str]) -> list[str]:
    repeated = sorted({entry for entry in entries if entries.count(entry) > 1})
    if repeated:
        raise ValueError(f"listed more than once: {', '.join(repeated)}")
    return entries


def _check_netloc(netloc: str) -> None:
    """A URL's `host[:port]`: a host `normal_host` takes (IPv6 in brackets), a valid port."""
    if netloc.startswith("["):
        inside, closed, rest = netloc[1:].partition("]")
        if not closed or ":" not in inside:
            raise ValueError("an IPv6 host goes in brackets: http://[::1]:8080")
        normal_host(inside)
        if rest and not rest.startswith(":"):
            raise ValueError(f"{netloc!r} is not host[:port]")
    else:
        host, _, rest = netloc.partition(":")
        if ":" in rest:
            raise ValueError("an IPv6 host goes in brackets: http://[::1]:8080")
        normal_host(host)
        rest = netloc[len(host) :]
    if rest:
        _port(rest[1:])


def check_base_url(url: str) -> str:
    """`url` unchanged when it is a base URL as the module's doc says; `ValueError` if not."""
    if any(character.isspace() or not character.isprintable() for character in url):
        raise ValueError("a URL holds no spaces or control characters")
    parts = urlsplit(url)
    if parts.scheme.lower() not in {"http", "https"}:
        raise ValueError("only http and https URLs: http://host[:port][/path]")
    if "@" in parts.netloc:
        raise ValueError(
            "no user or password in the URL: keep credentials in secrets and send them in a "
            "case's headers"
        )
    if parts.query or parts.fragment or "?" in url or "#" in url:
        raise ValueError("no query or fragment: each case gives its own query")
    if not parts.netloc:
        raise ValueError("a URL with a host: http://host[:port][/path]")
    _check_netloc(parts.netloc)
    if not _PATH_RE.fullmatch(parts.path):
        raise ValueError("the path holds URL path characters only (percent-encode others)")
    return url


VariableName = Annotated[
    str, Field(min_length=1, max_length=VARIABLE_NAME_MAX_LENGTH, pattern=NAME_PATTERN)
]
Variables = Annotated[
    dict[VariableName, Annotated[str, Field(max_length=VALUE_MAX_LENGTH)]],
    Field(max_length=MAX_ENTRIES, description="Names to values, shown to readers"),
]
Secrets = Annotated[
    dict[VariableName, Annotated[str, Field(min_length=1, max_length=VALUE_MAX_LENGTH)]],
    Field(
        max_length=MAX_ENTRIES,
        description="Names to values, stored encrypted and never read back (reads list the "
        "names); replaces every secret of the environment",
    ),
]
AllowHosts = Annotated[
    list[Annotated[str, Field(min_length=3, max_length=300), AfterValidator(normal_host_port)]],
    Field(
        max_length=MAX_ALLOW_HOSTS,
        description="`host:port` entries a run may reach although they are private addresses "
        "(`127.0.0.1:8080`, `[::1]:8080`); only an administrator sets them",
    ),
    AfterValidator(_distinct),
]
BaseUrl = Annotated[
    str,
    Field(
        min_length=8,
        max_length=BASE_URL_MAX_LENGTH,
        examples=["https://staging.example.com/v1"],
        description="http or https; a path, if any, prefixes every request",
    ),
    AfterValidator(check_base_url),
]
EnvironmentName = Annotated[str, Field(min_length=1, max_length=NAME_MAX_LENGTH)]


class EnvironmentCreate(RequestModel):
    name: EnvironmentName = Field(description="Unique among the app's environments")
    base_url: BaseUrl
    variables: Variables = Field(default_factory=dict)
    secrets: Secrets = Field(default_factory=dict)
    allow_hosts: AllowHosts = Field(default_factory=list)


class EnvironmentUpdate(PatchModel):
    """Fields left out keep their values. `secrets`, when given, replaces every secret (null
    or `{}` removes them all); left out, the secrets are kept."""

    not_null: ClassVar[frozenset[str]] = frozenset({"name", "base_url", "variables", "allow_hosts"})

    name: EnvironmentName | None = None
    base_url: BaseUrl | None = None
    variables: Variables | None = None
    secrets: Secrets | None = None
    allow_hosts: AllowHosts | None = None


class EnvironmentRead(ApiModel):
    id: int
    app_id: int
    name: str
    base_url: str
    variables: dict[str, str]
    secrets: list[str] = Field(
        validation_alias="secret_names",
        description="The names of the secrets, sorted; their values are never shown",
    )
    allow_hosts: list[str]
    created_at: datetime | None
    updated_at: datetime | None


class EnvironmentList(ApiModel):
    environments: list[EnvironmentRead] = Field(description="By name")
