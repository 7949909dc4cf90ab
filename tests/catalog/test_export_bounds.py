"""Export bounds: the document is built in time linear in the catalog, off the event loop, and
an API holds at most MAX_EXAMPLES_PER_API examples, even when they are added in parallel."""

from __future__ import annotations

import asyncio
import itertools
import time
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from apidock.apis.models import Api, ApiExample
from apidock.apis.responses_service import MAX_EXAMPLES_PER_API
from apidock.apps import openapi_export
from apidock.apps.openapi_export import (
    ExportApi,
    ExportApp,
    ExportExample,
    ExportField,
    ExportGroup,
    build_document,
)
from apidock.config import Settings
from tests.catalog.helpers import API, make_api, make_app
from tests.factories import signed_in

Auth = dict[str, str]

# A linear build of these shapes takes tens of milliseconds of CPU (0.3 s for the 20,000
# fields); the quadratic one took 20-60 s. The bound sits far from both, and the builds are
# timed in this thread's CPU time, which other processes on a loaded machine do not inflate.
LINEAR_BOUND_SECONDS = 5.0
# the export through the database is timed in this process's CPU time (the event loop and the
# thread that builds the document; a stalled or busy machine does not inflate it): the bound of
# 20 s still fails the quadratic build of 10,000 examples (over 30 s)
EXPORT_BOUND_SECONDS = 20.0
SLOW_BUILD_SECONDS = 2.5
PROBE_BOUND_SECONDS = 1.0


def _timed(app: ExportApp) -> tuple[dict[str, Any], float]:
    start = time.thread_time()
    document = build_document(app)
    return document, time.thread_time() - start


def _one_api(**values: Any) -> ExportApp:
    api = ExportApi(id=1, title="t", request_url="/x", request_method="GET", **values)
    return ExportApp(title="T", version="1", apis=[api])


def _example_keys(document: dict[str, Any], path: str = "/x") -> list[str]:
    media = document["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
    return list(media["examples"])


def test_ten_thousand_same_titled_examples_get_unique_keys_in_linear_time() -> None:
    app = _one_api(examples=[ExportExample(title="a", body=None)] * 10_000)

    document, elapsed = _timed(app)

    assert elapsed < LINEAR_BOUND_SECONDS
    assert _example_keys(document) == ["a", *(f"a-{number}" for number in range(2, 10_001))]
    assert build_document(app) == document


def test_titles_that_spell_a_numbered_key_are_skipped_once() -> None:
    literal = [ExportExample(title=f"a {number}", body=None) for number in range(2, 5_002)]
    same = [ExportExample(title="A", body=None)] * 5_000
    app = _one_api(examples=[*literal, *same, ExportExample(title="a 2", body=None)])

    document, elapsed = _timed(app)

    assert elapsed < LINEAR_BOUND_SECONDS
    keys = _example_keys(document)
    assert len(keys) == len(set(keys)) == 10_001
    assert keys[5_000:5_003] == ["a", "a-5002", "a-5003"]
    assert keys[-1] == "a-2-2"


def test_urls_spelled_alike_get_unique_operation_ids_in_linear_time() -> None:
    separators = ("".join(chars) for chars in itertools.product("-._~", repeat=7))
    apis = [
        ExportApi(id=number, title="t", request_url=f"/a{separator}b", request_method="GET")
        for number, separator in zip(range(10_000), separators, strict=False)
    ]

    document, elapsed = _timed(ExportApp(title="T", version="1", apis=apis))

    assert elapsed < LINEAR_BOUND_SECONDS
    ids = [path["get"]["operationId"] for path in document["paths"].values()]
    assert len(ids) == len(set(ids)) == 10_000
    assert sorted(ids)[:2] == ["get_a_b", "get_a_b_10"]
    assert set(ids) == {"get_a_b", *(f"get_a_b_{number}" for number in range(2, 10_001))}


def test_same_titled_groups_get_unique_tags_in_linear_time() -> None:
    # the database keeps sibling titles unique; a database written around it may not
    groups = [ExportGroup(id=number, pid=0, title="g") for number in range(1, 10_001)]
    apis = [ExportApi(id=1, title="t", request_url="/x", request_method="GET", group_id=10_000)]

    document, elapsed = _timed(ExportApp(title="T", version="1", groups=groups, apis=apis))

    assert elapsed < LINEAR_BOUND_SECONDS
    names = [tag["name"] for tag in document["tags"]]
    assert names == ["g", *(f"g ({number})" for number in range(2, 10_001))]
    assert document["paths"]["/x"]["get"]["tags"] == ["g (10000)"]


def test_many_fields_under_one_prefix_build_in_linear_time() -> None:
    prefix = ".".join(["data", "items[]", "deep", "er[]"])
    fields = [
        ExportField(path=f"{prefix}.f{number}", data_type="string") for number in range(20_000)
    ]

    document, elapsed = _timed(_one_api(fields=fields))

    assert elapsed < LINEAR_BOUND_SECONDS
    media = document["paths"]["/x"]["get"]["responses"]["200"]["content"]["application/json"]
    element = media["schema"]["properties"]["data"]["properties"]["items"]["items"]
    assert len(element["properties"]["deep"]["properties"]["er"]["items"]["properties"]) == 20_000


def test_a_field_path_deeper_than_the_api_takes_is_left_out() -> None:
    # the API takes 100 characters; SQLite keeps any length a database written around it holds
    fields = [
        ExportField(path=".".join(["a"] * 5_000), data_type="string"),
        ExportField(path="a.b", data_type="integer"),
    ]

    document, _ = _timed(_one_api(fields=fields))

    media = document["paths"]["/x"]["get"]["responses"]["200"]["content"]["application/json"]
    assert media["schema"] == {
        "type": "object",
        "properties": {
            "a": {"type": "object", "properties": {"b": {"type": "integer"}}},
        },
    }


async def _insert_examples(
    session: AsyncSession, api_id: int, count: int, title: str = "a"
) -> None:
    """Examples written straight into the database, past the cap, as an older version could."""
    await session.execute(
        insert(ApiExample), [{"api_id": api_id, "title": title} for _ in range(count)]
    )
    await session.commit()


async def test_an_export_of_ten_thousand_stored_same_titled_examples(
    client: httpx.AsyncClient, session: AsyncSession, dev_auth: Auth
) -> None:
    app = await make_app(client, dev_auth)
    api = await make_api(client, dev_auth, app["id"], request_url="/x")
    await _insert_examples(session, api["id"], 10_000)
    url = f"{API}/apps/{app['id']}/openapi.json"

    start = time.process_time()
    first = await client.get(url, headers=dev_auth)
    elapsed = time.process_time() - start

    assert first.status_code == 200, first.text
    assert elapsed < EXPORT_BOUND_SECONDS
    keys = _example_keys(first.json())
    assert keys == ["a", *(f"a-{number}" for number in range(2, 10_001))]
    assert (await client.get(url, headers=dev_auth)).content == first.content


async def test_example_bodies_that_are_no_json_for_other_tools_are_strings(
    client: httpx.AsyncClient, dev_auth: Auth
) -> None:
    app = await make_app(client, dev_auth)
    api = await make_api(client, dev_auth, app["id"], request_url="/x")
    bodies = {
        "shallow": '{"a": [[1, {"b": "[[[[["}]]}',
        # the parser takes this, the document's encoder would not (its own levels on top)
        "deep": "[" * 995 + "]" * 995,
        # the parser itself gives up
        "deeper": "[" * 30_000 + "]" * 30_000,
        "objects": '{"a":' * 5_000 + "1" + "}" * 5_000,
        # Python's parser takes these, but JSON has no such numbers
        "nan": "NaN",
        "infinite": '{"a": [-Infinity]}',
        "too large": "[1e999]",
    }
    for title, body in bodies.items():
        created = await client.post(
            f"{API}/apis/examples",
            json={"api_id": api["id"], "title": title, "body": body},
            headers=dev_auth,
        )
        assert created.status_code == 201, created.text

    answer = await client.get(f"{API}/apps/{app['id']}/openapi.json", headers=dev_auth)

    assert answer.status_code == 200, answer.text
    media = answer.json()["paths"]["/x"]["get"]["responses"]["200"]["content"]["application/json"]
    assert media["examples"]["shallow"]["value"] == {"a": [[1, {"b": "[[[[["}]]}
    assert media["examples"]["too-large"]["value"] == bodies["too large"]
    for title in ("deep", "deeper", "objects", "nan", "infinite"):
        assert media["examples"][title]["value"] == bodies[title]


async def test_stored_headers_nested_too_deep_to_parse_leave_no_parameters(
    client: httpx.AsyncClient, session: AsyncSession, dev_auth: Auth
) -> None:
    app = await make_app(client, dev_auth)
    api = await make_api(client, dev_auth, app["id"], request_url="/x")
    await session.execute(
        update(Api).where(Api.id == api["id"]).values(request_header="[" * 5_000 + "]" * 5_000)
    )
    await session.commit()

    answer = await client.get(f"{API}/apps/{app['id']}/openapi.json", headers=dev_auth)

    assert answer.status_code == 200, answer.text
    assert "parameters" not in answer.json()["paths"]["/x"]["get"]


async def _live_examples(session: AsyncSession, api_id: int) -> int:
    count = await session.scalar(
        select(func.count())
        .select_from(ApiExample)
        .where(ApiExample.api_id == api_id, ApiExample.deleted_at.is_(None))
    )
    return int(count or 0)


async def test_an_api_holds_at_most_max_examples(
    client: httpx.AsyncClient, session: AsyncSession, dev_auth: Auth
) -> None:
    app = await make_app(client, dev_auth)
    api = await make_api(client, dev_auth, app["id"])
    other = await make_api(client, dev_auth, app["id"])
    await _insert_examples(session, api["id"], MAX_EXAMPLES_PER_API - 1)

    async def add(api_id: int) -> httpx.Response:
        body = {"api_id": api_id, "title": "one more"}
        return await client.post(f"{API}/apis/examples", json=body, headers=dev_auth)

    last = await add(api["id"])
    assert last.status_code == 201, last.text
    refused = await add(api["id"])
    assert refused.status_code == 409, refused.text
    assert str(MAX_EXAMPLES_PER_API) in refused.json()["message"]
    assert await _live_examples(session, api["id"]) == MAX_EXAMPLES_PER_API
    # the cap is per API, and a deleted example frees its place
    assert (await add(other["id"])).status_code == 201
    deleted = await client.delete(
        f"{API}/apis/examples/{last.json()['data']['id']}", headers=dev_auth
    )
    assert deleted.status_code == 200
    assert (await add(api["id"])).status_code == 201
    spec = (await client.get("/openapi.json")).json()
    create = spec["paths"]["/api/v1/apis/examples"]["post"]
    assert "409" in create["responses"]
    assert str(MAX_EXAMPLES_PER_API) in create["description"]


async def test_the_example_cap_holds_under_parallel_creates(
    live_client: httpx.AsyncClient, live_app: FastAPI, settings: Settings
) -> None:
    auth = await signed_in(live_app, settings, "Administrator")
    app = await make_app(live_client, auth)
    api = await make_api(live_client, auth, app["id"])
    room = 3
    async with live_app.state.database.transaction() as session:
        await _insert_examples(session, api["id"], MAX_EXAMPLES_PER_API - room)

    async def add(index: int) -> int:
        body = {"api_id": api["id"], "title": f"parallel {index}"}
        answer = await live_client.post(f"{API}/apis/examples", json=body, headers=auth)
        return answer.status_code

    codes = await asyncio.gather(*(add(index) for index in range(12)))

    assert set(codes) <= {201, 409, 503}, codes
    async with live_app.state.database.transaction(write=False) as session:
        stored = await _live_examples(session, api["id"])
    assert stored == MAX_EXAMPLES_PER_API - room + codes.count(201)
    assert stored <= MAX_EXAMPLES_PER_API
    if 503 not in codes:
        assert codes.count(201) == room, codes


async def _healthz_latencies(
    client: httpx.AsyncClient, until: asyncio.Task[Any], latencies: list[float] | None = None
) -> list[float]:
    """How long each `/healthz`, asked every 10 ms until `until` is done, waited for its answer
    (appended to `latencies` as they come, when given).

    Measured from when it was due, so a loop held up while no probe was in flight counts too.
    """
    latencies = [] if latencies is None else latencies
    while not until.done():
        due = time.perf_counter() + 0.01
        await asyncio.sleep(0.01)
        answer = await client.get("/healthz")
        latencies.append(time.perf_counter() - due)
        assert answer.status_code == 200
    return latencies


async def _export_while_probing(
    client: httpx.AsyncClient, url: str, auth: Auth, latencies: list[float] | None = None
) -> tuple[httpx.Response, float, list[float]]:
    start = time.perf_counter()
    export = asyncio.create_task(client.get(url, headers=auth))
    latencies = await _healthz_latencies(client, export, latencies)
    return await export, time.perf_counter() - start, latencies


async def test_healthz_answers_while_a_slow_document_is_built(
    live_client: httpx.AsyncClient,
    live_app: FastAPI,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    auth = await signed_in(live_app, settings, "User")
    app = await make_app(live_client, await signed_in(live_app, settings, "Developer"))
    build = openapi_export.build_document
    latencies: list[float] = []
    answered_during_build: list[int] = []  # the probes answered when the build began, ended

    def slow_build(export_app: ExportApp) -> dict[str, Any]:
        # pure Python that holds the interpreter, as building a very large document does
        answered_during_build.append(len(latencies))
        deadline = time.perf_counter() + SLOW_BUILD_SECONDS
        while time.perf_counter() < deadline:
            sum(range(1_000))
        answered_during_build.append(len(latencies))
        return build(export_app)

    monkeypatch.setattr(openapi_export, "build_document", slow_build)

    answer, elapsed, _ = await _export_while_probing(
        live_client, f"{API}/apps/{app['id']}/openapi.json", auth, latencies
    )

    assert answer.status_code == 200, answer.text
    assert elapsed >= SLOW_BUILD_SECONDS
    # On the event loop, no probe would be answered while the build runs; off it, they are
    # answered all along (an ordering: a stalled machine delays both sides alike).
    began, ended = answered_during_build
    assert ended - began >= 5, (began, ended, latencies)


async def test_healthz_answers_during_the_export_of_a_big_app(
    live_client: httpx.AsyncClient, live_app: FastAPI, settings: Settings
) -> None:
    auth = await signed_in(live_app, settings, "Developer")
    app = await make_app(live_client, auth)
    api = await make_api(live_client, auth, app["id"], request_url="/x")
    async with live_app.state.database.transaction() as session:
        await _insert_examples(session, api["id"], 10_000)

    # A build on the event loop stalls every probe run; a loaded 2-core CI machine can starve
    # one run's process for a moment: the stall must show in two runs to count.
    stalls: list[float] = []
    for _ in range(2):
        answer, _, latencies = await _export_while_probing(
            live_client, f"{API}/apps/{app['id']}/openapi.json", auth
        )
        assert answer.status_code == 200, answer.text
        assert len(_example_keys(answer.json())) == 10_000
        stalls.append(max(latencies))
        if stalls[-1] < PROBE_BOUND_SECONDS:
            break
    assert min(stalls) < PROBE_BOUND_SECONDS, stalls
