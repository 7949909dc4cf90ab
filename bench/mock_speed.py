"""Speed of API Dock's mock server against Stoplight Prism, in the same run (issue 15's
acceptance).

    .venv/bin/python bench/mock_speed.py               # 3 rounds: about 8 minutes
    .venv/bin/python bench/mock_speed.py --rounds 1 --duration 5   # a sanity check

Prepares a database of its own (PostgreSQL `apidock_bench_mock` on 127.0.0.1:5432, dropped
and created, `apidock deploy`; dropped again at the end unless `--keep-database`), starts
`apidock serve` once to log in as the root administrator, import bench/mock_document.json as
the app `bench` and make a mock key, and stops it. Then, in each round, it starts each server
afresh, one at a time, pinned to core 0: `apidock mock --app bench --loop uvloop` and
`prism mock` on the same document (as it starts, then with `-v silent`); checks that each
answers both scenarios with 200 and JSON (bench/mock_probe.py); and measures each scenario with
wrk (one thread, `--connections`, core 1) after a warm-up. Every request carries the key in
`X-Mock-Key` (bench/mock_plan.py has the scenarios and why). Writes bench/results/mock.json and
docs/benchmarks-mock.md, prints issue 15's targets and exits 1 when one is missed:

- static examples, and generated bodies: at least 2x Prism's req/s, p99 no higher than Prism's,
  and no errors.

Everything talks to 127.0.0.1 only; the servers and wrk run in process groups of their own and
are stopped on every way out (end, error, Ctrl-C, SIGTERM). Ports 8820 (`apidock serve`, during
the setup), 8821 (`apidock mock`) and 8822 (Prism). Servers' output: bench/results/logs/mock-*.
"""

from __future__ import annotations

import json
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mock_docs
import mock_plan
import mock_report
import servers
from harness import APIDOCK, BenchRun, machine_info, run_bench, say, source_state
from loadgen import ensure_wrk, run_wrk
from mock_plan import CONTENDERS, DATABASE, SCENARIOS, SLUG, Contender, Plan, Scenario
from mock_probe import check_answers, write_wrk_script
from servers import START_TIMEOUT, Server, cpu_clocks

NOISY_SHARE = 0.25  # other work past this share of a core during a run is reported


@dataclass(eq=False)
class KeyedServer(Server):
    """A server whose ready path answers 200 only to a request with `ready_headers` (the
    private mock needs its key): `Server.start` waits with them added to every request."""

    ready_headers: tuple[str, ...] = ()

    def start(self, timeout: float = START_TIMEOUT) -> None:
        opener = urllib.request.build_opener()
        opener.addheaders = [tuple(h.split(": ", 1)) for h in self.ready_headers]  # type: ignore[misc]
        urllib.request.install_opener(opener)
        try:
            super().start(timeout)
        finally:
            urllib.request.install_opener(urllib.request.build_opener())


class MockBench(BenchRun[Plan]):
    """One run: the database and the app, the rounds, the results."""

    token_minutes = None  # API Dock's default: the setup's token is used at once

    def __init__(self, plan: Plan) -> None:
        super().__init__(plan, name="mock", database=DATABASE, keep_database=plan.keep_database)
        self.document: dict[str, Any] = json.loads(mock_plan.DOCUMENT.read_text())
        self.key = ""
        self.wrk = ""
        self.prism = mock_plan.PRISM
        self.scripts: dict[str, Path] = {}

    def headers(self, scenario: Scenario) -> tuple[str, ...]:
        return (*scenario.headers, f"X-Mock-Key: {self.key}")

    # --- the app ------------------------------------------------------------------------

    def prepare_app(self) -> None:
        """Database, deploy, then through `apidock serve`: log in, import, make a key."""
        self.prepare_database()
        with self.apidock_serve(mock_plan.API_PORT, "setup-apidock-serve") as serve:
            token = self.login(serve)
            imported = self.import_app(serve, token, SLUG, self.document)
            report = imported.get("report") or {}
            app_id = imported["app"]["id"]
            made = self.api_call(
                "POST",
                f"{serve.base_url}/api/v1/apps/{app_id}/mock-keys",
                {"name": "bench"},
                token,
                201,
            )
            self.key = made["key"]
        self.results["app"] = {
            "id": app_id,
            "slug": SLUG,
            "operations": report.get("operations"),
            "schemas": report.get("schemas"),
            "document_bytes": mock_plan.DOCUMENT.stat().st_size,
        }
        say(f"app {SLUG} (id {app_id}): {report.get('operations')} operations, a mock key")

    # --- servers and runs ---------------------------------------------------------------

    def server(self, contender: Contender, number: int) -> KeyedServer:
        if contender.prism_log is None:
            argv = [str(APIDOCK), "mock", "--app", SLUG]
            argv += ["--port", str(contender.port), "--loop", "uvloop"]
        else:
            argv = [str(self.prism), "mock", "-h", servers.HOST, "-p", str(contender.port)]
            argv += ["-v", contender.prism_log, str(mock_plan.DOCUMENT)]
        first = SCENARIOS[0]
        return KeyedServer(
            name=contender.name,
            argv=argv,
            env=self.env(),
            port=contender.port,
            cwd=self.workdir,
            log_path=self.log_path(f"{number:02d}-{contender.key}"),
            core=self.plan.server_core,
            ready_path=first.paths(1)[0],
            ready_headers=self.headers(first),
        )

    def measure(self, server: Server, scenario: Scenario) -> dict[str, Any]:
        """One wrk run of the scenario (after a warm-up run), with the CPU used meanwhile."""
        options: dict[str, Any] = {
            "connections": self.plan.connections,
            "core": self.plan.load_core,
            "script": str(self.scripts[scenario.key]),
            "headers": self.headers(scenario),
        }
        url = server.base_url + "/"
        if self.plan.warmup > 0:
            run_wrk(self.wrk, url, duration=self.plan.warmup, **options)
        before = cpu_clocks(server)
        result = run_wrk(self.wrk, url, duration=self.plan.duration, **options)
        used = {key: value - before[key] for key, value in cpu_clocks(server).items()}
        seconds, requests = result.seconds or 1.0, max(result.requests, 1)
        other = used["machine"] - used["server"] - used["wrk"] - used["postgres"]
        entry = result.to_json() | {
            "cpu_seconds": round(used["server"], 3),
            "cpu_us_per_request": round(used["server"] / requests * 1e6, 1),
            "cpu_share": round(used["server"] / seconds, 3),
            "postgres_cpu_seconds": round(max(0.0, used["postgres"]), 3),
            "postgres_us_per_request": round(max(0.0, used["postgres"]) / requests * 1e6, 1),
            "wrk_cpu_share": round(used["wrk"] / seconds, 3),
            "other_cpu_share": round(max(0.0, other) / seconds, 3),
        }
        say(
            f"  {server.name:<34} {scenario.title:<15} {entry['rps']:8,.0f} req/s  "
            f"p50 {entry['p50_ms']:6.1f} ms  p99 {entry['p99_ms']:7.1f} ms  "
            f"errors {entry['errors']}  CPU {entry['cpu_us_per_request']:,.0f} µs/req  "
            f"PostgreSQL {entry['postgres_us_per_request']:,.0f} µs/req"
        )
        if entry["errors"]:
            self.problem(
                f"{server.name}: {entry['errors']:,} errors ({scenario.title}); "
                f"the causes are in {server.log_path}"
            )
        if entry["other_cpu_share"] > NOISY_SHARE:
            self.problem(
                f"other work used {entry['other_cpu_share']:.0%} of a core during "
                f"{server.name}'s {scenario.title} run: its numbers are suspect"
            )
        return entry

    def one_round(self, number: int) -> dict[str, Any]:
        shift = (number - 1) % len(CONTENDERS)
        order = [*CONTENDERS[shift:], *CONTENDERS[:shift]]
        say(f"round {number} of {self.plan.rounds}: " + ", then ".join(c.key for c in order))
        entry: dict[str, Any] = {"round": number, "order": [c.key for c in order], "runs": {}}
        for contender in order:
            with self.server(contender, number) as server:
                probes = {
                    scenario.key: check_answers(
                        server.base_url,
                        server.name,
                        scenario,
                        scenario.paths(self.plan.paths),
                        self.headers(scenario),
                        self.document,
                    )
                    for scenario in SCENARIOS
                }
                self.results.setdefault("probes", {}).setdefault(contender.key, probes)
                runs = {scenario.key: self.measure(server, scenario) for scenario in SCENARIOS}
                memory = server.memory_kib()
                runs_memory = {"peak_rss_mib": round(memory["hwm"] / 1024, 1)}
            entry["runs"][contender.key] = runs | {"memory": runs_memory}
        return entry

    def note_probes(self) -> None:
        """Problems of the answers checked (beside the numbers; none stops the run)."""
        for contender in CONTENDERS:
            for scenario in SCENARIOS:
                probe = self.results["probes"][contender.key][scenario.key]
                if probe.get("documented_example") is False:
                    self.problem(f"{contender.name} did not answer the example ({scenario.title})")
                if probe["valid_against_schema"] < probe["samples"]:
                    self.problem(
                        f"{contender.name}: {probe['samples'] - probe['valid_against_schema']} "
                        f"of {probe['samples']} bodies invalid against {scenario.schema} "
                        f"({scenario.title}): {probe['first_schema_error']}"
                    )
        generated = self.results["probes"]["apidock"]["generated"]
        if not generated["same_request_same_body"] or generated["distinct_bodies"] < 2:
            self.problem("API Dock's generated bodies are not one per request, as SPEC says")

    def run(self) -> None:
        plan = self.plan
        self.begin()
        self.wrk = ensure_wrk(say)
        self.prism = mock_plan.ensure_prism(say)
        self.results["machine"] = machine_info()
        self.results["versions"] = mock_plan.versions(self.prism, self.wrk)
        self.results["git"] = source_state()
        say(f"{plan.rounds} round(s), load average {self.results['machine']['loadavg_start']}")
        for scenario in SCENARIOS:
            script = self.workdir / f"{scenario.key}.lua"
            self.scripts[scenario.key] = write_wrk_script(script, scenario.paths(plan.paths))
        self.prepare_app()
        rounds = [self.one_round(number) for number in range(1, plan.rounds + 1)]
        self.note_probes()
        found = mock_report.medians(rounds)
        self.results["rounds"] = rounds
        self.results["medians"] = found
        self.results["targets"] = mock_report.evaluate(found)

    def finish(self) -> bool:
        """Write the results and the docs, print the targets; True when all are met."""
        self.stamp_end()
        self.note_code_change(
            "src/ or alembic/ changed during the run: the rounds may have measured different code"
        )
        return self.publish(mock_report.summary_lines, mock_docs.write_docs, mock_plan.DOCS)


def main(argv: list[str] | None = None) -> int:
    return run_bench(MockBench, mock_plan.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
