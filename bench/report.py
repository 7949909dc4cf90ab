"""From the measurements of a run: medians, the targets of issues 7 and 13, the results file,
the console summary, docs/benchmarks.md and docs/benchmarks.png."""

from __future__ import annotations

import math
import statistics
from pathlib import Path
from typing import Any

import harness

# medians of these over the rounds; the counts below are added up instead
MEDIAN_KEYS = (
    "rps",
    "p50_ms",
    "p75_ms",
    "p90_ms",
    "p99_ms",
    "avg_ms",
    "max_ms",
    "cpu_us_per_request",
    "cpu_share",
    "postgres_cpu_share",
    "other_cpu_share",
    "rss_mib",
    "peak_rss_mib",
)
SUM_KEYS = ("requests", "non_2xx", "errors")

LIST_KEYS = ("users_first", "users_deep", "catalog_first", "catalog_deep")
LIST_TITLES = {
    "users_first": "users, first page",
    "users_deep": "users, deep page",
    "catalog_first": "APIs, first page",
    "catalog_deep": "APIs, deep page",
}

# issue 7, item 2
MIN_RPS_SHARE = 0.5
MAX_P99_RATIO = 3.0
MAX_LIST_P50_RATIO = 2.0
MAX_HEALTHZ_P99_RATIO = 2.0
MAX_RSS_GROWTH = 0.10
# issue 13: the lists and the default `apidock serve` (access log on) against the ceiling,
# with issue 7's limits; /users/{id} judged over at least this many rounds
ISSUE_13_ROUNDS = 3
ISSUES = (7, 13)

# shares of the ceiling's req/s measured for other stacks (issue 7), for the reader's scale
PEER_SHARES = {
    "FastAPI + asyncpg, no ORM": 0.59,
    "Flask + SQLAlchemy, gunicorn gthread": 0.26,
    "FastAPI + SQLAlchemy async ORM": 0.23,
    "FastAPI sync endpoints + SQLAlchemy": 0.19,
}


def summarise(rounds: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The median of every measure over the rounds; counts added up; None without rounds."""
    if not rounds:
        return None
    summary: dict[str, Any] = {"rounds": len(rounds)}
    for key in MEDIAN_KEYS:
        values = [r[key] for r in rounds if r.get(key) is not None]
        summary[key] = statistics.median(values) if values else None
    for key in SUM_KEYS:
        summary[key] = sum(r.get(key) or 0 for r in rounds)
    return summary


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def _target(
    name: str,
    *,
    value: float | None,
    limit: str,
    ok: bool | None,
    detail: str,
    issue: int = 7,
) -> dict[str, Any]:
    return {
        "issue": issue,
        "target": name,
        "value": None if value is None else round(value, 3),
        "limit": limit,
        "pass": ok,
        "detail": detail,
    }


def _fmt(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}"


def evaluate(results: dict[str, Any]) -> list[dict[str, Any]]:
    """The targets of issue 7 item 2, then issue 13's, each with its value, limit and pass
    (None: not measured)."""
    scenarios = results["scenarios"]
    targets: list[dict[str, Any]] = []

    by_id = scenarios.get("user_by_id", {})
    targets += _versus("GET /users/{id}", by_id, issue=7)
    lists = scenarios.get("lists", {})
    small_n = results["datasets"].get("small", {}).get("visible_users")
    big_n = results["datasets"].get("big", {}).get("visible_users")
    for key in LIST_KEYS:
        small = lists.get("small", {}).get(key, {}).get("median")
        big = lists.get("big", {}).get(key, {}).get("median")
        ratio = _ratio(big and big["p50_ms"], small and small["p50_ms"])
        errors = (small["errors"] if small else 0) + (big["errors"] if big else 0)
        ok = None if ratio is None else ratio <= MAX_LIST_P50_RATIO and errors == 0
        targets.append(
            _target(
                f"{LIST_TITLES[key]}: p50 at {_size(big_n)} over p50 at {_size(small_n)}",
                value=ratio,
                limit=f"<= {MAX_LIST_P50_RATIO:g}, no errors",
                ok=ok,
                detail=f"{_fmt(big and big['p50_ms'])} vs {_fmt(small and small['p50_ms'])} ms"
                + (f", {errors} errors" if errors else ""),
            )
        )

    healthz = scenarios.get("healthz", {})
    idle = healthz.get("idle", {}).get("median")
    busy = healthz.get("logins", {}).get("median")
    logins = healthz.get("login_load", {}).get("median")
    ratio = _ratio(busy and busy["p99_ms"], idle and idle["p99_ms"])
    logged_in = bool(logins and logins["requests"] and not logins["errors"])
    ok = None if ratio is None else ratio <= MAX_HEALTHZ_P99_RATIO and logged_in
    login_detail = (
        f", {_fmt(logins['rps'], 1)} logins/s, {logins['errors']} failed" if logins else ""
    )
    targets.append(
        _target(
            "/healthz p99 during logins over p99 without",
            value=ratio,
            limit=f"<= {MAX_HEALTHZ_P99_RATIO:g}",
            ok=ok,
            detail=f"{_fmt(busy and busy['p99_ms'])} vs {_fmt(idle and idle['p99_ms'])} ms"
            + login_detail,
        )
    )

    memory = scenarios.get("memory", {})
    points = memory.get("points", [])
    growth = None
    if len(points) >= 2 and points[0]["rss_mib"]:
        growth = points[-1]["rss_mib"] / points[0]["rss_mib"] - 1
    complete = all(p.get("complete") for p in points)
    targets.append(
        _target(
            "worker RSS growth"
            + (f", {points[0]['target']:,} to {points[-1]['target']:,} requests" if points else ""),
            value=growth,
            limit=f"within {MAX_RSS_GROWTH:.0%}",
            ok=None if growth is None else abs(growth) <= MAX_RSS_GROWTH and complete,
            detail=" vs ".join(f"{p['rss_mib']:.1f} MiB after {p['requests']:,}" for p in points)
            + ("" if complete else " (a run ended before its count)"),
        )
    )
    return targets + _issue_13(results)


def _issue_13(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Each list at the connections of /users/{id}, and /users/{id} with the access log, as
    shares of the ceiling."""
    scenarios = results["scenarios"]
    connections = results["plan"]["connections"]
    targets: list[dict[str, Any]] = []
    crowded = scenarios.get("crowded_lists", {})
    for key in LIST_KEYS:
        targets += _versus(
            f"{LIST_TITLES[key]}, {connections} connections", crowded.get(key, {}), issue=13
        )
    by_id = scenarios.get("user_by_id", {})
    rounds = (by_id.get("apidock", {}).get("median") or {}).get("rounds", 0)
    unjudged = None
    if by_id and not by_id.get("apidock_access_log", False):
        unjudged = "measured without the access log (--no-access-log)"
    elif by_id and rounds < ISSUE_13_ROUNDS:
        unjudged = f"{rounds} round(s) only: judged over {ISSUE_13_ROUNDS} or more"
    targets += _versus("GET /users/{id}, access log on", by_id, issue=13, unjudged=unjudged)
    return targets


def _versus(
    title: str, pair: dict[str, Any], *, issue: int, unjudged: str | None = None
) -> list[dict[str, Any]]:
    """API Dock's req/s share of the ceiling's, its p99 over the ceiling's, and its errors.

    `pair` holds the `apidock` and `ceiling` rounds of one path; with `unjudged` (the reason)
    the values are shown, neither passing nor failing.
    """
    mine = pair.get("apidock", {}).get("median")
    ceiling = pair.get("ceiling", {}).get("median")
    mine_rps, ceiling_rps = mine and mine["rps"], ceiling and ceiling["rps"]
    mine_p99, ceiling_p99 = mine and mine["p99_ms"], ceiling and ceiling["p99_ms"]
    share = _ratio(mine_rps, ceiling_rps)
    p99 = _ratio(mine_p99, ceiling_p99)
    errors = mine["errors"] if mine else None
    rounds = mine["rounds"] if mine else 0
    why = f" ({unjudged})" if unjudged else ""
    ceiling_errors = ceiling["errors"] if ceiling else 0
    noisy = f"; the ceiling had {ceiling_errors:,} errors" if ceiling_errors else ""

    def judged(ok: bool) -> bool | None:
        return None if unjudged else ok

    return [
        _target(
            f"{title}: req/s share of the ceiling",
            value=share,
            limit=f">= {MIN_RPS_SHARE}",
            ok=None if share is None else judged(share >= MIN_RPS_SHARE),
            detail=f"{_fmt(mine_rps, 0)} vs {_fmt(ceiling_rps, 0)} req/s{noisy}{why}",
            issue=issue,
        ),
        _target(
            f"{title}: p99 over the ceiling's",
            value=p99,
            limit=f"<= {MAX_P99_RATIO:g}",
            ok=None if p99 is None else judged(p99 <= MAX_P99_RATIO),
            detail=f"{_fmt(mine_p99)} vs {_fmt(ceiling_p99)} ms{why}",
            issue=issue,
        ),
        _target(
            f"{title}: errors",
            value=errors,
            limit="0",
            ok=None if errors is None else judged(errors == 0),
            detail=f"non-2xx answers and socket errors, all {rounds} round(s){why}",
            issue=issue,
        ),
    ]


def _size(n: int | None) -> str:
    if n is None:
        return "?"
    for unit, div in (("M", 1_000_000), ("k", 1_000)):
        if n >= div:
            return f"{n / div:.3g}{unit}"
    return str(n)


def _verdict(target: dict[str, Any]) -> str:
    if target["pass"] is None:  # with a value: measured, not judged (the detail says why)
        return "not measured" if target["value"] is None else "not judged"
    return "pass" if target["pass"] else "FAIL"


def write_results(results: dict[str, Any], path: Path) -> None:
    harness.write_results(results, path, ensure_ascii=True)


def summary_lines(results: dict[str, Any]) -> list[str]:
    """The targets, for the console."""
    lines = []
    width = max(len(t["target"]) for t in results["targets"])
    for issue in ISSUES:
        lines += ["", f"Targets of issue {issue} (ratios from this run):"]
        for t in results["targets"]:
            if t.get("issue", 7) != issue:
                continue
            value = "n/a" if t["value"] is None else f"{t['value']:.3g}"
            lines.append(
                f"  {_verdict(t):>12}  {t['target']:<{width}}  {value:>7}"
                f"  (limit {t['limit']}; {t['detail']})"
            )
    for problem in results.get("problems", []):
        lines.append(f"  ! {problem}")
    return lines


# --- docs/benchmarks.md -------------------------------------------------------------------


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _measure_cells(summary: dict[str, Any] | None) -> list[str]:
    if summary is None:
        return ["n/a"] * len(MEASURE_HEADER)
    return [
        _fmt(summary["rps"], 0),
        _fmt(summary["p50_ms"]),
        _fmt(summary["p99_ms"]),
        f"{summary['errors']:,}",
        _fmt(summary["cpu_us_per_request"], 0),
        _percent(summary.get("cpu_share")),
        _percent(summary.get("postgres_cpu_share")),
        _percent(summary.get("other_cpu_share")),
        _fmt(summary.get("peak_rss_mib"), 0),
    ]


def _percent(share: float | None) -> str:
    return "n/a" if share is None else f"{share * 100:.0f}"


MEASURE_HEADER = [
    "req/s",
    "p50 ms",
    "p99 ms",
    "errors",
    "CPU µs/req",
    "server CPU %",
    "PostgreSQL CPU %",
    "other CPU %",
    "peak RSS MiB",
]


def _apidock_name(plan: dict[str, Any]) -> str:
    log = "on" if plan.get("access_log", True) else "off"
    return f"API Dock (access log {log})"


def markdown(results: dict[str, Any], chart_name: str) -> str:
    plan = results["plan"]
    machine = results["machine"]
    versions = results["versions"]
    datasets = results["datasets"]
    scenarios = results["scenarios"]
    out: list[str] = []
    add = out.append
    add("# Benchmarks")
    add("")
    add(
        "Written by `bench/run.py` on every full run; do not edit by hand. "
        "[bench/README.md](../bench/README.md) explains the method and how to run it."
    )
    add("")
    if results["mode"] == "quick":
        add(
            "> **Quick run**: tiny databases and 3-second runs, to check that the benchmark "
            "works. These numbers are not a measurement; run `bench/run.py` without "
            "`--quick` for one."
        )
        add("")
    minutes = results["elapsed_s"] / 60
    add(f"Last run: {results['started_at']} ({minutes:.0f} min), `{results['command']}`,")
    git = results.get("git", {})
    add(
        f"API Dock at commit `{git.get('commit', '?')[:12]}`"
        + (" with uncommitted changes" if git.get("dirty") else "")
        + "."
    )
    add("")
    for issue, heading, note in (
        (7, "Targets (issue 7, item 2)", ""),
        (
            13,
            "Targets of issue 13",
            f"The lists of (e) at {plan['connections']} connections and `GET /users/{{id}}` "
            "as `apidock serve` starts it by default (with its access log), each against the "
            "ceiling; issue 7's limits.",
        ),
    ):
        add(f"## {heading}")
        add("")
        if note:
            add(note)
            add("")
        add(_row(["target", "measured", "limit", "result", "detail"]))
        add(_row(["---", "---:", "---", "---", "---"]))
        for t in results["targets"]:
            if t.get("issue", 7) == issue:
                value = "n/a" if t["value"] is None else f"{t['value']:.3g}"
                add(_row([t["target"], value, t["limit"], _verdict(t), t["detail"]]))
        add("")
    for problem in results.get("problems", []):
        add(f"- **Not measured or not clean:** {problem}")
    if results.get("problems"):
        add("")
    add(f"![req/s and p99 per scenario, API Dock beside the ceiling]({chart_name})")
    add("")

    add("## Results")
    add("")
    add(
        f"Medians of {plan['rounds']} interleaved round(s) of {plan['duration']:g} s each "
        f"(after {plan['warmup']:g} s of warm-up); errors are added up over the rounds. "
        "CPU is the server's process tree, user plus system, per request and as a share of "
        "one core over the run; PostgreSQL's share likewise; *other* is the CPU the rest of "
        "the machine used meanwhile (neither server, wrk nor PostgreSQL): noise, where it is "
        "not near 0. Peak RSS is the server's VmHWM."
    )
    add("")
    by_id = scenarios.get("user_by_id", {})
    main = datasets.get("main", {})
    add(
        f"### (a) Authenticated `GET /api/v1/users/{{id}}`, {main.get('visible_users', 0):,} "
        f"users, {plan['connections']} connections"
    )
    add("")
    add(_row(["server", *MEASURE_HEADER]))
    add(_row(["---", *["---:"] * len(MEASURE_HEADER)]))
    add(_row([_apidock_name(plan), *_measure_cells(by_id.get("apidock", {}).get("median"))]))
    add(_row(["ceiling", *_measure_cells(by_id.get("ceiling", {}).get("median"))]))
    add("")
    add(
        "For scale, the shares of the ceiling's req/s measured in issue 7 for other stacks: "
        + "; ".join(f"{name} {share:.2f}" for name, share in PEER_SHARES.items())
        + "."
    )
    add("")

    lists = scenarios.get("lists", {})
    small, big = datasets.get("small", {}), datasets.get("big", {})
    add(
        f"### (b) Lists at {small.get('visible_users', 0):,} and {big.get('visible_users', 0):,} "
        f"users, {plan['list_connections']} connections"
    )
    add("")
    add(
        "Few connections, so that p50 stays close to the time one page takes (what grows "
        "with the table) rather than the length of a queue."
    )
    add("")
    add(_row(["list", "database", "path", *MEASURE_HEADER]))
    add(_row(["---", "---", "---", *["---:"] * len(MEASURE_HEADER)]))
    for key in LIST_KEYS:
        for size in ("small", "big"):
            entry = lists.get(size, {}).get(key, {})
            db = datasets.get(size, {})
            add(
                _row(
                    [
                        LIST_TITLES[key],
                        f"{db.get('visible_users', 0):,} users, {db.get('apis', 0):,} APIs",
                        f"`{entry.get('path', '')}`",
                        *_measure_cells(entry.get("median")),
                    ]
                )
            )
    add("")

    healthz = scenarios.get("healthz", {})
    add(
        f"### (c) `/healthz` without and with {plan['login_clients']} clients logging in "
        "continuously"
    )
    add("")
    add(
        f"`/healthz` is driven lightly ({plan['healthz_connections']} connections, each "
        f"pausing {plan['healthz_pause_ms']} ms between requests), so that its latency shows "
        "whether the event loop is held up, not a queue."
    )
    add("")
    add(_row(["load", *MEASURE_HEADER]))
    add(_row(["---", *["---:"] * len(MEASURE_HEADER)]))
    add(_row(["/healthz alone", *_measure_cells(healthz.get("idle", {}).get("median"))]))
    add(_row(["/healthz during logins", *_measure_cells(healthz.get("logins", {}).get("median"))]))
    add(
        _row(
            ["the logins themselves", *_measure_cells(healthz.get("login_load", {}).get("median"))]
        )
    )
    add("")

    memory = scenarios.get("memory", {})
    add("### (d) Worker memory over a long run of `GET /api/v1/users/{id}`")
    add("")
    add(_row(["after requests", "RSS MiB", "peak RSS MiB", "req/s", "errors"]))
    add(_row(["---:", "---:", "---:", "---:", "---:"]))
    if memory.get("start_rss_mib") is not None:
        add(_row(["0 (started)", _fmt(memory["start_rss_mib"], 1), "", "", ""]))
    for point in memory.get("points", []):
        add(
            _row(
                [
                    f"{point['requests']:,}",
                    _fmt(point["rss_mib"], 1),
                    _fmt(point["peak_rss_mib"], 1),
                    _fmt(point["rps"], 0),
                    f"{point['errors']:,}",
                ]
            )
        )
    add("")

    crowded = scenarios.get("crowded_lists", {})
    add(
        f"### (e) Lists at {main.get('visible_users', 0):,} users and "
        f"{main.get('apis', 0):,} APIs, {plan['connections']} connections, API Dock and the "
        "ceiling"
    )
    add("")
    add(
        "The lists of (b) on the main database, driven as hard as `/users/{id}` and against "
        "the ceiling's lists: the same bounded count (the planner's estimate past 10,000 "
        "rows), the same page and the same JSON, without the framework."
    )
    add("")
    add(_row(["list", "path", "server", *MEASURE_HEADER]))
    add(_row(["---", "---", "---", *["---:"] * len(MEASURE_HEADER)]))
    for key in LIST_KEYS:
        entry = crowded.get(key, {})
        for side, name in (("apidock", _apidock_name(plan)), ("ceiling", "ceiling")):
            add(
                _row(
                    [
                        LIST_TITLES[key],
                        f"`{entry.get('path', '')}`",
                        name,
                        *_measure_cells(entry.get(side, {}).get("median")),
                    ]
                )
            )
    add("")

    add("## Method")
    add("")
    add(
        f"- One API Dock worker (`apidock serve --workers 1`, `APP_CONFIG=production`, "
        f"`DB_POOL_SIZE={plan['pool_size']}`"
        + (
            ", its access log on as by default, to its log file"
            if plan.get("access_log", True)
            else ", `--no-access-log`"
        )
        + f") pinned to core {plan['server_core']} with "
        f"`taskset`; the load generator, wrk, pinned to core {plan['load_core']}; PostgreSQL "
        "unpinned. Only one server runs at a time."
    )
    add(
        "- The ceiling (`bench/ceiling.py`): Starlette, an asyncpg pool and orjson, verifying "
        "the same HS256 token with PyJWT (algorithm fixed, the same claims required) and "
        "reading the same user row by id, or the same count, estimate and page of a list, "
        "on the same core, under uvicorn with uvloop and httptools, logging no requests. "
        "Before the rounds its answers are held to API Dock's, JSON for JSON."
    )
    add(
        f"- wrk, 1 thread, closed loop, `--timeout 10s`; {plan['connections']} connections for "
        f"`/users/{{id}}` (ids drawn at random over the bench users by a Lua script), "
        f"{plan['list_connections']} for the lists of (b), {plan['connections']} for those "
        "of (e). Rounds alternate which server or database "
        "goes first; each figure is the median of the rounds, each ratio is taken from one run."
    )
    add(
        "- The databases are made by the benchmark: dropped, created, migrated and seeded by "
        "`apidock deploy`, then filled by SQL: bench users with one argon2id hash, and a "
        "catalog that grows with them (one app per 1,000 users, five groups per app, one API "
        "per 10 users). The caller is the root administrator, with a token from `/api/v1/login`."
    )
    add(
        f"- Pages of {plan['per_page']} rows; in (b) the deep page is the middle page of the "
        "small database's list, asked for on both databases, in (e) the middle page of the "
        "main database's (the numbers are in the paths above): "
        "offset paging reads as many rows as the offset on any table, and what must not grow "
        "with the table is the rest, the count above all. Memory: one fresh worker, its RSS "
        "(VmRSS) read after each count of requests."
    )
    add("")
    add("## Machine")
    add("")
    add(_row(["", ""]))
    add(_row(["---", "---"]))
    add(_row(["CPU", f"{machine['cpu_model']}, {machine['nproc']} cores"]))
    add(_row(["memory", f"{machine['memory_gib']:.1f} GiB"]))
    add(_row(["system", f"{machine['os']}, Linux {machine['kernel']}"]))
    add(
        _row(
            [
                "load average",
                f"{machine['loadavg_start'][0]:.2f} at the start, "
                f"{machine.get('loadavg_end', [0.0])[0]:.2f} at the end "
                "(other work on the machine adds noise)",
            ]
        )
    )
    add(_row(["PostgreSQL", versions.get("postgresql", "?")]))
    add(_row(["wrk", versions.get("wrk", "?")]))
    add(_row(["Python", machine["python"]]))
    packages = ", ".join(
        f"{name} {version}"
        for name, version in versions.items()
        if name not in {"postgresql", "wrk"}
    )
    add(_row(["packages", packages]))
    add("")
    add(
        "Absolute numbers drift by about ±30 % between runs on this kind of machine; the "
        "ratios measured within one run are what the targets use."
    )
    add("")
    return "\n".join(out)


# --- docs/benchmarks.png ------------------------------------------------------------------


Summary = dict[str, Any] | None
ChartRow = tuple[str, tuple[Summary, Summary]]


def chart_rows(results: dict[str, Any]) -> list[ChartRow]:
    """(label, (API Dock's medians, the ceiling's medians)) per scenario."""
    scenarios = results["scenarios"]
    datasets = results["datasets"]
    plan = results["plan"]

    def pair(entry: dict[str, Any]) -> tuple[Summary, Summary]:
        return entry.get("apidock", {}).get("median"), entry.get("ceiling", {}).get("median")

    rows: list[ChartRow] = [
        (f"GET /users/{{id}}, {plan['connections']} conn.", pair(scenarios.get("user_by_id", {})))
    ]
    crowded = scenarios.get("crowded_lists", {})
    main_n = datasets.get("main", {}).get("visible_users")
    for key in LIST_KEYS:
        rows.append(
            (
                f"{LIST_TITLES[key]} @ {_size(main_n)} users, {plan['connections']} conn.",
                pair(crowded.get(key, {})),
            )
        )
    lists = scenarios.get("lists", {})
    for key in LIST_KEYS:
        for size in ("small", "big"):
            n = datasets.get(size, {}).get("visible_users")
            rows.append(
                (
                    f"{LIST_TITLES[key]} @ {_size(n)} users, {plan['list_connections']} conn.",
                    (lists.get(size, {}).get(key, {}).get("median"), None),
                )
            )
    healthz = scenarios.get("healthz", {})
    rows.append(("/healthz, paced", (healthz.get("idle", {}).get("median"), None)))
    rows.append(("/healthz, paced, during logins", (healthz.get("logins", {}).get("median"), None)))
    return rows


def write_chart(results: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    from matplotlib import ticker

    rows = chart_rows(results)
    labels = [row[0] for row in rows]
    positions = list(range(len(rows)))
    height = 0.38
    figure, axes = plt.subplots(1, 2, figsize=(13, 0.45 * len(rows) + 2.2), sharey=True)
    for axis, key, title in (
        (axes[0], "rps", "requests per second (higher is better)"),
        (axes[1], "p99_ms", "p99 latency, ms, log scale (lower is better)"),
    ):
        for offset, index, name, colour in (
            (-height / 2, 0, "API Dock", "#1f77b4"),
            (height / 2, 1, "ceiling (Starlette + asyncpg + orjson)", "#ff7f0e"),
        ):
            ys, values = [], []
            for position, row in zip(positions, rows, strict=True):
                summary = row[1][index]
                if summary is not None and summary.get(key) is not None:
                    ys.append(position + offset)
                    values.append(summary[key])
            if values:
                bars = axis.barh(ys, values, height=height, label=name, color=colour)
                axis.bar_label(bars, fmt="{:,.0f}" if key == "rps" else "{:,.1f}", fontsize=7)
        for position, row in zip(positions, rows, strict=True):
            if row[1] == (None, None):
                axis.text(
                    0.01,
                    position,
                    "not measured",
                    va="center",
                    fontsize=7,
                    color="grey",
                    transform=axis.get_yaxis_transform(),
                )
        axis.set_title(title, fontsize=10)
        axis.grid(axis="x", alpha=0.3)
        if key == "p99_ms":
            # bars on a log scale start at the left edge: put it a decade below the least
            axis.set_xscale("log")
            least = min(
                (side[key] for _, sides in rows for side in sides if side and side.get(key)),
                default=1.0,
            )
            axis.set_xlim(left=10 ** math.floor(math.log10(least)) / 2)
            axis.xaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v:g}"))
    axes[0].set_yticks(positions, labels, fontsize=8)
    axes[0].invert_yaxis()
    axes[0].legend(fontsize=8, loc="lower right")
    mode = " (quick run: not a measurement)" if results["mode"] == "quick" else ""
    figure.suptitle(
        f"API Dock benchmark, {results['started_at'][:10]}{mode}: medians of "
        f"{results['plan']['rounds']} round(s), one worker on one core",
        fontsize=11,
    )
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)


def write_docs(results: dict[str, Any], markdown_path: Path, chart_path: Path) -> None:
    write_chart(results, chart_path)
    markdown_path.write_text(markdown(results, chart_path.name))
