"""original api-dock schema

The tables exactly as the Flask project's models created them (Flask-SQLAlchemy 2.3 on
SQLAlchemy 1.2), so that an existing api-dock database can be stamped at this revision and
upgraded. That project had no naming convention: apart from its two indexes, the database
named every constraint itself (on PostgreSQL `roles_title_key`, `users_role_id_fkey`; on
MySQL and MariaDB the unique index `title`, the foreign key `users_ibfk_1` and its index
`role_id`; on SQLite nothing). SQLAlchemy 1.2 also put a CHECK (x IN (0, 1)) on every boolean
column where the database has no boolean type (MySQL, MariaDB, SQLite).

The tables are therefore built on a MetaData of their own, without the project's naming
convention, which `op.create_table` would apply.

Revision ID: 4d016e2e0015
Revises:
Create Date: 2026-11-24 01:53:04.413797+00:00
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "4d016e2e0015"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _boolean() -> sa.Boolean:
    return sa.Boolean(create_constraint=True)


def _timestamps() -> list[sa.Column[Any]]:
    return [
        sa.Column("created_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
    ]


def original_tables() -> list[sa.Table]:
    """The original's tables, parents first (`apidock db adopt` compares a database with them)."""
    metadata = sa.MetaData()
    roles = sa.Table(
        "roles",
        metadata,
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("title", sa.String(80), nullable=True),
        sa.Column("default", _boolean(), nullable=True),
        sa.Column("permissions", sa.Integer(), nullable=True),
        sa.UniqueConstraint("title"),
        sa.Index("ix_roles_default", "default"),
    )
    users = sa.Table(
        "users",
        metadata,
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(20), nullable=True),
        sa.Column("password_hash", sa.String(256), nullable=False),
        sa.Column("role_id", sa.Integer(), sa.ForeignKey("roles.id"), nullable=True),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("last_login_at", sa.DateTime(), nullable=True),
        sa.Column("last_login_ip", sa.String(15), nullable=True),
        *_timestamps(),
        sa.Index("ix_users_name", "name", unique=True),
    )
    revoked_token = sa.Table(
        "revoked_token",
        metadata,
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("jti", sa.String(256), nullable=True),
    )
    apps = sa.Table(
        "apps",
        metadata,
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("title", sa.String(80), nullable=False),
        sa.Column("slug", sa.String(80), nullable=False),
        sa.Column("version", sa.String(80), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("type", sa.SmallInteger(), nullable=True),
        sa.Column("auth_type", sa.SmallInteger(), nullable=True),
        *_timestamps(),
        sa.UniqueConstraint("slug"),
        sa.UniqueConstraint("title"),
    )
    api_groups = sa.Table(
        "api_groups",
        metadata,
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("app_id", sa.Integer(), sa.ForeignKey("apps.id"), nullable=True),
        sa.Column("title", sa.String(80), nullable=False),
        *_timestamps(),
    )
    apis = sa.Table(
        "apis",
        metadata,
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("app_id", sa.Integer(), sa.ForeignKey("apps.id"), nullable=True),
        sa.Column("group_id", sa.Integer(), sa.ForeignKey("api_groups.id"), nullable=True),
        sa.Column("title", sa.String(80), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("request_url", sa.String(256), nullable=False),
        sa.Column("request_method", sa.String(10), nullable=False),
        sa.Column("request_header", sa.Text(), nullable=True),
        sa.Column("need_auth", _boolean(), nullable=True),
        sa.Column("status", sa.SmallInteger(), nullable=True),
        *_timestamps(),
    )
    api_responses = sa.Table(
        "api_responses",
        metadata,
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("api_id", sa.Integer(), sa.ForeignKey("apis.id"), nullable=True),
        sa.Column("field", sa.String(100), nullable=False),
        sa.Column("description", sa.String(256), nullable=True),
        sa.Column("nullable", _boolean(), nullable=True),
        sa.Column("data_type", sa.String(20), nullable=False),
        *_timestamps(),
    )
    api_examples = sa.Table(
        "api_examples",
        metadata,
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("api_id", sa.Integer(), sa.ForeignKey("apis.id"), nullable=True),
        sa.Column("title", sa.String(80), nullable=False),
        sa.Column("body", sa.Text(), nullable=True),
        *_timestamps(),
    )
    logs = sa.Table(
        "logs",
        metadata,
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("action", sa.String(256), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=True),
    )
    return [
        roles,
        revoked_token,
        apps,
        users,
        api_groups,
        apis,
        api_responses,
        api_examples,
        logs,
    ]


def upgrade() -> None:
    for table in original_tables():
        # the table's own DDL (CREATE TABLE, then its indexes), names left to the database
        op.get_context().impl.create_table(table)


def downgrade() -> None:
    for table in reversed(original_tables()):
        op.drop_table(table.name)
