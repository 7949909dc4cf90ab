"""token expiry, refresh tokens, audit logs

`revoked_token` records each revoked token's type and expiry, so expired rows can be purged,
and holds a jti once (64 characters, unique). Refresh tokens get a table (stored as hashes,
in families). `logs` gains the audit's target type and id and the client's IP address.

The original recorded neither type nor expiry; its rows are kept as access tokens expiring
30 days after this upgrade, by when any token they name has expired (the original's refresh
tokens lived 30 days, this application revokes only access tokens, of at most 7 days, in
this table). Rows without a jti, with one longer than 64 characters (neither application
makes such tokens) or repeating one are dropped.

Revision ID: 2ecafeb6377a
Revises: c10bfad7a204
Create Date: 2026-11-24 01:53:09.802288+00:00
"""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import context, op

revision: str = "2ecafeb6377a"
down_revision: str | Sequence[str] | None = "c10bfad7a204"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JTI_LENGTH = 64
OLD_JTI_LENGTH = 256
KEPT_REVOCATION = timedelta(days=30)
ACCESS = "access"

revoked_token = sa.table(
    "revoked_token",
    sa.column("id", sa.Integer()),
    sa.column("jti", sa.String()),
    sa.column("token_type", sa.String()),
    sa.column("expires_at", sa.DateTime()),
)


def _bind() -> sa.Connection:
    if context.is_offline_mode():
        raise RuntimeError(f"revision {revision} rewrites rows: run it on the database")
    return op.get_bind()


def upgrade() -> None:
    _drop_unusable_revocations()
    op.add_column("revoked_token", sa.Column("token_type", sa.String(10), nullable=True))
    op.add_column("revoked_token", sa.Column("expires_at", sa.DateTime(), nullable=True))
    expires_at = datetime.now(UTC).replace(tzinfo=None) + KEPT_REVOCATION
    _bind().execute(revoked_token.update().values(token_type=ACCESS, expires_at=expires_at))
    with op.batch_alter_table("revoked_token") as batch:
        batch.alter_column(
            "jti",
            existing_type=sa.String(OLD_JTI_LENGTH),
            type_=sa.String(JTI_LENGTH),
            nullable=False,
        )
        batch.alter_column("token_type", existing_type=sa.String(10), nullable=False)
        batch.alter_column("expires_at", existing_type=sa.DateTime(), nullable=False)
        batch.create_unique_constraint("uq_revoked_token_jti", ["jti"])
        batch.create_index("ix_revoked_token_expires_at", ["expires_at"])

    op.create_table(
        "refresh_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.String(32), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("rotated_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refresh_tokens")),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_refresh_tokens_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("token_hash", name=op.f("uq_refresh_tokens_token_hash")),
    )
    op.create_index(op.f("ix_refresh_tokens_user_id"), "refresh_tokens", ["user_id"])
    op.create_index(op.f("ix_refresh_tokens_family_id"), "refresh_tokens", ["family_id"])
    op.create_index(op.f("ix_refresh_tokens_expires_at"), "refresh_tokens", ["expires_at"])

    op.add_column("logs", sa.Column("target_type", sa.String(32), nullable=True))
    op.add_column("logs", sa.Column("target_id", sa.Integer(), nullable=True))
    op.add_column("logs", sa.Column("ip", sa.String(45), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("logs") as batch:
        batch.drop_column("ip")
        batch.drop_column("target_id")
        batch.drop_column("target_type")

    op.drop_table("refresh_tokens")

    with op.batch_alter_table("revoked_token") as batch:
        batch.drop_index("ix_revoked_token_expires_at")
        batch.drop_constraint("uq_revoked_token_jti", type_="unique")
        batch.alter_column(
            "jti",
            existing_type=sa.String(JTI_LENGTH),
            type_=sa.String(OLD_JTI_LENGTH),
            nullable=True,
        )
        batch.drop_column("expires_at")
        batch.drop_column("token_type")


def _drop_unusable_revocations() -> None:
    """Delete the rows whose jti is missing, too long for the new column, or seen before."""
    bind = _bind()
    rows = bind.execute(
        sa.select(revoked_token.c.id, revoked_token.c.jti).order_by(revoked_token.c.id)
    ).all()
    seen: set[str] = set()
    unusable: list[int] = []
    for row_id, jti in rows:
        # folded: MySQL's usual collations would find "A" and "a" the same in a unique index
        if jti is None or len(jti) > JTI_LENGTH or jti.casefold() in seen:
            unusable.append(row_id)
        else:
            seen.add(jti.casefold())
    for start in range(0, len(unusable), 500):
        chunk = unusable[start : start + 500]
        bind.execute(revoked_token.delete().where(revoked_token.c.id.in_(chunk)))
