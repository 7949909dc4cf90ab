"""User names: NFKC, 2 to 20 characters, no invisible characters, unique whatever the case."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from apidock.config import Settings
from apidock.db import utcnow
from apidock.errors import Conflict, Unprocessable
from apidock.models import User
from apidock.users import service
from apidock.users.models import UserStatus
from tests.factories import password_hash, role_id


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("alice", "alice"),
        ("  Alice  ", "Alice"),
        ("\uff21\uff4c\uff49\uff43\uff45", "Alice"),  # full-width letters
        ("Jean Dupont", "Jean Dupont"),
        ("e\u0301cole", "\u00e9cole"),  # combining accent composed
        ("ab", "ab"),
        ("x" * 20, "x" * 20),
        ("\u674e\u767d", "\u674e\u767d"),
    ],
)
def test_normalize_name_keeps_good_names_in_nfkc(given: str, kept: str) -> None:
    assert service.normalize_name(given) == kept


@pytest.mark.parametrize(
    ("given", "reason"),
    [
        ("a", "2 to 20 characters"),
        ("   ", "2 to 20 characters"),
        ("x" * 21, "2 to 20 characters"),
        ("\ufdfa\ufdfa", "2 to 20 characters"),  # two characters NFKC spells out in 37
        ("bad\x00name", "control or invisible"),
        ("tab\tname", "control or invisible"),
        ("zero\u200bwidth", "control or invisible"),
        ("right\u202eleft", "control or invisible"),
        ("two\u2028lines", "control or invisible"),
    ],
)
def test_normalize_name_refuses_bad_names(given: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        service.normalize_name(given)


def test_name_key_ignores_case_and_width() -> None:
    keys = {service.name_key(name) for name in ("Alice", "ALICE", "\uff41\uff4c\uff49\uff43\uff45")}
    assert keys == {"alice"}
    assert service.name_key("Stra\u00dfe") == service.name_key("STRASSE")
    assert service.name_key("alice") != service.name_key("alicia")


@pytest.mark.parametrize(("password", "good"), [("1234567", False), ("12345678", True)])
def test_validate_password_needs_eight_characters(password: str, good: bool) -> None:
    if good:
        assert service.validate_password(password) == password
    else:
        with pytest.raises(ValueError, match="at least 8"):
            service.validate_password(password)


async def test_create_stores_the_normalised_name_and_its_key(
    session: AsyncSession, settings: Settings
) -> None:
    user = await service.create(
        session,
        name=" \uff2d\uff41\uff52\uff59 ",
        password_hash=password_hash(settings),
        role_id=await role_id(session, "User"),
    )
    assert (user.name, user.name_key, user.status) == ("Mary", "mary", UserStatus.NORMAL)
    assert await service.get_by_name(session, name="MARY") is user
    assert await service.get(session, user_id=user.id) is user


async def test_create_refuses_a_name_taken_in_another_case_or_by_a_deleted_user(
    session: AsyncSession, settings: Settings
) -> None:
    role = await role_id(session, "User")
    first = await service.create(
        session, name="Oscar", password_hash=password_hash(settings), role_id=role
    )
    with pytest.raises(Conflict, match="already taken"):
        await service.create(
            session, name="OSCAR", password_hash=password_hash(settings), role_id=role
        )
    first.deleted_at = utcnow()
    await session.flush()
    assert await service.get_by_name(session, name="oscar") is None
    assert await service.get_by_name(session, name="oscar", include_deleted=True) is first
    with pytest.raises(Conflict):
        await service.create(
            session, name="oscar", password_hash=password_hash(settings), role_id=role
        )


async def test_create_refuses_a_bad_name_with_the_field(
    session: AsyncSession, settings: Settings
) -> None:
    with pytest.raises(Unprocessable) as caught:
        await service.create(session, name="x", password_hash=password_hash(settings), role_id=None)
    assert caught.value.data[0]["field"] == "name"


async def test_reinstate_restores_role_status_and_deletion_once(
    session: AsyncSession, settings: Settings
) -> None:
    admin_role = await role_id(session, "Administrator")
    user = User(
        name="fallen",
        name_key="fallen",
        password_hash=password_hash(settings),
        role_id=await role_id(session, "User"),
        status=int(UserStatus.BLOCKED),
        deleted_at=utcnow(),
    )
    session.add(user)
    await session.flush()
    version = user.token_version

    assert service.reinstate(user, role_id=admin_role) is True
    assert (user.role_id, user.status, user.deleted_at) == (admin_role, UserStatus.NORMAL, None)
    assert user.token_version == version + 1
    assert service.reinstate(user, role_id=admin_role) is False
    assert user.token_version == version + 1
