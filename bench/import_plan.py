"""The options of bench/import_speed.py (its plan, from the command line), and what the
plan names outside the benchmark: the packages whose versions it reports, its database, the
state of the code measured."""

# ruff: noqa: S603 (git is run with fixed arguments)

from __future__ import annotations

import argparse
import asyncio
import hashlib
import shutil
import subprocess
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import asyncpg
import prepare

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
    parser = argparse.ArgumentParser(
        prog="bench/import_speed.py", description="Import speed against openapi-spec-validator."
    )
    add = parser.add_argument
    add("--rounds", type=int, default=5, help="rounds; figures are their medians [5]")
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
    add("--output", type=Path, default=RESULTS, help=f"results file [{RESULTS}]")
    add("--no-docs", dest="docs", action="store_false", help=f"leave {DOCS} alone")
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


async def drop_database() -> None:
    """Drop the run's database (prepare.recreate_database made it), its sessions ended."""
    connection = await asyncpg.connect(
        host=prepare.PG_HOST,
        port=prepare.PG_PORT,
        user=prepare.PG_USER,
        database=prepare.MAINTENANCE_DB,
        timeout=10,
    )
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    finally:
        await connection.close()


def versions(database: str) -> dict[str, str]:
    """The version of each package in PACKAGES, and PostgreSQL's when it is the database."""
    found = {}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    if database == "postgresql":
        found["postgresql"] = asyncio.run(prepare.server_version())
    return found


def source_state() -> dict[str, object]:
    """The commit, whether src/ and alembic/ differ from it, and a fingerprint of exactly
    how: taken at the start and at the end of a run, a different fingerprint says the code
    changed under the run (each round's server loads it afresh)."""
    git = shutil.which("git")
    if git is None:
        return {}

    def out(*args: str) -> str:
        done = subprocess.run(
            [git, "-C", str(BENCH_DIR.parent), *args],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        return done.stdout

    status = out("status", "--porcelain", "--untracked-files=all", "--", "src", "alembic")
    digest = hashlib.sha256(status.encode())
    digest.update(out("diff", "HEAD", "--", "src", "alembic").encode())
    for line in status.splitlines():
        if line.startswith("??"):  # new files: their content, which no diff shows
            path = BENCH_DIR.parent / line[3:]
            if path.is_file():
                digest.update(path.read_bytes())
    return {
        "commit": out("rev-parse", "HEAD").strip(),
        "dirty": bool(status.strip()),
        "fingerprint": digest.hexdigest()[:16],
    }
