"""The parts of SPEC §14 for people outside the operations team: the self-service portal (a reporter sees only
their own reports), the public status page (plain words, nothing internal), and the knowledge base."""

from __future__ import annotations

import json
import re
import uuid

import pytest
from conftest import needs, sign_in
from harness import Daemon
from playwright.sync_api import Page, expect


def test_reporter_files_a_report_and_follows_its_reference_but_sees_nothing_else(pages, daemon: Daemon):
    rita = pages.new()
    sign_in(rita, daemon, "rita")  # a reporter lands on the portal
    expect(rita.get_by_role("heading", name="Report a problem")).to_be_visible()
    summary = f"The wiki does not save my page {uuid.uuid4().hex[:6]}"
    rita.get_by_label("What is wrong?").fill(summary)
    rita.get_by_label("Which service?").fill("wiki")
    rita.get_by_label("More details (optional)").fill("Since this morning, every save times out.")
    rita.get_by_label("My team or a few people").check()
    rita.get_by_label("It slows my work down").check()
    rita.get_by_role("button", name="Send report").click()

    expect(rita).to_have_url(re.compile(re.escape(daemon.url) + r"/portal/\d+$"))
    number = int(rita.url.rsplit("/", 1)[1])
    expect(rita.locator("#reference")).to_contain_text(f"INC-{number}")
    expect(rita.locator("#progress")).to_have_text("Received, waiting for someone to take it")

    rita.goto("/portal")
    mine = rita.get_by_role("link", name=f"INC-{number}", exact=True)
    expect(mine).to_be_visible()
    mine.click()
    expect(rita).to_have_url(f"{daemon.url}/portal/{number}")
    expect(rita.get_by_text(summary)).to_be_visible()

    # An operator takes it; rita's page says so without naming who.
    incident = daemon.incident(number)
    assert incident.get("kind", incident.get("incident", {}).get("kind")) == "user_issue"
    status, body, _ = daemon.http(
        "POST", f"/api/v1/incidents/{number}/ack", b'{"by": "alice"}', auth=True,
        headers={"Content-Type": "application/json"},
    )
    assert status == 200, body
    expect(rita.locator("#progress")).to_have_text("Someone is working on it")  # live, no reload
    expect(rita.locator("#report-live")).not_to_contain_text("alice")

    # The console is not for reporters.
    answer = rita.goto("/")
    assert answer.status == 403, f"GET / as a reporter answered {answer.status}"
    answer = rita.goto(f"/incidents/{number}")
    assert answer.status == 403, f"GET /incidents/{number} as a reporter answered {answer.status}"

    # Nor is someone else's report: alice files one, rita cannot open it.
    alice = pages.new()
    sign_in(alice, daemon, "alice")
    alice.goto("/portal")
    alice.get_by_label("What is wrong?").fill("Printer on floor 2 jams: Alice's secret report")
    alice.get_by_label("Only me").check()
    alice.get_by_label("It can wait a few days").check()
    alice.get_by_role("button", name="Send report").click()
    expect(alice).to_have_url(re.compile(re.escape(daemon.url) + r"/portal/\d+$"))
    other = int(alice.url.rsplit("/", 1)[1])
    assert other != number
    answer = rita.goto(f"/portal/{other}")
    assert answer.status in (403, 404), f"rita opened alice's report: {answer.status}"
    expect(rita.locator("body")).not_to_contain_text("secret report")
    rita.goto("/portal")
    expect(rita.get_by_role("link", name=f"INC-{other}", exact=True)).to_have_count(0)


def test_status_page_is_public_and_says_nothing_internal(page: Page, daemon: Daemon):
    needs(daemon, "status_public", "http.status_page: public")
    daemon.send_alert(
        {"alertname": "BrowserWikiDown", "host": "db1.internal", "instance": "10.1.2.3:9100", "service": "wiki",
         "job": "wiki-backend"},
        {"summary": "wiki backend on db1.internal refuses connections", "description": "ask Margaret Hamilton"},
    )
    daemon.send_alert(
        {"alertname": "BrowserIntrusionDetected", "host": "gw1.internal", "instance": "192.0.2.77:22",
         "service": "vpn", "severity": "critical"},
        {"summary": "Intrusion detected on the VPN gateway"},
    )

    answer = page.goto("/status")  # nobody signed in
    assert answer.status == 200, f"/status without signing in answered {answer.status} at {page.url}"
    assert page.url == f"{daemon.url}/status"
    wiki = page.locator("section", has=page.get_by_role("heading", name="wiki", exact=True))
    expect(wiki).to_be_visible()
    expect(wiki).to_contain_text("Not working")

    html = page.content()
    text = page.locator("body").inner_text()
    for secret in (
        "db1", "10.1.2.3", "9100", "Margaret", "Hamilton", "cannot save pages", "BrowserWikiDown", "wiki-backend",
        "Intrusion", "vpn", "VPN", "gw1", "192.0.2.77", "INC-", "security",
    ):
        assert secret not in html, f"/status shows {secret!r}"
    for label_name in ("alertname", "instance", "host", "job", "severity"):
        assert not re.search(rf"\b{label_name}\b", text, re.I), f"/status text names the label {label_name!r}"
        assert not re.search(rf"\b{label_name}\s*[=:]", html), f"/status HTML names the label {label_name!r}"
    # Nothing leads from the public page into the console.
    links = page.evaluate("[...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))")
    assert not [href for href in links if href.startswith("/incidents")], links


def test_a_review_saved_as_an_article_is_found_by_search(alice: Page, daemon: Daemon):
    page = alice
    word = "quokka" + uuid.uuid4().hex[:6]
    number = daemon.send_alert({"alertname": "DiskFull", "instance": "files1:9100", "mountpoint": "/srv"})
    page.goto(f"/incidents/{number}")
    page.get_by_text("Write a review for the knowledge base").click()
    page.get_by_label("Learnings (Markdown)").fill(f"- Rotate the {word} logs weekly\n- Alert at 80%, not 95%")
    page.get_by_role("button", name="Save review as article").click()
    expect(page).to_have_url(re.compile(re.escape(daemon.url) + r"/kb/[^/?]+"))
    expect(page.locator("article")).to_contain_text(word)
    expect(page.locator("article")).to_contain_text(f"INC-{number}")

    page.goto(f"/kb?q={word}")
    hits = page.locator("#articles li")
    expect(hits).to_have_count(1)
    hits.first.get_by_role("link").click()
    expect(page.locator("article")).to_contain_text(word)


def test_a_review_saved_with_incidentctl_is_found_by_search(alice: Page, daemon: Daemon):
    page = alice
    word = "kbcli" + uuid.uuid4().hex[:6]
    number = daemon.send_alert({"alertname": "DiskFull", "instance": word, "mountpoint": "/data"})
    saved = daemon.ctl("review", f"INC-{number}", "--save", check=False)
    assert saved.returncode == 0, f"incidentctl review INC-{number} --save: {saved.stderr}"
    # The API finds it (GET /api/v1/kb/articles?q=), and so does the page.
    status, body, _ = daemon.http("GET", f"/api/v1/kb/articles?q={word}", auth=True)
    hits = json.loads(body).get("hits", []) if status == 200 else []
    assert [hit for hit in hits if hit.get("incident") in (number, f"INC-{number}")], (
        f"GET /api/v1/kb/articles?q={word}: {status} {body[:300]}"
    )
    page.goto(f"/kb?q={word}")
    hits = page.locator("#articles li")
    expect(hits).to_have_count(1)
    expect(hits.first).to_contain_text(f"INC-{number}")
    hits.first.get_by_role("link").first.click()
    expect(page.locator("article")).to_contain_text(word)
