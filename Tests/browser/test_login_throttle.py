"""Sign-in throttling (SPEC §14, docs/API.md): after 5 failures for a name or from an address, the next attempt
is refused with 429 and Retry-After, even with the right password. A daemon of its own: the throttle would lock
the shared daemon's other tests out (they all sign in from 127.0.0.1)."""

from __future__ import annotations

import pytest
from conftest import start_daemon
from harness import USERS, Daemon
from playwright.sync_api import expect


@pytest.fixture(scope="module")
def throttled() -> Daemon:
    daemon = start_daemon("throttle", probe=False)  # the probe's sign-in would count
    yield daemon
    daemon.stop()


def test_six_wrong_passwords_get_429_with_retry_after(pages, throttled: Daemon):
    page = pages.new(on=throttled)
    page.goto("/login")
    statuses = []
    for attempt in range(6):
        page.get_by_label("User name").fill("alice")
        page.get_by_label("Password").fill(f"wrong-password-{attempt}")
        with page.expect_response(lambda r: r.url.endswith("/login") and r.request.method == "POST") as answer:
            page.get_by_role("button", name="Sign in").click()
        statuses.append(answer.value.status)
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert statuses == [401] * 5 + [429], statuses
    retry_after = answer.value.headers.get("retry-after", "")
    assert retry_after.isdigit() and 0 < int(retry_after) <= 15 * 60, f"Retry-After: {retry_after!r}"
    expect(page.get_by_role("alert")).to_contain_text("Too many failed attempts")

    # Throttled means throttled: the right password waits too.
    if throttled.features.get("users"):
        page.get_by_label("User name").fill("alice")
        page.get_by_label("Password").fill(USERS["alice"][1])
        with page.expect_response(lambda r: r.url.endswith("/login") and r.request.method == "POST") as answer:
            page.get_by_role("button", name="Sign in").click()
        assert answer.value.status == 429
