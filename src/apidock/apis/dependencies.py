"""The API, response field or example of a path, or 404 (after the caller's right to read
the catalog)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from apidock.apis.models import Api, ApiExample, ApiResponse
from apidock.catalog.dependencies import DocsReader
from apidock.http.loaders import live_or_404

ApiDep = Annotated[Api, Depends(live_or_404(Api, "api_id", "API not found", DocsReader))]
FieldDep = Annotated[
    ApiResponse,
    Depends(live_or_404(ApiResponse, "field_id", "Response field not found", DocsReader)),
]
ExampleDep = Annotated[
    ApiExample, Depends(live_or_404(ApiExample, "example_id", "Example not found", DocsReader))
]
