"""The import gate: `POST /apps/import?app_id=N&fail_on=breaking` refused with 409, writing
nothing, when the new document breaks the app's latest release.

Compared is the document the import makes the app's description (read back as a revision
reads it, once the import has written it in its transaction: the intake's OpenAPI 3.1
document with the catalog's own columns, as the next revision would hold it) against the
release's revision. The 409 rolls the transaction back: no row of the import remains, and no
revision is made. An app with no release passes, and so does a new app.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from apidock.apps.models import App
from apidock.diffing.changes import Level, at_least
from apidock.diffing.engine import diff_documents
from apidock.diffing.report import summary
from apidock.errors import Conflict
from apidock.revisions import documents, storage
from apidock.revisions.models import Release


async def latest_release(session: AsyncSession, *, app_id: int) -> Release | None:
    """The app's release made last, or None."""
    statement = select(Release).where(Release.app_id == app_id).order_by(Release.id.desc())
    found: Release | None = await session.scalar(statement.limit(1))
    return found


async def refuse_what_breaks(session: AsyncSession, *, app: App, fail_on: Level) -> None:
    """409 with the changes at `fail_on` or graver between `app`'s latest release and its
    document as this transaction has made it; nothing without a release."""
    release = await latest_release(session, app_id=app.id)
    if release is None:
        return
    released = await storage.read(session, app_id=app.id, number=release.revision_number)
    if released is None:
        return
    # the import wrote the large parts with Core statements: read the row as it is now
    await session.flush()
    await session.refresh(app)
    document = await documents.current(session, app)
    changes = await storage.off_loop(diff_documents, released.document, document)
    met = [change for change in changes if at_least(change.level, fail_on)]
    if met:
        raise Conflict(
            f"The document makes {len(met)} change{'s' if len(met) > 1 else ''} at level "
            f"{fail_on} or graver to release {release.version}; nothing was imported",
            data={
                "release": release.version,
                "changes": [change.as_json() for change in met],
                "summary": summary(met),
            },
        )
