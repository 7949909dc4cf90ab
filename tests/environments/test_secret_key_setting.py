"""SECRET_KEY, the setting the secrets' key is derived from: made once and kept under var in
development, required and judged as JWT_SECRET_KEY is in production."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from apidock.config import JWT_SECRET_FILE, SECRET_KEY_FILE, Settings, SettingsError, load_settings

STRONG = "eheEI0-26l06KC929F3bQrcDKl_qoQjBxey1qMevwQw"  # secrets.token_urlsafe(32)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No setting from the caller's environment or `.env`; var under `tmp_path`."""
    for field in Settings.model_fields.values():
        if field.alias is not None:
            monkeypatch.delenv(str(field.alias), raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("SQLALCHEMY_DATABASE_URI", raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("APP_VAR_DIR", str(tmp_path / "var"))
    return tmp_path


def _secret_key(settings: Settings) -> str:
    assert settings.secret_key is not None
    return settings.secret_key.get_secret_value()


def test_development_makes_a_key_of_its_own_once_and_keeps_it(tmp_path: Path) -> None:
    first = load_settings()
    kept = tmp_path / "var" / SECRET_KEY_FILE
    assert kept.stat().st_mode & 0o777 == 0o600
    assert kept.read_text().strip() == _secret_key(first)
    assert len(_secret_key(first)) >= 32
    assert _secret_key(load_settings()) == _secret_key(first)
    # not the JWT key: each is made apart
    assert _secret_key(first) != first.jwt_secret
    assert (tmp_path / "var" / JWT_SECRET_FILE).exists()


def test_a_given_key_is_used_and_not_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SECRET_KEY", STRONG)
    assert _secret_key(load_settings()) == STRONG
    assert not (tmp_path / "var" / SECRET_KEY_FILE).exists()
    assert "eheEI0" not in repr(load_settings())


@pytest.mark.parametrize("key", [None, "", "short", "secret-key-change-me-in-production-please"])
def test_production_refuses_a_missing_or_weak_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, key: str | None
) -> None:
    monkeypatch.setenv("APP_CONFIG", "production")
    monkeypatch.setenv("JWT_SECRET_KEY", STRONG)
    if key is not None:
        monkeypatch.setenv("SECRET_KEY", key)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert message.startswith("invalid setting SECRET_KEY: "), message
    assert "\n" not in message
    if key:
        assert key not in message
    assert not (tmp_path / "var" / SECRET_KEY_FILE).exists()


def test_production_takes_a_strong_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APP_CONFIG", "production")
    monkeypatch.setenv("JWT_SECRET_KEY", STRONG)
    key = secrets.token_urlsafe(48)
    monkeypatch.setenv("SECRET_KEY", key)
    assert _secret_key(load_settings()) == key


def test_production_names_the_jwt_key_first_when_both_are_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("APP_CONFIG", "production")
    with pytest.raises(SettingsError, match=r"^invalid setting JWT_SECRET_KEY: "):
        load_settings()
