"""The docs pages send a Content-Security-Policy that lets only the local assets and the page's
own inline script (by the sha256 of the bytes served) run; every other answer gets one that
lets nothing run. Swagger UI keeps no refresh token: tests/test_docs_browser.py shows it in a
real browser, this file checks what the pages say."""

from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser

import httpx
import pytest
from fastapi import FastAPI

from apidock.http import docs_ui
from apidock.main import create_app
from tests.conftest import make_client

PAGES = ["/docs", "/redoc", "/docs/apps/shop", "/docs/apps/a-1", "/docs/oauth2-redirect"]


class InlineScripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.scripts: list[str] = []
        self.external: list[str] = []
        self._inside: bool = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            source = dict(attrs).get("src")
            self._inside = source is None
            if source is None:
                self.scripts.append("")
            else:
                self.external.append(source)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._inside = False

    def handle_data(self, data: str) -> None:
        if self._inside:
            self.scripts[-1] += data


def parse_policy(header: str) -> dict[str, list[str]]:
    directives = [part.split() for part in header.split(";") if part.strip()]
    return {words[0]: words[1:] for words in directives}


def served_hashes(page: str) -> set[str]:
    parser = InlineScripts()
    parser.feed(page)
    return {
        "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"
        for script in parser.scripts
    }


@pytest.mark.parametrize("path", PAGES)
async def test_each_docs_page_runs_only_local_scripts_and_its_own(
    client: httpx.AsyncClient, path: str
) -> None:
    response = await client.get(path)
    assert response.status_code == 200
    policy = parse_policy(response.headers["content-security-policy"])
    assert policy["default-src"] == ["'none'"]
    script_src = policy["script-src"]
    assert script_src[0] == "'self'"
    assert set(script_src[1:]) == served_hashes(response.text), "one hash per inline script"
    assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "data:", "blob:"} & set(script_src)
    assert policy["img-src"] == ["'self'", "data:"]
    # an app's page tries out the servers its document names (tests/test_docs_browser.py)
    app_page = path.startswith("/docs/apps/")
    assert policy["connect-src"] == (["'self'", "http:", "https:"] if app_page else ["'self'"])
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    for directive, sources in policy.items():
        if directive != "connect-src":
            assert not any(re.match(r"(https?:|\*|//)", source) for source in sources), sources
    assert response.headers["x-frame-options"] == "DENY"


async def test_pages_with_an_inline_script_name_it_by_its_hash(client: httpx.AsyncClient) -> None:
    for path in ("/docs", "/docs/apps/shop", "/docs/oauth2-redirect"):
        page = (await client.get(path)).text
        assert served_hashes(page), f"{path} has its init script inline"


async def test_an_app_page_has_the_same_script_whatever_the_slug(
    client: httpx.AsyncClient,
) -> None:
    """The slug lives in the markup, so the hash computed at start-up fits every page."""
    pages = [
        (await client.get(f"/docs/apps/{slug}")).text for slug in ("shop", "b", "x-" * 39 + "x")
    ]
    assert len({frozenset(served_hashes(page)) for page in pages}) == 1
    assert 'data-spec-url="/api/v1/apps/by-slug/shop/openapi.json"' in pages[0]


async def test_the_hashes_are_computed_from_the_pages_at_start_up(
    app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = docs_ui.SWAGGER_UI_SCRIPT
    monkeypatch.setattr(docs_ui, "SWAGGER_UI_SCRIPT", original + "\n// changed\n")
    changed_app = create_app(app.state.settings, database=app.state.database)
    async with make_client(changed_app) as changed:
        response = await changed.get("/docs")
    assert "// changed" in response.text
    script_src = parse_policy(response.headers["content-security-policy"])["script-src"]
    assert set(script_src[1:]) == served_hashes(response.text)


async def test_swagger_ui_is_told_to_keep_no_secret_and_ask_no_validator(
    client: httpx.AsyncClient,
) -> None:
    page = (await client.get("/docs")).text
    assert '"validatorUrl": null' in page, "the online validator would be a request outside"
    assert '"persistAuthorization": true' in page
    for path in ("/docs", "/docs/apps/shop"):
        parser = InlineScripts()
        parser.feed((await client.get(path)).text)
        assert all(source.startswith("/static/docs/") for source in parser.external), path


@pytest.mark.parametrize(
    "path",
    ["/", "/healthz", "/openapi.json", "/api/v1/apps", "/nothing", "/static/docs/favicon.png"],
)
async def test_every_other_answer_lets_nothing_run(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert (
        response.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
    )
