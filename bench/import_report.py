"""The import benchmark's medians, targets (issue 14), console summary and docs page (the
results file is written by bench/harness.py).

The targets are judged on the medians of the rounds, as bench/run.py judges its own; every
round is kept in the results and shown on the page, so a noisy round can be seen.
"""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

# (key, what, limit, unit): the value must be at most the limit (below it, for the latency)
TARGETS = (
    ("import_1mb_to_validator", "1 MB import / validator on 1 MB", 2.0, "x"),
    ("import_10mb_to_1mb", "10 MB import / 1 MB import", 12.0, "x"),
    ("healthz_p99_during_import", "/healthz p99 during a 10 MB import", 50.0, "ms"),
)
TIMED = ("validator_1mb", "import_1mb", "import_10mb", "import_10mb_loaded", "validator_10mb")


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 4) if values else None


def medians(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """The median over the rounds of each time, of the /healthz figures, and the ratios."""
    found: dict[str, Any] = {}
    for key in TIMED:
        values = [r[key]["seconds"] for r in rounds if r.get(key, {}).get("seconds") is not None]
        found[f"{key}_s"] = _median(values)
    for window in ("during", "before"):
        for figure in ("p50_ms", "p99_ms", "max_ms"):
            values = [
                r["import_10mb_loaded"]["healthz"][window][figure]
                for r in rounds
                if r.get("import_10mb_loaded", {}).get("healthz", {}).get(window, {}).get(figure)
                is not None
            ]
            found[f"healthz_{window}_{figure}"] = _median(values)
    ratio_rounds = [
        (r["import_1mb"]["seconds"] / r["validator_1mb"]["seconds"])
        for r in rounds
        if r.get("import_1mb", {}).get("seconds") and r.get("validator_1mb", {}).get("seconds")
    ]
    scale_rounds = [
        (r["import_10mb"]["seconds"] / r["import_1mb"]["seconds"])
        for r in rounds
        if r.get("import_1mb", {}).get("seconds") and r.get("import_10mb", {}).get("seconds")
    ]
    found["import_1mb_to_validator"] = _ratio(found["import_1mb_s"], found["validator_1mb_s"])
    found["import_10mb_to_1mb"] = _ratio(found["import_10mb_s"], found["import_1mb_s"])
    found["validator_10mb_to_1mb"] = _ratio(found["validator_10mb_s"], found["validator_1mb_s"])
    found["import_1mb_to_validator_by_round"] = [round(x, 3) for x in ratio_rounds]
    found["import_10mb_to_1mb_by_round"] = [round(x, 3) for x in scale_rounds]
    found["healthz_p99_during_import"] = found["healthz_during_p99_ms"]
    # CPU seconds (the server's and PostgreSQL's for an import, the validator's own): what
    # other work on a shared machine does not add to, unlike wall time; not what is judged
    for key in ("import_1mb", "import_10mb"):
        found[f"{key}_cpu_s"] = _median(
            [
                r[key]["server_cpu_s"] + r[key]["postgres_cpu_s"]
                for r in rounds
                if r.get(key, {}).get("seconds") is not None
            ]
        )
    found["validator_1mb_cpu_s"] = _median(
        [r["validator_1mb"]["cpu_seconds"] for r in rounds if "validator_1mb" in r]
    )
    found["cpu_import_1mb_to_validator"] = _ratio(
        found["import_1mb_cpu_s"], found["validator_1mb_cpu_s"]
    )
    found["cpu_import_10mb_to_1mb"] = _ratio(found["import_10mb_cpu_s"], found["import_1mb_cpu_s"])
    return found


def _ratio(top: float | None, bottom: float | None) -> float | None:
    return round(top / bottom, 3) if top is not None and bottom else None


def evaluate(found: dict[str, Any], errors: bool) -> list[dict[str, Any]]:
    """Each target with its value and whether it passes (an import that failed fails all)."""
    targets = []
    for key, what, limit, unit in TARGETS:
        value = found.get(key)
        if value is None or errors:
            passed = False
        else:
            passed = value < limit if unit == "ms" else value <= limit
        bound = f"< {limit:g} {unit}" if unit == "ms" else f"<= {limit:g}{unit}"
        targets.append({"key": key, "what": what, "value": value, "limit": bound, "passed": passed})
    return targets


def _value(target: dict[str, Any]) -> str:
    value = target["value"]
    if value is None:
        return "not measured"
    return f"{value:.1f} ms" if target["limit"].endswith("ms") else f"{value:.2f}x"


def summary_lines(results: dict[str, Any]) -> list[str]:
    """The console table: each target, its value, pass or fail."""
    found = results.get("medians", {})
    lines = ["", f"{'target (issue 14)':<38} {'value':>12}  {'limit':<10} result"]
    for target in results.get("targets", []):
        verdict = "PASS" if target["passed"] else "FAIL"
        lines.append(f"{target['what']:<38} {_value(target):>12}  {target['limit']:<10} {verdict}")
    lines.append(
        f"medians: validator 1 MB {_s(found.get('validator_1mb_s'))}, import 1 MB "
        f"{_s(found.get('import_1mb_s'))}, import 10 MB {_s(found.get('import_10mb_s'))} "
        f"(under the /healthz load {_s(found.get('import_10mb_loaded_s'))})"
    )
    return lines


def _s(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f} s"


def _errors(value: int | None) -> str:
    return "not run (`--validate-large`)" if value is None else str(value)


def _ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}"


def write_docs(results: dict[str, Any], path: Path) -> None:
    """docs/benchmarks-import.md: the run's targets, rounds, stage breakdown and machine."""
    machine, found, plan = results["machine"], results["medians"], results["plan"]
    documents = results["documents"]
    lines = [
        "# Import speed (issue 14)",
        "",
        "Written by `bench/import_speed.py`; do not edit by hand. Run "
        f"{results['started_at']} to {results['finished_at']} (`{results['command']}`), "
        f"commit {results.get('git', {}).get('commit', 'unknown')[:12]}"
        + (" with uncommitted changes in src/" if results.get("git", {}).get("dirty") else "")
        + (
            " (the code changed during the run: see Problems)"
            if results.get("git_end", results.get("git")) != results.get("git")
            else ""
        )
        + ".",
        "",
        "| target | value | limit | result |",
        "| --- | --- | --- | --- |",
    ]
    for target in results["targets"]:
        verdict = "**pass**" if target["passed"] else "**FAIL**"
        lines.append(f"| {target['what']} | {_value(target)} | {target['limit']} | {verdict} |")
    lines += [
        "",
        "## The documents",
        "",
        "| | bytes | operations | schemas | `json.loads` | openapi-spec-validator errors |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for key, doc in documents.items():
        lines.append(
            f"| {key} | {doc['bytes']:,} | {doc['operations']:,} | {doc['schemas']:,} | "
            f"{_s(doc['parse_s'])} | {_errors(doc.get('validator_errors'))} |"
        )
    lines += [
        "",
        "Generated by `bench/import_document.py` (seed "
        f"{plan['seed']}): a SaaS API in 14 business domains, five operations a resource, "
        "components with `$ref`s, `allOf` pages, `anyOf` with null, type unions, shared "
        "parameters, headers and error responses, named examples, tags, OAuth scopes, `x-` keys; "
        "JSON with an indent of 2.",
        "",
        "## Rounds",
        "",
        "| round | order | validator 1 MB | import 1 MB | import 10 MB | 10 MB under load | "
        "/healthz p99 during (before) | requests during | peak RSS, server and import process |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for entry in results["rounds"]:
        loaded = entry.get("import_10mb_loaded", {})
        health = loaded.get("healthz", {})
        lines.append(
            f"| {entry['round']} | {entry['order']} | "
            f"{_s(entry.get('validator_1mb', {}).get('seconds'))} | "
            f"{_s(entry.get('import_1mb', {}).get('seconds'))} | "
            f"{_s(entry.get('import_10mb', {}).get('seconds'))} | {_s(loaded.get('seconds'))} | "
            f"{_ms(health.get('during', {}).get('p99_ms'))} ms "
            f"({_ms(health.get('before', {}).get('p99_ms'))} ms) | "
            f"{health.get('during', {}).get('requests', 'n/a')} | "
            f"{entry.get('peak_rss_mib', 'n/a')} MiB |"
        )
    lines += [
        "",
        f"Medians: import 1 MB / validator {found['import_1mb_to_validator']}x, "
        f"import 10 MB / import 1 MB {found['import_10mb_to_1mb']}x"
        + (
            f", validator 10 MB / validator 1 MB {found['validator_10mb_to_1mb']}x"
            if found.get("validator_10mb_to_1mb")
            else ""
        )
        + f"; /healthz during the 10 MB import p50 {_ms(found['healthz_during_p50_ms'])} ms, "
        f"p99 {_ms(found['healthz_during_p99_ms'])} ms, max {_ms(found['healthz_during_max_ms'])}"
        f" ms (idle, before it: p99 {_ms(found['healthz_before_p99_ms'])} ms).",
        "",
        "In CPU seconds (server and PostgreSQL for an import; not judged, but what other work on "
        f"the machine does not inflate): import 1 MB {_s(found['import_1mb_cpu_s'])}, validator "
        f"{_s(found['validator_1mb_cpu_s'])} ({found['cpu_import_1mb_to_validator']}x); import "
        f"10 MB {_s(found['import_10mb_cpu_s'])} ({found['cpu_import_10mb_to_1mb']}x the 1 MB).",
        "",
    ]
    lines += _stage_lines(results)
    lines += _method_lines(results)
    lines += [
        "## Machine",
        "",
        f"- {machine['nproc']} cores ({machine['cpu_model']}), {machine['memory_gib']} GiB, "
        f"{machine['os']}, Linux {machine['kernel']}, Python {machine['python']}",
        f"- load average (1, 5, 15 min) at the start {machine['loadavg_start']}, at the end "
        f"{machine['loadavg_end']}: the machine is shared; other work shows as *other CPU* in "
        "the results file, per import",
        "- versions: "
        + ", ".join(f"{name} {version}" for name, version in results["versions"].items()),
        "",
    ]
    if results.get("problems"):
        lines += ["## Problems", ""] + [f"- {problem}" for problem in results["problems"]] + [""]
    path.write_text("\n".join(lines))


def _stage_lines(results: dict[str, Any]) -> list[str]:
    stages = results.get("stages") or {}
    if not stages or "1mb" not in stages or "10mb" not in stages:
        return []
    small, large = stages["1mb"], stages["10mb"]
    lines = [
        "## Where the time goes",
        "",
        "The steps of an import timed one by one in the benchmark's process, pinned to the "
        "server's core, after the rounds; the least of "
        f"{large['passes']} passes (bench/import_stages.py says what each is). *Longest GIL "
        "hold*: the longest a thread free to run on another core waited for the GIL during the "
        "step (a second pass); where the step runs in the server's process, its event loop "
        "waits at least as long. *Full GCs*: the cyclic collector's generation-2 runs during "
        "the step, and the longest. The last row is the median import over HTTP less "
        "`prepare_import`: the body sent, the exchange with the import process, the rows, the "
        "transaction, the answer.",
        "",
        "| step | runs on | 1 MB | 10 MB | 10 MB / 1 MB | 10 MB: longest GIL hold | "
        "10 MB: full GCs (longest) |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, seconds in large["stages_s"].items():
        before = small["stages_s"].get(name)
        gc_runs = large["full_gc"][name]
        lines.append(
            f"| {name} | {large['runs_on'][name]} | {_s(before)} | {_s(seconds)} | "
            f"{_times(seconds, before)} | {large['longest_gil_hold_ms'][name]:.0f} ms | "
            f"{gc_runs['count']} ({gc_runs['longest_ms']:.0f} ms) |"
        )
    lines.append(
        f"| over HTTP beyond prepare_import | server process | {_s(small.get('rest_s'))} | "
        f"{_s(large.get('rest_s'))} | {_times(large.get('rest_s'), small.get('rest_s'))} | | |"
    )
    return [*lines, ""]


def _times(top: float | None, bottom: float | None) -> str:
    return "" if top is None or not bottom else f"{top / bottom:.1f}x"


def _method_lines(results: dict[str, Any]) -> list[str]:
    plan = results["plan"]
    return [
        "## How it is measured",
        "",
        f"- {plan['rounds']} rounds; each starts API Dock afresh (`apidock serve --workers 1`, "
        f"`APP_CONFIG=production`, pinned to core {plan['server_core']} with taskset, on "
        f"{plan['database_label']}, one warm-up import of a 25-operation document first, which "
        "starts the import process and compiles the validator there), "
        "and alternates whether the validator or the imports go first. Figures are medians.",
        "- **The peer**: `OpenAPIV31SpecValidator(document).iter_errors()` of "
        "openapi-spec-validator, drained, on the document already parsed (parsing excluded; "
        "`json.loads` is timed apart above), in the benchmark's process pinned to the "
        "server's core while the server is idle; handlers that refuse every address.",
        "- **An import**: `POST /api/v1/apps/import?slug=…` with the document as "
        "application/json and the root administrator's token, a new slug each time, wall time "
        "from writing the request to the answer's last byte (the parse included), client on "
        f"core {plan['load_core']}.",
        "- **The /healthz load**: bench/import_load.py on core "
        f"{plan['load_core']}, {plan['healthz_connections']} connections each pausing "
        f"{plan['healthz_pause_ms']} ms (as `bench/run.py`'s paced /healthz), from 1 s before a "
        "third import (of the 10 MB document) to 1 s after it; the p99 is over the requests that "
        "overlapped the import, and *before* over those that ended before it. The timed "
        "imports above run without this load.",
        "- The import process (`apidock.imports.pool`) inherits the server's affinity: it "
        f"shares core {plan['server_core']} with the event loop, so /healthz waits for the "
        "scheduler while an import is read; with a core of its own it would not.",
        "- CPU seconds are read from /proc for the server's process tree (its import process "
        "included) and for PostgreSQL's processes; *other CPU* in the results file is the "
        "machine's busy time less the server, PostgreSQL, the benchmark and the load.",
        "",
    ]
