"""What bench/import_speed.py times: the peer (openapi-spec-validator), one import over HTTP,
and the paced `/healthz` load around an import (bench/import_load.py), with the CPU each used.

Decisions:
- The validator runs in the benchmark's process, pinned for its run to the server's core (the
  server is idle meanwhile), on the document already parsed: it is given what it validates,
  as a library is used. Its time is construction plus `iter_errors()` drained to the end. The
  parse is timed apart (`json.loads` of the same bytes) so that either comparison can be made;
  the import's time includes its parse, since reading the bytes is part of an import.
- The validator gets handlers that refuse every address: the documents hold local references
  only, and a benchmark fetches nothing.
- An import is timed from just before its request is written to the last byte of the answer,
  on a new connection (http.client): what a client waits.
"""

# ruff: noqa: S603 (commands are built from fixed parts and paths found here, never from input)

from __future__ import annotations

import contextlib
import http.client
import json
import math
import os
import resource
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import servers
from harness import pinned
from openapi_spec_validator import OpenAPIV31SpecValidator

HOST = "127.0.0.1"
IMPORT_PATH = "/api/v1/apps/import"
LOAD_SCRIPT = Path(__file__).resolve().with_name("import_load.py")
SLOW_KEPT = 40  # the slowest /healthz answers during an import kept in the results


def _refuse(uri: str) -> Any:
    raise RuntimeError(f"the benchmark fetches nothing: {uri}")


class RefusingValidator(OpenAPIV31SpecValidator):
    """openapi-spec-validator's 3.1 validator with no way to read a file or a URL."""

    resolver_handlers = cast(Any, dict.fromkeys(("<all_urls>", "http", "https", "file"), _refuse))


def time_validator(document: dict[str, Any], core: int) -> dict[str, Any]:
    """openapi-spec-validator's exhaustive check of `document`, on `core`: seconds, errors."""
    with pinned(core):
        cpu = time.process_time()
        start = time.perf_counter()
        errors = sum(1 for _ in RefusingValidator(document).iter_errors())
        seconds = time.perf_counter() - start
        cpu = time.process_time() - cpu
    return {"seconds": round(seconds, 4), "cpu_seconds": round(cpu, 4), "errors": errors}


def time_parse(raw: bytes, rounds: int = 3) -> float:
    """The median time of `json.loads` on `raw` (the stdlib's, as a library user parses)."""
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        json.loads(raw)
        times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2]


def clocks(server_pid: int, load_pid: int | None = None) -> dict[str, float]:
    """CPU seconds so far: the server's tree, PostgreSQL's (the backends living now: one that
    ends meanwhile takes its time away, so a difference is clamped at 0 by `cpu_used`), this
    process's, the /healthz load's, the whole machine's."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "server": servers.cpu_seconds(server_pid),
        "postgres": servers.postgres_cpu_seconds(),
        "bench": own.ru_utime + own.ru_stime,
        "load": 0.0 if load_pid is None else servers.cpu_seconds(load_pid),
        "machine": servers.machine_busy_seconds(),
    }


def cpu_used(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    """What each used between two `clocks`, and `other`: the rest of the machine's busy time."""
    used = {name: max(0.0, after[name] - before[name]) for name in before}
    used["other"] = max(0.0, used["machine"] - sum(v for k, v in used.items() if k != "machine"))
    return used


def post_import(
    port: int, token: str, raw: bytes, slug: str, timeout: float
) -> tuple[float, float, float, int, Any]:
    """POST the document as application/json: (begin, end) on time.monotonic(), the wall
    seconds, the status and the decoded answer (None when it is not JSON)."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    headers = {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "Authorization": f"Bearer {token}",
    }
    try:
        begin, start = time.monotonic(), time.perf_counter()
        connection.request("POST", f"{IMPORT_PATH}?slug={slug}", body=raw, headers=headers)
        response = connection.getresponse()
        body = response.read()
        seconds = time.perf_counter() - start
        end = time.monotonic()
    finally:
        connection.close()
    try:
        decoded = json.loads(body)
    except ValueError:
        decoded = {"raw": body[:300].decode(errors="replace")}
    return begin, end, seconds, response.status, decoded


@dataclass
class Load:
    """bench/import_load.py on `core`, in a process group of its own; `stop` gives its records."""

    port: int
    output: Path
    core: int
    connections: int
    pause_ms: int
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> Load:
        self.output.unlink(missing_ok=True)
        argv = [sys.executable, str(LOAD_SCRIPT), "--port", str(self.port)]
        argv += ["--connections", str(self.connections), "--pause-ms", str(self.pause_ms)]
        argv += ["--output", str(self.output), "--max-seconds", "1800"]
        self.process = subprocess.Popen(
            [servers.which("taskset"), "--cpu-list", str(self.core), *argv],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        return self

    @property
    def pid(self) -> int | None:
        return None if self.process is None else self.process.pid

    def stop(self) -> list[tuple[float, float, int]]:
        """SIGTERM, wait for its records (then SIGKILL whatever is left of its group)."""
        process = self.process
        if process is None:
            return []
        try:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                _, stderr = process.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                stderr = b"(no answer to SIGTERM within 30 s)"
            if process.returncode != 0 or not self.output.exists():
                tail = stderr.decode(errors="replace").strip()[-1000:]
                raise RuntimeError(f"the /healthz load failed ({process.returncode}): {tail}")
            loaded = json.loads(self.output.read_text())
            return [(float(s), float(lat), int(st)) for s, lat, st in loaded["records"]]
        finally:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            self.process = None


def percentile(values: list[float], q: float) -> float | None:
    """The nearest-rank percentile `q` (0 to 100) of `values`."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def latency_summary(records: list[tuple[float, float, int]]) -> dict[str, Any]:
    """Count, errors and latency percentiles (ms) of some load records."""
    latencies = [latency * 1000 for _, latency, _ in records]

    def ms(value: float | None) -> float | None:
        return None if value is None else round(value, 2)

    return {
        "requests": len(records),
        "errors": sum(1 for _, _, status in records if status != 200),
        "p50_ms": ms(percentile(latencies, 50)),
        "p90_ms": ms(percentile(latencies, 90)),
        "p99_ms": ms(percentile(latencies, 99)),
        "max_ms": ms(max(latencies, default=None)),
    }


def split_by_window(
    records: list[tuple[float, float, int]], begin: float, end: float
) -> dict[str, Any]:
    """The load's requests that overlapped [begin, end] (`during`), and those that ended
    before `begin` (`before`, the idle server's latency in the same run)."""
    during = [r for r in records if r[0] <= end and r[0] + r[1] >= begin]
    before = [r for r in records if r[0] + r[1] < begin]
    # the slowest answers, by when they were asked (seconds into the import): they tell which
    # part of the import held the server
    slow = sorted(during, key=lambda r: r[1], reverse=True)[:SLOW_KEPT]
    return {
        "during": latency_summary(during),
        "before": latency_summary(before),
        "import_s": round(end - begin, 4),
        "slowest": [[round(s - begin, 3), round(lat * 1000, 1)] for s, lat, _ in sorted(slow)],
    }
