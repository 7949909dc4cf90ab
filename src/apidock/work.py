"""The unit of work of one request or one command: its session, who acts, from where, and
the audit rows of what it changes.

A request gets one (`apidock.http.dependencies.WorkDep`): its session is the request's one
transaction, committed by the session dependency when the route returns, so no service
commits. Authenticating the caller (`apidock.auth.dependencies.current_user`) names the actor
on it; the command line makes its own, with no actor and the address "cli". A service takes
the unit of work instead of a session, an actor and an address, and records each change with
`audit(Action.X, row)`: the change is flushed (so a new row has its id, and a constraint
fails before anything is recorded) and its audit row lands only if the change does.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from apidock.logs.models import Log


class Action(StrEnum):
    """What an audit row says was done. Each domain enumerates its own actions as a subclass,
    so that adding a domain touches nothing here:

        class AppAction(Action):
            CREATE = "app.create"

    The value (`<kind>.<verb>`) is stored as the row's action and the kind as its target type;
    a domain whose stored target type differs from the kind overrides `target_type`.
    """

    @property
    def target_type(self) -> str:
        """The kind of row the action is done to, as the audit rows name it."""
        return self.value.split(".", 1)[0]


class Row(Protocol):
    """A row an audit names: anything with an integer id once flushed."""

    @property
    def id(self) -> int: ...


class SoftDeletable(Protocol):
    id: InstrumentedAttribute[int]
    deleted_at: InstrumentedAttribute[object]


ModelT = TypeVar("ModelT")


@dataclass(slots=True)
class UnitOfWork:
    """One transaction's session, with who acts in it and from where.

    `actor_id` is None until the caller is authenticated (and on the command line);
    `address` is the client's IP address, or "cli"; `request_id` ties the audit rows of one
    request together (None on the command line).
    """

    session: AsyncSession
    address: str | None = None
    request_id: str | None = None
    actor_id: int | None = None

    async def audit(self, action: Action, target: Row, detail: dict[str, Any] | None = None) -> Log:
        """Flush the change made to `target`, then add its audit row (in the same transaction),
        with `detail` (what changed, or the counts of an import) when the action has any."""
        await self.session.flush()
        return await self.record(
            action.value, target_type=action.target_type, target_id=target.id, detail=detail
        )

    async def record(
        self,
        action: str,
        *,
        target_type: str | None,
        target_id: int | None,
        detail: dict[str, Any] | None = None,
    ) -> Log:
        """An audit row of any action, for an event named elsewhere (a client's `client.*`)."""
        log = Log(
            detail=detail,
            user_id=self.actor_id,
            action=action,
            target_type=target_type,
            target_id=target_id,
            ip=self.address,
            request_id=self.request_id,
        )
        self.session.add(log)
        await self.session.flush()
        return log

    async def live(self, model: type[ModelT], row_id: int) -> ModelT | None:
        """The row `row_id` of `model` unless it is soft-deleted (or missing)."""
        table: SoftDeletable = model  # type: ignore[assignment]
        statement = select(model).where(table.id == row_id, table.deleted_at.is_(None))
        found: ModelT | None = await self.session.scalar(statement)
        return found
