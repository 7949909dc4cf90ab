"""The caller of a hot route, checked on the Core runner instead of the ORM session.

`GET /users` and `GET /apis` are the lists an SPA calls most; their gate reads the caller
(token, user, role, revocations) in one statement on the Core runner, as the hot read of a
user does, and decides by the same policy as `auth.dependencies.require`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request

from apidock import policy
from apidock.auth.dependencies import AccessClaims, all_of
from apidock.auth.principal import CALLER_STATEMENT, caller_params, principal_from_row
from apidock.auth.schemas import Principal
from apidock.http.dependencies import CoreDep
from apidock.http.request_log import name_caller
from apidock.permissions import Permission


def require_on_core(*permissions: Permission) -> Callable[..., Awaitable[Principal]]:
    """`require(*permissions)`, with the caller read on the Core runner."""
    needed = all_of(permissions)

    async def check_permissions_on_core(
        request: Request, claims: AccessClaims, core: CoreDep
    ) -> Principal:
        row = await core.fetch_one(CALLER_STATEMENT, caller_params(claims))
        caller = principal_from_row(row, root_name=request.app.state.settings.app_root_admin)
        name_caller(request.scope, caller.id)
        policy.need(caller, needed, root_holds_all=False)
        return caller

    check_permissions_on_core.permissions = needed  # type: ignore[attr-defined]
    return check_permissions_on_core


UsersReaderOnCore = Annotated[Principal, Depends(require_on_core(Permission.READ_USERS))]
DocsReaderOnCore = Annotated[Principal, Depends(require_on_core(Permission.READ_DOCS))]
