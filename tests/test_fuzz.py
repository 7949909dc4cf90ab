"""A smaller pass of `scripts/fuzz.py` for CI: schemathesis, every check, 10 examples per
operation, as the root administrator, against a live server on PostgreSQL.

The full pass (100 examples, both users) is in the README's "Hardening" section.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from scripts import fuzz
from sqlalchemy import make_url

from tests.conftest import _backend, _server_urls, drop_database

POSTGRES = next((url for url in _server_urls() if _backend(url) == "postgresql"), None)


@pytest.mark.skipif(POSTGRES is None, reason="APIDOCK_TEST_DATABASES names no PostgreSQL")
def test_schemathesis_finds_nothing(tmp_path: Path) -> None:
    # synchronous: the script runs its own event loops, and the server runs in a subprocess
    assert POSTGRES is not None
    name = f"apidock_fuzz_{os.getpid()}"
    url = make_url(POSTGRES).set(database=name)
    try:
        status = fuzz.main(
            [
                "--examples",
                "10",
                "--as",
                "admin",
                "--database-url",
                url.render_as_string(hide_password=False),
                "--server-log",
                str(tmp_path / "server.log"),
                "--",
                "--seed",
                "8",
            ]
        )
    finally:
        asyncio.run(drop_database(POSTGRES, name))
    assert status == 0, "schemathesis failed: see its report above"
