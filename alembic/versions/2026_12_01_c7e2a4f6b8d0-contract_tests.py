"""contract tests

Issue 16's tables: `environments` (an app's base URL, variables, its secrets as one AES-GCM
token with their names beside it, and the `allow_hosts` an administrator sets), `cases` (an
API's request and expectations), `runs` and `run_results` (what a run was asked, its state and
counts, and each case's request, answer excerpt and failures). All new: no existing row moves.

Revision ID: c7e2a4f6b8d0
Revises: a3c5e7f9b1d2
Create Date: 2026-12-01 19:30:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision: str = "c7e2a4f6b8d0"
down_revision: str | Sequence[str] | None = "a3c5e7f9b1d2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _name(length: int) -> sa.types.TypeEngine[str]:
    """A name compared byte for byte, on MariaDB too (`db.base.case_sensitive_string`)."""
    return sa.String(length).with_variant(
        sa.String(length, collation="utf8mb4_bin"), "mysql", "mariadb"
    )


def _timestamps() -> list[sa.Column[object]]:
    return [
        sa.Column("created_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        "environments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("app_id", sa.Integer(), nullable=False),
        sa.Column("name", _name(80), nullable=False),
        sa.Column("base_url", sa.String(length=2000), nullable=False),
        sa.Column("variables", sa.JSON(), nullable=False),
        sa.Column(
            "secrets_token",
            sa.Text().with_variant(mysql.MEDIUMTEXT(), "mysql", "mariadb"),
            nullable=True,
        ),
        sa.Column("secret_names", sa.JSON(), nullable=False),
        sa.Column("allow_hosts", sa.JSON(), nullable=False),
        *_timestamps(),
        sa.ForeignKeyConstraint(["app_id"], ["apps.id"], name=op.f("fk_environments_app_id_apps")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_environments")),
    )
    op.create_index(op.f("ix_environments_app_id"), "environments", ["app_id"], unique=False)
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("api_id", sa.Integer(), nullable=False),
        sa.Column("name", _name(200), nullable=False),
        sa.Column("request", sa.JSON(), nullable=False),
        sa.Column("expect", sa.JSON(), nullable=False),
        sa.Column("contract", sa.Boolean(), nullable=False),
        sa.Column("follow_redirects", sa.Boolean(), nullable=False),
        *_timestamps(),
        sa.ForeignKeyConstraint(["api_id"], ["apis.id"], name=op.f("fk_cases_api_id_apis")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
    )
    op.create_index(op.f("ix_cases_api_id"), "cases", ["api_id"], unique=False)
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("app_id", sa.Integer(), nullable=False),
        sa.Column("environment_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("strict", sa.Boolean(), nullable=False),
        sa.Column("case_ids", sa.JSON(), nullable=True),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("passed", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("executed_by", sa.String(length=100), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["app_id"], ["apps.id"], name=op.f("fk_runs_app_id_apps")),
        sa.ForeignKeyConstraint(
            ["environment_id"],
            ["environments.id"],
            name=op.f("fk_runs_environment_id_environments"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_runs_created_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_runs")),
    )
    op.create_index("ix_runs_app_id_id", "runs", ["app_id", "id"], unique=False)
    op.create_index(op.f("ix_runs_status"), "runs", ["status"], unique=False)
    op.create_table(
        "run_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("api_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("request", sa.JSON(), nullable=False),
        sa.Column("response", sa.JSON(), nullable=True),
        sa.Column("duration_ms", sa.Float(), nullable=False),
        sa.Column("failures", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name=op.f("fk_run_results_run_id_runs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_run_results")),
    )
    op.create_index(
        "ix_run_results_run_id_position", "run_results", ["run_id", "position"], unique=False
    )


def downgrade() -> None:
    op.drop_table("run_results")
    op.drop_table("runs")
    op.drop_table("cases")
    op.drop_table("environments")
