"""Who may read, write and delete the catalog.

Writing and deleting include reading: a change answers with the record, and its 404s and
409s would tell a caller who may not read the catalog which ids exist.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from apidock.auth.dependencies import require
from apidock.auth.schemas import Principal
from apidock.permissions import Permission

# Defined once each: FastAPI caches a dependency per function, so the check runs once a request.
DocsReader = Annotated[Principal, Depends(require(Permission.READ_DOCS))]
DocsWriter = Annotated[Principal, Depends(require(Permission.READ_DOCS, Permission.WRITE_DOCS))]
AppDeleter = Annotated[Principal, Depends(require(Permission.READ_DOCS, Permission.DELETE_APPS))]
