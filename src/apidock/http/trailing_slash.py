"""A path with a trailing slash is served as the same path without it, never redirected.

Starlette answered `POST /api/v1/apps/` with an empty 307 to `/api/v1/apps`: a client that
does not follow it (or follows it with a GET) sees no body, and one that does pays a round
trip. Here, the router's fallback, which runs only when no route matched the path as sent,
tries it once more without its last slash: every route declared answers exactly as before
(none is declared with a trailing slash), and what still matches nothing is the 404 of the
envelope. The scope is changed in place, as the router does when a route matches, so that
what wraps the router sees the path and the route that answered.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.types import Receive, Scope, Send

# set on a scope already tried without its slash, so that a second miss is the 404
_TRIED = "apidock.trailing_slash_tried"


def _route_path(scope: Scope) -> str:
    """The path the routes match: the request's, without the mount point (`root_path`)."""
    path: str = scope["path"]
    root_path: str = scope.get("root_path", "")
    return path[len(root_path) :] if root_path and path.startswith(root_path) else path


def serve_paths_with_a_trailing_slash(app: FastAPI) -> None:
    """Make `app`'s router serve `/x/` as `/x` when nothing matches `/x/` itself."""
    router = app.router
    not_found = router.default
    # no redirect of its own either way: `/static/docs` (the assets' directory, which
    # lists nothing) is a 404 too
    router.redirect_slashes = False

    async def without_the_trailing_slash(scope: Scope, receive: Receive, send: Send) -> None:
        path = _route_path(scope)
        if scope["type"] != "http" or scope.get(_TRIED) or not path.endswith("/") or path == "/":
            await not_found(scope, receive, send)
            return
        scope[_TRIED] = True
        scope["path"] = scope["path"][:-1]
        raw_path = scope.get("raw_path")
        if isinstance(raw_path, bytes) and raw_path.endswith(b"/"):
            scope["raw_path"] = raw_path[:-1]
        await router.app(scope, receive, send)

    router.default = without_the_trailing_slash
