"""The ceiling: the least work a Python server can do for API Dock's hot authenticated reads.

`GET /api/v1/users/{id}` verifies the HS256 bearer token with PyJWT as API Dock does (the
algorithm fixed by the server, never taken from the token; `exp`, `iss` and the other
claims API Dock issues required; an access token only), then reads the same user row by id
through an asyncpg pool and answers it in API Dock's envelope, encoded by orjson. No ORM, no
validation layer, no middleware, no dependency injection: what API Dock does on top of this
is the price of its framework, its checks and its code.

`GET /api/v1/users` and `GET /api/v1/apis` (issue 13) verify the same token, then do what
API Dock's lists do on PostgreSQL: the count bounded at 10,001 matching rows and, past
10,000, the planner's estimate (`EXPLAIN`), then the page with one row more than asked for
(to know whether another follows), answered with the same `page`, `per_page`, `total`,
`total_is_estimate`, `prev` and `next` (relative links built as `apidock.db.pages.PageParams`
builds them). A bad `page` or `per_page` is a 422, as in API Dock.

Settings from the environment, with API Dock's names: DATABASE_URL (postgresql://…),
JWT_SECRET_KEY, JWT_ISSUER (default apidock), DB_POOL_SIZE (default 64), USER_PER_PAGE
(default 20).

    DATABASE_URL=postgresql://root@127.0.0.1:5432/apidock_bench JWT_SECRET_KEY=… \\
        uvicorn ceiling:app --app-dir bench --port 8801 --no-access-log

`bench/run.py` starts it like that, pinned to the core API Dock gets, never beside it.
"""

# ruff: noqa: S608 (the statements are built from the fixed table and column names here)

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

import asyncpg
import jwt
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

ALGORITHMS = ["HS256"]
# the claims API Dock puts in every token (apidock.auth.tokens.REQUIRED_CLAIMS)
REQUIRED_CLAIMS = ["exp", "iat", "nbf", "sub", "jti", "iss", "type", "ver", "fam"]
MAX_TOKEN_LENGTH = 4096
MAX_ID = 2**31 - 1
USER_BY_ID = """
    SELECT id, name, role_id, status, last_login_at, last_login_ip,
           created_at, updated_at, deleted_at
    FROM users
    WHERE id = $1
"""
STATUS_NAMES = {1: "normal", 2: "blocked"}
# apidock.apis.models.ApiStatus, by value
API_STATUS_NAMES = {1: "developing", 2: "released", 3: "deprecated"}
# apidock.db.pages.EXACT_TOTAL_LIMIT and apidock.http.pages
EXACT_TOTAL_LIMIT = 10_000
MAX_PAGE = 1_000_000
MAX_PER_PAGE = 100


def _json(
    status_code: int, body: dict[str, Any], headers: dict[str, str] | None = None
) -> Response:
    # timestamps are naive UTC in the database: written as UTC with a Z, as API Dock does
    return Response(
        orjson.dumps(body, option=orjson.OPT_NAIVE_UTC | orjson.OPT_UTC_Z),
        status_code=status_code,
        media_type="application/json",
        headers=headers,
    )


def _error(status_code: int, message: str) -> Response:
    headers = {"WWW-Authenticate": "Bearer"} if status_code == 401 else None
    return _json(status_code, {"status": "error", "message": message, "data": None}, headers)


def _verified(request: Request) -> bool:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token or len(token) > MAX_TOKEN_LENGTH:
        return False
    try:
        claims = jwt.decode(
            token,
            SECRET,
            algorithms=ALGORITHMS,
            issuer=ISSUER,
            options={"require": REQUIRED_CLAIMS},
        )
    except jwt.PyJWTError:
        return False
    return claims.get("type") == "access"


def _user(row: dict[str, Any]) -> dict[str, Any]:
    row["status"] = STATUS_NAMES.get(row["status"], "normal")
    return row


async def user_by_id(request: Request) -> Response:
    if not _verified(request):
        return _error(401, "Invalid token")
    user_id: int = request.path_params["user_id"]
    if not 1 <= user_id <= MAX_ID:
        return _error(404, "User not found")
    pool: asyncpg.Pool = request.app.state.pool
    row = await pool.fetchrow(USER_BY_ID, user_id)
    if row is None:
        return _error(404, "User not found")
    return _json(200, {"status": "success", "message": None, "data": _user(dict(row))})


def _stored_headers(stored: str | None) -> list[Any]:
    """The stored JSON text of an API's headers as a list; [] when null or not a JSON list."""
    if not stored:
        return []
    try:
        items = orjson.loads(stored)
    except orjson.JSONDecodeError:
        return []
    return items if isinstance(items, list) else []


def _api(row: dict[str, Any]) -> dict[str, Any]:
    row["request_header"] = _stored_headers(row["request_header"])
    row["status"] = API_STATUS_NAMES.get(row["status"])
    return row


@dataclass(frozen=True)
class Listing:
    """One list: its key in `data`, its three statements, and how a row is answered."""

    key: str
    count: str  # the matching rows, bounded at EXACT_TOTAL_LIMIT + 1
    estimate: str  # the planner's estimate of the matching rows, as EXPLAIN's JSON
    page: str  # $1 rows (one more than the page) from offset $2
    shape: Callable[[dict[str, Any]], dict[str, Any]]


def _listing(
    key: str,
    columns: str,
    table: str,
    order_by: str,
    shape: Callable[[dict[str, Any]], dict[str, Any]],
) -> Listing:
    matching = f"SELECT 1 FROM {table} WHERE deleted_at IS NULL"
    return Listing(
        key=key,
        count=f"SELECT count(*) FROM ({matching} LIMIT {EXACT_TOTAL_LIMIT + 1}) AS matching",
        estimate=f"EXPLAIN (FORMAT JSON) {matching}",
        page=(
            f"SELECT {columns} FROM {table} WHERE deleted_at IS NULL "
            f"ORDER BY {order_by} LIMIT $1 OFFSET $2"
        ),
        shape=shape,
    )


USERS = _listing(
    "users",
    "id, name, role_id, status, last_login_at, last_login_ip, created_at, updated_at, deleted_at",
    "users",
    "id",
    _user,
)
APIS = _listing(
    "apis",
    "id, app_id, group_id, title, description, request_url, request_method, request_header, "
    "need_auth, status, created_at, updated_at",
    "apis",
    "app_id, request_url, request_method, id",
    _api,
)


def _query_int(
    request: Request, name: str, default: int, top: int, errors: list[dict[str, str]]
) -> int:
    """The integer query parameter `name`, 1 to `top`; out of it, the field error API Dock
    gives is added to `errors`."""
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        message = "Input should be a valid integer, unable to parse string as an integer"
        kind = "int_parsing"
    else:
        if 1 <= value <= top:
            return value
        if value < 1:
            message, kind = "Input should be greater than or equal to 1", "greater_than_equal"
        else:
            message, kind = f"Input should be less than or equal to {top}", "less_than_equal"
    errors.append({"field": f"query.{name}", "message": message, "type": kind})
    return default


def _link(request: Request, page: int, per_page: int) -> str:
    """This request's path and query at `page`, as `PageParams.link` builds it."""
    kept = [
        (name, value)
        for name, value in request.query_params.multi_items()
        if name not in ("page", "per_page")
    ]
    query = urlencode([*kept, ("page", page), ("per_page", per_page)])
    return f"{quote(request.scope['path'])}?{query}"


async def _list(request: Request, listing: Listing) -> Response:
    if not _verified(request):
        return _error(401, "Invalid token")
    errors: list[dict[str, str]] = []
    page = _query_int(request, "page", 1, MAX_PAGE, errors)
    per_page = _query_int(request, "per_page", PER_PAGE, MAX_PER_PAGE, errors)
    if errors:
        return _json(422, {"status": "error", "message": "Validation failed", "data": errors})
    offset = (page - 1) * per_page
    pool: asyncpg.Pool = request.app.state.pool
    async with pool.acquire() as connection:
        total = counted = int(await connection.fetchval(listing.count))
        estimated = counted > EXACT_TOTAL_LIMIT
        if estimated:
            plan = orjson.loads(await connection.fetchval(listing.estimate))
            total = max(counted, int(plan[0]["Plan"]["Plan Rows"]))
        rows = await connection.fetch(listing.page, per_page + 1, offset)
    has_next = len(rows) > per_page
    items = [listing.shape(dict(row)) for row in rows[:per_page]]
    if items:  # an estimate may undershoot: never fewer than the rows already seen
        total = max(total, offset + len(items) + int(has_next))
    last = max(1, -(-total // per_page))
    data = {
        "page": page,
        "per_page": per_page,
        "total": total,
        "total_is_estimate": estimated,
        "prev": _link(request, min(page - 1, last), per_page) if page > 1 else None,
        "next": _link(request, page + 1, per_page) if has_next else None,
        listing.key: items,
    }
    return _json(200, {"status": "success", "message": None, "data": data})


async def users_list(request: Request) -> Response:
    return await _list(request, USERS)


async def apis_list(request: Request) -> Response:
    return await _list(request, APIS)


async def healthz(_: Request) -> Response:
    return _json(200, {"status": "ok"})


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    app.state.pool = await asyncpg.create_pool(
        DATABASE_URL, min_size=min(10, POOL_SIZE), max_size=POOL_SIZE
    )
    try:
        yield
    finally:
        await app.state.pool.close()


SECRET = os.environ.get("JWT_SECRET_KEY", "")
ISSUER = os.environ.get("JWT_ISSUER", "apidock")
DATABASE_URL = os.environ.get("DATABASE_URL", "")
POOL_SIZE = int(os.environ.get("DB_POOL_SIZE", "64"))
PER_PAGE = int(os.environ.get("USER_PER_PAGE", "20"))
if not SECRET or not DATABASE_URL.startswith(("postgresql://", "postgres://")):
    raise SystemExit("ceiling: set JWT_SECRET_KEY and DATABASE_URL (postgresql://…)")

app = Starlette(
    routes=[
        Route("/api/v1/users/{user_id:int}", user_by_id),
        Route("/api/v1/users", users_list),
        Route("/api/v1/apis", apis_list),
        Route("/healthz", healthz),
    ],
    lifespan=lifespan,
)
