"""The docs pages in a real browser: headless Chromium, driven over the DevTools protocol,
against a real `apidock serve`.

Each page renders under its Content-Security-Policy with no violation reported and no request
leaving 127.0.0.1 (no CDN); after "Authorize" (the OAuth2 password flow, typed into Swagger UI)
the browser's storage holds the access token but neither the refresh token nor the password,
and "Try it out" on `GET /api/v1/users/me` shows its 200. An app's page sends "Try it out" to
the app's own servers (a listener of this test on 127.0.0.1), or to its mock when it has none,
and never to API Dock's API. Every wait is bounded, and the browser, the listener and the
server are stopped by the test. Without Chromium the test is skipped, except in CI (`CI` set),
where it fails.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from scripts.live_server import ROOT_NAME, ROOT_PASSWORD, LiveServer, deploy, server_env, serving
from websockets.sync.client import ClientConnection, connect

STEP_TIMEOUT = 30.0
SLUG = "browser-shop"
# imported apps whose "Try it out" is watched: one with a server of its own, one without
SERVED_SLUG = "browser-served"
MOCKED_SLUG = "browser-mocked"
LISTENER_PETS = [{"id": 1, "name": "Rex"}]
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

    def forget_events(self) -> None:
        """Start watching afresh: what the next page does, not what earlier pages did."""
        self.evaluate("document.readyState")  # take in what has come so far
        self.events.clear()

    def requests(self) -> list[dict[str, Any]]:
        """The requests the page sent (or tried to), as `Network.requestWillBeSent` told."""
        return [
            event["params"]["request"]
            for event in self.events
            if event.get("method") == "Network.requestWillBeSent"
        ]

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


@dataclass
class Listener:
    """A stand-in for an app's real server on 127.0.0.1: it answers every GET with
    `LISTENER_PETS` (and CORS preflights) and keeps what it was sent."""

    base_url: str
    seen: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    kept = Listener(base_url="")

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, status: int, body: bytes) -> None:
            kept.seen.append((self.command, self.path, dict(self.headers.items())))
            self.send_response(status)
            self.send_header("Access-Control-Allow-Origin", "*")
            self.send_header("Access-Control-Allow-Headers", "*")
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            self._answer(200, json.dumps(LISTENER_PETS).encode())

        def do_OPTIONS(self) -> None:
            self._answer(204, b"")

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the test reads `seen`."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    kept.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    try:
        yield kept
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=STEP_TIMEOUT)


def pets_document(title: str, servers: list[dict[str, str]]) -> dict[str, Any]:
    """An OpenAPI 3.1 document of one operation, `GET /pets`, with `servers` (none: [])."""
    pets = {
        "type": "array",
        "items": {"type": "object", "properties": {"name": {"type": "string"}}},
    }
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": title, "version": "1.0.0"},
        "paths": {
            "/pets": {
                "get": {
                    "operationId": "listPets",
                    "summary": "List the pets",
                    "responses": {
                        "200": {
                            "description": "The pets",
                            "content": {"application/json": {"schema": pets}},
                        }
                    },
                }
            }
        },
    }
    if servers:
        document["servers"] = servers
    return document


@pytest.fixture(scope="module")
def tried_apps(live: LiveServer, listener: Listener) -> None:
    """Two imported apps: SERVED_SLUG documents the listener as its server (under `/v1`),
    MOCKED_SLUG documents none, so its export names its mock; that mock is public, since
    Swagger UI sends no mock key."""
    auth = {"Authorization": f"Bearer {login(live)['access_token']}"}
    imports = [
        (SERVED_SLUG, pets_document("Served pets", [{"url": f"{listener.base_url}/v1"}])),
        (MOCKED_SLUG, pets_document("Mocked pets", [])),
    ]
    for slug, document in imports:
        answer = httpx.post(
            f"{live.base_url}/api/v1/apps/import",
            params={"slug": slug},
            json=document,
            headers=auth,
            timeout=30,
        )
        assert answer.status_code == 201, answer.text
    mocked = answer.json()["data"]["app"]["id"]
    opened = httpx.patch(
        f"{live.base_url}/api/v1/apps/{mocked}",
        json={"mock_public": True},
        headers=auth,
        timeout=10,
    )
    assert opened.status_code == 200, opened.text


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


def authorize(tools: DevTools) -> None:
    """Sign in on /docs as a person does: "Authorize", the password flow's name and password."""
    tools.click("button.authorize")
    tools.wait_for("document.querySelector('#oauth_username')", "the Authorize dialog")
    tools.type_into("#oauth_username", ROOT_NAME)
    tools.type_into("#oauth_password", ROOT_PASSWORD)
    tools.click(".auth-btn-wrapper button.authorize")
    tools.wait_for(SIGNED_IN, "signed in")


def keep_access_token(tools: DevTools, server: LiveServer) -> None:
    """What "Authorize" on /docs leaves in localStorage, put there directly: the app pages
    read their document with it (the dialog has its own test)."""
    token = login(server)["access_token"]
    tools.open(f"{server.base_url}/healthz")
    kept = {
        "OAuth2PasswordBearer": {
            "name": "OAuth2PasswordBearer",
            "token": {"access_token": token, "token_type": "bearer"},
        }
    }
    tools.evaluate(f"localStorage.setItem('authorized', {json.dumps(json.dumps(kept))})")


def operation(method: str, path: str) -> str:
    """A JavaScript expression: Swagger UI's block of the operation `method path`."""
    return (
        f"[...document.querySelectorAll('.opblock-{method}')].find((block) =>"
        f" block.querySelector('.opblock-summary-path')?.dataset.path === {json.dumps(path)})"
    )


def try_it_out(tools: DevTools, method: str, path: str) -> str:
    """Open the operation, press "Try it out" and "Execute": the status the page then shows
    (an empty one when the request failed in the browser)."""
    block = operation(method, path)
    tools.wait_for(block, f"the operation {method.upper()} {path}")
    tools.evaluate(f"{block}.querySelector('.opblock-summary-control').click()")
    for button in (".try-out__btn", ".btn.execute"):
        tools.wait_for(f"{block}.querySelector({json.dumps(button)})", f"the button {button}")
        tools.evaluate(f"{block}.querySelector({json.dumps(button)}).click()")
    shown = f"{block}.querySelector('.live-responses-table .response .response-col_status')"
    tools.wait_for(shown, f"the answer to {method.upper()} {path} in the page")
    return str(tools.evaluate(f"{shown}.textContent.trim()"))


def api_requests(tools: DevTools, server: LiveServer) -> list[str]:
    """The URLs of the requests the page sent to API Dock's own API."""
    api = f"{server.base_url}/api/"
    return [request["url"] for request in tools.requests() if request["url"].startswith(api)]


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

    authorize(browser)
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


def test_docs_loads_nothing_from_elsewhere_and_tries_out_users_me(
    live: LiveServer, browser: DevTools
) -> None:
    browser.forget_events()
    browser.open(f"{live.base_url}/docs")
    browser.wait_for("document.querySelectorAll('.opblock').length > 10", "Swagger UI operations")
    authorize(browser)
    browser.click(".auth-btn-wrapper .btn-done")

    assert try_it_out(browser, "get", "/api/v1/users/me").startswith("200")
    body = browser.evaluate(
        f"{operation('get', '/api/v1/users/me')}"
        ".querySelector('.live-responses-table .response .response-col_description').textContent"
    )
    assert f'"name": "{ROOT_NAME}"' in body
    sent = [request["url"] for request in browser.requests()]
    assert f"{live.base_url}/api/v1/users/me" in sent
    # the assets, the document, the token and the try: all from 127.0.0.1, no CDN
    elsewhere = [
        url
        for url in sent
        if urlsplit(url).scheme not in ("data", "blob") and urlsplit(url).hostname != "127.0.0.1"
    ]
    assert elsewhere == []
    assert browser.violations() == []


def test_an_app_page_tries_out_the_apps_own_server(
    live: LiveServer, browser: DevTools, listener: Listener, tried_apps: None
) -> None:
    keep_access_token(browser, live)
    listener.seen.clear()
    browser.forget_events()
    browser.open(f"{live.base_url}/docs/apps/{SERVED_SLUG}")

    assert try_it_out(browser, "get", "/pets").startswith("200")
    tried = [(path, headers) for method, path, headers in listener.seen if method == "GET"]
    assert [path for path, _ in tried] == ["/v1/pets"]
    assert "authorization" not in {name.lower() for name in tried[0][1]}, "API Dock's token"
    assert api_requests(browser, live) == [
        f"{live.base_url}/api/v1/apps/by-slug/{SERVED_SLUG}/openapi.json"
    ]
    assert browser.violations() == []


def test_an_app_page_without_servers_tries_out_its_mock(
    live: LiveServer, browser: DevTools, listener: Listener, tried_apps: None
) -> None:
    keep_access_token(browser, live)
    listener.seen.clear()
    browser.forget_events()
    browser.open(f"{live.base_url}/docs/apps/{MOCKED_SLUG}")

    assert try_it_out(browser, "get", "/pets").startswith("200")
    sent = [request["url"] for request in browser.requests()]
    assert f"{live.base_url}/mock/{MOCKED_SLUG}/pets" in sent
    assert api_requests(browser, live) == [
        f"{live.base_url}/api/v1/apps/by-slug/{MOCKED_SLUG}/openapi.json"
    ]
    assert listener.seen == []
    assert browser.violations() == []
