"""Routes of environments: `/apps/{app_id}/environments` and `/environments/{environment_id}`.

Those who write the docs (write_docs) make and change environments, those who read them
(read_docs) read them; a read lists the secrets' names, never their values. Only an
administrator sets `allow_hosts` (403 for anyone else who changes it).
"""

from __future__ import annotations

from fastapi import APIRouter, status

from apidock.apps.dependencies import AppDep
from apidock.catalog.dependencies import DocsReader, DocsWriter
from apidock.catalog.routes import CHANGE_ERRORS, ONE_ERRORS, Record
from apidock.environments import service
from apidock.environments.dependencies import EnvironmentDep, SecretsKey
from apidock.environments.models import Environment
from apidock.environments.schemas import (
    EnvironmentCreate,
    EnvironmentList,
    EnvironmentRead,
    EnvironmentUpdate,
)
from apidock.http.dependencies import SessionDep, WorkDep
from apidock.http.errors import error_responses
from apidock.schemas import Envelope

router = APIRouter(tags=["environments"])
OF_APP = "/apps/{app_id:int}/environments"
ENVIRONMENTS: Record[Environment] = Record(
    router,
    "environment",
    "Environment",
    "/environments/{environment_id:int}",
    EnvironmentDep,
    EnvironmentRead,
)


@router.post(
    OF_APP,
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(400, 401, 403, 404, 409, 422),
)
async def create_environment(
    actor: DocsWriter,
    app: AppDep,
    environment_in: EnvironmentCreate,
    work: WorkDep,
    key: SecretsKey,
) -> Envelope[EnvironmentRead]:
    """Create an environment of the app; its secrets are stored encrypted and never shown
    again, and only an administrator sets `allow_hosts`. Requires: write_docs."""
    row = await service.create(work, app=app, environment_in=environment_in, actor=actor, key=key)
    return Envelope(message="Environment created.", data=EnvironmentRead.model_validate(row))


@router.get(OF_APP, responses=error_responses(*ONE_ERRORS))
async def list_environments(
    _: DocsReader, app: AppDep, session: SessionDep
) -> Envelope[EnvironmentList]:
    """The app's environments by name, their secrets by name only. Requires: read_docs."""
    rows = await service.list_environments(session, app=app)
    return Envelope(
        data=EnvironmentList(environments=[EnvironmentRead.model_validate(row) for row in rows])
    )


ENVIRONMENTS.add_read("Read an environment, its secrets by name only. Requires: read_docs.")


@router.patch("/environments/{environment_id:int}", responses=error_responses(*CHANGE_ERRORS))
async def update_environment(
    actor: DocsWriter,
    environment: EnvironmentDep,
    environment_in: EnvironmentUpdate,
    work: WorkDep,
    key: SecretsKey,
) -> Envelope[EnvironmentRead]:
    """Change an environment; `secrets`, when given, replaces them all (null: none), and only
    an administrator changes `allow_hosts`. Requires: write_docs."""
    row = await service.update(
        work, environment=environment, environment_in=environment_in, actor=actor, key=key
    )
    return Envelope(message="Environment updated.", data=EnvironmentRead.model_validate(row))


ENVIRONMENTS.add_delete(service.delete, "Soft-delete an environment. Requires: write_docs.")
