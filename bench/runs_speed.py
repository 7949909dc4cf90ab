"""Speed of a contract-test run (issue 16's acceptance): `/healthz` while a run of 1,000 cases
executes in the server, and the runner against a plain httpx loop doing the same work.

    .venv/bin/python bench/runs_speed.py                 # 3 rounds: about 4 minutes
    .venv/bin/python bench/runs_speed.py --rounds 1 --cases 200   # a sanity check

Prepares a database of its own (PostgreSQL `apidock_bench_runs` on 127.0.0.1:5432, dropped and
created, `apidock deploy`; dropped again at the end unless `--keep-database`) and starts the
target service (bench/runs_target.py, core 1), then measures how many requests a second the
target answers by itself (wrk on core 0). Through `apidock serve` (core 0) it logs in as the
root administrator, imports bench/runs_document.py's document, makes an environment whose
`allow_hosts` lets the runs reach the target, and `--cases` cases spread over the operations.

Each round starts `apidock serve` afresh and makes a warm-up run of `--warmup-cases` cases;
measures `/healthz` with no run (wrk, paced: bench/runs_plan.py says why); makes a run of every
case alone, and one with wrk on `/healthz` from the moment it is asked for to the moment it is
finished; and runs the peer (bench/runs_peer.py, core 0, API Dock idle). Rounds alternate
which goes first. Writes bench/results/runs.json and docs/benchmarks-runs.md, prints issue
16's targets and exits 1 when one is missed:

- `/healthz` p99 during the run under 50 ms;
- the runner's time per case at most 2x the plain loop's (wall time of the run alone, asked
  for to finished, over the loop's wall time; both at the executor's concurrency, 8).

Everything talks to 127.0.0.1 only; the servers, wrk and the peer run in process groups of
their own and are stopped on every way out (end, error, Ctrl-C, SIGTERM). Ports 8830 (API
Dock) and 8831 (the target). Servers' output: bench/results/logs/runs-*.
"""

# ruff: noqa: S603 (commands are built from fixed parts and paths found here, never from input)

from __future__ import annotations

import asyncio
import json
import os
import resource
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import prepare
import run
import runs_document
import runs_plan
import runs_report
import servers
from import_plan import source_state
from loadgen import LoadError, Wrk, WrkResult, ensure_wrk, run_wrk
from runs_plan import API_PORT, DATABASE, POLL_SECONDS, RUN_TIMEOUT, SLUG, TARGET_PORT, Plan
from servers import Server, ServerError, stop_all

from apidock.runs import executor
from apidock.runs.models import FINISHED

BENCH_DIR = Path(__file__).resolve().parent
LOG_DIR = BENCH_DIR / "results" / "logs"
NOISY_SHARE = 0.25  # other work past this share of a core during a measurement is reported
QUIET_CHECKS, QUIET_INTERVAL = 3, 5.0  # quiet: nothing else seen this many times in a row
OTHER_BENCHMARKS = ("wrk", "prism", "apidock", "pytest")

say = run.say


def other_processes() -> list[str]:
    """Command lines of benchmarks or test suites running now that this script did not start."""
    mine = {os.getpid()}
    mine.update(pid for s in list(servers._running) for pid in servers.process_tree(s.pid))
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) in mine:
            continue
        try:
            line = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
        except OSError:
            continue
        if line.startswith("postgres") or "runs_speed" in line:
            continue  # the database's own processes (named after their databases), and this
        if any(word in line for word in OTHER_BENCHMARKS):
            found.append(line[:160])
    return sorted(found)


def stop_and_read(job: Wrk) -> WrkResult:
    """End a wrk run now (SIGINT: wrk stops and prints its report) and read the report."""
    if job.process is not None and job.process.poll() is None:
        job.process.send_signal(signal.SIGINT)
    return job.result()


class RunsBench:
    """One run of the benchmark: the database and the app, the rounds, the results."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.workdir = Path(tempfile.mkdtemp(prefix="apidock-runs-bench-"))
        self.secret = secrets.token_urlsafe(48)
        self.environments_key = secrets.token_urlsafe(48)
        self.password = secrets.token_urlsafe(18)
        self.specs = runs_document.cases(plan.cases)
        self.concurrency = executor.CASE_CONCURRENCY
        self.wrk = ""
        self.target: Server | None = None
        self.app_id = 0
        self.environment_id = 0
        self.case_ids: list[int] = []
        self.database_made = False
        self.problems: list[str] = []
        self.noise: list[str] = []  # other work seen during the round being measured
        self.discarded: list[dict[str, Any]] = []
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

    # --- the target and the app ---------------------------------------------------------

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

    def target_capacity(self) -> dict[str, Any]:
        """The target alone: wrk (core 0, as many connections as a run has) sends it the
        cases' requests in turn; its req/s is the most it can serve either client."""
        assert self.target is not None
        requests = [(s.op.method, s.target(), self.body_text(s)) for s in self.specs]
        script = runs_plan.write_requests_script(self.workdir / "requests.lua", requests)
        before = self.target.cpu_seconds()
        result = run_wrk(
            self.wrk,
            self.target.base_url + "/",
            duration=self.plan.capacity_seconds,
            connections=self.concurrency,
            core=self.plan.server_core,
            script=str(script),
        )
        used = self.target.cpu_seconds() - before
        entry = result.to_json() | {"cpu_share": round(used / (result.seconds or 1.0), 3)}
        say(
            f"target alone: {entry['rps']:,.0f} req/s with {self.concurrency} connections, "
            f"p99 {entry['p99_ms']} ms, CPU {entry['cpu_share']:.0%} of a core, "
            f"errors {entry['errors']}"
        )
        if entry["errors"]:
            self.problem(f"the target answered {entry['errors']} errors to wrk")
        return entry

    @staticmethod
    def body_text(spec: runs_document.CaseSpec) -> str | None:
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

    # --- measurements -------------------------------------------------------------------

    def clocks(self, server: Server | None) -> dict[str, float]:
        """CPU seconds so far: the server (if any), the target, reaped children (wrk, the
        peer), PostgreSQL, the whole machine."""
        assert self.target is not None
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return {
            "server": server.cpu_seconds() if server is not None else 0.0,
            "target": self.target.cpu_seconds(),
            "children": children.ru_utime + children.ru_stime,
            "postgres": servers.postgres_cpu_seconds(),
            "machine": servers.machine_busy_seconds(),
        }

    def shares(
        self, before: dict[str, float], after: dict[str, float], seconds: float
    ) -> dict[str, Any]:
        """What each used of a core over `seconds`, from `before` to `after` (`clocks`)."""
        used = {key: after[key] - before[key] for key in before}
        other = used["machine"] - sum(used[k] for k in ("server", "target", "children", "postgres"))
        seconds = seconds or 1.0
        found = {
            "server_cpu_seconds": round(used["server"], 3),
            "server_cpu_share": round(used["server"] / seconds, 3),
            "target_cpu_share": round(used["target"] / seconds, 3),
            "postgres_cpu_seconds": round(max(0.0, used["postgres"]), 3),
            "other_cpu_share": round(max(0.0, other) / seconds, 3),
        }
        if found["other_cpu_share"] > NOISY_SHARE:
            message = f"other work used {found['other_cpu_share']:.0%} of a core meanwhile"
            self.noise.append(message)
            say(f"  ! {message}")
        return found

    def healthz_load(self, server: Server, duration: float) -> Wrk:
        return Wrk(
            self.wrk,
            server.base_url + "/healthz",
            duration=duration,
            connections=self.plan.healthz_connections,
            core=self.plan.load_core,
            script="paced.lua",
            script_args=(str(self.plan.healthz_pause_ms),),
        )

    def idle_healthz(self, server: Server) -> dict[str, Any]:
        before = self.clocks(server)
        with self.healthz_load(server, self.plan.idle_seconds) as job:
            result = job.result()
        entry = result.to_json() | self.shares(before, self.clocks(server), result.seconds)
        say(
            f"  /healthz, no run: p50 {entry['p50_ms']} ms, p99 {entry['p99_ms']} ms, "
            f"max {entry['max_ms']} ms, {entry['rps']:,.0f} req/s, "
            f"server CPU {entry['server_cpu_share']:.0%}"
        )
        return entry

    async def _run_and_wait(self, server: Server, token: str, body: dict[str, Any]) -> Any:
        """Ask for the run, then read its row until it is finished; the times seen."""
        database = await asyncpg.connect(
            host=prepare.PG_HOST, port=prepare.PG_PORT, user=prepare.PG_USER, database=DATABASE
        )
        try:
            url = f"{server.base_url}/api/v1/apps/{self.app_id}/runs"
            started = time.perf_counter()
            queued = await asyncio.to_thread(self.api_call, "POST", url, body, token, 202)
            accepted = time.perf_counter()
            deadline = started + RUN_TIMEOUT
            while True:
                row = await database.fetchrow(
                    "SELECT status, created_at, started_at, finished_at FROM runs WHERE id = $1",
                    queued["id"],
                )
                if row is not None and row["status"] in FINISHED:
                    break
                if time.perf_counter() > deadline:
                    raise ServerError(f"run {queued['id']} did not finish in {RUN_TIMEOUT:.0f} s")
                await asyncio.sleep(POLL_SECONDS)
            ended = time.perf_counter()
        finally:
            await database.close()
        return queued["id"], started, accepted, ended, row

    def execute_run(
        self, server: Server, token: str, *, cases: list[int] | None, healthz: bool
    ) -> dict[str, Any]:
        """One run (of every case when `cases` is None), with wrk on /healthz if asked."""
        body: dict[str, Any] = {"environment": self.environment_id}
        if cases is not None:
            body["cases"] = cases
        count = len(cases) if cases is not None else len(self.case_ids)
        answered = self.target_count()
        before = self.clocks(server)
        load = self.healthz_load(server, RUN_TIMEOUT).start() if healthz else None
        try:
            run_id, started, accepted, ended, row = asyncio.run(
                self._run_and_wait(server, token, body)
            )
            wrk_result = stop_and_read(load) if load is not None else None
        finally:
            if load is not None:
                load.kill()
        wall = ended - started
        entry: dict[str, Any] = {
            "run_id": run_id,
            "cases": count,
            "wall_seconds": round(wall, 4),
            "per_case_ms": round(wall / count * 1000, 4),
            "accepted_ms": round((accepted - started) * 1000, 2),
            "queued_ms": round((row["started_at"] - row["created_at"]).total_seconds() * 1000, 2),
            "executing_seconds": round((row["finished_at"] - row["started_at"]).total_seconds(), 4),
            "status": row["status"],
        } | self.shares(before, self.clocks(server), wall)
        entry["server_cpu_per_case_ms"] = round(entry["server_cpu_seconds"] / count * 1000, 4)
        entry["target_answered"] = self.target_count() - answered
        if wrk_result is not None:
            entry["healthz"] = wrk_result.to_json()
        entry |= self.read_results(server, token, run_id, count)
        return entry

    def read_results(self, server: Server, token: str, run_id: int, count: int) -> dict[str, Any]:
        """The run as the API answers it (after the clocks): counts, the cases' own times."""
        request = urllib.request.Request(  # noqa: S310 (127.0.0.1)
            f"{server.base_url}/api/v1/runs/{run_id}",
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
        )
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=120) as answer:  # noqa: S310 (127.0.0.1)
            raw = answer.read()
        seconds = time.perf_counter() - started
        data = json.loads(raw)["data"]
        durations = sorted(result["duration_ms"] for result in data["results"])
        failed = [r for r in data["results"] if not r["passed"]]
        if data["counts"] != {"total": count, "passed": count, "failed": 0}:
            first = [(r["name"], r["failures"][:2]) for r in failed[:3]]
            self.problem(f"run {run_id}: {data['status']}, {data['counts']}; first: {first}")
        return {
            "counts": data["counts"],
            "case_ms": {
                "p50": round(durations[len(durations) // 2], 3) if durations else None,
                "p90": round(durations[int(len(durations) * 0.9)], 3) if durations else None,
                "max": round(durations[-1], 3) if durations else None,
            },
            "read_seconds": round(seconds, 3),
            "read_bytes": len(raw),
        }

    def say_run(self, label: str, entry: dict[str, Any]) -> None:
        line = (
            f"  {label:<22} {entry['wall_seconds']:7.3f} s  {entry['per_case_ms']:6.3f} ms/case  "
            f"server CPU {entry['server_cpu_seconds']:6.3f} s ({entry['server_cpu_share']:.0%})  "
            f"target {entry['target_cpu_share']:.0%}  {entry['counts']}"
        )
        if "healthz" in entry:
            found = entry["healthz"]
            line += (
                f"\n  {'':<22} /healthz meanwhile: p50 {found['p50_ms']} ms, p99 "
                f"{found['p99_ms']} ms, max {found['max_ms']} ms, {found['requests']} requests, "
                f"errors {found['errors']}"
            )
        say(line)

    def apidock_turn(self, number: int) -> dict[str, Any]:
        with self.apidock_server(f"{number:02d}") as server:
            token = self.login(server)
            warmup = self.execute_run(
                server, token, cases=self.case_ids[: self.plan.warmup_cases], healthz=False
            )
            self.say_run("warm-up run", warmup)
            idle = self.idle_healthz(server)
            pair = [("alone", False), ("with_healthz", True)]
            if number % 2 == 0:
                pair.reverse()
            entry: dict[str, Any] = {"warmup": warmup, "idle_healthz": idle}
            for key, healthz in pair:
                entry[key] = self.execute_run(server, token, cases=None, healthz=healthz)
                self.say_run(f"run of {len(self.case_ids)} cases, {key}", entry[key])
                if entry[key]["target_answered"] != len(self.case_ids):
                    self.problem(
                        f"the target answered {entry[key]['target_answered']} requests to a run "
                        f"of {len(self.case_ids)} cases"
                    )
            memory = server.memory_kib()
            entry["peak_rss_mib"] = round(memory["hwm"] / 1024, 1)
        return entry

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
        path = self.workdir / "peer.json"
        plan = {
            "document": runs_document.document(),
            "base_url": self.target_url,
            "concurrency": self.concurrency,
            "warmup": self.plan.warmup_cases,
            "requests": requests,
        }
        path.write_text(json.dumps(plan))
        return path

    def peer_turn(self) -> dict[str, Any]:
        """The plain httpx loop, in a process of its own on the server's core."""
        argv = [servers.which("taskset"), "--cpu-list", str(self.plan.server_core)]
        argv += [sys.executable, str(BENCH_DIR / "runs_peer.py"), str(self.peer_plan())]
        answered = self.target_count()
        before = self.clocks(None)
        started = time.perf_counter()
        done = subprocess.run(
            argv,
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT,
            check=False,
            cwd=self.workdir,
            env=self.env(),
        )
        seconds = time.perf_counter() - started
        if done.returncode != 0:
            raise ServerError(f"the peer exited with {done.returncode}:\n{done.stderr[-2000:]}")
        entry: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        shares = self.shares(before, self.clocks(None), seconds)
        entry |= {key: value for key, value in shares.items() if not key.startswith("server")}
        # the process's whole life, warm-up included: the target's share is over that span
        entry["process_seconds"] = round(seconds, 3)
        entry["target_answered"] = self.target_count() - answered
        if entry["failures"]:
            self.problem(f"the peer found {entry['failures']} failures: {entry['first_failures']}")
        say(
            f"  {'plain httpx loop':<22} {entry['wall_seconds']:7.3f} s  "
            f"{entry['per_case_ms']:6.3f} ms/case  CPU {entry['cpu_seconds']:6.3f} s  "
            f"failures {entry['failures']}"
        )
        return entry

    def wait_until_quiet(self) -> list[str]:
        """Wait (up to `--wait-quiet` seconds) until no other benchmark or test suite runs;
        what still runs when the wait ends."""
        deadline = time.monotonic() + self.plan.wait_quiet
        others = other_processes()
        quiet_checks, said = 0, ""
        while time.monotonic() < deadline and quiet_checks < QUIET_CHECKS:
            quiet_checks = 0 if others else quiet_checks + 1
            if others and others[0] != said:
                said = others[0]
                say(f"  waiting for a quiet machine: {said[:100]}…")
            time.sleep(QUIET_INTERVAL)
            others = other_processes()
        return others

    def measured_round(self, number: int) -> dict[str, Any]:
        """A round, repeated (up to `--retries` times) when other work ran meanwhile."""
        for attempt in range(self.plan.retries + 1):
            others = self.wait_until_quiet()
            self.noise = []
            entry = self.one_round(number)
            entry["source"] = source_state()
            if not self.noise:
                return entry
            if attempt < self.plan.retries:
                say(f"round {number} is measured again: other work ran meanwhile")
                self.discarded.append({"round": number, "noise": self.noise, "others": others})
        self.problems.extend(f"round {number}: {message}" for message in self.noise)
        return entry

    def one_round(self, number: int) -> dict[str, Any]:
        order = ["apidock", "peer"] if number % 2 else ["peer", "apidock"]
        say(f"round {number} of {self.plan.rounds}: " + ", then ".join(order))
        entry: dict[str, Any] = {"round": number, "order": order}
        for turn in order:
            entry[turn] = self.apidock_turn(number) if turn == "apidock" else self.peer_turn()
        ours, theirs = entry["apidock"]["alone"], entry["peer"]
        entry["overhead_ratio"] = round(ours["wall_seconds"] / theirs["wall_seconds"], 3)
        say(f"  overhead: {entry['overhead_ratio']:.2f}x the plain loop's time per case")
        return entry

    def run(self) -> None:
        plan = self.plan
        if not {plan.server_core, plan.load_core} <= os.sched_getaffinity(0):
            raise ServerError(f"cores {plan.server_core} and {plan.load_core} are needed")
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        for old in LOG_DIR.glob("runs-*.log"):
            old.unlink()
        self.wrk = ensure_wrk(say)
        self.results["machine"] = run.machine_info() | {"others_at_start": other_processes()}
        self.results["versions"] = runs_plan.versions(self.wrk)
        self.results["git"] = source_state()
        self.results["executor"] = {
            "case_concurrency": self.concurrency,
            "run_concurrency_default": 2,
            "checker_threads": executor._CHECKER_THREADS.total_tokens,
        }
        others = self.results["machine"]["others_at_start"]
        say(f"load average {self.results['machine']['loadavg_start']}; running: {others or 'none'}")
        self.wait_until_quiet()
        # this script (polling, wrk's parent) stays off the measured core
        os.sched_setaffinity(0, {plan.load_core})
        self.start_target()
        self.results["target_capacity"] = self.target_capacity()
        self.prepare_app()
        rounds = [self.measured_round(number) for number in range(1, plan.rounds + 1)]
        self.results["rounds"] = rounds
        self.results["discarded_rounds"] = self.discarded
        self.results["medians"] = runs_report.medians(rounds)
        self.results["targets"] = runs_report.evaluate(self.results["medians"])

    def finish(self) -> bool:
        """Write the results and the docs, print the targets; True when all are met."""
        results = self.results
        results.setdefault("machine", run.machine_info())
        results["machine"]["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
        results["machine"]["others_at_end"] = other_processes()
        results["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        if "git" in results:
            results["git_end"] = source_state()
            if results["git_end"] != results["git"]:
                self.problem("src/ or alembic/ changed during the run: rounds may differ")
        results["problems"] = self.problems
        if "targets" not in results:
            return False
        runs_report.write_results(results, self.plan.output)
        say(f"results: {self.plan.output}")
        if self.plan.docs:
            runs_report.write_docs(results, runs_plan.DOCS)
            say(f"docs: {runs_plan.DOCS}")
        for line in runs_report.summary_lines(results):
            print(line, flush=True)
        return all(target["met"] for target in results["targets"]) and not self.problems

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


def _interrupt(signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    plan = runs_plan.parse_args(argv)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _interrupt)
    bench = RunsBench(plan)
    code = 0
    try:
        bench.run()
    except KeyboardInterrupt:
        say("interrupted; stopping the servers and the load")
        code = 130
    except (ServerError, LoadError, prepare.PrepareError, RuntimeError) as exc:
        say(f"error: {exc}")
        code = 1
    finally:
        bench.clean_up()
    met = bench.finish()
    if code == 0 and not met:
        say("a target was missed or a problem was found (above)")
        code = 1
    return code


if __name__ == "__main__":
    sys.exit(main())
