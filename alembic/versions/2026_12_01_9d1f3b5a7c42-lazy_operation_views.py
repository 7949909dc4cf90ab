"""lazy operation views

`apis` gains `views_stale`: true while an API's rows in `api_responses` and `api_examples` are
not yet the view of its operation. An import sets it instead of building the rows (read
through every `$ref`, a 1 MB document's views were 166,000 rows); the first read or write of
the API's fields or examples builds them (`apis.views_lazy`). Indexed: a list across every
API finds the stale ones in id order. Every live described API is marked stale here: those an
import left unbuilt before this revision show their fields at their first read, and the
others keep the ids of their rows (a rebuild keeps a row while its path or title stays).

Revision ID: 9d1f3b5a7c42
Revises: 8b7e4c2d9a10
Create Date: 2026-12-01 18:30:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9d1f3b5a7c42"
down_revision: str | Sequence[str] | None = "8b7e4c2d9a10"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

apis = sa.table(
    "apis",
    sa.column("operation", sa.JSON()),
    sa.column("deleted_at", sa.DateTime()),
    sa.column("views_stale", sa.Boolean()),
)


def upgrade() -> None:
    with op.batch_alter_table("apis") as batch:
        batch.add_column(sa.Column("views_stale", sa.Boolean(), server_default="0", nullable=False))
        batch.create_index(op.f("ix_apis_views_stale"), ["views_stale"], unique=False)
    op.execute(
        apis.update()
        .where(apis.c.operation.is_not(None), apis.c.deleted_at.is_(None))
        .values(views_stale=True)
    )


def downgrade() -> None:
    with op.batch_alter_table("apis") as batch:
        batch.drop_index(op.f("ix_apis_views_stale"))
        batch.drop_column("views_stale")
