"""Request and response models of roles and permissions."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import AfterValidator, Field, WithJsonSchema, field_validator

from apidock.permissions import Permission, permission_names
from apidock.schemas import ApiModel, RequestModel

TITLE_MAX_LENGTH = 80
PERMISSION_NAMES = [flag.api_name for flag in Permission]


def _known_permission(name: str) -> str:
    if name not in PERMISSION_NAMES:
        raise ValueError(f"unknown permission {name!r}")
    return name


PermissionName = Annotated[
    str,
    AfterValidator(_known_permission),
    WithJsonSchema({"type": "string", "enum": PERMISSION_NAMES}),
]
Title = Annotated[str, Field(min_length=1, max_length=TITLE_MAX_LENGTH, examples=["Reviewer"])]


class _RoleFields(RequestModel):
    # a field may be left out of an update, but never set to null
    @field_validator("title", check_fields=False)
    @classmethod
    def _strip_title(cls, title: str | None) -> str:
        if title is None:
            raise ValueError("a title may not be null")
        stripped = title.strip()
        if not stripped:
            raise ValueError("a title may not be blank")
        return stripped

    @field_validator("permissions", check_fields=False)
    @classmethod
    def _not_null(cls, names: list[str] | None) -> list[str]:
        if names is None:
            raise ValueError("permissions may not be null; send [] for none")
        return names


class RoleCreate(_RoleFields):
    title: Title
    permissions: list[PermissionName] = Field(default_factory=list, max_length=32)


class RoleUpdate(_RoleFields):
    """A partial update: a field left out stays as it was."""

    not_null: ClassVar[frozenset[str]] = frozenset({"title", "permissions"})

    title: Title | None = None
    permissions: list[PermissionName] | None = Field(default=None, max_length=32)


class RoleRead(ApiModel):
    id: int
    title: str
    default: bool
    permissions: list[PermissionName]

    @field_validator("permissions", mode="before")
    @classmethod
    def _names_of_bits(cls, value: object) -> object:
        # the database keeps a bit set, the API speaks names
        return permission_names(value) if isinstance(value, int) else value


class RoleList(ApiModel):
    roles: list[RoleRead]


class PermissionList(ApiModel):
    permissions: list[PermissionName]
