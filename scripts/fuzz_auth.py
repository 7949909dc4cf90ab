"""schemathesis hooks (`SCHEMATHESIS_HOOKS=fuzz_auth`): log in as the fuzzing user.

The fuzzer logs itself out, renames itself and changes its password as it goes, so the token
is fetched again every few seconds and on every 401; when the fuzzing user can no longer log
in, the root administrator sets its name, password and status back first.
"""

from __future__ import annotations

import os
from typing import Any

import httpx
import schemathesis

BASE_URL = os.environ["APIDOCK_FUZZ_BASE_URL"]
USER_ID = os.environ["APIDOCK_FUZZ_USER_ID"]
NAME = os.environ["APIDOCK_FUZZ_NAME"]
PASSWORD = os.environ["APIDOCK_FUZZ_PASSWORD"]
ROOT_NAME = os.environ["APIDOCK_FUZZ_ROOT_NAME"]
ROOT_PASSWORD = os.environ["APIDOCK_FUZZ_ROOT_PASSWORD"]


def _login(http: httpx.Client, name: str, password: str) -> str | None:
    answer = http.post("/api/v1/login", json={"name": name, "password": password})
    return str(answer.json()["data"]["access_token"]) if answer.status_code == 200 else None


def _restore(http: httpx.Client) -> None:
    """Give the fuzzing user back its name, password and status (the root cannot lose its own)."""
    root_token = _login(http, ROOT_NAME, ROOT_PASSWORD)
    if root_token is None:
        raise RuntimeError("the root administrator cannot log in")
    http.patch(
        f"/api/v1/users/{USER_ID}",
        json={"name": NAME, "password": PASSWORD, "status": "normal"},
        headers={"Authorization": f"Bearer {root_token}"},
    ).raise_for_status()


@schemathesis.auth(refresh_interval=2)
class ApiDockLogin:
    def get(self, case: Any, ctx: Any) -> str:
        with httpx.Client(base_url=BASE_URL, timeout=30) as http:
            token = _login(http, NAME, PASSWORD)
            if token is None and USER_ID != "root":
                _restore(http)
                token = _login(http, NAME, PASSWORD)
            if token is None:
                raise RuntimeError(f"{NAME} cannot log in")
            return token

    def set(self, case: Any, data: str, ctx: Any) -> None:
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"
