"""Every domain's models, so `Base.metadata` is complete (Alembic reads it from here)."""

from apidock.apis.models import Api, ApiExample, ApiResponse
from apidock.apps.models import App
from apidock.auth.models import RefreshToken, RevokedToken
from apidock.db import Base
from apidock.groups.models import ApiGroup
from apidock.logs.models import Log
from apidock.roles.models import Role
from apidock.users.models import User

__all__ = [
    "Api",
    "ApiExample",
    "ApiGroup",
    "ApiResponse",
    "App",
    "Base",
    "Log",
    "RefreshToken",
    "RevokedToken",
    "Role",
    "User",
]
