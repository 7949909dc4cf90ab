"""Request and response models of users: one request model per route, unknown fields refused."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, ClassVar, Literal

from pydantic import Field, field_validator, model_validator

from apidock.auth.schemas import PASSWORD_MAX_LENGTH
from apidock.schemas import ApiModel, Id, PageMeta, RequestModel
from apidock.users.models import UserStatus

PASSWORD_MIN_LENGTH = 8
# checked again after NFKC normalisation (2 to 20 characters); this bound only stops huge input
NAME_INPUT_MAX_LENGTH = 64

StatusName = Literal["normal", "blocked"]
STATUS_VALUES: dict[str, UserStatus] = {"normal": UserStatus.NORMAL, "blocked": UserStatus.BLOCKED}

Name = Annotated[
    str,
    Field(
        min_length=1,
        max_length=NAME_INPUT_MAX_LENGTH,
        description="2 to 20 characters after NFKC normalisation; unique without regard to case",
        examples=["alice"],
    ),
]
Password = Annotated[str, Field(min_length=PASSWORD_MIN_LENGTH, max_length=PASSWORD_MAX_LENGTH)]


def _reject_null(value: object) -> object:
    if value is None:
        raise ValueError("may be left out, but not null")
    return value


class UserCreate(RequestModel):
    name: Name
    password: Password
    role_id: Id | None = Field(
        default=None, description="Defaults to the default role; another needs manage_roles"
    )


class UserUpdate(RequestModel):
    """A partial update of another user: a field left out stays as it was."""

    not_null: ClassVar[frozenset[str]] = frozenset({"name", "password", "status", "role_id"})

    name: Name | None = None
    password: Password | None = None
    status: StatusName | None = None
    role_id: Id | None = None

    _not_null = field_validator("name", "password", "status", "role_id")(_reject_null)


class ProfileUpdate(RequestModel):
    """A partial update of one's own profile; a new password needs the current one."""

    not_null: ClassVar[frozenset[str]] = frozenset({"name", "password", "current_password"})

    name: Name | None = None
    password: Password | None = None
    current_password: Annotated[str, Field(max_length=PASSWORD_MAX_LENGTH)] | None = None

    _not_null = field_validator("name", "password", "current_password")(_reject_null)

    @model_validator(mode="after")
    def _current_password_with_new(self) -> ProfileUpdate:
        if self.password is not None and self.current_password is None:
            raise ValueError("current_password is required to change the password")
        return self


class UserRead(ApiModel):
    id: int
    name: str
    role_id: int | None
    status: StatusName
    last_login_at: datetime | None
    last_login_ip: str | None
    created_at: datetime | None
    updated_at: datetime | None
    deleted_at: datetime | None

    @field_validator("status", mode="before")
    @classmethod
    def _status_name(cls, value: object) -> object:
        # the database keeps the original's integers
        if isinstance(value, int):
            return UserStatus(value).name.lower()
        return value


class UserPage(PageMeta):
    users: list[UserRead]
