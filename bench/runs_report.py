"""The figures of bench/runs_speed.py: medians of the rounds, issue 16's targets and the
summary printed at the end (bench/runs_docs.py writes the page, bench/harness.py the results
file).

A figure is the median over the rounds; the overhead ratio is the median of API Dock's wall
time for the run alone over the median of the plain loop's (the per-round ratios are kept
too). The `/healthz` target is judged on the median of the rounds' p99s, and the worst
round's is kept beside it.
"""

from __future__ import annotations

import statistics
from typing import Any

from runs_plan import HEALTHZ_P99_LIMIT_MS, OVERHEAD_LIMIT

RUN_KEYS = (
    "wall_seconds", "per_case_ms", "accepted_ms", "server_cpu_seconds", "server_cpu_per_case_ms",
    "server_cpu_share", "target_cpu_share", "postgres_cpu_seconds", "other_cpu_share",
    "read_seconds", "read_bytes",
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
            "target": f"/healthz p99 under {HEALTHZ_P99_LIMIT_MS:g} ms while a run executes "
            "(median of the rounds), no errors",
            "value": p99,
            "limit": HEALTHZ_P99_LIMIT_MS,
            "met": p99 is not None and p99 < HEALTHZ_P99_LIMIT_MS and healthz["errors"] == 0,
            "judged_on": "the median of the rounds' p99s",
            "worst_round_p99_ms": healthz["worst_p99_ms"],
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


def target_value(target: dict[str, Any]) -> str:
    value = target["value"]
    if value is None:
        return "not measured"
    if target["key"] == "healthz_p99":
        worst = target.get("worst_round_p99_ms")
        worst_round = f", worst round {worst:,.2f} ms" if worst is not None else ""
        return f"{value:,.2f} ms{worst_round} (limit {target['limit']:g} ms)"
    if target["key"] == "overhead":
        return f"{value:.2f}x (limit {target['limit']:g}x)"
    return f"{value} invalid runs"


def summary_lines(results: dict[str, Any]) -> list[str]:
    lines = ["", "issue 16's targets:"]
    for target in results.get("targets", []):
        verdict = "met" if target["met"] else "MISSED"
        lines.append(f"  {target['target']}: {target_value(target)}  {verdict}")
    for problem in results.get("problems", []):
        lines.append(f"  problem: {problem}")
    return lines
