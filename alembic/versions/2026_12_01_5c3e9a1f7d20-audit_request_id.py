"""audit request id

`logs` gains `request_id`: the id of the request that wrote the row (its `X-Request-ID`, or
one the server made up), so that the rows one request wrote can be found together and matched
with the server's own log lines. Rows written before this revision, and rows the command line
writes, have none.

Revision ID: 5c3e9a1f7d20
Revises: 11728821b283
Create Date: 2026-12-01 12:40:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5c3e9a1f7d20"
down_revision: str | Sequence[str] | None = "11728821b283"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REQUEST_ID_LENGTH = 64


def upgrade() -> None:
    with op.batch_alter_table("logs") as batch:
        batch.add_column(sa.Column("request_id", sa.String(REQUEST_ID_LENGTH), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("logs") as batch:
        batch.drop_column("request_id")
