"""One log line per request with its fields, the route's template never its path, the request
id chosen or made up, sent back on every answer, and carried by every line of the request."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import AsyncIterator

import anyio
import httpx
import pytest
from fastapi import APIRouter, FastAPI, routing
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from apidock.http.request_log import _route_templates
from apidock.logs.models import Log
from apidock.request_logs import JsonLines, TextLines
from apidock.schemas import Envelope
from apidock.users.models import User
from tests.catalog.helpers import API
from tests.conftest import make_client
from tests.observability.conftest import Catcher

NEW_ID = re.compile(r"[0-9a-f]{32}")
service_logger = logging.getLogger("apidock.probe")
probe = APIRouter(prefix="/probe")


@probe.get("/speaks")
async def speaks() -> Envelope[str]:
    service_logger.warning("a service speaks")
    await anyio.to_thread.run_sync(service_logger.warning, "and so does its thread")
    return Envelope(data="ok")


@probe.get("/crash")
async def crash() -> Envelope[None]:
    raise RuntimeError("an unexpected failure")


@pytest.fixture
async def probed(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    app.include_router(probe)
    async with make_client(app) as http:
        yield http


async def test_a_request_writes_one_line_with_each_field(
    client: httpx.AsyncClient,
    reader: User,
    reader_auth: dict[str, str],
    lines: Catcher,
) -> None:
    response = await client.get(
        f"{API}/users/{reader.id}", headers={**reader_auth, "X-Request-ID": "trace-42"}
    )
    assert response.status_code == 200
    assert response.headers["x-request-id"] == "trace-42"
    line = lines.only_request()
    assert (line.request_id, line.method, line.route, line.status) == (
        "trace-42",
        "GET",
        "/api/v1/users/{user_id}",
        200,
    )
    assert line.duration > 0
    assert (line.user_id, line.client) == (reader.id, "127.0.0.1")
    written = json.loads(JsonLines().format(line))
    assert written | {"time": "t", "duration_ms": 1.0} == {
        "time": "t",
        "level": "info",
        "logger": "apidock.requests",
        "message": "GET /api/v1/users/{user_id} 200",
        "request_id": "trace-42",
        "method": "GET",
        "route": "/api/v1/users/{user_id}",
        "status": 200,
        "duration_ms": 1.0,
        "user_id": reader.id,
        "client": "127.0.0.1",
    }
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", written["time"])
    assert written["duration_ms"] == round(line.duration * 1000, 3)


async def test_the_route_is_the_template_never_the_path(
    client: httpx.AsyncClient, lines: Catcher
) -> None:
    await client.get(f"{API}/users/7")
    await client.get(f"{API}/apps/31337/components")
    await client.get(f"{API}/no/such/route/qqxq")
    await client.get("/mock/some-slug/orders/zz99?x=1")
    routes = [(line.route, line.status) for line in lines.requests()]
    assert routes == [
        ("/api/v1/users/{user_id}", 401),
        ("/api/v1/apps/{app_id}/components", 401),
        ("<unmatched>", 404),
        ("/mock/{slug}", 404),
    ]
    written = "\n".join(JsonLines().format(line) for line in lines.requests())
    for raw in ("users/7", "apps/31337", "qqxq", "some-slug", "zz99", "x=1"):
        assert raw not in written


def test_every_routes_template_is_the_one_fastapi_matches_it_under(app: FastAPI) -> None:
    """The templates are added up from the included routers' prefixes, without asking FastAPI
    to build every route (the first request would pay for it): they are FastAPI's own."""
    fastapi_says: dict[int, str] = {}
    for context in routing.iter_route_contexts(app.routes):
        template = getattr(context, "path_format", None)
        if isinstance(template, str):
            fastapi_says[id(getattr(context, "original_route", context))] = template

    assert _route_templates(app) == fastapi_says
    assert "/api/v1/users/{user_id}" in fastapi_says.values()


async def test_the_caller_is_named_once_authenticated(
    client: httpx.AsyncClient,
    admin: User,
    admin_auth: dict[str, str],
    lines: Catcher,
) -> None:
    await client.get(f"{API}/users/me", headers=admin_auth)  # the ORM's current_user
    await client.get(f"{API}/users", headers=admin_auth)  # the Core gate of a hot list
    await client.get(f"{API}/users/{admin.id}", headers=admin_auth)  # the hot read
    await client.get(f"{API}/users/{admin.id}", headers={"Authorization": "Bearer forged"})
    await client.get("/healthz")
    assert [(line.status, line.user_id) for line in lines.requests()] == [
        (200, admin.id),
        (200, admin.id),
        (200, admin.id),
        (401, None),
        (200, None),
    ]


async def test_a_blocked_callers_token_names_no_one(
    client: httpx.AsyncClient,
    session: AsyncSession,
    reader: User,
    reader_auth: dict[str, str],
    lines: Catcher,
) -> None:
    reader.status = 2
    await session.commit()
    response = await client.get(f"{API}/users/{reader.id}", headers=reader_auth)
    assert response.status_code == 401
    assert lines.only_request().user_id is None


@pytest.mark.parametrize(
    "given",
    [
        "x" * 65,
        "line\nbreak",
        "carriage\rreturn",
        'a"quote',
        "a space",
        "semi;colon",
        b"caf\xc3\xa9",
        "",
    ],
    ids=["too-long", "newline", "cr", "quote", "space", "semicolon", "non-ascii", "empty"],
)
async def test_a_hostile_request_id_is_replaced(
    client: httpx.AsyncClient, lines: Catcher, given: str | bytes
) -> None:
    raw = given.encode() if isinstance(given, str) else given
    response = await client.get("/healthz", headers=[(b"X-Request-ID", raw)])
    chosen = response.headers["x-request-id"]
    assert NEW_ID.fullmatch(chosen)
    assert lines.only_request().request_id == chosen


@pytest.mark.parametrize("given", ["abc", "0f8e-11ee.be56:a/b+c=d@e_f", "9" * 64])
async def test_a_plain_request_id_is_sent_back(
    client: httpx.AsyncClient, lines: Catcher, given: str
) -> None:
    response = await client.get("/healthz", headers={"X-Request-ID": given})
    assert response.headers["x-request-id"] == given
    assert lines.only_request().request_id == given


async def test_each_request_without_one_gets_its_own(client: httpx.AsyncClient) -> None:
    ids = {(await client.get("/healthz")).headers["x-request-id"] for _ in range(5)}
    assert len(ids) == 5
    assert all(NEW_ID.fullmatch(value) for value in ids)


async def test_every_line_of_a_request_carries_its_id(
    probed: httpx.AsyncClient, lines: Catcher
) -> None:
    response = await probed.get("/probe/speaks", headers={"X-Request-ID": "req-1"})
    assert response.status_code == 200
    await probed.get("/probe/speaks", headers={"X-Request-ID": "req-2"})
    spoken = [
        (record.getMessage(), getattr(record, "request_id", None))
        for record in lines.records
        if record.name == "apidock.probe"
    ]
    assert spoken == [
        ("a service speaks", "req-1"),
        ("and so does its thread", "req-1"),
        ("a service speaks", "req-2"),
        ("and so does its thread", "req-2"),
    ]
    outside = logging.LogRecord("apidock.x", logging.INFO, "", 0, "after", (), None)
    lines.handle(outside)
    assert outside.request_id is None  # type: ignore[attr-defined]


async def test_an_error_answer_carries_its_request_id_and_the_envelope_as_it_was(
    probed: httpx.AsyncClient, lines: Catcher
) -> None:
    crashed = await probed.get("/probe/crash", headers={"X-Request-ID": "boom-1"})
    assert crashed.status_code == 500
    assert crashed.headers["x-request-id"] == "boom-1"
    # the original api-dock's envelope, as its clients and the contract tests know it
    assert crashed.json() == {"status": "error", "message": "Internal server error", "data": None}
    failure = next(record for record in lines.records if record.exc_info)
    assert failure.request_id == "boom-1"  # type: ignore[attr-defined]
    assert lines.requests()[-1].status == 500
    for path, status in ((f"{API}/users/me", 401), (f"{API}/nothing", 404)):
        answer = await probed.get(path, headers={"X-Request-ID": f"err-{status}"})
        assert answer.status_code == status
        assert answer.headers["x-request-id"] == f"err-{status}"
        assert set(answer.json()) == {"status", "message", "data"}


async def test_the_audit_row_names_the_same_request_id(
    client: httpx.AsyncClient, session: AsyncSession, admin_auth: dict[str, str], lines: Catcher
) -> None:
    created = await client.post(
        f"{API}/apps", json={"title": "Traced"}, headers={**admin_auth, "X-Request-ID": "audit-7"}
    )
    assert created.status_code == 201, created.text
    actions = await session.scalars(select(Log.action).where(Log.request_id == "audit-7"))
    assert list(actions) == ["app.create"]
    assert lines.only_request().request_id == "audit-7"


async def test_the_mock_answers_carry_a_request_id(
    client: httpx.AsyncClient, lines: Catcher
) -> None:
    response = await client.get("/mock/nobody/x", headers={"X-Request-ID": "mocked-1"})
    assert response.status_code == 404
    assert response.headers["x-request-id"] == "mocked-1"
    assert lines.only_request().route == "/mock/{slug}"


def test_the_text_format_reads_as_a_sentence() -> None:
    from apidock.request_logs import RequestRecord

    line = RequestRecord("r-1", "GET", "/api/v1/users/{user_id}", 200, 0.00123, 7, "10.0.0.9")
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO    apidock\.requests r-1 "
        r"GET /api/v1/users/\{user_id\} 200 1\.2ms user=7 client=10\.0\.0\.9",
        TextLines().format(line),
    )
    anonymous = RequestRecord("r-2", "POST", "<unmatched>", 404, 0.0004, None, None)
    assert TextLines().format(anonymous).endswith(" 0.4ms user=- client=-")
    forged = logging.LogRecord("apidock.x", logging.WARNING, "", 0, "a\nINFO fake", (), None)
    forged.request_id = None
    text = TextLines().format(forged)
    assert "\n" not in text
    assert text.endswith(" WARNING apidock.x - a\\nINFO fake")


def test_a_failure_is_one_json_line_with_its_traceback() -> None:
    try:
        raise ValueError("bad")
    except ValueError as error:
        record = logging.LogRecord(
            "apidock", logging.ERROR, "", 0, "it failed: %s", ("x",), (type(error), error, None)
        )
    written = JsonLines().format(record)
    assert "\n" not in written
    entry = json.loads(written)
    assert (entry["level"], entry["message"], entry["request_id"]) == (
        "error",
        "it failed: x",
        None,
    )
    assert "ValueError: bad" in entry["exception"]
