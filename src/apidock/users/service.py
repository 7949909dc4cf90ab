"""Users: the name rules, look-ups and creation."""

from __future__ import annotations

import unicodedata

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from apidock.exceptions import Conflict, Unprocessable
from apidock.users.models import NAME_KEY_MAX_LENGTH, NAME_MAX_LENGTH, User, UserStatus

NAME_MIN_LENGTH = 2
PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 1024

# Unicode categories a name may not hold: control, format (invisible), surrogate, private
# use and unassigned characters, and the line and paragraph separators.
_FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def normalize_name(name: str) -> str:
    """`name` in NFKC form without surrounding spaces; `ValueError` when it breaks the rules.

    A name holds 2 to 20 characters (counted after normalisation), none of them a control
    or invisible formatting character.
    """
    normalized = unicodedata.normalize("NFKC", name).strip()
    if not NAME_MIN_LENGTH <= len(normalized) <= NAME_MAX_LENGTH:
        raise ValueError(
            f"a name holds {NAME_MIN_LENGTH} to {NAME_MAX_LENGTH} characters, not {len(normalized)}"
        )
    if any(unicodedata.category(char) in _FORBIDDEN_CATEGORIES for char in normalized):
        raise ValueError("a name may not contain control or invisible characters")
    if len(name_key(normalized)) > NAME_KEY_MAX_LENGTH:
        raise ValueError("a name may not grow past its limit when case-folded")
    return normalized


def name_key(name: str) -> str:
    """The form of `name` that two names share when they differ only in case or width.

    NFKC, surrounding spaces removed, case folding, then NFKC again (Unicode's
    NFKC_Casefold without the removal of ignorable characters, which `normalize_name` refuses).
    """
    folded = unicodedata.normalize("NFKC", name).strip().casefold()
    return unicodedata.normalize("NFKC", folded)


def validate_password(password: str) -> str:
    """`password` unchanged; `ValueError` when it is too short or too long."""
    if len(password) < PASSWORD_MIN_LENGTH:
        raise ValueError(f"a password holds at least {PASSWORD_MIN_LENGTH} characters")
    if len(password) > PASSWORD_MAX_LENGTH:
        raise ValueError(f"a password holds at most {PASSWORD_MAX_LENGTH} characters")
    return password


def _checked_name(name: str) -> str:
    try:
        return normalize_name(name)
    except ValueError as exc:
        raise Unprocessable(
            f"Invalid name: {exc}",
            data=[{"field": "name", "message": str(exc), "type": "value_error"}],
        ) from None


async def get(session: AsyncSession, *, user_id: int) -> User | None:
    """The user with this id, deleted or not, or None."""
    return await session.get(User, user_id)


async def get_by_name(
    session: AsyncSession, *, name: str, include_deleted: bool = False
) -> User | None:
    """The user whose name matches `name` without regard to case or width, or None."""
    statement = select(User).where(User.name_key == name_key(name))
    if not include_deleted:
        statement = statement.where(User.deleted_at.is_(None))
    return await session.scalar(statement)


async def create(
    session: AsyncSession,
    *,
    name: str,
    password_hash: str,
    role_id: int | None,
    status: UserStatus = UserStatus.NORMAL,
) -> User:
    """Add a user; `Conflict` when the name is taken, even by a deleted user or in another case.

    `Unprocessable` when the name breaks the rules of `normalize_name`.
    """
    normalized = _checked_name(name)
    if await get_by_name(session, name=normalized, include_deleted=True) is not None:
        raise Conflict(f"The name {normalized!r} is already taken")
    user = User(
        name=normalized,
        name_key=name_key(normalized),
        password_hash=password_hash,
        role_id=role_id,
        status=int(status),
    )
    session.add(user)
    await session.flush()
    return user


def reinstate(user: User, *, role_id: int) -> bool:
    """Give `user` the role `role_id`, normal status and undo a deletion; True if that changed it.

    A change of role bumps the token version, so tokens issued under the old role stop working.
    """
    changed = False
    if user.role_id != role_id:
        user.role_id = role_id
        user.token_version += 1
        changed = True
    if user.status != UserStatus.NORMAL:
        user.status = int(UserStatus.NORMAL)
        changed = True
    if user.deleted_at is not None:
        user.deleted_at = None
        changed = True
    return changed
