"""A change found between two documents, and the catalogue of the rules that find them.

Rule ids and levels follow oasdiff's checker catalogue (its `error` is `breaking`, `warn` is
`warning`, `info` is `info`), so a team moving from oasdiff keeps its ids. Every rule a module
emits is declared in a catalogue (`declare`), once: `Change.of` refuses an id nobody declared,
so the README's list of rules and what the engine can say never drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Level = Literal["breaking", "warning", "info"]
LEVELS: tuple[Level, ...] = ("breaking", "warning", "info")
_RANK: dict[Level, int] = {"breaking": 0, "warning": 1, "info": 2}

_CATALOGUE: dict[str, Level] = {}


def declare(rules: dict[str, Level]) -> None:
    """Add rules to the catalogue; an id declared twice with another level is a bug."""
    for rule_id, level in rules.items():
        known = _CATALOGUE.setdefault(rule_id, level)
        if known != level:
            raise ValueError(f"rule {rule_id} declared as {known} and as {level}")


def catalogue() -> dict[str, Level]:
    """Every rule id the engine can report, with its level (a copy)."""
    return dict(_CATALOGUE)


def at_least(level: Level, threshold: Level) -> bool:
    """Whether `level` is `threshold` or graver (`warning` is met by `breaking` too)."""
    return _RANK[level] <= _RANK[threshold]


@dataclass(frozen=True, slots=True)
class Change:
    """One finding: `operation` is `"METHOD /path"` (None for a document-level change),
    `pointer` an RFC 6901 pointer into the `to` document, or into the `from` document for
    what was removed."""

    id: str
    level: Level
    operation: str | None
    pointer: str
    message: str

    @classmethod
    def of(cls, rule_id: str, *, operation: str | None, pointer: str, message: str) -> Change:
        """The change of a declared rule, at the rule's level."""
        level = _CATALOGUE.get(rule_id)
        if level is None:
            raise KeyError(f"undeclared rule {rule_id}")
        return cls(rule_id, level, operation, pointer, message)

    def as_json(self) -> dict[str, str | None]:
        return {
            "id": self.id,
            "level": self.level,
            "operation": self.operation,
            "pointer": self.pointer,
            "message": self.message,
        }
