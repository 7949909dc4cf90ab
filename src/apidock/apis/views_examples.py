"""The named examples of a described API's success body (`views_schema.success_response`)
as the original's examples: read, and written by the flat routes.

- An example's title is its `summary`, else its key (the export of the original writes
  `summary` from the title); its body is a string `value` as it is, any other value as JSON
  text, none for an `externalValue`, a missing value, or a value whose text is longer than
  a body may be. At most MAX_EXAMPLES_PER_API are shown, in their order.
- A new example is written as the export writes one: its key made from its title (the first
  free number from 2 after it), `summary` the title, `value` the body's JSON (a body that is
  not JSON, as a string). A media type's single `example` becomes the named example
  "example" when a named one is added: OpenAPI allows only one of the two.
- A change is made where the example is defined (through a `$ref`, in the components); a
  delete takes the example out of the response (a shared one stays in the components).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, NamedTuple

from apidock.apis.schemas import EXAMPLE_BODY_MAX_BYTES
from apidock.apis.views_edit import Draft, ViewRefused, media_of
from apidock.apis.views_schema import (
    EXAMPLE_TITLE_MAX,
    MAX_EXAMPLES_PER_API,
    Loc,
    Sources,
    follow,
    string_of,
    success_response,
)
from apidock.apps.openapi_export import _example_value


class ExampleView(NamedTuple):
    """One named example as the flat route shows it: its key in the operation, its title and
    its body as text."""

    key: str
    title: str
    body: str | None


def read_examples(
    operation: dict[str, Any], components: dict[str, Any] | None
) -> list[ExampleView]:
    """The named examples of the success body, in their order, at most MAX_EXAMPLES_PER_API."""
    sources = Sources(operation, components)
    media = success_response(sources)[1]
    if media is None:
        return []
    examples = sources.get((*media, "examples"))
    if not isinstance(examples, dict):
        return []
    views: list[ExampleView] = []
    for key in examples:
        if len(views) >= MAX_EXAMPLES_PER_API:
            break
        example = sources.get(follow(sources, (*media, "examples", key)).definition)
        if not isinstance(example, dict):
            continue
        title = (string_of(example, "summary") or "").strip() or key
        views.append(ExampleView(key, title[:EXAMPLE_TITLE_MAX], example_body(example)))
    return views


def example_body(example: dict[str, Any]) -> str | None:
    """An Example Object's value as an example body (a string as it is, else JSON text)."""
    if "value" not in example:
        return None
    value = example["value"]
    if isinstance(value, str):
        body = value
    else:
        try:
            body = json.dumps(value, ensure_ascii=False, allow_nan=False)
        except (ValueError, RecursionError):
            return None
    return body if len(body.encode(errors="surrogatepass")) <= EXAMPLE_BODY_MAX_BYTES else None


def _examples_of(draft: Draft) -> Loc:
    return (*media_of(draft), "examples")


def add_example(draft: Draft, *, title: str, body: str | None) -> str:
    """A named example added to the success body; its key."""
    media = media_of(draft)
    holder = draft.own(media)
    if "example" in holder and "examples" not in holder:
        holder["examples"] = {"example": {"value": holder.pop("example")}}
    examples = draft.ensure_dict((*media, "examples"))
    key = _free_key(_slug(title), examples)
    example: dict[str, Any] = {"summary": title}
    if body is not None:
        example["value"] = _example_value(body)
    examples[key] = example
    return key


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "example"


def _free_key(slug: str, taken: Mapping[str, Any]) -> str:
    key, number = slug, 2
    while key in taken:
        key, number = f"{slug}-{number}", number + 1
    return key


def change_example(draft: Draft, key: str, values: Mapping[str, Any]) -> None:
    """The example `key` (where it is defined) with the title and body of `values`."""
    loc = follow(draft, (*_examples_of(draft), key)).definition
    if not isinstance(draft.get(loc), dict):
        raise ViewRefused(409, "The operation has no such example any more; read it again")
    example = draft.own(loc)
    if values.get("title") is not None:
        example["summary"] = values["title"]
    if "body" in values:
        example.pop("externalValue", None)
        if values["body"] is None:
            example.pop("value", None)
        else:
            example["value"] = _example_value(values["body"])


def remove_example(draft: Draft, key: str) -> None:
    """The example `key` taken out of the success body (a shared one stays in components)."""
    examples = _examples_of(draft)
    if not isinstance(draft.get((*examples, key)), dict):
        raise ViewRefused(409, "The operation has no such example any more; read it again")
    draft.remove((*examples, key))
    if not draft.get(examples):
        draft.remove(examples)
