"""The app each catalog row belongs to, for what follows every change to an app's rows (the
mock's stamp, `apidock.mock.stamps`; the description's revision, `apidock.revisions`).

Both learn what a transaction changed from its flushes and its audit rows, which name a row
by kind and id (an API, a group, a response field, an example); this finds their apps in one
statement a kind. Synchronous: it runs in a session listener, or through `run_sync`.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from apidock.apis.models import Api, ApiExample, ApiResponse
from apidock.groups.models import ApiGroup


@dataclass(slots=True)
class Owners:
    """Whose each row is: an API's and a group's app, a field's and an example's API."""

    app_of_api: dict[int, int] = field(default_factory=dict)
    app_of_group: dict[int, int] = field(default_factory=dict)
    api_of_field: dict[int, int] = field(default_factory=dict)
    api_of_example: dict[int, int] = field(default_factory=dict)

    def apps(self) -> set[int]:
        """Every app found."""
        return set(self.app_of_api.values()) | set(self.app_of_group.values())

    def app_of(self, kind: str, row_id: int) -> int | None:
        """The app of the row `row_id` of `kind` (an audit row's target type), if found."""
        if kind == "app":
            return row_id
        if kind == "api_response":
            api_id = self.api_of_field.get(row_id)
            return None if api_id is None else self.app_of_api.get(api_id)
        if kind == "api_example":
            api_id = self.api_of_example.get(row_id)
            return None if api_id is None else self.app_of_api.get(api_id)
        if kind == "api_group":
            return self.app_of_group.get(row_id)
        if kind == "api":
            return self.app_of_api.get(row_id)
        return None


def find_owners(
    session: Session,
    *,
    apis: Collection[int] = (),
    groups: Collection[int] = (),
    fields: Collection[int] = (),
    examples: Collection[int] = (),
) -> Owners:
    """The apps of `apis` and `groups`, and the APIs (and their apps) of `fields` and
    `examples`: soft-deleted rows included, since a delete changes its app too."""
    owners = Owners()
    for ids, model, found in (
        (fields, ApiResponse, owners.api_of_field),
        (examples, ApiExample, owners.api_of_example),
    ):
        if ids:
            rows = session.execute(select(model.id, model.api_id).where(model.id.in_(sorted(ids))))
            found.update({row_id: api_id for row_id, api_id in rows if api_id is not None})
    if groups:
        rows = session.execute(
            select(ApiGroup.id, ApiGroup.app_id).where(ApiGroup.id.in_(sorted(groups)))
        )
        owners.app_of_group.update(
            {row_id: app_id for row_id, app_id in rows if app_id is not None}
        )
    every_api = {*apis, *owners.api_of_field.values(), *owners.api_of_example.values()}
    if every_api:
        rows = session.execute(select(Api.id, Api.app_id).where(Api.id.in_(sorted(every_api))))
        owners.app_of_api.update({row_id: app_id for row_id, app_id in rows if app_id is not None})
    return owners
