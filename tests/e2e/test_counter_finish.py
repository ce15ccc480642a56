"""The counter finishes with what the outcome needs: a one-time notice (一次性告知) lists the checklist
entries the clerk did not tick, a rejection (不予受理) asks for its reason first."""

from __future__ import annotations

import requests
from playwright.sync_api import expect

from tests.e2e.test_counter import issue, message, open_window

SITE = "county"
CLERK, PASSWORD = "finish-clerk", "finish-pass-1"


def sign_in(page, server, window: str):
    page.goto(f"{server.url}/counter/{SITE}")
    page.fill("#login-username", CLERK)
    page.fill("#login-password", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.click(f'[data-window="{window}"]')
    expect(page.locator("#desk-view")).to_be_visible()


def ticket(server, ticket_id: str) -> dict:
    return requests.get(f"{server.url}/api/v1/tickets/{ticket_id}", timeout=5).json()


def test_a_notice_lists_the_unticked_entries_and_a_rejection_asks_for_its_reason(live_server, page):
    live_server.add_user(CLERK, PASSWORD)
    notified, rejected = issue(live_server, "sole-proprietor-registration"), issue(live_server, "company-change")
    sign_in(page, live_server, "w18")
    open_window(page)

    page.keyboard.press("F1")
    expect(page.locator("#current-number")).to_have_text(notified["number"])
    expect(page.locator("#checklist li")).to_have_count(4)
    page.locator("#checklist input").nth(0).check()
    page.locator("#checklist input").nth(2).check()
    page.keyboard.press("2")
    expect(message(page)).to_contain_text("已办结：一次性告知书")
    assert ticket(live_server, notified["id"])["missing"] == ["经营者居民身份证", "委托代理人身份证明及授权委托书（委托办理时）"]

    page.keyboard.press("F1")
    expect(page.locator("#current-number")).to_have_text(rejected["number"])
    page.keyboard.press("3")
    expect(page.locator("#reject-dialog")).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("#reject-dialog")).to_be_visible()  # no reason, no rejection
    page.fill("#reject-reason", "申请事项不属于本机关职权范围")
    page.keyboard.press("Enter")
    expect(message(page)).to_contain_text("已办结：不予受理凭证")
    finished = ticket(live_server, rejected["id"])
    assert finished["outcome"] == "rejected" and finished["reason"] == "申请事项不属于本机关职权范围"
