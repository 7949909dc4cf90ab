"""Routes of groups: `/apis/groups`, `/apis/groups/tree` and `/apis/groups/{group_id}`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from apidock.catalog.dependencies import DocsReader, DocsWriter
from apidock.catalog.routes import ONE_ERRORS, Record
from apidock.groups import service
from apidock.groups.dependencies import GroupDep
from apidock.groups.models import ApiGroup
from apidock.groups.schemas import GroupCreate, GroupNode, GroupPage, GroupRead, GroupUpdate
from apidock.http.dependencies import SessionDep, WorkDep
from apidock.http.errors import error_responses
from apidock.schemas import Envelope, Id, IdOrZero

router = APIRouter(prefix="/apis/groups", tags=["groups"])
GROUPS: Record[ApiGroup] = Record(router, "group", "Group", "/{group_id:int}", GroupDep, GroupRead)

GROUPS.add_list(
    GroupPage,
    service.search,
    "List groups as a flat page, by app and parent. Requires: read_docs.",
    app_id=Annotated[Id | None, Query()],
    pid=Annotated[IdOrZero | None, Query(description="Children of this group; 0: roots")],
)


@router.get("/tree", responses=error_responses(401, 403, 422))
async def group_tree(
    _: DocsReader, session: SessionDep, app_id: Annotated[Id, Query()]
) -> Envelope[list[GroupNode]]:
    """The groups of an app as a nested tree (not paged). Requires: read_docs."""
    return Envelope(data=await service.tree(session, app_id=app_id))


GROUPS.add_create(
    GroupCreate,
    service.create,
    "Create a group in an app, at the root or under another group. Requires: write_docs.",
)
GROUPS.add_read("Read a group. Requires: read_docs.")
GROUPS.add_update(
    GroupUpdate,
    service.update,
    "Rename a group or move it within its app's tree. Requires: write_docs.",
)


@router.delete("/{group_id:int}", responses=error_responses(*ONE_ERRORS, 409))
async def delete_group(
    _: DocsWriter,
    group: GroupDep,
    work: WorkDep,
    cascade: Annotated[
        bool, Query(description="Also delete the subgroups and APIs it holds")
    ] = False,
) -> Envelope[None]:
    """Soft-delete a group; 409 if it holds groups or APIs, unless cascade. Requires: write_docs."""
    await service.delete(work, group=group, cascade=cascade)
    return Envelope(message="Group deleted.")
