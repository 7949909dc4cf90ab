"""Routes of runs: `POST/GET /apps/{id}/runs`, `GET /runs/{id}` and its JUnit XML.

A run is asked for and answered 202 at once, queued; it is executed off the request's path
(`apidock.runs.dispatch`): poll `GET /runs/{id}` until its status is passed, failed or error.
Writing needs write_docs, reading read_docs.
"""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks, Request, status
from fastapi.responses import Response

from apidock.apps.dependencies import AppDep
from apidock.apps.models import App
from apidock.catalog.dependencies import DocsReader, DocsWriter
from apidock.catalog.routes import ONE_ERRORS
from apidock.http.dependencies import SessionDep, WorkDep
from apidock.http.errors import error_responses
from apidock.http.pages import PageDep
from apidock.runs import service
from apidock.runs.dependencies import RunDep
from apidock.runs.dispatch import RunDispatcher
from apidock.runs.schemas import RunCreate, RunPage, RunQueued, RunRead, RunSummary
from apidock.schemas import Envelope

router = APIRouter(tags=["runs"])
JUNIT_RESPONSES = error_responses(*ONE_ERRORS)
JUNIT_RESPONSES[200] = {
    "description": "The run as JUnit XML, one testcase per case",
    "content": {"application/xml": {"schema": {"type": "string"}}},
}


@router.post(
    "/apps/{app_id:int}/runs",
    status_code=status.HTTP_202_ACCEPTED,
    responses=error_responses(400, *ONE_ERRORS),
)
async def create_run(
    _: DocsWriter,
    app: AppDep,
    run_in: RunCreate,
    work: WorkDep,
    request: Request,
    background: BackgroundTasks,
) -> Envelope[RunQueued]:
    """Queue a run of the app's cases (or those named) against one of its environments.
    Requires: write_docs."""
    run = await service.create_run(work, app=app, run_in=run_in)
    dispatcher: RunDispatcher = request.app.state.runs
    # handed over once the answer is sent, so after the request's transaction committed it
    background.add_task(dispatcher.submit, run.id)
    return Envelope(data=RunQueued(id=run.id, status=run.status))


@router.get("/apps/{app_id:int}/runs", responses=error_responses(*ONE_ERRORS))
async def list_runs(
    _: DocsReader, app: AppDep, session: SessionDep, page: PageDep
) -> Envelope[RunPage]:
    """The app's runs, the newest first. Requires: read_docs."""
    runs, meta = await service.list_runs(session, app=app, page=page)
    return Envelope(
        data=RunPage(
            runs=[RunSummary.model_validate(service.summary_of(run)) for run in runs], **meta
        )
    )


@router.get("/runs/{run_id:int}", responses=error_responses(*ONE_ERRORS))
async def read_run(run: RunDep, session: SessionDep) -> Envelope[RunRead]:
    """A run: its status, counts and each case's result. Requires: read_docs."""
    results = await service.results_of(session, run=run)
    return Envelope(data=RunRead.model_validate(service.read_of(run, results)))


@router.get("/runs/{run_id:int}/junit.xml", response_class=Response, responses=JUNIT_RESPONSES)
async def read_run_junit(run: RunDep, session: SessionDep) -> Response:
    """The run as JUnit XML (for CI). Requires: read_docs."""
    results = await service.results_of(session, run=run)
    app = await session.get(App, run.app_id)
    title = app.title if app is not None else f"app {run.app_id}"
    return Response(service.run_junit(run, results, title), media_type="application/xml")
