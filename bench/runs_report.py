"""The figures of bench/runs_speed.py: medians of the rounds, issue 16's targets, the results
file, the summary printed at the end and docs/benchmarks-runs.md.

A figure is the median over the rounds; the overhead ratio is the median of API Dock's wall
time for the run alone over the median of the plain loop's (the per-round ratios are kept
too). The page says only what the results hold: its sentences are computed from them, so a
new run rewrites them with its own figures.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import Any

from runs_plan import HEALTHZ_P99_LIMIT_MS, OVERHEAD_LIMIT

RUN_KEYS = (
    "wall_seconds", "per_case_ms", "accepted_ms", "queued_ms", "executing_seconds",
    "server_cpu_seconds", "server_cpu_per_case_ms", "server_cpu_share", "target_cpu_share",
    "postgres_cpu_seconds", "other_cpu_share", "read_seconds", "read_bytes",
)  # fmt: skip
PEER_KEYS = (
    "wall_seconds", "per_case_ms", "cpu_seconds", "cpu_per_case_ms", "target_cpu_share",
    "other_cpu_share", "validator_setup_seconds",
)  # fmt: skip
WRK_KEYS = ("rps", "requests", "p50_ms", "p75_ms", "p90_ms", "p99_ms", "max_ms")
RUNS = ("warmup", "alone", "with_healthz")


def _median(values: list[Any]) -> float | None:
    found = [v for v in values if v is not None]
    return round(statistics.median(found), 4) if found else None


def _wrk_medians(entries: list[dict[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {key: _median([e.get(key) for e in entries]) for key in WRK_KEYS}
    found["errors"] = sum(e.get("errors") or 0 for e in entries)
    found["worst_p99_ms"] = max((e["p99_ms"] for e in entries if e.get("p99_ms")), default=None)
    found["worst_max_ms"] = max((e["max_ms"] for e in entries if e.get("max_ms")), default=None)
    return found


def _valid(entry: dict[str, Any]) -> bool:
    cases = entry["cases"]
    passed = entry["counts"] == {"total": cases, "passed": cases, "failed": 0}
    return bool(passed and entry["target_answered"] == cases)


def medians(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    ours = [r["apidock"] for r in rounds]
    peers = [r["peer"] for r in rounds]
    found: dict[str, Any] = {"rounds": len(rounds)}
    for key in RUNS:
        entries = [o[key] for o in ours]
        found[key] = {k: _median([e.get(k) for e in entries]) for k in RUN_KEYS}
        found[key]["case_p50_ms"] = _median([e["case_ms"]["p50"] for e in entries])
    found["with_healthz"]["healthz"] = _wrk_medians([o["with_healthz"]["healthz"] for o in ours])
    idle = [o["idle_healthz"] for o in ours]
    found["idle_healthz"] = _wrk_medians(idle) | {
        "server_cpu_share": _median([e["server_cpu_share"] for e in idle])
    }
    found["peer"] = {k: _median([p.get(k) for p in peers]) for k in PEER_KEYS}
    found["peer"]["failures"] = sum(p["failures"] for p in peers)
    found["peak_rss_mib"] = _median([o["peak_rss_mib"] for o in ours])
    ours_wall, peer_wall = found["alone"]["wall_seconds"], found["peer"]["wall_seconds"]
    found["overhead_ratio"] = round(ours_wall / peer_wall, 3) if ours_wall and peer_wall else None
    found["overhead_ratios_by_round"] = [r["overhead_ratio"] for r in rounds]
    ours_cpu, peer_cpu = found["alone"]["server_cpu_seconds"], found["peer"]["cpu_seconds"]
    found["cpu_ratio"] = round(ours_cpu / peer_cpu, 3) if ours_cpu and peer_cpu else None
    measured = [o[key] for o in ours for key in ("alone", "with_healthz")]
    found["invalid_runs"] = sum(not _valid(e) for e in measured) + sum(
        p["failures"] > 0 or p["target_answered"] != p["requests"] + p["warmup"] for p in peers
    )
    return found


def evaluate(found: dict[str, Any]) -> list[dict[str, Any]]:
    """Issue 16's two targets, and the check that what was measured was the work meant."""
    healthz = found["with_healthz"]["healthz"]
    p99, ratio = healthz["p99_ms"], found["overhead_ratio"]
    return [
        {
            "key": "healthz_p99",
            "target": f"/healthz p99 under {HEALTHZ_P99_LIMIT_MS:g} ms while a run executes, "
            "no errors",
            "value": p99,
            "limit": HEALTHZ_P99_LIMIT_MS,
            "met": p99 is not None and p99 < HEALTHZ_P99_LIMIT_MS and healthz["errors"] == 0,
        },
        {
            "key": "overhead",
            "target": f"the runner's time per case at most {OVERHEAD_LIMIT:g}x a plain httpx "
            "loop's",
            "value": ratio,
            "limit": OVERHEAD_LIMIT,
            "met": ratio is not None and ratio <= OVERHEAD_LIMIT,
        },
        {
            "key": "valid",
            "target": "every measured run passed every case, every request reached the target",
            "value": found["invalid_runs"],
            "limit": 0,
            "met": found["invalid_runs"] == 0,
        },
    ]


def write_results(results: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str) + "\n")


def _value(target: dict[str, Any]) -> str:
    value = target["value"]
    if value is None:
        return "not measured"
    if target["key"] == "healthz_p99":
        return f"{value:,.2f} ms (limit {target['limit']:g} ms)"
    if target["key"] == "overhead":
        return f"{value:.2f}x (limit {target['limit']:g}x)"
    return f"{value} invalid runs"


def summary_lines(results: dict[str, Any]) -> list[str]:
    lines = ["", "issue 16's targets:"]
    for target in results.get("targets", []):
        verdict = "met" if target["met"] else "MISSED"
        lines.append(f"  {target['target']}: {_value(target)}  {verdict}")
    for problem in results.get("problems", []):
        lines.append(f"  problem: {problem}")
    return lines


# --- the page -------------------------------------------------------------------------------


def _n(value: float | None, digits: int = 1) -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}"


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _runs_table(found: dict[str, Any], cases: int) -> list[str]:
    lines = [
        _row(
            [
                "",
                "wall s",
                "ms per case",
                "CPU s (its core)",
                "CPU ms per case",
                "share of its core",
                "target's share of core 1",
                "PostgreSQL CPU s",
            ]
        ),
        _row(["---"] + ["---:"] * 7),
    ]
    for key, label in (
        ("alone", f"API Dock, run of {cases:,} cases"),
        ("with_healthz", f"API Dock, run of {cases:,} cases, /healthz loaded"),
    ):
        e = found[key]
        lines.append(
            _row(
                [
                    label,
                    _n(e["wall_seconds"], 3),
                    _n(e["per_case_ms"], 3),
                    _n(e["server_cpu_seconds"], 3),
                    _n(e["server_cpu_per_case_ms"], 3),
                    _pct(e["server_cpu_share"]),
                    _pct(e["target_cpu_share"]),
                    _n(e["postgres_cpu_seconds"], 3),
                ]
            )
        )
    p = found["peer"]
    lines.append(
        _row(
            [
                f"plain httpx loop, {cases:,} requests",
                _n(p["wall_seconds"], 3),
                _n(p["per_case_ms"], 3),
                _n(p["cpu_seconds"], 3),
                _n(p["cpu_per_case_ms"], 3),
                _pct((p["cpu_seconds"] or 0) / (p["wall_seconds"] or 1)),
                _pct(p["target_cpu_share"]),
                "—",
            ]
        )
    )
    return lines


def _healthz_table(found: dict[str, Any]) -> list[str]:
    lines = [
        _row(["/healthz", "requests", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "errors"]),
        _row(["---"] + ["---:"] * 7),
    ]
    for label, e in (
        ("no run", found["idle_healthz"]),
        ("during the run", found["with_healthz"]["healthz"]),
    ):
        cells = [_n(e[k], 0) for k in ("requests", "rps")]
        cells += [_n(e[k], 2) for k in ("p50_ms", "p90_ms", "p99_ms", "max_ms")]
        lines.append(_row([label, *cells, str(e["errors"])]))
    return lines


def _rounds_table(rounds: list[dict[str, Any]]) -> list[str]:
    lines = [
        _row(
            [
                "round",
                "order",
                "API Dock alone, s",
                "loaded, s",
                "plain loop, s",
                "ratio",
                "/healthz p99 during, ms",
                "max, ms",
                "no run, p99 ms",
            ]
        ),
        _row(["---:", "---"] + ["---:"] * 7),
    ]
    for r in rounds:
        ours, during = r["apidock"], r["apidock"]["with_healthz"]["healthz"]
        lines.append(
            _row(
                [
                    str(r["round"]),
                    ", then ".join(r["order"]),
                    _n(ours["alone"]["wall_seconds"], 3),
                    _n(ours["with_healthz"]["wall_seconds"], 3),
                    _n(r["peer"]["wall_seconds"], 3),
                    f"{r['overhead_ratio']:.2f}",
                    _n(during["p99_ms"], 2),
                    _n(during["max_ms"], 2),
                    _n(ours["idle_healthz"]["p99_ms"], 2),
                ]
            )
        )
    return lines


def _meaning(results: dict[str, Any]) -> list[str]:
    found, cases = results["medians"], results["app"]["cases"]
    alone, peer = found["alone"], found["peer"]
    tail = (alone["wall_seconds"] or 0) - (alone["executing_seconds"] or 0)
    tail -= (alone["queued_ms"] or 0) / 1000
    capacity = results["target_capacity"]["rps"]
    fastest = cases / min(alone["wall_seconds"] or 1, peer["wall_seconds"] or 1)
    during, idle = found["with_healthz"]["healthz"], found["idle_healthz"]
    return [
        f"- **Overhead {found['overhead_ratio']:.2f}x.** A case costs API Dock "
        f"{_n(alone['per_case_ms'], 2)} ms of wall time against the plain loop's "
        f"{_n(peer['per_case_ms'], 2)} ms, and {_n(alone['server_cpu_per_case_ms'], 2)} ms of "
        f"CPU against {_n(peer['cpu_per_case_ms'], 2)} ms (a CPU ratio of "
        f"{found['cpu_ratio']:.2f}). Both kept their core "
        f"{_pct(alone['server_cpu_share'])} and "
        f"{_pct((peer['cpu_seconds'] or 0) / (peer['wall_seconds'] or 1))} busy: each is "
        "bound by its own CPU, not by the target or the network, so the ratio is the cost of "
        "what the runner does beyond the request and the schema check (the guard, the "
        "request built from the case, the checks handed to threads, the result kept and "
        "stored, the run's rows).",
        f"- Of the run's {_n(alone['wall_seconds'], 3)} s, {_n(alone['queued_ms'], 1)} ms "
        f"passed before it was claimed and {_n(alone['executing_seconds'], 3)} s between "
        f"claim and the moment its end was stamped; the last {_n(tail, 3)} s went on writing "
        f"the {cases:,} results and committing (the row's `finished_at` is stamped before the "
        "results are flushed).",
        f"- **/healthz p99 {_n(during['p99_ms'], 2)} ms during the run** against "
        f"{_n(idle['p99_ms'], 2)} ms with none; the longest answer during the runs was "
        f"{_n(during['worst_max_ms'], 1)} ms. A paced closed loop does not see how many "
        "requests a stall would have delayed (a connection waiting sends nothing more), "
        "which is why the longest answer is shown beside p99.",
        f"- The target answers {capacity:,.0f} req/s by itself with "
        f"{results['executor']['case_concurrency']} connections; "
        f"the faster client asked {fastest:,.0f} req/s of it, "
        f"{_pct(fastest / capacity if capacity else None)} of what it can do, and it used "
        f"{_pct(alone['target_cpu_share'])} of core 1 during API Dock's run: neither client "
        "waited for it.",
        f"- Reading the finished run back (`GET /api/v1/runs/{{id}}`, {cases:,} results, "
        f"{_n((found['alone']['read_bytes'] or 0) / 1e6, 1)} MB) took "
        f"{_n(found['alone']['read_seconds'], 3)} s; it is not part of the run's time.",
    ]


def write_docs(results: dict[str, Any], path: Path) -> None:
    found, cases = results["medians"], results["app"]["cases"]
    machine, versions, plan = results["machine"], results["versions"], results["plan"]
    git = results.get("git", {})
    lines = [
        "# Contract-test runs: speed (issue 16)",
        "",
        f"Written by `{results['command']}` on {results['started_at'][:10]} at commit "
        f"`{str(git.get('commit', '?'))[:12]}`{' (src/ changed)' if git.get('dirty') else ''}, "
        f"{found['rounds']} round(s); every number is in `bench/results/runs.json`.",
        "",
        "## The targets",
        "",
        _row(["target", "value", "met"]),
        _row(["---", "---:", "---"]),
    ]
    for target in results["targets"]:
        lines.append(_row([target["target"], _value(target), "yes" if target["met"] else "**no**"]))
    lines += ["", "## The numbers (medians of the rounds)", "", *_runs_table(found, cases), ""]
    lines += [*_healthz_table(found), "", "Each round:", "", *_rounds_table(results["rounds"])]
    lines += ["", "## What they mean", "", *_meaning(results), ""]
    lines += _method(results, plan)
    lines += [
        "",
        "## Machine and versions",
        "",
        f"- {machine['nproc']} cores ({machine['cpu_model']}), {machine['memory_gib']} GiB, "
        f"{machine['os']}, Linux {machine['kernel']}; load average "
        f"{machine['loadavg_start']} at the start, {machine.get('loadavg_end')} at the end.",
        f"- Running besides at the start: {_others(machine.get('others_at_start'))}; at the "
        f"end: {_others(machine.get('others_at_end'))}. The other work's share of a core "
        f"during API Dock's runs: {_pct(found['alone']['other_cpu_share'])} (median). "
        f"{_discarded(results.get('discarded_rounds') or [])}",
        "- " + ", ".join(f"{name} {version}" for name, version in versions.items()) + ".",
    ]
    if results.get("problems"):
        lines += ["", "## Problems", "", *(f"- {p}" for p in results["problems"])]
    path.write_text("\n".join(lines) + "\n")


def _discarded(rounds: list[dict[str, Any]]) -> str:
    if not rounds:
        return "No round had to be measured again."
    said = "; ".join(f"round {r['round']}: {', '.join(r['noise'])}" for r in rounds)
    return f"Measured again because other work ran meanwhile ({len(rounds)}): {said}."


def _others(found: list[str] | None) -> str:
    return "; ".join(f"`{line}`" for line in found) if found else "nothing"


def _method(results: dict[str, Any], plan: dict[str, Any]) -> list[str]:
    app, executor = results["app"], results["executor"]
    return [
        "## Method",
        "",
        f"- **The document**: bench/runs_document.py, OpenAPI 3.1, {app['operations']} "
        f"operations, {app['schemas']} component schemas (nested objects and arrays, `oneOf`, "
        "patterns, enums, nullable types), bodies of 0.2 to 6.6 KB, 2.7 KB on average. "
        f"{app['cases']:,} cases spread evenly over the operations, each with its own path "
        "parameter, query or JSON body, expecting the documented status; the contract check "
        "on (status, Content-Type, body schema), no JSONPath assertions.",
        "- **The target**: bench/runs_target.py, a bare ASGI function under uvicorn (uvloop, "
        "httptools), prebuilt bodies, pinned to core 1.",
        "- **API Dock**: `apidock serve --workers 1`, `APP_CONFIG=production`, PostgreSQL, no "
        f"`REDIS_URL` (the run executes in the server's process, {executor['case_concurrency']} "
        f"cases at a time, checks in {executor['checker_threads']} threads), pinned to core 0; "
        "started afresh each round, a warm-up run of "
        f"{plan['warmup_cases']} cases first. A run is asked for with "
        "`POST /api/v1/apps/{id}/runs` (every case of the app) and its end read from its row "
        f"in PostgreSQL every 10 ms (polling the API would load the server measured); its "
        "time runs from the request to the row's `passed`. The server's CPU is user plus "
        "system over its process and threads, from /proc.",
        "- **The plain loop**: bench/runs_peer.py, one `httpx.AsyncClient` (`trust_env` off), "
        f"{executor['case_concurrency']} requests at a time under a semaphore, each answer's "
        "status and Content-Type compared and its body parsed with orjson and validated with "
        "jsonschema-rs (2020-12, formats as annotations, one registry of the whole document), "
        "every error collected; the same requests byte for byte. In a process of its own on "
        f"core 0 while API Dock is idle, after a warm-up pass of {plan['warmup_cases']}.",
        f"- **/healthz**: wrk, one thread on core 1, {plan['healthz_connections']} connections "
        f"each pausing {plan['healthz_pause_ms']} ms between requests (bench/wrk/paced.lua), "
        "started just before the run is asked for and stopped (SIGINT) when its end is seen; "
        f"the same load for {plan['idle_seconds']:g} s with no run for comparison. The run "
        "with /healthz loaded is a second run of the same round; the ratio uses the run "
        "alone. Rounds alternate which goes first, API Dock or the loop, and which of API "
        "Dock's two runs.",
        "- **The target's capacity**: wrk on core 0, as many connections as a run uses, "
        f"the cases' requests in turn, {plan['capacity_seconds']:g} s.",
    ]
