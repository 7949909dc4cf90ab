"""Relative paths are the project directory's, never the current one's: `db current` from
another directory reads the project's database (and names it, with its standing against the
head), and makes no `var/` where it runs; an installed package, which has no project
directory, refuses a relative path naming the setting to give."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import make_url

from apidock import migrations, project
from apidock.config import SettingsError, load_settings, to_async_url
from apidock.migrations import MigrationError, find_alembic_ini
from apidock.project import PROJECT_DIR_ENV, dotenv_file
from apidock.readiness import code_revisions
from tests.test_cli import SETTING_NAMES, _child_environment, ok

HEAD = code_revisions().head
CHECKOUT = Path(__file__).resolve().parents[2]
KEYS = {
    "JWT_SECRET_KEY": "a-development-key-given-so-that-no-file-is-made-0123",
    "SECRET_KEY": "another-development-key-given-so-that-no-file-is-made",
}


def test_db_current_names_the_database_and_says_where_it_stands(database_url: str) -> None:
    shown = make_url(to_async_url(database_url)).render_as_string(hide_password=True)
    lines = ok("db", "current").output.splitlines()
    assert lines == [
        f"Database: {shown}",
        f"Revision: base (not migrated; the head is {HEAD}: run `apidock deploy`)",
    ]
    ok("db", "upgrade")
    assert ok("db", "current").output.splitlines()[1] == f"Revision: {HEAD} (head)"
    ok("db", "downgrade", "-1")
    previous = migrations.history()[1].revision
    assert ok("db", "current").output.splitlines()[1] == (
        f"Revision: {previous} (behind the head, {HEAD}: run `apidock db upgrade`)"
    )


def _apidock(env: dict[str, str], cwd: Path, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "apidock", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_db_current_from_another_directory_reads_the_projects_database(
    environment: dict[str, str], tmp_path: Path
) -> None:
    root, elsewhere = tmp_path / "project", tmp_path / "elsewhere"
    root.mkdir()
    elsewhere.mkdir()
    env = {
        name: value
        for name, value in _child_environment(environment).items()
        if name not in {"DATABASE_URL", "APP_VAR_DIR"}
    } | {PROJECT_DIR_ENV: str(root)}
    _apidock(env, elsewhere, "deploy")

    told = _apidock(env, elsewhere, "db", "current").splitlines()

    assert told == [
        f"Database: sqlite+aiosqlite:///{root / 'var' / 'apidock.db'}",
        f"Revision: {HEAD} (head)",
    ]
    assert list(elsewhere.iterdir()) == []
    assert {path.name for path in (root / "var").iterdir()} >= {"apidock.db", "jwt_secret"}


@pytest.fixture
def clean(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No setting from outside, no project directory setting; `tmp_path/here` is current."""
    for name in (*SETTING_NAMES, PROJECT_DIR_ENV, migrations.ALEMBIC_INI_ENV):
        monkeypatch.delenv(name, raising=False)
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    return here


def test_the_defaults_are_under_the_checkout_whatever_the_current_directory(clean: Path) -> None:
    settings = load_settings(_env_file=None, **KEYS)
    assert settings.var_dir == CHECKOUT / "var"
    assert settings.database_url == f"sqlite+aiosqlite:///{CHECKOUT / 'var' / 'apidock.db'}"
    assert dotenv_file() == CHECKOUT / ".env"
    (clean / "alembic.ini").write_text("[alembic]\nscript_location = elsewhere\n")
    assert find_alembic_ini() == CHECKOUT / "alembic.ini"
    assert list(clean.iterdir()) == [clean / "alembic.ini"]


def test_the_projects_dotenv_and_relative_paths_are_read_from_anywhere(
    clean: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    root = tmp_path / "project"
    root.mkdir()
    monkeypatch.setenv(PROJECT_DIR_ENV, str(root))
    (root / ".env").write_text(
        "JWT_TTL=15\nDATABASE_URL=sqlite:///data/dock.db\nAPP_VAR_DIR=state\n"
    )
    (clean / ".env").write_text("JWT_TTL=30\n")

    settings = load_settings(**KEYS)

    assert settings.jwt_ttl == 15
    assert settings.database_url == f"sqlite+aiosqlite:///{root / 'data' / 'dock.db'}"
    assert settings.var_dir == root / "state"
    # the checkout's migrations, since the project directory holds none
    assert find_alembic_ini() == CHECKOUT / "alembic.ini"


@pytest.fixture
def installed(clean: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """As from a wheel: the package's grandparent holds no pyproject.toml nor alembic.ini."""
    site = tmp_path / "lib" / "python3.11"
    site.mkdir(parents=True)
    monkeypatch.setattr(project, "_CHECKOUT", site)
    monkeypatch.setattr(migrations, "_SOURCE_ROOT", site)
    return clean


def test_an_installed_package_refuses_relative_paths_naming_the_setting(
    installed: Path, tmp_path: Path
) -> None:
    with pytest.raises(SettingsError) as no_var:
        load_settings(_env_file=None)
    message = str(no_var.value)
    assert message.startswith("invalid setting APP_VAR_DIR: 'var' is relative")
    assert "set APP_VAR_DIR to an absolute path" in message
    assert "\n" not in message

    with pytest.raises(SettingsError, match=r"^invalid setting DATABASE_URL: 'apidock\.db'"):
        load_settings(
            _env_file=None, DATABASE_URL="sqlite:///apidock.db", APP_VAR_DIR=str(tmp_path / "v")
        )
    with pytest.raises(MigrationError, match="APIDOCK_ALEMBIC_INI"):
        find_alembic_ini()
    assert list(installed.iterdir()) == []


def test_an_installed_package_needs_no_var_directory_where_nothing_is_kept(
    installed: Path, tmp_path: Path
) -> None:
    given = load_settings(_env_file=None, APP_VAR_DIR=str(tmp_path / "state"))
    assert given.database_url == f"sqlite+aiosqlite:///{tmp_path / 'state' / 'apidock.db'}"
    production = load_settings(
        _env_file=None,
        APP_CONFIG="production",
        DATABASE_URL="postgresql://dock@db.example/apidock",
        JWT_SECRET_KEY="mJ3q8Vw2kZpR7xNc4TfY9bLs6HdG1eUa5oWi0rQv",
        SECRET_KEY="Xk7Pz2Nq9Lw4Rt6Yc1Vb8Md3Fg5Hs0Ja2Ue7Io4Q",
    )
    assert production.database_url == "postgresql+asyncpg://dock@db.example/apidock"
    assert list(installed.iterdir()) == []
