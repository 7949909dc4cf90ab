"""The group of a path, or 404 (after the caller's right to read the catalog)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from apidock.catalog.dependencies import DocsReader
from apidock.groups.models import ApiGroup
from apidock.http.loaders import live_or_404

GroupDep = Annotated[
    ApiGroup, Depends(live_or_404(ApiGroup, "group_id", "Group not found", DocsReader))
]
