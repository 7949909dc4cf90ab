"""`apidock test`: what the command line runs and prints.

- `--spec FILE --base-url URL`: every operation of a description sent once to a live service
  (parameters from their examples, the body from the first request example:
  `contracts.spec_requests`), each answer contract-checked; no server, no database, no settings.
  The base URL's own `host:port` is allowed even when it is a local address (a CI job tests
  the service it just started); every other target, a redirect's included, is guarded as a
  run's is, and no redirect is followed.
- `APP --env NAME`: a run of the app's cases, executed in the command's own process.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import anyio
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from apidock.apps import service as apps
from apidock.apps.models import App
from apidock.contracts.checks import ContractChecker, Failure, Observed
from apidock.contracts.junit import CaseOutcome, junit_xml
from apidock.contracts.spec_requests import PlannedRequest, planned_requests
from apidock.descriptions.intake import take_in
from apidock.environments.models import Environment
from apidock.errors import NotFound
from apidock.outbound.client import OutboundClient, TransportFailed
from apidock.outbound.guard import Refused
from apidock.runs.models import Run, RunResult


@dataclass(frozen=True, slots=True)
class Outcome:
    lines: list[str]
    junit: bytes
    passed: bool


def _line(name: str, failures: list[Failure] | list[dict[str, str | None]]) -> str:
    if not failures:
        return f"PASS {name}"
    told = "; ".join(
        f"{item['check'] if isinstance(item, dict) else item.check}: "
        f"{item['message'] if isinstance(item, dict) else item.message}"
        for item in failures
    )
    return f"FAIL {name}: {told}"


def allowed_of(base_url: str) -> str:
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"--base-url must be an http or https URL, not {base_url!r}")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname.lower()
    return f"{host}:{port}"


async def run_spec(raw: bytes, base_url: str, *, strict: bool = False) -> Outcome:
    """Every operation of the description `raw` sent once to `base_url`, contract-checked."""
    allowed = [allowed_of(base_url)]
    document = await anyio.to_thread.run_sync(lambda: take_in(raw, media_type=None).document)
    checker = await anyio.to_thread.run_sync(lambda: ContractChecker.build(document))
    planned = planned_requests(document)
    client = OutboundClient()
    outcomes: list[CaseOutcome] = []
    try:
        for request in planned:
            outcomes.append(await _one(client, checker, request, base_url, allowed, strict))
    finally:
        await client.aclose()
    lines = [_line(outcome.name, outcome.failures) for outcome in outcomes]
    failed = sum(1 for outcome in outcomes if outcome.failures)
    lines.append(f"{len(outcomes) - failed} passed, {failed} failed, {len(outcomes)} in all")
    return Outcome(lines=lines, junit=junit_xml("apidock test --spec", outcomes), passed=not failed)


async def _one(
    client: OutboundClient,
    checker: ContractChecker,
    request: PlannedRequest,
    base_url: str,
    allowed: list[str],
    strict: bool,
) -> CaseOutcome:
    started = time.perf_counter()
    url = base_url.rstrip("/") + request.path
    if request.query:
        from urllib.parse import urlencode

        url += "?" + urlencode(request.query)
    headers = list(request.headers)
    if request.body is not None and request.media_type:
        headers.append(("Content-Type", request.media_type))
    failures: list[Failure]
    try:
        fetched = await client.send(
            request.method, url, headers=headers, content=request.body, allow_hosts=allowed
        )
        joined: dict[str, str] = {}
        for name, value in fetched.headers:
            key = name.lower()
            joined[key] = f"{joined[key]}, {value}" if key in joined else value
        observed = Observed(
            status=fetched.status, headers=joined, body=fetched.body, elapsed_ms=fetched.elapsed_ms
        )
        failures = checker.check(request.method, request.path_template, observed, strict=strict)
    except (Refused, TransportFailed) as error:
        failures = [
            Failure(check="transport", message=str(getattr(error, "message", error)), pointer=None)
        ]
    return CaseOutcome(
        name=request.name,
        classname="spec",
        duration_ms=(time.perf_counter() - started) * 1000,
        failures=failures,
    )


async def app_and_environment(session: AsyncSession, app: str, name: str) -> tuple[App, int]:
    """The live app of id or slug `app`, and the id of its live environment `name`."""
    found: App | None = None
    if app.isdigit():
        candidate = await session.get(App, int(app))
        found = candidate if candidate is not None and candidate.deleted_at is None else None
    if found is None:
        found = await apps.get_by_slug(session, slug=app)
    if found is None:
        raise NotFound(f"No app has the id or slug {app!r}")
    env_id = await session.scalar(
        select(Environment.id).where(
            Environment.app_id == found.id,
            Environment.name == name,
            Environment.deleted_at.is_(None),
        )
    )
    if env_id is None:
        raise NotFound(f"The app has no environment {name!r}")
    return found, env_id


def outcome_of(run: Run, results: list[RunResult], junit: bytes) -> Outcome:
    lines = [_line(result.name, result.failures) for result in results]
    if run.error:
        lines.append(f"ERROR {run.error}")
    lines.append(f"{run.passed} passed, {run.failed} failed, {run.total} in all ({run.status})")
    return Outcome(lines=lines, junit=junit, passed=run.status == "passed")
