"""Permission flags (powers of two) and the seeded roles; imports no domain.

The database keeps a role's permissions as an integer bit set, the API speaks names.
The original's constants (1, 21, 22 … 26) were not powers of two, so QA held admin rights.
"""

from __future__ import annotations

from enum import IntFlag


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


DEFAULT_ROLE = "User"
ADMIN_ROLE = "Administrator"

# The four roles of the original, with their permissions in this project (README "Roles").
SEEDED_ROLES: dict[str, Permission] = {
    DEFAULT_ROLE: Permission.READ_DOCS,
    "Developer": Permission.READ_DOCS | Permission.WRITE_DOCS | Permission.READ_USERS,
    "QA": Permission.READ_DOCS
    | Permission.WRITE_DOCS
    | Permission.READ_USERS
    | Permission.READ_LOGS,
    ADMIN_ROLE: ALL_PERMISSIONS,
}
