"""The tables of revisions and releases (see the package's docstring for the design).

- `revision_heads`: an app's latest revision number. Writing a revision UPDATEs it first:
  that row lock is what makes two writers of one app number their revisions one after the
  other.
- `revisions`: one row a revision of an app's description, numbered from 1 per app. Its
  content is either a `snapshot` (the whole document) or a `patch` (RFC 6902 operations from
  the revision before it), never both: `storage` reads a revision from the newest snapshot at
  or before it and the patches after that one.
- `releases`: a version name given to one revision of an app.

A revision and a release name their app through its head row, itself the app's (a foreign
key to `apps`): inserting one then checks the head row, which the writing transaction holds
already, never the app's row, which writers lock first. Checking that one, a writer holding an
API's row lock would wait on a delete of the app, itself holding the app's row and waiting on
the API's: a deadlock (PostgreSQL's FOR KEY SHARE, InnoDB's shared lock of a parent row).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import Mapped, mapped_column, relationship

from apidock.db import Base, case_sensitive_string, utcnow
from apidock.users.models import User

SUMMARY_MAX_LENGTH = 200
HASH_LENGTH = 64  # hex SHA-256
VERSION_MAX_LENGTH = 100
# zlib-compressed JSON: a BLOB is 64 KiB on MariaDB, a compressed document may be megabytes
CONTENT = LargeBinary().with_variant(mysql.LONGBLOB(), "mysql", "mariadb")


class RevisionHead(Base):
    __tablename__ = "revision_heads"

    app_id: Mapped[int] = mapped_column(ForeignKey("apps.id"), primary_key=True)
    # 0 for an app whose description has no revision yet (one made before revisions were kept)
    number: Mapped[int] = mapped_column(default=0)


class Revision(Base):
    __tablename__ = "revisions"
    __table_args__ = (UniqueConstraint("app_id", "number", name="uq_revisions_app_id_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    app_id: Mapped[int] = mapped_column(ForeignKey("revision_heads.app_id"))
    number: Mapped[int]
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    summary: Mapped[str] = mapped_column(String(SUMMARY_MAX_LENGTH))
    # SHA-256 of the document's canonical JSON (keys sorted): equal documents, equal hashes
    hash: Mapped[str] = mapped_column(String(HASH_LENGTH))
    snapshot: Mapped[bytes | None] = mapped_column(CONTENT, deferred=True, deferred_raiseload=True)
    patch: Mapped[bytes | None] = mapped_column(CONTENT, deferred=True, deferred_raiseload=True)

    author: Mapped[User | None] = relationship(lazy="raise")


class Release(Base):
    __tablename__ = "releases"
    __table_args__ = (UniqueConstraint("app_id", "version", name="uq_releases_app_id_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    app_id: Mapped[int] = mapped_column(ForeignKey("revision_heads.app_id"))
    # compared byte for byte: `v1` and `V1` are two versions on every database
    version: Mapped[str] = mapped_column(case_sensitive_string(VERSION_MAX_LENGTH))
    notes: Mapped[str | None] = mapped_column(Text)
    revision_number: Mapped[int]
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User | None] = relationship(lazy="raise")


__all__ = ["Release", "Revision", "RevisionHead"]
