"""The environment of a path, or 404 (after the caller's right to read the docs), and the key
its secrets are sealed with."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from apidock.catalog.dependencies import DocsReader
from apidock.environments.models import Environment
from apidock.environments.secrets import settings_key
from apidock.http.loaders import live_or_404

EnvironmentDep = Annotated[
    Environment,
    Depends(live_or_404(Environment, "environment_id", "Environment not found", DocsReader)),
]


async def secrets_key(request: Request) -> bytes:
    """The key of the environments' secrets, derived from this server's `SECRET_KEY`."""
    return settings_key(request.app.state.settings)


SecretsKey = Annotated[bytes, Depends(secrets_key)]
