"""The rules of user names and passwords, and the key names are compared by; imports no service.

Kept apart from `users.service` so that authentication (`auth.principal`), which that service
builds on, can compare names the same way without importing back into it.
"""

from __future__ import annotations

import unicodedata

from apidock.auth.schemas import PASSWORD_MAX_LENGTH
from apidock.users.models import NAME_KEY_MAX_LENGTH, NAME_MAX_LENGTH
from apidock.users.schemas import PASSWORD_MIN_LENGTH

NAME_MIN_LENGTH = 2

# Unicode categories a name may not hold: control, format (invisible), surrogate, private
# use and unassigned characters, and the line and paragraph separators.
_FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def normalize_name(name: str) -> str:
    """`name` in NFKC form without surrounding spaces; `ValueError` when it breaks the rules.

    A name holds 2 to 20 characters (counted after normalisation), none of them a control
    or invisible formatting character.
    """
    normalized = unicodedata.normalize("NFKC", name).strip()
    if not NAME_MIN_LENGTH <= len(normalized) <= NAME_MAX_LENGTH:
        raise ValueError(
            f"a name holds {NAME_MIN_LENGTH} to {NAME_MAX_LENGTH} characters, not {len(normalized)}"
        )
    if any(unicodedata.category(char) in _FORBIDDEN_CATEGORIES for char in normalized):
        raise ValueError("a name may not contain control or invisible characters")
    if len(name_key(normalized)) > NAME_KEY_MAX_LENGTH:
        raise ValueError("a name may not grow past its limit when case-folded")
    return normalized


def name_key(name: str) -> str:
    """The form of `name` that two names share when they differ only in case or width.

    NFKC, surrounding spaces removed, case folding, then NFKC again (Unicode's
    NFKC_Casefold without the removal of ignorable characters, which `normalize_name` refuses).
    """
    folded = unicodedata.normalize("NFKC", name).strip().casefold()
    return unicodedata.normalize("NFKC", folded)


def is_root_name(name: str, root_name: str) -> bool:
    """True when `name` is the root administrator's, `APP_ROOT_ADMIN` (`root_name`).

    Compared by `name_key`, as deploy finds the root: `APP_ROOT_ADMIN` is stored normalised,
    or an existing user of another case or width is taken as the root, so comparing the
    setting as written would miss the root and leave it unprotected.
    """
    return name_key(name) == name_key(root_name)


def validate_password(password: str) -> str:
    """`password` unchanged; `ValueError` when it is too short or too long."""
    if len(password) < PASSWORD_MIN_LENGTH:
        raise ValueError(f"a password holds at least {PASSWORD_MIN_LENGTH} characters")
    if len(password) > PASSWORD_MAX_LENGTH:
        raise ValueError(f"a password holds at most {PASSWORD_MAX_LENGTH} characters")
    return password
