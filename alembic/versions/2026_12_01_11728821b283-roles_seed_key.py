"""roles seed key

Roles gain `seed_key` (unique, NULL for all but the four seeded roles): what `apidock deploy`
knows a seeded role by from now on, instead of its title, so that renaming a seeded role keeps
it seeded, and a role made under a seeded title never gains its rights. Only deploy and
migrations write it; the API cannot.

A role is taken for a seeded one when, at upgrade time, it has a seeded title exactly as
written ("User", "Developer", "QA", "Administrator"; compared in Python, since MySQL's and
MariaDB's collations would take "user" for "User") and that role's permissions. Until this
revision deploy itself knew them by title and gave them those permissions at every run, so
after the last deploy each holds them; a role that holds other permissions was made or
changed through the API since (perhaps after the seeded one was renamed), and is not trusted
with the key: the next deploy creates the seeded role beside it, under "<title> (seeded)",
and gives no role rights it does not already hold. Each key given and each title passed over
is logged. The root administrator's role always keeps its permissions, so an Administrator
role it holds is recognised.

The downgrade drops the column: the keys are forgotten, and an upgrade again recognises the
seeded roles by their titles and permissions.

Revision ID: 11728821b283
Revises: 2ecafeb6377a
Create Date: 2026-12-01 09:37:27.090119+00:00
"""

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op

revision: str = "11728821b283"
down_revision: str | Sequence[str] | None = "2ecafeb6377a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

logger = logging.getLogger(f"alembic.versions.{revision}")

SEED_KEY_LENGTH = 32
# apidock.permissions.SEEDS as of this revision: title: (key, permissions)
SEEDS = {
    "User": ("user", 32),
    "Developer": ("developer", 97),
    "QA": ("qa", 353),
    "Administrator": ("administrator", 1023),
}

roles = sa.table(
    "roles",
    sa.column("id", sa.Integer()),
    sa.column("title", sa.String()),
    sa.column("permissions", sa.Integer()),
    sa.column("seed_key", sa.String()),
)


def _bind() -> sa.Connection:
    if context.is_offline_mode():
        raise RuntimeError(f"revision {revision} rewrites rows: run it on the database")
    return op.get_bind()


def upgrade() -> None:
    op.add_column("roles", sa.Column("seed_key", sa.String(SEED_KEY_LENGTH), nullable=True))
    _key_seeded_roles()
    with op.batch_alter_table("roles") as batch:
        batch.create_unique_constraint("uq_roles_seed_key", ["seed_key"])


def downgrade() -> None:
    with op.batch_alter_table("roles") as batch:
        batch.drop_constraint("uq_roles_seed_key", type_="unique")
        batch.drop_column("seed_key")


def _key_seeded_roles() -> None:
    bind = _bind()
    rows = bind.execute(sa.select(roles.c.id, roles.c.title, roles.c.permissions)).all()
    by_title = {title: (role_id, permissions) for role_id, title, permissions in rows}
    for title, (key, seeded_permissions) in SEEDS.items():
        if title not in by_title:
            logger.warning("no role is titled %r: `apidock deploy` will create it", title)
            continue
        role_id, permissions = by_title[title]
        if permissions != seeded_permissions:
            logger.warning(
                "role %s (%r) holds permissions %s, not the seeded role's %s: not taken for "
                "it; `apidock deploy` will create the seeded role beside it",
                role_id,
                title,
                permissions,
                seeded_permissions,
            )
            continue
        bind.execute(roles.update().where(roles.c.id == role_id).values(seed_key=key))
        logger.info("role %s (%r) is the seeded role %r", role_id, title, key)
