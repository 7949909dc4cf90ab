"""docs/benchmarks-runs.md, written from the results of bench/runs_speed.py: the targets, the
numbers, what they mean, where the time goes, the method, the machine and the versions.

The page says only what the results hold: its sentences are computed from them, so a new run
rewrites them with its own figures.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from runs_plan import HEALTHZ_P99_LIMIT_MS
from runs_report import target_value


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
    capacity = results["target_capacity"]["rps"]
    fastest = cases / min(alone["wall_seconds"] or 1, peer["wall_seconds"] or 1)
    during, idle = found["with_healthz"]["healthz"], found["idle_healthz"]
    loaded = found["with_healthz"]
    over = sum(
        (r["apidock"]["with_healthz"]["healthz"]["p99_ms"] or 0) >= HEALTHZ_P99_LIMIT_MS
        for r in results["rounds"]
    )
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
        "request built from the case, the checks handed to threads, the result kept, the "
        "run's rows read and written). API Dock's time includes all of the run: the request "
        "asking for it, its rows, cases and description read, the results written.",
        f"- **/healthz p99 {_n(during['p99_ms'], 2)} ms during the run** against "
        f"{_n(idle['p99_ms'], 2)} ms with none (p50 {_n(during['p50_ms'], 2)} against "
        f"{_n(idle['p50_ms'], 2)} ms); the longest answer during the runs was "
        f"{_n(during['worst_max_ms'], 1)} ms, the worst round's p99 "
        f"{_n(during['worst_p99_ms'], 2)} ms; {over} of {found['rounds']} round(s) had a "
        f"p99 of {HEALTHZ_P99_LIMIT_MS:g} ms or more. A paced closed loop does not see how many "
        "requests a stall would have delayed (a connection waiting sends nothing more), "
        "which is why the longest answer is shown beside p99. The run with /healthz loaded "
        f"took {_n(loaded['wall_seconds'], 3)} s against {_n(alone['wall_seconds'], 3)} s"
        + (
            f": /healthz's {_n(during['rps'], 0)} req/s share the server's core with it."
            if (loaded["wall_seconds"] or 0) > 1.05 * (alone["wall_seconds"] or 0)
            else f", no more apart than the rounds are: /healthz's {_n(during['rps'], 0)} "
            "req/s cost the run little."
        ),
        f"- The target answers {capacity:,.0f} req/s by itself with "
        f"{results['executor']['case_concurrency']} connections; the faster client asked "
        f"{fastest:,.0f} req/s of it, {_pct(fastest / capacity if capacity else None)} of what "
        f"it can do, and it used {_pct(alone['target_cpu_share'])} of core 1 during API "
        "Dock's run: neither client waited for it.",
        f"- Reading the finished run back (`GET /api/v1/runs/{{id}}`, {cases:,} results, "
        f"{_n((alone['read_bytes'] or 0) / 1e6, 1)} MB) took "
        f"{_n(alone['read_seconds'], 3)} s; it is not part of the run's time.",
    ]


def _where_the_time_goes(results: dict[str, Any]) -> list[str]:
    found = results.get("in_process")
    if not found:
        return []
    timed, lag, profile = found["timed"], found["loop_lag"], found["profile"]
    phases = timed["phases_seconds"]
    wall = timed["wall_seconds"] or 1.0
    lines = [
        "## Where the time goes",
        "",
        "bench/runs_profile.py, after the rounds: the same run executed in the benchmark's "
        "own process by `RunExecutor`, built as the server builds it, on core 0, with no "
        "HTTP server and no /healthz load (switch interval "
        f"{found['switch_interval_ms']:g} ms, checks in {found['checks']}).",
        "",
        f"- Unprofiled: {timed['cases']:,} cases in {wall:.3f} s "
        f"({_n(timed['per_case_ms'], 2)} ms a case), {timed['cpu_seconds']:.3f} s of CPU. Its "
        f"phases: loading (the run's rows, the cases, the description, the checker) "
        f"{phases['load']:.3f} s ({_pct(phases['load'] / wall)}; the query of the cases with "
        f"their APIs {phases['cases query']:.3f} s of it), the cases "
        f"{phases['cases']:.3f} s ({_pct(phases['cases'] / wall)}), writing the results "
        f"{phases['finish']:.3f} s ({_pct(phases['finish'] / wall)}).",
        "",
        "The event loop's lag (how late a task sleeping 1 ms is woken: what a request "
        "answered meanwhile waits for the loop) by the phase it is woken in, in another run, "
        "and the garbage "
        f"collector's passes meanwhile (objects it tracked at the start: "
        f"{found.get('tracked_objects', 0):,}, the start-up's frozen out of its sight as "
        "the server's lifespan does):",
        "",
        _row(
            [
                "phase",
                "s",
                "samples",
                "p50 ms",
                "p99 ms",
                "max ms",
                "over 10 ms",
                "GC passes gen 0/1/2",
                "longest GC ms",
            ]
        ),
        _row(["---"] + ["---:"] * 8),
    ]
    spans = found.get("lag_run_phases_seconds", {})
    for name in ("idle", "load", "cases query", "cases", "finish"):
        e = lag.get(name) or {"samples": 0}
        gcs = found.get("collections", {}).get(name, {})
        passes = "/".join(str(gcs.get(f"gen{g}", {}).get("passes", 0)) for g in (0, 1, 2))
        longest = max((gcs[f"gen{g}"]["max_ms"] for g in (0, 1, 2) if gcs), default=0.0)
        seconds = "1.000" if name == "idle" else _n(spans.get(name), 3)
        if not e["samples"]:
            lines.append(_row([name, seconds, "0", "", "", "", "", passes, _n(longest, 1)]))
            continue
        cells = [_n(e[k], 2) for k in ("p50_ms", "p99_ms", "max_ms")]
        cells += [str(e["over_10ms"]), passes, _n(longest, 1)]
        lines.append(_row([name, seconds, str(e["samples"]), *cells]))
    during = results["medians"]["with_healthz"]["healthz"]
    load, finish, cases = lag.get("load", {}), lag.get("finish", {}), lag.get("cases", {})
    if load.get("samples") and finish.get("samples") and cases.get("samples"):
        lines += [
            "",
            f"The loop is held longest while the run loads (up to {_n(load['max_ms'], 1)} ms; "
            f"the query of the cases with their APIs' operations, read through the ORM on the "
            f"loop, is {phases['cases query']:.3f} s of the load's {phases['load']:.3f} s) "
            "and while it writes its results (up to "
            f"{_n(finish['max_ms'], 1)} ms: {results['app']['cases']:,} rows added and flushed "
            f"through the ORM); through the cases its lag stays at {_n(cases['p99_ms'], 1)} ms "
            f"p99 (longest {_n(cases['max_ms'], 1)} ms). By their size, those two stalls are "
            f"/healthz's tail in the server: p99 {_n(during['p99_ms'], 1)} ms, longest "
            f"{_n(during['worst_max_ms'], 1)} ms.",
        ]
    lines += [
        "",
        f"Under cProfile (the profiler slows everything; read the shares): the event loop's "
        f"thread {profile['loop_seconds']:.3f} s"
        + (
            f", the checker threads {profile['threads_seconds']:.3f} s"
            if "threads_seconds" in profile
            else ""
        )
        + ". Own time by package, the loop's thread, beside the plain loop's (its warm-up "
        "pass included) under the same profiler:",
        "",
        *_packages_table(profile["loop_packages"], found.get("peer_profile")),
    ]
    if "thread_packages" in profile:
        lines += ["", "The checker threads:", "", _row(["package", "own s", "share"])]
        lines.append(_row(["---", "---:", "---:"]))
        lines += [_row([n, f"{sec:.3f}", _pct(sh)]) for n, sec, sh in profile["thread_packages"]]
    importing = sum(share for name, _, share in profile["loop_packages"] if name == "importlib")
    if importing > 0.02 and not found.get("sniffio_installed", True):
        lines += [
            "",
            f"{_pct(importing)} of the loop's own time is importlib (with `posix.stat` "
            "beside it): httpcore's `current_async_library` runs `import sniffio` each time "
            "it sets up a lock, several times a request, and sniffio is not installed, so "
            "every attempt searches `sys.path` again. The plain loop's httpx uses the same "
            "httpcore and pays it too; installing sniffio ends it for both.",
        ]
    lines += ["", "The functions with the most own time, the loop's thread:", ""]
    lines += [_row(["function", "calls", "own s", "cumulative s"]), _row(["---"] + ["---:"] * 3)]
    lines += [
        _row([f"`{name}`", f"{calls:,}", f"{own:.3f}", f"{cum:.3f}"])
        for name, calls, own, cum in profile["loop_functions"]
    ]
    return [*lines, ""]


def _packages_table(ours: list[list[Any]], peer: dict[str, Any] | None) -> list[str]:
    theirs = {name: (seconds, share) for name, seconds, share in (peer or {}).get("packages", [])}
    lines = [
        _row(["package", "API Dock, own s", "share", "plain loop, own s", "share"]),
        _row(["---"] + ["---:"] * 4),
    ]
    for name, seconds, share in ours:
        other = theirs.get(name)
        cells = [f"{other[0]:.3f}", _pct(other[1])] if other else ["—", "—"]
        lines.append(_row([name, f"{seconds:.3f}", _pct(share), *cells]))
    listed = {name for name, _, _ in ours}
    for name, (seconds, share) in theirs.items():
        if name not in listed and share >= 0.01:  # the loop's own big items, if not ours
            lines.append(_row([name, "—", "—", f"{seconds:.3f}", _pct(share)]))
    return lines


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
        lines.append(
            _row([target["target"], target_value(target), "yes" if target["met"] else "**no**"])
        )
    lines += ["", "## The numbers (medians of the rounds)", "", *_runs_table(found, cases), ""]
    lines += [*_healthz_table(found), "", "Each round:", "", *_rounds_table(results["rounds"])]
    lines += ["", "## What they mean", "", *_meaning(results), ""]
    lines += _where_the_time_goes(results)
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
