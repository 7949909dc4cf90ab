"""The response envelope, the base models and the page of a list."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

T = TypeVar("T")

# Ids are the original's INTEGER columns: a larger id can name no row, and is refused as such
# (a driver cannot even bind 2^63). Every id a client sends, in a path, a query or a body, is
# one of these two types, so none reaches the database unbounded.
MAX_ID = 2**31 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
# an id where 0 means none: a group's parent at the root, as the original keeps it
IdOrZero = Annotated[int, Field(ge=0, le=MAX_ID)]


def _refuse_nul(value: Any) -> Any:
    """`value` unchanged; `ValueError` when a string in it holds a NUL character.

    PostgreSQL cannot store NUL in text, and no name, title or description needs one.
    """
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("may not contain a NUL character")
    elif isinstance(value, list | tuple):
        for item in value:
            _refuse_nul(item)
    elif isinstance(value, dict):
        for item in value.values():
            _refuse_nul(item)
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            _refuse_nul(getattr(value, name))
    return value


class ApiModel(BaseModel):
    """Base of every response model: reads ORM objects."""

    model_config = ConfigDict(from_attributes=True)


def _drop_null(schema: dict[str, Any], names: frozenset[str]) -> None:
    """Document the fields in `names` as optional but never null."""
    for name in names:
        field = schema.get("properties", {}).get(name)
        if field is None or "anyOf" not in field:
            continue
        kept = [branch for branch in field["anyOf"] if branch != {"type": "null"}]
        field.pop("anyOf")
        if field.get("default", "") is None:
            field.pop("default")
        if len(kept) == 1:
            field.update(kept[0])
        else:
            field["anyOf"] = kept


class RequestModel(BaseModel):
    """Base of every request body: an unknown field is an error, never silently dropped, and
    a value of another JSON type than documented is an error, never coerced.

    No string anywhere in a body may hold a NUL character. Fields named in `not_null` may be
    left out but not sent as null (a subclass refuses the null); OpenAPI says so.
    """

    not_null: ClassVar[frozenset[str]] = frozenset()

    model_config = ConfigDict(
        extra="forbid",
        # a body says what OpenAPI documents: no `0` for false, `false` for 0, or "2" for 2
        strict=True,
        json_schema_extra=lambda schema, model: _drop_null(
            schema,
            getattr(model, "not_null", frozenset()),
        ),
    )

    _no_nul = field_validator("*")(_refuse_nul)


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
