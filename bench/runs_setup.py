"""What bench/runs_speed.py (and bench/runs_profile.py) measure with: the database, the target
service, the app with its environment and cases made through `apidock serve`, the peer's plan,
and the clean-up of it all.

Decisions:
- The database (`apidock_bench_runs`) is dropped, created and deployed by `apidock deploy`, as
  an install is; everything in it is made through the API as a user would: the import, the
  environment (its `allow_hosts` set by the root administrator, the only one who may), the
  cases one by one.
- The servers run with production's settings and fresh random keys (`JWT_SECRET_KEY`, and
  `SECRET_KEY`, which production requires for the environments' secrets).
- The peer gets the requests as the runner builds them (`body_text`: `json.dumps` with
  `ensure_ascii` off, as apidock.runs.requests), so both send the same bytes.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import shutil
import sys
import tempfile
import urllib.request
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import prepare
import run
import runs_cases
import runs_document
import servers
from runs_plan import API_PORT, DATABASE, SLUG, TARGET_PORT, Plan
from servers import Server, ServerError, stop_all

from apidock.runs import executor

BENCH_DIR = Path(__file__).resolve().parent
LOG_DIR = BENCH_DIR / "results" / "logs"

say = run.say


class RunsSetup:
    """The database, the target and the app of one run of the benchmark, and its results."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.workdir = Path(tempfile.mkdtemp(prefix="apidock-runs-bench-"))
        self.secret = secrets.token_urlsafe(48)
        self.environments_key = secrets.token_urlsafe(48)
        self.password = secrets.token_urlsafe(18)
        self.specs = runs_cases.cases(plan.cases)
        self.concurrency = executor.CASE_CONCURRENCY
        self.wrk = ""
        self.target: Server | None = None
        self.app_id = 0
        self.environment_id = 0
        self.case_ids: list[int] = []
        self.peer_plan_path: Path | None = None
        self.database_made = False
        self.problems: list[str] = []
        self.results: dict[str, Any] = {
            "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "command": " ".join(["bench/runs_speed.py", *sys.argv[1:]]),
            "plan": asdict(plan) | {"output": str(plan.output)},
        }

    def problem(self, message: str) -> None:
        self.problems.append(message)
        say(f"  ! {message}")

    def env(self) -> dict[str, str]:
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", str(self.workdir)),
            "LANG": "C.UTF-8",
            "APP_CONFIG": "production",
            "APP_VAR_DIR": str(self.workdir / "var"),
            "DATABASE_URL": (
                f"postgresql://{prepare.PG_USER}@{prepare.PG_HOST}:{prepare.PG_PORT}/{DATABASE}"
            ),
            "JWT_SECRET_KEY": self.secret,
            "SECRET_KEY": self.environments_key,  # the key of the environments' secrets
            "JWT_TTL": str(24 * 60),
            "APP_ROOT_ADMIN": prepare.ADMIN_NAME,
            "APP_ROOT_ADMIN_PASSWORD": self.password,
        }

    def api_call(self, method: str, url: str, body: Any, token: str | None, want: int) -> Any:
        status, answer, text = run.http_json(method, url, body, token)
        if status != want or not isinstance(answer, dict):
            raise ServerError(f"{method} {url} answered {status}, not {want}: {text}")
        return answer.get("data") or {}

    def start_target(self) -> None:
        self.target = Server(
            name="target service",
            argv=[sys.executable, str(BENCH_DIR / "runs_target.py"), "--port", str(TARGET_PORT)],
            env=self.env(),
            port=TARGET_PORT,
            cwd=BENCH_DIR,
            log_path=LOG_DIR / "runs-target.log",
            core=self.plan.load_core,
            ready_path="/__ready",
        )
        self.target.start()

    def target_count(self) -> int:
        assert self.target is not None
        url = self.target.base_url + "/__count"
        with urllib.request.urlopen(url, timeout=5) as answer:  # noqa: S310 (127.0.0.1)
            return int(answer.read())

    @staticmethod
    def body_text(spec: runs_cases.CaseSpec) -> str | None:
        # what the runner sends (apidock.runs.requests): json.dumps, ensure_ascii off
        return None if spec.body is None else json.dumps(spec.body, ensure_ascii=False)

    def prepare_app(self) -> None:
        """Database, deploy, then through `apidock serve`: log in, import, an environment
        allowed to reach the target, the cases."""
        asyncio.run(prepare.recreate_database(DATABASE))
        self.database_made = True
        apidock = Path(sys.executable).with_name("apidock")
        prepare.deploy(apidock, self.env(), self.workdir, say)
        with self.apidock_server("setup") as serve:
            api = serve.base_url + "/api/v1"
            token = self.login(serve)
            imported = self.api_call(
                "POST", f"{api}/apps/import?slug={SLUG}", runs_document.document(), token, 201
            )
            report = imported.get("report") or {}
            if report.get("warnings") or report.get("lost"):
                self.problem(f"the import reported {report.get('warnings')} {report.get('lost')}")
            self.app_id = imported["app"]["id"]
            listed = self.api_call(
                "GET", f"{api}/apis?app_id={self.app_id}&per_page=100", None, token, 200
            )
            apis = {
                (a["request_method"].upper(), a["request_url"]): a["id"] for a in listed["apis"]
            }
            environment = {
                "name": "bench",
                "base_url": self.target_url,
                "allow_hosts": [f"{servers.HOST}:{TARGET_PORT}"],
            }
            made = self.api_call(
                "POST", f"{api}/apps/{self.app_id}/environments", environment, token, 201
            )
            self.environment_id = made["id"]
            for spec in self.specs:
                api_id = apis[(spec.op.method, spec.op.template)]
                case = self.api_call(
                    "POST", f"{api}/apis/{api_id}/cases", spec.case_json(), token, 201
                )
                self.case_ids.append(case["id"])
        self.results["app"] = {
            "id": self.app_id,
            "operations": report.get("operations"),
            "schemas": report.get("schemas"),
            "document_bytes": len(json.dumps(runs_document.document())),
            "cases": len(self.case_ids),
        }
        say(f"app {SLUG}: {report.get('operations')} operations, {len(self.case_ids)} cases")

    @property
    def target_url(self) -> str:
        return f"http://{servers.HOST}:{TARGET_PORT}"

    def apidock_server(self, label: str) -> Server:
        apidock = Path(sys.executable).with_name("apidock")
        return Server(
            name="apidock serve",
            argv=[str(apidock), "serve", "--port", str(API_PORT), "--workers", "1"],
            env=self.env(),
            port=API_PORT,
            cwd=self.workdir,
            log_path=LOG_DIR / f"runs-{label}-apidock-serve.log",
            core=self.plan.server_core,
        )

    def login(self, server: Server) -> str:
        login = {"name": prepare.ADMIN_NAME, "password": self.password}
        answer = self.api_call("POST", server.base_url + "/api/v1/login", login, None, 200)
        return str(answer["access_token"])

    def peer_plan(self) -> Path:
        requests = [
            {
                "method": spec.op.method,
                "target": spec.target(),
                "body": self.body_text(spec),
                "status": spec.op.status,
                "schema": spec.op.schema,
            }
            for spec in self.specs
        ]
        path = self.peer_plan_path = self.workdir / "peer.json"
        plan = {
            "document": runs_document.document(),
            "base_url": self.target_url,
            "concurrency": self.concurrency,
            "warmup": self.plan.warmup_cases,
            "requests": requests,
        }
        path.write_text(json.dumps(plan))
        return path

    def clean_up(self) -> None:
        stop_all()
        if self.database_made and not self.plan.keep_database:
            try:
                asyncio.run(_drop_database())
            except (OSError, asyncpg.PostgresError) as exc:
                say(f"could not drop {DATABASE}: {exc}")
        shutil.rmtree(self.workdir, ignore_errors=True)


async def _drop_database() -> None:
    connection = await asyncpg.connect(
        host=prepare.PG_HOST,
        port=prepare.PG_PORT,
        user=prepare.PG_USER,
        database=prepare.MAINTENANCE_DB,
        timeout=10,
    )
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    finally:
        await connection.close()
