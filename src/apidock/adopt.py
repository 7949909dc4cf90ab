"""`apidock db adopt`: take over a database made by the Flask api-dock.

Such a database was made by the original's models through Flask-Migrate, so its
`alembic_version` holds a revision id this project does not know (`04624b474682`), or none.
It is recognised by its shape instead: exactly the original's tables and columns, with their
types and nullability, as this project's first revision creates them. The names each database
gave the original's constraints, the CHECKs SQLAlchemy 1.2 put on boolean columns, indexes and
the foreign revision id are not compared: revision 2 reads them from the database.

A database that matches is stamped with the first revision (the foreign id forgotten), in the
transaction that inspected it; `apidock db upgrade` then takes it to head. A database already
at one of this project's revisions is left alone. Anything else is refused with the list of
differences, and nothing is changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy.dialects import mysql
from sqlalchemy.engine.interfaces import ReflectedColumn
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.types import TypeEngine

from apidock import migrations

VERSION_TABLE = "alembic_version"


class AdoptRefused(migrations.MigrationError):
    """The database is not one `adopt` may take over; the message lists why."""


@dataclass(frozen=True)
class AdoptReport:
    """What `adopt` found: the revision the database is at, and whether it stamped it."""

    revision: str
    adopted: bool
    # the revision ids of the original's migrations that the stamp replaced
    replaced: tuple[str, ...] = ()


def _kind(type_: TypeEngine[Any]) -> str:
    """A column type in portable words (`bool`, `int`, `varchar(80)`), however reflected."""
    # MySQL and MariaDB have no boolean type: BOOL is TINYINT(1)
    if isinstance(type_, sa.Boolean) or (
        isinstance(type_, mysql.TINYINT) and type_.display_width == 1
    ):
        return "bool"
    if isinstance(type_, sa.SmallInteger):
        return "smallint"
    if isinstance(type_, sa.Integer):
        return "int"
    if isinstance(type_, sa.Text):
        return "text"
    if isinstance(type_, sa.String):
        return f"varchar({type_.length})"
    if isinstance(type_, sa.DateTime):
        return "datetime"
    return str(type_).lower()


def _nullability(nullable: bool | None) -> str:
    return "NULL" if nullable else "NOT NULL"


def _column_differences(
    table: sa.Table, reflected: list[ReflectedColumn], primary_key: list[str]
) -> list[str]:
    found = {column["name"]: column for column in reflected}
    differences = []
    for column in table.columns:
        name = f"{table.name}.{column.name}"
        got = found.get(column.name)
        if got is None:
            differences.append(f"{name}: missing")
            continue
        expected_kind, got_kind = _kind(column.type), _kind(got["type"])
        if got_kind != expected_kind:
            differences.append(f"{name}: {got_kind}, expected {expected_kind}")
        if bool(got["nullable"]) != bool(column.nullable):
            differences.append(
                f"{name}: {_nullability(got['nullable'])}, expected {_nullability(column.nullable)}"
            )
    for extra in found.keys() - table.columns.keys():
        differences.append(f"{table.name}.{extra}: a column the Flask api-dock did not have")
    expected_key = [column.name for column in table.primary_key.columns]
    if primary_key != expected_key:
        differences.append(
            f"{table.name}: primary key ({', '.join(primary_key) or 'none'}), "
            f"expected ({', '.join(expected_key)})"
        )
    return differences


def schema_differences(connection: sa.Connection, expected: list[sa.Table]) -> list[str]:
    """How the tables of `connection`'s database differ from `expected`; empty when they match."""
    inspector = sa.inspect(connection)
    present = set(inspector.get_table_names()) - {VERSION_TABLE}
    wanted = {table.name: table for table in expected}
    differences = []
    missing = [name for name in wanted if name not in present]
    if missing:
        differences.append(f"missing tables: {', '.join(missing)}")
    extra = sorted(present - wanted.keys())
    if extra:
        differences.append(f"tables the Flask api-dock did not have: {', '.join(extra)}")
    for name, table in wanted.items():
        if name in present:
            primary_key = inspector.get_pk_constraint(name)["constrained_columns"]
            differences += _column_differences(
                table, inspector.get_columns(name), list(primary_key)
            )
    return differences


def _recorded_revisions(connection: sa.Connection) -> list[str]:
    if not sa.inspect(connection).has_table(VERSION_TABLE):
        return []
    version_table = sa.table(VERSION_TABLE, sa.column("version_num", sa.String()))
    rows = connection.execute(sa.select(version_table.c.version_num))
    return sorted(str(version) for (version,) in rows)


def _refusal(differences: list[str], expected: list[sa.Table]) -> AdoptRefused:
    every_table_missing = f"missing tables: {', '.join(table.name for table in expected)}"
    if differences[0] == every_table_missing:
        headline = "The database holds no table of the Flask api-dock"
    else:
        headline = "The database differs from the Flask api-dock's schema"
    listed = "\n".join(f"  - {difference}" for difference in differences)
    return AdoptRefused(
        f"{headline}; nothing was changed:\n{listed}\n"
        "A new database needs no adoption: run `apidock db upgrade` (or `apidock deploy`)."
    )


async def adopt(engine: AsyncEngine) -> AdoptReport:
    """Stamp an original api-dock database with this project's first revision.

    Leaves a database at one of this project's revisions as it is; raises `AdoptRefused`,
    changing nothing, for any other database.
    """
    scripts = ScriptDirectory.from_config(migrations.alembic_config())
    known = {script.revision for script in scripts.walk_revisions()}
    bases = scripts.get_bases()
    if len(bases) != 1:
        raise migrations.MigrationError(f"several first revisions ({', '.join(bases)})")
    [first] = bases
    # the first revision creates the original's tables; its module describes them
    expected: list[sa.Table] = scripts.get_revision(first).module.original_tables()
    reports: list[AdoptReport] = []

    def inspect_and_stamp(connection: sa.Connection) -> None:
        recorded = _recorded_revisions(connection)
        ours = [revision for revision in recorded if revision in known]
        foreign = [revision for revision in recorded if revision not in known]
        if ours and foreign:
            raise AdoptRefused(
                f"{VERSION_TABLE} holds this project's revision {', '.join(ours)} and unknown "
                f"{', '.join(foreign)}; remove the row that is wrong, then run this again"
            )
        if ours:
            reports.append(AdoptReport(revision=", ".join(ours), adopted=False))
            return
        differences = schema_differences(connection, expected)
        if differences:
            raise _refusal(differences, expected)
        migrations.run_on_connection(
            connection, lambda config: command.stamp(config, first, purge=True)
        )
        reports.append(AdoptReport(revision=first, adopted=True, replaced=tuple(foreign)))

    async with engine.connect() as connection:
        await connection.run_sync(migrations.run_in_migration_transaction, inspect_and_stamp)
    return reports[0]
