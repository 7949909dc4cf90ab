"""`apidock serve` and `apidock profile`: the API under uvicorn, with or without a profiler;
`apidock mock`: the mock server alone."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click
import uvicorn

import apidock
from apidock import metrics, readiness, server
from apidock.auth.passwords import usable_cpus
from apidock.cli.deploy import deploy_and_tell
from apidock.cli.running import call_or_exit, read_settings, run_on_database, shown_url
from apidock.config import Settings
from apidock.db import Database, create_engine
from apidock.http.request_log import RequestRecorder
from apidock.main import create_app
from apidock.mock.server import MockServer
from apidock.profiling import ProfilerMiddleware
from apidock.request_logs import log_config

APP_FACTORY = "apidock.main:create_app"
PACKAGE_DIR = Path(apidock.__file__).parent


def refuse_unless_at_head(settings: Settings) -> None:
    """Stop, naming the database and the command to run, unless its schema is at the revision
    this code needs: on any other every request would fail, behind a 200 of /healthz."""
    shown = shown_url(settings.database_url)
    code = call_or_exit(readiness.code_revisions)
    try:
        state = run_on_database(
            settings, lambda database: readiness.schema_state(database.engine, code)
        )
    except click.ClickException as exc:
        raise click.ClickException(f"{exc.message} (database {shown})") from None
    problem = state.problem(f"The database {shown}")
    if problem is not None:
        raise click.ClickException(f"{problem}, or start with `apidock serve --deploy`")


_host = click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
_port = click.option(
    "--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port."
)
_forwarded_allow_ips = click.option(
    "--forwarded-allow-ips",
    default="127.0.0.1",
    show_default=True,
    envvar="FORWARDED_ALLOW_IPS",
    show_envvar=True,
    help="Comma-separated addresses of the reverse proxies whose X-Forwarded-For and "
    "X-Forwarded-Proto headers are trusted ('*' trusts any).",
)


def _server_options(settings: Settings, *, loop: str, request_lines: bool) -> dict[str, Any]:
    """What `serve` and `mock` give uvicorn alike: the bounded protocol and its limits, proxy
    headers, no Server header, and the request lines of apidock.http.request_log (uvicorn's
    access log off) as LOG_FORMAT says, when `request_lines`."""
    return {
        "proxy_headers": True,
        "server_header": False,
        "access_log": False,
        "log_config": log_config(settings.log_format, request_lines=request_lines),
        "loop": loop,
        "http": server.PROTOCOL,
        "timeout_keep_alive": settings.timeout_keep_alive,
        "limit_concurrency": settings.limit_concurrency,
        "backlog": settings.backlog,
    }


@click.command()
@_host
@_port
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    envvar="WEB_CONCURRENCY",
    show_envvar=True,
    help="Number of worker processes.",
)
@click.option("--reload", is_flag=True, help="Restart when the code changes (development).")
@click.option(
    "--access-log/--no-access-log",
    default=True,
    show_default=True,
    help="Log one line per request, as LOG_FORMAT says (behind a proxy that logs, leaving it "
    "out saves CPU).",
)
@click.option(
    "--loop",
    type=click.Choice(["asyncio", "uvloop"]),
    default="asyncio",
    show_default=True,
    help="The event loop. asyncio's accepts a burst of new connections at once; uvloop's, "
    "serving the same load, took 0.6 s to accept 64 (docs/benchmarks.md).",
)
@_forwarded_allow_ips
@click.option(
    "--deploy",
    "deploy_first",
    is_flag=True,
    help="Run `apidock deploy` first (migrate, seed the roles and the root administrator), "
    "then serve: what the image does.",
)
def serve(
    host: str,
    port: int,
    workers: int,
    reload: bool,
    access_log: bool,
    loop: str,
    forwarded_allow_ips: str,
    deploy_first: bool,
) -> None:
    """Serve the API with uvicorn (uvloop, httptools with bounds on each request head).

    Refuses to start on a database whose schema is not at the revision this code needs
    (never migrated, or behind), naming the command to run; with --deploy, runs the deploy
    first.
    """
    # a bad setting stops here, in one line, before any worker starts
    settings = read_settings()
    if reload and workers > 1:
        raise click.UsageError("--reload runs a single process; leave out --workers")
    if deploy_first:
        deploy_and_tell(settings)
    else:
        refuse_unless_at_head(settings)
    if workers > 1 and settings.password_hash_concurrency is None:
        # the usable CPUs shared among the workers (apidock.auth.passwords tells why)
        share = max(1, usable_cpus() // workers)
        os.environ["PASSWORD_HASH_CONCURRENCY"] = str(share)
    if workers > 1 and not settings.redis_url:
        # each worker counts password attempts in its own memory: a share of each limit
        # apiece, so that together they allow no more guesses than the limit (README)
        for name, limit in (
            ("LOGIN_MAX_FAILURES", settings.login_max_failures),
            ("LOGIN_MAX_FAILURES_PER_IP", settings.login_max_failures_per_ip),
        ):
            os.environ[name] = str(max(1, limit // workers))
    # the workers' metrics in shared files, added up by whichever answers /metrics
    owned = metrics.own_multiprocess_dir(workers)
    try:
        uvicorn.run(
            APP_FACTORY,
            factory=True,
            host=host,
            port=port,
            workers=workers,
            reload=reload,
            reload_dirs=[str(PACKAGE_DIR)] if reload else None,
            forwarded_allow_ips=forwarded_allow_ips,
            **_server_options(settings, loop=loop, request_lines=access_log),
        )
    finally:
        if owned is not None:  # the workers are gone: so is their directory's name
            os.environ.pop(metrics.MULTIPROCESS_DIR_ENV, None)


@click.command()
@_host
@_port
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory of the reports.  [default: profiles under the var directory]",
)
@_forwarded_allow_ips
def profile(host: str, port: int, output: Path | None, forwarded_allow_ips: str) -> None:
    """Serve one process with a profiler writing one cProfile report (.prof) per request.

    Requests are profiled one at a time. Read a report with `python -m pstats FILE`.
    """
    settings = read_settings()
    refuse_unless_at_head(settings)
    directory = (output or settings.var_dir / "profiles").resolve()
    click.echo(f"Writing one profile per request under {directory}", err=True)
    uvicorn.run(
        ProfilerMiddleware(create_app(settings), directory),
        host=host,
        port=port,
        proxy_headers=True,
        forwarded_allow_ips=forwarded_allow_ips,
        server_header=False,
        access_log=False,
        log_config=log_config(settings.log_format),
    )


@click.command()
@click.option("--app", "app_slug", help="Serve only this app's mock, at `/`.")
@_host
@click.option(
    "--port", default=4010, show_default=True, type=click.IntRange(1, 65535), help="Port."
)
@click.option(
    "--loop",
    type=click.Choice(["asyncio", "uvloop"]),
    default="uvloop",
    show_default=True,
    help="The event loop.",
)
@click.option(
    "--access-log/--no-access-log",
    default=False,
    show_default=True,
    help="Log one line per request, as LOG_FORMAT says, with its request id.",
)
def mock(app_slug: str | None, host: str, port: int, loop: str, access_log: bool) -> None:
    """Serve the mock of every app at `/{slug}/...` (or of one app at `/`), on its own port:
    another origin than the API's, as `prism mock` is. Keys, flags and the mock log are the
    same as at `/mock/{slug}` on the API's port (one process; run more behind a balancer).

    Every answer carries an `X-Request-ID` (the request's own when it sends a plain one).
    There is no `/metrics` here: every path is the mocked API's (`--app` serves a documented
    `/metrics`); the mock on the API's port is counted in the API's metrics.
    """
    settings = read_settings()
    database = Database(create_engine(settings))
    mocked = MockServer(database, settings, app_slug=app_slug, owns_database=True, queue_logs=True)
    application = RequestRecorder(
        mocked, mock_prefix="", mock_route="/" if app_slug is not None else "/{slug}"
    )
    uvicorn.run(
        application,
        host=host,
        port=port,
        lifespan="on",
        **_server_options(settings, loop=loop, request_lines=access_log),
    )
