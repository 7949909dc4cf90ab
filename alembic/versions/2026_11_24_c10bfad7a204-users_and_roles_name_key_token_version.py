"""users and roles: name_key, token_version

Users gain `name_key` (the name in NFKC, case folded: names are unique without regard to
case or width) and `token_version`; `name` and `status` become required, `status` defaulting
to 1 (normal); `last_login_ip` widens to 45 characters for IPv6. On MySQL and MariaDB names
compare byte for byte (utf8mb4_bin). Roles' title, default flag and permissions become
required.

Existing rows are filled in first: a NULL status becomes 1, a NULL role title "Role #<id>",
flag false. A user without a name is named "user#<id>". When several users'
names differ only in case or width, the first keeps its name (a user not deleted before a
deleted one, then the oldest) and each other is renamed "<name>#<id>" (so is a name whose
folded form outgrows name_key), each logged as a warning, so that every user can still log
in, the renamed ones with their new name.

Roles' permissions change meaning. The original's numbers (User 0, Developer 22, QA 95,
Administrator 98) are sums of flags that were not powers of two, so they cannot be decoded;
read as this project's bits, 98 would grant unrelated rights. Rows reaching this revision
hold the original's numbers (this project's own roles are seeded by `apidock deploy`, which
needs head), so the four seeded titles get this project's permissions for them, and every
other role gets 0, no rights, until an administrator grants them again (each logged as a
warning). Nobody holds a wrong right between `apidock db upgrade` and `apidock deploy`.

The downgrade keeps the filled-in values and the new names; it gives the four seeded titles
the original's numbers back and every other role 0, since the original cannot read these bits.

Revision ID: c10bfad7a204
Revises: 1145956ca303
Create Date: 2026-11-24 01:53:08.094079+00:00
"""

import logging
import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op
from sqlalchemy.dialects import mysql

revision: str = "c10bfad7a204"
down_revision: str | Sequence[str] | None = "1145956ca303"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

logger = logging.getLogger(f"alembic.versions.{revision}")

NAME_LENGTH = 20
NAME_KEY_LENGTH = 80
OLD_IP_LENGTH = 15
IP_LENGTH = 45
STATUS_NORMAL = 1

# apidock.permissions.SEEDED_ROLES as of this revision, and the original's numbers for them
SEEDED_PERMISSIONS = {"User": 32, "Developer": 97, "QA": 353, "Administrator": 1023}
ORIGINAL_PERMISSIONS = {"User": 0, "Developer": 22, "QA": 95, "Administrator": 98}

roles = sa.table(
    "roles",
    sa.column("id", sa.Integer()),
    sa.column("title", sa.String()),
    sa.column("default", sa.Boolean()),
    sa.column("permissions", sa.Integer()),
)
users = sa.table(
    "users",
    sa.column("id", sa.Integer()),
    sa.column("name", sa.String()),
    sa.column("name_key", sa.String()),
    sa.column("status", sa.Integer()),
    sa.column("last_login_ip", sa.String()),
    sa.column("deleted_at", sa.DateTime()),
)


def name_key(name: str) -> str:
    """apidock.users.service.name_key as of this revision: NFKC, stripped, folded, NFKC."""
    folded = unicodedata.normalize("NFKC", name).strip().casefold()
    return unicodedata.normalize("NFKC", folded)


def _bind() -> sa.Connection:
    if context.is_offline_mode():
        raise RuntimeError(f"revision {revision} rewrites rows: run it on the database")
    return op.get_bind()


def _name_type(length: int) -> sa.types.TypeEngine[str]:
    """A name column: compared byte for byte on MySQL and MariaDB, as the models declare."""
    if _bind().dialect.name == "mysql":
        return mysql.VARCHAR(length, charset="utf8mb4", collation="utf8mb4_bin")
    return sa.String(length)


def upgrade() -> None:
    _fill_roles()
    with op.batch_alter_table("roles") as batch:
        batch.alter_column("title", existing_type=sa.String(80), nullable=False)
        batch.alter_column("default", existing_type=sa.Boolean(), nullable=False)
        batch.alter_column("permissions", existing_type=sa.Integer(), nullable=False)

    op.add_column("users", sa.Column("name_key", _name_type(NAME_KEY_LENGTH), nullable=True))
    op.add_column(
        "users", sa.Column("token_version", sa.Integer(), server_default="0", nullable=False)
    )
    _fill_users()
    with op.batch_alter_table("users") as batch:
        batch.alter_column(
            "name",
            existing_type=sa.String(NAME_LENGTH),
            type_=_name_type(NAME_LENGTH),
            nullable=False,
        )
        batch.alter_column("name_key", existing_type=_name_type(NAME_KEY_LENGTH), nullable=False)
        batch.alter_column("status", existing_type=sa.Integer(), nullable=False, server_default="1")
        batch.alter_column(
            "last_login_ip",
            existing_type=sa.String(OLD_IP_LENGTH),
            type_=sa.String(IP_LENGTH),
            existing_nullable=True,
        )
        batch.create_unique_constraint("uq_users_name_key", ["name_key"])


def downgrade() -> None:
    _set_permissions(ORIGINAL_PERMISSIONS)
    # an IPv6 address does not fit the original's 15 characters; it is forgotten
    _bind().execute(
        users.update()
        .where(sa.func.length(users.c.last_login_ip) > OLD_IP_LENGTH)
        .values(last_login_ip=None)
    )
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint("uq_users_name_key", type_="unique")
        batch.alter_column(
            "last_login_ip",
            existing_type=sa.String(IP_LENGTH),
            type_=sa.String(OLD_IP_LENGTH),
            existing_nullable=True,
        )
        batch.alter_column(
            "status",
            existing_type=sa.Integer(),
            nullable=True,
            server_default=None,
            existing_server_default="1",
        )
        batch.alter_column(
            "name",
            existing_type=_name_type(NAME_LENGTH),
            type_=sa.String(NAME_LENGTH),
            nullable=True,
        )
        batch.drop_column("token_version")
        batch.drop_column("name_key")
    with op.batch_alter_table("roles") as batch:
        batch.alter_column("permissions", existing_type=sa.Integer(), nullable=True)
        batch.alter_column("default", existing_type=sa.Boolean(), nullable=True)
        batch.alter_column("title", existing_type=sa.String(80), nullable=True)


def _fill_roles() -> None:
    bind = _bind()
    bind.execute(roles.update().where(roles.c.default.is_(None)).values(default=False))
    _set_permissions(SEEDED_PERMISSIONS, warn=True)
    rows = bind.execute(sa.select(roles.c.id, roles.c.title)).all()
    # folded: MySQL's and MariaDB's usual collations compare titles without regard to case
    taken = {title.casefold() for _, title in rows if title is not None}
    for role_id, title in rows:
        if title is None:
            title = f"Role #{role_id}"
            while title.casefold() in taken:
                title += "#"
            taken.add(title.casefold())
            bind.execute(roles.update().where(roles.c.id == role_id).values(title=title))


def _set_permissions(by_title: dict[str, int], *, warn: bool = False) -> None:
    """The seeded titles' permissions from `by_title`, every other role's 0.

    Titles are compared in Python: MySQL's and MariaDB's collations would take "user" for
    "User".
    """
    bind = _bind()
    values = []
    for role_id, title, permissions in bind.execute(
        sa.select(roles.c.id, roles.c.title, roles.c.permissions)
    ):
        wanted = by_title.get(title, 0) if title is not None else 0
        if warn and title not in by_title and permissions:
            logger.warning(
                "role %s (%r): the original's permission number %s means nothing here; "
                "now no permissions, grant them again",
                role_id,
                title,
                permissions,
            )
        if permissions != wanted:
            values.append({"role_id": role_id, "new_permissions": wanted})
    if values:
        bind.execute(
            roles.update()
            .where(roles.c.id == sa.bindparam("role_id"))
            .values(permissions=sa.bindparam("new_permissions")),
            values,
        )


def _fill_users() -> None:
    bind = _bind()
    bind.execute(users.update().where(users.c.status.is_(None)).values(status=STATUS_NORMAL))
    rows = list(bind.execute(sa.select(users.c.id, users.c.name, users.c.deleted_at)))
    # who keeps a contested name: users not deleted first, then the oldest
    rows.sort(key=lambda row: (row.name is None, row.deleted_at is not None, row.id))
    names = {row.name for row in rows if row.name is not None}
    # a made-up name never takes the key of a name that exists
    keys = {name_key(name) for name in names}
    kept: set[str] = set()
    values = []
    for row in rows:
        name = row.name
        key = None if name is None else name_key(name)
        if key is None or key in kept or len(key) > NAME_KEY_LENGTH:
            name = _made_up_name(row.id, row.name, names, keys)
            names.add(name)
            keys.add(name_key(name))
            logger.warning("user %s: %s; now named %r", row.id, _why(row.name, kept), name)
            key = name_key(name)
        kept.add(key)
        values.append({"user_id": row.id, "new_name": name, "new_key": key})
    if values:
        bind.execute(
            users.update()
            .where(users.c.id == sa.bindparam("user_id"))
            .values(name=sa.bindparam("new_name"), name_key=sa.bindparam("new_key")),
            values,
        )


def _why(name: str | None, kept: set[str]) -> str:
    if name is None:
        return "no name"
    if name_key(name) in kept:
        return f"{name!r} was taken by another user's name without regard to case or width"
    return f"{name!r} grows past {NAME_KEY_LENGTH} characters when case folded"


def _made_up_name(user_id: int, name: str | None, names: set[str], keys: set[str]) -> str:
    """A free name for `user_id`: its own, or "user", followed by "#<id>"."""
    base = name if name is not None and len(name_key(name)) <= NAME_KEY_LENGTH else "user"
    suffix = f"#{user_id}"
    while True:
        candidate = base[: NAME_LENGTH - len(suffix)] + suffix
        if candidate not in names and name_key(candidate) not in keys:
            return candidate
        suffix = "#" + suffix
