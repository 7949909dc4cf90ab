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

import json
import sys
import urllib.request
from pathlib import Path

import runs_cases
import runs_document
import servers
from harness import BENCH_DIR, BenchRun, say
from runs_plan import API_PORT, DATABASE, SLUG, TARGET_PORT, Plan
from servers import Server

from apidock.runs import executor


class RunsSetup(BenchRun[Plan]):
    """The database, the target and the app of one run of the benchmark, and its results."""

    def __init__(self, plan: Plan) -> None:
        super().__init__(plan, name="runs", database=DATABASE, keep_database=plan.keep_database)
        self.specs = runs_cases.cases(plan.cases)
        self.concurrency = executor.CASE_CONCURRENCY
        self.wrk = ""
        self.target: Server | None = None
        self.app_id = 0
        self.environment_id = 0
        self.case_ids: list[int] = []
        self.peer_plan_path: Path | None = None

    def start_target(self) -> None:
        self.target = Server(
            name="target service",
            argv=[sys.executable, str(BENCH_DIR / "runs_target.py"), "--port", str(TARGET_PORT)],
            env=self.env(),
            port=TARGET_PORT,
            cwd=BENCH_DIR,
            log_path=self.log_path("target"),
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
        self.prepare_database()
        with self.apidock_server("setup") as serve:
            api = serve.base_url + "/api/v1"
            token = self.login(serve)
            imported = self.import_app(serve, token, SLUG, runs_document.document())
            report = imported.get("report") or {}
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
        return self.apidock_serve(API_PORT, f"{label}-apidock-serve")

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
