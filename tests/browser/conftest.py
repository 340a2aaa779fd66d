"""Browser fixtures: the real app served over HTTP on 127.0.0.1, Debian's Chromium driven by Playwright,
and a screenshot helper.

These tests drive the user interface as a person would (keyboard, labels, real forms, real CSRF
tokens, real cookies). They run on SQLite only: they test the UI, not the database; the database
layer runs on SQLite and PostgreSQL in tests/db and tests/webui.

Chromium is Debian's package (`apt-get install chromium`, /usr/bin/chromium; KETNAP_CHROMIUM names
another executable), never a browser Playwright downloads.
When it is missing the tests fail in CI (CI=true: CI must run them) and are skipped elsewhere, with
the reason printed at the end of the run.

Screenshots go to tests/artifacts/screenshots/ (git-ignored). With KETNAP_DOCS_SCREENSHOTS=1 the
ones the user guide shows are also (re)written to docs/images/, to refresh docs/huong-dan-chi-uy.md.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from werkzeug.serving import make_server

from ketnap.db.migrate import upgrade
from ketnap.demo import build_demo
from ketnap.webui import create_app, services

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("KETNAP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1280, "height": 800}
SHOTS = ROOT / "tests" / "artifacts" / "screenshots"
DOCS_IMAGES = ROOT / "docs" / "images"
_skipped: list[str] = []
_FAILED = pytest.StashKey[bool]()


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def _unavailable(reason: str) -> NoReturn:
    """Fail in CI, skip (and say so loudly at the end) elsewhere."""
    if _in_ci():
        pytest.fail(f"Browser tests cannot run in CI: {reason}", pytrace=False)
    _skipped.append(reason)
    pytest.skip(f"browser tests skipped: {reason}")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _skipped:
        terminalreporter.write_line(f"!!! BROWSER TESTS NOT RUN: {_skipped[0]} !!!", red=True, bold=True)


@pytest.fixture(scope="session")
def live_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app over a fresh demo district in SQLite, served by werkzeug in a thread; its base URL."""
    url = f"sqlite:///{tmp_path_factory.mktemp('browser-db') / 'ketnap.sqlite'}"
    upgrade(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "browser-test-secret", "RATELIMIT_ENABLED": False})
    with app.app_context():
        svc = services()
    build_demo(svc.engine, svc.workflow, size=150, seed=11, progress=lambda _m: None)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="ketnap-live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    svc.engine.dispose()


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    """Debian's Chromium, headless, launched once for the session."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        _unavailable(f"{CHROMIUM} is missing (install Debian's package: apt-get install -y chromium)")
    for stale in SHOTS.glob("FAILED-*.png"):
        stale.unlink()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    report = yield
    if report.when == "call":
        item.stash[_FAILED] = report.failed
    return report


@pytest.fixture()
def page(chromium: Browser, live_url: str, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh browser context (no cookies) on a 1280×800 window, in Việt Nam's time zone.

    When the test fails, the page as it was is kept in tests/artifacts/screenshots/FAILED-<test>.png.
    """
    context = chromium.new_context(base_url=live_url, viewport=VIEWPORT, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    if request.node.stash.get(_FAILED, False):
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"FAILED-{request.node.name}.png"), full_page=True)
    context.close()


class Screenshots:
    """Writes PNGs to tests/artifacts/screenshots/; the user guide's also to docs/images/ when asked."""

    def __init__(self, docs: bool):
        self.docs = docs
        SHOTS.mkdir(parents=True, exist_ok=True)

    def __call__(self, page: Page, name: str, *, for_docs: bool = False) -> Path:
        path = SHOTS / f"{name}.png"
        page.screenshot(path=str(path))
        if for_docs and self.docs:
            DOCS_IMAGES.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, DOCS_IMAGES / path.name)
        return path


@pytest.fixture(scope="session")
def shoot() -> Screenshots:
    """shoot(page, 'name', for_docs=True): a screenshot of what the window shows."""
    return Screenshots(docs=os.environ.get("KETNAP_DOCS_SCREENSHOTS") == "1")
