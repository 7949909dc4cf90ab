"""The profiler of `apidock profile`: one cProfile report per HTTP request."""

from __future__ import annotations

import asyncio
import pstats
from datetime import UTC, datetime
from pathlib import Path

import httpx
from fastapi import FastAPI

from apidock.profiling import ProfilerMiddleware, report_name


def busy_work() -> int:
    return sum(i * i for i in range(20_000))


def make_app() -> FastAPI:
    app = FastAPI()

    @app.get("/work/{item}")
    async def work(item: int) -> dict[str, int]:
        await asyncio.sleep(0.01)
        return {"item": item, "total": busy_work()}

    return app


async def test_each_request_writes_a_report_of_its_own(tmp_path: Path) -> None:
    profiled = ProfilerMiddleware(make_app(), tmp_path / "profiles")
    transport = httpx.ASGITransport(app=profiled)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        responses = await asyncio.gather(*(client.get(f"/work/{n}") for n in range(3)))
        missing = await client.get("/nowhere")
    assert [response.status_code for response in responses] == [200, 200, 200]
    assert missing.status_code == 404

    reports = sorted((tmp_path / "profiles").glob("*.prof"))
    assert len(reports) == 4
    assert sum("-GET-work.1-200-" in report.name for report in reports) == 1
    assert sum("-GET-nowhere-404-" in report.name for report in reports) == 1
    # requests run one at a time under the profiler, so each report holds one busy_work call
    for report in reports:
        functions = pstats.Stats(str(report)).stats  # type: ignore[attr-defined]
        calls = [stat[0] for key, stat in functions.items() if key[2] == "busy_work"]
        assert calls == ([] if "nowhere" in report.name else [1]), report.name


def test_report_names_sort_by_time_and_are_safe() -> None:
    started = datetime(2026, 11, 24, 1, 2, 3, 456789, tzinfo=UTC)
    name = report_name("GET", "/api/v1/users/../me?x", 200, 0.0123, started)
    assert name == "20261124T010203.456789-GET-api.v1.users.me_x-200-12ms.prof"
    assert report_name("GET", "/", 204, 0.0, started).endswith("-GET-root-204-0ms.prof")
