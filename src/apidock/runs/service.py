"""Runs asked for, read, listed, and written as JUnit XML."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from apidock.apis.models import Api
from apidock.apps.models import App
from apidock.cases.models import ContractCase
from apidock.contracts.checks import Failure
from apidock.contracts.junit import CaseOutcome, junit_xml
from apidock.db.pages import PageParams, paginate
from apidock.environments.models import Environment
from apidock.errors import NotFound, Unprocessable
from apidock.runs.models import Run, RunResult, RunStatus
from apidock.runs.schemas import RunCreate
from apidock.work import Action, UnitOfWork


class RunAction(Action):
    CREATE = "run.create"


async def create_run(work: UnitOfWork, *, app: App, run_in: RunCreate) -> Run:
    """A queued run of `app`'s cases (or those named, all of this app's live APIs) against
    one of its live environments; 422 naming what is not."""
    environment = await work.live(Environment, run_in.environment)
    if environment is None or environment.app_id != app.id:
        raise _refused("environment", "No such environment of this app")
    if run_in.cases is not None:
        wanted = set(run_in.cases)
        found = set(
            await work.session.scalars(
                select(ContractCase.id)
                .join(Api, Api.id == ContractCase.api_id)
                .where(
                    ContractCase.id.in_(wanted),
                    ContractCase.deleted_at.is_(None),
                    Api.app_id == app.id,
                    Api.deleted_at.is_(None),
                )
            )
        )
        missing = sorted(wanted - found)
        if missing:
            raise _refused("cases", f"No such cases of this app: {missing[:20]}")
    run = Run(
        app_id=app.id,
        environment_id=environment.id,
        status=RunStatus.QUEUED,
        strict=run_in.strict,
        case_ids=list(dict.fromkeys(run_in.cases)) if run_in.cases is not None else None,
        created_by=work.actor_id,
    )
    work.session.add(run)
    await work.audit(RunAction.CREATE, run, {"environment": environment.id})
    return run


def _refused(field: str, message: str) -> Unprocessable:
    return Unprocessable(
        message, data=[{"field": field, "message": message, "type": "value_error"}]
    )


async def read_run(session: AsyncSession, *, run_id: int) -> tuple[Run, list[RunResult]]:
    run = await session.get(Run, run_id)
    if run is None:
        raise NotFound("Run not found")
    return run, await results_of(session, run=run)


async def results_of(session: AsyncSession, *, run: Run) -> list[RunResult]:
    """The run's case results, in the order the cases were asked for."""
    results = await session.scalars(
        select(RunResult).where(RunResult.run_id == run.id).order_by(RunResult.position)
    )
    return list(results)


async def list_runs(
    session: AsyncSession, *, app: App, page: PageParams
) -> tuple[list[Run], dict[str, Any]]:
    statement = select(Run).where(Run.app_id == app.id).order_by(Run.id.desc())
    rows, meta = await paginate(session, statement, page)
    return list(rows), meta


def run_junit(run: Run, results: list[RunResult], app_title: str) -> bytes:
    outcomes = [
        CaseOutcome(
            name=result.name,
            classname=f"{app_title}.api-{result.api_id}",
            duration_ms=result.duration_ms,
            failures=[
                Failure(check=item["check"], message=item["message"], pointer=item.get("pointer"))
                for item in result.failures
            ],
        )
        for result in results
    ]
    return junit_xml(f"{app_title} run {run.id}", outcomes, timestamp=run.started_at)


def summary_of(run: Run) -> dict[str, Any]:
    return {
        "id": run.id,
        "app_id": run.app_id,
        "environment": run.environment_id,
        "status": run.status,
        "strict": run.strict,
        "counts": {"total": run.total, "passed": run.passed, "failed": run.failed},
        "error": run.error,
        "executed_by": run.executed_by,
        "created_at": run.created_at,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
    }


def read_of(run: Run, results: list[RunResult]) -> dict[str, Any]:
    return {
        **summary_of(run),
        "results": [
            {
                "case": result.case_id,
                "api": result.api_id,
                "name": result.name,
                "passed": result.passed,
                "request": result.request,
                "response": result.response,
                "duration_ms": result.duration_ms,
                "failures": result.failures,
            }
            for result in results
        ],
    }
