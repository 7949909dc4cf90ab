"""Media type names, and which media types of two `content` objects are the same one.

As oasdiff does, a media type missing from one side is paired with a *related* one left over
on the other before either is called removed or added: `application/json` with
`application/problem+json` (a structured suffix naming the same syntax), `application/json`
with `application/json; charset=utf-8`. One of a pair is "contained" in the other when a
client expecting the general name can take the specific one.

`compare_content` walks the `content` of a request body or a response: the media types
removed, added, then each pair (its rename, its schema appearing, going, or compared), with
the rules and messages of that kind of `content` (`ContentRules`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from apidock.diffing.changes import Change
from apidock.diffing.resolve import child
from apidock.diffing.schemas import SchemaPlace
from apidock.diffing.walk import Walk, mapping

# Pairing tries each left-over name against each other: bounded, so that a hostile content
# object with thousands of names costs a constant, not the square of its size.
MAX_PAIRING_TRIES = 4096


@dataclass(frozen=True, slots=True)
class MediaTypeName:
    type: str
    subtype: str
    suffixes: tuple[str, ...]
    parameters: tuple[tuple[str, str], ...]


def parse_media_type(name: str) -> MediaTypeName | None:
    """`type/subtype+suffix; key=value`, lower-cased where RFC 9110 is case-insensitive;
    None when it is not a media type name."""
    essence, *raw_parameters = name.split(";")
    kind, slash, rest = essence.strip().lower().partition("/")
    base, *suffixes = rest.split("+")
    if not slash or not kind or not base or any(not suffix for suffix in suffixes):
        return None
    parameters: list[tuple[str, str]] = []
    for raw in raw_parameters:
        key, equals, value = raw.partition("=")
        if not equals or not key.strip():
            return None
        parameters.append((key.strip().lower(), value.strip().strip('"')))
    return MediaTypeName(kind, base, tuple(suffixes), tuple(sorted(parameters)))


def contained(general: str, specific: str) -> bool:
    """Whether `specific` may be sent where `general` was expected: the same type, and
    either a suffix naming the general subtype (`json` → `problem+json`) or the same subtype
    with the general one's suffixes as a prefix of its own."""
    outer, inner = parse_media_type(general), parse_media_type(specific)
    if outer is None or inner is None or outer.type != inner.type:
        return False
    if not outer.suffixes and inner.suffixes and inner.suffixes[-1] == outer.subtype:
        return True
    if outer.subtype != inner.subtype or len(inner.suffixes) < len(outer.suffixes):
        return False
    return inner.suffixes[: len(outer.suffixes)] == outer.suffixes


def parameters_differ(old: str, new: str) -> bool:
    old_name, new_name = parse_media_type(old), parse_media_type(new)
    if old_name is None or new_name is None:
        return old != new
    return old_name.parameters != new_name.parameters


def pair_media_types(
    old: list[str], new: list[str]
) -> tuple[list[tuple[str, str]], list[str], list[str]]:
    """(pairs of old and new names, removed names, added names), each in a stable order."""
    new_set, old_set = set(new), set(old)
    pairs = [(name, name) for name in sorted(old_set & new_set)]
    removed = sorted(old_set - new_set)
    added: list[str] = []
    taken: set[str] = set()
    tries = 0
    for new_name in sorted(new_set - old_set):
        partner = None
        for old_name in removed:
            tries += 1
            if tries > MAX_PAIRING_TRIES:
                break
            if old_name not in taken and (
                contained(old_name, new_name) or contained(new_name, old_name)
            ):
                partner = old_name
                break
        if partner is None:
            added.append(new_name)
        else:
            taken.add(partner)
            pairs.append((partner, new_name))
    return pairs, [name for name in removed if name not in taken], added


@dataclass(frozen=True, slots=True)
class MediaTypeRule:
    """A rule said of one media type: its id, and its message given the media type's name."""

    id: str
    message: Callable[[str], str]

    def change(self, operation: str, pointer: str, name: str) -> Change:
        return Change.of(self.id, operation=operation, pointer=pointer, message=self.message(name))


@dataclass(frozen=True, slots=True)
class ContentRules:
    """How the changes of one kind of `content` are said. `where(name, several)` ends the
    schema comparison's messages for the new media type `name` (`several`: the new content
    has more than one); `renamed(operation, old, new, pointer)` is the change of a pair whose
    names differ (None: such a pair is compared without one)."""

    place: SchemaPlace
    removed: MediaTypeRule
    added: MediaTypeRule
    schema_added: MediaTypeRule
    schema_removed: MediaTypeRule
    where: Callable[[str, bool], str | None]
    renamed: Callable[[str, str, str, str], Change] | None = None


def compare_content(
    walk: Walk,
    label: str,
    rules: ContentRules,
    old: tuple[dict[str, Any], str],
    new: tuple[dict[str, Any], str],
) -> list[Change]:
    """Every change of the `content` of two request bodies or responses (each with its
    pointer): media types removed, added, then each pair's."""
    (old_node, old_pointer), (new_node, new_pointer) = old, new
    old_content, new_content = mapping(old_node.get("content")), mapping(new_node.get("content"))
    pairs, removed, added = pair_media_types(list(old_content), list(new_content))
    changes = [
        rules.removed.change(label, child(old_pointer, "content", name), name) for name in removed
    ]
    changes += [
        rules.added.change(label, child(new_pointer, "content", name), name) for name in added
    ]
    for old_name, new_name in pairs:
        at = child(new_pointer, "content", new_name)
        if rules.renamed is not None and old_name != new_name:
            changes.append(rules.renamed(label, old_name, new_name, at))
        changes += _compare_media_type(
            walk,
            label,
            rules,
            new_name,
            (old_content[old_name], child(old_pointer, "content", old_name)),
            (new_content[new_name], at),
            where=rules.where(new_name, len(new_content) > 1),
        )
    return changes


def _compare_media_type(
    walk: Walk,
    label: str,
    rules: ContentRules,
    name: str,
    old: tuple[Any, str],
    new: tuple[Any, str],
    *,
    where: str | None,
) -> list[Change]:
    """Two media types paired: a schema appearing or going, or the two schemas compared."""
    old_media, old_pointer = walk.old.deref(*old)
    new_media, new_pointer = walk.new.deref(*new)
    old_schema, new_schema = mapping(old_media).get("schema"), mapping(new_media).get("schema")
    if old_schema is None and new_schema is not None:
        return [rules.schema_added.change(label, child(new_pointer, "schema"), name)]
    if old_schema is not None and new_schema is None:
        return [rules.schema_removed.change(label, child(old_pointer, "schema"), name)]
    if old_schema is None or new_schema is None:
        return []
    return walk.schemas(
        rules.place,
        label,
        old_schema,
        child(old_pointer, "schema"),
        new_schema,
        child(new_pointer, "schema"),
        media_type=name,
        where=where,
    )
