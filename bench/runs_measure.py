"""The measurements of bench/runs_speed.py: a run asked for and timed, `/healthz` under wrk
meanwhile, the peer's loop, the target's own capacity, the CPU each used, and whether the
machine was quiet.

Decisions:
- A run is timed from the moment it is asked for (`POST /api/v1/apps/{id}/runs`) to the moment
  its row in PostgreSQL says it is finished, read every `POLL_SECONDS` (the row's timestamps
  are in whole seconds: the clock here times it). Its results are read through the API after.
- CPU is read from /proc (`servers`): the server's process tree, the target's, PostgreSQL's,
  the reaped children (wrk, the peer) and the whole machine; what is left is other work. A
  measurement during which other work took more than `NOISY_SHARE` of a core is noise: the
  round is measured again (bench/runs_speed.py).
- "Quiet" is no other benchmark or test suite running (`OTHER_BENCHMARKS` in a command line,
  PostgreSQL's own processes left out), seen `QUIET_CHECKS` times in a row.
"""

# ruff: noqa: S603 (commands are built from fixed parts and paths found here, never from input)

from __future__ import annotations

import asyncio
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import asyncpg
import prepare
import runs_plan
import servers
from harness import BENCH_DIR, say
from loadgen import Wrk, WrkResult, run_wrk
from runs_plan import DATABASE, POLL_SECONDS, RUN_TIMEOUT, Plan
from runs_setup import RunsSetup
from servers import Server, ServerError

from apidock.runs.models import FINISHED

NOISY_SHARE = 0.25  # other work past this share of a core during a measurement is noise
QUIET_CHECKS, QUIET_INTERVAL = 3, 5.0  # quiet: nothing else seen this many times in a row
OTHER_BENCHMARKS = ("wrk", "prism", "apidock", "pytest")


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


def same_code(one: dict[str, Any], other: dict[str, Any]) -> bool:
    """Whether two `source_state`s have the same src/ and alembic/."""
    if one.get("fingerprint") != other.get("fingerprint"):
        return False
    if one.get("commit") == other.get("commit"):
        return True
    git = shutil.which("git")
    if git is None:
        return False
    done = subprocess.run(
        [git, "-C", str(BENCH_DIR.parent), "diff", "--quiet", str(one["commit"]),
         str(other["commit"]), "--", "src", "alembic"],
        capture_output=True,
        timeout=60,
        check=False,
    )  # fmt: skip
    return done.returncode == 0


def stop_and_read(job: Wrk) -> WrkResult:
    """End a wrk run now (SIGINT: wrk stops and prints its report) and read the report."""
    if job.process is not None and job.process.poll() is None:
        job.process.send_signal(signal.SIGINT)
    return job.result()


class RunsMeter(RunsSetup):
    """The measurements, on what `RunsSetup` made."""

    def __init__(self, plan: Plan) -> None:
        super().__init__(plan)
        self.noise: list[str] = []  # other work seen during the round being measured

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
                # (its timestamps are in whole seconds: the clocks here time the run)
                row = await database.fetchrow("SELECT status FROM runs WHERE id = $1", queued["id"])
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
