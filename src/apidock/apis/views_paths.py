"""The original's dot paths as steps into a schema: `data.items[].id` is the property
`data`, its property `items`, that array's elements (`[]`), their property `id`; a path
starting with `[]` names the elements of a body that is an array (`[].id`). A segment's name
is one `apis.schemas.check_field_path` takes, and a segment holds one `[]` at most, so the
elements of an array's elements have no path."""

from __future__ import annotations

import re

ITEMS = None  # the step of a path to an array's elements (`[]`)
Step = str | None

# a segment's name, as `apis.schemas.check_field_path` takes it
_NAME = re.compile(r"[A-Za-z_$][A-Za-z0-9_$\-]*")


def child_path(parent: str, step: Step) -> str | None:
    """The path of `step` under the field `parent` ("" the body), or None when the syntax
    cannot say it (the elements of an array's elements, a name that is not a segment)."""
    if step is ITEMS:
        return None if parent.endswith("[]") else f"{parent}[]"
    if not _NAME.fullmatch(step):
        return None
    return f"{parent}.{step}" if parent else step


def parse_path(path: str) -> list[Step] | None:
    """The steps of a dot path (`a.b[].c` → `["a", "b", ITEMS, "c"]`), or None if it is none."""
    steps: list[Step] = []
    rest = path
    if rest == "[]" or rest.startswith("[]."):
        steps.append(ITEMS)
        rest = rest[3:]
        if not rest:
            return steps
    for segment in rest.split("."):
        name = segment.removesuffix("[]")
        if not _NAME.fullmatch(name):
            return None
        steps.append(name)
        if segment.endswith("[]"):
            steps.append(ITEMS)
    return steps
