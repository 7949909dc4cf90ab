"""What an environment's body may hold: a base URL (http or https, a host, maybe a path),
bounded names and values, `host:port` entries kept normalised; everything else refused with
the place it lies."""

from __future__ import annotations

import re
from typing import Any

import pytest
from pydantic import ValidationError

from apidock.environments.schemas import (
    EnvironmentCreate,
    EnvironmentUpdate,
    check_base_url,
    normal_host_port,
)

VALID = {"name": "staging", "base_url": "https://staging.example.com/v1"}


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"base_url": "ftp://files.example.com"}, ("base_url",)),
        ({"base_url": "javascript:alert(1)"}, ("base_url",)),
        ({"base_url": "file:///etc/passwd"}, ("base_url",)),
        ({"base_url": "https://"}, ("base_url",)),
        ({"base_url": "staging.example.com"}, ("base_url",)),
        ({"base_url": "https://user:pw@staging.example.com"}, ("base_url",)),
        ({"base_url": "https://staging.example.com/?debug=1"}, ("base_url",)),
        ({"base_url": "https://staging.example.com/#top"}, ("base_url",)),
        ({"base_url": "https://staging.example.com:0"}, ("base_url",)),
        ({"base_url": "https://staging.example.com:70000"}, ("base_url",)),
        ({"base_url": "https://staging.example.com:"}, ("base_url",)),
        ({"base_url": "https://staging example.com"}, ("base_url",)),
        ({"base_url": "https://staging.example.com/a\r\nX: 1"}, ("base_url",)),
        ({"base_url": "https://staging.example.com/é"}, ("base_url",)),
        ({"base_url": "https://exämple.com"}, ("base_url",)),
        ({"base_url": "http://::1/"}, ("base_url",)),
        ({"base_url": "http://[::1/"}, ("base_url",)),
        ({"base_url": "http://[127.0.0.1]/"}, ("base_url",)),
        ({"base_url": "http://0x7f.1/"}, ("base_url",)),
        ({"base_url": "http://2130706433/"}, ("base_url",)),
        ({"base_url": "http://" + "a" * 2000 + ".com"}, ("base_url",)),
        ({"base_url": 5}, ("base_url",)),
        ({"name": ""}, ("name",)),
        ({"name": "n" * 81}, ("name",)),
        ({"variables": {"1st": "x"}}, ("variables", "1st", "[key]")),
        ({"variables": {"a b": "x"}}, ("variables", "a b", "[key]")),
        ({"variables": {"{{x}}": "x"}}, ("variables", "{{x}}", "[key]")),
        ({"variables": {"": "x"}}, ("variables", "", "[key]")),
        ({"variables": {"n" * 101: "x"}}, ("variables", "n" * 101, "[key]")),
        ({"variables": {"v": "x" * 10_001}}, ("variables", "v")),
        ({"variables": {"v": 1}}, ("variables", "v")),
        ({"variables": {f"v{i}": "x" for i in range(201)}}, ("variables",)),
        ({"variables": ["v"]}, ("variables",)),
        ({"secrets": {"s": ""}}, ("secrets", "s")),
        ({"secrets": {"s": None}}, ("secrets", "s")),
        ({"secrets": {"s-1": "x" * 10_001}}, ("secrets", "s-1")),
        ({"secrets": {f"s{i}": "x" for i in range(201)}}, ("secrets",)),
        ({"allow_hosts": ["127.0.0.1"]}, ("allow_hosts", 0)),
        ({"allow_hosts": ["127.0.0.1:0"]}, ("allow_hosts", 0)),
        ({"allow_hosts": ["127.0.0.1:65536"]}, ("allow_hosts", 0)),
        ({"allow_hosts": ["127.0.0.1:+80"]}, ("allow_hosts", 0)),
        ({"allow_hosts": ["::1:8080"]}, ("allow_hosts", 0)),
        ({"allow_hosts": ["[::1]"]}, ("allow_hosts", 0)),
        ({"allow_hosts": ["[::1]8080"]}, ("allow_hosts", 0)),
        ({"allow_hosts": ["[fe80::1%eth0]:80"]}, ("allow_hosts", 0)),
        ({"allow_hosts": ["http://127.0.0.1:80"]}, ("allow_hosts", 0)),
        ({"allow_hosts": ["2130706433:80"]}, ("allow_hosts", 0)),
        ({"allow_hosts": ["127.1:80"]}, ("allow_hosts", 0)),
        ({"allow_hosts": ["*.example.com:80"]}, ("allow_hosts", 0)),
        ({"allow_hosts": ["example.com.:80"]}, ("allow_hosts", 0)),
        ({"allow_hosts": [":80"]}, ("allow_hosts", 0)),
        ({"allow_hosts": ["a:80", "A:80"]}, ("allow_hosts",)),
        ({"allow_hosts": [f"h{i}:80" for i in range(101)]}, ("allow_hosts",)),
        ({"owner": "me"}, ("owner",)),
    ],
)
def test_a_bad_body_is_refused_where_it_is_wrong(
    body: dict[str, Any], where: tuple[Any, ...]
) -> None:
    for model, values in ((EnvironmentCreate, VALID | body), (EnvironmentUpdate, body)):
        with pytest.raises(ValidationError) as caught:
            model.model_validate(values)
        assert where in [error["loc"] for error in caught.value.errors()], caught.value


@pytest.mark.parametrize(
    "url",
    [
        "http://staging.example.com",
        "https://staging.example.com:8443/v1/",
        "https://STAGING.example.com/base/path;v=1/",
        "http://127.0.0.1:8080",
        "http://[::1]:8080/x",
        "http://[::1]",
        "https://xn--exmple-cua.com",
        "https://under_score.internal/",
        "https://staging.example.com/%7Euser",
    ],
)
def test_a_base_url_may_carry_a_port_and_a_path(url: str) -> None:
    assert check_base_url(url) == url
    assert EnvironmentCreate.model_validate(VALID | {"base_url": url}).base_url == url


@pytest.mark.parametrize(
    ("entry", "kept"),
    [
        ("127.0.0.1:8080", "127.0.0.1:8080"),
        ("LocalHost:80", "localhost:80"),
        ("api.Example.com:08443", "api.example.com:8443"),
        ("[::1]:8080", "[::1]:8080"),
        ("[0:0:0:0:0:0:0:1]:1", "[::1]:1"),
        ("[FE80::A]:65535", "[fe80::a]:65535"),
        ("10.0.0.5:5432", "10.0.0.5:5432"),
    ],
)
def test_allow_hosts_entries_are_kept_normalised(entry: str, kept: str) -> None:
    assert normal_host_port(entry) == kept


def test_another_spelling_of_an_ipv4_address_is_refused_naming_the_dotted_one() -> None:
    for spelling in ("0x7f.0.0.1", "0177.0.0.1", "127.1", "2130706433"):
        with pytest.raises(ValueError, match=re.escape("write 127.0.0.1")):
            normal_host_port(f"{spelling}:80")


def test_a_secret_refused_is_not_quoted() -> None:
    canary = "canary-in-a-refused-secret"
    for secrets in ({"bad name": canary}, {"s": canary * 1000}, {"s": canary + "\x00"}):
        with pytest.raises(ValidationError) as caught:
            EnvironmentUpdate.model_validate({"secrets": secrets})
        messages = [error["msg"] for error in caught.value.errors()]
        assert canary not in repr(messages)
