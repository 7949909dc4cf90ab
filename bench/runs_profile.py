"""Where a run's time goes: a run of every case executed in this process by
`apidock.runs.executor.RunExecutor`, under cProfile, against bench/runs_speed.py's target.

    .venv/bin/python bench/runs_profile.py [--cases 1000] [--top 35]

It prepares what bench/runs_speed.py prepares (its database `apidock_bench_runs`, the target
on core 1, the app, the environment and the cases, through `apidock serve`, which is then
stopped), pins itself to core 0 and, with the settings `apidock serve` had, builds the executor
as the server does (`apidock.runs.runtime.executor_for`). Runs are inserted `queued` and
executed by `RunExecutor.execute`, as `LocalRuns` executes them: a warm-up run, a run timed
with no profiler (its wall and CPU time), then a run under cProfile. The contract checks run in
anyio's worker threads, which a profiler enabled in the event loop's thread does not see:
`_judged` is wrapped so that each worker thread profiles its own calls, and the profiles are
added together.

Prints the time of the unprofiled run, the profiled time by package (own time, `tottime`)
and the functions with the most own time; writes the whole profile to
bench/results/logs/runs-profile.txt (and the event loop's thread's, for pstats, to
runs-profile.pstats). The profiler itself costs time, so the shares matter,
not the absolute numbers. The database is dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import os
import pstats
import sys
import threading
import time
from pathlib import Path
from typing import Any

import run
import runs_plan
from runs_speed import LOG_DIR, RunsBench
from servers import ServerError

import apidock.models  # noqa: F401 (every table known, for the foreign keys of `runs`)
from apidock.config import load_settings
from apidock.db import Database, create_engine
from apidock.runs import executor as executor_module
from apidock.runs.models import Run, RunStatus
from apidock.runs.runtime import executor_for

say = run.say
REPORT = LOG_DIR / "runs-profile.txt"
STATS = LOG_DIR / "runs-profile.pstats"


def package_of(filename: str) -> str:
    """A label for where a function lives: `apidock.runs`, `httpcore`, `asyncio`, …"""
    path = Path(filename)
    parts = path.parts
    if "apidock" in parts and "site-packages" not in parts:
        at = len(parts) - 1 - parts[::-1].index("apidock")
        inner = parts[at + 1 : -1]
        return "apidock." + inner[0] if inner else "apidock"
    if "site-packages" in parts:
        at = parts.index("site-packages")
        return parts[at + 1].removesuffix(".py").split(".")[0] if len(parts) > at + 1 else "?"
    if filename.startswith("<") or filename == "~":
        return "built-in"
    if "asyncio" in parts:
        return "asyncio"
    return "stdlib " + path.stem


def by_package(stats: pstats.Stats) -> list[tuple[str, float]]:
    totals: dict[str, float] = {}
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    for (filename, _line, name), (_cc, _nc, tottime, _ct, _callers) in raw.items():
        label = package_of(filename)
        if label == "built-in":
            label = f"built-in {name.split(' ')[-1].strip('>')}"[:60]
        totals[label] = totals.get(label, 0.0) + tottime
    return sorted(totals.items(), key=lambda item: -item[1])


class ThreadProfiles:
    """Wraps `_judged` so that each worker thread profiles its own calls."""

    def __init__(self) -> None:
        self.profiles: list[cProfile.Profile] = []
        self._local = threading.local()
        self._original = executor_module._judged

    def install(self) -> None:
        original = self._original

        def judged(*args: Any) -> Any:
            profile = getattr(self._local, "profile", None)
            if profile is None:
                profile = self._local.profile = cProfile.Profile()
                self.profiles.append(profile)
            profile.enable()
            try:
                return original(*args)
            finally:
                profile.disable()

        executor_module._judged = judged  # type: ignore[assignment]

    def uninstall(self) -> None:
        executor_module._judged = self._original


class LoopLag:
    """How late the event loop wakes a task that asked to sleep `TICK`, through the phases of
    a run: what any request the server answered meanwhile (`/healthz`) would wait for the loop.

    The phases are timed by wrapping the executor's `_load` (the run's rows, cases and
    description read, the checker built) and `_finish` (the results written): `cases` is
    between the two."""

    TICK = 0.001

    def __init__(self, executor: Any) -> None:
        self.samples: list[tuple[float, float]] = []
        self.phases: dict[str, tuple[float, float]] = {}
        self._executor = executor
        for name in ("_load", "_finish"):
            setattr(executor, name, self._timed(name.strip("_"), getattr(executor, name)))

    def restore(self) -> None:
        for name in ("_load", "_finish"):
            delattr(self._executor, name)  # the class's methods again

    def _timed(self, name: str, method: Any) -> Any:
        async def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.monotonic()
            try:
                return await method(*args, **kwargs)
            finally:
                self.phases[name] = (started, time.monotonic())

        return timed

    async def watch(self, stop: asyncio.Event) -> None:
        loop = asyncio.get_running_loop()
        while not stop.is_set():
            due = loop.time() + self.TICK
            await asyncio.sleep(self.TICK)
            self.samples.append((due, loop.time() - due))

    def lines(self) -> list[str]:
        load, finish = self.phases["load"], self.phases["finish"]
        spans = {
            "load": load,
            "cases": (load[1], finish[0]),
            "finish": finish,
            "whole run": (load[0], finish[1]),
        }
        found = ["loop lag (a 1 ms sleep woken late by), by phase of the run:"]
        for name, (start, end) in spans.items():
            lags = sorted(lag for due, lag in self.samples if start <= due < end)
            if not lags:
                found.append(f"  {name:<10} {end - start:7.3f} s  no samples")
                continue
            p50, p99 = lags[len(lags) // 2], lags[min(len(lags) - 1, int(len(lags) * 0.99))]
            found.append(
                f"  {name:<10} {end - start:7.3f} s  {len(lags):6d} samples  "
                f"p50 {p50 * 1000:7.2f} ms  p99 {p99 * 1000:7.2f} ms  "
                f"max {lags[-1] * 1000:7.2f} ms"
            )
        return found


class InlineThreads:
    """Stands for `anyio` in the executor (`--checks-inline`): `to_thread.run_sync` calls the
    function in the calling thread."""

    class to_thread:  # anyio's name
        @staticmethod
        async def run_sync(function: Any, *args: Any, limiter: Any = None) -> Any:
            return function(*args)


async def profile_runs(bench: RunsBench, warmup: int, top: int) -> None:
    settings = load_settings()
    database = Database(create_engine(settings))
    executor = executor_for(database, settings)

    async def queued(case_ids: list[int] | None) -> int:
        async with database.transaction() as session:
            made = Run(
                app_id=bench.app_id,
                environment_id=bench.environment_id,
                status=RunStatus.QUEUED,
                strict=False,
                case_ids=case_ids,
            )
            session.add(made)
            await session.flush()
            return made.id

    try:
        await executor.execute(await queued(bench.case_ids[:warmup]))
        run_id = await queued(None)
        cpu, started = time.process_time(), time.perf_counter()
        status = await executor.execute(run_id)
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        say(
            f"in process, no profiler: {len(bench.case_ids)} cases in {wall:.3f} s "
            f"({wall / len(bench.case_ids) * 1000:.3f} ms a case), CPU {cpu:.3f} s, {status}"
        )
        monitor = LoopLag(executor)
        stop = asyncio.Event()
        watcher = asyncio.create_task(monitor.watch(stop))
        await asyncio.sleep(0.5)  # the idle loop's lag first, for comparison
        idle_end = time.monotonic()
        await executor.execute(await queued(None))
        stop.set()
        await watcher
        monitor.restore()
        idle = sorted(lag for due, lag in monitor.samples if due < idle_end)
        lag_lines = [*monitor.lines(), f"  idle, before the run: max {idle[-1] * 1000:.2f} ms"]
        print("\n".join(lag_lines), flush=True)
        threads = ThreadProfiles()
        if vars(executor_module)["anyio"] is not InlineThreads:
            threads.install()  # inline, the checks are in the main profile already
        main = cProfile.Profile()
        run_id = await queued(None)
        started = time.perf_counter()
        main.enable()
        try:
            status = await executor.execute(run_id)
        finally:
            main.disable()
            threads.uninstall()
        say(f"under cProfile: {time.perf_counter() - started:.3f} s, {status}")
    finally:
        await executor.client.aclose()
        await database.dispose()
    report(main, threads.profiles, top)


def _shares(stats: pstats.Stats, total: float, count: int) -> list[str]:
    return [
        f"  {seconds:8.3f} s  {seconds / total:6.1%}  {name}"
        for name, seconds in by_package(stats)[:count]
    ]


def _printed(*profiles: cProfile.Profile, order: str, count: int) -> str:
    out = io.StringIO()
    pstats.Stats(*profiles, stream=out).sort_stats(order).print_stats(count)
    return out.getvalue()


def report(main: cProfile.Profile, threads: list[cProfile.Profile], top: int) -> None:
    loop_stats = pstats.Stats(main)
    loop_total: float = loop_stats.total_tt  # type: ignore[attr-defined]
    lines = [
        f"event loop's thread: {loop_total:.3f} s profiled (its waits in the selector included)",
        "own time by package, event loop's thread:",
        *_shares(loop_stats, loop_total, 25),
    ]
    if threads:
        thread_stats = pstats.Stats(*threads)
        thread_total: float = thread_stats.total_tt  # type: ignore[attr-defined]
        lines += [
            "",
            f"checker threads: {thread_total:.3f} s profiled, own time by package:",
            *_shares(thread_stats, thread_total, 12),
        ]
    summary = "\n".join(lines)
    print(summary, flush=True)
    print(_printed(main, order="tottime", count=top), flush=True)
    whole = [summary, _printed(main, order="tottime", count=200)]
    whole.append(_printed(main, order="cumulative", count=120))
    if threads:
        whole.append(_printed(*threads, order="tottime", count=60))
    REPORT.write_text("\n\n".join(whole))
    main.dump_stats(STATS)
    say(f"the whole profile: {REPORT}; the event loop's, for pstats: {STATS}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/runs_profile.py", description=__doc__)
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--warmup-cases", type=int, default=100)
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument(
        "--switch-interval",
        type=float,
        help="an experiment: the interpreter's thread switch interval in ms (Python's is 5)",
    )
    parser.add_argument(
        "--checks-inline",
        action="store_true",
        help="an experiment: the checks (and the description's build) on the event loop's "
        "thread instead of anyio's worker threads",
    )
    args = parser.parse_args(argv)
    if args.switch_interval is not None:
        sys.setswitchinterval(args.switch_interval / 1000)
    if args.checks_inline:
        vars(executor_module)["anyio"] = InlineThreads
    say(
        f"switch interval {sys.getswitchinterval() * 1000:g} ms; checks "
        + ("inline, on the event loop" if args.checks_inline else "in anyio's worker threads")
    )
    plan = runs_plan.parse_args(
        ["--cases", str(args.cases), "--warmup-cases", str(args.warmup_cases), "--no-docs"]
    )
    bench = RunsBench(plan)
    try:
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        os.sched_setaffinity(0, {plan.load_core})
        bench.start_target()
        bench.prepare_app()
        os.environ.update(bench.env())
        os.sched_setaffinity(0, {plan.server_core})
        asyncio.run(profile_runs(bench, args.warmup_cases, args.top))
    except (ServerError, RuntimeError) as exc:
        say(f"error: {exc}")
        return 1
    except KeyboardInterrupt:
        return 130
    finally:
        bench.clean_up()
    return 0


if __name__ == "__main__":
    sys.exit(main())
