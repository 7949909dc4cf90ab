"""`apidock test` (contract tests from the command line, a CI step) and `apidock worker` (the
process that executes runs queued on Redis)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

import click

from apidock.cli.running import call_or_exit, read_settings, run_on_database
from apidock.cli.users import AUDIT_ADDRESS
from apidock.db import Database
from apidock.runs import spec_run
from apidock.runs.runtime import executor_for, worker_settings
from apidock.runs.schemas import RunCreate
from apidock.runs.service import create_run, read_run, run_junit
from apidock.work import UnitOfWork


@click.command("test")
@click.argument("app", required=False)
@click.option("--env", "environment", help="The environment's name (with APP).")
@click.option(
    "--spec",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A description to test instead of an app: no server, no database.",
)
@click.option("--base-url", help="The live service --spec is tested against (allowed, even local).")
@click.option("--strict", is_flag=True, help="Also flag properties the schemas don't declare.")
@click.option(
    "--junit", type=click.Path(dir_okay=False, path_type=Path), help="Write JUnit XML here."
)
def test(
    app: str | None,
    environment: str | None,
    spec: Path | None,
    base_url: str | None,
    strict: bool,
    junit: Path | None,
) -> None:
    """Run APP's cases against its environment --env, or every example request of --spec
    against --base-url; one line a case and a summary. Exits 1 when any case fails."""
    if spec is not None:
        if app is not None or environment is not None or base_url is None:
            raise click.UsageError("--spec takes --base-url, and neither APP nor --env")
        outcome = call_or_exit(
            lambda: asyncio.run(spec_run.run_spec(spec.read_bytes(), base_url, strict=strict))
        )
    else:
        if app is None or environment is None:
            raise click.UsageError("give APP and --env NAME, or --spec FILE --base-url URL")
        outcome = _run_app(app, environment, strict)
    for line in outcome.lines:
        click.echo(line)
    if junit is not None:
        junit.write_bytes(outcome.junit)
    if not outcome.passed:
        sys.exit(1)


def _run_app(app: str, environment: str, strict: bool) -> spec_run.Outcome:
    settings = read_settings()

    async def work(database: Database) -> spec_run.Outcome:
        async with database.transaction() as session:
            unit = UnitOfWork(session=session, address=AUDIT_ADDRESS)
            found, env_id = await spec_run.app_and_environment(session, app, environment)
            run = await create_run(
                unit, app=found, run_in=RunCreate(environment=env_id, strict=strict)
            )
            run_id, title = run.id, found.title
        executor = executor_for(database, settings)
        try:
            await executor.execute(run_id)
        finally:
            await executor.client.aclose()
        async with database.transaction(write=False) as session:
            done, results = await read_run(session, run_id=run_id)
            return spec_run.outcome_of(done, results, run_junit(done, results, title))

    return run_on_database(settings, work)


@click.command("worker")
@click.option("--concurrency", default=2, show_default=True, type=click.IntRange(1, 64))
@click.option("--burst", is_flag=True, help="Run what is queued, then stop.")
def worker(concurrency: int, burst: bool) -> None:
    """Execute the runs queued on Redis (`REDIS_URL`), any number of workers on any machine."""
    settings = read_settings()
    if not settings.redis_url:
        raise click.UsageError("REDIS_URL is not set: without it, runs execute in the server")
    from saq import Worker

    configured: dict[str, Any] = worker_settings(settings, concurrency=concurrency, burst=burst)

    async def serve() -> None:
        await Worker(**configured).start()

    call_or_exit(lambda: asyncio.run(serve()))
