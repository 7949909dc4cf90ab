"""One run executed: its cases sent to the environment's base URL through the guarded
outbound client, each answer checked against the description (`contracts.checks`) and the
case's expectations (`contracts.expectations`), the results stored.

A run is claimed first (queued -> running, one UPDATE that only one executor can win), so an
in-process executor and any number of `apidock worker`s never run it twice. Its cases run
`CASE_CONCURRENCY` at a time. Secrets are decrypted here only, used in the requests, and masked
(`***`) in everything stored: the request shown, the answer's headers and excerpt, the failures'
messages. A run whose environment, app or description cannot be read ends in `error`, saying
why; a case that cannot be sent (a refused target, a timeout, a missing variable) fails with a
`transport` failure, and the others still run.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import socket
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any

import anyio
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from apidock.apis.models import Api
from apidock.apps import service as apps
from apidock.apps.described_export import described_document
from apidock.apps.models import App
from apidock.cases.models import ContractCase
from apidock.contracts.checks import ContractChecker, Failure, Observed
from apidock.contracts.expectations import evaluate
from apidock.contracts.templating import mask
from apidock.db import utcnow
from apidock.environments.models import Environment
from apidock.environments.secrets import SecretsUnreadable, decrypt_secrets
from apidock.metrics import RUNS_FINISHED
from apidock.outbound.client import OutboundClient, TransportFailed
from apidock.outbound.guard import Refused
from apidock.runs.models import Run, RunResult, RunStatus
from apidock.runs.requests import CaseUnusable, PreparedRequest, prepare

logger = logging.getLogger("apidock.runs")
Sessions = Callable[[], AbstractAsyncContextManager[AsyncSession]]
CASE_CONCURRENCY = 8
EXECUTOR_NAME = f"{socket.gethostname()[:80]}:{os.getpid()}"
BODY_EXCERPT_BYTES = 64 * 1024
_CHECKER_THREADS = anyio.CapacityLimiter(2)


@dataclass(frozen=True, slots=True)
class _Case:
    id: int
    api_id: int
    name: str
    method: str
    template: str
    operation: dict[str, Any] | None
    request: dict[str, Any]
    expect: dict[str, Any]
    contract: bool
    follow_redirects: bool


@dataclass(frozen=True, slots=True)
class _Setting:
    base_url: str
    names: dict[str, str]
    secrets: dict[str, str]
    allow_hosts: list[str]
    strict: bool
    document: dict[str, Any]


class RunExecutor:
    """Executes runs on `sessions` with `client`; `secret_key` opens environments' secrets."""

    def __init__(self, sessions: Sessions, client: OutboundClient, *, secret_key: bytes) -> None:
        self.sessions = sessions
        self.client = client
        self._secret_key = secret_key

    async def execute(self, run_id: int) -> str | None:
        """Run `run_id` if it is still queued; its final status, or None when another took it."""
        if not await self._claim(run_id):
            return None
        try:
            setting, cases, checker = await self._load(run_id)
        except _RunUnusable as error:
            await self._finish(run_id, [], error=str(error))
            return RunStatus.ERROR
        except Exception:
            logger.exception("run %d could not be prepared", run_id)
            await self._finish(run_id, [], error="the run could not be prepared")
            return RunStatus.ERROR
        limit = asyncio.Semaphore(CASE_CONCURRENCY)

        async def one(position: int, case: _Case) -> dict[str, Any]:
            async with limit:
                return await self._run_case(position, case, setting, checker)

        results = await asyncio.gather(*(one(index, case) for index, case in enumerate(cases)))
        return await self._finish(run_id, list(results))

    async def _claim(self, run_id: int) -> bool:
        async with self.sessions() as session:
            claimed = await session.execute(
                update(Run)
                .where(Run.id == run_id, Run.status == RunStatus.QUEUED)
                .values(status=RunStatus.RUNNING, started_at=utcnow(), executed_by=EXECUTOR_NAME)
            )
            return bool(getattr(claimed, "rowcount", 0))

    async def _load(self, run_id: int) -> tuple[_Setting, list[_Case], ContractChecker]:
        async with self.sessions() as session:
            run = await session.get(Run, run_id)
            if run is None:
                raise _RunUnusable("the run is gone")
            environment = await session.get(Environment, run.environment_id)
            app = await session.get(App, run.app_id)
            if app is None or app.deleted_at is not None:
                raise _RunUnusable("the app was deleted")
            if environment is None or environment.deleted_at is not None:
                raise _RunUnusable("the environment was deleted")
            try:
                secrets = decrypt_secrets(
                    environment.secrets_token, key=self._secret_key, app_id=environment.app_id
                )
            except SecretsUnreadable:
                raise _RunUnusable(
                    "the environment's secrets cannot be read with this SECRET_KEY: "
                    "write them again"
                ) from None
            setting = _Setting(
                base_url=environment.base_url,
                names={**(environment.variables or {}), **secrets},
                secrets=secrets,
                allow_hosts=list(environment.allow_hosts or []),
                strict=run.strict,
                document={},
            )
            cases = await _cases_of(session, app.id, run.case_ids)
            parts, rows = await apps.read_description(session, app=app)
        document = await anyio.to_thread.run_sync(
            lambda: described_document(parts, rows), limiter=_CHECKER_THREADS
        )
        checker = await anyio.to_thread.run_sync(
            lambda: ContractChecker.build(document), limiter=_CHECKER_THREADS
        )
        return dataclasses.replace(setting, document=document), cases, checker

    async def _run_case(
        self, position: int, case: _Case, setting: _Setting, checker: ContractChecker
    ) -> dict[str, Any]:
        values = [value for value in setting.secrets.values() if value]
        started = time.perf_counter()
        shown: dict[str, Any] = {"method": case.method.upper(), "url": None, "headers": {}}
        response: dict[str, Any] | None = None
        failures: list[Failure] = []
        try:
            prepared = prepare(
                method=case.method,
                template=case.template,
                operation=case.operation,
                base_url=setting.base_url,
                request=case.request,
                names=setting.names,
                document=setting.document,
            )
            shown = prepared.shown(setting.secrets)
            observed = await self._send(prepared, case, setting)
            response = _response_of(observed, values)
            # a large body takes milliseconds to judge: off the event loop
            failures += await anyio.to_thread.run_sync(
                lambda: _judged(checker, case, observed, setting.strict),
                limiter=_CHECKER_THREADS,
            )
        except (CaseUnusable, Refused, TransportFailed) as error:
            failures.append(Failure(check="transport", message=_message(error), pointer=None))
        duration = (time.perf_counter() - started) * 1000
        return {
            "position": position,
            "case_id": case.id,
            "api_id": case.api_id,
            "name": case.name[:200],
            "passed": not failures,
            "request": shown,
            "response": response,
            "duration_ms": round(duration, 3),
            "failures": [
                {
                    "check": failure.check,
                    "message": mask(failure.message, values),
                    "pointer": failure.pointer,
                }
                for failure in failures
            ],
        }

    async def _send(self, prepared: PreparedRequest, case: _Case, setting: _Setting) -> Observed:
        fetched = await self.client.send(
            prepared.method,
            prepared.url,
            headers=prepared.headers,
            content=prepared.body,
            allow_hosts=setting.allow_hosts,
            follow_redirects=case.follow_redirects,
        )
        headers: dict[str, str] = {}
        for name, value in fetched.headers:
            key = name.lower()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        return Observed(
            status=fetched.status, headers=headers, body=fetched.body, elapsed_ms=fetched.elapsed_ms
        )

    async def _finish(
        self, run_id: int, results: Sequence[dict[str, Any]], *, error: str | None = None
    ) -> str:
        passed = sum(1 for result in results if result["passed"])
        failed = len(results) - passed
        status = RunStatus.ERROR if error else RunStatus.FAILED if failed else RunStatus.PASSED
        async with self.sessions() as session:
            for result in results:
                session.add(RunResult(run_id=run_id, **result))
            await session.execute(
                update(Run)
                .where(Run.id == run_id)
                .values(
                    status=status,
                    total=len(results),
                    passed=passed,
                    failed=failed,
                    error=error,
                    finished_at=utcnow(),
                )
            )
        RUNS_FINISHED.labels(status.value).inc()
        return status


def _judged(
    checker: ContractChecker, case: _Case, observed: Observed, strict: bool
) -> list[Failure]:
    failures = (
        checker.check(case.method, case.template, observed, strict=strict) if case.contract else []
    )
    return failures + evaluate(case.expect, observed)


class _RunUnusable(Exception):
    """The run cannot be executed at all: it ends in `error` with this message."""


def _message(error: Exception) -> str:
    message = getattr(error, "message", None)
    return str(message) if message else str(error) or type(error).__name__


def _response_of(observed: Observed, secrets: list[str]) -> dict[str, Any]:
    excerpt = observed.body[:BODY_EXCERPT_BYTES].decode("utf-8", "replace")
    return {
        "status": observed.status,
        "headers": {name: mask(value, secrets) for name, value in observed.headers.items()},
        "body": mask(excerpt, secrets),
        "truncated": len(observed.body) > BODY_EXCERPT_BYTES,
    }


async def _cases_of(session: AsyncSession, app_id: int, ids: list[int] | None) -> list[_Case]:
    """The live cases of the app's live APIs: those asked for, in their order, else all."""
    statement = (
        select(ContractCase, Api)
        .join(Api, Api.id == ContractCase.api_id)
        .where(
            Api.app_id == app_id,
            Api.deleted_at.is_(None),
            ContractCase.deleted_at.is_(None),
        )
        .order_by(ContractCase.id)
    )
    if ids is not None:
        statement = statement.where(ContractCase.id.in_(ids))
    found = {case.id: _case(case, api) for case, api in (await session.execute(statement)).tuples()}
    order = ids if ids is not None else list(found)
    return [found[case_id] for case_id in order if case_id in found]


def _case(case: ContractCase, api: Api) -> _Case:
    return _Case(
        id=case.id,
        api_id=api.id,
        name=case.name,
        method=api.request_method,
        template=api.request_url,
        operation=api.operation,
        request=dict(case.request or {}),
        expect=dict(case.expect or {}),
        contract=bool(case.contract),
        follow_redirects=bool(case.follow_redirects),
    )


def counts_of(run: Run) -> Mapping[str, int]:
    return {"total": run.total, "passed": run.passed, "failed": run.failed}
