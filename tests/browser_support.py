"""Fixtures and helpers for tests that drive a real service from headless Chromium.

Loaded as a pytest plugin (``pytest_plugins = ["browser_support"]`` in conftest.py):

- ``live_server`` (one per test module): ``python -m widget serve`` on a free port of
  127.0.0.1, public URL = that address, clock fixed before the sample protest. A module
  may set ``LIVE_SERVER_ENV = {...}`` to add or override environment variables
  (``WIDGET_NOW``, ``WIDGET_DATA_DIR``…).
- ``browser`` (one per session): Debian's Chromium through Playwright.
- ``host_page``: serves HTML on *another* origin (``http://localhost:PORT``) so the
  widget runs cross-origin, as on an allied site.
- ``record_requests(page)``: records every request of a page and its frames, and aborts
  any that would leave the machine (not 127.0.0.1/localhost) — attempted, recorded, never sent.
- ``axe(page_or_frame)``: runs axe-core (npm, ``node_modules/axe-core``) and returns the
  violations.
"""

from __future__ import annotations

import contextlib
import http.server
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# Before the sample protest (13 May 2024): the widget asks for signups.
DEFAULT_NOW = "2024-05-01T12:00:00+00:00"
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost"})


def free_port() -> int:
    """A TCP port that was free a moment ago on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class LiveServer:
    """A running service: its base URL and process."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def __call__(self, path: str) -> str:
        """An absolute URL on this server."""
        return f"{self.url}{path}"


def _python() -> str:
    venv = ROOT / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


@contextlib.contextmanager
def serve(env: dict[str, str] | None = None, log_dir: Path | None = None) -> Iterator[LiveServer]:
    """Start ``python -m widget serve`` on a free port; wait for /healthz; stop it afterwards."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    environment = {
        **os.environ,
        "WIDGET_PUBLIC_URL": url,
        "WIDGET_NOW": DEFAULT_NOW,
        "WIDGET_RELOAD_SECONDS": "0",
        "PORT": str(port),
        **(env or {}),
    }
    log = (log_dir or Path("/tmp")) / f"widget-live-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [_python(), "-m", "widget", "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            env=environment,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"server exited: {log.read_text(errors='replace')[-2000:]}")
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"server did not start: {log.read_text(errors='replace')[-2000:]}"
                )
            time.sleep(0.1)
        yield LiveServer(url, process, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def live_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """The service on a free port for this test module (env from ``LIVE_SERVER_ENV``)."""
    env = getattr(request.module, "LIVE_SERVER_ENV", None)
    with serve(env, tmp_path_factory.mktemp("live")) as server:
        yield server


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium, shared by one test module.

    Not by the session: Playwright's sync API keeps an asyncio loop running in the main
    thread while it is open, and ``asyncio.run`` in any later module would then fail.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class HostSite:
    """A tiny web server on another origin that serves pages given as strings."""

    url: str
    pages: dict[str, bytes] = field(default_factory=dict)

    def page(self, html: str, name: str | None = None) -> str:
        """Serve ``html`` at a new path; returns its absolute URL."""
        path = f"/{name or f'page{len(self.pages)}'}.html"
        self.pages[path] = html.encode("utf-8")
        return f"{self.url}{path}"


@pytest.fixture(scope="session")
def host_page() -> Iterator[HostSite]:
    """Pages on http://localhost:PORT — another origin than the service on 127.0.0.1."""
    port = free_port()
    site = HostSite(f"http://localhost:{port}")

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = site.pages.get(self.path.split("?")[0])
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("content-type", "text/html; charset=utf-8")
            self.send_header("content-length", str(len(body)))
            self.send_header("cache-control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield site
    server.shutdown()
    server.server_close()


def record_requests(page: Any) -> list[str]:
    """Record every request URL of ``page`` and its frames; abort those to other hosts."""
    seen: list[str] = []

    def handle(route: Any) -> None:
        url = route.request.url
        seen.append(url)
        host = urlsplit(url).hostname or ""
        if urlsplit(url).scheme in ("http", "https") and host not in LOCAL_HOSTS:
            route.abort()
        else:
            route.continue_()

    page.route("**/*", handle)
    return seen


def foreign(urls: list[str]) -> list[str]:
    """The recorded URLs that point anywhere but this machine."""
    return [
        url
        for url in urls
        if urlsplit(url).scheme in ("http", "https")
        and (urlsplit(url).hostname or "") not in LOCAL_HOSTS
    ]


def axe(target: Any, options: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """axe-core's violations for a page or frame (WCAG 2.x A/AA and best practices)."""
    if not AXE_SCRIPT.exists():
        subprocess.run(["npm", "install", "--no-audit", "--no-fund"], cwd=ROOT, check=True)
    # evaluate() is not subject to the page's CSP, unlike an injected <script>.
    target.evaluate(AXE_SCRIPT.read_text(encoding="utf-8"))
    result: dict[str, Any] = target.evaluate(
        "options => axe.run(document, options)",
        options
        or {
            "runOnly": {
                "type": "tag",
                "values": [
                    "wcag2a",
                    "wcag2aa",
                    "wcag21a",
                    "wcag21aa",
                    "wcag22aa",
                    "best-practice",
                ],
            }
        },
    )
    violations: list[dict[str, Any]] = result["violations"]
    return violations


def describe(violations: list[dict[str, Any]]) -> str:
    """A readable summary of axe violations for assertion messages."""
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] if node["target"] else "?" for node in v["nodes"][:5])
        for v in violations
    )


def wait_until(page: Any, check: Callable[[], bool], timeout: float = 10.0) -> bool:
    """Poll ``check`` until it is true or ``timeout`` seconds pass; returns the last result.

    Waits with ``page.wait_for_timeout`` (not ``time.sleep``), so Playwright keeps
    dispatching events and routes while waiting.
    """
    deadline = time.monotonic() + timeout
    while True:
        if check():
            return True
        if time.monotonic() > deadline:
            return False
        page.wait_for_timeout(50)
