"""revisions and releases

Issue 17's tables: `revision_heads` (an app's latest revision number, the row whose lock
orders two writers of one app), `revisions` (each change of an app's description: its
number, author, time, summary, hash, and a compressed snapshot or patch) and `releases` (a
version named on one revision); both name their app through its head row (see
`apidock.revisions.models`: a foreign key to `apps` there would deadlock writers).

Every existing app gets its head row, at 0: no revision is written here. An app's document is
made by the application's code (the export's), which a migration must not depend on, since it
changes after the migration is written; so the history of an app made before this revision
starts with its first change after it (revision 1, a snapshot), or, if it is released before
any change, with the release, which records the description as it stands as revision 1.

Revision ID: b32848c6d372
Revises: c7e2a4f6b8d0
Create Date: 2026-12-02 10:00:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision: str = "b32848c6d372"
down_revision: str | Sequence[str] | None = "c7e2a4f6b8d0"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _content() -> sa.types.TypeEngine[bytes]:
    """A compressed document: megabytes on MariaDB too (a BLOB there holds 64 KiB)."""
    return sa.LargeBinary().with_variant(mysql.LONGBLOB(), "mysql", "mariadb")


def upgrade() -> None:
    op.create_table(
        "revision_heads",
        sa.Column("app_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["app_id"], ["apps.id"], name=op.f("fk_revision_heads_app_id_apps")
        ),
        sa.PrimaryKeyConstraint("app_id", name=op.f("pk_revision_heads")),
    )
    # every app has its head row, UPDATEd by each revision (see apidock.revisions.recording)
    op.execute("INSERT INTO revision_heads (app_id, number) SELECT id, 0 FROM apps")
    op.create_table(
        "revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("app_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("summary", sa.String(length=200), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("snapshot", _content(), nullable=True),
        sa.Column("patch", _content(), nullable=True),
        sa.ForeignKeyConstraint(
            ["app_id"],
            ["revision_heads.app_id"],
            name=op.f("fk_revisions_app_id_revision_heads"),
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_revisions_author_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_revisions")),
        sa.UniqueConstraint("app_id", "number", name="uq_revisions_app_id_number"),
    )
    op.create_table(
        "releases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("app_id", sa.Integer(), nullable=False),
        sa.Column(
            "version",
            sa.String(length=100).with_variant(
                sa.String(length=100, collation="utf8mb4_bin"), "mysql", "mariadb"
            ),
            nullable=False,
        ),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("revision_number", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["app_id"],
            ["revision_heads.app_id"],
            name=op.f("fk_releases_app_id_revision_heads"),
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_releases_author_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_releases")),
        sa.UniqueConstraint("app_id", "version", name="uq_releases_app_id_version"),
    )


def downgrade() -> None:
    op.drop_table("releases")
    op.drop_table("revisions")
    op.drop_table("revision_heads")
