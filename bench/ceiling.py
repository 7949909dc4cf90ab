"""The ceiling: the least work a Python server can do for an authenticated user read.

`GET /api/v1/users/{id}` verifies the HS256 bearer token with PyJWT as API Dock does (the
algorithm fixed by the server, never taken from the token; `exp`, `iss` and the other
claims API Dock issues required; an access token only), then reads the same user row by id
through an asyncpg pool and answers it in API Dock's envelope, encoded by orjson. No ORM, no
validation layer, no middleware, no dependency injection: what API Dock does on top of this
is the price of its framework, its checks and its code.

Settings from the environment, with API Dock's names: DATABASE_URL (postgresql://…),
JWT_SECRET_KEY, JWT_ISSUER (default apidock), DB_POOL_SIZE (default 64).

    DATABASE_URL=postgresql://root@127.0.0.1:5432/apidock_bench JWT_SECRET_KEY=… \\
        uvicorn ceiling:app --app-dir bench --port 8801 --no-access-log

`bench/run.py` starts it like that, pinned to the core API Dock gets, never beside it.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

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


def _json(
    status_code: int, body: dict[str, Any], headers: dict[str, str] | None = None
) -> Response:
    # timestamps are naive UTC in the database: written with their +00:00, as API Dock does
    return Response(
        orjson.dumps(body, option=orjson.OPT_NAIVE_UTC),
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
    user = dict(row)
    user["status"] = STATUS_NAMES.get(user["status"], "normal")
    return _json(200, {"status": "success", "message": None, "data": user})


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
if not SECRET or not DATABASE_URL.startswith(("postgresql://", "postgres://")):
    raise SystemExit("ceiling: set JWT_SECRET_KEY and DATABASE_URL (postgresql://…)")

app = Starlette(
    routes=[
        Route("/api/v1/users/{user_id:int}", user_by_id),
        Route("/healthz", healthz),
    ],
    lifespan=lifespan,
)
