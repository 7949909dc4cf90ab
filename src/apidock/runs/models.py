"""The tables of runs: `runs` (one a run: what was asked, its state, its counts) and
`run_results` (one a case of a run: the request sent, with secrets masked, an excerpt of the
answer, the failures)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from apidock.db import Base, utcnow


class RunStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"


FINISHED = frozenset({RunStatus.PASSED, RunStatus.FAILED, RunStatus.ERROR})


class Run(Base):
    __tablename__ = "runs"
    __table_args__ = (Index("ix_runs_app_id_id", "app_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    app_id: Mapped[int] = mapped_column(ForeignKey("apps.id"))
    environment_id: Mapped[int] = mapped_column(ForeignKey("environments.id"))
    status: Mapped[str] = mapped_column(String(16), default=RunStatus.QUEUED, index=True)
    strict: Mapped[bool] = mapped_column(Boolean, default=False)
    # the cases asked for, in order; null: every live case of the app's APIs
    case_ids: Mapped[list[int] | None] = mapped_column(JSON)
    total: Mapped[int] = mapped_column(Integer, default=0)
    passed: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    # why a run ended in `error` (its environment gone, the description unreadable...)
    error: Mapped[str | None] = mapped_column(Text)
    # who executed it: "host:pid" of the server or the `apidock worker` that claimed it
    executed_by: Mapped[str | None] = mapped_column(String(100))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime | None] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)


class RunResult(Base):
    __tablename__ = "run_results"
    __table_args__ = (Index("ix_run_results_run_id_position", "run_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"))
    position: Mapped[int] = mapped_column(Integer)
    case_id: Mapped[int | None] = mapped_column(Integer)
    api_id: Mapped[int | None] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    passed: Mapped[bool] = mapped_column(Boolean)
    request: Mapped[dict[str, Any]] = mapped_column(JSON)
    response: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    duration_ms: Mapped[float] = mapped_column(Float, default=0.0)
    failures: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
