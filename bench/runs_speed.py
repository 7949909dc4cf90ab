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

from __future__ import annotations

import os
import sys
from typing import Any

import runs_docs
import runs_plan
import runs_profile
import runs_report
from harness import machine_info, run_bench, say, source_state
from loadgen import ensure_wrk
from runs_measure import RunsMeter, other_processes, same_code
from runs_plan import Plan

from apidock.runs import executor


class RunsBench(RunsMeter):
    """One run of the benchmark: the rounds, the in-process analysis, the results."""

    def __init__(self, plan: Plan) -> None:
        super().__init__(plan)
        self.discarded: list[dict[str, Any]] = []

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
        self.begin()
        self.wrk = ensure_wrk(say)
        self.results["machine"] = machine_info() | {"others_at_start": other_processes()}
        self.results["versions"] = runs_plan.versions(self.wrk)
        self.results["git_at_start"] = source_state()
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
        if plan.profile:
            self.wait_until_quiet()
            say("in process (bench/runs_profile.py): where the time goes")
            self.results["in_process"] = runs_profile.analyse(self, warmup=plan.warmup_cases)
            self.results["in_process"]["source"] = source_state()
        self.results["medians"] = runs_report.medians(rounds)
        self.results["targets"] = runs_report.evaluate(self.results["medians"])

    def finish(self) -> bool:
        """Write the results and the docs, print the targets; True when all are met."""
        results = self.stamp_end()
        results["machine"]["others_at_end"] = other_processes()
        sources = [r["source"] for r in results.get("rounds", [])]
        if sources:
            # what the rounds measured (the code may change between the start and round 1
            # while the machine is waited for; that is no problem)
            results["git"] = sources[0]
            if "in_process" in results:
                sources.append(results["in_process"]["source"])
            if not all(same_code(sources[0], other) for other in sources[1:]):
                self.problem(
                    "src/ or alembic/ changed between the rounds: they measured different code"
                )
        return self.publish(runs_report.summary_lines, runs_docs.write_docs, runs_plan.DOCS)


def main(argv: list[str] | None = None) -> int:
    return run_bench(
        RunsBench,
        runs_plan.parse_args(argv),
        missed="a target was missed or a problem was found (above)",
    )


if __name__ == "__main__":
    sys.exit(main())
