"""mock server

The mock server's tables and flags (issue 15): `apps` gains `mock_public` and `mock_strict`
(false for every existing app: its mock is private and lenient); `mock_keys` holds each app's
keys (SHA-256 of the secret, never the secret); `mock_stamps`, a row for every app (the
existing ones included), the stamp that every change to an app's rows renews (what each
instance's cache of the app's mock is checked against); `mock_log` the requests the mock
answered (the last 100 of each app are kept).

Revision ID: a3c5e7f9b1d2
Revises: 9d1f3b5a7c42
Create Date: 2026-12-01 19:00:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a3c5e7f9b1d2"
down_revision: str | Sequence[str] | None = "9d1f3b5a7c42"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("apps") as batch:
        batch.add_column(sa.Column("mock_public", sa.Boolean(), server_default="0", nullable=False))
        batch.add_column(sa.Column("mock_strict", sa.Boolean(), server_default="0", nullable=False))
    op.create_table(
        "mock_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("app_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=8), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["app_id"], ["apps.id"], name=op.f("fk_mock_keys_app_id_apps")),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_mock_keys_created_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mock_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_mock_keys_key_hash")),
    )
    op.create_index(op.f("ix_mock_keys_app_id"), "mock_keys", ["app_id"], unique=False)
    op.create_table(
        "mock_stamps",
        sa.Column("app_id", sa.Integer(), nullable=False),
        sa.Column("stamp", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["app_id"], ["apps.id"], name=op.f("fk_mock_stamps_app_id_apps")),
        sa.PrimaryKeyConstraint("app_id", name=op.f("pk_mock_stamps")),
    )
    # every app has its stamp row, renewed (an UPDATE) by each change to the app's rows
    op.execute("INSERT INTO mock_stamps (app_id, stamp) SELECT id, 'migrated' FROM apps")
    op.create_table(
        "mock_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("app_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("path", sa.String(length=1000), nullable=False),
        sa.Column("status", sa.SmallInteger(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["app_id"], ["apps.id"], name=op.f("fk_mock_log_app_id_apps")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mock_log")),
    )
    op.create_index("ix_mock_log_app_id_id", "mock_log", ["app_id", "id"], unique=False)


def downgrade() -> None:
    op.drop_table("mock_log")
    op.drop_table("mock_stamps")
    op.drop_table("mock_keys")
    with op.batch_alter_table("apps") as batch:
        batch.drop_column("mock_strict")
        batch.drop_column("mock_public")
