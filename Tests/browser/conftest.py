"""pytest fixtures for the browser tests: one incidentd for the session (plus any a module starts itself), one
headless Debian chromium driven by Playwright, a fresh browser context (no cookies) per test, and a full-page
screenshot of every failing test under .build/browser-failures/."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import FAILURES, USERS, Daemon  # noqa: E402

CHROMIUM = "/usr/bin/chromium"  # Debian's package (scripts/setup); Playwright's own download is never used

# Auto-waiting assertions get a generous default: two cores shared with compilers.
expect.set_options(timeout=20_000)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def playwright_instance() -> Playwright:
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Browser:
    # --no-sandbox: the tests run as root, where chromium refuses its sandbox.
    browser = playwright_instance.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-dev-shm-usage"]
    )
    yield browser
    browser.close()


def start_daemon(name: str, probe: bool = True) -> Daemon:
    daemon = Daemon(name)
    try:
        daemon.start(probe=probe)
    except Exception:
        daemon.stop()
        raise
    return daemon


@pytest.fixture(scope="session")
def daemon() -> Daemon:
    """The daemon most tests share; each test makes incidents of its own."""
    daemon = start_daemon("browser")
    yield daemon
    daemon.stop()


def needs(daemon: Daemon, feature: str, what: str) -> None:
    """Fails the running test, saying what is missing, when this build lacks a feature the test needs."""
    if not daemon.features.get(feature):
        reason = daemon.missing.get(feature) or daemon.missing.get("auth-config") or f"no {feature} in this build"
        reason = " ".join(reason.split())[:160]
        pytest.fail(f"{what} is missing from this build: {reason}")


def new_context(browser: Browser, daemon: Daemon, **options) -> BrowserContext:
    context = browser.new_context(base_url=daemon.url, **options)
    context.set_default_timeout(20_000)
    return context


def screenshot_on_failure(request, pages: list[Page]) -> None:
    report = getattr(request.node, "report_call", None)
    if report is None or not report.failed:
        return
    FAILURES.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    for index, page in enumerate(pages):
        if page.is_closed():
            continue
        path = FAILURES / (f"{name}.png" if index == 0 else f"{name}-{index}.png")
        try:
            page.screenshot(path=str(path), full_page=True)
            print(f"\nscreenshot of the failing page ({page.url}): {path}")
        except Exception as error:  # a crashed page must not hide the test's own failure
            print(f"\nno screenshot for {request.node.name}: {error}")


@pytest.fixture
def pages(request, browser: Browser, daemon: Daemon):
    """Makes pages in fresh contexts (`pages.new(**context_options)`); screenshots them all if the test fails."""

    class Pages:
        def __init__(self) -> None:
            self.contexts: list[BrowserContext] = []
            self.all: list[Page] = []

        def new(self, on: Daemon | None = None, **options) -> Page:
            context = new_context(browser, on or daemon, **options)
            self.contexts.append(context)
            page = context.new_page()
            self.all.append(page)
            return page

    made = Pages()
    yield made
    screenshot_on_failure(request, made.all)
    for context in made.contexts:
        context.close()


@pytest.fixture
def page(pages) -> Page:
    """A page in a fresh context, signed in as nobody."""
    return pages.new()


def sign_in(page: Page, daemon: Daemon, user: str, expect_path: str | None = None) -> None:
    needs(daemon, "users", "Signing in (http.auth.users_file, `incidentctl user add`)")
    role, password = USERS[user]
    page.goto("/login")
    page.get_by_label("User name").fill(user)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    path = expect_path or ("/portal" if role == "reporter" else "/")
    expect(page).to_have_url(re.compile(re.escape(daemon.url + path) + r"(\?.*)?$"))


@pytest.fixture
def alice(pages, daemon: Daemon) -> Page:
    """A page signed in as alice, operator."""
    page = pages.new()
    sign_in(page, daemon, "alice")
    return page
