"""Revisions, releases and diffs of an app's description: reading its history, restoring a
revision, naming a release, comparing any two of them (see the package for the design)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from apidock.apps.models import App
from apidock.descriptions.intake import IntakeLimits
from apidock.diffing.changes import Change
from apidock.diffing.engine import diff_documents
from apidock.errors import Conflict, NotFound
from apidock.imports import service as import_service
from apidock.revisions import documents, recording, storage
from apidock.revisions.models import Release, Revision, RevisionHead
from apidock.revisions.schemas import ReleaseCreate
from apidock.schemas import MAX_ID
from apidock.work import Action, UnitOfWork

_REVISION_NOT_FOUND = "Revision not found"
_RELEASE_NOT_FOUND = "Release not found"


class ReleaseAction(Action):
    CREATE = "release.create"


def search(*, app_id: int) -> Select[Revision]:
    """The app's revisions in number order, with their authors (not their content)."""
    return (
        select(Revision)
        .where(Revision.app_id == app_id)
        .options(joinedload(Revision.author))
        .order_by(Revision.number)
    )


def search_releases(*, app_id: int) -> Select[Release]:
    """The app's releases in the order they were made, with their authors."""
    return (
        select(Release)
        .where(Release.app_id == app_id)
        .options(joinedload(Release.author))
        .order_by(Release.id)
    )


async def get(session: AsyncSession, *, app: App, number: int) -> Revision:
    """Revision `number` of `app`; 404 when it has none of that number."""
    found = await session.scalar(search(app_id=app.id).where(Revision.number == number))
    if found is None:
        raise NotFound(_REVISION_NOT_FOUND)
    return found


async def get_release(session: AsyncSession, *, app: App, version: str) -> Release:
    """The release `version` of `app`; 404 when it has none of that version."""
    found = await session.scalar(search_releases(app_id=app.id).where(Release.version == version))
    if found is None:
        raise NotFound(_RELEASE_NOT_FOUND)
    return found


async def _document(session: AsyncSession, app: App, number: int) -> dict[str, Any]:
    stored = await storage.read(session, app_id=app.id, number=number)
    if stored is None:
        raise NotFound(_REVISION_NOT_FOUND)
    document: dict[str, Any] = stored.document
    return document


async def served_document(
    session: AsyncSession, *, app: App, number: int, mock_base: str | None
) -> bytes:
    """The bytes of revision `number`'s `openapi.json` (`documents.served`); 404 without it."""
    document = await _document(session, app, number)
    return await storage.off_loop(
        lambda: documents.served(document, slug=app.slug, mock_base=mock_base)
    )


async def restore(work: UnitOfWork, *, app: App, number: int, limits: IntakeLimits) -> Revision:
    """Revision `number`'s document imported as `app`'s description (the import's replace),
    in this transaction; the revision that makes, whose hash is revision `number`'s."""
    session = work.session
    document = await _document(session, app, number)
    raw = await storage.off_loop(storage.encode, document)
    # the document was taken in once already: the size bound of a request is not its own
    own = IntakeLimits(
        max_bytes=max(limits.max_bytes, len(raw)),
        max_depth=limits.max_depth,
        max_operations=limits.max_operations,
    )
    recording.note_restored(session, app_id=app.id, number=number)
    await import_service.import_document(
        work, raw=raw, media_type="application/json", limits=own, app_id=app.id
    )
    written = await recording.record_now(session)
    return await get(session, app=app, number=written[app.id])


async def current_number(session: AsyncSession, *, app_id: int) -> int:
    """The app's latest revision number, 0 when it has none."""
    found = await session.scalar(select(RevisionHead.number).where(RevisionHead.app_id == app_id))
    return int(found or 0)


async def create_release(work: UnitOfWork, *, app: App, release_in: ReleaseCreate) -> Release:
    """`release_in.version` named on `app`'s current revision; 409 for a version it has.

    An app whose description has no revision yet (made before revisions were kept, and
    unchanged since) gets its first now: the description as it stands, the one released.
    """
    session = work.session
    taken = select(Release.id).where(
        Release.app_id == app.id, Release.version == release_in.version
    )
    if await session.scalar(taken) is not None:
        raise Conflict(f"The app already has a release {release_in.version}")
    number = await current_number(session, app_id=app.id)
    if number == 0:
        number = await recording.record_first(session, app=app, actor_id=work.actor_id)
    release = Release(
        app_id=app.id,
        version=release_in.version,
        notes=release_in.notes,
        revision_number=number,
        author_id=work.actor_id,
    )
    session.add(release)
    await work.audit(ReleaseAction.CREATE, release, {"app_id": app.id, "revision": number})
    return await get_release(session, app=app, version=release.version)


@dataclass(frozen=True, slots=True)
class Compared:
    """Two documents of an app compared, and what each side was."""

    changes: list[Change]
    old: str
    new: str


def _is_number(reference: str) -> bool:
    """Digits alone name a revision (a release's version never is: `schemas.ReleaseVersion`);
    past the largest id, a revision no app has."""
    return reference.isascii() and reference.isdigit()


async def document_at(session: AsyncSession, *, app: App, reference: str) -> dict[str, Any]:
    """The document of revision `reference` (digits) or of the release of that version."""
    if _is_number(reference):
        number = int(reference) if len(reference) <= len(str(MAX_ID)) else MAX_ID + 1
        if number > MAX_ID:
            raise NotFound(_REVISION_NOT_FOUND)
        return await _document(session, app, number)
    release = await get_release(session, app=app, version=reference)
    return await _document(session, app, release.revision_number)


async def compare(session: AsyncSession, *, app: App, old: str, new: str | None = None) -> Compared:
    """The changes from `old` to `new` (revision numbers or release versions; `new` the
    current revision by default, or the document as it stands for an app with none); 404 for
    an unknown one."""
    before = await document_at(session, app=app, reference=old)
    if new is not None:
        after = await document_at(session, app=app, reference=new)
        label = new
    else:
        number = await current_number(session, app_id=app.id)
        after = (
            await _document(session, app, number)
            if number
            else await documents.current(session, app)
        )
        label = str(number) if number else "now"
    changes = await storage.off_loop(diff_documents, before, after)
    return Compared(changes=changes, old=old, new=label)
