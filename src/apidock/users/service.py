"""Users: the name rules, look-ups, creation, and the changes the API makes, audited."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any

from sqlalchemy import CursorResult, Integer, and_, bindparam, func, select
from sqlalchemy import exc as sa_exc
from sqlalchemy import update as update_statement
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from apidock.auth.passwords import PasswordHasher
from apidock.auth.principal import CALLER, caller_params, caller_row, caller_statement
from apidock.auth.schemas import PASSWORD_MAX_LENGTH, Principal
from apidock.auth.tokens import TokenClaims
from apidock.database import CoreRunner, utcnow
from apidock.exceptions import Conflict, Forbidden, NotFound, Unprocessable
from apidock.logs import service as log_service
from apidock.pagination import PageParams, paginate
from apidock.permissions import Permission, has_permissions
from apidock.roles import service as role_service
from apidock.users.models import NAME_KEY_MAX_LENGTH, NAME_MAX_LENGTH, User, UserStatus
from apidock.users.schemas import STATUS_VALUES, ProfileUpdate, UserCreate, UserRead, UserUpdate

NAME_MIN_LENGTH = 2
PASSWORD_MIN_LENGTH = 8

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
    await _flush_unique_name(session, normalized)
    return user


async def _flush_unique_name(session: AsyncSession, name: str) -> None:
    # two requests can both find a name free; the unique index on name_key settles the race
    try:
        await session.flush()
    except sa_exc.IntegrityError:
        raise Conflict(f"The name {name!r} is already taken") from None


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


async def give_role_to_roleless(session: AsyncSession, *, role_id: int) -> int:
    """Give `role_id` to every user without a role (the original left some); how many got it.

    Their status, deletion and password stay as they are; their token version is bumped, as
    on any change of role.
    """
    result = await session.execute(
        update_statement(User)
        .where(User.role_id.is_(None))
        .values(role_id=role_id, token_version=User.token_version + 1)
        .execution_options(synchronize_session=False)
    )
    assert isinstance(result, CursorResult)
    return result.rowcount


def _escape_like(fragment: str) -> str:
    return fragment.replace("/", "//").replace("%", "/%").replace("_", "/_")


async def get_page(
    session: AsyncSession,
    *,
    params: PageParams,
    name: str | None = None,
    status: UserStatus | None = None,
    role_id: int | None = None,
    include_deleted: bool = False,
) -> tuple[Sequence[User], dict[str, Any]]:
    """One page of users, by id; `name` matches a fragment without regard to case or width."""
    statement = select(User).order_by(User.id)
    if name:
        pattern = f"%{_escape_like(name_key(name))}%"
        statement = statement.where(User.name_key.like(pattern, escape="/"))
    if status is not None:
        statement = statement.where(User.status == int(status))
    if role_id is not None:
        statement = statement.where(User.role_id == role_id)
    if not include_deleted:
        statement = statement.where(User.deleted_at.is_(None))
    return await paginate(session, statement, params)


def _need(actor: Principal, permission: Permission) -> None:
    if not (actor.is_root or has_permissions(actor.permissions, permission)):
        raise Forbidden(f"Requires permission: {permission.api_name}")


async def _assignable_role_id(session: AsyncSession, *, actor: Principal, role_id: int) -> int:
    """`role_id` when it names a role the actor may hand out (manage_roles, no more rights)."""
    _need(actor, Permission.MANAGE_ROLES)
    role = await role_service.get(session, role_id=role_id)
    if role is None:
        raise Unprocessable(
            "No such role",
            data=[{"field": "body.role_id", "message": "no such role", "type": "value_error"}],
        )
    role_service.check_grantable(actor, role.permissions)
    return role.id


async def _rename(session: AsyncSession, *, user: User, name: str) -> bool:
    """Give `user` the name; True if it changed. `Conflict` if another user has it."""
    normalized = _checked_name(name)
    if normalized == user.name:
        return False
    holder = await get_by_name(session, name=normalized, include_deleted=True)
    if holder is not None and holder.id != user.id:
        raise Conflict(f"The name {normalized!r} is already taken")
    user.name = normalized
    user.name_key = name_key(normalized)
    return True


async def _audit(
    session: AsyncSession, *, actor: Principal, action: str, user: User, address: str
) -> None:
    await log_service.record(
        session,
        actor_id=actor.id,
        action=action,
        target_type="user",
        target_id=user.id,
        ip=address,
    )


def is_root(user: User, root_name: str) -> bool:
    """True when `user` is the root administrator (`APP_ROOT_ADMIN`)."""
    return user.name == root_name


async def _check_may_act_on(
    session: AsyncSession, *, actor: Principal, user: User, root_name: str
) -> None:
    """Others may not touch the root, nor a user whose role holds rights the actor lacks."""
    if actor.is_root:
        return
    if is_root(user, root_name):
        raise Forbidden("The root administrator cannot be changed by anyone else")
    role = await role_service.get(session, role_id=user.role_id) if user.role_id else None
    if role is not None and not has_permissions(actor.permissions, Permission(role.permissions)):
        raise Forbidden("You cannot change a user who holds rights you do not hold")


async def register(
    session: AsyncSession,
    *,
    actor: Principal,
    user_in: UserCreate,
    address: str,
    hasher: PasswordHasher,
) -> User:
    """Create a user with the default role, or with a role the actor may hand out."""
    if user_in.role_id is not None:
        role_id: int | None = await _assignable_role_id(
            session, actor=actor, role_id=user_in.role_id
        )
    else:
        default = await role_service.get_default(session)
        role_id = default.id if default else None
    # the cheap checks run before the costly hash
    normalized = _checked_name(user_in.name)
    if await get_by_name(session, name=normalized, include_deleted=True) is not None:
        raise Conflict(f"The name {normalized!r} is already taken")
    user = await create(
        session,
        name=normalized,
        password_hash=await hasher.hash(user_in.password),
        role_id=role_id,
    )
    await _audit(session, actor=actor, action="user.create", user=user, address=address)
    return user


async def update(
    session: AsyncSession,
    *,
    actor: Principal,
    user: User,
    user_in: UserUpdate,
    address: str,
    hasher: PasswordHasher,
    root_name: str,
) -> User:
    """Apply a partial update of another user, each field under its own permission.

    name and password need write_users, status block_users, role_id manage_roles. Nobody
    changes their own role, status or password here (their own password goes through
    `update_profile`, with the current one), and a blocked or re-roled user's tokens die.
    """
    changes = user_in.model_dump(exclude_unset=True)
    if user.id == actor.id:
        if changes.keys() & {"role_id", "status", "password"}:
            raise Forbidden(
                "You cannot change your own role or status; change your password at /users/me"
            )
        if "name" in changes and is_root(user, root_name):
            raise Forbidden("The root administrator cannot be renamed")
    else:
        await _check_may_act_on(session, actor=actor, user=user, root_name=root_name)
    if changes.keys() & {"name", "password"}:
        _need(actor, Permission.WRITE_USERS)
    if "status" in changes:
        _need(actor, Permission.BLOCK_USERS)
    actions: list[str] = []
    if "role_id" in changes and changes["role_id"] != user.role_id:
        user.role_id = await _assignable_role_id(session, actor=actor, role_id=changes["role_id"])
        user.token_version += 1
        actions.append("user.role")
    if "status" in changes:
        status = STATUS_VALUES[changes["status"]]
        if status != user.status:
            user.status = int(status)
            if status == UserStatus.BLOCKED:
                user.token_version += 1
                actions.append("user.block")
            else:
                actions.append("user.unblock")
    if "name" in changes and await _rename(session, user=user, name=changes["name"]):
        actions.append("user.rename")
    if "password" in changes:
        user.password_hash = await hasher.hash(changes["password"])
        user.token_version += 1
        actions.append("user.password")
    await _flush_unique_name(session, user.name)
    for action in actions:
        await _audit(session, actor=actor, action=action, user=user, address=address)
    return user


async def update_profile(
    session: AsyncSession,
    *,
    actor: Principal,
    user: User,
    profile_in: ProfileUpdate,
    address: str,
    hasher: PasswordHasher,
    root_name: str,
) -> User:
    """Change one's own name or password; a new password needs the current one."""
    changes = profile_in.model_dump(exclude_unset=True)
    actions: list[str] = []
    if "name" in changes:
        if is_root(user, root_name) and _checked_name(changes["name"]) != user.name:
            raise Forbidden("The root administrator cannot be renamed")
        if await _rename(session, user=user, name=changes["name"]):
            actions.append("user.rename")
    if "password" in changes:
        matches, _ = await hasher.verify(changes["current_password"], user.password_hash)
        if not matches:
            raise Forbidden("The current password is wrong")
        user.password_hash = await hasher.hash(changes["password"])
        user.token_version += 1
        actions.append("user.password")
    await _flush_unique_name(session, user.name)
    for action in actions:
        await _audit(session, actor=actor, action=action, user=user, address=address)
    return user


async def delete(
    session: AsyncSession, *, actor: Principal, user: User, address: str, root_name: str
) -> User:
    """Soft-delete another user: their tokens die at once and their name stays reserved."""
    if user.id == actor.id:
        raise Forbidden("You cannot delete yourself")
    await _check_may_act_on(session, actor=actor, user=user, root_name=root_name)
    user.deleted_at = utcnow()
    user.token_version += 1
    await session.flush()
    await _audit(session, actor=actor, action="user.delete", user=user, address=address)
    return user


USER_READ_COLUMNS = tuple(UserRead.model_fields)
_TARGET = aliased(User, name="target")
# The caller's state and the user asked for, in one statement (the hottest read).
_READ_USER_FOR_CALLER = (
    caller_statement()
    .add_columns(*(getattr(_TARGET, column).label(column) for column in USER_READ_COLUMNS))
    .outerjoin(
        _TARGET,
        # a null target_id reads the caller's own row
        and_(
            _TARGET.id == func.coalesce(bindparam("target_id", type_=Integer), CALLER.id),
            _TARGET.deleted_at.is_(None),
        ),
    )
)


async def read_for_caller(core: CoreRunner, *, claims: TokenClaims, user_id: int) -> dict[str, Any]:
    """One user's public columns for the caller of `claims`, in one round trip.

    401 when the caller may not pass, 403 unless they read users or ask for themselves (before
    any 404, so that existence is not told to those who may not read), 404 when it is gone.
    """
    row = await core.fetch_one(
        _READ_USER_FOR_CALLER, caller_params(claims) | {"target_id": user_id}
    )
    row = caller_row(row)
    may_read = has_permissions(row["caller_permissions"] or 0, Permission.READ_USERS)
    if user_id != row["caller_id"] and not may_read:
        raise Forbidden("Requires permission: read_users")
    if row["id"] is None:
        raise NotFound("User not found")
    return {column: row[column] for column in USER_READ_COLUMNS}
