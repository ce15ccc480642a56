"""The kiosk page takes tickets as its kiosk (its token from its address) and retries a press whose answer
was lost with the same Idempotency-Key: the citizen gets the ticket the first try made, not a second one."""

from __future__ import annotations

import requests
from playwright.sync_api import expect

SITE = "county"


def test_a_press_whose_answer_was_lost_shows_the_ticket_its_first_try_made(page, live_server):
    token = live_server.token(SITE, "kiosk", "k1")
    requests_seen, first_answers = [], []

    def lose_the_first_answer(route):
        requests_seen.append(route.request.headers)
        if len(requests_seen) == 1:
            first_answers.append(route.fetch().json())  # the server makes the ticket...
            route.abort("connectionreset")  # ...and its answer never reaches the kiosk
        else:
            route.continue_()

    page.route(f"**/api/v1/sites/{SITE}/tickets", lose_the_first_answer)
    page.goto(f"{live_server.url}/kiosk/{SITE}/k1#token={token}")
    page.locator(".tile", has_text="不动产登记").click()
    page.locator(".item", has_text="不动产首次登记").click()
    page.locator("#issue-normal").click()

    expect(page.locator("#ticket-number")).to_be_visible()
    [made] = first_answers
    expect(page.locator("#ticket-number")).to_have_text(made["number"])
    assert page.evaluate("kiosk.state.ticket.id") == made["id"]
    first, retry = requests_seen
    assert first["idempotency-key"] == retry["idempotency-key"] and len(first["idempotency-key"]) == 32
    assert first["x-kiosk-token"] == retry["x-kiosk-token"] == token
    waiting = requests.get(f"{live_server.url}/api/v1/tickets/{made['id']}", timeout=5).json()
    assert waiting["status"] == "waiting"

    page.locator("#ticket-done").click()
    page.locator(".tile", has_text="不动产登记").click()
    page.locator(".item", has_text="不动产首次登记").click()
    page.locator("#issue-normal").click()
    expect(page.locator("#ticket-number")).not_to_have_text(made["number"])
    assert requests_seen[2]["idempotency-key"] != first["idempotency-key"], "a fresh key for each press"
