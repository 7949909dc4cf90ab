"""The original's field and example writes on a described API: each edits the operation (and,
where a field is defined in a shared component, the components: `views_edit`) and rebuilds
the rows of the view in the same transaction (`views.edit`). The caller audits the row
answered, as for an API without an operation.

The bounds are the catalog's: an API shows at most MAX_FIELDS_PER_API fields and
MAX_EXAMPLES_PER_API examples, and a write that would need more is refused as there. A field
written where the view does not show it (inside a schema it already lies in, through a
`$ref` to itself, or past the bound) is refused, nothing written: its row would not exist.
"""

from __future__ import annotations

from typing import Any

from apidock.apis import views, views_edit, views_examples
from apidock.apis.models import Api, ApiExample, ApiResponse
from apidock.apis.schemas import ExampleCreate, ResponseFieldCreate
from apidock.apis.views import Described, Hints
from apidock.apis.views_schema import MAX_EXAMPLES_PER_API, MAX_FIELDS_PER_API
from apidock.catalog import service as catalog
from apidock.errors import ApiError, Conflict, NotFound
from apidock.work import UnitOfWork


def _no_api() -> ApiError:
    return catalog.invalid("api_id", "no such API", message="No such API")


def _shown(rows: list[ApiResponse], path: str) -> ApiResponse:
    row = views.field_row(rows, path)
    if row is None:
        raise Conflict(
            f"{path!r} would not show as a field of this API: it lies inside a schema it is "
            "already under (a $ref to itself), or past the fields an API shows"
        )
    return row


async def create_field(work: UnitOfWork, *, api: Api, field_in: ResponseFieldCreate) -> ApiResponse:
    """The field added to the success body's schema; its row."""
    target = await views.lock(work, api, _no_api())
    if len(await views.live_fields(work.session, api.id)) >= MAX_FIELDS_PER_API:
        raise Conflict(
            f"An API holds at most {MAX_FIELDS_PER_API} response fields; delete one to add another"
        )
    await views.edit(
        work,
        target,
        lambda draft: views_edit.add_field(
            draft,
            field_in.field,
            data_type=field_in.data_type,
            nullable=field_in.nullable,
            description=field_in.description,
        ),
        Hints(),
    )
    return _shown(await views.live_fields(work.session, api.id), field_in.field)


async def _locked_row(
    work: UnitOfWork, api: Api, row: ApiResponse | ApiExample, missing: str
) -> Described:
    target = await views.lock(work, api, NotFound(missing))
    await work.session.refresh(row)
    if row.deleted_at is not None:
        raise NotFound(missing)
    return target


async def update_field(
    work: UnitOfWork, *, api: Api, field: ApiResponse, values: dict[str, Any]
) -> ApiResponse:
    """The field changed in the schema (moved with what lies under it, for a new path)."""
    target = await _locked_row(work, api, field, "Response field not found")
    path = field.field
    new_path = values.get("field") or path
    renamed = (path, new_path) if new_path != path else None
    await views.edit(
        work,
        target,
        lambda draft: views_edit.change_field(draft, path, values),
        Hints(renamed=renamed),
    )
    if field.deleted_at is not None:
        _shown([], new_path)
    return field


async def delete_field(work: UnitOfWork, *, api: Api, field: ApiResponse) -> None:
    """The field taken out of the schema; its row soft-deleted with it."""
    target = await _locked_row(work, api, field, "Response field not found")
    path = field.field
    await views.edit(work, target, lambda draft: views_edit.remove_field(draft, path), Hints())
    if field.deleted_at is None:
        raise Conflict(f"{path!r} is still in the schema (another part of it declares it too)")


async def _keys(work: UnitOfWork, target: Described) -> dict[int, str]:
    rows = await views.live_examples(work.session, target.api.id)
    return views.example_keys(rows, views.current_examples(target))


async def create_example(work: UnitOfWork, *, api: Api, example_in: ExampleCreate) -> ApiExample:
    """A named example added to the success body; its row."""
    target = await views.lock(work, api, _no_api())
    rows = await views.live_examples(work.session, api.id)
    if len(rows) >= MAX_EXAMPLES_PER_API:
        raise Conflict(
            f"An API holds at most {MAX_EXAMPLES_PER_API} examples; delete one to add another"
        )
    key = await views.edit(
        work,
        target,
        lambda draft: views_examples.add_example(
            draft, title=example_in.title, body=example_in.body
        ),
        Hints(example_keys=views.example_keys(rows, views.current_examples(target))),
    )
    rows = await views.live_examples(work.session, api.id)
    after = views.example_keys(rows, views.current_examples(target))
    row = next((row for row in rows if after.get(row.id) == key), None)
    if row is None:
        raise Conflict("The example would not show: the API shows no more examples")
    return row


async def _example_key(
    work: UnitOfWork, target: Described, example: ApiExample
) -> tuple[str, Hints]:
    keys = await _keys(work, target)
    key = keys.get(example.id)
    if key is None:
        raise Conflict("The operation has no such example any more; read it again")
    return key, Hints(example_keys=keys)


async def update_example(
    work: UnitOfWork, *, api: Api, example: ApiExample, values: dict[str, Any]
) -> ApiExample:
    """The example changed where it is defined (a shared one in the components)."""
    target = await _locked_row(work, api, example, "Example not found")
    key, hints = await _example_key(work, target, example)
    await views.edit(
        work, target, lambda draft: views_examples.change_example(draft, key, values), hints
    )
    return example


async def delete_example(work: UnitOfWork, *, api: Api, example: ApiExample) -> None:
    """The example taken out of the success body; its row soft-deleted with it."""
    target = await _locked_row(work, api, example, "Example not found")
    key, hints = await _example_key(work, target, example)
    await views.edit(work, target, lambda draft: views_examples.remove_example(draft, key), hints)
