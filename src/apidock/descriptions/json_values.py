"""JSON values as several readers of a document need them: a deep copy that shares no
container with its source, and what a local `$ref` names.

Both are iterative or bounded: a document's depth is the sender's choice, so nothing here
recurses (10,000-deep nesting copies without RecursionError).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from apidock.descriptions.refs import resolve_pointer


def copy_json(value: Any, strings: Callable[[str], str] | None = None) -> Any:
    """A deep copy of a JSON value, made without recursion (the output never shares the input's
    containers, so changing one cannot change the other; a dict or list of any subclass
    becomes a plain one, and scalars, being immutable, are shared). With `strings`, every
    string value (object keys are not values) is copied as `strings` makes it."""
    if isinstance(value, str) and strings is not None:
        return strings(value)
    if not isinstance(value, dict | list):
        return value
    root: Any = {} if isinstance(value, dict) else []
    stack: list[tuple[Any, Any]] = [(value, root)]
    while stack:
        source, target = stack.pop()
        pairs = source.items() if isinstance(source, dict) else enumerate(source)
        for key, item in pairs:
            copied: Any = strings(item) if strings is not None and isinstance(item, str) else item
            if isinstance(item, dict | list):
                copied = {} if isinstance(item, dict) else []
                stack.append((item, copied))
            if isinstance(target, dict):
                target[key] = copied
            else:
                target.append(copied)
    return root


def local_target(document: Any, reference: str) -> Any:
    """What the `$ref` value `reference` names inside `document`, one hop (a target that is
    itself a reference is returned as it is); None when the reference is not local (not `#…`)
    or names nothing, which callers that ran the reference checks first treat alike."""
    if not reference.startswith("#"):
        return None
    try:
        return resolve_pointer(document, unquote(reference[1:]))
    except LookupError:
        return None
