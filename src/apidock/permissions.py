"""Permission flags (powers of two) and the seeded roles; imports no domain.

The database keeps a role's permissions as an integer bit set, the API speaks names.
The original's constants (1, 21, 22 … 26) were not powers of two, so QA held admin rights.
"""

from __future__ import annotations

from enum import IntFlag
from typing import NamedTuple


class Permission(IntFlag):
    READ_USERS = 1
    WRITE_USERS = 2
    BLOCK_USERS = 4
    DELETE_USERS = 8
    MANAGE_ROLES = 16
    READ_DOCS = 32
    WRITE_DOCS = 64
    DELETE_APPS = 128
    READ_LOGS = 256
    ADMIN = 512

    @property
    def api_name(self) -> str:
        """The name the API speaks, such as `read_users`."""
        assert self.name is not None
        return self.name.lower()


ALL_PERMISSIONS = Permission(sum(Permission))


def permission_names(bits: int) -> list[str]:
    """The names of the flags set in `bits`, in flag order; unknown bits are ignored."""
    return [flag.api_name for flag in Permission if bits & flag]


def permission_bits(names: list[str]) -> int:
    """The bit set for `names`; raises `KeyError` on an unknown name."""
    bits = 0
    for name in names:
        bits |= Permission[name.upper()]
    return bits


def has_permissions(bits: int, required: Permission) -> bool:
    """True when `bits` holds every flag of `required`, or administration."""
    return bool(bits & Permission.ADMIN) or (bits & required) == required


class SeededRole(NamedTuple):
    """A role `apidock deploy` keeps as defined, known by `key` (`roles.seed_key`).

    Only deploy and the migrations write a seed key, so no role made or renamed through the
    API becomes a seeded one. `title` is the one deploy gives the role when it creates it;
    an administrator may rename it.
    """

    key: str
    title: str
    permissions: Permission


DEFAULT_ROLE = "User"
ADMIN_ROLE = "Administrator"
DEFAULT_ROLE_KEY = "user"
ADMIN_ROLE_KEY = "administrator"

# The four roles of the original, with their permissions in this project (README "Roles").
SEEDS: tuple[SeededRole, ...] = (
    SeededRole(DEFAULT_ROLE_KEY, DEFAULT_ROLE, Permission.READ_DOCS),
    SeededRole(
        "developer",
        "Developer",
        Permission.READ_DOCS | Permission.WRITE_DOCS | Permission.READ_USERS,
    ),
    SeededRole(
        "qa",
        "QA",
        Permission.READ_DOCS | Permission.WRITE_DOCS | Permission.READ_USERS | Permission.READ_LOGS,
    ),
    SeededRole(ADMIN_ROLE_KEY, ADMIN_ROLE, ALL_PERMISSIONS),
)
# their first titles and permissions
SEEDED_ROLES: dict[str, Permission] = {seed.title: seed.permissions for seed in SEEDS}
