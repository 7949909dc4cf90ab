"""Benchmark API Dock against a raw Starlette + asyncpg + orjson ceiling (issues 7 and 13).

    .venv/bin/python bench/run.py                 # the measurement (about 25 minutes)
    .venv/bin/python bench/run.py --quick         # a sanity check (about 2 minutes)

Prepares the PostgreSQL databases, starts each server in turn pinned to core 0, drives it
with wrk pinned to core 1, and writes bench/results/latest.json, docs/benchmarks.md and
docs/benchmarks.png. bench/README.md explains what is measured and how to read it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import secrets
import shutil
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import harness
import loadgen
import prepare
import report
from harness import (
    apidock_env,
    http_json,
    interrupt_on_signals,
    machine_info,
    say,
    source_state,
)
from loadgen import LoadError, Wrk, run_wrk
from prepare import Dataset, PrepareError
from servers import Server, ServerError, cpu_clocks, stop_all

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
LOG_DIR = RESULTS_DIR / "logs"
DOCS_DIR = REPO_DIR / "docs"

APIDOCK_PORT = 8800
CEILING_PORT = 8801
SERVER_CORE = 0
LOAD_CORE = 1
POOL_SIZE = 64
PER_PAGE = 20
LOGIN_LEAD = 1.0  # seconds the logins run before /healthz is measured, and after
NOISY_SHARE = 0.25  # other work past this share of a core during a run is reported
MAX_RSS_RUN = 1200.0  # seconds one memory run may take at most
# answered 422 by API Dock and the ceiling alike: (e) checks both once, before it measures
REFUSED_PATHS = {
    "users_page_0": f"/api/v1/users?page=0&per_page={PER_PAGE}",
    "catalog_per_page_101": "/api/v1/apis?page=1&per_page=101",
}
DATABASES = {"main": "apidock_bench", "small": "apidock_bench_small", "big": "apidock_bench_big"}
SCENARIOS = {
    "a": "GET /users/{id}, API Dock vs ceiling",
    "b": "lists, small vs big database",
    "c": "/healthz without and with logins",
    "d": "worker RSS over a long run",
    "e": "lists at 64 connections, API Dock vs ceiling",
}
PACKAGES = (
    "apidock",
    "fastapi",
    "starlette",
    "uvicorn",
    "uvloop",
    "httptools",
    "sqlalchemy",
    "asyncpg",
    "pydantic",
    "pydantic-core",
    "pyjwt",
    "pwdlib",
    "argon2-cffi",
    "orjson",
)


# --- the plan -----------------------------------------------------------------------------


@dataclass
class Plan:
    users: int
    small: int
    big: int
    duration: float
    warmup: float
    rounds: int
    connections: int
    list_connections: int
    healthz_connections: int
    healthz_pause_ms: int
    login_clients: int
    rss_points: tuple[int, int]
    scenarios: str
    schema: str
    serve: str
    quick: bool
    output: Path
    docs: bool
    access_log: bool = True  # API Dock's, as `apidock serve` starts it; the ceiling logs none
    pool_size: int = POOL_SIZE
    per_page: int = PER_PAGE
    server_core: int = SERVER_CORE
    load_core: int = LOAD_CORE

    def wants(self, scenario: str) -> bool:
        return scenario in self.scenarios


# full run, quick run
PROFILES: dict[str, tuple[Any, Any]] = {
    "users": (100_000, 2_000),
    "small": (10_000, 1_000),
    "big": (1_000_000, 10_000),
    "duration": (20.0, 3.0),
    "warmup": (3.0, 1.0),
    "rounds": (3, 1),
    "rss": ("20000,200000", "2000,20000"),
}


def parse_args(argv: list[str] | None) -> Plan:
    parser = argparse.ArgumentParser(
        prog="bench/run.py",
        description="Benchmark API Dock against a Starlette + asyncpg ceiling (issues 7, 13).",
        epilog="Run with the project's virtualenv: .venv/bin/python bench/run.py",
    )
    add = parser.add_argument
    add("--quick", action="store_true", help="tiny databases, 3 s runs, one round: a sanity check")
    add("--users", type=int, help="users in apidock_bench, for (a), (c), (d), (e) [100000]")
    add("--small", type=int, help="users in the small database of (b) [10000]")
    add("--big", type=int, help="users in the big database of (b) [1000000]")
    add("--duration", type=float, help="seconds of each measured run [20]")
    add("--warmup", type=float, help="seconds of warm-up before each measured run [3]")
    add("--rounds", type=int, help="interleaved rounds; figures are their medians [3]")
    add(
        "--connections",
        type=int,
        default=64,
        help="wrk connections for /users/{id} and the lists of (e) [64]",
    )
    add("--list-connections", type=int, default=4, help="wrk connections for the lists of (b) [4]")
    add("--healthz-connections", type=int, default=8, help="wrk connections on /healthz [8]")
    add("--healthz-pause", type=int, default=10, help="ms each /healthz connection waits [10]")
    add("--login-clients", type=int, default=4, help="clients logging in during (c) [4]")
    add("--rss", help="request counts at which (d) reads the RSS [20000,200000]")
    add(
        "--scenarios",
        default="".join(SCENARIOS),
        help="which scenarios to run, any of: "
        + "; ".join(f"{k} {v}" for k, v in SCENARIOS.items())
        + f" [{''.join(SCENARIOS)}]",
    )
    add(
        "--no-access-log",
        dest="access_log",
        action="store_false",
        help="start API Dock without its access log (as issue 7 measured it), to see what the "
        "log costs; the issue-13 targets of /users/{id} are then not judged",
    )
    add(
        "--schema",
        choices=("deploy", "create-all"),
        default="deploy",
        help="how the schema is made: `apidock deploy` (migrations), or the models' "
        "create_all while the migrations are unfinished [deploy]",
    )
    add(
        "--serve",
        choices=("apidock", "uvicorn"),
        default="apidock",
        help="how API Dock is started: `apidock serve`, or uvicorn on the app factory with "
        "the same options while the command is unfinished [apidock]",
    )
    add("--output", type=Path, help="results file [bench/results/latest.json; quick.json]")
    docs = parser.add_mutually_exclusive_group()
    docs.add_argument(
        "--docs",
        dest="docs",
        action="store_true",
        default=None,
        help="write docs/benchmarks.md and .png (default for full runs)",
    )
    docs.add_argument(
        "--no-docs",
        dest="docs",
        action="store_false",
        help="leave docs/ alone (default for --quick)",
    )
    args = parser.parse_args(argv)

    profile = 1 if args.quick else 0

    def pick(name: str) -> Any:
        value = getattr(args, name)
        return PROFILES[name][profile] if value is None else value

    try:
        first, second = (int(n) for n in pick("rss").split(","))
    except ValueError:
        parser.error("--rss takes two request counts, such as 20000,200000")
    plan = Plan(
        users=pick("users"),
        small=pick("small"),
        big=pick("big"),
        duration=pick("duration"),
        warmup=pick("warmup"),
        rounds=pick("rounds"),
        connections=args.connections,
        list_connections=args.list_connections,
        healthz_connections=args.healthz_connections,
        healthz_pause_ms=args.healthz_pause,
        login_clients=args.login_clients,
        rss_points=(first, second),
        scenarios="".join(sorted(set(args.scenarios))),
        schema=args.schema,
        serve=args.serve,
        quick=args.quick,
        output=args.output or RESULTS_DIR / ("quick.json" if args.quick else "latest.json"),
        docs=(not args.quick) if args.docs is None else args.docs,
        access_log=args.access_log,
    )
    if not set(plan.scenarios) <= set(SCENARIOS) or not plan.scenarios:
        parser.error(f"--scenarios takes letters among {''.join(SCENARIOS)}")
    for name in ("users", "small", "big"):
        if not 100 <= getattr(plan, name) <= 9_999_999:
            parser.error(f"--{name} takes 100 to 9,999,999 users")
    if plan.duration < 1 or plan.warmup < 0 or plan.rounds < 1:
        parser.error("--duration >= 1, --warmup >= 0 and --rounds >= 1")
    if not 0 < first < second:
        parser.error("--rss takes two increasing request counts")
    if min(plan.connections, plan.list_connections, plan.healthz_connections) < 1:
        parser.error("connections must be at least 1")
    return plan


# --- helpers ------------------------------------------------------------------------------


def package_versions() -> dict[str, str]:
    return harness.package_versions(PACKAGES)


def git_state() -> dict[str, Any]:
    """The commit measured, and whether src/ or alembic/ differ from it."""
    state = source_state()
    return {key: state[key] for key in ("commit", "dirty")} if state else {}


# --- the benchmark ------------------------------------------------------------------------


class Bench:
    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.workdir = Path(tempfile.mkdtemp(prefix="apidock-bench-"))
        self.secret = secrets.token_urlsafe(48)  # 48 random bytes
        self.admin_password = secrets.token_urlsafe(18)
        self.wrk = ""
        self.datasets: dict[str, Dataset] = {}
        self.tokens: dict[str, str] = {}
        self.available: dict[str, dict[str, bool]] = {}
        self.problems: list[str] = []
        self.server_count = 0
        self.results: dict[str, Any] = {
            "mode": "quick" if plan.quick else "full",
            "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "command": " ".join(["bench/run.py", *sys.argv[1:]]),
            "plan": asdict(plan) | {"output": str(plan.output)},
            "probes": {},
            "scenarios": {},
        }

    def problem(self, message: str) -> None:
        """Something left out or not clean: said now, and kept for the results."""
        self.problems.append(message)
        say(f"  ! {message}")

    # servers

    def apidock_env(self, dataset: Dataset) -> dict[str, str]:
        return apidock_env(
            self.workdir,
            dataset.url,
            jwt_secret=self.secret,
            secret_key=self.secret[::-1],
            admin_password=self.admin_password,
            JWT_TTL=str(harness.TOKEN_MINUTES),
            DB_POOL_SIZE=str(self.plan.pool_size),
            # (c) logs in with the right password; failures must never lock it out
            LOGIN_MAX_FAILURES="1000",
            LOGIN_MAX_FAILURES_PER_IP="100000",
        )

    def _log_path(self, name: str) -> Path:
        self.server_count += 1
        return LOG_DIR / f"{self.server_count:02d}-{name}.log"

    def apidock(self, key: str) -> Server:
        dataset = self.datasets[key]
        if self.plan.serve == "apidock":
            argv = [
                str(Path(sys.executable).with_name("apidock")),
                "serve",
                "--port",
                str(APIDOCK_PORT),
                "--workers",
                "1",
            ]
        else:  # the options `apidock serve` gives uvicorn
            argv = [
                sys.executable,
                "-m",
                "uvicorn",
                "apidock.main:create_app",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(APIDOCK_PORT),
                "--proxy-headers",
                "--forwarded-allow-ips",
                "127.0.0.1",
                "--no-server-header",
            ]
        # on by default, as in a real install (issue 13); its lines go to the server's log
        if not self.plan.access_log:
            argv.append("--no-access-log")
        return Server(
            name=f"API Dock on {dataset.database}",
            argv=argv,
            env=self.apidock_env(dataset),
            port=APIDOCK_PORT,
            cwd=self.workdir,
            log_path=self._log_path(f"apidock-{key}"),
            core=SERVER_CORE,
        )

    def ceiling(self) -> Server:
        dataset = self.datasets["main"]
        env = self.apidock_env(dataset) | {"PYTHONPATH": str(BENCH_DIR)}
        return Server(
            name="ceiling",
            argv=[
                sys.executable,
                "-m",
                "uvicorn",
                "ceiling:app",
                "--app-dir",
                str(BENCH_DIR),
                "--host",
                "127.0.0.1",
                "--port",
                str(CEILING_PORT),
                "--loop",
                "uvloop",
                "--http",
                "httptools",
                "--no-access-log",
                "--no-server-header",
                "--log-level",
                "warning",
            ],
            env=env,
            port=CEILING_PORT,
            cwd=self.workdir,
            log_path=self._log_path("ceiling"),
            core=SERVER_CORE,
        )

    # measuring

    def measure(
        self,
        server: Server,
        label: str,
        path: str,
        *,
        connections: int,
        token: str | None = None,
        script: str | None = None,
        script_args: tuple[str, ...] = (),
        warmup: bool = True,
    ) -> dict[str, Any]:
        """One wrk run against `server` (after a warm-up run), with the server's CPU and memory."""
        options: dict[str, Any] = {
            "connections": connections,
            "core": LOAD_CORE,
            "script": script,
            "script_args": script_args,
            "headers": (f"Authorization: Bearer {token}",) if token else (),
        }
        url = server.base_url + path
        if warmup and self.plan.warmup > 0:
            run_wrk(self.wrk, url, duration=self.plan.warmup, **options)
        before = cpu_clocks(server)
        result = run_wrk(self.wrk, url, duration=self.plan.duration, **options)
        used = {key: value - before[key] for key, value in cpu_clocks(server).items()}
        memory = server.memory_kib()
        cpu, seconds = used["server"], result.seconds or 1.0
        per_request = cpu / result.requests * 1e6 if result.requests else None
        # what the rest of the machine did meanwhile: other work there is noise
        other = used["machine"] - cpu - used["wrk"] - used["postgres"]
        entry = result.to_json() | {
            "cpu_seconds": round(cpu, 3),
            "cpu_us_per_request": None if per_request is None else round(per_request, 1),
            "cpu_share": round(cpu / seconds, 3),
            "postgres_cpu_share": round(used["postgres"] / seconds, 3),
            "wrk_cpu_share": round(used["wrk"] / seconds, 3),
            "other_cpu_share": round(max(0.0, other) / seconds, 3),
            "rss_mib": round(memory["rss"] / 1024, 1),
            "peak_rss_mib": round(memory["hwm"] / 1024, 1),
        }
        say(f"  {label:<34} {_line(entry)}")
        if entry["errors"]:  # a ceiling with errors is no ceiling; API Dock's fail its targets
            self.problem(
                f"{server.name}: {entry['errors']:,} errors on GET {path} ({label}); "
                f"the causes are in {server.log_path}"
            )
        return entry

    # steps

    def prepare_databases(self) -> None:
        wanted = []
        if any(self.plan.wants(letter) for letter in "acde"):
            wanted.append(("main", self.plan.users))
        if self.plan.wants("b"):
            wanted += [("small", self.plan.small), ("big", self.plan.big)]
        password_hash = prepare.bench_password_hash()
        for key, users in wanted:
            dataset = Dataset(database=DATABASES[key], users=users)
            prepare.prepare(
                dataset,
                schema=self.plan.schema,
                env=self.apidock_env(dataset),
                cwd=self.workdir,
                password_hash=password_hash,
                log=say,
            )
            self.datasets[key] = dataset
        self.results["datasets"] = {key: ds.to_json() for key, ds in self.datasets.items()}

    def paths(self, key: str) -> dict[str, str]:
        """The paths measured on one database, by name."""
        dataset = self.datasets[key]
        paths = {"healthz": "/healthz"}
        if key == "main":
            paths["user_by_id"] = f"/api/v1/users/{dataset.first_user_id}"
            if self.plan.wants("e"):  # its own middle pages: (e) compares servers, not sizes
                paths |= _list_paths(dataset)
        else:
            # The same deep page on both databases: the middle page of the small one. Offset
            # paging reads as many rows as the offset on any table size; what must not grow
            # with the table is everything else (the count, above all).
            paths |= _list_paths(self.datasets.get("small", dataset))
        return paths

    def preflight(self) -> None:
        """Start API Dock on each database once: log in, and try every path measured; then
        the ceiling on the paths it is measured on, its answers held to API Dock's.

        A route that does not answer 2xx is reported and left out of the measurements,
        instead of timing error pages. A ceiling answering other JSON than API Dock (or a bad
        page not as a 422 like API Dock's) is reported: it would not be doing the same work.
        """
        answers: dict[str, Any] = {}  # API Dock's decoded answers on the main database
        for key in self.datasets:
            with self.apidock(key) as server:
                probes: dict[str, Any] = {}
                status, body, text = http_json(
                    "POST",
                    server.base_url + "/api/v1/login",
                    {"name": prepare.ADMIN_NAME, "password": self.admin_password},
                )
                token = None
                if status == 200 and isinstance(body, dict):
                    token = (body.get("data") or {}).get("access_token")
                probes["login"] = {"path": "/api/v1/login", "status": status, "ok": bool(token)}
                if token:
                    self.tokens[key] = token
                else:
                    self.problem(
                        f"login as {prepare.ADMIN_NAME} on {DATABASES[key]} answered {status}: "
                        f"{text}; every authenticated scenario on it is left out"
                    )
                for name, path in self.paths(key).items():
                    status, body, text = http_json("GET", server.base_url + path, token=token)
                    ok = status is not None and 200 <= status < 300
                    probes[name] = {"path": path, "status": status, "ok": ok}
                    if key == "main":
                        answers[name] = body
                    if not ok and (token or name == "healthz"):
                        self.problem(
                            f"API Dock: GET {path} on {DATABASES[key]} answered {status}: {text}"
                            " (left out)"
                        )
                if key == "main" and token and self.plan.wants("e"):
                    for name, path in REFUSED_PATHS.items():
                        status, body, text = http_json("GET", server.base_url + path, token=token)
                        probes[name] = {"path": path, "status": status, "ok": status == 422}
                        answers[name] = body
                        if status != 422:
                            self.problem(f"API Dock: GET {path} answered {status}, not 422: {text}")
                self.available[key] = {name: probe["ok"] for name, probe in probes.items()}
                self.results["probes"][key] = probes
                say(
                    f"probe {DATABASES[key]}: "
                    + ", ".join(f"{name} {p['status']}" for name, p in probes.items())
                )
        if "main" in self.tokens and (self.plan.wants("a") or self.plan.wants("e")):
            self.preflight_ceiling(answers)

    def preflight_ceiling(self, answers: dict[str, Any]) -> None:
        """Try the ceiling's paths once; report where it answers otherwise than API Dock."""
        names = ["user_by_id"] if self.plan.wants("a") else []
        if self.plan.wants("e"):
            names += report.LIST_KEYS
        paths = self.paths("main")
        tried = {name: (paths[name], 200) for name in names}
        if self.plan.wants("e"):
            tried |= {name: (path, 422) for name, path in REFUSED_PATHS.items()}
        probes: dict[str, Any] = {}
        with self.ceiling() as server:
            for name, (path, expected) in tried.items():
                status, body, text = http_json(
                    "GET", server.base_url + path, token=self.tokens["main"]
                )
                probes[name] = {"path": path, "status": status, "ok": status == expected}
                if status != expected:
                    self.problem(f"ceiling: GET {path} answered {status}: {text}")
                elif self.available["main"].get(name):
                    difference = _first_difference(answers.get(name), body)
                    probes[name]["same_as_apidock"] = difference is None
                    if difference is not None:
                        self.problem(
                            f"ceiling: GET {path} answers otherwise than API Dock ({difference}):"
                            " the two are not doing the same work"
                        )
        self.available["ceiling"] = {name: probe["ok"] for name, probe in probes.items()}
        self.results["probes"]["ceiling"] = probes
        say("probe ceiling: " + ", ".join(f"{name} {p['status']}" for name, p in probes.items()))

    def can(self, key: str, name: str, *, token: bool = True) -> bool:
        return self.available.get(key, {}).get(name, False) and (not token or key in self.tokens)

    def user_ids(self) -> tuple[str, str]:
        main = self.datasets["main"]
        return str(main.first_user_id), str(main.last_user_id)

    def run_rounds(self) -> None:
        plan = self.plan
        by_id: dict[str, list[dict[str, Any]]] = {"apidock": [], "ceiling": []}
        lists: dict[str, dict[str, list[dict[str, Any]]]] = {"small": {}, "big": {}}
        healthz: dict[str, list[dict[str, Any]]] = {"idle": [], "logins": [], "login_load": []}
        # (e): the lists both servers answer, each server's rounds by list
        compared = [
            name
            for name in report.LIST_KEYS
            if plan.wants("e") and self.can("main", name) and self.can("ceiling", name, token=False)
        ]
        crowded: dict[str, dict[str, list[dict[str, Any]]]] = {
            side: {name: [] for name in compared} for side in ("apidock", "ceiling")
        }
        a = plan.wants("a")
        c = plan.wants("c")
        # the ceiling is probed only when the main database gave a token
        ceiling_by_id = a and self.can("ceiling", "user_by_id", token=False)
        for number in range(1, plan.rounds + 1):
            say(f"round {number} of {plan.rounds}")
            sides = []
            if ceiling_by_id or compared:
                sides.append("ceiling")
            if (
                (a and self.can("main", "user_by_id"))
                or compared
                or (c and self.can("main", "healthz", token=False))
            ):
                sides.append("apidock")
            if number % 2 == 0:
                sides.reverse()
            for side in sides:
                if side == "ceiling":
                    with self.ceiling() as server:
                        if ceiling_by_id:
                            by_id["ceiling"].append(self.measure_user_by_id(server, "ceiling"))
                        self.measure_crowded_lists(server, "ceiling", compared, crowded)
                    continue
                with self.apidock("main") as server:
                    if a and self.can("main", "user_by_id"):
                        by_id["apidock"].append(self.measure_user_by_id(server, "API Dock"))
                    self.measure_crowded_lists(server, "apidock", compared, crowded)
                    if c and self.can("main", "healthz", token=False):
                        self.measure_healthz(server, healthz)
            if plan.wants("b"):
                order = ["small", "big"] if number % 2 else ["big", "small"]
                for key in order:
                    names = [n for n in report.LIST_KEYS if self.can(key, n)]
                    if not names:
                        continue
                    with self.apidock(key) as server:
                        for name in names:
                            lists[key].setdefault(name, []).append(
                                self.measure(
                                    server,
                                    f"API Dock {name} @{key}",
                                    self.paths(key)[name],
                                    connections=plan.list_connections,
                                    token=self.tokens[key],
                                )
                            )
        scenarios = self.results["scenarios"]
        if a:
            scenarios["user_by_id"] = {
                "path": "/api/v1/users/{id}",
                "apidock_access_log": plan.access_log,
                **{side: _rounds(entries) for side, entries in by_id.items()},
            }
        if plan.wants("b"):
            scenarios["lists"] = {
                key: {
                    name: {"path": self.paths(key)[name], **_rounds(entries)}
                    for name, entries in by_name.items()
                }
                for key, by_name in lists.items()
            }
        if plan.wants("e"):
            scenarios["crowded_lists"] = {
                name: {
                    "path": self.paths("main")[name],
                    **{side: _rounds(crowded[side][name]) for side in ("apidock", "ceiling")},
                }
                for name in compared
            }
        if c:
            scenarios["healthz"] = {name: _rounds(entries) for name, entries in healthz.items()}

    def measure_crowded_lists(
        self,
        server: Server,
        side: str,
        names: list[str],
        into: dict[str, dict[str, list[dict[str, Any]]]],
    ) -> None:
        """(e): each list of the main database, at as many connections as `/users/{id}`."""
        label = "API Dock" if side == "apidock" else side
        for name in names:
            into[side][name].append(
                self.measure(
                    server,
                    f"{label} {name} x{self.plan.connections}",
                    self.paths("main")[name],
                    connections=self.plan.connections,
                    token=self.tokens["main"],
                )
            )

    def measure_user_by_id(self, server: Server, label: str) -> dict[str, Any]:
        return self.measure(
            server,
            f"{label} GET /users/{{id}}",
            self.paths("main")["user_by_id"],
            connections=self.plan.connections,
            token=self.tokens["main"],
            script="user_by_id.lua",
            script_args=self.user_ids(),
        )

    def measure_healthz(self, server: Server, into: dict[str, list[dict[str, Any]]]) -> None:
        plan = self.plan
        paced: dict[str, Any] = {
            "connections": plan.healthz_connections,
            "script": "paced.lua",
            "script_args": (str(plan.healthz_pause_ms),),
        }
        into["idle"].append(self.measure(server, "API Dock /healthz", "/healthz", **paced))
        if not self.can("main", "login", token=False):
            return
        body = json.dumps({"name": prepare.ADMIN_NAME, "password": self.admin_password})
        logins = Wrk(
            self.wrk,
            server.base_url + "/api/v1/login",
            duration=plan.duration + 2 * LOGIN_LEAD,
            connections=plan.login_clients,
            core=LOAD_CORE,
            script="login.lua",
            script_args=(body,),
        )
        with logins:
            time.sleep(LOGIN_LEAD)
            cpu_before = server.cpu_seconds()
            into["logins"].append(
                self.measure(
                    server,
                    f"API Dock /healthz + {plan.login_clients} logins",
                    "/healthz",
                    warmup=False,
                    **paced,
                )
            )
            load = logins.result()
            cpu = server.cpu_seconds() - cpu_before
        entry = load.to_json() | {"cpu_seconds": round(cpu, 3)}
        into["login_load"].append(entry)
        say(f"  {'  the logins':<34} {_line(entry)}")

    def measure_memory(self) -> None:
        """A fresh worker; its RSS after each count of `GET /users/{id}`."""
        if not self.can("main", "user_by_id"):
            self.problem("memory scenario (d) left out: GET /users/{id} does not answer")
            return
        by_id = self.results["scenarios"].get("user_by_id", {}).get("apidock", {})
        rate = (by_id.get("median") or {}).get("rps") or 200.0
        say("memory: one fresh worker")
        points = []
        with self.apidock("main") as server:
            start = server.memory_kib()
            done, seconds, errors = 0, 0.0, 0
            for target in self.plan.rss_points:
                done, seconds, errors, rate = self._requests_until(
                    server, target, done, seconds, errors, rate
                )
                memory = server.memory_kib()
                point = {
                    "target": target,
                    "requests": done,
                    "complete": done >= target * 0.99,
                    "seconds": round(seconds, 1),
                    "rps": round(done / seconds, 1) if seconds else None,
                    "errors": errors,
                    "rss_mib": round(memory["rss"] / 1024, 1),
                    "peak_rss_mib": round(memory["hwm"] / 1024, 1),
                }
                points.append(point)
                say(
                    f"  after {done:>9,} requests: RSS {point['rss_mib']:.1f} MiB "
                    f"(peak {point['peak_rss_mib']:.1f}), {errors} errors"
                )
        self.results["scenarios"]["memory"] = {
            "start_rss_mib": round(start["rss"] / 1024, 1),
            "points": points,
        }

    def _requests_until(
        self, server: Server, target: int, done: int, seconds: float, errors: int, rate: float
    ) -> tuple[int, float, int, float]:
        """Drive `GET /users/{id}` until `target` requests in all, in runs of at most a minute.

        wrk counts seconds, not requests: each run lasts about the time the remaining
        requests need at the last rate seen, and its Lua script stops sending once it has
        sent them (plus one per connection, the requests still in flight when it stops).
        """
        deadline = time.monotonic() + MAX_RSS_RUN
        connections = self.plan.connections
        while done < target * 0.99 and time.monotonic() < deadline:
            remaining = target - done
            duration = min(60, max(2, math.ceil(remaining / rate) + 1))
            result = run_wrk(
                self.wrk,
                server.base_url + self.paths("main")["user_by_id"],
                duration=duration,
                connections=connections,
                core=LOAD_CORE,
                script="user_by_id.lua",
                script_args=(*self.user_ids(), str(remaining + connections)),
                headers=(f"Authorization: Bearer {self.tokens['main']}",),
            )
            done += result.requests
            errors += result.errors
            if result.requests < remaining:  # the run ended on its time: a true rate
                seconds += result.seconds
                rate = max(result.requests / result.seconds, 10.0)
            else:  # stopped on its count, at the rate assumed
                seconds += result.requests / rate
        return done, seconds, errors, rate

    def run(self) -> None:
        plan = self.plan
        if not {SERVER_CORE, LOAD_CORE} <= set(os.sched_getaffinity(0)):
            raise ServerError(f"cores {SERVER_CORE} and {LOAD_CORE} are needed; this has fewer")
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        for old in LOG_DIR.glob("*.log"):
            old.unlink()
        self.wrk = loadgen.ensure_wrk(say)
        self.results["machine"] = machine_info()
        self.results["versions"] = package_versions() | {
            "postgresql": asyncio.run(prepare.server_version()),
            "wrk": loadgen.wrk_version(self.wrk),
        }
        self.results["git"] = git_state()
        say(
            f"{'quick' if plan.quick else 'full'} run: scenarios {plan.scenarios}, "
            f"{plan.rounds} round(s) of {plan.duration:g} s, logs in {LOG_DIR}"
        )
        self.prepare_databases()
        self.preflight()
        if any(plan.wants(letter) for letter in "abce"):
            self.run_rounds()
        if plan.wants("d"):
            self.measure_memory()
        self.finish()

    def finish(self) -> None:
        results = self.results
        results["machine"]["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
        results["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        results["elapsed_s"] = round(time.monotonic() - harness.STARTED, 1)
        busiest = max(_runs(results["scenarios"]), key=lambda run: run[1], default=None)
        if busiest is not None and busiest[1] > NOISY_SHARE:
            self.problem(
                f"other work on the machine used up to {busiest[1]:.0%} of a core during the "
                f"runs ({busiest[0]}): their numbers are suspect; run again on a quiet machine"
            )
        results["problems"] = self.problems
        results["targets"] = report.evaluate(results)
        report.write_results(results, self.plan.output)
        say(f"results: {self.plan.output}")
        if self.plan.docs:
            report.write_docs(results, DOCS_DIR / "benchmarks.md", DOCS_DIR / "benchmarks.png")
            say(f"docs: {DOCS_DIR / 'benchmarks.md'} and benchmarks.png")
        for line in report.summary_lines(results):
            print(line, flush=True)


def _list_paths(deep_from: Dataset) -> dict[str, str]:
    """The four lists measured: the first page and the middle page of `deep_from`'s lists."""
    users_deep = max(1, -(-deep_from.visible_users // PER_PAGE) // 2)
    apis_deep = max(1, -(-deep_from.apis // PER_PAGE) // 2)
    return {
        "users_first": f"/api/v1/users?page=1&per_page={PER_PAGE}",
        "users_deep": f"/api/v1/users?page={users_deep}&per_page={PER_PAGE}",
        "catalog_first": f"/api/v1/apis?page=1&per_page={PER_PAGE}",
        "catalog_deep": f"/api/v1/apis?page={apis_deep}&per_page={PER_PAGE}",
    }


def _first_difference(expected: Any, found: Any, where: str = "") -> str | None:
    """Where the JSON value `found` first differs from `expected`, or None when equal."""
    if isinstance(expected, dict) and isinstance(found, dict):
        for key in sorted(expected.keys() | found.keys()):
            if key not in expected or key not in found:
                return f"{where}.{key}: only in {'the ceiling' if key in found else 'API Dock'}"
            difference = _first_difference(expected[key], found[key], f"{where}.{key}")
            if difference is not None:
                return difference
        return None
    if isinstance(expected, list) and isinstance(found, list):
        if len(expected) != len(found):
            return f"{where}: {len(expected)} items from API Dock, {len(found)} from the ceiling"
        for index, (left, right) in enumerate(zip(expected, found, strict=True)):
            difference = _first_difference(left, right, f"{where}[{index}]")
            if difference is not None:
                return difference
        return None
    if expected != found or type(expected) is not type(found):
        return f"{where or 'the body'}: API Dock {expected!r:.60}, the ceiling {found!r:.60}"
    return None


def _runs(tree: Any, where: str = "") -> list[tuple[str, float]]:
    """(where, other CPU share) of every measured run in the results."""
    found: list[tuple[str, float]] = []
    if isinstance(tree, dict):
        if tree.get("other_cpu_share") is not None and "rounds" not in tree:
            found.append((where.strip("/"), tree["other_cpu_share"]))
        for key, value in tree.items():
            if key != "median":
                found += _runs(value, f"{where}/{key}")
    elif isinstance(tree, list):
        for index, value in enumerate(tree):
            found += _runs(value, f"{where}[{index}]")
    return found


def _rounds(entries: list[dict[str, Any]]) -> dict[str, Any]:
    return {"rounds": entries, "median": report.summarise(entries)}


def _line(entry: dict[str, Any]) -> str:
    def ms(value: float | None) -> str:
        return "   n/a" if value is None else f"{value:6.1f}"

    cpu = entry.get("cpu_us_per_request")
    return (
        f"{entry['rps']:8,.0f} req/s  p50 {ms(entry['p50_ms'])} ms  p99 {ms(entry['p99_ms'])} ms"
        f"  errors {entry['errors']}" + (f"  CPU {cpu:,.0f} µs/req" if cpu is not None else "")
    )


def main(argv: list[str] | None = None) -> int:
    plan = parse_args(argv)
    interrupt_on_signals()
    bench = Bench(plan)
    try:
        bench.run()
    except KeyboardInterrupt:
        say("interrupted; stopping the servers")
        return 130
    except (ServerError, LoadError, PrepareError) as exc:
        say(f"error: {exc}")
        return 1
    finally:
        stop_all()
        shutil.rmtree(bench.workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
