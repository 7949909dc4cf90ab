"""An app's components (`/apps/{id}/components`): the whole Components Object, or one
component of a kind, read, written once the document it makes is valid, or deleted while
nothing refers to it.

Decisions:
- The Components Object is read as `{}` when the app has none; writing `{}` (or deleting the
  last component) leaves the app with none, so its export has no empty `components`. A kind
  emptied by a delete is dropped from it the same way. A new component comes last in its
  kind's map (the export keeps the stored order); a replaced one keeps its place.
- A component still referred to (a `$ref` to it, or to anything inside it, anywhere in the
  app's document but in the component itself; for a security scheme, a security requirement
  naming it) is not deleted: 409, naming the first places. Delete or change those first.
- Each write is audited on the app: the kinds a whole PUT changed, or the kind and name of
  the one component.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from apidock.apis import views
from apidock.apps.description import (
    described_operations,
    lock_app,
    parts_of,
    references_to,
    refuse_invalid,
)
from apidock.apps.description_checks import Written
from apidock.apps.models import App
from apidock.descriptions.problems import pointer
from apidock.errors import Conflict, NotFound
from apidock.work import Action, UnitOfWork

# the places a 409 names in its message (`data` lists up to MAX_NAMED)
NAMED_IN_MESSAGE = 3
MAX_NAMED = 100


class ComponentAction(Action):
    REPLACE_ALL = "app.components_replace"
    CREATE = "app.component_create"
    REPLACE = "app.component_replace"
    DELETE = "app.component_delete"


def _stored(app: App) -> dict[str, Any]:
    return app.components if isinstance(app.components, dict) else {}


def _of_kind(app: App, kind: str) -> dict[str, Any]:
    found = _stored(app).get(kind)
    return found if isinstance(found, dict) else {}


def read_all(*, app: App) -> dict[str, Any]:
    """The app's Components Object, `{}` when it has none."""
    return _stored(app)


def read_one(*, app: App, kind: str, name: str) -> Any:
    """The component `name` of `kind`; 404 when the app has none of that name."""
    components = _of_kind(app, kind)
    if name not in components:
        raise NotFound(f"The app has no {kind} component named {name!r}")
    return components[name]


async def _write(work: UnitOfWork, app: App, components: dict[str, Any], at: Written) -> None:
    """`components` as the app's, once the document with them is valid (422 otherwise)."""
    operations = [part for _, part in await described_operations(work.session, app_id=app.id)]
    before = parts_of(app, operations)
    after = dataclasses.replace(before, components=components or None)
    await refuse_invalid(after=after, before=before, written=[at])
    if app.info is None:
        app.info = before.info
    app.components = components or None
    # the flat routes' rows of every described API read through the components
    await views.sync_app_views(work.session, app)


async def replace_all(work: UnitOfWork, *, app: App, components: dict[str, Any]) -> dict[str, Any]:
    """The app's Components Object replaced by `components`."""
    await lock_app(work, app)
    old = _stored(app)
    await _write(work, app, components, Written(pointer("components")))
    changed = sorted(kind for kind in {*old, *components} if old.get(kind) != components.get(kind))
    await work.audit(ComponentAction.REPLACE_ALL, app, {"changed": changed})
    return components


async def put_one(work: UnitOfWork, *, app: App, kind: str, name: str, component: Any) -> bool:
    """The component `name` of `kind` made or replaced by `component`; whether it is new."""
    await lock_app(work, app)
    created = name not in _of_kind(app, kind)
    components = {**_stored(app), kind: {**_of_kind(app, kind), name: component}}
    await _write(work, app, components, Written(pointer("components", kind, name)))
    action = ComponentAction.CREATE if created else ComponentAction.REPLACE
    await work.audit(action, app, {"kind": kind, "name": name})
    return created


async def delete_one(work: UnitOfWork, *, app: App, kind: str, name: str) -> None:
    """The component `name` of `kind` deleted; 409 while anything refers to it."""
    await lock_app(work, app)
    read_one(app=app, kind=kind, name=name)
    operations = [part for _, part in await described_operations(work.session, app_id=app.id)]
    found = await references_to(parts_of(app, operations), kind=kind, name=name)
    if found:
        places = ", ".join(found[:NAMED_IN_MESSAGE])
        more = len(found) - NAMED_IN_MESSAGE
        raise Conflict(
            f"The {kind} component {name!r} is still referred to at {places}"
            + (f" and {more} more places" if more > 0 else ""),
            data={"references": found[:MAX_NAMED]},
        )
    remaining = {key: value for key, value in _of_kind(app, kind).items() if key != name}
    components = {key: value for key, value in _stored(app).items() if key != kind}
    if remaining:
        components = {**_stored(app), kind: remaining}
    app.components = components or None
    await work.audit(ComponentAction.DELETE, app, {"kind": kind, "name": name})
