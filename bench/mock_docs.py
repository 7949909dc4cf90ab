"""docs/benchmarks-mock.md, written from the results of bench/mock_speed.py: the targets,
the numbers, what they mean, the method, the machine and the versions.

The page says only what the results hold: its sentences about where the time goes are
computed from the run's medians (CPU per request of each server and of PostgreSQL, body
sizes, the answers checked), so a new run rewrites them with its own figures.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mock_plan import CONTENDERS, PRISMS, SCENARIOS, TARGET_RATIO
from mock_report import contender_name, number, ratio, scenario_title, target_value


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def numbers_table(results: dict[str, Any]) -> list[str]:
    found, probes = results["medians"], results.get("probes", {})
    lines = [
        _row(
            [
                "scenario",
                "server",
                "req/s",
                "p50 ms",
                "p90 ms",
                "p99 ms",
                "errors",
                "server CPU µs/req",
                "PostgreSQL CPU µs/req",
                "mean body, bytes",
                "valid bodies",
            ]
        ),
        _row(["---"] * 2 + ["---:"] * 9),
    ]
    for scenario in SCENARIOS:
        for contender in CONTENDERS:
            entry = found.get(contender.key, {}).get(scenario.key)
            probe = probes.get(contender.key, {}).get(scenario.key, {})
            if entry is None:
                lines.append(_row([scenario.title, contender.name, "not measured", *[""] * 8]))
                continue
            valid = f"{probe.get('valid_against_schema', '?')} of {probe.get('samples', '?')}"
            lines.append(
                _row(
                    [
                        scenario.title,
                        contender.name,
                        number(entry["rps"], 0),
                        number(entry["p50_ms"]),
                        number(entry["p90_ms"]),
                        number(entry["p99_ms"]),
                        f"{entry['errors']:,}",
                        number(entry["cpu_us_per_request"], 0),
                        number(entry["postgres_us_per_request"], 0),
                        f"{probe.get('mean_body_bytes', 0):,}",
                        valid,
                    ]
                )
            )
    return lines


def targets_table(results: dict[str, Any]) -> list[str]:
    lines = [_row(["scenario", "target", "against", "found", ""]), _row(["---"] * 5)]
    for target in results["targets"]:
        lines.append(
            _row(
                [
                    scenario_title(target["scenario"]),
                    target["target"],
                    contender_name(target["against"]) or "—",
                    target_value(target),
                    "met" if target["met"] else "**missed**",
                ]
            )
        )
    return lines


def _get(results: dict[str, Any], contender: str, scenario: str, key: str) -> Any:
    return results["medians"].get(contender, {}).get(scenario, {}).get(key)


def _probe(results: dict[str, Any], contender: str, scenario: str, key: str) -> Any:
    return results.get("probes", {}).get(contender, {}).get(scenario, {}).get(key)


def _meaning(results: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    for scenario in SCENARIOS:
        ours = _get(results, "apidock", scenario.key, "rps")
        ratios = []
        for prism in PRISMS:
            theirs = _get(results, prism.key, scenario.key, "rps")
            if (found := ratio(ours, theirs)) is not None:
                ratios.append(f"{found:.2f}x {prism.name}'s")
        cpu = _get(results, "apidock", scenario.key, "cpu_us_per_request")
        postgres = _get(results, "apidock", scenario.key, "postgres_us_per_request")
        share = _get(results, "apidock", scenario.key, "cpu_share")
        prism_cpu = [
            f"{prism.name} {value:,.0f} µs a request"
            for prism in PRISMS
            if (value := _get(results, prism.key, scenario.key, "cpu_us_per_request"))
        ]
        if not ours or cpu is None:
            continue
        lines.append(
            f"- **{scenario.title.capitalize()}**: API Dock answers {ours:,.0f} req/s, "
            f"{' and '.join(ratios) or 'against no Prism figure'}. Its process spends "
            f"{cpu:,.0f} µs of CPU per request ({share:.0%} of its core busy), and PostgreSQL "
            f"{postgres:,.0f} µs more (the statement that finds the app and checks the key, "
            f"and the mock log's writes). Prism's CPU: {', '.join(prism_cpu) or 'n/a'}."
        )
        spread = ratio(
            _get(results, "apidock", scenario.key, "p99_ms"),
            _get(results, "apidock", scenario.key, "p50_ms"),
        )
        prism_spread = [
            f"{prism.name} {found:.1f}x"
            for prism in PRISMS
            if (
                found := ratio(
                    _get(results, prism.key, scenario.key, "p99_ms"),
                    _get(results, prism.key, scenario.key, "p50_ms"),
                )
            )
            is not None
        ]
        if spread is not None:
            lines.append(
                f"  API Dock's p99 is {spread:.1f}x its p50 (Prism's: {', '.join(prism_spread)})"
                + (
                    ": most answers are quick, a few wait behind stalls of its event loop "
                    "(one process answers every connection, so work that holds the loop for "
                    "milliseconds delays every request queued meanwhile)."
                    if spread > 5
                    else "."
                )
            )
        sizes = [
            f"{contender.name} {size:,} bytes"
            for contender in CONTENDERS
            if (size := _probe(results, contender.key, scenario.key, "mean_body_bytes"))
        ]
        if not scenario.static and sizes:
            lines.append(
                f"  The generated bodies differ in size (mean of the bodies checked: "
                f"{', '.join(sizes)}): Prism's json-schema-faker fills optional properties and "
                "adds properties the schemas allow but do not name; API Dock includes optional "
                "properties sometimes (SPEC). Each server does its own amount of work for the "
                "same request, as its users get it."
            )
    logged = _get(results, "prism", "static", "rps")
    silent = _get(results, "prism_silent", "static", "rps")
    if logged and silent:
        lines.append(
            f"- Prism's request log, on by default (`info`, one entry a request), costs it "
            f"{1 - logged / silent:.0%} of its static throughput ({logged:,.0f} against "
            f"{silent:,.0f} req/s silenced); each target is judged against both."
        )
    invalid = [
        f"{contender.name} {samples - valid} of {samples}"
        for contender in CONTENDERS
        for scenario in SCENARIOS
        if not scenario.static
        and (samples := _probe(results, contender.key, scenario.key, "samples"))
        and (valid := _probe(results, contender.key, scenario.key, "valid_against_schema"))
        is not None
        and valid < samples
    ]
    lines.append(
        "- Generated bodies checked against the document's schema (JSON Schema 2020-12, formats "
        "checked): "
        + (f"invalid ones: {', '.join(invalid)}." if invalid else "all valid, on every server.")
    )
    lines += [
        "- wrk is closed-loop: each connection sends its next request when the answer comes, "
        "so at saturation p50 is roughly connections ÷ throughput. p99 shows the stalls: a "
        "garbage collection, a slow statement, a burst of log writes.",
        "- Absolute numbers drift by about ±30 % from one run to the next on this kind of "
        "machine; the ratios within one run are steady, and they are what the targets use.",
    ]
    return lines


def _method(results: dict[str, Any]) -> list[str]:
    plan = results["plan"]
    app = results.get("app", {})
    return [
        f"- The document: `bench/mock_document.json`, OpenAPI 3.1, {app.get('operations')} "
        f"operations, {app.get('schemas')} component schemas ({app.get('document_bytes', 0):,} "
        "bytes): a pet store with owners, visits and orders; `$ref`s, `allOf`, `oneOf`, "
        "formats (uuid, date-time, date, email, uri), nested objects and arrays, patterns, "
        "enums; some responses with an `example` or named `examples`, the others a schema only.",
        "- API Dock: the document imported as the app `bench` (`POST /api/v1/apps/import`), "
        "a mock key made for it (`POST /api/v1/apps/{id}/mock-keys`), then `apidock mock "
        "--app bench --loop uvloop`: one process, PostgreSQL (a new database, `apidock deploy`), "
        "the mock log written as in any install. Each request runs one SQL statement (the app "
        "and its key), then the in-memory mock.",
        "- Prism: `prism mock` on the same file, one process (no `--multiprocess`), as it "
        "starts (log level `info`, to its log file) and with `-v silent`.",
        f"- The requests, the same to every server, each with `X-Mock-Key` (the private mock) "
        f"and `Accept: application/json`: **static example**, GET `/pets/{{petId}}` (its 200 "
        f"has an `example`), ids 1 to {plan['paths']:,} in turn; **generated body**, GET "
        f"`/orders/{{orderId}}` with `Prefer: dynamic=true` (its 200 has a schema only), "
        f"{plan['paths']:,} uuids in turn, so that no server answers from one cached body.",
        "- Before a server is measured, the first 20 requests of each scenario must answer 200 "
        "with JSON (else the run stops); the static answers are compared with the documented "
        "example, the generated ones validated against the schema.",
        f"- One server at a time, started afresh each round, pinned to core "
        f"{plan['server_core']} with taskset; wrk on core {plan['load_core']}, one thread, "
        f"{plan['connections']} connections, {plan['warmup']:g} s of warm-up then "
        f"{plan['duration']:g} s measured; {plan['rounds']} rounds, the order of the servers "
        "turning each round; each figure is the median of the rounds (errors added up).",
        "- CPU: user and system time of the server's process tree (`/proc/<pid>/stat`) and of "
        "the PostgreSQL processes during the measured run, divided by its requests. Errors: "
        "answers of status 400 or more and socket errors.",
        f"- The targets (issue 15), for each scenario against each Prism: API Dock's req/s at "
        f"least {TARGET_RATIO:g}x Prism's, its p99 no higher than Prism's; and no errors.",
    ]


def _machine(results: dict[str, Any]) -> list[str]:
    machine, versions, git = results["machine"], results["versions"], results.get("git", {})
    dirty = " with uncommitted changes in src/ or alembic/" if git.get("dirty") else ""
    packages = ", ".join(
        f"{name} {value}"
        for name, value in versions.items()
        if name not in {"python", "prism", "node", "postgresql", "wrk"}
    )
    return [
        f"- {machine['cpu_model']}, {machine['nproc']} cores, {machine['memory_gib']} GiB; "
        f"{machine['os']}, Linux {machine['kernel']}; load average "
        f"{machine['loadavg_start']} at the start, {machine.get('loadavg_end')} at the end.",
        f"- API Dock at commit `{str(git.get('commit', '?'))[:12]}`{dirty}; Python "
        f"{versions['python']}; {packages}.",
        f"- Prism {versions['prism']} on Node {versions['node']}; PostgreSQL "
        f"{versions['postgresql']}; {versions['wrk']}.",
    ]


def write_docs(results: dict[str, Any], path: Path) -> None:
    targets = results["targets"]
    missed = [t for t in targets if not t["met"]]
    verdict = (
        "**every target met**"
        if not missed
        else f"**{len(missed)} of {len(targets)} targets missed**"
    )
    lines = [
        "# Mock server speed: API Dock against Prism",
        "",
        "Issue 15: static examples and generated bodies, each at least 2x the req/s of "
        "Stoplight Prism's `prism mock` on the same document and the same requests, one worker "
        "each, with p99 no higher than Prism's. Written by `bench/mock_speed.py`; every figure "
        "is in `bench/results/mock.json`.",
        "",
        f"The run of {results['started_at']} (`{results['command']}`): {verdict}.",
        "",
        "## Targets",
        "",
        *targets_table(results),
        "",
        "## Numbers",
        "",
        f"Medians of {results['plan']['rounds']} rounds; errors over all of them. The last two "
        "columns are from the answers checked before the runs.",
        "",
        *numbers_table(results),
        "",
        "## What they mean",
        "",
        *_meaning(results),
        "",
        "## Method",
        "",
        *_method(results),
        "",
        "## Machine and versions",
        "",
        *_machine(results),
        "",
    ]
    if results.get("problems"):
        lines += ["## Problems of this run", "", *[f"- {p}" for p in results["problems"]], ""]
    lines += [
        "## Running it",
        "",
        "```sh",
        ".venv/bin/python bench/mock_speed.py            # 3 rounds of 15 s: about 8 minutes",
        ".venv/bin/python bench/mock_speed.py --rounds 1 --duration 5   # a sanity check",
        "```",
        "",
        "It needs PostgreSQL on 127.0.0.1:5432 (user `root`; it drops and recreates "
        "`apidock_bench_mock`), wrk, Node with Prism in `.tools/node` (installed there with npm "
        "when missing), two cores, and ports 8820 to 8822.",
        "",
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines))
