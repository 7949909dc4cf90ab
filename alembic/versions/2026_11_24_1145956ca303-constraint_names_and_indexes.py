"""constraint names and indexes

The original's constraints, named by each database in its own way, get the names of the
project's naming convention (`pk_roles`, `uq_apps_slug`, `fk_users_role_id_roles`), so that
later migrations can name them on every database. The foreign key columns, `api_groups.pid`
and `logs.created_at` get indexes. The CHECK (x IN (0, 1)) that SQLAlchemy 1.2 put on boolean
columns goes: the models declare none.

The original names are read from the database rather than assumed, so a database made by
the original application itself upgrades as well as one made by revision 1. The downgrade
gives the constraints back to the database to name, as the original did.

Revision ID: 1145956ca303
Revises: 4d016e2e0015
Create Date: 2026-11-24 01:53:06.307948+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op
from sqlalchemy.schema import ColumnCollectionConstraint

revision: str = "1145956ca303"
down_revision: str | Sequence[str] | None = "4d016e2e0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (
    "roles",
    "users",
    "revoked_token",
    "apps",
    "api_groups",
    "apis",
    "api_responses",
    "api_examples",
    "logs",
)
# (table, column): the original's unique constraints
UNIQUES = (("roles", "title"), ("apps", "slug"), ("apps", "title"))
# (table, column, referred table): the original's foreign keys, in the order it declared them
FOREIGN_KEYS = (
    ("users", "role_id", "roles"),
    ("api_groups", "app_id", "apps"),
    ("apis", "app_id", "apps"),
    ("apis", "group_id", "api_groups"),
    ("api_responses", "api_id", "apis"),
    ("api_examples", "api_id", "apis"),
    ("logs", "user_id", "users"),
)
# (table, column): boolean columns, which had a CHECK where the database has no boolean type
BOOLEANS = (("roles", "default"), ("apis", "need_auth"), ("api_responses", "nullable"))
# (table, column): indexes added here besides those on the foreign key columns
INDEXES = (("api_groups", "pid"), ("logs", "created_at"))


def _index_name(table: str, column: str) -> str:
    return f"ix_{table}_{column}"


def _new_indexes(table: str) -> list[str]:
    columns = [column for t, column, _ in FOREIGN_KEYS if t == table]
    columns += [column for t, column in INDEXES if t == table]
    return columns


def _bind() -> sa.Connection:
    if context.is_offline_mode():
        raise RuntimeError(f"revision {revision} reads the schema: run it on the database")
    return op.get_bind()


def _quote(name: str) -> str:
    return _bind().dialect.identifier_preparer.quote(name)


def _plain_table(name: str, *columns: str) -> sa.Table:
    """A table on a MetaData without naming convention: its constraints stay unnamed."""
    return sa.Table(name, sa.MetaData(), *(sa.Column(column, sa.Integer()) for column in columns))


def _unnamed_unique(table: str, column: str) -> sa.UniqueConstraint:
    constraint = sa.UniqueConstraint(column)
    _plain_table(table, column).append_constraint(constraint)
    return constraint


def _unnamed_foreign_key(table: str, column: str, referred: str) -> sa.ForeignKeyConstraint:
    child = _plain_table(table, column)
    sa.Table(referred, child.metadata, sa.Column("id", sa.Integer(), primary_key=True))
    constraint = sa.ForeignKeyConstraint([column], [f"{referred}.id"])
    child.append_constraint(constraint)
    return constraint


def _boolean_check(column: str) -> sa.CheckConstraint:
    """The CHECK SQLAlchemy 1.2 gave a boolean column, unnamed."""
    return sa.CheckConstraint(f"{_quote(column)} IN (0, 1)")


def _is_boolean_check(sqltext: str, column: str) -> bool:
    """Whether `sqltext` is `column IN (0, 1)`, however the database spells it back."""
    squeezed = "".join(char for char in sqltext.lower() if char not in "`\"'() \t\n")
    return squeezed == f"{column.lower()}in0,1"


def upgrade() -> None:
    if _bind().dialect.name == "sqlite":
        for table in TABLES:
            _rebuild_sqlite(table, named=True)
        return
    _name_primary_keys()
    _name_uniques()
    _drop_boolean_checks()
    _name_and_index_foreign_keys()
    for table, column in INDEXES:
        op.create_index(_index_name(table, column), table, [column])


def downgrade() -> None:
    if _bind().dialect.name == "sqlite":
        for table in TABLES:
            _rebuild_sqlite(table, named=False)
        return
    for table, column in INDEXES:
        op.drop_index(_index_name(table, column), table_name=table)
    _unname_foreign_keys()
    _restore_boolean_checks()
    _unname_uniques()
    _unname_primary_keys()


def _rebuild_sqlite(table: str, *, named: bool) -> None:
    """SQLite: rebuild the table, its constraints named by the convention or left unnamed.

    Unnamed, with the boolean CHECKs and without this revision's indexes, is how revision 1
    created it.
    """
    shape = sa.Table(table, sa.MetaData(), autoload_with=_bind())
    booleans = [column for t, column in BOOLEANS if t == table]
    for constraint in list(shape.constraints):
        if isinstance(constraint, sa.CheckConstraint):
            if any(_is_boolean_check(str(constraint.sqltext), column) for column in booleans):
                shape.constraints.discard(constraint)
        elif isinstance(constraint, ColumnCollectionConstraint):  # primary, unique, foreign
            constraint.name = _convention_name(table, constraint) if named else None
    added = [_index_name(table, column) for column in _new_indexes(table)]
    if named:
        for column in _new_indexes(table):
            sa.Index(_index_name(table, column), shape.c[column])
    else:
        for index in [index for index in shape.indexes if index.name in added]:
            shape.indexes.discard(index)
        for column in booleans:
            shape.append_constraint(_boolean_check(column))
    with op.batch_alter_table(table, recreate="always", copy_from=shape):
        pass


def _convention_name(table: str, constraint: ColumnCollectionConstraint) -> str:
    """The name apidock.db.NAMING_CONVENTION gives `constraint` (as of this revision)."""
    if isinstance(constraint, sa.PrimaryKeyConstraint):
        return f"pk_{table}"
    column = next(iter(constraint.columns)).name
    if isinstance(constraint, sa.ForeignKeyConstraint):
        return f"fk_{table}_{column}_{constraint.referred_table.name}"
    return f"uq_{table}_{column}"


def _name_primary_keys() -> None:
    """PostgreSQL: `roles_pkey` becomes `pk_roles` (MySQL calls every one PRIMARY)."""
    if _bind().dialect.name != "postgresql":
        return
    inspector = sa.inspect(_bind())
    for table in TABLES:
        current = inspector.get_pk_constraint(table)["name"]
        if current and current != f"pk_{table}":
            op.execute(
                f"ALTER TABLE {_quote(table)} RENAME CONSTRAINT {_quote(current)} "
                f"TO {_quote(f'pk_{table}')}"
            )


def _unname_primary_keys() -> None:
    if _bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(
            f"ALTER TABLE {_quote(table)} RENAME CONSTRAINT {_quote(f'pk_{table}')} "
            f"TO {_quote(f'{table}_pkey')}"
        )


def _name_uniques() -> None:
    inspector = sa.inspect(_bind())
    for table, column in UNIQUES:
        for unique in inspector.get_unique_constraints(table):
            if unique["column_names"] == [column] and unique["name"]:
                op.drop_constraint(op.f(unique["name"]), table, type_="unique")
        op.create_unique_constraint(f"uq_{table}_{column}", table, [column])


def _unname_uniques() -> None:
    for table, column in UNIQUES:
        op.drop_constraint(f"uq_{table}_{column}", table, type_="unique")
        op.execute(sa.schema.AddConstraint(_unnamed_unique(table, column)))


def _drop_boolean_checks() -> None:
    """MySQL, MariaDB: drop the CHECK the original put on each boolean column."""
    if _bind().dialect.name != "mysql":
        return
    inspector = sa.inspect(_bind())
    for table, column in BOOLEANS:
        for check in inspector.get_check_constraints(table):
            if check["name"] and _is_boolean_check(check["sqltext"], column):
                # op.f: the name as it is, not run through the convention's "ck_…" pattern
                op.drop_constraint(op.f(check["name"]), table, type_="check")


def _restore_boolean_checks() -> None:
    if _bind().dialect.name != "mysql":
        return
    for table, column in BOOLEANS:
        check = _boolean_check(column)
        _plain_table(table, column).append_constraint(check)
        op.execute(sa.schema.AddConstraint(check))


def _name_and_index_foreign_keys() -> None:
    """Drop the unnamed foreign keys, index their columns, then add them back named.

    MySQL made an index for each foreign key, named after its column (`role_id`); the new
    index takes over its job, and MySQL drops it itself when it can. Any left is dropped.
    """
    inspector = sa.inspect(_bind())
    tables = list(dict.fromkeys(table for table, _, _ in FOREIGN_KEYS))
    for table in tables:
        keys = [(column, referred) for t, column, referred in FOREIGN_KEYS if t == table]
        for foreign_key in inspector.get_foreign_keys(table):
            wanted = (foreign_key["constrained_columns"], foreign_key["referred_table"])
            if foreign_key["name"] and wanted in [([c], r) for c, r in keys]:
                op.drop_constraint(op.f(foreign_key["name"]), table, type_="foreignkey")
        for column, referred in keys:
            op.create_index(_index_name(table, column), table, [column])
            op.create_foreign_key(
                f"fk_{table}_{column}_{referred}", table, referred, [column], ["id"]
            )
    if _bind().dialect.name == "mysql":
        inspector = sa.inspect(_bind())
        for table, column, _ in FOREIGN_KEYS:
            for index in inspector.get_indexes(table):
                if index["name"] == column and index["column_names"] == [column]:
                    op.drop_index(column, table_name=table)


def _unname_foreign_keys() -> None:
    """Back to unnamed foreign keys; MySQL then indexes each column under its own name."""
    tables = list(dict.fromkeys(table for table, _, _ in FOREIGN_KEYS))
    for table in tables:
        keys = [(column, referred) for t, column, referred in FOREIGN_KEYS if t == table]
        for column, referred in keys:
            op.drop_constraint(f"fk_{table}_{column}_{referred}", table, type_="foreignkey")
        for column, _ in keys:
            op.drop_index(_index_name(table, column), table_name=table)
        for column, referred in keys:
            op.execute(sa.schema.AddConstraint(_unnamed_foreign_key(table, column, referred)))
