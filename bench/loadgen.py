"""The load generator: wrk from Debian, pinned to its own core, and the parsing of its report.

wrk is closed-loop (each connection sends its next request when the previous answer
arrives), costs about 21 ms of CPU per 1,000 requests and reports latency percentiles from
an HdrHistogram. Its `--timeout` is raised to 10 s so that slow answers are measured rather
than dropped from the latency figures (they still count as timeouts past it).
"""

# ruff: noqa: S603 (commands are built from fixed parts and paths found here, never from input)

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

WRK_SCRIPTS = Path(__file__).resolve().parent / "wrk"
REQUEST_TIMEOUT = "10s"
APT_TIMEOUT = 600

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
_PERCENTILE = re.compile(r"^\s*(50|75|90|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s|m|h)\s*$", re.M)
_LATENCY_ROW = re.compile(
    r"^\s*Latency\s+([\d.]+)(us|ms|s|m|h)\s+\S+\s+([\d.]+)(us|ms|s|m|h)", re.M
)
_TOTAL = re.compile(r"^\s*(\d+) requests in ([\d.]+)(us|ms|s|m|h)", re.M)
_RPS = re.compile(r"^Requests/sec:\s+([\d.]+)", re.M)
_NON_2XX = re.compile(r"^\s*Non-2xx or 3xx responses:\s+(\d+)", re.M)
_SOCKET = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", re.M)


class LoadError(RuntimeError):
    """The load generator is missing or failed; the message says why."""


def _apt_get(*args: str) -> subprocess.CompletedProcess[str]:
    apt = shutil.which("apt-get")
    if apt is None:
        raise LoadError("wrk is not installed and apt-get is not available: install wrk")
    return subprocess.run(
        [apt, *args],
        env=os.environ | {"DEBIAN_FRONTEND": "noninteractive"},
        capture_output=True,
        text=True,
        timeout=APT_TIMEOUT,
        check=False,
    )


def ensure_wrk(log: Any = print) -> str:
    """The path of wrk, installed from Debian (as root) when missing."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        raise LoadError("wrk is not installed; run `apt-get install wrk` as root, then again")
    log("wrk is missing: apt-get install -y wrk")
    done = _apt_get("install", "-y", "--no-install-recommends", "wrk")
    if done.returncode != 0:
        log("apt-get install failed; apt-get update, then again")
        _apt_get("update")
        done = _apt_get("install", "-y", "--no-install-recommends", "wrk")
    found = shutil.which("wrk")
    if done.returncode != 0 or not found:
        tail = "\n".join((done.stdout + done.stderr).splitlines()[-5:])
        raise LoadError(f"could not install wrk:\n{tail}")
    return found


def wrk_version(wrk: str) -> str:
    # `wrk -v` prints its version and usage, and exits 1
    done = subprocess.run([wrk, "-v"], capture_output=True, text=True, timeout=10, check=False)
    lines = (done.stdout or done.stderr).strip().splitlines()
    return lines[0].partition(" Copyright")[0] if lines else "unknown"


def _ms(value: str, unit: str) -> float:
    return float(value) * _UNITS_MS[unit]


@dataclass
class WrkResult:
    """What one wrk run reported."""

    requests: int
    seconds: float
    rps: float
    p50_ms: float | None
    p75_ms: float | None
    p90_ms: float | None
    p99_ms: float | None
    avg_ms: float | None
    max_ms: float | None
    non_2xx: int
    socket_errors: dict[str, int] = field(default_factory=dict)

    @property
    def errors(self) -> int:
        """Answers with a status of 400 or more, plus connect, read, write and timeout errors."""
        return self.non_2xx + sum(self.socket_errors.values())

    def to_json(self) -> dict[str, Any]:
        return asdict(self) | {"errors": self.errors}


def parse_wrk(output: str) -> WrkResult:
    """Read wrk's report (run with --latency)."""
    total = _TOTAL.search(output)
    rps = _RPS.search(output)
    if total is None or rps is None:
        raise LoadError(f"wrk's report could not be read:\n{output.strip()[-2000:]}")
    percentiles = {p: _ms(v, u) for p, v, u in _PERCENTILE.findall(output)}
    row = _LATENCY_ROW.search(output)
    socket_errors = _SOCKET.search(output)
    non_2xx = _NON_2XX.search(output)
    return WrkResult(
        requests=int(total.group(1)),
        seconds=_ms(total.group(2), total.group(3)) / 1000,
        rps=float(rps.group(1)),
        p50_ms=percentiles.get("50"),
        p75_ms=percentiles.get("75"),
        p90_ms=percentiles.get("90"),
        p99_ms=percentiles.get("99"),
        avg_ms=_ms(row.group(1), row.group(2)) if row else None,
        max_ms=_ms(row.group(3), row.group(4)) if row else None,
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=dict(
            zip(
                ("connect", "read", "write", "timeout"),
                (int(n) for n in socket_errors.groups()) if socket_errors else (0, 0, 0, 0),
                strict=True,
            )
        ),
    )


class Wrk:
    """One wrk run in a process group of its own, pinned to `core`; started, then collected.

    Use as a context manager: leaving the block ends a run that is still going.
    """

    def __init__(
        self,
        wrk: str,
        url: str,
        *,
        duration: float,
        connections: int,
        core: int,
        script: str | None = None,
        script_args: tuple[str, ...] = (),
        headers: tuple[str, ...] = (),
    ) -> None:
        taskset = shutil.which("taskset")
        if taskset is None:
            raise LoadError("taskset (util-linux) is not installed")
        self.duration = duration
        self.argv = [
            taskset,
            "--cpu-list",
            str(core),
            wrk,
            "--threads",
            "1",
            "--connections",
            str(connections),
            "--duration",
            f"{max(1, round(duration))}s",
            "--timeout",
            REQUEST_TIMEOUT,
            "--latency",
        ]
        for header in headers:
            self.argv += ["--header", header]
        if script is not None:
            self.argv += ["--script", str(WRK_SCRIPTS / script)]
        self.argv.append(url)
        if script_args:
            self.argv += ["--", *script_args]
        self.process: subprocess.Popen[str] | None = None

    def start(self) -> Wrk:
        self.process = subprocess.Popen(
            self.argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        return self

    def result(self) -> WrkResult:
        """Wait for the run to end (bounded by its duration plus a margin) and read it."""
        if self.process is None:
            raise LoadError("wrk was not started")
        try:
            output, _ = self.process.communicate(timeout=self.duration + 30)
        except subprocess.TimeoutExpired:
            self.kill()
            raise LoadError(f"wrk did not finish within {self.duration + 30:.0f} s") from None
        if self.process.returncode != 0:
            raise LoadError(f"wrk exited with status {self.process.returncode}:\n{output.strip()}")
        return parse_wrk(output)

    def kill(self) -> None:
        process = self.process
        if process is None or process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(5)

    def __enter__(self) -> Wrk:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.kill()


def run_wrk(wrk: str, url: str, **options: Any) -> WrkResult:
    """One wrk run, start to end."""
    with Wrk(wrk, url, **options) as job:
        return job.result()
