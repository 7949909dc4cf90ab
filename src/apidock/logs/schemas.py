"""Audit rows in the API, and the event a client may record."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import Field

from apidock.schemas import ApiModel, Id, PageMeta, RequestModel

CLIENT_ACTION_PREFIX = "client."
CLIENT_ACTION_PATTERN = r"^[a-z0-9][a-z0-9_.:-]*$"


class LogCreate(RequestModel):
    """An event a client records; its action is stored as `client.<action>`."""

    action: Annotated[
        str,
        Field(
            min_length=1,
            max_length=64,
            pattern=CLIENT_ACTION_PATTERN,
            examples=["api.tried"],
            description="Lowercase letters, digits and `_.:-`; stored with the prefix `client.`",
        ),
    ]
    target_type: Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[a-z_]+$")] | None = (
        None
    )
    target_id: Id | None = None


class LogRead(ApiModel):
    id: int
    user_id: int | None
    action: str | None
    target_type: str | None
    target_id: int | None
    ip: str | None
    # what the action changed or counted (an import: its format and counts), when it says
    detail: dict[str, Any] | None = None
    created_at: datetime | None


class LogPage(PageMeta):
    logs: list[LogRead]
