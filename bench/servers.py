"""Servers under test: started pinned to a core in a process group of their own, measured
from /proc, and always stopped.

Every server started here is remembered until it is stopped, so that `stop_all` can end
them on any way out of the benchmark (an error, Ctrl-C, SIGTERM).
"""

# ruff: noqa: S603 (commands are built from fixed parts and paths found here, never from input)

from __future__ import annotations

import contextlib
import os
import resource
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

HOST = "127.0.0.1"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
START_TIMEOUT = 60.0
# SIGINT first: uvicorn then finishes its requests and runs the lifespan's shutdown
STOP_SEQUENCE = ((signal.SIGINT, 15.0), (signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0))

_running: set[Server] = set()


class ServerError(RuntimeError):
    """A server could not be started or answered wrongly; the message says why."""


def which(program: str) -> str:
    path = shutil.which(program)
    if path is None:
        raise ServerError(f"{program} is not installed")
    return path


def port_in_use(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((HOST, port)) == 0


def log_tail(path: Path, lines: int = 15) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:]) or "(empty log)"


# --- /proc --------------------------------------------------------------------------------


def _stat_fields(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat from the third (state) on; None when the process is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # the command name (field 2) is in parentheses and may hold spaces or parentheses
    return raw.rsplit(")", 1)[1].split()


def process_tree(root: int) -> list[int]:
    """`root` and all its living descendants."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat_fields(int(entry.name))
        if fields is not None:
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    tree, pending = [], [root]
    while pending:
        pid = pending.pop()
        tree.append(pid)
        pending.extend(children.get(pid, ()))
    return tree


def cpu_seconds(root: int) -> float:
    """User and system CPU time of the process tree under `root`, every thread included.

    A process's utime and stime cover all its threads (password hashing in worker threads
    counts); children already reaped are in the root's cutime and cstime.
    """
    ticks = 0
    for pid in process_tree(root):
        fields = _stat_fields(pid)
        if fields is None:
            continue
        # fields 14 to 17 of stat(5): utime, stime, cutime, cstime
        ticks += int(fields[11]) + int(fields[12])
        if pid == root:
            ticks += int(fields[13]) + int(fields[14])
    return ticks / CLOCK_TICKS


def memory_kib(root: int) -> dict[str, int]:
    """`rss` (resident now) and `hwm` (peak resident, VmHWM) in KiB, summed over the tree."""
    totals = {"rss": 0, "hwm": 0}
    for pid in process_tree(root):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            key, _, value = line.partition(":")
            if key == "VmRSS":
                totals["rss"] += int(value.split()[0])
            elif key == "VmHWM":
                totals["hwm"] += int(value.split()[0])
    return totals


def machine_busy_seconds() -> float:
    """CPU time the whole machine spent busy (not idle, not waiting on I/O), all cores."""
    with open("/proc/stat") as stat:
        fields = stat.readline().split()[1:]
    # user nice system idle iowait irq softirq steal
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS


def postgres_cpu_seconds() -> float:
    """CPU time of the PostgreSQL processes now running (the pool's backends among them)."""
    ticks = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:
            continue
        name, _, rest = raw.partition(" (")[2].rpartition(")")
        if name == "postgres":
            fields = rest.split()
            ticks += int(fields[11]) + int(fields[12])
    return ticks / CLOCK_TICKS


def cpu_clocks(server: Server) -> dict[str, float]:
    """CPU seconds so far of the server, of reaped children (wrk), of PostgreSQL, of all."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "server": server.cpu_seconds(),
        "wrk": children.ru_utime + children.ru_stime,
        "postgres": postgres_cpu_seconds(),
        "machine": machine_busy_seconds(),
    }


# --- servers ------------------------------------------------------------------------------


def http_status(url: str, timeout: float = 2.0) -> int | None:
    """The status of GET `url`, or None when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (http://127.0.0.1 only)
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code
    except (OSError, ValueError):
        return None


@dataclass(eq=False)
class Server:
    """One HTTP server under test, pinned to `core`, logging to `log_path`."""

    name: str
    argv: list[str]
    env: dict[str, str]
    port: int
    cwd: Path
    log_path: Path
    core: int = 0
    ready_path: str = "/healthz"
    process: subprocess.Popen[bytes] | None = field(default=None, init=False)

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def pid(self) -> int:
        if self.process is None:
            raise ServerError(f"{self.name} is not running")
        return self.process.pid

    def start(self, timeout: float = START_TIMEOUT) -> None:
        """Start the server and wait until `ready_path` answers 200."""
        if port_in_use(self.port):
            raise ServerError(
                f"port {self.port} is already taken; stop whatever listens there and run again"
            )
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            log.write(f"\n--- {time.strftime('%H:%M:%S')} {' '.join(self.argv)}\n".encode())
            log.flush()
            self.process = subprocess.Popen(
                [which("taskset"), "--cpu-list", str(self.core), *self.argv],
                env=self.env,
                cwd=self.cwd,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, out of reach of the terminal
            )
        _running.add(self)
        deadline = time.monotonic() + timeout
        while True:
            code = self.process.poll()
            if code is not None:
                self.stop()
                raise ServerError(
                    f"{self.name} exited with status {code} while starting; "
                    f"the end of {self.log_path}:\n{log_tail(self.log_path)}"
                )
            if http_status(self.base_url + self.ready_path) == 200:
                return
            if time.monotonic() > deadline:
                self.stop()
                raise ServerError(
                    f"{self.name} did not answer {self.ready_path} within {timeout:.0f} s; "
                    f"the end of {self.log_path}:\n{log_tail(self.log_path)}"
                )
            time.sleep(0.2)

    def stop(self) -> None:
        """Stop the whole process group: SIGINT, then SIGTERM, then SIGKILL."""
        process = self.process
        if process is None:
            return
        try:
            for sig, grace in STOP_SEQUENCE:
                if process.poll() is not None:
                    break
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, sig)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(grace)
            # anything the server left behind in its group (the group id cannot be reused
            # while a member lives, so this reaches only what this server started)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
        finally:
            self.process = None
            _running.discard(self)

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.pid)

    def memory_kib(self) -> dict[str, int]:
        return memory_kib(self.pid)

    def __enter__(self) -> Server:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


def stop_all() -> None:
    """Stop every server started and not stopped yet."""
    for server in list(_running):
        server.stop()
