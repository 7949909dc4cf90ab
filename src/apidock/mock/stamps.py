"""The stamp of an app's mock: changed in the transaction of every change to the app's rows.

Each instance keeps, per app, what its mock answers from (the document, built once); every
mock request reads the app's row, its key and its stamp in one statement, and the cache is
used only while the stamp it was built at is the stored one. So an edit made through any
instance shows in every instance's next mock answer, with no message between instances.

How: a listener on every ORM session notes, after each flush, the apps whose rows the flush
wrote (an app, a group, an API, an API's response field or example: what the export is made
of), and the targets of the audit rows it wrote: every change is audited, also those made by
Core statements (a cascade of soft deletes, an import's large parts); just before the
transaction commits, their `mock_stamps` rows get a new random stamp, in app id
order: an INSERT for an app made in the transaction, an UPDATE of the existing row otherwise
(every app has one: made with the app, or by the migration for the apps before it). Never an
upsert of a row that may not exist: two transactions inserting the same key into MariaDB take
gap locks that deadlock each other. It is the transaction's last statement, so the row lock it
takes is held only while the commit runs: no lock cycle with the row locks the writers take
first. A write that goes around the ORM (a Core UPDATE) names its app with `changed(session,
app_id)`.
"""

from __future__ import annotations

import secrets
from itertools import chain
from typing import Any

from sqlalchemy import ForeignKey, String, event, insert, update
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, Session, UOWTransaction, mapped_column

from apidock.apis.models import Api, ApiExample, ApiResponse
from apidock.apps.models import App
from apidock.catalog.owners import find_owners
from apidock.db import Base
from apidock.groups.models import ApiGroup
from apidock.logs.models import Log

STAMP_LENGTH = 32
_APPS = "apidock.mock.changed_apps"
_APIS = "apidock.mock.changed_apis"
_GROUPS = "apidock.mock.changed_groups"
_FIELDS = "apidock.mock.changed_fields"
_EXAMPLES = "apidock.mock.changed_examples"
# what an audit row's target type names, and where the app of such a row is found
_AUDITED = {
    "app": _APPS,
    "api": _APIS,
    "api_group": _GROUPS,
    "api_response": _FIELDS,
    "api_example": _EXAMPLES,
}
_NEW_APPS = "apidock.mock.new_apps"
_NOTES = (_APPS, _APIS, _GROUPS, _FIELDS, _EXAMPLES, _NEW_APPS)


class MockStamp(Base):
    __tablename__ = "mock_stamps"

    app_id: Mapped[int] = mapped_column(ForeignKey("apps.id"), primary_key=True)
    stamp: Mapped[str] = mapped_column(String(STAMP_LENGTH))


def new_stamp() -> str:
    return secrets.token_hex(STAMP_LENGTH // 2)


def changed(session: AsyncSession | Session, app_id: int) -> None:
    """Note that this transaction changed `app_id`'s rows by a statement the ORM didn't see."""
    sync = session.sync_session if isinstance(session, AsyncSession) else session
    sync.info.setdefault(_APPS, set()).add(app_id)


@event.listens_for(Session, "after_flush")
def _note_changes(session: Session, _: UOWTransaction) -> None:
    apps: set[int] = session.info.setdefault(_APPS, set())
    apis: set[int] = session.info.setdefault(_APIS, set())
    for row in chain(session.new, session.dirty, session.deleted):
        if isinstance(row, App):
            apps.add(row.id)
            if row in session.new:
                session.info.setdefault(_NEW_APPS, set()).add(row.id)
        elif isinstance(row, (Api, ApiGroup)) and row.app_id is not None:
            apps.add(row.app_id)
        elif isinstance(row, (ApiResponse, ApiExample)) and row.api_id is not None:
            apis.add(row.api_id)
        elif isinstance(row, Log) and row.target_id is not None:
            note = _AUDITED.get(row.target_type or "")
            if note is not None:
                session.info.setdefault(note, set()).add(row.target_id)


@event.listens_for(Session, "before_commit")
def _stamp_changed_apps(session: Session) -> None:
    apps: set[int] = session.info.pop(_APPS, set())
    apis: set[int] = session.info.pop(_APIS, set())
    new: set[int] = session.info.pop(_NEW_APPS, set())
    owners = find_owners(
        session,
        apis=apis,
        groups=session.info.pop(_GROUPS, set()),
        fields=session.info.pop(_FIELDS, set()),
        examples=session.info.pop(_EXAMPLES, set()),
    )
    apps.update(owners.apps())
    if not apps:
        return
    dialect = session.get_bind().dialect.name
    for app_id in sorted(apps):
        if app_id in new:
            session.execute(insert(MockStamp).values(app_id=app_id, stamp=new_stamp()))
            continue
        renewed = session.execute(
            update(MockStamp).where(MockStamp.app_id == app_id).values(stamp=new_stamp())
        )
        if not getattr(renewed, "rowcount", 1):  # no row (made outside the ORM): made now
            session.execute(_upsert(dialect, app_id, new_stamp()))


@event.listens_for(Session, "after_rollback")
def _forget_changes(session: Session) -> None:
    for note in _NOTES:
        session.info.pop(note, None)


def _upsert(dialect: str, app_id: int, stamp: str) -> Any:
    values = {"app_id": app_id, "stamp": stamp}
    table = MockStamp
    if dialect == "postgresql":
        pg = postgresql.insert(table).values(values)
        return pg.on_conflict_do_update(index_elements=["app_id"], set_={"stamp": stamp})
    if dialect in ("mysql", "mariadb"):
        return mysql.insert(table).values(values).on_duplicate_key_update(stamp=stamp)
    lite = sqlite.insert(table).values(values)
    return lite.on_conflict_do_update(index_elements=["app_id"], set_={"stamp": stamp})
