"""The project directory: where relative paths of the settings (the var directory, a relative
SQLite database, `.env`) and the migrations are found, whatever the current directory.

It is the checkout this package was loaded from (the directory holding `pyproject.toml` and
`alembic.ini`, two levels above `src/apidock`), or the directory `APIDOCK_PROJECT_DIR` names.
An installed package has none: a relative path is then refused, naming the setting to give as
an absolute path, rather than taken from wherever the command happens to run (which made a new
empty database and a new JWT secret in each directory it ran from).

Imports nothing of the project, so that the settings can use it before anything is set up.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy.engine import make_url

PROJECT_DIR_ENV = "APIDOCK_PROJECT_DIR"
# src/apidock/project.py -> the checkout's root, in a checkout (an editable install included)
_CHECKOUT = Path(__file__).resolve().parents[2]
_IN_MEMORY = ("", ":memory:")


def checkout_dir() -> Path | None:
    """The checkout this package was loaded from; None for an installed package."""
    if (_CHECKOUT / "pyproject.toml").is_file() and (_CHECKOUT / "alembic.ini").is_file():
        return _CHECKOUT
    return None


def project_dir() -> Path | None:
    """`$APIDOCK_PROJECT_DIR` (absolute), else the checkout; None for an installed package.

    Read on each call, not cached: it is two `stat` calls, and a process (a test) may set it.
    """
    configured = os.environ.get(PROJECT_DIR_ENV, "").strip()
    if configured:
        return Path(configured).expanduser().resolve()
    return checkout_dir()


def dotenv_file() -> Path:
    """The `.env` the settings read: the project's, or the current directory's without one."""
    root = project_dir()
    return root / ".env" if root is not None else Path(".env")


def no_project_dir(setting: str, value: object, example: str) -> str:
    """The one-line refusal of a relative `value` of `setting` where there is no project."""
    return (
        f"{setting}: {str(value)!r} is relative, and API Dock runs from an installed package, "
        f"with no project directory to put it under: set {setting} to an absolute path "
        f"({example}), or {PROJECT_DIR_ENV} to the directory it is relative to"
    )


def anchored(path: Path) -> Path | None:
    """`path` made absolute: as it is when absolute, else under the project directory; None
    when it is relative and there is no project directory."""
    path = path.expanduser()
    if path.is_absolute():
        return path.resolve()
    root = project_dir()
    return (root / path).resolve() if root is not None else None


def anchored_sqlite_url(url: str) -> str:
    """`url` with a relative SQLite file made absolute under the project directory; any other
    URL unchanged. `ValueError` naming DATABASE_URL for a relative file without a project."""
    parsed = make_url(url)
    database = parsed.database or ""
    if (
        parsed.get_backend_name() != "sqlite"
        or database in _IN_MEMORY
        or database.startswith("file:")
        or Path(database).is_absolute()
    ):
        return url
    absolute = anchored(Path(database))
    if absolute is None:
        raise ValueError(no_project_dir("DATABASE_URL", database, "sqlite:////srv/apidock.db"))
    return parsed.set(database=str(absolute)).render_as_string(hide_password=False)
