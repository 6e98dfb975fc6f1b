#!/usr/bin/env python3
"""Screenshots of the web console for the README (docs/screenshots/*.png).

Starts incidentd (from .build/debug, like the tests) with a few realistic incidents, signs in and saves:

  console-list.png        the incident list, 1280 wide
  incident.png            an incident's page (alerts, escalation, timeline, notes), 1280 wide
  portal.png              the self-service portal's form, as a reporter, 1280 wide
  status.png              the public status page, nobody signed in, 1280 wide
  console-list-phone.png  the incident list on a phone, 390 wide

Run it with the venv scripts/setup made: `.build/browser-venv/bin/python Tests/browser/screenshots.py`
(or `Tests/browser/run --screenshots`). Options: --out DIR (default docs/screenshots).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import REPO, USERS, Daemon  # noqa: E402
from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402

CHROMIUM = "/usr/bin/chromium"

ALERTS = [
    ({"alertname": "HostDown", "instance": "web1:9100", "job": "node", "service": "wiki", "severity": "critical"},
     {"summary": "web1 stopped answering scrapes", "runbook_url": "https://wiki.example.org/runbooks/host-down"}),
    ({"alertname": "HighLatency", "instance": "shop1:443", "job": "shop", "service": "shop", "severity": "warning"},
     {"summary": "checkout p99 latency above 2 s"}),
    ({"alertname": "HighLatency", "instance": "shop2:443", "job": "shop", "service": "shop", "severity": "warning"},
     {"summary": "checkout p99 latency above 2 s"}),
    ({"alertname": "DiskAlmostFull", "instance": "db1:9100", "mountpoint": "/var/lib/postgresql",
      "severity": "warning"}, {"summary": "/var/lib/postgresql is 91% full"}),
    ({"alertname": "SSHBruteForce", "instance": "bastion:22", "job": "crowdsec", "service": "ssh",
      "severity": "critical"}, {"summary": "412 failed logins from 203.0.113.9 in 5 minutes"}),
    ({"alertname": "HighMemoryUsage", "instance": "build2:9100", "job": "node", "severity": "warning"},
     {"summary": "memory 94% used"}),
]


def sign_in(page: Page, daemon: Daemon, user: str) -> None:
    page.goto("/login")
    page.get_by_label("User name").fill(user)
    page.get_by_label("Password").fill(USERS[user][1])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=str(REPO / "docs" / "screenshots"))
    out = Path(parser.parse_args().out)
    out.mkdir(parents=True, exist_ok=True)

    daemon = Daemon("screenshots")
    if not daemon.features.get("users"):
        print(f"screenshots: this build cannot sign anyone in: {daemon.missing}", file=sys.stderr)
        daemon.stop()
        return 1
    daemon.start()
    saved = []
    try:
        numbers = [daemon.send_alert(labels, annotations) for labels, annotations in ALERTS]
        host_down, shop, disk = numbers[0], numbers[1], numbers[3]
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
            expect.set_options(timeout=20_000)  # a loaded build machine

            def shoot(page: Page, name: str, full_page: bool = True) -> None:
                path = out / name
                page.screenshot(path=str(path), full_page=full_page, animations="disabled", caret="hide")
                saved.append(path)

            # People at work: a report from the portal, an acknowledgement with a note, a resolved disk.
            rita = browser.new_context(base_url=daemon.url, viewport={"width": 1280, "height": 800}).new_page()
            sign_in(rita, daemon, "rita")
            rita.goto("/portal")
            rita.get_by_label("What is wrong?").fill("I cannot open any wiki page")
            rita.get_by_label("Which service?").fill("wiki")
            rita.get_by_label("My team or a few people").check()
            rita.get_by_label("I cannot work at all").check()
            rita.get_by_role("button", name="Send report").click()
            expect(rita.locator("#reference")).to_be_visible()

            alice_context = browser.new_context(base_url=daemon.url, viewport={"width": 1280, "height": 800})
            alice = alice_context.new_page()
            sign_in(alice, daemon, "alice")
            alice.goto(f"/incidents/{shop}")
            alice.locator("#action-ack").click()
            expect(alice.locator("#state")).to_have_text("acknowledged")
            alice.goto(f"/incidents/{host_down}")
            alice.locator("#action-ack").click()
            expect(alice.locator("#state")).to_have_text("acknowledged")
            alice.get_by_label("Add a note").fill("web1 is stuck in a kernel panic loop; booting it from the console.")
            alice.get_by_role("button", name="Add note").click()
            expect(alice.locator(".card", has_text="kernel panic loop")).to_be_visible()
            alice.goto(f"/incidents/{disk}")
            alice.locator("#action-resolve").click()
            expect(alice.locator("#state")).to_have_text("resolved")

            alice.goto("/")
            expect(alice.locator(f"#row-{host_down}")).to_be_visible()
            shoot(alice, "console-list.png")
            alice.goto(f"/incidents/{host_down}")
            expect(alice.locator("#timeline")).to_contain_text("alice")
            shoot(alice, "incident.png")

            rita.goto("/portal")
            expect(rita.get_by_role("heading", name="Your reports")).to_be_visible()
            shoot(rita, "portal.png")

            public = browser.new_context(base_url=daemon.url, viewport={"width": 1280, "height": 800}).new_page()
            public.goto("/status")
            expect(public.get_by_role("heading", name="wiki")).to_be_visible()
            shoot(public, "status.png")

            phone = browser.new_context(
                base_url=daemon.url, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                device_scale_factor=1,
            ).new_page()
            sign_in(phone, daemon, "alice")
            phone.goto("/")
            expect(phone.locator(f"#row-{host_down}")).to_be_visible()
            shoot(phone, "console-list-phone.png")
            browser.close()
    finally:
        daemon.stop()
    for path in saved:
        print(f"{path.relative_to(REPO) if path.is_relative_to(REPO) else path}  {path.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
