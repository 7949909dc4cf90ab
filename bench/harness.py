"""What the benchmark scripts share: the console's clock, HTTP with JSON, the machine and the
code measured, the options every script takes, the environment of an API Dock server, and
`BenchRun`, the frame of one run of bench/import_speed.py, bench/mock_speed.py or
bench/runs_speed.py (its keys and temporary directory, its database and `apidock serve`, its
problems and results, its way out).
"""

# ruff: noqa: S603 (git is run with fixed arguments)

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import os
import platform
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any, ClassVar, Generic, Protocol, TypeVar

import asyncpg
import prepare
from servers import Server, ServerError, stop_all

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
LOG_DIR = BENCH_DIR / "results" / "logs"
APIDOCK = Path(sys.executable).with_name("apidock")
TOKEN_MINUTES = 24 * 60  # JWT_TTL: the token of the first login serves the whole run

STARTED = time.monotonic()

Results = dict[str, Any]


# --- the console, HTTP, the machine, the code ---------------------------------------------


def say(message: str) -> None:
    elapsed = int(time.monotonic() - STARTED)
    print(f"[{elapsed // 60:3d}:{elapsed % 60:02d}] {message}", flush=True)


def http_json(
    method: str, url: str, body: dict[str, Any] | None = None, token: str | None = None
) -> tuple[int | None, Any, str]:
    """Status, decoded JSON (or None) and the start of the body of one request."""
    headers = {"Accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=data, headers=headers, method=method)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (127.0.0.1)
            status, raw = int(response.status), response.read()
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read()
    except OSError as exc:
        return None, None, str(exc)
    text = raw.decode(errors="replace")
    try:
        decoded = json.loads(text)
    except ValueError:
        decoded = None
    return status, decoded, text[:200]


def machine_info() -> dict[str, Any]:
    cpu_model = "unknown"
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                cpu_model = line.partition(":")[2].strip()
                break
    memory_kib = 0
    with open("/proc/meminfo") as meminfo:
        for line in meminfo:
            if line.startswith("MemTotal:"):
                memory_kib = int(line.split()[1])
    os_name = platform.system()
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                os_name = line.partition("=")[2].strip('"')
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "affinity": sorted(os.sched_getaffinity(0)),
        "cpu_model": cpu_model,
        "memory_gib": round(memory_kib / 1024 / 1024, 1),
        "os": os_name,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "loadavg_start": [round(x, 2) for x in os.getloadavg()],
    }


def package_versions(names: Iterable[str]) -> dict[str, str]:
    """The installed version of each package, or "not installed"."""
    found = {}
    for name in names:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def source_state() -> dict[str, object]:
    """The commit, whether src/ and alembic/ differ from it, and a fingerprint of exactly
    how: taken at the start and at the end of a run, a different fingerprint says the code
    changed under the run (each round's server loads it afresh)."""
    git = shutil.which("git")
    if git is None:
        return {}

    def out(*args: str) -> str:
        done = subprocess.run(
            [git, "-C", str(REPO_DIR), *args],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        return done.stdout

    status = out("status", "--porcelain", "--untracked-files=all", "--", "src", "alembic")
    digest = hashlib.sha256(status.encode())
    digest.update(out("diff", "HEAD", "--", "src", "alembic").encode())
    for line in status.splitlines():
        if line.startswith("??"):  # new files: their content, which no diff shows
            path = REPO_DIR / line[3:]
            if path.is_file():
                digest.update(path.read_bytes())
    return {
        "commit": out("rev-parse", "HEAD").strip(),
        "dirty": bool(status.strip()),
        "fingerprint": digest.hexdigest()[:16],
    }


@contextlib.contextmanager
def pinned(core: int | None) -> Iterator[None]:
    """Run the block with this process on `core` alone (None: where it runs now)."""
    if core is None:
        yield
        return
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {core})
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)


def write_results(results: Results, path: Path, *, ensure_ascii: bool = False) -> None:
    """The results as indented JSON (what JSON has no type for, a datetime say, as its str)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, ensure_ascii=ensure_ascii, default=str) + "\n")


# --- the command line ---------------------------------------------------------------------


def new_parser(prog: str, description: str, *, rounds: int) -> argparse.ArgumentParser:
    """A benchmark script's command line, its first option `--rounds`."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument(
        "--rounds", type=int, default=rounds, help=f"rounds; figures are their medians [{rounds}]"
    )
    return parser


def add_output_options(
    parser: argparse.ArgumentParser, *, results: Path, docs: Path, keep_database: str | None = None
) -> None:
    """`--output` (the results file), `--no-docs` and, with its help, `--keep-database`."""
    add = parser.add_argument
    add("--output", type=Path, default=results, help=f"results file [{results}]")
    add("--no-docs", dest="docs", action="store_false", help=f"leave {docs} alone")
    if keep_database is not None:
        add("--keep-database", action="store_true", help=keep_database)


# --- API Dock's servers -------------------------------------------------------------------


def apidock_env(
    workdir: Path,
    database_url: str,
    *,
    jwt_secret: str,
    secret_key: str,
    admin_password: str,
    **extra: str,
) -> dict[str, str]:
    """The environment of an API Dock server under test: production's settings, the keys
    given, the root administrator `prepare.ADMIN_NAME`; `extra` on top."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", str(workdir)),
        "LANG": "C.UTF-8",
        "APP_CONFIG": "production",
        "APP_VAR_DIR": str(workdir / "var"),
        "DATABASE_URL": database_url,
        "JWT_SECRET_KEY": jwt_secret,
        "SECRET_KEY": secret_key,  # the key of the environments' secrets
        "APP_ROOT_ADMIN": prepare.ADMIN_NAME,
        "APP_ROOT_ADMIN_PASSWORD": admin_password,
    } | extra


# --- one run of a benchmark ---------------------------------------------------------------


class BenchPlan(Protocol):
    """What `BenchRun` reads of a script's plan (a dataclass)."""

    __dataclass_fields__: ClassVar[dict[str, Any]]
    output: Path
    docs: bool
    server_core: int
    load_core: int


P = TypeVar("P", bound=BenchPlan)


class BenchRun(Generic[P]):
    """One run of a benchmark named `name`: the script bench/{name}_speed.py, its logs
    bench/results/logs/{name}-*.log, a temporary directory, fresh keys and the root
    administrator's password, its PostgreSQL database `database` (dropped at the end once
    made, unless `keep_database`), the problems found and the results."""

    token_minutes: int | None = TOKEN_MINUTES  # JWT_TTL, or None for API Dock's default

    def __init__(self, plan: P, *, name: str, database: str, keep_database: bool = False) -> None:
        self.plan = plan
        self.name = name
        self.database = database
        self.keep_database = keep_database
        self.workdir = Path(tempfile.mkdtemp(prefix=f"apidock-{name}-bench-"))
        self.secret = secrets.token_urlsafe(48)
        self.environments_key = secrets.token_urlsafe(48)
        self.password = secrets.token_urlsafe(18)
        self.database_made = False
        self.problems: list[str] = []
        self.results: Results = {
            "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "command": " ".join([f"bench/{name}_speed.py", *sys.argv[1:]]),
            "plan": asdict(plan) | {"output": str(plan.output)},
        }

    def problem(self, message: str) -> None:
        """Something left out or not clean: said now, and kept for the results."""
        self.problems.append(message)
        say(f"  ! {message}")

    # --- the servers and the app ----------------------------------------------------------

    @property
    def database_url(self) -> str:
        return prepare.database_url(self.database)

    def env(self) -> dict[str, str]:
        ttl = {} if self.token_minutes is None else {"JWT_TTL": str(self.token_minutes)}
        return apidock_env(
            self.workdir,
            self.database_url,
            jwt_secret=self.secret,
            secret_key=self.environments_key,
            admin_password=self.password,
            **ttl,
        )

    def log_path(self, label: str) -> Path:
        return LOG_DIR / f"{self.name}-{label}.log"

    def begin(self) -> None:
        """Check that the plan's two cores are this process's; remove the last run's logs."""
        plan = self.plan
        if not {plan.server_core, plan.load_core} <= os.sched_getaffinity(0):
            raise ServerError(f"cores {plan.server_core} and {plan.load_core} are needed")
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        for old in LOG_DIR.glob(f"{self.name}-*.log"):
            old.unlink()

    def prepare_database(self, *, recreate: bool = True) -> None:
        """The database dropped and created (when `recreate`), then `apidock deploy`."""
        if recreate:
            asyncio.run(prepare.recreate_database(self.database))
            self.database_made = True
        prepare.deploy(APIDOCK, self.env(), self.workdir, say)

    def apidock_serve(self, port: int, log: str, *, name: str = "apidock serve") -> Server:
        """`apidock serve` with one worker on the server's core, logging to `log_path(log)`."""
        return Server(
            name=name,
            argv=[str(APIDOCK), "serve", "--port", str(port), "--workers", "1"],
            env=self.env(),
            port=port,
            cwd=self.workdir,
            log_path=self.log_path(log),
            core=self.plan.server_core,
        )

    def api_call(self, method: str, url: str, body: Any, token: str | None, want: int) -> Any:
        """The `data` of the answer, which must be `want`."""
        status, answer, text = http_json(method, url, body, token)
        if status != want or not isinstance(answer, dict):
            raise ServerError(f"{method} {url} answered {status}, not {want}: {text}")
        return answer.get("data") or {}

    def login(self, server: Server) -> str:
        """The root administrator's access token."""
        login = {"name": prepare.ADMIN_NAME, "password": self.password}
        answer = self.api_call("POST", server.base_url + "/api/v1/login", login, None, 200)
        return str(answer["access_token"])

    def import_app(self, server: Server, token: str, slug: str, document: Any) -> Any:
        """`POST /api/v1/apps/import` of `document` as `slug`: its `app` and `report`, any
        warning or loss reported as a problem."""
        url = f"{server.base_url}/api/v1/apps/import?slug={slug}"
        imported = self.api_call("POST", url, document, token, 201)
        report = imported.get("report") or {}
        if report.get("warnings") or report.get("lost"):
            self.problem(f"the import reported {report.get('warnings')} {report.get('lost')}")
        return imported

    # --- the end --------------------------------------------------------------------------

    def stamp_end(self) -> Results:
        """The end of the run in the results (load average, time); the results."""
        results = self.results
        results.setdefault("machine", machine_info())
        results["machine"]["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
        results["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        return results

    def note_code_change(self, problem: str) -> None:
        """The code's state now (`git_end`) beside the start's (`git`): `problem` if they differ."""
        results = self.results
        if "git" in results:
            results["git_end"] = source_state()
            if results["git_end"] != results["git"]:
                self.problem(problem)

    def publish(
        self,
        summary_lines: Callable[[Results], list[str]],
        write_docs: Callable[[Results, Path], None],
        docs: Path,
        *,
        verdict: str = "met",
    ) -> bool:
        """The problems in the results; when the targets were judged, the results file, the
        docs page (unless `--no-docs`) and the targets printed. True when every target's
        `verdict` is true."""
        results = self.results
        results["problems"] = self.problems
        if "targets" not in results:
            return False
        write_results(results, self.plan.output)
        say(f"results: {self.plan.output}")
        if self.plan.docs:
            write_docs(results, docs)
            say(f"docs: {docs}")
        for line in summary_lines(results):
            print(line, flush=True)
        return all(target[verdict] for target in results["targets"])

    def clean_up(self) -> None:
        """Stop every server, drop the database (once made, unless kept), remove the files."""
        stop_all()
        if self.database_made and not self.keep_database:
            try:
                asyncio.run(prepare.drop_database(self.database))
            except (OSError, asyncpg.PostgresError) as exc:
                say(f"could not drop {self.database}: {exc}")
        shutil.rmtree(self.workdir, ignore_errors=True)

    def run(self) -> None:
        raise NotImplementedError

    def finish(self) -> bool:
        """Write what was found; True when every target is met."""
        raise NotImplementedError


def _interrupt(signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def interrupt_on_signals() -> None:
    """SIGTERM and SIGHUP end the run as Ctrl-C does, through every `finally`."""
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _interrupt)


def run_bench(
    make: Callable[[P], BenchRun[P]],
    plan: P,
    *,
    stopping: str = "the servers and the load",
    missed: str | None = "a target was missed (above)",
) -> int:
    """Make the run, run it, clean up on every way out, then write what was found. The exit
    code: 130 when interrupted, 1 on an error (the benchmark's errors are RuntimeErrors) or,
    unless `missed` is None, when a target was missed; else 0."""
    interrupt_on_signals()
    bench = make(plan)
    code = 0
    try:
        bench.run()
    except KeyboardInterrupt:
        say(f"interrupted; stopping {stopping}")
        code = 130
    except RuntimeError as exc:
        say(f"error: {exc}")
        code = 1
    finally:
        bench.clean_up()
    met = bench.finish()
    if missed is not None and code == 0 and not met:
        say(missed)
        code = 1
    return code
