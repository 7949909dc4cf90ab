"""A short pass of `scripts/load.py` for CI: 16 clients for 10 seconds of mixed reads and writes
against `apidock serve --workers 2` on PostgreSQL, with no 5xx and no acknowledged write lost.

The full run (64 clients, 60 s) is in the README's "Hardening" section.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from scripts import load
from sqlalchemy import make_url

from tests.conftest import _backend, _server_urls, drop_database

POSTGRES = next((url for url in _server_urls() if _backend(url) == "postgresql"), None)


@pytest.mark.skipif(POSTGRES is None, reason="APIDOCK_TEST_DATABASES names no PostgreSQL")
def test_sixteen_clients_for_ten_seconds_lose_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # synchronous: the script runs its own event loops, and the server runs in a subprocess
    assert POSTGRES is not None
    name = f"apidock_load_{os.getpid()}"
    url = make_url(POSTGRES).set(database=name)
    try:
        status = load.main(
            [
                "--clients",
                "16",
                "--duration",
                "10",
                "--database-url",
                url.render_as_string(hide_password=False),
                "--server-log",
                str(tmp_path / "server.log"),
            ]
        )
    finally:
        asyncio.run(drop_database(POSTGRES, name))
    summary = capsys.readouterr().out
    assert status == 0, summary
    assert "5xx: 0; lost writes: 0" in summary
    assert "writes: acknowledged 0," not in summary, "the run made no write"
