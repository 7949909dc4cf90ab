"""Revisions, releases and diffs in the API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, model_validator

from apidock.revisions.models import VERSION_MAX_LENGTH, Release, Revision
from apidock.schemas import ApiModel, PageMeta, RequestModel

# A version is a path segment (`/releases/{version}`) and the `X` of `APP@X`, where plain
# digits name a revision: so no `/`, `@` or space, and not digits alone.
VERSION_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._+~-]*$"


def _not_a_number(version: str) -> str:
    if version.isdigit():
        raise ValueError("digits alone name a revision: a version holds something else too")
    return version


ReleaseVersion = Annotated[
    str,
    AfterValidator(_not_a_number),
    Field(
        min_length=1,
        max_length=VERSION_MAX_LENGTH,
        pattern=VERSION_PATTERN,
        examples=["1.4.0", "2025-06", "v2-beta.1"],
        description="Letters, digits and `._+~-`, not digits alone (those name a revision)",
    ),
]
Format = Literal["json", "markdown"]


def _author(row: Revision | Release) -> dict[str, Any]:
    return {
        "author": row.author.name if row.author is not None else None,
        "author_id": row.author_id,
    }


class RevisionRead(ApiModel):
    number: int
    author: str | None = Field(description="The author's name; null for the command line")
    author_id: int | None
    created_at: datetime
    summary: str
    hash: str = Field(description="SHA-256 of the document's canonical JSON (keys sorted)")

    @model_validator(mode="before")
    @classmethod
    def _read_revision(cls, value: Any) -> Any:
        if not isinstance(value, Revision):
            return value
        names = ("number", "created_at", "summary", "hash")
        return {name: getattr(value, name) for name in names} | _author(value)


class RevisionPage(PageMeta):
    revisions: list[RevisionRead]


class ReleaseCreate(RequestModel):
    version: ReleaseVersion
    notes: str | None = Field(default=None, max_length=10_000)


class ReleaseRead(ApiModel):
    version: str
    notes: str | None
    revision: int = Field(description="The number of the revision released")
    author: str | None
    author_id: int | None
    created_at: datetime

    @model_validator(mode="before")
    @classmethod
    def _read_release(cls, value: Any) -> Any:
        if not isinstance(value, Release):
            return value
        fields = {"version": value.version, "notes": value.notes, "created_at": value.created_at}
        return fields | {"revision": value.revision_number} | _author(value)


class ReleasePage(PageMeta):
    releases: list[ReleaseRead]


class ChangeRead(ApiModel):
    id: str = Field(description="The rule's id, as oasdiff's checker names it")
    level: Literal["breaking", "warning", "info"]
    operation: str | None = Field(description='"METHOD /path", null for the whole document')
    pointer: str = Field(description="RFC 6901 pointer into the `to` (or, removed, `from`) side")
    message: str


class DiffSummary(ApiModel):
    breaking: int
    warning: int
    info: int


class DiffRead(ApiModel):
    changes: list[ChangeRead]
    summary: DiffSummary
