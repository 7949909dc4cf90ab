"""The Swagger UI page of one app's exported document, `/docs/apps/{slug}`.

A browser opening a page sends no bearer token, so the page holds no catalog data: it is the
same for every well-formed slug, whether or not an app has it, and reads nothing from the
database (a 404 here would tell anonymous visitors which apps exist). Its script fetches
`/api/v1/apps/by-slug/{slug}/openapi.json`, which needs `read_docs` like the rest of the
catalog and answers 404 for an unknown slug, with the access token that `/docs` keeps in the
browser after "Authorize" (`persistAuthorization`, Swagger UI's `authorized` entry in
localStorage, same origin). Only that request carries the token: "Try it out" calls go to the
documented app and never see it. This page persists nothing, so authorising the documented
app here cannot overwrite the token `/docs` keeps.

The page's inline script is the same for every slug (the document's URL is in the markup), so
the hash that its Content-Security-Policy names is computed once, at start-up
(apidock.http.docs_ui).
"""

from __future__ import annotations

import json
from html import escape
from typing import Any

_PAGE = """<!DOCTYPE html>
<html>
<head>
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link type="text/css" rel="stylesheet" href="{assets_url}/swagger-ui.css">
<link rel="shortcut icon" href="{assets_url}/favicon.png">
<title>{title}</title>
</head>
<body>
{before}<div id="swagger-ui"{attributes}></div>
<script src="{assets_url}/swagger-ui-bundle.js"></script>
<script>{script}</script>
</body>
</html>
"""

_SIGN_IN_FIRST = """<p id="sign-in" hidden style="font-family: sans-serif; margin: 1em 2em">
Sign in on <a href="/docs">/docs</a> with "Authorize" first: this document is read with that
token.</p>
"""


def swagger_ui_page(
    *, title: str, assets_url: str, script: str, before: str = "", attributes: str = ""
) -> str:
    """A Swagger UI page (of /docs or of one app) with its one inline script; `title` is
    escaped here, `before` and `attributes` are markup made by the caller."""
    return _PAGE.format(
        assets_url=assets_url,
        title=escape(title),
        before=before,
        attributes=attributes,
        script=script,
    )


_SCRIPT = """
const specUrl = new URL(
    document.getElementById("swagger-ui").dataset.specUrl, window.location.href
).href;
function apiDockToken() {
    let saved = {};
    try {
        saved = JSON.parse(window.localStorage.getItem("authorized") || "{}");
    } catch (error) {
        return null;
    }
    for (const auth of Object.values(saved)) {
        const token = auth && ((auth.token && auth.token.access_token) || auth.value);
        if (token) {
            return token;
        }
    }
    return null;
}
if (!apiDockToken()) {
    document.getElementById("sign-in").hidden = false;
}
const ui = SwaggerUIBundle(Object.assign(PARAMETERS, {
    url: specUrl,
    requestInterceptor: (request) => {
        const token = apiDockToken();
        if (token && new URL(request.url, window.location.href).href === specUrl) {
            request.headers.Authorization = "Bearer " + token;
        }
        return request;
    },
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
}));
"""


def script_json(value: Any) -> str:
    """`value` as JSON that cannot close the script element it sits in."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def app_docs_html(
    *, slug: str, document_url: str, assets_url: str, swagger_ui_parameters: dict[str, Any]
) -> str:
    """The page for the app `slug` (already checked against the slug pattern)."""
    parameters = script_json(swagger_ui_parameters | {"persistAuthorization": False})
    return swagger_ui_page(
        title=f"{slug} - API Dock",
        assets_url=assets_url,
        script=_SCRIPT.replace("PARAMETERS", parameters, 1),
        before=_SIGN_IN_FIRST,
        attributes=f' data-spec-url="{escape(document_url)}"',
    )
