"""The production JWT secret must be unpredictable: random keys always pass, repeated patterns,
runs, few symbols and placeholder phrases are refused with one line naming the setting."""

from __future__ import annotations

import base64
import os
import secrets
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from apidock.config import (
    MIN_PRODUCTION_SECRET_BITS,
    SettingsError,
    estimated_entropy_bits,
    load_settings,
    weak_secret_reason,
)
from tests.conftest import TEST_JWT_SECRET

KEYS_PER_GENERATOR = 5000

# what the README, .env.example and common tools suggest; each yields at least 32 bytes of key
GENERATORS: dict[str, Callable[[], str]] = {
    "token_urlsafe(32)": lambda: secrets.token_urlsafe(32),
    "token_urlsafe(24), 32 characters": lambda: secrets.token_urlsafe(24),
    "token_urlsafe(48)": lambda: secrets.token_urlsafe(48),
    "openssl rand -hex 32": lambda: secrets.token_hex(32),
    "openssl rand -hex 16, 32 characters": lambda: secrets.token_hex(16),
    "upper-case hex, 32 characters": lambda: secrets.token_hex(16).upper(),
    "openssl rand -base64 32": lambda: base64.b64encode(os.urandom(32)).decode(),
    "openssl rand -base64 24, 32 characters": lambda: base64.b64encode(os.urandom(24)).decode(),
}

_random16 = "hQ3vZ8pLk2Wn9XcR"
WEAK_KEYS = {
    "one character": "k" * 32,
    "one character, long": "x" * 200,
    "one character and another": "x" * 31 + "y",
    "two characters": "ab" * 16,
    "short pattern": "abc" * 11,
    "hex digits twice": "0123456789abcdef" * 2,
    "a random part repeated": _random16 * 2,
    "a random part repeated, cut short": (_random16 * 3)[:40],
    "digits counting": "12345678901234567890123456789012",
    "letters counting": "abcdefghijklmnopqrstuvwxyz012345",
    "counting in steps": "acegikmoqsuwy02468:<>@BDFHJLNPRT",
    "counting in pairs": "aabbccddeeffgghhiijjkkllmmnnoopp",
    "alternating case": "AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEf",
    "keyboard walk": "qwertyuiopasdfghjklzxcvbnm123456",
    "changeme repeated": "changeme" * 4,
    "secret repeated": "secret" * 6,
    "your-secret-key": "your-secret-key-your-secret-key-",
    "tutorial placeholder": "your-super-secret-jwt-key-change-me-in-production",
    "change this": "please-change-this-to-a-long-random-string",
    "leet placeholder": "S3cr3tK3y-F0r-Pr0duct10n-2025-abc",
    "run-together placeholder": "mysupersecretkeythatnobodyknows123",
    "named after the app": "apidock-jwt-signing-key-for-production-2026",
    "the test suite's secret": TEST_JWT_SECRET,
    "zeros": "0" * 64,
}


@pytest.fixture
def production(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Production settings from a clean environment and no `.env`."""
    for name in ("JWT_SECRET_KEY", "DATABASE_URL", "SQLALCHEMY_DATABASE_URI"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("APP_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("APP_CONFIG", "production")
    # the other key production requires (SECRET_KEY, the environments' secrets), always strong
    monkeypatch.setenv("SECRET_KEY", secrets.token_urlsafe(48))


@pytest.mark.parametrize("make", list(GENERATORS.values()), ids=list(GENERATORS))
def test_every_random_key_passes(make: Callable[[], str]) -> None:
    refused = [
        key for key in (make() for _ in range(KEYS_PER_GENERATOR)) if weak_secret_reason(key)
    ]
    assert refused == []


@pytest.mark.skipif(shutil.which("openssl") is None, reason="no openssl on this machine")
@pytest.mark.parametrize(
    "args", [["-hex", "32"], ["-hex", "16"], ["-base64", "32"], ["-base64", "48"]]
)
def test_keys_of_openssl_rand_pass(args: list[str]) -> None:
    for _ in range(20):
        key = subprocess.run(
            ["openssl", "rand", *args],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        assert weak_secret_reason(key) is None, key


def test_random_keys_stay_far_above_the_floor() -> None:
    """The margin that makes a false refusal practically impossible, not just rare."""
    lowest = min(estimated_entropy_bits(secrets.token_hex(16)) for _ in range(KEYS_PER_GENERATOR))
    assert lowest > MIN_PRODUCTION_SECRET_BITS + 16


@pytest.mark.parametrize("key", list(WEAK_KEYS.values()), ids=list(WEAK_KEYS))
def test_weak_keys_are_refused_in_production(
    production: None, monkeypatch: pytest.MonkeyPatch, key: str
) -> None:
    assert len(key.encode()) >= 32  # long enough: only the new check refuses it
    assert weak_secret_reason(key) is not None

    monkeypatch.setenv("JWT_SECRET_KEY", key)
    with pytest.raises(SettingsError) as caught:
        load_settings(_env_file=None)

    message = str(caught.value)
    assert message.startswith("invalid setting JWT_SECRET_KEY: ")
    assert "\n" not in message
    assert key not in message  # the key itself never lands in a log
    assert "secrets.token_urlsafe" in message  # and the way to make a good one


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("ab" * 16, "one short pattern repeated"),
        ("your-super-secret-jwt-key-change-me-in-production", "placeholder words"),
        ("12345678901234567890123456789013", "bits of randomness"),
    ],
)
def test_the_reason_says_what_is_wrong(key: str, reason: str) -> None:
    found = weak_secret_reason(key)
    assert found is not None
    assert reason in found


def test_a_random_key_with_a_word_in_it_still_passes() -> None:
    """Placeholder words are left out of the estimate, not refused wherever they appear."""
    assert weak_secret_reason("secret-" + secrets.token_urlsafe(32)) is None
    assert weak_secret_reason(secrets.token_hex(16) + "-production") is None


@pytest.mark.parametrize("make", [lambda: secrets.token_urlsafe(32), lambda: secrets.token_hex(32)])
def test_production_accepts_a_random_key(
    production: None, monkeypatch: pytest.MonkeyPatch, make: Callable[[], str]
) -> None:
    key = make()
    monkeypatch.setenv("JWT_SECRET_KEY", key)
    assert load_settings(_env_file=None).jwt_secret == key


@pytest.mark.parametrize("environment", ["testing", "development"])
def test_other_environments_accept_any_key(
    production: None, monkeypatch: pytest.MonkeyPatch, environment: str
) -> None:
    monkeypatch.setenv("APP_CONFIG", environment)
    for key in (TEST_JWT_SECRET, "k" * 32):
        monkeypatch.setenv("JWT_SECRET_KEY", key)
        assert load_settings(_env_file=None).jwt_secret == key


def test_env_example_and_the_manual_suggest_a_generated_key() -> None:
    root = Path(__file__).resolve().parent.parent
    suggestion = 'python3 -c "import secrets; print(secrets.token_urlsafe(48))"'
    for name in (".env.example", "docs/configuration.md"):
        assert suggestion in (root / name).read_text(), name
    assert weak_secret_reason(secrets.token_urlsafe(48)) is None
