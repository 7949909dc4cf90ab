"""Groups in the API: a flat page, or a nested tree per app."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, ClassVar

from pydantic import Field

from apidock.catalog.schemas import PatchModel, Title
from apidock.groups.models import ROOT_PID
from apidock.groups.tree import MAX_GROUP_DEPTH
from apidock.schemas import ApiModel, Id, IdOrZero, PageMeta, RequestModel

ParentId = Annotated[
    IdOrZero,
    Field(
        description=f"The parent group; 0 at the root. Groups nest at most {MAX_GROUP_DEPTH} "
        "levels deep (422 beyond, counting the levels below a moved group)"
    ),
]


class GroupCreate(RequestModel):
    app_id: Id
    pid: ParentId = ROOT_PID
    title: Title


class GroupUpdate(PatchModel):
    """A group stays in its app; `pid` moves it within the app's tree."""

    not_null: ClassVar[frozenset[str]] = frozenset({"pid", "title"})

    pid: ParentId | None = None
    title: Title | None = None


class GroupRead(ApiModel):
    id: int
    app_id: int | None
    pid: int
    title: str
    created_at: datetime | None
    updated_at: datetime | None


class GroupNode(GroupRead):
    children: list[GroupNode] = Field(default_factory=list)


class GroupPage(PageMeta):
    groups: list[GroupRead]
