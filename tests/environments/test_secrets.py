"""The sealing of an environment's secrets: AES-256-GCM, a key derived from SECRET_KEY, a
token bound to its app, and a clear error, never garbage, for anything it cannot read."""

from __future__ import annotations

import base64
import secrets
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from apidock.config import load_settings
from apidock.environments.secrets import (
    KEY_BYTES,
    NONCE_BYTES,
    SecretsUnreadable,
    decrypt_secrets,
    derive_key,
    encrypt_secrets,
    settings_key,
)

KEY = derive_key("a development secret key, " + "x" * 20)
SECRETS = {"token": "s3cr3t-canary-value", "password": "pässwörd ✓ long", "spaced": "  a  b  "}


def _raw(token: str) -> bytes:
    encoded = token.removeprefix("v1.")
    return base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))


def _token(raw: bytes) -> str:
    return "v1." + base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def test_secrets_come_back_as_they_were_sealed() -> None:
    token = encrypt_secrets(SECRETS, key=KEY, app_id=7)
    assert token is not None
    assert decrypt_secrets(token, key=KEY, app_id=7) == SECRETS


def test_the_token_is_versioned_url_safe_and_shows_no_value() -> None:
    token = encrypt_secrets(SECRETS, key=KEY, app_id=7)
    assert token is not None
    assert token.startswith("v1.")
    assert set(token[3:]) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    for name, value in SECRETS.items():
        assert value.encode() not in _raw(token)
        assert value not in token
        assert name not in token


def test_each_sealing_takes_a_new_nonce() -> None:
    tokens = {encrypt_secrets(SECRETS, key=KEY, app_id=7) for _ in range(50)}
    assert len(tokens) == 50
    nonces = {_raw(token)[:NONCE_BYTES] for token in tokens if token}
    assert len(nonces) == 50


def test_no_secrets_is_no_token_and_no_token_is_no_secrets() -> None:
    assert encrypt_secrets({}, key=KEY, app_id=1) is None
    assert decrypt_secrets(None, key=KEY, app_id=1) == {}


def test_another_key_is_a_clear_error() -> None:
    token = encrypt_secrets(SECRETS, key=KEY, app_id=7)
    other = derive_key("another secret key entirely, " + "y" * 20)
    with pytest.raises(SecretsUnreadable, match="SECRET_KEY"):
        decrypt_secrets(token, key=other, app_id=7)


def test_a_token_does_not_open_for_another_app() -> None:
    token = encrypt_secrets(SECRETS, key=KEY, app_id=7)
    with pytest.raises(SecretsUnreadable):
        decrypt_secrets(token, key=KEY, app_id=8)


def test_every_altered_byte_is_refused() -> None:
    token = encrypt_secrets({"a": "b"}, key=KEY, app_id=1)
    assert token is not None
    raw = _raw(token)
    for position in range(len(raw)):
        altered = bytearray(raw)
        altered[position] ^= 0x01
        with pytest.raises(SecretsUnreadable):
            decrypt_secrets(_token(bytes(altered)), key=KEY, app_id=1)


@pytest.mark.parametrize(
    "token",
    ["", "v1", "v1.", "v2." + "A" * 60, "V1." + "A" * 60, "v1.!!!!", "v1.AAAA", "v1. AAAA="],
)
def test_malformed_tokens_are_refused(token: str) -> None:
    with pytest.raises(SecretsUnreadable):
        decrypt_secrets(token, key=KEY, app_id=1)


def test_a_sealed_value_that_is_not_an_object_of_strings_is_refused() -> None:
    nonce = secrets.token_bytes(NONCE_BYTES)
    aad = b"apidock/environment-secrets/v1/app/1"
    for plaintext in (b'["a"]', b'{"a": 1}', b'"text"'):
        sealed = AESGCM(KEY).encrypt(nonce, plaintext, aad)
        with pytest.raises(SecretsUnreadable, match="not an object of strings"):
            decrypt_secrets(_token(nonce + sealed), key=KEY, app_id=1)


def test_the_key_is_derived_not_the_setting_itself() -> None:
    setting = "k" * 48
    key = derive_key(setting)
    assert len(key) == KEY_BYTES
    assert key == derive_key(setting)
    assert key != setting.encode()[:KEY_BYTES]
    assert key != derive_key(setting + "!")
    with pytest.raises(ValueError, match="empty"):
        derive_key("")


def test_a_key_of_another_length_is_refused() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        encrypt_secrets({"a": "b"}, key=b"short", app_id=1)


def test_the_settings_key_follows_secret_key(tmp_path: Path) -> None:
    one = load_settings(_env_file=None, APP_VAR_DIR=str(tmp_path), SECRET_KEY="a" * 40)
    two = load_settings(_env_file=None, APP_VAR_DIR=str(tmp_path), SECRET_KEY="b" * 40)
    assert settings_key(one) == derive_key("a" * 40)
    assert settings_key(one) != settings_key(two)
