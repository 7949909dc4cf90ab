"""Routes of groups: `/apis/groups`, `/apis/groups/tree` and `/apis/groups/{group_id}`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from apidock.apps.dependencies import DocsReader, DocsWriter
from apidock.db.pages import paginate
from apidock.groups import service
from apidock.groups.dependencies import GroupDep
from apidock.groups.schemas import GroupCreate, GroupNode, GroupPage, GroupRead, GroupUpdate
from apidock.http.dependencies import ClientAddress, SessionDep
from apidock.http.errors import error_responses
from apidock.http.pages import PageDep
from apidock.schemas import Envelope, Id, IdOrZero

router = APIRouter(prefix="/apis/groups", tags=["groups"])


@router.get("", responses=error_responses(401, 403, 422))
async def list_groups(
    _: DocsReader,
    session: SessionDep,
    page: PageDep,
    app_id: Annotated[Id | None, Query()] = None,
    pid: Annotated[IdOrZero | None, Query(description="Children of this group; 0: roots")] = None,
) -> Envelope[GroupPage]:
    """List groups as a flat page, by app and parent. Requires: read_docs."""
    rows, meta = await paginate(session, service.search(app_id=app_id, pid=pid), page)
    return Envelope(data=GroupPage.model_validate(meta | {"groups": rows}))


@router.get("/tree", responses=error_responses(401, 403, 422))
async def group_tree(
    _: DocsReader, session: SessionDep, app_id: Annotated[Id, Query()]
) -> Envelope[list[GroupNode]]:
    """The groups of an app as a nested tree (not paged). Requires: read_docs."""
    return Envelope(data=await service.tree(session, app_id=app_id))


@router.post(
    "", status_code=status.HTTP_201_CREATED, responses=error_responses(400, 401, 403, 409, 422)
)
async def create_group(
    user: DocsWriter, body: GroupCreate, session: SessionDep, address: ClientAddress
) -> Envelope[GroupRead]:
    """Create a group in an app, at the root or under another group. Requires: write_docs."""
    group = await service.create(session, group_in=body, actor_id=user.id, ip=address)
    return Envelope(message="Group created.", data=GroupRead.model_validate(group))


@router.get("/{group_id:int}", responses=error_responses(401, 403, 404, 422))
async def read_group(_: DocsReader, group: GroupDep) -> Envelope[GroupRead]:
    """Read a group. Requires: read_docs."""
    return Envelope(data=GroupRead.model_validate(group))


@router.patch("/{group_id:int}", responses=error_responses(400, 401, 403, 404, 409, 422))
async def update_group(
    user: DocsWriter,
    group: GroupDep,
    body: GroupUpdate,
    session: SessionDep,
    address: ClientAddress,
) -> Envelope[GroupRead]:
    """Rename a group or move it within its app's tree. Requires: write_docs."""
    group = await service.update(session, group=group, group_in=body, actor_id=user.id, ip=address)
    return Envelope(message="Group updated.", data=GroupRead.model_validate(group))


@router.delete("/{group_id:int}", responses=error_responses(401, 403, 404, 409, 422))
async def delete_group(
    user: DocsWriter,
    group: GroupDep,
    session: SessionDep,
    address: ClientAddress,
    cascade: Annotated[
        bool, Query(description="Also delete the subgroups and APIs it holds")
    ] = False,
) -> Envelope[None]:
    """Soft-delete a group; 409 if it holds groups or APIs, unless cascade. Requires: write_docs."""
    await service.delete(session, group=group, cascade=cascade, actor_id=user.id, ip=address)
    return Envelope(message="Group deleted.")
