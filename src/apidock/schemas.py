"""The response envelope, the base models and the page of a list."""

from __future__ import annotations

from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")


class ApiModel(BaseModel):
    """Base of every response model: reads ORM objects."""

    model_config = ConfigDict(from_attributes=True)


class RequestModel(BaseModel):
    """Base of every request body: an unknown field is an error, never silently dropped."""

    model_config = ConfigDict(extra="forbid")


class Envelope(BaseModel, Generic[T]):
    """The original api-dock's envelope around every answer."""

    status: Literal["success", "error"] = "success"
    message: str | None = None
    data: T | None = None


class ErrorEnvelope(BaseModel):
    """The envelope of a failed request."""

    status: Literal["error"] = "error"
    message: str = Field(examples=["Not found"])
    data: Any | None = None


class FieldError(BaseModel):
    """One invalid field: where it is (`body.name`), what is wrong, and the error's type."""

    field: str = Field(examples=["body.name"])
    message: str
    type: str


class ValidationErrorEnvelope(ErrorEnvelope):
    data: list[FieldError]


class PageMeta(ApiModel):
    """Where a page stands: `prev` and `next` are the URLs of its neighbours, or null."""

    page: int
    per_page: int
    total: int
    total_is_estimate: bool = Field(
        default=False,
        description="True when `total` is the planner's estimate (more than 10,000 rows match)",
    )
    prev: str | None
    next: str | None


class RootLinks(ApiModel):
    docs: str
    redoc: str
    openapi: str
    api: str


class RootInfo(ApiModel):
    name: str
    version: str
    links: RootLinks


class Health(ApiModel):
    status: Literal["ok", "unavailable"]
