"""openapi description parts

An app gains the app-level parts of an OpenAPI 3.1 description (`info`, `servers`,
`security`, `tags`, `external_docs`, `webhooks`, `components`, `json_schema_dialect`, its
top-level `x-` keys as `extensions`, and its Path Items without their operations as `paths`);
an API gains `operation`, the whole Operation Object; an audit row gains `detail`, what the
action changed or counted (an import's counts). Every new column is nullable: the apps,
groups, APIs, fields and examples already stored keep their ids and rows unchanged, and are
exported from their rows as before.

Revision ID: 8b7e4c2d9a10
Revises: 5c3e9a1f7d20
Create Date: 2026-12-01 15:40:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "8b7e4c2d9a10"
down_revision: str | Sequence[str] | None = "5c3e9a1f7d20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APP_JSON_COLUMNS = (
    "info",
    "servers",
    "security",
    "tags",
    "external_docs",
    "webhooks",
    "components",
    "extensions",
    "paths",
)


def upgrade() -> None:
    with op.batch_alter_table("apps") as batch:
        for name in APP_JSON_COLUMNS:
            batch.add_column(sa.Column(name, sa.JSON(), nullable=True))
        batch.add_column(sa.Column("json_schema_dialect", sa.Text(), nullable=True))
    with op.batch_alter_table("apis") as batch:
        batch.add_column(sa.Column("operation", sa.JSON(), nullable=True))
    with op.batch_alter_table("logs") as batch:
        batch.add_column(sa.Column("detail", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("logs") as batch:
        batch.drop_column("detail")
    with op.batch_alter_table("apis") as batch:
        batch.drop_column("operation")
    with op.batch_alter_table("apps") as batch:
        batch.drop_column("json_schema_dialect")
        for name in reversed(APP_JSON_COLUMNS):
            batch.drop_column(name)
