"""The secrets of an environment, sealed: AES-256-GCM under a key derived from `SECRET_KEY`.

Decisions:
- One token per environment holds the JSON object of all its secrets (names to values), so
  that a write replaces them whole and no value is ever stored, logged or audited in the clear.
- The key is HKDF-SHA256 of `SECRET_KEY` with a fixed salt and an `info` naming this use, so
  the same setting could key other uses without their keys being related; `SECRET_KEY` is
  never used as a key itself.
- A random 96-bit nonce per encryption (a write of an environment's secrets is rare: far
  below the 2^32 encryptions under one key that random nonces are safe for).
- The associated data binds a token to the app of its environment: a token copied into
  another app's row does not decrypt there.
- Tokens are versioned, `v1.` then the URL-safe base64 (unpadded) of nonce ‖ ciphertext ‖
  tag, so that another scheme can follow and the old tokens stay readable.
- A wrong key (a changed `SECRET_KEY`), an altered or truncated token and an unknown version
  all raise `SecretsUnreadable`, never return garbage: GCM's tag is checked before anything
  is decoded. Changing `SECRET_KEY` therefore means writing every environment's secrets again.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from collections.abc import Mapping
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from apidock.config import Settings

TOKEN_VERSION = "v1"  # noqa: S105 (the format's version)
KEY_BYTES = 32  # AES-256
NONCE_BYTES = 12  # 96 bits, GCM's own size
TAG_BYTES = 16
_HKDF_SALT = b"apidock.environments.secrets"
_HKDF_INFO = b"apidock environment secrets: AES-256-GCM key, v1"
_TO_STANDARD_BASE64 = str.maketrans("-_", "+/")


class SecretsUnreadable(Exception):
    """The sealed secrets cannot be read: another key, another app, or an altered token."""


@lru_cache(maxsize=4)
def derive_key(secret_key: str) -> bytes:
    """The 32-byte AES key of the environments' secrets, derived from `SECRET_KEY`."""
    if not secret_key:
        raise ValueError("SECRET_KEY is empty: no key can be derived from it")
    hkdf = HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=_HKDF_SALT, info=_HKDF_INFO)
    return hkdf.derive(secret_key.encode("utf-8"))


def settings_key(settings: Settings) -> bytes:
    """The key of the environments' secrets under `settings` (their resolved `SECRET_KEY`)."""
    if settings.secret_key is None:
        raise ValueError("SECRET_KEY is not set")
    return derive_key(settings.secret_key.get_secret_value())


def _associated_data(app_id: int) -> bytes:
    return f"apidock/environment-secrets/{TOKEN_VERSION}/app/{app_id}".encode()


def _cipher(key: bytes) -> AESGCM:
    if len(key) != KEY_BYTES:
        raise ValueError(f"the secrets key is {KEY_BYTES} bytes, not {len(key)}")
    return AESGCM(key)


def encrypt_secrets(secrets: Mapping[str, str], *, key: bytes, app_id: int) -> str | None:
    """The token sealing `secrets` for an environment of the app `app_id`; None for none."""
    if not secrets:
        return None
    plaintext = json.dumps(dict(sorted(secrets.items())), ensure_ascii=False).encode("utf-8")
    nonce = os.urandom(NONCE_BYTES)
    sealed = _cipher(key).encrypt(nonce, plaintext, _associated_data(app_id))
    encoded = base64.urlsafe_b64encode(nonce + sealed).rstrip(b"=").decode("ascii")
    return f"{TOKEN_VERSION}.{encoded}"


def decrypt_secrets(token: str | None, *, key: bytes, app_id: int) -> dict[str, str]:
    """The secrets `token` seals for an environment of the app `app_id` (`{}` for None);
    `SecretsUnreadable` when it cannot be read with `key` for that app."""
    if token is None:
        return {}
    version, dot, encoded = token.partition(".")
    if not dot or version != TOKEN_VERSION:
        raise SecretsUnreadable("the stored secrets are not a token of a known version")
    try:
        standard = encoded.translate(_TO_STANDARD_BASE64) + "=" * (-len(encoded) % 4)
        raw = base64.b64decode(standard, validate=True)
    except (binascii.Error, ValueError):
        raise SecretsUnreadable("the stored secrets token is not valid base64") from None
    if len(raw) < NONCE_BYTES + TAG_BYTES:
        raise SecretsUnreadable("the stored secrets token is truncated")
    try:
        plaintext = _cipher(key).decrypt(
            raw[:NONCE_BYTES], raw[NONCE_BYTES:], _associated_data(app_id)
        )
    except InvalidTag:
        raise SecretsUnreadable(
            "the environment's secrets cannot be decrypted: SECRET_KEY is not the key they "
            "were written with (write them again), or the stored token was altered"
        ) from None
    secrets = json.loads(plaintext)
    if not isinstance(secrets, dict) or not all(
        isinstance(name, str) and isinstance(value, str) for name, value in secrets.items()
    ):
        raise SecretsUnreadable("the decrypted secrets are not an object of strings")
    return secrets
