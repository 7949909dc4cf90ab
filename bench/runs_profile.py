"""Where a run's time goes: runs of every case executed in this process by
`apidock.runs.executor.RunExecutor`, against bench/runs_speed.py's target.

    .venv/bin/python bench/runs_profile.py [--cases 1000] [--top 35]
        [--switch-interval MS] [--checks-inline]     # experiments, see below

bench/runs_speed.py calls `analyse` after its rounds (its results' `in_process`, and the page's
"Where the time goes"); run alone, this prepares what runs_speed.py prepares first (its
database, the target on core 1, the app, the environment and the cases, through `apidock
serve`, then stopped).

With the settings `apidock serve` had, the executor is built as the server builds it
(`apidock.runs.runtime.executor_for`), this process pinned to core 0, and what exists then is
frozen out of the garbage collector's sight (`gc.freeze`), as the server's start-up does.
Runs are inserted `queued` and executed by `RunExecutor.execute`, as `LocalRuns` executes them:
- a warm-up run;
- a run timed with no profiler: its wall and CPU time, and its phases, timed by wrapping the
  executor's `_load` (the run's rows, the cases, the description read, the checker built) and
  `_finish` (the results written); `cases` is between the two;
- a run with a task that sleeps 1 ms again and again and records how late it wakes: the event
  loop's lag by the phase it woke in, what any request the server answers meanwhile
  (`/healthz`) waits for the loop before its own work; and the garbage collector's passes
  meanwhile (`gc.callbacks`), by generation and phase: a pass stops every thread;
- a run under cProfile. The contract checks run in anyio's worker threads, which a profiler
  enabled in the event loop's thread does not see: `_judged` is wrapped so that each worker
  thread profiles its own calls, and their profiles are added together. The profiler costs
  time itself: its shares matter, not its absolute numbers;
- the plain loop of bench/runs_peer.py, under cProfile in this process, for its shares.

The whole profile goes to bench/results/logs/runs-profile.txt (and the loop thread's, for
pstats, to runs-profile.pstats). Two experiments change the process, never src/:
`--switch-interval` (the interpreter's; 5 ms by default, the longest a thread holding the GIL
keeps a waiting one out) and `--checks-inline` (the checks on the loop's thread).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import importlib.util
import io
import json
import os
import pstats
import re
import sys
import threading
import time
from pathlib import Path
from typing import Any

import runs_peer
import runs_plan
from harness import LOG_DIR, say
from runs_setup import RunsSetup
from servers import ServerError

import apidock.models  # noqa: F401 (every table known, for the foreign keys of `runs`)
from apidock.config import load_settings
from apidock.db import Database, create_engine
from apidock.runs import executor as executor_module
from apidock.runs.models import Run, RunStatus
from apidock.runs.runtime import executor_for

REPORT = LOG_DIR / "runs-profile.txt"
STATS = LOG_DIR / "runs-profile.pstats"
TICK = 0.001
PHASES = ("_load", "_finish")
_BUILT_IN_METHOD = re.compile(r"of '([^']+)' objects")
_BUILT_IN_FUNCTION = re.compile(r"<built-in method ([\w.]+)>")


def package_of(filename: str, name: str) -> str:
    """A label for where a function lives: `apidock.runs`, `httpcore`, `asyncio`, …"""
    parts = Path(filename).parts
    if "site-packages" in parts:
        at = parts.index("site-packages")
        return parts[at + 1].removesuffix(".py") if len(parts) > at + 1 else "?"
    if "apidock" in parts:
        at = len(parts) - 1 - parts[::-1].index("apidock")
        inner = parts[at + 1 : -1]
        return "apidock." + inner[0] if inner else "apidock"
    if filename == "~":  # a built-in: its name says whose
        method = _BUILT_IN_METHOD.search(name)  # <method 'poll' of 'select.epoll' objects>
        function = _BUILT_IN_FUNCTION.match(name)  # <built-in method posix.stat>
        owner = method.group(1) if method else function.group(1) if function else name
        return f"built-in {owner}"[:60]
    if filename.startswith("<frozen importlib"):
        return "importlib"
    return "asyncio" if "asyncio" in parts else "stdlib " + Path(filename).stem


def by_package(stats: pstats.Stats, count: int) -> list[list[Any]]:
    """[[package, own seconds, share]] with the most own time first."""
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    totals: dict[str, float] = {}
    for (filename, _line, name), (_cc, _nc, tottime, _ct, _callers) in raw.items():
        label = package_of(filename, name)
        totals[label] = totals.get(label, 0.0) + tottime
    whole = sum(totals.values()) or 1.0
    ranked = sorted(totals.items(), key=lambda item: -item[1])[:count]
    return [[name, round(seconds, 4), round(seconds / whole, 4)] for name, seconds in ranked]


def top_functions(stats: pstats.Stats, count: int) -> list[list[Any]]:
    """[[function, calls, own seconds, cumulative seconds]] with the most own time first."""
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    ranked = sorted(raw.items(), key=lambda item: -item[1][2])[:count]
    found = []
    for (filename, line, name), (_cc, calls, tottime, cumtime, _callers) in ranked:
        where = "/".join(Path(filename).parts[-2:]) if filename != "~" else ""
        found.append([f"{where}:{line}({name})", calls, round(tottime, 4), round(cumtime, 4)])
    return found


class Phases:
    """The executor's `_load` and `_finish` timed (on the instance), and within `_load` the
    query of the cases (`_cases_of`, on the module); `restore` undoes it."""

    def __init__(self, executor: Any) -> None:
        self.spans: dict[str, tuple[float, float]] = {}
        self._executor = executor
        for name in PHASES:
            setattr(executor, name, self._timed(name.strip("_"), getattr(executor, name)))
        self._cases_of = executor_module._cases_of
        vars(executor_module)["_cases_of"] = self._timed("cases query", self._cases_of)

    def _timed(self, name: str, method: Any) -> Any:
        async def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.monotonic()
            try:
                return await method(*args, **kwargs)
            finally:
                self.spans[name] = (started, time.monotonic())

        return timed

    def restore(self) -> None:
        for name in PHASES:
            delattr(self._executor, name)
        vars(executor_module)["_cases_of"] = self._cases_of

    def named(self) -> dict[str, tuple[float, float]]:
        load, finish = self.spans["load"], self.spans["finish"]
        return {
            "load": load,
            "cases query": self.spans["cases query"],
            "cases": (load[1], finish[0]),
            "finish": finish,
        }

    def seconds(self) -> dict[str, float]:
        return {name: round(end - start, 4) for name, (start, end) in self.named().items()}


class LoopLag:
    """How late the loop wakes a task that sleeps `TICK`, sample by sample."""

    def __init__(self) -> None:
        self.samples: list[tuple[float, float]] = []

    async def watch(self, stop: asyncio.Event) -> None:
        loop = asyncio.get_running_loop()
        while not stop.is_set():
            due = loop.time() + TICK
            await asyncio.sleep(TICK)
            self.samples.append((due, loop.time() - due))

    def within(self, start: float, end: float) -> dict[str, Any]:
        # a sample is the phase's whose code held the loop: the one it was woken in (a stall
        # that starts as one phase hands over to the next is the next one's)
        lags = sorted(lag for due, lag in self.samples if start <= due + lag < end)
        if not lags:
            return {"samples": 0}
        return {
            "samples": len(lags),
            "p50_ms": round(lags[len(lags) // 2] * 1000, 3),
            "p99_ms": round(lags[min(len(lags) - 1, int(len(lags) * 0.99))] * 1000, 3),
            "max_ms": round(lags[-1] * 1000, 3),
            "over_10ms": sum(lag > 0.010 for lag in lags),
        }


class Collections:
    """The garbage collector's passes while installed: (start, seconds, generation) each."""

    def __init__(self) -> None:
        self.passes: list[tuple[float, float, int]] = []
        self._started = 0.0

    def _callback(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.monotonic()
        else:
            now = time.monotonic()
            self.passes.append((self._started, now - self._started, int(info["generation"])))

    def __enter__(self) -> Collections:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *_: object) -> None:
        gc.callbacks.remove(self._callback)

    def within(self, start: float, end: float) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for generation in (0, 1, 2):
            pauses = [s for at, s, g in self.passes if g == generation and start <= at < end]
            found[f"gen{generation}"] = {
                "passes": len(pauses),
                "total_ms": round(sum(pauses) * 1000, 2),
                "max_ms": round(max(pauses, default=0.0) * 1000, 2),
            }
        return found


class ThreadProfiles:
    """`_judged` wrapped so that each worker thread profiles its own calls."""

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

        vars(executor_module)["_judged"] = judged

    def uninstall(self) -> None:
        vars(executor_module)["_judged"] = self._original


class InlineThreads:
    """Stands for `anyio` in the executor (`--checks-inline`): `to_thread.run_sync` calls the
    function in the calling thread."""

    class to_thread:  # anyio's name
        @staticmethod
        async def run_sync(function: Any, *args: Any, limiter: Any = None) -> Any:
            return function(*args)


async def _analyse(
    bench: RunsSetup, warmup: int, top: int, peer_plan: dict[str, Any] | None
) -> dict[str, Any]:
    settings = load_settings()
    database = Database(create_engine(settings))
    executor = executor_for(database, settings)
    cases = len(bench.case_ids)

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

    found: dict[str, Any] = {
        # httpcore tries `import sniffio` each time it sets up a lock: without it, each
        # attempt searches sys.path again (see "importlib" in the profile)
        "sniffio_installed": importlib.util.find_spec("sniffio") is not None,
        "switch_interval_ms": round(sys.getswitchinterval() * 1000, 3),
        "checks": "inline" if vars(executor_module)["anyio"] is InlineThreads else "threads",
    }
    # as the server's start-up does (apidock.main's lifespan): what exists now is kept out of
    # the collector's sight, so a full collection walks only what the runs make
    gc.collect()
    gc.freeze()
    try:
        await executor.execute(await queued(bench.case_ids[:warmup]))
        phases = Phases(executor)
        run_id = await queued(None)
        cpu, started = time.process_time(), time.perf_counter()
        status = await executor.execute(run_id)
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        found["timed"] = {
            "cases": cases,
            "wall_seconds": round(wall, 4),
            "cpu_seconds": round(cpu, 4),
            "per_case_ms": round(wall / cases * 1000, 4),
            "status": status,
            "phases_seconds": phases.seconds(),
        }
        lag, stop = LoopLag(), asyncio.Event()
        found["tracked_objects"] = len(gc.get_objects())
        with Collections() as collections:
            watcher = asyncio.create_task(lag.watch(stop))
            idle_from = time.monotonic()
            await asyncio.sleep(1.0)  # the idle loop first, for comparison
            idle_to = time.monotonic()
            await executor.execute(await queued(None))
            stop.set()
            await watcher
        spans = {"idle": (idle_from, idle_to), **phases.named()}
        found["loop_lag"] = {name: lag.within(*span) for name, span in spans.items()}
        found["lag_run_phases_seconds"] = phases.seconds()
        found["collections"] = {name: collections.within(*span) for name, span in spans.items()}
        whole = (phases.spans["load"][0], phases.spans["finish"][1])
        found["collections"]["whole run"] = collections.within(*whole)
        phases.restore()
        threads = ThreadProfiles()
        if found["checks"] == "threads":
            threads.install()  # inline, the checks are in the loop's profile already
        loop_profile = cProfile.Profile()
        run_id = await queued(None)
        loop_profile.enable()
        try:
            await executor.execute(run_id)
        finally:
            loop_profile.disable()
            threads.uninstall()
    finally:
        await executor.client.aclose()
        await database.dispose()
    found["profile"] = _profiled(loop_profile, threads.profiles, top)
    if peer_plan is not None:
        found["peer_profile"] = await _peer_profiled(peer_plan)
    return found


async def _peer_profiled(plan: dict[str, Any]) -> dict[str, Any]:
    """The plain loop (bench/runs_peer.py) under cProfile in this process, its warm-up pass
    included: where its time goes, beside the runner's."""
    profile = cProfile.Profile()
    profile.enable()
    try:
        await runs_peer.measure(plan)
    finally:
        profile.disable()
    stats = pstats.Stats(profile)
    return {
        "seconds": round(stats.total_tt, 4),  # type: ignore[attr-defined]
        "packages": by_package(stats, 40),
    }


def _profiled(loop: cProfile.Profile, threads: list[cProfile.Profile], top: int) -> dict[str, Any]:
    loop_stats = pstats.Stats(loop)
    found: dict[str, Any] = {
        "loop_seconds": round(loop_stats.total_tt, 4),  # type: ignore[attr-defined]
        "loop_packages": by_package(loop_stats, 16),
        "loop_functions": top_functions(loop_stats, top),
    }
    texts = [
        _printed(loop, order="tottime", count=200),
        _printed(loop, order="cumulative", count=120),
    ]
    if threads:
        thread_stats = pstats.Stats(*threads)
        found["threads_seconds"] = round(thread_stats.total_tt, 4)  # type: ignore[attr-defined]
        found["thread_packages"] = by_package(thread_stats, 8)
        texts.append(_printed(*threads, order="tottime", count=60))
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    REPORT.write_text("\n\n".join(texts))
    loop.dump_stats(STATS)
    return found


def _printed(*profiles: cProfile.Profile, order: str, count: int) -> str:
    out = io.StringIO()
    pstats.Stats(*profiles, stream=out).sort_stats(order).print_stats(count)
    return out.getvalue()


def analyse(bench: RunsSetup, *, warmup: int, top: int = 15) -> dict[str, Any]:
    """The in-process runs above, on core `bench.plan.server_core` (the process's cores are
    put back after); `bench` has made the target and the app (`prepare_app`)."""
    cores = os.sched_getaffinity(0)
    os.environ.update(bench.env())
    os.sched_setaffinity(0, {bench.plan.server_core})
    try:
        path = bench.peer_plan_path or bench.peer_plan()
        found = asyncio.run(_analyse(bench, warmup, top, json.loads(path.read_text())))
    finally:
        os.sched_setaffinity(0, cores)
    timed, lag = found["timed"], found["loop_lag"]
    say(
        f"in process: {timed['cases']} cases in {timed['wall_seconds']:.3f} s "
        f"({timed['per_case_ms']:.3f} ms a case), CPU {timed['cpu_seconds']:.3f} s; phases "
        + ", ".join(f"{k} {v:.3f} s" for k, v in timed["phases_seconds"].items())
    )
    for name, entry in lag.items():
        if entry["samples"]:
            say(
                f"  loop lag, {name:<11}: p50 {entry['p50_ms']:.2f} ms, p99 {entry['p99_ms']:.2f} "
                f"ms, max {entry['max_ms']:.2f} ms ({entry['samples']} samples)"
            )
    for name, entry in found["collections"].items():
        say(
            f"  garbage collections, {name:<11}: "
            + ", ".join(
                f"{gen} {e['passes']} (max {e['max_ms']:.1f} ms, total {e['total_ms']:.1f} ms)"
                for gen, e in entry.items()
            )
        )
    return found


def _print_profile(found: dict[str, Any]) -> None:
    profile = found["profile"]
    print(
        f"\nevent loop's thread under cProfile: {profile['loop_seconds']:.3f} s, "
        "own time by package:"
    )
    for name, seconds, share in profile["loop_packages"]:
        print(f"  {seconds:8.3f} s {share:6.1%}  {name}")
    if "threads_seconds" in profile:
        print(f"checker threads: {profile['threads_seconds']:.3f} s, own time by package:")
        for name, seconds, share in profile["thread_packages"]:
            print(f"  {seconds:8.3f} s {share:6.1%}  {name}")
    if "peer_profile" in found:
        peer = found["peer_profile"]
        print(f"the plain loop under cProfile: {peer['seconds']:.3f} s, own time by package:")
        for name, seconds, share in peer["packages"][:12]:
            print(f"  {seconds:8.3f} s {share:6.1%}  {name}")
    print("functions with the most own time (event loop's thread):")
    for name, calls, own, cumulative in profile["loop_functions"]:
        print(f"  {own:8.3f} s own {cumulative:8.3f} s cumulative {calls:8d} calls  {name}")
    print(f"the whole profile: {REPORT}; for pstats: {STATS}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/runs_profile.py", description=__doc__)
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--warmup-cases", type=int, default=100)
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--switch-interval", type=float, help="the experiment's, in ms")
    parser.add_argument("--checks-inline", action="store_true", help="the other experiment")
    args = parser.parse_args(argv)
    if args.switch_interval is not None:
        sys.setswitchinterval(args.switch_interval / 1000)
    if args.checks_inline:
        vars(executor_module)["anyio"] = InlineThreads
    plan = runs_plan.parse_args(
        ["--cases", str(args.cases), "--warmup-cases", str(args.warmup_cases), "--no-docs"]
    )
    bench = RunsSetup(plan)
    try:
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        os.sched_setaffinity(0, {plan.load_core})
        bench.start_target()
        bench.prepare_app()
        found = analyse(bench, warmup=args.warmup_cases, top=args.top)
        say(f"switch interval {found['switch_interval_ms']} ms, checks in {found['checks']}")
        _print_profile(found)
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
