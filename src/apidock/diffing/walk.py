"""What the walk of two documents shares: both sides, the policy, the pair of operations
being compared, and the one door to the schema comparison.

The walk never trusts the shape of a node: a document that passed import is well formed, but
`diff_documents` also takes whatever a caller hands it, so every object is read through
`mapping` and every array through `sequence`, and a node of the wrong type reads as absent.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from apidock.diffing.changes import Change
from apidock.diffing.resolve import Side
from apidock.diffing.schemas import SchemaPlace, compare_schemas

StabilityLevel = Literal["draft", "alpha", "beta", "stable"]


@dataclass(frozen=True, slots=True)
class DiffPolicy:
    """oasdiff's knobs, at its defaults: no sunset grace period (so a deprecation without
    `x-sunset` is only `info`), and endpoints below `beta` (`alpha`, `draft`) left out of the
    comparison. `today` is the day sunset dates are measured from (the real day if None)."""

    min_sunset_days_beta: int = 0
    min_sunset_days_stable: int = 0
    stability_threshold: StabilityLevel = "beta"
    today: date | None = None


SchemaKey = tuple[str, str, str, str | None, str | None, bool, bool]


@dataclass(slots=True)
class Walk:
    """One diff: the two sides, the policy and the day, and the schema comparisons already
    made. A schema reached through a `$ref` is compared once however many operations use it;
    the other operations get the same changes with their own `operation`."""

    old: Side
    new: Side
    policy: DiffPolicy
    today: date
    _schema_changes: dict[SchemaKey, list[Change]] = field(default_factory=dict)

    @classmethod
    def start(cls, old: dict[str, Any], new: dict[str, Any], policy: DiffPolicy) -> Walk:
        return cls(Side(old), Side(new), policy, policy.today or date.today())

    def schemas(
        self,
        place: SchemaPlace,
        operation: str,
        old_schema: Any,
        old_pointer: str,
        new_schema: Any,
        new_pointer: str,
        *,
        name: str | None = None,
        media_type: str | None = None,
        required: bool = False,
        form_exploded: bool = False,
        where: str | None = None,
    ) -> list[Change]:
        """What `compare_schemas` finds between two schemas, `$ref`s followed first so that a
        shared component has one pointer (the component's) whoever reaches it. `name` is the
        parameter's or header's, `media_type` the body's, `required` whether the parameter is
        required on either side, `form_exploded` whether it is serialized form/explode now.
        `where` (a response's status, one of several media types) ends each message: one
        schema met in two places is two findings, as in oasdiff."""
        old_schema, old_pointer = self.old.deref(old_schema, old_pointer)
        new_schema, new_pointer = self.new.deref(new_schema, new_pointer)
        key = (place, old_pointer, new_pointer, name, media_type, required, form_exploded)
        found = self._schema_changes.get(key)
        if found is None:
            found = compare_schemas(
                place,
                operation,
                self.old,
                old_schema,
                old_pointer,
                self.new,
                new_schema,
                new_pointer,
                name=name,
                media_type=media_type,
                required=required,
                form_exploded=form_exploded,
            )
            self._schema_changes[key] = found
        return [
            dataclasses.replace(
                change,
                operation=operation,
                message=change.message if where is None else f"{change.message} ({where})",
            )
            for change in found
        ]


@dataclass(frozen=True, slots=True)
class OperationPair:
    """An operation present on both sides: `label` is "METHOD /path" (the `from` document's
    path, as oasdiff names it), `path_names` maps each path parameter name of the old
    template to the new one at the same position (`/pets/{id}` → `/pets/{petId}`:
    `{"id": "petId"}`)."""

    label: str
    old: dict[str, Any]
    old_pointer: str
    new: dict[str, Any]
    new_pointer: str
    old_path_item: dict[str, Any]
    old_path_pointer: str
    new_path_item: dict[str, Any]
    new_path_pointer: str
    path_names: dict[str, str]


def mapping(node: Any) -> dict[str, Any]:
    """`node` if it is an object, else an empty one; members whose name is not a string
    (which no JSON document holds, but a caller's dict may) are left out."""
    if not isinstance(node, dict):
        return {}
    if all(isinstance(key, str) for key in node):
        return node
    return {key: value for key, value in node.items() if isinstance(key, str)}


def sequence(node: Any) -> list[Any]:
    """`node` if it is an array, else an empty one."""
    return node if isinstance(node, list) else []


def is_extension(key: str) -> bool:
    """Whether a member name is an `x-` extension (never a status code or a name)."""
    return key.startswith("x-")


MAX_QUOTED = 120  # characters of a name or a value a message quotes


def quoted(text: Any) -> str:
    """A name from a document, for a message: in backticks, on one line, not too long."""
    flat = " ".join(str(text).split()).replace("`", "'")
    if len(flat) > MAX_QUOTED:
        flat = flat[: MAX_QUOTED - 1] + "…"
    return f"`{flat}`"


def excerpt(value: Any) -> str:
    """A value from a document as written (a string in quotes), for a message."""
    return quoted(repr(value)[: MAX_QUOTED + 1])
