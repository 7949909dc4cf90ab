"""What the mock's routes take and answer: keys (the secret once) and the log."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field

from apidock.mock.models import NAME_MAX_LENGTH
from apidock.schemas import ApiModel, RequestModel


class MockKeyCreate(RequestModel):
    name: Annotated[str, Field(min_length=1, max_length=NAME_MAX_LENGTH)] = Field(
        description="What the key is for (who or what uses it)"
    )


class MockKeyRead(ApiModel):
    id: int
    name: str
    prefix: str = Field(description="The key's first characters, to tell keys apart")
    created_at: datetime | None
    revoked_at: datetime | None


class MockKeyCreated(MockKeyRead):
    key: str = Field(description="The key, shown this once: send it as X-Mock-Key")


class MockKeyList(ApiModel):
    keys: list[MockKeyRead]


class MockLogRead(ApiModel):
    time: datetime
    method: str
    path: str
    status: int
    example: str = Field(description='The example answered, or "generated"')


class MockLogList(ApiModel):
    entries: list[MockLogRead] = Field(description="The newest first, at most 100")
