"""Apps in the API: enumerations as strings, the database keeps the original's integers."""

from __future__ import annotations

import re
from datetime import datetime
from enum import IntEnum
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, field_validator, model_validator

from apidock.apps.models import AppType, AuthType
from apidock.schemas import ApiModel, PageMeta, RequestModel

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
SLUG_RE = re.compile(SLUG_PATTERN)

AppTypeName = Literal["web", "app", "pc", "other"]
AuthTypeName = Literal["none", "basic", "oauth2", "bearer", "api_key"]

Title = Annotated[str, Field(min_length=1, max_length=80)]
Slug = Annotated[str, Field(min_length=1, max_length=80, pattern=SLUG_PATTERN)]


def enum_name(kind: type[IntEnum], value: Any) -> Any:
    """The API name of a stored integer (`1` → `"web"`); other values pass unchanged."""
    if isinstance(value, int) and not isinstance(value, bool):
        return kind(value).name.lower()
    return value


class PatchModel(RequestModel):
    """A PATCH body: every field optional, but those in `not_null` may not be set to null."""

    not_null: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="after")
    def _refuse_null(self) -> PatchModel:
        nulled = sorted(
            name for name in self.model_fields_set & self.not_null if getattr(self, name) is None
        )
        if nulled:
            raise ValueError(f"may not be null: {', '.join(nulled)}")
        return self


class AppCreate(RequestModel):
    title: Title
    slug: Slug | None = Field(
        default=None,
        description="Lowercase a-z, 0-9 and single hyphens; made from the title if absent",
    )
    version: Annotated[str, Field(min_length=1, max_length=80)] = "1.0.0"
    description: str | None = Field(default=None, max_length=10_000)
    type: AppTypeName = "web"
    auth_type: AuthTypeName = "none"

    @field_validator("title")
    @classmethod
    def _strip_title(cls, title: str) -> str:
        if not title.strip():
            raise ValueError("a title may not be blank")
        return title.strip()


class AppUpdate(PatchModel):
    not_null: ClassVar[frozenset[str]] = frozenset(
        {"title", "slug", "version", "type", "auth_type"}
    )

    title: Title | None = None
    slug: Slug | None = None
    version: Annotated[str, Field(min_length=1, max_length=80)] | None = None
    description: str | None = Field(default=None, max_length=10_000)
    type: AppTypeName | None = None
    auth_type: AuthTypeName | None = None

    @field_validator("title")
    @classmethod
    def _strip_title(cls, title: str | None) -> str | None:
        if title is not None and not title.strip():
            raise ValueError("a title may not be blank")
        return title.strip() if title is not None else None


class AppRead(ApiModel):
    id: int
    title: str
    slug: str
    version: str
    description: str | None
    type: AppTypeName | None
    auth_type: AuthTypeName | None
    created_at: datetime | None
    updated_at: datetime | None

    @field_validator("type", mode="before")
    @classmethod
    def _type_name(cls, value: Any) -> Any:
        return enum_name(AppType, value)

    @field_validator("auth_type", mode="before")
    @classmethod
    def _auth_type_name(cls, value: Any) -> Any:
        return enum_name(AuthType, value)


class AppPage(PageMeta):
    apps: list[AppRead]
