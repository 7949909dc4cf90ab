"""The options of bench/mock_speed.py (its plan), what it measures (the scenarios and the
servers), and what the plan names outside the benchmark: Prism and its install, versions.

Decisions:
- Two scenarios, the same requests to every server: GET /pets/{petId}, whose 200 documents
  an `example` (every server answers it as it is), and GET /orders/{orderId} with
  `Prefer: dynamic=true`, a schema-only response with nested objects, arrays, `$ref`s and
  formats (every server generates a body). Each cycles through `--paths` ids (1,000), so that
  a server deterministic per request (API Dock) cannot answer from one cached body.
- Every request carries the app's mock key (`X-Mock-Key`): the private mock, SPEC's default,
  is what is measured. Prism gets the same header and ignores it.
- Prism is run twice: as `prism mock` starts (its log at the level `info`, one entry a
  request, to its log file) and with its log silenced (`-v silent`), the faster of the two on
  static answers. A target is met when it is met against both: the comparison is with
  Prism's best, whatever one thinks of its log.
"""

# ruff: noqa: S603 (commands are built from fixed parts and paths found here, never from input)

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import prepare
from harness import add_output_options, new_parser, package_versions
from loadgen import wrk_version

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
DOCUMENT = BENCH_DIR / "mock_document.json"
RESULTS = BENCH_DIR / "results" / "mock.json"
DOCS = REPO_DIR / "docs" / "benchmarks-mock.md"
NODE_TOOLS = REPO_DIR / ".tools" / "node"
PRISM = NODE_TOOLS / "node_modules" / ".bin" / "prism"
PRISM_PACKAGE = "@stoplight/prism-cli@5"
DATABASE = "apidock_bench_mock"
SLUG = "bench"
# bench/run.py takes 8800 and 8801, bench/import_speed.py 8810
API_PORT, MOCK_PORT, PRISM_PORT = 8820, 8821, 8822
NPM_TIMEOUT = 900
PACKAGES = (
    "apidock", "uvicorn", "uvloop", "httptools", "orjson", "sqlalchemy", "asyncpg",
)  # fmt: skip
TARGET_RATIO = 2.0


@dataclass(frozen=True)
class Scenario:
    """The requests of one measurement: `template` with each id in turn, these headers."""

    key: str
    title: str
    template: str
    schema: str  # the component schema of the 200 answer
    headers: tuple[str, ...]
    static: bool  # the answer is the documented example

    def paths(self, count: int) -> list[str]:
        if "{petId}" in self.template:
            return [self.template.replace("{petId}", str(n)) for n in range(1, count + 1)]
        return [
            self.template.replace("{orderId}", str(uuid.uuid5(uuid.NAMESPACE_URL, f"order/{n}")))
            for n in range(1, count + 1)
        ]


SCENARIOS = (
    Scenario(
        "static",
        "static example",
        "/pets/{petId}",
        "Pet",
        ("Accept: application/json",),
        static=True,
    ),
    Scenario(
        "generated",
        "generated body",
        "/orders/{orderId}",
        "Order",
        ("Accept: application/json", "Prefer: dynamic=true"),
        static=False,
    ),
)


@dataclass(frozen=True)
class Contender:
    """One server measured: its key in the results, its name, its port."""

    key: str
    name: str
    port: int
    prism_log: str | None = None  # Prism's log level; None for API Dock


CONTENDERS = (
    Contender("apidock", "API Dock (apidock mock)", MOCK_PORT),
    Contender("prism", "Prism (prism mock)", PRISM_PORT, prism_log="info"),
    Contender("prism_silent", "Prism, log silenced (-v silent)", PRISM_PORT, prism_log="silent"),
)
PRISMS = tuple(c for c in CONTENDERS if c.prism_log is not None)


@dataclass
class Plan:
    rounds: int
    duration: float
    warmup: float
    connections: int
    paths: int
    output: Path
    docs: bool
    keep_database: bool
    server_core: int = 0
    load_core: int = 1


def parse_args(argv: list[str] | None) -> Plan:
    parser = new_parser("bench/mock_speed.py", "API Dock's mock server against Prism.", rounds=3)
    add = parser.add_argument
    add("--duration", type=float, default=15.0, help="seconds of each measured run [15]")
    add("--warmup", type=float, default=3.0, help="seconds of wrk before each run [3]")
    add("--connections", type=int, default=16, help="wrk connections, one thread [16]")
    add("--paths", type=int, default=1000, help="ids each scenario cycles through [1000]")
    add_output_options(
        parser,
        results=RESULTS,
        docs=DOCS,
        keep_database=f"leave {DATABASE} (with the app and its key) for profiling afterwards",
    )
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.duration < 1 or args.warmup < 0 or args.connections < 1:
        parser.error("--rounds >= 1, --duration >= 1, --warmup >= 0, --connections >= 1")
    if not 1 <= args.paths <= 100_000:
        parser.error("--paths between 1 and 100000")
    return Plan(
        rounds=args.rounds,
        duration=args.duration,
        warmup=args.warmup,
        connections=args.connections,
        paths=args.paths,
        output=args.output,
        docs=args.docs,
        keep_database=args.keep_database,
    )


def ensure_prism(log: prepare.Log) -> Path:
    """Prism's command in .tools/node, installed there with npm when missing."""
    if os.access(PRISM, os.X_OK):
        return PRISM
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError(f"Prism is not in {NODE_TOOLS} and npm is not installed: install Node")
    log(f"Prism is missing: npm install {PRISM_PACKAGE} in {NODE_TOOLS}")
    NODE_TOOLS.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [npm, "install", "--prefix", str(NODE_TOOLS), "--no-audit", "--no-fund", PRISM_PACKAGE],
        capture_output=True,
        text=True,
        timeout=NPM_TIMEOUT,
        check=False,
    )
    if done.returncode != 0 or not os.access(PRISM, os.X_OK):
        tail = "\n".join((done.stdout + done.stderr).splitlines()[-5:])
        raise RuntimeError(f"could not install {PRISM_PACKAGE}:\n{tail}")
    return PRISM


def _output(argv: list[str]) -> str:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
    except OSError as exc:
        return f"unknown ({exc})"
    return (done.stdout or done.stderr).strip().splitlines()[0] if done.returncode == 0 else "?"


def versions(prism: Path, wrk: str) -> dict[str, str]:
    """Python, the packages of PACKAGES, Prism, Node, PostgreSQL and wrk."""
    found = {"python": sys.version.split()[0]} | package_versions(PACKAGES)
    found["prism"] = _output([str(prism), "--version"])
    node = shutil.which("node")
    found["node"] = _output([node, "--version"]) if node else "not installed"
    found["postgresql"] = asyncio.run(prepare.server_version())
    found["wrk"] = wrk_version(wrk)
    return found
