"""Settings: URL forms, the original's names, `.env`, one-line errors and the JWT secret."""

from __future__ import annotations

import re
import secrets
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import make_url

from apidock.config import (
    JWT_SECRET_FILE,
    Settings,
    SettingsError,
    load_or_create_secret,
    load_settings,
)
from apidock.project import PROJECT_DIR_ENV

ROOT = Path(__file__).resolve().parent.parent
STRONG_SECRET = "eheEI0-26l06KC929F3bQrcDKl_qoQjBxey1qMevwQw"  # secrets.token_urlsafe(32)

# every variable the settings read, so the tests start from a clean environment
SETTING_NAMES = sorted(
    {str(field.alias) for field in Settings.model_fields.values() if field.alias is not None}
    | {"DATABASE_URL", "SQLALCHEMY_DATABASE_URI"}
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No setting from the caller's environment or `.env`; var under `tmp_path`."""
    for name in SETTING_NAMES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    monkeypatch.chdir(tmp_path)
    # the project directory: its `.env` is read, relative paths are under it
    monkeypatch.setenv(PROJECT_DIR_ENV, str(tmp_path))
    monkeypatch.setenv("APP_VAR_DIR", str(tmp_path / "var"))
    return tmp_path


@pytest.mark.parametrize(
    ("raw", "driver", "query"),
    [
        ("sqlite:///var/apidock.db", "sqlite+aiosqlite", {}),
        ("sqlite:////srv/apidock/apidock.db", "sqlite+aiosqlite", {}),
        ("sqlite+pysqlite:///apidock.db", "sqlite+aiosqlite", {}),
        ("postgresql://dock:pw@db.example:5432/apidock", "postgresql+asyncpg", {}),
        ("postgres://dock:pw@db.example/apidock", "postgresql+asyncpg", {}),
        ("postgresql+psycopg2://dock:pw@db.example/apidock", "postgresql+asyncpg", {}),
        (
            "postgresql://dock@/apidock?host=/run/postgresql",
            "postgresql+asyncpg",
            {"host": "/run/postgresql"},
        ),
        ("mysql://dock:pw@db.example:3306/apidock", "mysql+aiomysql", {"charset": "utf8mb4"}),
        ("mysql+pymysql://dock:pw@db.example/apidock", "mysql+aiomysql", {"charset": "utf8mb4"}),
        (
            "mysql+pymysql://dock:pw@localhost/apidock?unix_socket=/run/mysqld/mysqld.sock",
            "mysql+aiomysql",
            {"unix_socket": "/run/mysqld/mysqld.sock", "charset": "utf8mb4"},
        ),
        ("mysql://dock@db.example/apidock?charset=utf8", "mysql+aiomysql", {"charset": "utf8"}),
    ],
)
def test_database_url_gets_the_async_driver_and_keeps_its_options(
    raw: str, driver: str, query: dict[str, str], tmp_path: Path
) -> None:
    settings = load_settings(DATABASE_URL=raw)
    url = make_url(settings.database_url)
    original = make_url(raw)
    if driver == "sqlite+aiosqlite" and not raw.startswith("sqlite:////"):
        # a relative SQLite file is the project directory's (apidock.project)
        original = original.set(database=str(tmp_path / (original.database or "")))
    assert url.drivername == driver
    assert dict(url.query) == query
    assert (url.username, url.password, url.host, url.port, url.database) == (
        original.username,
        original.password,
        original.host,
        original.port,
        original.database,
    )


def test_password_with_reserved_characters_survives() -> None:
    settings = load_settings(DATABASE_URL="postgresql://dock:p%40ss%2Fw0rd@db.example/apidock")
    assert make_url(settings.database_url).password == "p@ss/w0rd"


def test_default_database_is_sqlite_under_var(tmp_path: Path) -> None:
    settings = load_settings()
    assert settings.database_url == f"sqlite+aiosqlite:///{tmp_path / 'var' / 'apidock.db'}"
    assert settings.database_backend == "sqlite"


def test_original_name_sqlalchemy_database_uri_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SQLALCHEMY_DATABASE_URI", "mysql+pymysql://dock:pw@db.example/apidock")
    assert load_settings().database_url.startswith("mysql+aiomysql://dock:pw@db.example/apidock")


def test_database_url_wins_over_the_original_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SQLALCHEMY_DATABASE_URI", "mysql://dock@db.example/old")
    monkeypatch.setenv("DATABASE_URL", "postgresql://dock@db.example/new")
    assert load_settings().database_url == "postgresql+asyncpg://dock@db.example/new"


def test_dotenv_file_is_read_and_the_environment_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".env").write_text(
        "JWT_TTL=15\n"
        "APP_ROOT_ADMIN=root\n"
        "SQLALCHEMY_DATABASE_URI=postgres://dock@db.example/apidock\n"
        "CORS_ORIGINS=https://a.example, https://b.example\n"
    )
    settings = load_settings()
    assert settings.jwt_ttl == 15
    assert settings.app_root_admin == "root"
    assert settings.database_url == "postgresql+asyncpg://dock@db.example/apidock"
    assert settings.cors_origins == ["https://a.example", "https://b.example"]

    monkeypatch.setenv("JWT_TTL", "30")
    assert load_settings().jwt_ttl == 30


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("JWT_TTL", "an hour"),
        ("JWT_TTL", "0"),
        ("APP_CONFIG", "staging"),
        ("DATABASE_URL", "oracle://scott:tiger@db.example/orcl"),
        ("DATABASE_URL", "not a url"),
        ("SQLALCHEMY_DATABASE_URI", "mssql://sa@db.example/apidock"),
        ("USER_PER_PAGE", "500"),
        ("JWT_ALGORITHM", "none"),
        ("APP_ROOT_ADMIN", "x"),
        ("DB_ECHO", "sometimes"),
    ],
)
def test_bad_value_is_one_line_naming_the_setting(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert "\n" not in message
    shown = "DATABASE_URL" if name == "SQLALCHEMY_DATABASE_URI" else name
    assert re.search(rf"\b{shown}\b", message), message


def test_bad_value_in_dotenv_is_named_too(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("LOGIN_MAX_FAILURES=-1\n")
    with pytest.raises(SettingsError, match="LOGIN_MAX_FAILURES"):
        load_settings()


def test_development_secret_is_generated_once_and_reused(tmp_path: Path) -> None:
    first = load_settings()
    secret_file = tmp_path / "var" / JWT_SECRET_FILE
    assert secret_file.exists()
    assert secret_file.stat().st_mode & 0o777 == 0o600
    assert len(first.jwt_secret) >= 32
    again = load_settings()
    assert again.jwt_secret == first.jwt_secret
    assert secret_file.read_text().strip() == first.jwt_secret


def test_given_secret_is_used_and_not_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JWT_SECRET_KEY", STRONG_SECRET)
    assert load_settings().jwt_secret == STRONG_SECRET
    assert not (tmp_path / "var" / JWT_SECRET_FILE).exists()


def test_secret_created_concurrently_is_agreed(tmp_path: Path) -> None:
    var_dir = tmp_path / "shared-var"
    workers = 16
    start = threading.Barrier(workers)

    def create() -> str:
        start.wait()
        return load_or_create_secret(var_dir)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        secrets = set(pool.map(lambda _: create(), range(workers)))
    assert len(secrets) == 1
    assert secrets == {(var_dir / JWT_SECRET_FILE).read_text().strip()}
    assert [path.name for path in var_dir.iterdir()] == [JWT_SECRET_FILE]


@pytest.mark.parametrize("secret", [None, "", "short-secret", "x" * 31])
def test_production_refuses_a_missing_or_short_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, secret: str | None
) -> None:
    monkeypatch.setenv("APP_CONFIG", "production")
    if secret is not None:
        monkeypatch.setenv("JWT_SECRET_KEY", secret)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert "JWT_SECRET_KEY" in str(caught.value)
    assert "\n" not in str(caught.value)
    assert not (tmp_path / "var" / JWT_SECRET_FILE).exists()


def test_production_accepts_a_strong_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APP_CONFIG", "production")
    monkeypatch.setenv("JWT_SECRET_KEY", STRONG_SECRET)
    monkeypatch.setenv("SECRET_KEY", secrets.token_urlsafe(48))
    settings = load_settings()
    assert settings.app_config == "production"
    assert settings.jwt_secret == STRONG_SECRET


def test_env_example_names_every_setting() -> None:
    text = (ROOT / ".env.example").read_text()
    named = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", text, flags=re.MULTILINE))
    expected = set(SETTING_NAMES) - {"SQLALCHEMY_DATABASE_URI"}
    assert expected <= named, f"missing from .env.example: {sorted(expected - named)}"
    assert "SQLALCHEMY_DATABASE_URI" in text


def test_configuration_table_names_every_setting() -> None:
    # the settings' table moved from the README to the operator's manual
    text = (ROOT / "docs" / "configuration.md").read_text()
    rows = set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)`", text, flags=re.MULTILINE))
    expected = set(SETTING_NAMES) - {"SQLALCHEMY_DATABASE_URI"}
    assert expected <= rows, f"missing from docs/configuration.md: {sorted(expected - rows)}"
