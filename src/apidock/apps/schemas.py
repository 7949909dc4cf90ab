"""Apps in the API: enumerations as strings, the database keeps the original's integers."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, ClassVar, Literal

from pydantic import AfterValidator, Field

from apidock.apps.models import AppType, AuthType
from apidock.catalog.schemas import PatchModel, Title, named
from apidock.schemas import ApiModel, PageMeta, RequestModel

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
SLUG_RE = re.compile(SLUG_PATTERN)

AppTypeName = Literal["web", "app", "pc", "other"]
AuthTypeName = Literal["none", "basic", "oauth2", "bearer", "api_key"]

Slug = Annotated[str, Field(min_length=1, max_length=80, pattern=SLUG_PATTERN)]


def _strip(title: str) -> str:
    if not title.strip():
        raise ValueError("a title may not be blank")
    return title.strip()


# an app's title is its name in lists and exports: kept without the spaces around it
AppTitle = Annotated[Title, AfterValidator(_strip)]


class AppCreate(RequestModel):
    title: AppTitle
    slug: Slug | None = Field(
        default=None,
        description="Lowercase a-z, 0-9 and single hyphens; made from the title if absent",
    )
    version: Annotated[str, Field(min_length=1, max_length=80)] = "1.0.0"
    description: str | None = Field(default=None, max_length=10_000)
    type: AppTypeName = "web"
    auth_type: AuthTypeName = "none"


class AppUpdate(PatchModel):
    not_null: ClassVar[frozenset[str]] = frozenset(
        {"title", "slug", "version", "type", "auth_type"}
    )

    title: AppTitle | None = None
    slug: Slug | None = None
    version: Annotated[str, Field(min_length=1, max_length=80)] | None = None
    description: str | None = Field(default=None, max_length=10_000)
    type: AppTypeName | None = None
    auth_type: AuthTypeName | None = None


class AppRead(ApiModel):
    id: int
    title: str
    slug: str
    version: str
    description: str | None
    type: Annotated[AppTypeName | None, named(AppType)]
    auth_type: Annotated[AuthTypeName | None, named(AuthType)]
    created_at: datetime | None
    updated_at: datetime | None


class AppPage(PageMeta):
    apps: list[AppRead]
