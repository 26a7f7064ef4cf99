"""Browser tests of the staff console: Debian's Chromium driven by Playwright for Python.

Playwright's own browser download is not used (nor reachable on a closed network):
the tests launch the system's Chromium through ``executable_path`` (``CHROMIUM_PATH``,
else ``chromium`` on PATH). Without it every test here is skipped with a reason that
says so (``make test`` prints it too); ``.ci/run`` installs Chromium first, so CI
always runs them.

The service is served for real (werkzeug, a thread, 127.0.0.1, a free port) on the
suite's test database, so a test can set data up through the API's test client and
check through it what the browser changed. ``CONSOLE_SCREENSHOTS=dir`` saves the
screenshots the README shows (``make screenshots``).
"""
import json
import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.support.api import DEMO_PASSWORD

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
AXE = Path(__file__).with_name("vendor") / "axe.min.js"
SKIP_REASON = ("Chromium not found: the staff console's browser tests are skipped "
               "(apt-get install chromium, or set CHROMIUM_PATH)")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage"]

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - requirements-dev.txt pins it
    sync_playwright = None


def pytest_collection_modifyitems(config, items):
    if CHROMIUM and sync_playwright is not None:
        return
    skip = pytest.mark.skip(reason=SKIP_REASON)
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(skip)


@pytest.fixture(scope="module")
def browser():
    # Module scope: Playwright's sync API keeps an asyncio loop running in this thread while it
    # is open, and code elsewhere in the suite (firebase-admin's FCM sender) calls asyncio.run().
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        yield chromium
        chromium.close()


class LiveServer:
    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join(timeout=10)


@pytest.fixture
def live_server(app):
    """The test app served over real HTTP on loopback (tiles off: no network beyond loopback)."""
    app.config["MAP_TILE_URL"] = ""
    with LiveServer(app) as server:
        yield server


@pytest.fixture
def context(browser, live_server):
    ctx = browser.new_context(base_url=live_server.url, locale="en-US", viewport={"width": 1360, "height": 900})
    yield ctx
    ctx.close()


@pytest.fixture
def page(context):
    """A page that records what the browser reported: CSP violations and script errors fail the test."""
    tab = context.new_page()
    tab.problems = []
    tab.on("console", lambda message: tab.problems.append(message.text)
           if message.type == "error" else None)
    tab.on("pageerror", lambda error: tab.problems.append(str(error)))
    yield tab
    assert not [text for text in tab.problems if "Content Security Policy" in text or "Error" in text], tab.problems


def sign_in(page, login, password=DEMO_PASSWORD, path="/console/"):
    page.goto(path)
    page.get_by_test_id("login").fill(login)
    page.get_by_test_id("password").fill(password)
    page.get_by_test_id("sign-in").click()
    page.wait_for_load_state("networkidle")


def axe_violations(page, impacts=("serious", "critical")):
    """Run axe-core in the page (injected by evaluation, so the page's CSP still holds) and
    return the violations of these impacts."""
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    found = [v for v in result["violations"] if v.get("impact") in impacts]
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]][:5]} for v in found]


def assert_accessible(page):
    violations = axe_violations(page)
    assert not violations, json.dumps(violations, indent=1, ensure_ascii=False)


def screenshot(page, name, full_page=False):
    """Save a screenshot for the README when ``CONSOLE_SCREENSHOTS`` names a folder."""
    folder = os.environ.get("CONSOLE_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=full_page)
