"""The `cases` table (`ContractCase`, so that no test runner takes the model for a test).

- `request` is the JSON object `{path, query, headers}` (names to strings), with `body` (any
  JSON) or `example` (the name of a documented request example) when the case gives one: a
  key that is absent means no body, and a `body` of null is the JSON `null`.
- `expect` is the JSON object of expectations, as written (`apidock.contracts.expectations`
  checks it when it is written).

A case is soft-deleted with its API (`follows`), and so with the API's app or group.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from apidock.apis.models import Api
from apidock.catalog.cascade import follows
from apidock.db import Base, TimestampMixin
from apidock.db.base import case_sensitive_string

# a run's result keeps the case's name in as many characters (`run_results.name`)
NAME_MAX_LENGTH = 200


class ContractCase(TimestampMixin, Base):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    api_id: Mapped[int] = mapped_column(ForeignKey("apis.id"), index=True)
    name: Mapped[str] = mapped_column(case_sensitive_string(NAME_MAX_LENGTH))
    request: Mapped[dict[str, Any]] = mapped_column(JSON)
    expect: Mapped[dict[str, Any]] = mapped_column(JSON)
    # check the answer against the API's description, besides `expect`
    contract: Mapped[bool] = mapped_column(Boolean, default=True)
    follow_redirects: Mapped[bool] = mapped_column(Boolean, default=False)


# an API's cases are deleted with it
follows(ContractCase.api_id, Api)

__all__ = ["ContractCase"]
