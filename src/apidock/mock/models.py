"""The mock server's tables.

- `mock_keys`: an app's mock keys. The secret is shown once, when made; only its SHA-256 is
  stored (a key is 32 random bytes, so a fast hash is as good as a slow one here) with its
  first characters, to tell keys apart in a list. A revoked key keeps its row, `revoked_at` set.
- `mock_stamps` (`MockStamp`, in `apidock.mock.stamps` with what keeps it): one row an app,
  whose `stamp` changes in the transaction of every change to
  the app's rows (`apidock.mock.stamps`): each instance's cache of the app's mock answers is
  valid while the stamp it was built at is the stored one.
- `mock_log`: the requests the mock answered, the last `MOCK_LOG_KEPT` of each app kept.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from apidock.db import Base, utcnow
from apidock.mock.stamps import MockStamp

KEY_HASH_LENGTH = 64  # hex SHA-256
KEY_PREFIX_LENGTH = 8
NAME_MAX_LENGTH = 80
LOG_PATH_MAX_LENGTH = 1000
LOG_SOURCE_MAX_LENGTH = 200
MOCK_LOG_KEPT = 100


class MockKey(Base):
    __tablename__ = "mock_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    app_id: Mapped[int] = mapped_column(ForeignKey("apps.id"), index=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX_LENGTH))
    key_hash: Mapped[str] = mapped_column(String(KEY_HASH_LENGTH), unique=True)
    prefix: Mapped[str] = mapped_column(String(KEY_PREFIX_LENGTH))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime | None] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)


class MockLogEntry(Base):
    __tablename__ = "mock_log"
    __table_args__ = (Index("ix_mock_log_app_id_id", "app_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    app_id: Mapped[int] = mapped_column(ForeignKey("apps.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    method: Mapped[str] = mapped_column(String(16))
    path: Mapped[str] = mapped_column(String(LOG_PATH_MAX_LENGTH))
    status: Mapped[int] = mapped_column(SmallInteger)
    source: Mapped[str] = mapped_column(String(LOG_SOURCE_MAX_LENGTH))


__all__ = ["MockKey", "MockLogEntry", "MockStamp"]
