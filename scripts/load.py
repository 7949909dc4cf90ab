"""Load: N concurrent clients for D seconds of mixed reads and writes against
`apidock serve --workers 2` on a PostgreSQL database of its own, then every acknowledged write
looked up straight in the database.

    .venv/bin/python scripts/load.py                            # 64 clients, 60 s, 2 workers
    .venv/bin/python scripts/load.py --clients 16 --duration 10

The database named by `--database-url` is dropped and created again. Each client signs in as
one of a few Developers and loops over logins, user and catalog lists, `GET /users/{id}`,
reads of its apps, and creates and edits of apps, groups, APIs, response fields and
examples. A write counts as acknowledged when it is answered 2xx with an id; afterwards each
must be in its table with its audit row, and each app edited must hold the last value
acknowledged for it (only its creator edits it, one request at a time). The exit status is 0
only with no 5xx, no other unexpected status, no transport error and no write lost.
Everything is bounded in time, on 127.0.0.1, and the server is stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import uvloop
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine

sys.path.insert(0, str(Path(__file__).resolve().parent))

from live_server import ROOT_NAME, ROOT_PASSWORD, deploy, recreate_database, server_env, serving

from apidock.apis.models import Api, ApiExample, ApiResponse
from apidock.apps.models import App
from apidock.config import to_async_url
from apidock.db import Base
from apidock.groups.models import ApiGroup
from apidock.logs.models import Log

DEFAULT_DATABASE = "postgresql://root@127.0.0.1:5432/apidock_load"
API = "/api/v1"
USERS = 16
PASSWORD = "load test password"  # noqa: S105 (a throwaway database's)
REQUEST_TIMEOUT = 30.0
DRAIN_SECONDS = 60.0  # after the duration, for requests in flight

# what each kind of acknowledged write is checked against: its table and its audit action
KINDS: dict[str, tuple[type[Base], str]] = {
    "app": (App, "app.create"),
    "group": (ApiGroup, "group.create"),
    "api": (Api, "api.create"),
    "response": (ApiResponse, "api_response.create"),
    "example": (ApiExample, "api_example.create"),
}


@dataclass
class Tally:
    """What every client saw: statuses, latencies, transport errors and acknowledged writes."""

    statuses: Counter[int] = field(default_factory=Counter)
    unexpected: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    created: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    last_version: dict[int, str] = field(default_factory=dict)  # app id -> last acknowledged

    @property
    def requests(self) -> int:
        return sum(self.statuses.values()) + sum(self.errors.values())


class Client:
    """One simulated user: its own connection, its own token and the catalog it made."""

    def __init__(
        self, number: int, base_url: str, name: str, user_ids: list[int], tally: Tally
    ) -> None:
        self.number = number
        self.name = name
        self.user_ids = user_ids
        self.tally = tally
        self.random = random.Random(number)  # noqa: S311 (a workload, not a secret)
        self.http = httpx.AsyncClient(
            base_url=f"{base_url}{API}",
            timeout=REQUEST_TIMEOUT,
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
        )
        self.token = ""
        self.sequence = 0
        self.apps: list[int] = []
        self.groups: dict[int, list[int]] = defaultdict(list)  # app id -> its groups
        self.apis: list[int] = []

    def _next(self) -> int:
        self.sequence += 1
        return self.sequence

    async def call(
        self, operation: str, method: str, path: str, expected: int = 200, **kwargs: Any
    ) -> Any:
        """The `data` of the answer when it has the expected status, else None (tallied)."""
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        started = time.perf_counter()
        try:
            answer = await self.http.request(method, path, headers=headers, **kwargs)
        except httpx.HTTPError as exc:
            self.tally.errors[f"{operation}: {type(exc).__name__}"] += 1
            return None
        self.tally.latencies[operation].append(time.perf_counter() - started)
        self.tally.statuses[answer.status_code] += 1
        if answer.status_code != expected:
            self.tally.unexpected[f"{operation} {answer.status_code}: {answer.text[:120]}"] += 1
            return None
        return answer.json()["data"]

    async def login(self) -> None:
        data = await self.call(
            "POST /login", "POST", "/login", json={"name": self.name, "password": PASSWORD}
        )
        if data is not None:
            self.token = data["access_token"]

    async def list_users(self) -> None:
        page = self.random.randint(1, 2)
        await self.call("GET /users", "GET", "/users", params={"page": page, "per_page": 10})

    async def read_user(self) -> None:
        user_id = self.random.choice(self.user_ids)
        await self.call("GET /users/{id}", "GET", f"/users/{user_id}")

    async def list_apps(self) -> None:
        await self.call("GET /apps", "GET", "/apps", params={"page": self.random.randint(1, 5)})

    async def list_apis(self) -> None:
        params = {"app_id": self.random.choice(self.apps)} if self.apps else {}
        await self.call("GET /apis", "GET", "/apis", params=params)

    async def read_app(self) -> None:
        if not self.apps:
            return await self.create_app()
        await self.call("GET /apps/{id}", "GET", f"/apps/{self.random.choice(self.apps)}")

    def _acknowledged(self, kind: str, data: Any) -> int | None:
        if data is None or not isinstance(data.get("id"), int):
            return None
        identifier: int = data["id"]
        self.tally.created[kind].append(identifier)
        return identifier

    async def create_app(self) -> None:
        title = f"Load {self.number}-{self._next()}"
        data = await self.call("POST /apps", "POST", "/apps", 201, json={"title": title})
        if (app_id := self._acknowledged("app", data)) is not None:
            self.apps.append(app_id)

    async def edit_app(self) -> None:
        if not self.apps:
            return await self.create_app()
        app_id = self.random.choice(self.apps)
        version = f"{self._next()}.0"
        body = {"version": version, "description": f"edited by client {self.number}"}
        data = await self.call("PATCH /apps/{id}", "PATCH", f"/apps/{app_id}", json=body)
        if data is not None and data.get("version") == version:
            self.tally.last_version[app_id] = version

    async def create_group(self) -> None:
        if not self.apps:
            return await self.create_app()
        app_id = self.random.choice(self.apps)
        body = {"app_id": app_id, "title": f"Group {self.number}-{self._next()}"}
        data = await self.call("POST /apis/groups", "POST", "/apis/groups", 201, json=body)
        if (group_id := self._acknowledged("group", data)) is not None:
            self.groups[app_id].append(group_id)

    async def create_api(self) -> None:
        if not self.apps:
            return await self.create_app()
        app_id = self.random.choice(self.apps)
        groups = self.groups[app_id]
        number = self._next()
        body = {
            "app_id": app_id,
            "group_id": self.random.choice(groups) if groups else None,
            "title": f"API {self.number}-{number}",
            "request_url": f"/load/{self.number}/{number}/{{id}}",
            "request_method": self.random.choice(["GET", "POST", "PATCH", "DELETE"]),
        }
        data = await self.call("POST /apis", "POST", "/apis", 201, json=body)
        if (api_id := self._acknowledged("api", data)) is not None:
            self.apis.append(api_id)

    async def create_response(self) -> None:
        if not self.apis:
            return await self.create_api()
        body = {
            "api_id": self.random.choice(self.apis),
            "field": f"data.item.f{self._next()}",
            "data_type": self.random.choice(["string", "integer", "boolean"]),
        }
        data = await self.call("POST /apis/responses", "POST", "/apis/responses", 201, json=body)
        self._acknowledged("response", data)

    async def create_example(self) -> None:
        if not self.apis:
            return await self.create_api()
        number = self._next()
        body = {
            "api_id": self.random.choice(self.apis),
            "title": f"Example {self.number}-{number}",
            "body": f'{{"id": {number}}}',
        }
        data = await self.call("POST /apis/examples", "POST", "/apis/examples", 201, json=body)
        self._acknowledged("example", data)

    def workload(self) -> list[tuple[Callable[[], Awaitable[None]], int]]:
        """Operations and their weights: about 60 % reads, 35 % writes, 5 % logins."""
        return [
            (self.login, 5),
            (self.list_users, 12),
            (self.read_user, 18),
            (self.list_apps, 12),
            (self.list_apis, 8),
            (self.read_app, 10),
            (self.create_app, 8),
            (self.edit_app, 10),
            (self.create_group, 5),
            (self.create_api, 6),
            (self.create_response, 3),
            (self.create_example, 3),
        ]

    async def run(self, deadline: float) -> None:
        operations, weights = zip(*self.workload(), strict=True)
        try:
            await self.login()
            while time.monotonic() < deadline:
                if not self.token:
                    await asyncio.sleep(0.1)  # the login failed (tallied): try again
                    await self.login()
                    continue
                await self.random.choices(operations, weights)[0]()
        finally:
            await self.http.aclose()


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


async def _prepare_users(base_url: str) -> tuple[list[str], list[int]]:
    """`USERS` Developers, made by the root administrator through the API."""
    async with httpx.AsyncClient(base_url=f"{base_url}{API}", timeout=REQUEST_TIMEOUT) as http:
        login = await http.post("/login", json={"name": ROOT_NAME, "password": ROOT_PASSWORD})
        login.raise_for_status()
        http.headers["Authorization"] = f"Bearer {login.json()['data']['access_token']}"
        roles = (await http.get("/roles")).raise_for_status().json()["data"]["roles"]
        developer = next(role["id"] for role in roles if role["title"] == "Developer")
        names, ids = [], []
        for number in range(USERS):
            name = f"loader{number}"
            answer = await http.post(
                "/users", json={"name": name, "password": PASSWORD, "role_id": developer}
            )
            answer.raise_for_status()
            names.append(name)
            ids.append(int(answer.json()["data"]["id"]))
        return names, ids


async def _drive(base_url: str, clients: int, duration: float, tally: Tally) -> float:
    names, user_ids = await _prepare_users(base_url)
    started = time.monotonic()
    deadline = started + duration
    runners = [
        Client(number, base_url, names[number % len(names)], user_ids, tally)
        for number in range(clients)
    ]
    try:
        await asyncio.wait_for(
            asyncio.gather(*(runner.run(deadline) for runner in runners)),
            timeout=duration + DRAIN_SECONDS,
        )
    except TimeoutError:
        tally.errors[f"requests still unanswered {DRAIN_SECONDS:.0f} s after the end"] += 1
    return time.monotonic() - started


def _chunks(ids: list[int], size: int = 5000) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


@dataclass
class Found:
    stored: dict[str, int] = field(default_factory=dict)
    audited: dict[str, int] = field(default_factory=dict)
    edits_kept: int = 0


async def verify(database_url: str, tally: Tally) -> Found:
    """Look every acknowledged write up in the database, with its audit row."""
    engine = create_async_engine(to_async_url(database_url))
    found = Found()
    try:
        async with engine.connect() as connection:
            for kind, (model, action) in KINDS.items():
                ids = sorted(set(tally.created[kind]))
                table = model.__table__
                stored: set[int] = set()
                audited: set[int] = set()
                for chunk in _chunks(ids):
                    rows = await connection.execute(
                        select(table.c.id).where(
                            table.c.id.in_(chunk), table.c.deleted_at.is_(None)
                        )
                    )
                    stored |= {row[0] for row in rows}
                    logged = await connection.execute(
                        select(Log.target_id).where(Log.action == action, Log.target_id.in_(chunk))
                    )
                    audited |= {row[0] for row in logged if row[0] is not None}
                found.stored[kind] = len(stored)
                found.audited[kind] = len(audited)
            edited = sorted(tally.last_version)
            for chunk in _chunks(edited):
                rows = await connection.execute(
                    select(App.id, App.version).where(App.id.in_(chunk))
                )
                found.edits_kept += sum(
                    1 for app_id, version in rows if tally.last_version[app_id] == version
                )
    finally:
        await engine.dispose()
    return found


def report(tally: Tally, found: Found, *, clients: int, seconds: float, workers: int) -> bool:
    """Print the summary; True when the run is clean."""
    print(f"load: {clients} clients, {seconds:.1f} s, {workers} workers, PostgreSQL")
    print(f"requests: {tally.requests} ({tally.requests / seconds:.1f}/s)")
    print("statuses: " + ", ".join(f"{code}: {n}" for code, n in sorted(tally.statuses.items())))
    print(f"{'operation':<22}{'count':>8}{'p50 ms':>10}{'p99 ms':>10}")
    everything: list[float] = []
    for operation, values in sorted(tally.latencies.items()):
        everything += values
        p50, p99 = _percentile(values, 0.5) * 1000, _percentile(values, 0.99) * 1000
        print(f"{operation:<22}{len(values):>8}{p50:>10.1f}{p99:>10.1f}")
    p50, p99 = _percentile(everything, 0.5) * 1000, _percentile(everything, 0.99) * 1000
    print(f"{'all':<22}{len(everything):>8}{p50:>10.1f}{p99:>10.1f}")
    acknowledged = sum(len(set(ids)) for ids in tally.created.values())
    stored = sum(found.stored.values())
    audited = sum(found.audited.values())
    kinds = ", ".join(
        f"{kind} {found.stored[kind]}/{len(set(tally.created[kind]))}" for kind in KINDS
    )
    print(f"writes: acknowledged {acknowledged}, found {stored} ({kinds}), audited {audited}")
    edited = len(tally.last_version)
    print(f"edits: {edited} apps edited, the last acknowledged value kept by {found.edits_kept}")
    server_errors = sum(n for code, n in tally.statuses.items() if code >= 500)
    for line, count in tally.unexpected.most_common(20):
        print(f"unexpected ({count}x): {line}")
    for line, count in tally.errors.most_common(20):
        print(f"transport error ({count}x): {line}")
    clean = (
        server_errors == 0
        and not tally.unexpected
        and not tally.errors
        and stored == acknowledged
        and audited == acknowledged
        and found.edits_kept == len(tally.last_version)
    )
    print(f"5xx: {server_errors}; lost writes: {acknowledged - stored}")
    return clean


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=64, help="concurrent clients")
    parser.add_argument("--duration", type=float, default=60, help="seconds of load")
    parser.add_argument("--workers", type=int, default=2, help="`apidock serve` workers")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE, help="dropped and made again")
    parser.add_argument(
        "--server-log",
        type=Path,
        default=Path("load-server.log"),
        help="where the server's log is kept when it logged an error",
    )
    args = parser.parse_args(argv)
    if args.clients < 1 or args.duration <= 0 or args.workers < 1:
        parser.error("--clients, --duration and --workers must be positive")

    recreate_database(args.database_url)
    tally = Tally()
    with tempfile.TemporaryDirectory(prefix="apidock-load-") as var_dir:
        env = server_env(args.database_url, Path(var_dir))
        deploy(env)
        log = Path(var_dir) / "server.log"
        with serving(env, workers=args.workers, args=["--no-access-log"], log=log) as server:
            # uvloop: the clients share this process's one core-bound event loop
            with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
                seconds = runner.run(_drive(server.base_url, args.clients, args.duration, tally))
            alive = server.alive()
        found = asyncio.run(verify(args.database_url, tally))
        logged = log.read_text(errors="replace").splitlines()
        errors = [line for line in logged if line.startswith(("unhandled error", "ERROR"))]
        if errors:
            args.server_log.write_text(log.read_text(errors="replace"))
    clean = report(tally, found, clients=args.clients, seconds=seconds, workers=args.workers)
    for line in errors[:20]:
        print(f"server log: {line}")
    if errors:
        print(f"the server's log is in {args.server_log}")
    if not alive:
        print("the server exited during the run")
    clean = clean and alive and not errors
    print("load: clean" if clean else "load: FAILED")
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())
