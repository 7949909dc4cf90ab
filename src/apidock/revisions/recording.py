"""Recording a revision of every app whose description a transaction changed, as it commits.

What changed: every change of a description is audited (`UnitOfWork.audit`), also those made
by Core statements (a cascade of soft deletes, an import's large parts). A listener on every
ORM session notes, after each flush, the audit rows of the actions that change a description
(`REVISED_BY`: apps created, changed, imported; their components; groups, APIs, response
fields and examples created, changed or deleted; not an app's delete, nor mock keys, cases,
environments, runs, users or roles) and the apps the flush inserted. Views built lazily
(`apis.views_lazy`) write no audit row and make no revision.

When: a step registered with `db.engine.before_commit`, so run just before every
`transaction` commits (a request's, a command's). For each app noted, in id order:
1. its `revision_heads` row takes the next number: an UPDATE of the existing row (every app
   has one: made with the app, or by the migration for the apps before it), an INSERT for an
   app made in this transaction; never an upsert, whose inserts of one key in two
   transactions take gap locks that deadlock each other on MariaDB (see `mock.stamps`). That
   row lock is what orders two writers of one app: the second waits here for the first to
   commit, then reads the document with both changes, and numbers its revision after the
   first's. It is taken among the transaction's last statements (only the mock's stamp comes
   after), so it is held only while the revision is made and the commit runs;
2. the app's document is read as the export reads it (`documents.current`), and the previous
   revision's (`storage.read`);
3. the hash, the patch or snapshot (`storage.new_content`) are made in a worker thread;
4. the revision row is inserted, its author the actor of the audit rows (the unit of work's:
   `UnitOfWork.audit` writes it into each), its summary made by `summaries`.

Exactly one revision an app a transaction. A transaction that only changed an app's
settings (`app.update` of its mock flags, say) and left the document's hash as it was makes
none (the number taken is given back); any other change makes one even when the document
comes out the same (a component replaced by itself): the history says what was done.
A restore calls `record_now` itself, to answer with the revision it made.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from functools import partial
from typing import Any, cast

from sqlalchemy import CursorResult, event, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, UOWTransaction

from apidock.apis.responses_service import ExampleAction, FieldAction
from apidock.apis.service import ApiAction
from apidock.apps.components import ComponentAction
from apidock.apps.models import App
from apidock.apps.service import AppAction
from apidock.catalog.owners import find_owners
from apidock.db import utcnow
from apidock.db.engine import before_commit
from apidock.groups.service import GroupAction
from apidock.imports.service import ImportAction
from apidock.logs.models import Log
from apidock.revisions import documents, storage, summaries
from apidock.revisions.models import Revision, RevisionHead
from apidock.revisions.summaries import Audited

logger = logging.getLogger(__name__)

# the audited actions that change an app's description
REVISED_BY: frozenset[str] = frozenset(
    action.value
    for actions in (
        AppAction,
        ComponentAction,
        ImportAction,
        GroupAction,
        ApiAction,
        FieldAction,
        ExampleAction,
    )
    for action in actions
    if action is not AppAction.DELETE
)
_AUDITED = "apidock.revisions.audited"
_NEW_APPS = "apidock.revisions.new_apps"
_RESTORED = "apidock.revisions.restored"
_NOTES = (_AUDITED, _NEW_APPS, _RESTORED)
FIRST_SUMMARY = "The description as it stood when its revisions began"


@event.listens_for(Session, "after_flush")
def _note_changes(session: Session, _: UOWTransaction) -> None:
    for row in session.new:
        if isinstance(row, Log):
            if row.action in REVISED_BY and row.target_id is not None:
                session.info.setdefault(_AUDITED, []).append(
                    Audited(
                        action=row.action,
                        kind=row.target_type or "",
                        target_id=row.target_id,
                        detail=row.detail,
                        actor_id=row.user_id,
                    )
                )
        elif isinstance(row, App):
            session.info.setdefault(_NEW_APPS, set()).add(row.id)


@event.listens_for(Session, "after_rollback")
@event.listens_for(Session, "after_commit")
def _forget_changes(session: Session) -> None:
    # after a commit too: one made around `transaction` (the shell's) made no revision, and
    # its notes must not become the next transaction's
    for note in _NOTES:
        session.info.pop(note, None)


def note_restored(session: AsyncSession, *, app_id: int, number: int) -> None:
    """Say that this transaction restores revision `number` of app `app_id` (its summary)."""
    session.info.setdefault(_RESTORED, {})[app_id] = number


async def record_now(session: AsyncSession) -> dict[int, int]:
    """The revisions of what this transaction changed so far, made now (by app: the number)."""
    if session.new or session.dirty:  # an audit row is flushed as it is added: rarely any
        await session.flush()
    audited: list[Audited] = session.info.pop(_AUDITED, [])
    new_apps: set[int] = session.info.pop(_NEW_APPS, set())
    restored: dict[int, int] = session.info.pop(_RESTORED, {})
    if not audited:
        return {}
    changes = await session.run_sync(_changes_by_app, audited)
    written: dict[int, int] = {}
    for app_id in sorted(changes):
        number = await _record(
            session,
            app_id,
            changes[app_id],
            new=app_id in new_apps,
            restored=restored.get(app_id),
        )
        if number is not None:
            written[app_id] = number
    return written


@before_commit
async def _record_before_commit(session: AsyncSession) -> None:
    await record_now(session)


def _changes_by_app(session: Session, audited: list[Audited]) -> dict[int, list[Audited]]:
    """The audit rows by the app whose description each changed."""
    ids: dict[str, set[int]] = defaultdict(set)
    for change in audited:
        ids[change.kind].add(change.target_id)
    owners = find_owners(
        session,
        apis=ids["api"],
        groups=ids["api_group"],
        fields=ids["api_response"],
        examples=ids["api_example"],
    )
    changes: dict[int, list[Audited]] = defaultdict(list)
    for change in audited:
        app_id = owners.app_of(change.kind, change.target_id)
        if app_id is not None:
            changes[app_id].append(change)
    return changes


async def _record(
    session: AsyncSession,
    app_id: int,
    changes: list[Audited],
    *,
    new: bool,
    restored: int | None,
) -> int | None:
    """The revision of app `app_id` after `changes` (its number), or None when it makes none."""
    app = await session.get(App, app_id, populate_existing=True)
    if app is None or app.deleted_at is not None:
        return None
    number = await _take_number(session, app_id, new=new)
    previous = await _previous(session, app_id, number)
    document = await documents.current(session, app)
    settings_only = restored is None and all(
        change.action == AppAction.UPDATE.value for change in changes
    )
    content = await storage.off_loop(
        partial(storage.new_content, previous, document, skip_same=settings_only)
    )
    if content is None:
        await _give_back_number(session, app_id)
        return None
    text = await summaries.summary(
        session, app=app, changes=changes, restored=restored, document=document
    )
    await _insert(session, app_id, number, content, text, changes[-1].actor_id)
    return number


async def record_first(session: AsyncSession, *, app: App, actor_id: int | None) -> int:
    """The first revision of `app`, which has none (made before revisions were kept, and
    unchanged since): its description as it stands; its number (1, or the latest's if
    another transaction recorded one meanwhile)."""
    number = await _take_number(session, app.id, new=False)
    if number > 1:
        await _give_back_number(session, app.id)
        return number - 1
    document = await documents.current(session, app)
    content = await storage.off_loop(storage.new_content, None, document)
    assert content is not None  # a first revision is always a snapshot
    await _insert(session, app.id, number, content, FIRST_SUMMARY, actor_id)
    return number


async def _insert(
    session: AsyncSession,
    app_id: int,
    number: int,
    content: storage.Content,
    summary: str,
    author_id: int | None,
) -> None:
    dialect = session.get_bind().dialect.name
    await session.execute(
        insert(Revision).values(
            app_id=app_id,
            number=number,
            author_id=author_id,
            created_at=utcnow(),
            summary=summary,
            hash=content.hash,
            snapshot=storage.bound(content.snapshot, dialect),
            patch=storage.bound(content.patch, dialect),
        )
    )


async def _take_number(session: AsyncSession, app_id: int, *, new: bool) -> int:
    """The app's next revision number, its head row locked until the commit."""
    if not new:
        bumped = await session.execute(
            update(RevisionHead)
            .where(RevisionHead.app_id == app_id)
            .values(number=RevisionHead.number + 1)
            .execution_options(synchronize_session=False)
        )
        if cast("CursorResult[Any]", bumped).rowcount:
            number = await session.scalar(
                select(RevisionHead.number).where(RevisionHead.app_id == app_id)
            )
            return int(number or 0)
    # an app made in this transaction, or one made around the ORM (no head row yet)
    await session.execute(insert(RevisionHead).values(app_id=app_id, number=1))
    return 1


async def _give_back_number(session: AsyncSession, app_id: int) -> None:
    await session.execute(
        update(RevisionHead)
        .where(RevisionHead.app_id == app_id)
        .values(number=RevisionHead.number - 1)
        .execution_options(synchronize_session=False)
    )


async def _previous(session: AsyncSession, app_id: int, number: int) -> storage.Stored | None:
    """Revision `number - 1` read back; None for the first, or for one that cannot be read
    (the new revision is then a snapshot, and the history goes on from it)."""
    if number <= 1:
        return None
    try:
        return await storage.read(session, app_id=app_id, number=number - 1)
    except storage.DamagedRevision:
        logger.exception("revision %s of app %s cannot be read", number - 1, app_id)
        return None
