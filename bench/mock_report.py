"""The figures of bench/mock_speed.py: medians of the rounds, issue 15's targets and the
summary printed at the end (bench/mock_docs.py writes the page from them, bench/harness.py the
results file).

A figure is the median over the rounds of each measure (counts are added up); a ratio is
API Dock's median over Prism's. Each target is judged against each configuration of Prism
(`mock_plan.PRISMS`) and is met only when met against all of them.
"""

from __future__ import annotations

import statistics
from typing import Any

from mock_plan import CONTENDERS, PRISMS, SCENARIOS, TARGET_RATIO

MEDIAN_KEYS = (
    "rps", "p50_ms", "p75_ms", "p90_ms", "p99_ms", "max_ms", "cpu_us_per_request",
    "cpu_share", "postgres_us_per_request", "other_cpu_share",
)  # fmt: skip
SUM_KEYS = ("requests", "errors", "non_2xx")


def medians(rounds: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """{contender: {scenario: the medians of its runs}} over the rounds."""
    found: dict[str, dict[str, Any]] = {}
    for contender in CONTENDERS:
        for scenario in SCENARIOS:
            runs = [
                r["runs"][contender.key][scenario.key]
                for r in rounds
                if scenario.key in r["runs"].get(contender.key, {})
            ]
            if not runs:
                continue
            summary: dict[str, Any] = {"rounds": len(runs)}
            for key in MEDIAN_KEYS:
                values = [run[key] for run in runs if run.get(key) is not None]
                summary[key] = round(statistics.median(values), 3) if values else None
            for key in SUM_KEYS:
                summary[key] = sum(run.get(key) or 0 for run in runs)
            found.setdefault(contender.key, {})[scenario.key] = summary
    return found


def ratio(top: float | None, bottom: float | None) -> float | None:
    return None if top is None or not bottom else round(top / bottom, 3)


def evaluate(found: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Issue 15's targets, for each scenario against each configuration of Prism."""
    targets: list[dict[str, Any]] = []
    for scenario in SCENARIOS:
        ours = found.get("apidock", {}).get(scenario.key)
        for prism in PRISMS:
            theirs = found.get(prism.key, {}).get(scenario.key)
            found_ratio = ratio(ours and ours["rps"], theirs and theirs["rps"])
            p99 = ours and ours["p99_ms"]
            their_p99 = theirs and theirs["p99_ms"]
            base = {"scenario": scenario.key, "against": prism.key}
            targets.append(
                base
                | {
                    "target": f"req/s at least {TARGET_RATIO:g}x Prism's",
                    "value": found_ratio,
                    "met": found_ratio is not None and found_ratio >= TARGET_RATIO,
                }
            )
            targets.append(
                base
                | {
                    "target": "p99 no higher than Prism's",
                    "value": p99,
                    "limit": their_p99,
                    "met": p99 is not None and their_p99 is not None and p99 <= their_p99,
                }
            )
        errors = None if ours is None else ours["errors"]
        targets.append(
            {
                "scenario": scenario.key,
                "against": None,
                "target": "no errors",
                "value": errors,
                "met": errors == 0,
            }
        )
    return targets


def contender_name(key: str | None) -> str:
    return next((c.name for c in CONTENDERS if c.key == key), "")


def scenario_title(key: str) -> str:
    return next(s.title for s in SCENARIOS if s.key == key)


def target_value(target: dict[str, Any]) -> str:
    value = target["value"]
    if value is None:
        return "not measured"
    if "limit" in target:
        return f"{value:,.1f} ms against {number(target['limit'])} ms"
    if target["target"] == "no errors":
        return f"{value:,} errors"
    return f"{value:.2f}x"


def number(value: float | None, digits: int = 1) -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}"


def summary_lines(results: dict[str, Any]) -> list[str]:
    lines = ["", "issue 15's targets:"]
    for target in results.get("targets", []):
        against = f" against {contender_name(target['against'])}" if target["against"] else ""
        verdict = "met" if target["met"] else "MISSED"
        lines.append(
            f"  {scenario_title(target['scenario'])}: {target['target']}{against}: "
            f"{target_value(target)}  {verdict}"
        )
    for problem in results.get("problems", []):
        lines.append(f"  problem: {problem}")
    return lines
