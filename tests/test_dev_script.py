"""`python3 dev.py serve`: it says the address `apidock serve` really listens on."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _dev_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("dev_script", ROOT / "dev.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


dev = _dev_script()


@pytest.mark.parametrize(
    ("extra", "url"),
    [
        ([], "http://127.0.0.1:8000"),
        (["--port", "8123"], "http://127.0.0.1:8123"),
        (["--port=8124", "--workers", "2"], "http://127.0.0.1:8124"),
        (["--reload", "--host", "192.0.2.7", "--port", "9000"], "http://192.0.2.7:9000"),
        (["--host", "::1"], "http://[::1]:8000"),
    ],
)
def test_serve_url_follows_the_options(extra: list[str], url: str) -> None:
    assert dev.serve_url(extra) == url


def test_serve_says_the_port_it_serves_on(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ran: list[list[str]] = []
    executed: list[list[str]] = []
    monkeypatch.setattr(dev, "run", lambda command, **_: ran.append(command))
    monkeypatch.setattr(dev.os, "execv", lambda path, command: executed.append(command))
    monkeypatch.setattr(dev.os, "chdir", lambda path: None)
    dev.serve(["--port", "8123"])
    assert [command[1:] for command in ran] == [["deploy"]]
    assert [command[1:] for command in executed] == [["serve", "--port", "8123"]]
    told = capsys.readouterr().err
    assert "http://127.0.0.1:8123" in told
    assert "8000" not in told
