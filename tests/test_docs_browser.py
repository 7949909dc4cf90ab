"""The docs pages in a real browser: headless Chromium, driven over the DevTools protocol,
against a real `apidock serve`.

Each page renders under its Content-Security-Policy with no violation reported, and after
"Authorize" (the OAuth2 password flow, typed into Swagger UI) the browser's storage holds the
access token but neither the refresh token nor the password. Every wait is bounded and the
browser and the server are stopped by the test. Without Chromium the test is skipped, except
in CI (`CI` set), where it fails.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from scripts.live_server import ROOT_NAME, ROOT_PASSWORD, LiveServer, deploy, server_env, serving
from websockets.sync.client import ClientConnection, connect

STEP_TIMEOUT = 30.0
SLUG = "browser-shop"
REDOCLY_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"
SIGNED_IN = (
    "[...document.querySelectorAll('.auth-btn-wrapper button')]"
    ".some((button) => button.textContent === 'Logout')"
)
WATCH_VIOLATIONS = """
window.apiDockViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
    window.apiDockViolations.push(
        event.effectiveDirective + " blocked " + (event.blockedURI || "inline") + " at "
        + event.sourceFile + ":" + event.lineNumber
    );
});
"""


@pytest.fixture(scope="module")
def chromium() -> str:
    """The browser's path; checked before a server is started for nothing."""
    found = shutil.which("chromium")
    if found is None:
        if os.environ.get("CI", "").lower() not in ("", "0", "false"):
            pytest.fail("chromium is missing in CI (.ci/run installs it)")
        pytest.skip("chromium is not installed")
    return found


class DevTools:
    """One page of the browser, over the DevTools protocol; events are kept as they come."""

    def __init__(self, socket: ClientConnection) -> None:
        self.socket = socket
        self.numbers = itertools.count(1)
        self.events: list[dict[str, Any]] = []

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        number = next(self.numbers)
        self.socket.send(json.dumps({"id": number, "method": method, "params": params}))
        deadline = time.monotonic() + STEP_TIMEOUT
        while (remaining := deadline - time.monotonic()) > 0:
            message = json.loads(self.socket.recv(timeout=remaining))
            if message.get("id") != number:
                self.events.append(message)
                continue
            if "error" in message:
                raise RuntimeError(f"{method}: {message['error']}")
            result: dict[str, Any] = message.get("result", {})
            return result
        raise TimeoutError(method)

    def evaluate(self, expression: str) -> Any:
        answer = self.call(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in answer:
            raise RuntimeError(f"{expression}: {answer['exceptionDetails']}")
        return answer["result"].get("value")

    def wait_for(self, expression: str, what: str) -> None:
        deadline = time.monotonic() + STEP_TIMEOUT
        while time.monotonic() < deadline:
            if self.evaluate(f"!!({expression})"):
                return
            time.sleep(0.2)
        raise TimeoutError(f"{what}: {expression}")

    def open(self, url: str) -> None:
        """Load `url` and wait until its document has loaded."""
        self.evaluate("document.readyState")  # settle what came before
        self.call("Page.navigate", url=url)
        self.wait_for(
            f"location.href === {json.dumps(url)} && document.readyState === 'complete'",
            f"loading {url}",
        )

    def type_into(self, selector: str, text: str) -> None:
        self.evaluate(f"document.querySelector({json.dumps(selector)}).focus()")
        self.call("Input.insertText", text=text)

    def click(self, selector: str) -> None:
        self.wait_for(f"document.querySelector({json.dumps(selector)})", f"finding {selector}")
        self.evaluate(f"document.querySelector({json.dumps(selector)}).click()")

    def violations(self) -> list[str]:
        """CSP violations of this page, as the page saw them and as Chromium reported them."""
        seen: list[str] = list(self.evaluate("window.apiDockViolations || []"))
        for event in self.events:
            if event.get("method") == "Audits.issueAdded":
                issue = event["params"]["issue"]
                if issue["code"] == "ContentSecurityPolicyIssue":
                    seen.append(json.dumps(issue["details"]))
            if event.get("method") == "Log.entryAdded":
                entry = event["params"]["entry"]
                if "Content Security Policy" in entry.get("text", ""):
                    seen.append(entry["text"])
        return seen


@pytest.fixture(scope="module")
def live(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A deployed server with one app of one operation, for its docs page."""
    var_dir = tmp_path_factory.mktemp("browser")
    env = server_env(f"sqlite:///{var_dir / 'apidock.db'}", var_dir)
    deploy(env)
    with serving(env) as server:
        auth = {"Authorization": f"Bearer {login(server)['access_token']}"}
        app = httpx.post(
            f"{server.base_url}/api/v1/apps",
            json={"title": "Browser shop", "slug": SLUG},
            headers=auth,
            timeout=10,
        )
        assert app.status_code in (200, 201), app.text
        api = httpx.post(
            f"{server.base_url}/api/v1/apis",
            json={
                "app_id": app.json()["data"]["id"],
                "title": "List orders",
                "request_url": "/orders",
                "request_method": "GET",
            },
            headers=auth,
            timeout=10,
        )
        assert api.status_code in (200, 201), api.text
        yield server


def login(server: LiveServer) -> dict[str, Any]:
    answer = httpx.post(
        f"{server.base_url}/api/v1/login",
        json={"name": ROOT_NAME, "password": ROOT_PASSWORD},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    data: dict[str, Any] = answer.json()["data"]
    return data


@pytest.fixture
def browser(chromium: str, tmp_path: Path) -> Iterator[DevTools]:
    """A headless Chromium of its own profile, on a DevTools port only 127.0.0.1 reaches."""
    command = [
        chromium,
        "--headless=new",
        "--disable-gpu",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-extensions",
        "--disable-background-networking",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--remote-debugging-address=127.0.0.1",
        "--remote-debugging-port=0",
        "about:blank",
    ]
    if os.geteuid() == 0:
        command.insert(1, "--no-sandbox")  # Chromium's sandbox refuses to run as root
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        port_file = tmp_path / "profile" / "DevToolsActivePort"
        deadline = time.monotonic() + STEP_TIMEOUT
        while not port_file.exists() or not port_file.read_text().strip():
            assert process.poll() is None, f"chromium exited with {process.returncode}"
            assert time.monotonic() < deadline, "chromium did not open its DevTools port"
            time.sleep(0.1)
        port = int(port_file.read_text().split()[0])
        targets = httpx.get(f"http://127.0.0.1:{port}/json/list", timeout=10).json()
        page = next(target for target in targets if target["type"] == "page")
        with connect(page["webSocketDebuggerUrl"], max_size=None, open_timeout=10) as socket:
            tools = DevTools(socket)
            for domain in ("Page", "Runtime", "Log", "Audits", "Network"):
                tools.call(f"{domain}.enable")
            tools.call("Page.addScriptToEvaluateOnNewDocument", source=WATCH_VIOLATIONS)
            yield tools
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def storage(tools: DevTools) -> str:
    """Everything the page's origin keeps: localStorage, sessionStorage and cookies."""
    return str(
        tools.evaluate(
            "JSON.stringify({local: {...localStorage}, session: {...sessionStorage},"
            " cookies: document.cookie})"
        )
    )


def token_answers(tools: DevTools) -> list[dict[str, Any]]:
    """The bodies of the token endpoint's answers the browser received."""
    answers = []
    for event in tools.events:
        if event.get("method") != "Network.responseReceived":
            continue
        if not event["params"]["response"]["url"].endswith("/api/v1/token"):
            continue
        body = tools.call("Network.getResponseBody", requestId=event["params"]["requestId"])
        answers.append(json.loads(body["body"]))
    return answers


def test_the_violation_watch_sees_an_injected_script(live: LiveServer, browser: DevTools) -> None:
    """The harness itself: a script the policy does not name is blocked and reported."""
    browser.open(f"{live.base_url}/docs")
    browser.evaluate(
        "const injected = document.createElement('script');"
        " injected.textContent = 'window.apiDockInjected = true';"
        " document.body.appendChild(injected)"
    )
    browser.wait_for("window.apiDockViolations.length > 0", "a violation report")
    assert browser.evaluate("window.apiDockInjected === undefined")


def test_the_docs_pages_render_under_their_policy_and_keep_no_refresh_token(
    live: LiveServer, browser: DevTools
) -> None:
    browser.open(f"{live.base_url}/docs")
    browser.wait_for("document.querySelectorAll('.opblock').length > 10", "Swagger UI operations")
    assert browser.violations() == []

    browser.click("button.authorize")
    browser.wait_for("document.querySelector('#oauth_username')", "the Authorize dialog")
    browser.type_into("#oauth_username", ROOT_NAME)
    browser.type_into("#oauth_password", ROOT_PASSWORD)
    browser.click(".auth-btn-wrapper button.authorize")
    browser.wait_for(SIGNED_IN, "signed in")
    answers = token_answers(browser)
    assert len(answers) == 1, answers
    refresh_token, access_token = answers[0]["refresh_token"], answers[0]["access_token"]
    kept = storage(browser)
    assert access_token in kept, "the access token stays, for a reload and the app pages"
    assert refresh_token not in kept
    assert "refresh_token" not in kept
    assert ROOT_PASSWORD not in kept
    assert browser.violations() == []

    # signed in after a reload, from what was kept, and still nothing more is kept
    browser.open(f"{live.base_url}/docs")
    browser.wait_for("document.querySelectorAll('.opblock').length > 10", "Swagger UI again")
    browser.click("button.authorize")
    browser.wait_for(SIGNED_IN, "still signed in")
    kept = storage(browser)
    assert refresh_token not in kept
    assert ROOT_PASSWORD not in kept
    assert browser.violations() == []

    # the app's page reads its document with the kept access token
    browser.open(f"{live.base_url}/docs/apps/{SLUG}")
    browser.wait_for("document.querySelectorAll('.opblock').length === 1", "the app's operation")
    assert browser.evaluate("document.getElementById('sign-in').hidden")
    assert browser.violations() == []

    browser.open(f"{live.base_url}/redoc")
    browser.wait_for(
        "document.querySelectorAll('[data-section-id^=\"operation/\"]').length > 10",
        "ReDoc operations",
    )
    # ReDoc's menu shows the Redocly logo from their CDN: blocked, the visit stays local
    unexpected = [seen for seen in browser.violations() if REDOCLY_LOGO not in seen]
    assert unexpected == []


def test_a_refresh_token_kept_by_an_earlier_page_is_dropped(
    live: LiveServer, browser: DevTools
) -> None:
    """What Swagger UI stored before: the whole token answer, and the password as typed."""
    pair = login(live)
    browser.open(f"{live.base_url}/healthz")
    stored = {
        "OAuth2PasswordBearer": {
            "name": "OAuth2PasswordBearer",
            "username": ROOT_NAME,
            "password": ROOT_PASSWORD,
            "token": {
                "access_token": pair["access_token"],
                "refresh_token": pair["refresh_token"],
                "token_type": "bearer",
                "expires_in": pair["expires_in"],
            },
        }
    }
    browser.evaluate(f"localStorage.setItem('authorized', {json.dumps(json.dumps(stored))})")
    browser.open(f"{live.base_url}/docs")
    browser.wait_for("document.querySelectorAll('.opblock').length > 10", "Swagger UI operations")
    browser.click("button.authorize")
    browser.wait_for(SIGNED_IN, "signed in with the kept access token")
    kept = storage(browser)
    assert pair["access_token"] in kept
    assert pair["refresh_token"] not in kept
    assert ROOT_PASSWORD not in kept


def test_the_oauth2_redirect_page_runs_its_script(live: LiveServer, browser: DevTools) -> None:
    """Its inline script is allowed: opened without Swagger UI as its opener, it runs and fails
    on `window.opener`."""
    browser.open(f"{live.base_url}/docs/oauth2-redirect")
    deadline = time.monotonic() + STEP_TIMEOUT
    while "swaggerUIRedirectOauth2" not in json.dumps(exceptions(browser)):
        assert time.monotonic() < deadline, "the page's script did not run"
        browser.evaluate("document.readyState")  # let the events come
        time.sleep(0.2)
    assert browser.violations() == []


def exceptions(tools: DevTools) -> list[dict[str, Any]]:
    return [
        event["params"]["exceptionDetails"]
        for event in tools.events
        if event.get("method") == "Runtime.exceptionThrown"
    ]
