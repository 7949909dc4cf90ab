"""`{{name}}` in a case: an environment's variable or secret put in its place, and secrets
masked wherever a result shows text.

Decisions:
- The grammar is fixed: `{{`, optional spaces or tabs, a name (`NAME`: a letter or `_`, then
  letters, digits, `_`, `.` or `-`), optional spaces or tabs, `}}`. Nothing else is a
  placeholder: no expressions, filters, defaults or escapes, and text that doesn't fit the
  grammar (`{{ a b }}`, `{{}}`, a lone `{{`) stays as it is written.
- Placeholders are filled in every string of a value, however deeply nested in lists and
  objects, inside longer strings too. Object keys are left as written: a key names a field of
  the request, not data to fill. Other scalars are left as they are.
- One pass: a value put in place is never read again for placeholders, so a variable holding
  `{{secret}}` sends those characters, and no value can expand into others.
- A name the environment doesn't have raises `UnknownVariable`, naming it: a request is never
  sent with a placeholder left in.
- `mask` replaces each occurrence of a secret's value, and of its percent-encoded forms (as a
  URL carries it), with `***`; longer secrets first, in one pass, so a secret containing
  another is masked whole. Empty values are not secrets (they would mask everything).
- Iterative: a body of any depth is filled without recursion.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote, quote_plus

from apidock.descriptions.json_values import copy_json

NAME = r"[A-Za-z_][A-Za-z0-9_.-]*"
MASK = "***"
_PLACEHOLDER = re.compile(r"\{\{[ \t]*(" + NAME + r")[ \t]*\}\}")


class UnknownVariable(LookupError):
    """A `{{name}}` whose name the environment has no variable or secret for."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"{{{{{name}}}}} names no variable or secret of the environment")


def substitute(value: Any, variables: Mapping[str, str]) -> Any:
    """`value` with every `{{name}}` in its strings replaced by `variables[name]` (a new
    value; `value` is not changed); raises UnknownVariable."""

    def filled(text: str) -> str:
        if "{{" not in text:
            return text
        return _PLACEHOLDER.sub(lambda found: _value_of(found.group(1), variables), text)

    return copy_json(value, strings=filled)


def _value_of(name: str, variables: Mapping[str, str]) -> str:
    if name not in variables:
        raise UnknownVariable(name)
    return variables[name]


def names_in(value: Any) -> set[str]:
    """The names of the placeholders in the strings of `value` (keys left out, as
    `substitute` leaves them)."""
    found: set[str] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "{{" in item:
                found.update(_PLACEHOLDER.findall(item))
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def mask(text: str, secrets: Iterable[str]) -> str:
    """`text` with every occurrence of each non-empty secret (and of its percent-encoded
    forms) replaced by `***`."""
    forms: set[str] = set()
    for secret in secrets:
        if secret:
            forms.update((secret, quote(secret, safe=""), quote_plus(secret, safe="")))
    if not forms or not text:
        return text
    ordered = sorted(forms, key=len, reverse=True)
    return re.sub("|".join(re.escape(form) for form in ordered), MASK, text)
