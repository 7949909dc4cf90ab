"""Media type names, and which media types of two `content` objects are the same one.

As oasdiff does, a media type missing from one side is paired with a *related* one left over
on the other before either is called removed or added: `application/json` with
`application/problem+json` (a structured suffix naming the same syntax), `application/json`
with `application/json; charset=utf-8`. One of a pair is "contained" in the other when a
client expecting the general name can take the specific one.
"""

from __future__ import annotations

from dataclasses import dataclass

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
