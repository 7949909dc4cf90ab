"""The options of bench/import_speed.py (its plan, from the command line), and what the
plan names outside the benchmark: the packages whose versions it reports, its database."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

import prepare
from harness import add_output_options, new_parser, package_versions

BENCH_DIR = Path(__file__).resolve().parent
RESULTS = BENCH_DIR / "results" / "import.json"
DOCS = BENCH_DIR.parent / "docs" / "benchmarks-import.md"
DATABASE = "apidock_bench_import"
PACKAGES = (
    "apidock", "openapi-spec-validator", "jsonschema-rs", "jsonschema", "pyyaml", "fastapi",
    "starlette", "uvicorn", "sqlalchemy", "asyncpg", "aiosqlite", "pydantic",
)  # fmt: skip
PORT = 8810  # bench/run.py takes 8800 and 8801: the two may run on one machine, not at once


@dataclass
class Plan:
    rounds: int
    operations: int
    scale: int
    seed: int
    database: str
    validate_large: bool
    healthz_connections: int
    healthz_pause_ms: int
    timeout: float
    output: Path
    docs: bool
    server_core: int = 0
    load_core: int = 1
    port: int = PORT

    @property
    def database_label(self) -> str:
        if self.database == "sqlite":
            return "a new SQLite file"
        return f"PostgreSQL database {DATABASE} made for the run"


def parse_args(argv: list[str] | None) -> Plan:
    parser = new_parser(
        "bench/import_speed.py", "Import speed against openapi-spec-validator.", rounds=5
    )
    add = parser.add_argument
    add("--operations", type=int, default=250, help="operations of the first document [250]")
    add("--scale", type=int, default=10, help="the second document's size, in first ones [10]")
    add("--seed", type=int, default=14, help="the documents' seed [14]")
    add("--database", choices=("postgresql", "sqlite"), default="postgresql")
    add(
        "--validate-large",
        action="store_true",
        help="time the validator on the large document too (about 10 times longer; not a target)",
    )
    add("--healthz-connections", type=int, default=8, help="/healthz connections [8]")
    add("--healthz-pause", type=int, default=10, help="ms each /healthz connection waits [10]")
    add("--timeout", type=float, default=900.0, help="seconds an import may take [900]")
    add_output_options(parser, results=RESULTS, docs=DOCS)
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.operations < 5 or args.operations % 5 or args.scale < 2:
        parser.error("--rounds >= 1, --operations a multiple of 5, --scale >= 2")
    return Plan(
        rounds=args.rounds,
        operations=args.operations,
        scale=args.scale,
        seed=args.seed,
        database=args.database,
        validate_large=args.validate_large,
        healthz_connections=args.healthz_connections,
        healthz_pause_ms=args.healthz_pause,
        timeout=args.timeout,
        output=args.output,
        docs=args.docs,
    )


def versions(database: str) -> dict[str, str]:
    """The version of each package in PACKAGES, and PostgreSQL's when it is the database."""
    found = package_versions(PACKAGES)
    if database == "postgresql":
        found["postgresql"] = asyncio.run(prepare.server_version())
    return found
