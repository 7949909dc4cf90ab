"""The case of a path, or 404 (after the caller's right to read the docs)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from apidock.cases.models import ContractCase
from apidock.catalog.dependencies import DocsReader
from apidock.http.loaders import live_or_404

CaseDep = Annotated[
    ContractCase, Depends(live_or_404(ContractCase, "case_id", "Case not found", DocsReader))
]
