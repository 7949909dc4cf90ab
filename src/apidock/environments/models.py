"""The `environments` table: one row per environment of an app.

- `variables` is a JSON object of names to strings, shown to those who read the docs.
- `secrets_token` holds every secret of the environment as one encrypted token
  (`apidock.environments.secrets`): the JSON object of names to values, sealed with AES-GCM
  under a key derived from `SECRET_KEY` and bound to the app. Null when there are none.
- `secret_names` are the names of those secrets, kept in the clear (sorted), so that a read
  lists them without the key, and never needs to decrypt anything.
- `allow_hosts` is the JSON list of `host:port` entries, normalised (`apidock.environments
  .schemas.normal_host_port`), that a run may reach although they are private addresses.

An environment is soft-deleted with its app (`follows`), as the catalog's rows are.
"""

from __future__ import annotations

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import Mapped, mapped_column

from apidock.apps.models import App
from apidock.catalog.cascade import follows
from apidock.db import Base, TimestampMixin
from apidock.db.base import case_sensitive_string

NAME_MAX_LENGTH = 80
BASE_URL_MAX_LENGTH = 2000
# MySQL's TEXT holds 64 KiB; the token of 200 secrets of 10,000 characters needs more
_TOKEN_TYPE = Text().with_variant(mysql.MEDIUMTEXT(), "mysql", "mariadb")


class Environment(TimestampMixin, Base):
    __tablename__ = "environments"

    id: Mapped[int] = mapped_column(primary_key=True)
    app_id: Mapped[int] = mapped_column(ForeignKey("apps.id"), index=True)
    # compared byte for byte on every database: "Staging" and "staging" are two names
    name: Mapped[str] = mapped_column(case_sensitive_string(NAME_MAX_LENGTH))
    base_url: Mapped[str] = mapped_column(String(BASE_URL_MAX_LENGTH))
    variables: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    secrets_token: Mapped[str | None] = mapped_column(_TOKEN_TYPE, default=None)
    secret_names: Mapped[list[str]] = mapped_column(JSON, default=list)
    allow_hosts: Mapped[list[str]] = mapped_column(JSON, default=list)

    def __repr__(self) -> str:
        # never the token, even sealed: a repr lands in logs and tracebacks
        return f"Environment(id={self.id!r}, app_id={self.app_id!r}, name={self.name!r})"


# an app's environments are deleted with it
follows(Environment.app_id, App)

__all__ = ["Environment"]
