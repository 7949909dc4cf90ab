"""Revisions: what a one-field edit of a 1 MB description stores, and how long reading any
revision takes (issue 17's acceptance).

    .venv/bin/python bench/revisions_speed.py              # 1,000 edits: about 5 minutes
    .venv/bin/python bench/revisions_speed.py --edits 50   # a sanity check (writes nothing)

Makes a PostgreSQL database of its own (`apidock_bench_revisions` on 127.0.0.1:5432, dropped
and created, the models' tables; dropped again at the end), imports the ~1 MB, 250-operation
document of bench/import_document.py through the import service, then makes `--edits`
one-field edits (the app's description, through `apps.service.update` in a transaction of
its own each, as `PATCH /apps/{id}` does), each recording its revision as every write does.
Then it measures, in process:

- the bytes stored: every revision's snapshot or patch, the snapshots counted in full, so
  that their cost is spread over the revisions that read from them;
- the time to read a revision back (`revisions.storage.read`: the newest snapshot at or
  before it, the patches after it, applied) for revisions 1, 500, 1000 and the last
  (median of 5 reads each), and the longest single read of every revision;
- the time of a revision's `openapi.json` (the read and its encoding) for the same ones;
- the time of each edit's whole transaction (the edit and the revision it records).

Writes bench/results/revisions.json and docs/benchmarks-revisions.md (a full run only) and
prints the targets: any revision read in under 100 ms; under 2 KB stored per revision.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import harness
import prepare
from import_document import make_document
from sqlalchemy import func, select

from apidock.apps import service as app_service
from apidock.apps.models import App
from apidock.apps.schemas import AppUpdate
from apidock.config import load_settings
from apidock.db import Base, Database, create_engine
from apidock.descriptions.dumping import dump_json
from apidock.descriptions.intake import IntakeLimits
from apidock.imports import pool
from apidock.imports import service as import_service
from apidock.revisions import service as revision_service
from apidock.revisions import storage
from apidock.revisions.models import Revision
from apidock.work import UnitOfWork

BENCH_DIR = Path(__file__).resolve().parent
RESULTS = BENCH_DIR / "results" / "revisions.json"
DOCS = BENCH_DIR.parent / "docs" / "benchmarks-revisions.md"
DATABASE = "apidock_bench_revisions"
READ_TARGET_MS = 100.0
BYTES_TARGET = 2048
READS_EACH = 5


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/revisions_speed.py", description=__doc__)
    parser.add_argument("--edits", type=int, default=1000, help="one-field edits [1000]")
    parser.add_argument("--operations", type=int, default=250, help="the document's [250]")
    return parser.parse_args(argv)


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


async def _import(database: Database, raw: bytes) -> int:
    async with database.transaction() as session:
        imported = await import_service.import_document(
            UnitOfWork(session=session, address="bench"),
            raw=raw,
            media_type="application/json",
            limits=IntakeLimits(),
            slug="bench",
        )
        return imported.app.id


async def _edit(database: Database, app_id: int, number: int) -> float:
    start = time.perf_counter()
    async with database.transaction() as session:
        work = UnitOfWork(session=session, address="bench")
        app = await work.live(App, app_id)
        assert app is not None
        description = f"The generated SaaS API, edit number {number} of its description."
        await app_service.update(work, app=app, app_in=AppUpdate(description=description))
    return time.perf_counter() - start


async def _stored(database: Database, app_id: int) -> dict[str, Any]:
    async with database.transaction(write=False) as session:
        rows = (
            await session.execute(
                select(
                    Revision.number,
                    func.coalesce(func.length(Revision.snapshot), 0),
                    func.coalesce(func.length(Revision.patch), 0),
                )
                .where(Revision.app_id == app_id)
                .order_by(Revision.number)
            )
        ).all()
    snapshots = [snapshot for _, snapshot, _ in rows if snapshot]
    patches = [patch for _, _, patch in rows if patch]
    total = sum(snapshots) + sum(patches)
    edits_total = sum(snapshot + patch for number, snapshot, patch in rows if number > 1)
    return {
        "revisions": len(rows),
        "snapshots": len(snapshots),
        "snapshot_numbers": [number for number, snapshot, _ in rows if snapshot],
        "snapshot_bytes_median": int(statistics.median(snapshots)) if snapshots else 0,
        "patches": len(patches),
        "patch_bytes_median": int(statistics.median(patches)) if patches else 0,
        "patch_bytes_max": max(patches, default=0),
        "total_bytes": total,
        "bytes_per_revision": round(total / len(rows), 1),
        "bytes_per_edit_revision": round(edits_total / max(1, len(rows) - 1), 1),
    }


async def _read_once(database: Database, app: App, number: int, *, served: bool) -> float:
    async with database.transaction(write=False) as session:
        start = time.perf_counter()
        if served:
            await revision_service.served_document(session, app=app, number=number, mock_base=None)
        else:
            stored = await storage.read(session, app_id=app.id, number=number)
            assert stored is not None
        return time.perf_counter() - start


async def _reads(database: Database, app_id: int, last: int) -> dict[str, Any]:
    async with database.transaction(write=False) as session:
        app = await session.get(App, app_id)
        assert app is not None
    chosen = sorted({number for number in (1, 500, 1000, last) if number <= last})
    medians: dict[str, float] = {}
    served: dict[str, float] = {}
    for number in chosen:
        times = [await _read_once(database, app, number, served=False) for _ in range(READS_EACH)]
        medians[str(number)] = _ms(statistics.median(times))
        serve = [await _read_once(database, app, number, served=True) for _ in range(READS_EACH)]
        served[str(number)] = _ms(statistics.median(serve))
    every = [await _read_once(database, app, number, served=False) for number in range(1, last + 1)]
    slowest = max(range(len(every)), key=every.__getitem__)
    return {
        "read_ms": medians,
        "openapi_json_ms": served,
        "read_max_ms": _ms(every[slowest]),
        "read_max_revision": slowest + 1,
        "read_median_ms_of_all": _ms(statistics.median(every)),
    }


async def _measure(edits: int, operations: int) -> dict[str, Any]:
    await prepare.recreate_database(DATABASE)
    var_dir = Path(tempfile.mkdtemp(prefix="apidock-bench-revisions-"))
    server = f"{prepare.PG_USER}@{prepare.PG_HOST}:{prepare.PG_PORT}"
    settings = load_settings(
        _env_file=None,
        DATABASE_URL=f"postgresql://{server}/{DATABASE}",
        APP_VAR_DIR=str(var_dir),
        JWT_SECRET_KEY=secrets.token_urlsafe(48),
    )
    engine = create_engine(settings)
    database = Database(engine)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(Base.metadata.create_all)
        raw = dump_json(make_document(operations))
        app_id = await _import(database, raw)
        edit_times = [await _edit(database, app_id, number) for number in range(1, edits + 1)]
        stored = await _stored(database, app_id)
        reads = await _reads(database, app_id, stored["revisions"])
    finally:
        await database.dispose()
        pool.shutdown()
        await _drop()
    return {
        "document": {"operations": operations, "bytes": len(raw)},
        "edits": edits,
        "max_patches_per_snapshot": storage.MAX_PATCHES_PER_SNAPSHOT,
        "edit_ms": {
            "median": _ms(statistics.median(edit_times)),
            "p95": _ms(sorted(edit_times)[int(len(edit_times) * 0.95) - 1]),
            "max": _ms(max(edit_times)),
        },
        "stored": stored,
        **reads,
    }


async def _drop() -> None:
    connection = await asyncpg.connect(
        host=prepare.PG_HOST, port=prepare.PG_PORT, user=prepare.PG_USER, database="postgres"
    )
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    finally:
        await connection.close()


def _targets(found: dict[str, Any]) -> list[dict[str, Any]]:
    per_revision = found["stored"]["bytes_per_revision"]
    return [
        {
            "name": "any revision read back in under 100 ms",
            "unit": "ms",
            "value": found["read_max_ms"],
            "limit": READ_TARGET_MS,
            "passed": found["read_max_ms"] < READ_TARGET_MS,
        },
        {
            "name": "under 2 KB stored per revision, snapshots included",
            "unit": "bytes",
            "value": per_revision,
            "limit": BYTES_TARGET,
            "passed": per_revision < BYTES_TARGET,
        },
    ]


def _docs(results: dict[str, Any]) -> str:
    found, machine = results["found"], results["machine"]
    stored = found["stored"]
    lines = [
        "# Benchmark: revisions",
        "",
        f"`bench/revisions_speed.py`, run from {results['started_at']} to "
        f"{results['finished_at']} on {machine['cpu_model']} ({machine['nproc']} cores, "
        f"{machine['memory_gib']} GiB, load {machine['loadavg_start']} at the start), "
        f"PostgreSQL {results['postgresql']}, Python {machine['python']}.",
        "",
        f"A {found['document']['bytes'] / 1e6:.2f} MB description "
        f"({found['document']['operations']} operations, bench/import_document.py) imported, "
        f"then {found['edits']} one-field edits of it (the app's description, through "
        "`apps.service.update`, each in its transaction as `PATCH /apps/{id}`), each "
        "recording its revision.",
        "",
        "| Target | Measured | Limit | |",
        "|---|---|---|---|",
    ]
    for target in results["targets"]:
        value, limit = (f"{target[key]} {target['unit']}" for key in ("value", "limit"))
        mark = "pass" if target["passed"] else "**FAIL**"
        lines.append(f"| {target['name']} | {value} | {limit} | {mark} |")
    lines += [
        "",
        "## Stored",
        "",
        f"- {stored['revisions']} revisions: {stored['snapshots']} snapshots (revisions "
        f"{', '.join(str(n) for n in stored['snapshot_numbers'][:12])}"
        f"{', …' if len(stored['snapshot_numbers']) > 12 else ''}), median "
        f"{stored['snapshot_bytes_median']:,} bytes, and {stored['patches']} patches, median "
        f"{stored['patch_bytes_median']} bytes (largest {stored['patch_bytes_max']}).",
        f"- {stored['total_bytes']:,} bytes in all: {stored['bytes_per_revision']} a revision "
        f"({stored['bytes_per_edit_revision']} an edit's, without the import's snapshot). A "
        f"snapshot is written after {found['max_patches_per_snapshot']} patches, or sooner "
        "when the patches since the last would outweigh it.",
        "",
        "## Read",
        "",
        "| Revision | Read back | Its `openapi.json` (read and encoded) |",
        "|---|---|---|",
    ]
    for number, read in found["read_ms"].items():
        lines.append(f"| {number} | {read} ms | {found['openapi_json_ms'][number]} ms |")
    lines += [
        "",
        f"Every revision read once: median {found['read_median_ms_of_all']} ms, the slowest "
        f"{found['read_max_ms']} ms (revision {found['read_max_revision']}). Medians of "
        f"{READS_EACH} reads above; times on the clock, in process, the database on the same "
        "machine.",
        "",
        "## Write",
        "",
        f"An edit's whole transaction, the revision it records included: median "
        f"{found['edit_ms']['median']} ms, p95 {found['edit_ms']['p95']} ms, max "
        f"{found['edit_ms']['max']} ms: the document is read as the export reads it, the "
        "previous revision read back, and the diff, hash and compression done off the event "
        "loop.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    started = datetime.now(UTC).isoformat(timespec="seconds")
    machine = harness.machine_info()
    found = asyncio.run(_measure(args.edits, args.operations))
    results = {
        "started_at": started,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join(["bench/revisions_speed.py", *(argv or sys.argv[1:])]),
        "machine": machine,
        "postgresql": asyncio.run(prepare.server_version()),
        "found": found,
        "targets": _targets(found),
    }
    print(json.dumps(results, indent=2))
    if args.edits >= 1000:
        RESULTS.write_text(json.dumps(results, indent=2) + "\n")
        DOCS.write_text(_docs(results))
    passed = all(target["passed"] for target in results["targets"])
    for target in results["targets"]:
        print(f"{'PASS' if target['passed'] else 'FAIL'}: {target['name']}: {target['value']}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
