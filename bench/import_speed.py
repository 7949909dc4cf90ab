"""Import speed against openapi-spec-validator, in the same run (issue 14's acceptance).

    .venv/bin/python bench/import_speed.py              # 5 rounds: about 2 to 4 minutes
    .venv/bin/python bench/import_speed.py --rounds 1   # a sanity check

Generates a ~1 MB, 250-operation OpenAPI 3.1 document and one ten times larger
(bench/import_document.py, into a temporary directory), prepares a database of its own
(PostgreSQL `apidock_bench_import` on 127.0.0.1:5432, dropped and created, `apidock deploy`;
dropped again at the end; or `--database sqlite`, a file in the temporary directory), and
in each round starts API Dock afresh (`apidock serve`, pinned to core 0), logs in as the root
administrator and times: openapi-spec-validator on the 1 MB document; `POST
/api/v1/apps/import` of the 1 MB and of the 10 MB document; a third import of the 10 MB
document under a paced `/healthz` load (bench/import_load.py, core 1). Then it times the steps
of an import in-process (bench/import_stages.py). Writes bench/results/import.json and
docs/benchmarks-import.md, and prints the targets:

- import of 1 MB at most 2x the validator on it;
- import of 10 MB at most 12x the import of 1 MB;
- `/healthz` p99 under 50 ms while the 10 MB document is imported.

Everything talks to 127.0.0.1 only; the server and the load run in process groups of their
own and are stopped on every way out (end, error, Ctrl-C, SIGTERM), the database dropped and
the temporary directory removed. Port 8810 (bench/run.py uses 8800 and 8801).
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import sys
import time
from typing import Any

import import_report
from harness import BenchRun, machine_info, pinned, run_bench, say, source_state
from import_document import make_document
from import_measure import (
    Load,
    clocks,
    cpu_used,
    post_import,
    split_by_window,
    time_parse,
    time_validator,
)
from import_plan import DATABASE, DOCS, Plan, parse_args, versions
from import_stages import stage_times
from servers import Server, ServerError

from apidock.descriptions.intake import IntakeLimits

LOAD_LEAD = 1.0  # seconds the /healthz load runs before the import, and after
NOISY_SHARE = 0.25  # other work past this share of a core during an import is reported
WARMUP_OPERATIONS = 25


class ImportBench(BenchRun[Plan]):
    """One run: the documents, the database, the rounds, the stages, the results.

    A round starts its own server, so that no round inherits another's heap or caches, and
    the 25-operation warm-up import compiles the OpenAPI schema's validator and loads the
    import's code before anything is timed (what every import after a server's first pays).
    """

    def __init__(self, plan: Plan) -> None:
        super().__init__(plan, name="import", database=DATABASE)
        self.environments_key = self.secret[::-1]
        self.raw: dict[str, bytes] = {}
        self.parsed: dict[str, dict[str, Any]] = {}
        self.load: Load | None = None
        self.shares: list[float] = []  # the other work's share of a core, import by import
        self.results["plan"]["database_label"] = plan.database_label

    @property
    def database_url(self) -> str:
        if self.plan.database == "sqlite":
            return f"sqlite+aiosqlite:///{self.workdir / 'import.db'}"
        return super().database_url

    # --- steps --------------------------------------------------------------------------

    def make_documents(self) -> None:
        sizes = {
            "warmup": WARMUP_OPERATIONS,
            "1mb": self.plan.operations,
            "10mb": self.plan.operations * self.plan.scale,
        }
        documents: dict[str, Any] = {}
        for key, operations in sizes.items():
            document = make_document(operations, seed=self.plan.seed)
            raw = json.dumps(document, indent=2, ensure_ascii=False).encode()
            (self.workdir / f"{key}.json").write_bytes(raw)
            self.raw[key] = raw
            if key == "warmup":
                continue
            documents[key] = {
                "bytes": len(raw),
                "operations": operations,
                "schemas": len(document["components"]["schemas"]),
                "sha256": hashlib.sha256(raw).hexdigest(),
                "parse_s": round(time_parse(raw), 4),
            }
            if key == "1mb" or self.plan.validate_large:
                self.parsed[key] = json.loads(raw)  # what the validator is given
            say(f"document {key}: {len(raw):,} bytes, {operations:,} operations")
        self.results["documents"] = documents

    def server(self, number: int) -> Server:
        return self.apidock_serve(self.plan.port, f"{number:02d}-apidock", name="API Dock")

    def import_once(
        self, server: Server, token: str, key: str, slug: str, with_load: bool = False
    ) -> dict[str, Any]:
        """One timed import of document `key`, with the CPU used meanwhile."""
        load = None
        if with_load:
            output = self.workdir / f"load-{slug}.json"
            load = Load(
                self.plan.port,
                output,
                self.plan.load_core,
                self.plan.healthz_connections,
                self.plan.healthz_pause_ms,
            )
            self.load = load.start()
            time.sleep(LOAD_LEAD)
        before = clocks(server.pid, load.pid if load else None)
        with pinned(self.plan.load_core):
            begin, end, seconds, status, answer = post_import(
                self.plan.port, token, self.raw[key], slug, self.plan.timeout
            )
        used = cpu_used(before, clocks(server.pid, load.pid if load else None))
        entry: dict[str, Any] = {"seconds": round(seconds, 4), "status": status}
        if load is not None:
            time.sleep(LOAD_LEAD)
            records = load.stop()
            self.load = None
            entry["healthz"] = split_by_window(records, begin, end)
        entry |= {
            "server_cpu_s": round(used["server"], 3),
            "postgres_cpu_s": round(used["postgres"], 3) if self.plan.database != "sqlite" else 0,
            "other_cpu_share": round(used["other"] / max(seconds, 1e-6), 3),
        }
        report = answer.get("data", {}).get("report") if isinstance(answer, dict) else None
        if status != 201 or not isinstance(report, dict):
            entry["seconds"] = None
            self.problem(f"import of {key} as {slug} answered {status}: {str(answer)[:300]}")
        else:
            entry |= {
                "operations": report.get("operations"),
                "warnings": len(report.get("warnings") or []),
                "lost": len(report.get("lost") or []),
            }
            if entry["warnings"] or entry["lost"]:
                self.problem(f"import of {key}: {entry['warnings']} warnings, {entry['lost']} lost")
        self.shares.append(entry["other_cpu_share"])
        health = entry.get("healthz", {}).get("during", {})
        say(
            f"  import {key:<5} {seconds:8.3f} s  status {status}  server CPU "
            f"{used['server']:.2f} s  PostgreSQL {used['postgres']:.2f} s"
            + (
                f"  /healthz p99 {health.get('p99_ms')} ms over {health.get('requests')}"
                if health
                else ""
            )
        )
        return entry

    def validate_once(self, key: str) -> dict[str, Any]:
        entry = time_validator(self.parsed[key], self.plan.server_core)
        say(f"  validator {key:<5} {entry['seconds']:8.3f} s  errors {entry['errors']}")
        if entry["errors"]:
            self.problem(f"openapi-spec-validator found {entry['errors']} errors in {key}")
        return entry

    def one_round(self, number: int) -> dict[str, Any]:
        order = ["validator", "imports"] if number % 2 else ["imports", "validator"]
        say(f"round {number} of {self.plan.rounds}: {' then '.join(order)}")
        entry: dict[str, Any] = {"round": number, "order": " then ".join(order)}
        with self.server(number) as server:
            token = self.login(server)
            warmup = self.import_once(server, token, "warmup", f"warmup-{number}")
            if warmup["seconds"] is None:
                raise ServerError("the warm-up import failed; see the problems above")
            for step in order:
                if step == "validator":
                    entry["validator_1mb"] = self.validate_once("1mb")
                    if self.plan.validate_large:
                        entry["validator_10mb"] = self.validate_once("10mb")
                    continue
                entry["import_1mb"] = self.import_once(server, token, "1mb", f"r{number}-1mb")
                entry["import_10mb"] = self.import_once(server, token, "10mb", f"r{number}-10mb")
                entry["import_10mb_loaded"] = self.import_once(
                    server, token, "10mb", f"r{number}-10mb-load", with_load=True
                )
            entry["peak_rss_mib"] = round(server.memory_kib()["hwm"] / 1024, 1)
        return entry

    def stages(self, found: dict[str, Any]) -> dict[str, Any]:
        # the parsed documents would make this heap, and so each full collection, larger
        # than the server's
        self.parsed.clear()
        gc.collect()
        limits = IntakeLimits()
        core = self.plan.server_core
        stage_times(self.raw["warmup"], limits, core=core, passes=1)  # compiled, warm
        stages = {key: stage_times(self.raw[key], limits, core=core) for key in ("1mb", "10mb")}
        for key, entry in stages.items():
            total = found.get(f"import_{key}_s")
            rest = None if total is None else round(total - entry["prepare_import_s"], 4)
            entry["rest_s"] = rest
            say(f"stages {key}: " + ", ".join(f"{k} {v:.3f}" for k, v in entry["stages_s"].items()))
        return stages

    def run(self) -> None:
        plan = self.plan
        self.begin()
        self.results["machine"] = machine_info()
        self.results["versions"] = versions(plan.database)
        self.results["git"] = source_state()
        say(f"{plan.rounds} round(s), load average {self.results['machine']['loadavg_start']}")
        self.make_documents()
        self.prepare_database(recreate=plan.database == "postgresql")
        rounds = [self.one_round(number) for number in range(1, plan.rounds + 1)]
        for key in ("1mb", "10mb"):
            errors = [r[f"validator_{key}"]["errors"] for r in rounds if f"validator_{key}" in r]
            self.results["documents"][key]["validator_errors"] = errors[0] if errors else None
        noisy = [share for share in self.shares if share > NOISY_SHARE]
        if noisy:
            self.problem(
                f"other work on the machine used {min(noisy):.0%} to {max(noisy):.0%} of a core "
                f"during {len(noisy)} of {len(self.shares)} imports: wall times are suspect "
                "(the CPU seconds beside them are less so); run again on a quiet machine"
            )
        found = import_report.medians(rounds)
        self.results["rounds"] = rounds
        self.results["medians"] = found
        self.results["stages"] = self.stages(found)
        failed = any(
            r.get(k, {}).get("seconds") is None
            for r in rounds
            for k in ("import_1mb", "import_10mb", "import_10mb_loaded")
        ) or any(
            r["import_10mb_loaded"].get("healthz", {}).get("during", {}).get("errors")
            for r in rounds
        )
        self.results["targets"] = import_report.evaluate(found, failed)

    def finish(self) -> bool:
        """Write the results and the docs, print the targets; True when all are met."""
        self.stamp_end()
        self.note_code_change(
            "src/ or alembic/ changed during the run (commit or working tree): the "
            "rounds may have measured different code"
        )
        return self.publish(
            import_report.summary_lines, import_report.write_docs, DOCS, verdict="passed"
        )

    def clean_up(self) -> None:
        if self.load is not None:
            with contextlib.suppress(RuntimeError):
                self.load.stop()
        super().clean_up()


def main(argv: list[str] | None = None) -> int:
    # the exit code says whether the run went through; the targets are in the results
    return run_bench(ImportBench, parse_args(argv), stopping="the server and the load", missed=None)


if __name__ == "__main__":
    sys.exit(main())
