"""An app's document as a revision keeps it, and as a revision's `openapi.json` answers it.

A revision keeps the bare document: the export's (`apps.service.read_description`, joined
by `apps.described_export.described_document`) without the mock server that the export adds
to a document without servers. The mock's URL names the app's slug and the server's
MOCK_BASE_URL, neither of which is the description: kept in it, a change of either would
read as a change of the API.

`openapi.json` of a revision adds that server back exactly as the export does, and encodes
the document as the export of an imported app does (`dump_json`): restoring the revision
imports the bare document, and the app's export is then these very bytes. (An app made
through the original's routes alone is exported as compact JSON; its revisions answer the
same document indented.)
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from apidock.apps.described_export import described_document, with_mock_server
from apidock.apps.models import App
from apidock.apps.openapi_export import MOCK_PREFIX
from apidock.apps.service import read_description
from apidock.descriptions.dumping import dump_json
from apidock.revisions.storage import off_loop


async def current(session: AsyncSession, app: App) -> dict[str, Any]:
    """`app`'s bare document as its rows make it now (409 past the export's bound)."""
    parts, rows = await read_description(session, app=app)
    document: dict[str, Any] = await off_loop(described_document, parts, rows)
    return document


def served(document: dict[str, Any], *, slug: str, mock_base: str | None) -> bytes:
    """The bytes a revision's `openapi.json` answers for its bare `document` (CPU work: in a
    worker thread)."""
    base = (mock_base or MOCK_PREFIX).rstrip("/")
    return dump_json(with_mock_server(document, f"{base}/{slug}"))
