"""A paced `GET /healthz` load that keeps every request's start and latency, so that the
latency *during* an import can be told from the latency around it.

    python bench/import_load.py --port 8810 --output FILE [--connections 8] [--pause-ms 10]

It is what wrk with bench/wrk/paced.lua does (each connection sends a request, reads the
answer, waits `--pause-ms`, again), except that wrk reports one histogram for its whole run and
no per-request times: the import window is known only once the import has answered. It runs
as a process of its own (started pinned to a core, in a process group of its own, by
bench/import_measure.py), until SIGTERM, SIGINT or `--max-seconds`; it then writes its records
as JSON to `--output` and exits 0.

A record is `[start, latency, status]`: `start` on `time.monotonic()`, which on Linux is
CLOCK_MONOTONIC and so the same clock in every process of the machine (the benchmark compares
it with the import's start and end taken in its own process); `latency` in seconds; `status`
the HTTP status, 0 for a connection error, -1 for a request past `--timeout` (its latency is
then the time waited), -2 for one still waiting when the load was stopped. Only 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import sys
import time
from pathlib import Path

HOST = "127.0.0.1"
Record = tuple[float, float, int]


async def _one(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> int:
    """Send one request and read its whole answer; its status."""
    writer.write(request)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    if length:
        await reader.readexactly(length)
    return status


async def _connection(
    port: int, path: str, pause: float, patience: float, stop: asyncio.Event, into: list[Record]
) -> None:
    request = f"GET {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\n\r\n".encode()
    streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
    while not stop.is_set():
        start = time.monotonic()
        try:
            if streams is None:
                streams = await asyncio.wait_for(asyncio.open_connection(HOST, port), patience)
            status = await asyncio.wait_for(_one(*streams, request), patience)
        except TimeoutError:
            status = -1
        except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
            status = 0
        except asyncio.CancelledError:
            into.append((start, time.monotonic() - start, -2))
            raise
        into.append((start, time.monotonic() - start, status))
        if status <= 0 and streams is not None:
            streams[1].close()
            streams = None
            await asyncio.sleep(0.05)  # a refused connection is not retried in a busy loop
        else:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), pause)
    if streams is not None:
        streams[1].close()


async def run(
    port: int, path: str, connections: int, pause: float, patience: float, max_seconds: float
) -> list[Record]:
    """The records of the load, from its start until a signal or `max_seconds`."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    records: list[Record] = []
    tasks = [
        asyncio.create_task(_connection(port, path, pause, patience, stop, records))
        for _ in range(connections)
    ]
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), max_seconds)
    stop.set()
    # the requests under way are given a moment to end, then recorded as unfinished
    _, pending = await asyncio.wait(tasks, timeout=0.5)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    return records


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/import_load.py", description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", default="/healthz")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--pause-ms", type=float, default=10.0)
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument("--max-seconds", type=float, default=900.0)
    parser.add_argument("--output", type=Path, required=True)
    args = parser.parse_args(argv)
    records = asyncio.run(
        run(
            args.port,
            args.path,
            args.connections,
            args.pause_ms / 1000,
            args.timeout,
            args.max_seconds,
        )
    )
    records.sort()
    args.output.write_text(json.dumps({"records": records}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
