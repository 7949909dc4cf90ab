"""Routes of an app's mock: its keys (`/apps/{id}/mock-keys`) and its log (`/apps/{id}/mock-log`).

The mock itself answers at `/mock/{slug}/...` (`apidock.mock.server`), outside the API's
prefix and its envelope. Keys are managed by those who write the docs (write_docs): a key is
shown once, when made; the list shows names and prefixes, never a secret. The log is read by
those who read the docs.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, status

from apidock.apps.dependencies import AppDep
from apidock.catalog.dependencies import DocsReader, DocsWriter
from apidock.catalog.routes import ONE_ERRORS
from apidock.http.dependencies import SessionDep, WorkDep
from apidock.http.errors import error_responses
from apidock.mock import service
from apidock.mock.schemas import (
    MockKeyCreate,
    MockKeyCreated,
    MockKeyList,
    MockKeyRead,
    MockLogList,
    MockLogRead,
)
from apidock.mock.server import MockServer
from apidock.schemas import Envelope

router = APIRouter(prefix="/apps", tags=["mock"])
KEYS = "/{app_id:int}/mock-keys"
KeyId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The key's id")]


@router.post(
    KEYS,
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(400, *ONE_ERRORS),
)
async def create_mock_key(
    _: DocsWriter, app: AppDep, key_in: MockKeyCreate, work: WorkDep
) -> Envelope[MockKeyCreated]:
    """Make a key of the app's mock; `key` is shown this once (send it as `X-Mock-Key`).
    Requires: write_docs."""
    row, secret = await service.create_key(work, app=app, name=key_in.name)
    read = MockKeyRead.model_validate(row).model_dump()
    return Envelope(data=MockKeyCreated.model_validate({**read, "key": secret}))


@router.get(KEYS, responses=error_responses(*ONE_ERRORS))
async def list_mock_keys(_: DocsWriter, app: AppDep, session: SessionDep) -> Envelope[MockKeyList]:
    """The app's mock keys, live and revoked, without their secrets. Requires: write_docs."""
    rows = await service.list_keys(session, app=app)
    return Envelope(data=MockKeyList(keys=[MockKeyRead.model_validate(row) for row in rows]))


@router.delete(KEYS + "/{key_id:int}", responses=error_responses(*ONE_ERRORS))
async def revoke_mock_key(
    _: DocsWriter, app: AppDep, key_id: KeyId, work: WorkDep
) -> Envelope[None]:
    """Revoke a key: every instance refuses it from its next request. Requires: write_docs."""
    await service.revoke_key(work, app=app, key_id=key_id)
    return Envelope(message="Mock key revoked.")


@router.get("/{app_id:int}/mock-log", responses=error_responses(*ONE_ERRORS))
async def read_mock_log(
    _: DocsReader, app: AppDep, session: SessionDep, request: Request
) -> Envelope[MockLogList]:
    """The app's last 100 mock requests, the newest first. Requires: read_docs."""
    mock: MockServer | None = getattr(request.app.state, "mock", None)
    if mock is not None:
        await mock.log.flush()  # this instance's answers not yet written
    rows = await service.read_log(session, app=app)
    entries = [
        MockLogRead(
            time=row.at, method=row.method, path=row.path, status=row.status, example=row.source
        )
        for row in rows
    ]
    return Envelope(data=MockLogList(entries=entries))
