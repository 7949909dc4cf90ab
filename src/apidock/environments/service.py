"""Environments: made, listed, changed and soft-deleted per app, their secrets sealed.

Decisions:
- Names are unique among an app's live environments (409), checked under the app's row
  lock, as the catalog checks its siblings; a deleted environment's name is free again.
- `allow_hosts` is the administrator's (`Permission.ADMIN`): anyone else who sends a value
  other than the current one (`[]` for a new environment) is refused 403, naming the need.
- Secrets are written whole: the values given are sealed into one token
  (`apidock.environments.secrets`) and their names kept in the clear. A PATCH without
  `secrets` keeps them; with `secrets` (null or `{}` for none) it replaces them all. Nothing
  here ever decrypts: only a run does.
- A name may not be both a variable and a secret (422): `{{name}}` would mean either.
- Audit rows name what changed, and of the secrets only their names.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from apidock import policy
from apidock.apps.models import App
from apidock.auth.schemas import Principal
from apidock.catalog import service as catalog
from apidock.db.queries import lock_row, lock_row_and_reload
from apidock.environments.models import Environment
from apidock.environments.schemas import EnvironmentCreate, EnvironmentUpdate
from apidock.environments.secrets import encrypt_secrets
from apidock.errors import Conflict, NotFound
from apidock.permissions import Permission
from apidock.work import Action, UnitOfWork

MAX_ENVIRONMENTS_PER_APP = 100


class EnvironmentAction(Action):
    CREATE = "environment.create"
    UPDATE = "environment.update"
    DELETE = "environment.delete"


async def list_environments(session: AsyncSession, *, app: App) -> list[Environment]:
    """The live environments of `app`, by name."""
    found = await session.scalars(
        catalog.live_rows(Environment, Environment.name, Environment.id).where(
            Environment.app_id == app.id
        )
    )
    return list(found)


def _check_allow_hosts(actor: Principal, *, current: list[str], given: list[str]) -> None:
    """403 unless the actor is an administrator, when `given` differs from `current`."""
    if given != current:
        policy.need(actor, Permission.ADMIN)


def _check_distinct_names(variables: Collection[str], secrets: Collection[str], field: str) -> None:
    both = sorted(set(variables) & set(secrets))
    if both:
        raise catalog.invalid(
            field,
            f"a name is a variable or a secret, not both: {', '.join(both)}",
            message="A name is both a variable and a secret",
        )


async def _ensure_unique_name(
    session: AsyncSession, *, app_id: int, name: str, exclude_id: int | None
) -> None:
    same = (Environment.app_id == app_id, Environment.name == name)
    if await catalog.count_live(session, Environment, *same, other_than=exclude_id):
        raise Conflict(f"The app already has an environment named {name!r}")


def _sealed(secrets: Mapping[str, str], *, key: bytes, app_id: int) -> dict[str, Any]:
    """The columns that keep `secrets`: the token and the sorted names."""
    return {
        "secrets_token": encrypt_secrets(secrets, key=key, app_id=app_id),
        "secret_names": sorted(secrets),
    }


async def create(
    work: UnitOfWork,
    *,
    app: App,
    environment_in: EnvironmentCreate,
    actor: Principal,
    key: bytes,
) -> Environment:
    """A new environment of `app`, its secrets sealed with `key`."""
    _check_allow_hosts(actor, current=[], given=environment_in.allow_hosts)
    _check_distinct_names(environment_in.variables, environment_in.secrets, "secrets")
    session = work.session
    # one change of the app's environments at a time: the checks see every committed sibling
    await lock_row(session, App, app.id)
    if await work.live(App, app.id) is None:
        raise NotFound("App not found")
    await _ensure_unique_name(session, app_id=app.id, name=environment_in.name, exclude_id=None)
    holds = f"An app holds at most {MAX_ENVIRONMENTS_PER_APP} environments"
    await catalog.ensure_room(session, Environment.app_id, app.id, holds, MAX_ENVIRONMENTS_PER_APP)
    row = Environment(
        app_id=app.id,
        name=environment_in.name,
        base_url=environment_in.base_url,
        variables=environment_in.variables,
        allow_hosts=environment_in.allow_hosts,
        **_sealed(environment_in.secrets, key=key, app_id=app.id),
    )
    work.session.add(row)
    await work.audit(
        EnvironmentAction.CREATE,
        row,
        {"app_id": app.id, "name": row.name, "secrets": row.secret_names},
    )
    return row


async def update(
    work: UnitOfWork,
    *,
    environment: Environment,
    environment_in: EnvironmentUpdate,
    actor: Principal,
    key: bytes,
) -> Environment:
    """`environment` with the fields given changed; `secrets`, when given, replaces them all."""
    session = work.session
    values = environment_in.model_dump(exclude_unset=True)
    # read again under the app's lock: a concurrent rename or change is checked against
    if not await lock_row_and_reload(session, App, environment.app_id, environment):
        raise NotFound("Environment not found")
    if "allow_hosts" in values:
        _check_allow_hosts(actor, current=environment.allow_hosts, given=values["allow_hosts"])
    secrets_given = "secrets" in values
    secrets: dict[str, str] = values.pop("secrets", None) or {}
    variables = values.get("variables", environment.variables)
    secret_names = sorted(secrets) if secrets_given else environment.secret_names
    field = "secrets" if secrets_given else "variables"
    _check_distinct_names(variables, secret_names, field)
    if values.get("name", environment.name) != environment.name:
        await _ensure_unique_name(
            session, app_id=environment.app_id, name=values["name"], exclude_id=environment.id
        )
    changed = sorted(name for name, value in values.items() if getattr(environment, name) != value)
    detail: dict[str, Any] = {"changed": changed}
    if secrets_given:
        # a replacement is a change even with the same names: the values are not compared
        values |= _sealed(secrets, key=key, app_id=environment.app_id)
        detail = {"changed": sorted([*changed, "secrets"]), "secrets": secret_names}
    for name, value in values.items():
        setattr(environment, name, value)
    await work.audit(EnvironmentAction.UPDATE, environment, detail)
    return environment


async def delete(work: UnitOfWork, *, environment: Environment) -> None:
    """Soft-delete `environment`; its secrets stay sealed in its row, never read again."""
    await lock_row(work.session, App, environment.app_id)
    await catalog.delete(work, EnvironmentAction.DELETE, environment)
