"""What reading, converting and checking a document found: problems by JSON Pointer.

A pointer is an RFC 6901 JSON Pointer into the document *as it was sent* (before any
conversion), so that a user can find the place in their own file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from apidock.errors import Unprocessable


def pointer(*tokens: str | int) -> str:
    """The RFC 6901 pointer of `tokens` from the root: `pointer("paths", "/a/{id}")` is
    `/paths/~1a~1{id}`; no tokens is the root, ``""``."""
    return "".join("/" + str(token).replace("~", "~0").replace("/", "~1") for token in tokens)


def child(parent: str, *tokens: str | int) -> str:
    """The pointer of `tokens` below the pointer `parent`."""
    return parent + pointer(*tokens)


def tokens_of(json_pointer: str) -> list[str]:
    """The unescaped reference tokens of `json_pointer` (``""`` is the root: no tokens).

    Raises ValueError for a pointer that does not start with ``/``.
    """
    if json_pointer == "":
        return []
    if not json_pointer.startswith("/"):
        raise ValueError(f"not a JSON Pointer: {json_pointer!r}")
    return [part.replace("~1", "/").replace("~0", "~") for part in json_pointer[1:].split("/")]


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing found at `pointer`: `type` is a short dotted kind such as `ref.external`."""

    pointer: str
    message: str
    type: str

    def as_entry(self) -> dict[str, str]:
        """The entry of an import report's `warnings` or `lost`."""
        return {"pointer": self.pointer, "message": self.message}

    def as_refusal(self) -> dict[str, str]:
        """The entry of a 422's `data`: the API's error shape, with `field` the pointer."""
        return {"field": self.pointer, "message": self.message, "type": self.type}


@dataclass(slots=True)
class Report:
    """What an import did to the document: changed (`warnings`) and not carried (`lost`)."""

    format: str = ""
    warnings: list[Problem] = field(default_factory=list)
    lost: list[Problem] = field(default_factory=list)

    def warn(self, at: str, message: str, type: str = "converted") -> None:
        self.warnings.append(Problem(at, message, type))

    def lose(self, at: str, message: str, type: str = "lost") -> None:
        self.lost.append(Problem(at, message, type))

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "warnings": [problem.as_entry() for problem in self.warnings],
            "lost": [problem.as_entry() for problem in self.lost],
        }


class DocumentRefused(Unprocessable):
    """A document that cannot be taken in: 422 with one entry per problem (nothing written)."""

    message = "The document cannot be imported"

    def __init__(self, problems: Iterable[Problem], message: str | None = None) -> None:
        self.problems = list(problems)
        super().__init__(message, data=[problem.as_refusal() for problem in self.problems])

    def __reduce__(self) -> tuple[Any, ...]:
        # raised in an import's own process (apidock.imports.pool), read in the server's
        return (type(self), (self.problems, self.message))
