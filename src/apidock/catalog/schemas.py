"""The pieces of the catalog's bodies every domain uses: a title, a PATCH body, and a stored
enumeration read as its API name."""

from __future__ import annotations

from enum import IntEnum
from functools import partial
from typing import Annotated, Any, ClassVar

from pydantic import BeforeValidator, Field, model_validator

from apidock.schemas import RequestModel

Title = Annotated[str, Field(min_length=1, max_length=80)]


def enum_name(kind: type[IntEnum], value: Any) -> Any:
    """The API name of a stored integer (`1` → `"web"`); other values pass unchanged."""
    if isinstance(value, int) and not isinstance(value, bool):
        return kind(value).name.lower()
    return value


def named(kind: type[IntEnum]) -> BeforeValidator:
    """A read model's field that holds the integer a column of `kind` stores, answered as its
    name: `Annotated[AppTypeName | None, named(AppType)]`."""
    return BeforeValidator(partial(enum_name, kind))


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
