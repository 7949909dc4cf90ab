"""Mock keys as secrets: made, shown once, and recognised by their SHA-256.

A key is 32 random bytes (URL-safe base64, prefixed `mk_` so that it is recognisable in a
leak); 256 bits of entropy make a salted slow hash pointless, and a fast one lets every mock
request find its key by an indexed equality. The comparison is the database's index look-up of
the hash, so no secret is compared character by character in Python.
"""

from __future__ import annotations

import hashlib
import secrets

KEY_PREFIX = "mk_"
# a key longer than this is no key of ours: not hashed, answered as a wrong one
MAX_KEY_LENGTH = 128


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()
