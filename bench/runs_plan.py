"""The options of bench/runs_speed.py (its plan), its constants, and what it names outside the
benchmark: the versions measured and the wrk scripts it writes.

Decisions:
- API Dock runs as `apidock serve` starts it in production without `REDIS_URL`: the run is
  executed in the server's process (`RUN_CONCURRENCY` 2, each run 8 cases at a time), on core
  0, the server's one core. The peer (bench/runs_peer.py) runs on core 0 too, when API Dock is
  idle: both get one core for the same work. The target service (bench/runs_target.py), wrk
  and this script are on core 1; PostgreSQL is not pinned.
- `/healthz` is loaded by wrk the way bench/run.py's scenario (c) loads it: a few connections
  each pausing between an answer and its next request (`paced.lua`), so what is measured is
  the latency of a server doing a run, not the queue of a saturated one. wrk starts before the
  run is asked for and is stopped (SIGINT: it prints its report) the moment the run is seen
  finished. A closed loop hides stalls from its percentiles (a connection waiting on a stalled
  server sends nothing), so the longest answer (`max_ms`) is reported beside p99.
- The end of a run is read from its row in PostgreSQL every `POLL_SECONDS`, not from
  `GET /api/v1/runs/{id}`: polling the API would load the server being measured (and the last
  poll answers all 1,000 results); the row is what that route reads. The run's results are read
  through the API once the clocks have stopped.
"""

from __future__ import annotations

import asyncio
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import prepare
from harness import add_output_options, new_parser, package_versions
from loadgen import wrk_version

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
RESULTS = BENCH_DIR / "results" / "runs.json"
DOCS = REPO_DIR / "docs" / "benchmarks-runs.md"
DATABASE = "apidock_bench_runs"
SLUG = "bench-runs"
# bench/run.py takes 8800-8801, import_speed.py 8810, mock_speed.py 8820-8822
API_PORT, TARGET_PORT = 8830, 8831
CASE_CONCURRENCY = 8  # apidock.runs.executor.CASE_CONCURRENCY, checked at the start
POLL_SECONDS = 0.01
RUN_TIMEOUT = 600.0
HEALTHZ_P99_LIMIT_MS = 50.0
OVERHEAD_LIMIT = 2.0
PACKAGES = (
    "apidock", "fastapi", "starlette", "uvicorn", "httptools", "sqlalchemy", "asyncpg",
    "httpx", "httpcore", "anyio", "jsonschema-rs", "orjson", "python-jsonpath", "uvloop",
)  # fmt: skip


@dataclass
class Plan:
    rounds: int
    cases: int
    warmup_cases: int
    healthz_connections: int
    healthz_pause_ms: int
    idle_seconds: float
    capacity_seconds: float
    output: Path
    docs: bool
    keep_database: bool
    profile: bool = True
    wait_quiet: float = 0.0
    retries: int = 0
    server_core: int = 0
    load_core: int = 1


def parse_args(argv: list[str] | None) -> Plan:
    parser = new_parser(
        "bench/runs_speed.py",
        "A run of contract tests: /healthz meanwhile, and against a plain httpx loop.",
        rounds=3,
    )
    add = parser.add_argument
    add("--cases", type=int, default=1000, help="cases of the measured runs [1000]")
    add("--warmup-cases", type=int, default=100, help="cases of the warm-up run [100]")
    add("--healthz-connections", type=int, default=4, help="wrk connections on /healthz [4]")
    add("--healthz-pause", type=int, default=10, help="ms each pauses between requests [10]")
    add("--idle-seconds", type=float, default=10.0, help="/healthz with no run, seconds [10]")
    add("--capacity-seconds", type=float, default=5.0, help="the target's own load, s [5]")
    add_output_options(
        parser, results=RESULTS, docs=DOCS, keep_database=f"leave {DATABASE} for profiling"
    )
    add(
        "--no-profile",
        dest="profile",
        action="store_false",
        help="leave out the in-process runs after the rounds (bench/runs_profile.py)",
    )
    add(
        "--wait-quiet",
        type=float,
        default=1800.0,
        help="seconds to wait, before the setup and each round, for other benchmarks and "
        "test suites (wrk, prism, apidock, pytest) to end [1800]",
    )
    add(
        "--retries",
        type=int,
        default=2,
        help="times a round is measured again when other work ran meanwhile [2]",
    )
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.cases < 1 or args.idle_seconds < 1 or args.capacity_seconds < 1:
        parser.error("--rounds >= 1, --cases >= 1, --idle-seconds >= 1, --capacity-seconds >= 1")
    if not 1 <= args.warmup_cases <= args.cases:
        parser.error("--warmup-cases between 1 and --cases")
    if args.healthz_connections < 1 or args.healthz_pause < 0:
        parser.error("--healthz-connections >= 1, --healthz-pause >= 0")
    return Plan(
        rounds=args.rounds,
        cases=args.cases,
        warmup_cases=args.warmup_cases,
        healthz_connections=args.healthz_connections,
        healthz_pause_ms=args.healthz_pause,
        idle_seconds=args.idle_seconds,
        capacity_seconds=args.capacity_seconds,
        output=args.output,
        docs=args.docs,
        keep_database=args.keep_database,
        profile=args.profile,
        wait_quiet=max(0.0, args.wait_quiet),
        retries=max(0, args.retries),
    )


def versions(wrk: str) -> dict[str, str]:
    """Python, the packages of PACKAGES, PostgreSQL and wrk."""
    found = {"python": sys.version.split()[0]} | package_versions(PACKAGES)
    found["postgresql"] = asyncio.run(prepare.server_version())
    found["wrk"] = wrk_version(wrk)
    return found


def write_requests_script(path: Path, requests: list[tuple[str, str, str | None]]) -> Path:
    """A wrk script sending each (method, path, JSON body) in turn, round and round."""
    rows = []
    for method, target, body in requests:
        quoted = json.dumps(body) if body is not None else "nil"  # a JSON string is a Lua string
        rows.append(f"   {{{json.dumps(method)}, {json.dumps(target)}, {quoted}}}")
    entries = ",\n".join(rows)
    path.write_text(
        "-- Written by bench/runs_speed.py: each request below in turn, round and round.\n"
        f"local requests = {{\n{entries}\n}}\n"
        "local count = #requests\n"
        "local turn = 0\n"
        'local json = {["Content-Type"] = "application/json"}\n\n'
        "function request()\n"
        "   turn = turn % count + 1\n"
        "   local r = requests[turn]\n"
        "   if r[3] then return wrk.format(r[1], r[2], json, r[3]) end\n"
        "   return wrk.format(r[1], r[2])\n"
        "end\n"
    )
    return path
