"""A real `apidock serve --workers 2`: each worker counts the requests it answers, in a fresh
directory `serve` made and removes; `/metrics`, whichever worker answers it, adds them up. Its
log is JSON lines, one a request, where uvicorn's access lines were."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import httpx
import pytest
from prometheus_client import CollectorRegistry
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.parser import text_string_to_metric_families
from scripts.live_server import LiveServer, deploy, server_env, serving

HEALTHZ = {"route": "/healthz", "method": "GET", "status": "200"}
DEADLINE_SECONDS = 60
MOST_REQUESTS = 400


def _children(pid: int) -> list[int]:
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(
                line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line
            )
        except OSError:  # gone meanwhile
            continue
        if fields.get("PPid", "").strip() == str(pid):
            found.append(int(status.parent.name))
    return found


def metrics_dir_of(server: LiveServer) -> Path:
    """The PROMETHEUS_MULTIPROC_DIR the workers of `server` were started with."""
    for child in _children(server.process.pid):
        try:
            environ = Path(f"/proc/{child}/environ").read_bytes().split(b"\0")
        except OSError:
            continue
        for item in environ:
            if item.startswith(b"PROMETHEUS_MULTIPROC_DIR="):
                return Path(item.split(b"=", 1)[1].decode())
    raise AssertionError("no worker has a PROMETHEUS_MULTIPROC_DIR")


def healthz_count(text: str) -> float:
    for family in text_string_to_metric_families(text):
        for item in family.samples:
            if item.name == "apidock_http_requests_total" and item.labels == HEALTHZ:
                return item.value
    return 0.0


def per_worker_counts(directory: Path, scratch: Path) -> dict[str, float]:
    """Each worker's own count of `/healthz`, read from its counter file alone."""
    counts = {}
    for counters in sorted(directory.glob("counter_*.db")):
        alone = scratch / counters.stem
        alone.mkdir(exist_ok=True)
        shutil.copy(counters, alone / counters.name)
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=str(alone))  # type: ignore[no-untyped-call]
        counts[counters.stem] = sum(
            item.value
            for family in registry.collect()
            for item in family.samples
            if item.name == "apidock_http_requests_total" and item.labels == HEALTHZ
        )
    return counts


def send_until_both_workers_answered(live: LiveServer, directory: Path, scratch: Path) -> int:
    """GET /healthz on a new connection each time, so that either worker may accept it, until
    both have counted some (bounded); how many were sent."""
    sent = 0
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline and sent < MOST_REQUESTS:
        answer = httpx.get(f"{live.base_url}/healthz", headers={"Connection": "close"}, timeout=5)
        assert answer.status_code == 200
        sent += 1
        counts = per_worker_counts(directory, scratch)
        if sent >= 20 and sum(1 for count in counts.values() if count > 0) >= 2:
            break
    # a worker counts a request just after answering it: wait for the last ones, boundedly
    while (
        time.monotonic() < deadline and sum(per_worker_counts(directory, scratch).values()) < sent
    ):
        time.sleep(0.05)
    return sent


def log_entries(log: Path, request_id: str) -> list[dict[str, object]]:
    """The server's log, JSON line by line, once the line of `request_id` is in (bounded)."""
    deadline = time.monotonic() + 10
    entries: list[dict[str, object]] = []
    while time.monotonic() < deadline:
        entries = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
        if any(entry.get("request_id") == request_id for entry in entries):
            break
        time.sleep(0.1)
    return entries


def test_two_workers_count_apart_add_up_and_log_json_lines(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    """One server's life (a server takes seconds to start here: one, for every step)."""
    var_dir = tmp_path_factory.mktemp("workers")
    env = server_env(f"sqlite:///{var_dir / 'apidock.db'}", var_dir)
    deploy(env)
    log = var_dir / "server.log"
    with serving(env, workers=2, log=log) as live:
        directory = metrics_dir_of(live)
        assert directory.name.startswith("apidock-metrics-")
        sent = send_until_both_workers_answered(live, directory, tmp_path)
        counts = per_worker_counts(directory, tmp_path)
        assert len(counts) == 2, counts
        assert all(count > 0 for count in counts.values()), counts
        assert sum(counts.values()) == sent
        # whichever worker answers the scrape gives the sum of both
        for _ in range(6):
            scrape = httpx.get(
                f"{live.base_url}/metrics", headers={"Connection": "close"}, timeout=5
            )
            assert scrape.status_code == 200
            assert healthz_count(scrape.text) == sent
        answer = httpx.get(f"{live.base_url}/healthz", headers={"X-Request-ID": "live-log-1"})
        assert answer.headers["x-request-id"] == "live-log-1"
        entries = log_entries(log, "live-log-1")
    [line] = [entry for entry in entries if entry.get("request_id") == "live-log-1"]
    assert (line["route"], line["status"], line["logger"]) == ("/healthz", 200, "apidock.requests")
    # uvicorn's own lines are JSON too, and its access lines are gone
    assert any(entry["logger"] == "uvicorn.error" for entry in entries)
    assert not any(entry["logger"] == "uvicorn.access" for entry in entries)
    assert sum(1 for entry in entries if entry.get("route") == "/healthz") == sent + 1
    # the directory was the server's own: gone with it
    assert not directory.exists()
