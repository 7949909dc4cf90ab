"""`apidock routes`: every route of the app, and who may call it: anyone (`public`), a
signed-in caller (`signed-in`: a bearer token, whatever its role), or one whose role holds
permissions (`permission:read_docs,write_docs`), as its dependencies require."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import astuple, dataclass
from typing import Any

import click
import fastapi.routing
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.security.base import SecurityBase
from starlette.routing import Mount, Route

from apidock.cli.running import read_settings
from apidock.main import create_app
from apidock.permissions import permission_names

PUBLIC = "public"
SIGNED_IN = "signed-in"


@dataclass(frozen=True)
class RouteRow:
    methods: str
    path: str
    name: str
    access: str


def _marker_bits(marker: Any) -> int:
    """The bit set a `permissions` marker stands for: one flag, or an iterable of flags."""
    if isinstance(marker, int):
        return marker
    bits = 0
    for flag in marker:
        bits |= int(flag)
    return bits


def _required_bits(dependant: Dependant) -> int:
    """Every permission required by `dependant`'s dependencies, however deep."""
    bits = 0
    for dependency in dependant.dependencies:
        marker = getattr(dependency.call, "permissions", None)
        if marker is not None:
            bits |= _marker_bits(marker)
        bits |= _required_bits(dependency)
    return bits


def _needs_a_token(dependant: Dependant) -> bool:
    """Whether a dependency, however deep, reads the bearer token (a security scheme)."""
    return any(
        isinstance(dependency.call, SecurityBase) or _needs_a_token(dependency)
        for dependency in dependant.dependencies
    )


def _access(route: Any, original: APIRoute) -> str:
    names = permission_names(_required_bits(route.dependant))
    if names:
        return f"permission:{','.join(names)}"
    # the hot reads take the token themselves and declare the scheme in `openapi_extra`
    declared = (original.openapi_extra or {}).get("security")
    return SIGNED_IN if declared or _needs_a_token(route.dependant) else PUBLIC


def _flat_routes(app: FastAPI) -> Iterable[Any]:
    """Every route of `app`, those of included routers too, with their full paths.

    FastAPI 0.16x keeps an included router as one entry of `app.routes` and resolves its
    routes lazily; `iter_route_contexts` walks them with the prefix and the router's
    dependencies applied. Older releases copy the routes into `app.routes`.
    """
    iterate = getattr(fastapi.routing, "iter_route_contexts", None)
    return iterate(app.routes) if iterate is not None else app.routes


def _methods(methods: Iterable[str] | None) -> str:
    return ",".join(sorted(methods or ())) or "-"


def route_table(app: FastAPI) -> list[RouteRow]:
    """One row per route of `app`: methods, path, name and who may call it."""
    rows: list[RouteRow] = []
    for route in _flat_routes(app):
        original = getattr(route, "original_route", route)
        if isinstance(original, APIRoute):
            access = _access(route, original)
            rows.append(RouteRow(_methods(route.methods), route.path, route.name, access))
        elif isinstance(original, Route):
            rows.append(RouteRow(_methods(route.methods), route.path, route.name, PUBLIC))
        elif isinstance(original, Mount):
            rows.append(RouteRow("GET,HEAD", f"{route.path}/{{path}}", route.name or "-", PUBLIC))
    return sorted(rows, key=lambda row: (row.path, row.methods))


@click.command()
def routes() -> None:
    """List the routes: method, path, name and who may call each: `public`, `signed-in` (any
    bearer token) or `permission:NAMES` (a role holding each of them)."""
    app = create_app(read_settings())
    table = [
        astuple(row) for row in (RouteRow("METHOD", "PATH", "NAME", "ACCESS"), *route_table(app))
    ]
    widths = [max(len(cells[column]) for cells in table) for column in range(len(table[0]))]
    for cells in table:
        line = "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True))
        click.echo(line.rstrip())
