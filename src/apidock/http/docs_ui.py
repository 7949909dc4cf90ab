"""The documentation pages: Swagger UI (`/docs`, `/docs/apps/{slug}`) and ReDoc (`/redoc`).

Their assets come from fastapi-offline, served here: no request leaves the machine. Each page
is sent with a Content-Security-Policy that lets run only scripts of this origin and the
page's own inline script, named by the sha256 of the bytes served: computed at start-up from
the page as rendered, so an edit of a script cannot go out of step with its hash.
Styles may be inline: ReDoc and Swagger UI write their own `<style>` elements. ReDoc runs its
search in a worker made from a `blob:` URL, which its page allows; the Redocly logo that ReDoc
loads from cdn.redoc.ly is blocked, so no visit is told to a third party.

`/docs` keeps what "Authorize" got in localStorage (`persistAuthorization`), so that a reload
and `/docs/apps/{slug}` stay signed in, but only the access token: the token endpoint's
refresh token (valid for weeks) and the password typed are dropped before Swagger UI stores
its authorisation, and a copy stored by an earlier version of the page is cleaned on load.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_oauth2_redirect_html,
    swagger_ui_default_parameters,
)
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from apidock.apps.docs_page import app_docs_html, script_json, swagger_ui_page
from apidock.apps.schemas import SLUG_RE
from apidock.errors import NotFound

DOCS_ASSETS = Path(fastapi_offline.__file__).parent / "static"
DOCS_ASSETS_URL = "/static/docs"
OAUTH2_REDIRECT_URL = "/docs/oauth2-redirect"
# no online validator: it would be sent the document's URL, from a badge image of its host
SWAGGER_UI_PARAMETERS: dict[str, Any] = swagger_ui_default_parameters | {"validatorUrl": None}

POLICY = (
    "default-src 'none'; script-src 'self'{hashes}; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'{connect}; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'{extra}"
)
# An app's page sends "Try it out" to the servers its document names, wherever they are (or to
# the app's mock, here): its script adds API Dock's token only to its request for the document
# (apidock.apps.docs_page), and what runs is still only this origin's scripts and its own.
APP_PAGE_CONNECT = "http: https:"

# The Authorize dialog of the password flow always shows client_id, client_secret and where
# to send them: Swagger UI has no option to leave them out, and this API's token endpoint reads
# none of them. Their rows are hidden (each is a `.wrapper` whose label names its input); only
# on /docs, since an app's own document may have clients of its own.
UNUSED_CLIENT_FIELDS_HIDDEN = """<style>
.auth-container .wrapper:has(> label[for="client_id_password"]),
.auth-container .wrapper:has(> label[for="client_secret_password"]),
.auth-container .wrapper:has(> label[for="password_type"]) { display: none; }
</style>
"""

SWAGGER_UI_SCRIPT = """
function apiDockAccessOnly(token) {
    return token && {access_token: token.access_token, token_type: token.token_type};
}
function apiDockWithoutSecrets(auth) {
    const kept = Object.assign({}, auth);
    delete kept.password;
    delete kept.clientSecret;
    if (kept.token) {
        kept.token = apiDockAccessOnly(kept.token);
    }
    return kept;
}
try {
    const saved = JSON.parse(window.localStorage.getItem("authorized") || "null");
    if (saved) {
        for (const name of Object.keys(saved)) {
            saved[name] = apiDockWithoutSecrets(saved[name]);
        }
        window.localStorage.setItem("authorized", JSON.stringify(saved));
    }
} catch (error) {
    window.localStorage.removeItem("authorized");
}
const apiDockKeepOnlyTheAccessToken = () => ({
    statePlugins: {auth: {wrapActions: {
        authorizeOauth2: (authorize) => (payload) => authorize({
            auth: apiDockWithoutSecrets(payload.auth), token: apiDockAccessOnly(payload.token),
        }),
    }}},
});
const ui = SwaggerUIBundle(Object.assign(PARAMETERS, {
    url: "/openapi.json",
    oauth2RedirectUrl: new URL(OAUTH2_REDIRECT_URL, window.location.href).href,
    plugins: [apiDockKeepOnlyTheAccessToken],
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
}));
"""


class _InlineScripts(HTMLParser):
    """The text of each `<script>` without `src`, as a browser reads it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.scripts: list[str] = []
        self._inline = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self._inline = all(name != "src" for name, _ in attrs)
            if self._inline:
                self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._inline = False

    def handle_data(self, data: str) -> None:
        if self._inline:
            self.scripts[-1] += data


def content_security_policy(html: str, *, extra: str = "", connect: str = "") -> str:
    """The policy of the page `html`: its inline scripts allowed by their sha256, no other;
    `connect` adds sources to `connect-src`, `extra` adds directives."""
    parser = _InlineScripts()
    parser.feed(html)
    parser.close()
    hashes = "".join(
        f" 'sha256-{base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()}'"
        for script in dict.fromkeys(parser.scripts)
    )
    return POLICY.format(
        hashes=hashes, connect=f" {connect}" if connect else "", extra=f"; {extra}" if extra else ""
    )


@dataclass(frozen=True, slots=True)
class DocsPage:
    """A page rendered once, with the policy computed from its bytes."""

    body: bytes
    policy: str

    @classmethod
    def of(cls, html: str, *, extra_policy: str = "", connect: str = "") -> DocsPage:
        return cls(
            html.encode(), content_security_policy(html, extra=extra_policy, connect=connect)
        )

    def response(self, body: bytes | None = None) -> Response:
        """This page, or `body`: a page whose inline scripts are this one's."""
        return Response(
            self.body if body is None else body,
            media_type="text/html",
            headers={"Content-Security-Policy": self.policy},
        )


def swagger_ui_html(title: str) -> str:
    """`/docs`: Swagger UI of this service's own document."""
    script = SWAGGER_UI_SCRIPT.replace(
        "PARAMETERS", script_json(SWAGGER_UI_PARAMETERS | {"persistAuthorization": True}), 1
    ).replace("OAUTH2_REDIRECT_URL", script_json(OAUTH2_REDIRECT_URL), 1)
    return swagger_ui_page(
        title=f"{title} - Swagger UI",
        assets_url=DOCS_ASSETS_URL,
        script=script,
        before=UNUSED_CLIENT_FIELDS_HIDDEN,
    )


def _app_page(slug: str, api_prefix: str) -> str:
    return app_docs_html(
        slug=slug,
        document_url=f"{api_prefix}/apps/by-slug/{slug}/openapi.json",
        assets_url=DOCS_ASSETS_URL,
        swagger_ui_parameters=SWAGGER_UI_PARAMETERS,
    )


def _html_of(response: Response) -> str:
    return bytes(response.body).decode()


@dataclass(frozen=True, slots=True)
class DocsPages:
    """An application's documentation pages, rendered once (they hold its title)."""

    swagger_ui: DocsPage
    redoc: DocsPage
    oauth2_redirect: DocsPage
    app_page: DocsPage
    api_prefix: str


def _pages(request: Request) -> DocsPages:
    pages: DocsPages = request.app.state.docs_pages
    return pages


# The pages are module functions reading the application's pages from the request: a function
# made per application would be held, with its application, by FastAPI's caches of callables.


async def api_docs_page(request: Request) -> Response:
    return _pages(request).swagger_ui.response()


async def app_docs_page(request: Request, slug: str) -> Response:
    # no database read: the page is the same for every slug (see apps/docs_page.py)
    if len(slug) > 80 or not SLUG_RE.fullmatch(slug):
        raise NotFound("No such page")
    pages = _pages(request)
    return pages.app_page.response(_app_page(slug, pages.api_prefix).encode())


async def oauth2_redirect_page(request: Request) -> Response:
    return _pages(request).oauth2_redirect.response()


async def redoc_page(request: Request) -> Response:
    return _pages(request).redoc.response()


def add_docs_routes(app: FastAPI, *, api_prefix: str) -> None:
    """Mount the assets and route the pages, each rendered now with its policy."""
    app.mount(DOCS_ASSETS_URL, StaticFiles(directory=DOCS_ASSETS), name="docs-assets")
    app.state.docs_pages = DocsPages(
        swagger_ui=DocsPage.of(swagger_ui_html(app.title)),
        redoc=DocsPage.of(
            _html_of(
                get_redoc_html(
                    openapi_url="/openapi.json",
                    title=f"{app.title} - ReDoc",
                    redoc_js_url=f"{DOCS_ASSETS_URL}/redoc.standalone.js",
                    redoc_favicon_url=f"{DOCS_ASSETS_URL}/favicon.png",
                    with_google_fonts=False,
                )
            ),
            extra_policy="worker-src blob:",
        ),
        oauth2_redirect=DocsPage.of(_html_of(get_swagger_ui_oauth2_redirect_html())),
        # every app page has the same inline script: one policy, from one rendering
        app_page=DocsPage.of(_app_page("example", api_prefix), connect=APP_PAGE_CONNECT),
        api_prefix=api_prefix,
    )
    app.get("/docs", include_in_schema=False)(api_docs_page)
    app.get("/docs/apps/{slug}", include_in_schema=False)(app_docs_page)
    app.get(OAUTH2_REDIRECT_URL, include_in_schema=False)(oauth2_redirect_page)
    app.get("/redoc", include_in_schema=False)(redoc_page)
