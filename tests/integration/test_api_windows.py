"""A clerk's day through the HTTP contract: open, call, recall, no-show, start, finish, transfer."""

from __future__ import annotations

from tests.conftest import create_staff

W = "/api/v1/sites/hall/windows"


def issue(client, service="company-setup", **extra):
    response = client.post("/api/v1/sites/hall/tickets", json={"service": service, **extra})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_window_actions_need_a_logged_in_clerk(client):
    response = client.post(f"{W}/w1/open")
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "login_required"
    forged = client.post(f"{W}/w1/open", headers={"Authorization": "Bearer forged.token"})
    assert forged.status_code == 401 and forged.get_json()["error"]["code"] == "invalid_token"


def test_wrong_password_is_refused(client, clerk):
    response = client.post("/api/v1/auth/login", json={"username": "clerk1", "password": "nope-nope"})
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "invalid_credentials"


def test_every_window_starts_closed_and_call_next_on_it_is_409(client, clerk):
    assert client.get(f"{W}/w1").get_json()["state"] == "closed"
    response = client.post(f"{W}/w1/call-next", headers=clerk)
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "window_not_open"


def test_call_next_serves_fifo_and_204_when_nothing_waits(client, clerk):
    first, second = issue(client), issue(client)
    assert client.post(f"{W}/w1/open", headers=clerk).get_json()["state"] == "open"
    called = client.post(f"{W}/w1/call-next", headers=clerk).get_json()
    assert called["id"] == first["id"] and called["status"] == "called" and called["window"] == "w1"
    assert client.post(f"{W}/w1/finish", json={"outcome": "accepted"}, headers=clerk).get_json()["status"] == "done"
    assert client.post(f"{W}/w1/call-next", headers=clerk).get_json()["id"] == second["id"]
    client.post(f"{W}/w1/no-show", headers=clerk)
    assert client.post(f"{W}/w1/call-next", headers=clerk).status_code == 204


def test_the_full_cycle_of_one_ticket(client, clerk):
    ticket = issue(client)
    client.post(f"{W}/w2/open", headers=clerk)
    client.post(f"{W}/w2/call-next", headers=clerk)
    recalled = client.post(f"{W}/w2/recall", headers=clerk)
    assert recalled.status_code == 200 and recalled.get_json()["status"] == "called"
    assert client.post(f"{W}/w2/start", headers=clerk).get_json()["status"] == "serving"
    finished = client.post(f"{W}/w2/finish", json={"outcome": "handled"}, headers=clerk).get_json()
    assert finished["status"] == "done" and finished["outcome"] == "handled"
    status = client.get(f"/api/v1/tickets/{ticket['id']}").get_json()
    assert status["status"] == "done" and status["window"] == "w2" and status["called_at"] is not None


def test_actions_without_a_current_ticket_are_409(client, clerk):
    client.post(f"{W}/w1/open", headers=clerk)
    for action in ("recall", "no-show", "start"):
        response = client.post(f"{W}/w1/{action}", headers=clerk)
        assert response.status_code == 409, action
        assert response.get_json()["error"]["code"] == "no_current_ticket"


def test_calling_again_before_finishing_is_409(client, clerk):
    issue(client), issue(client)
    client.post(f"{W}/w1/open", headers=clerk)
    client.post(f"{W}/w1/call-next", headers=clerk)
    response = client.post(f"{W}/w1/call-next", headers=clerk)
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "current_ticket_open"


def test_bad_outcome_is_400_and_keeps_the_ticket(client, clerk):
    issue(client)
    client.post(f"{W}/w1/open", headers=clerk)
    client.post(f"{W}/w1/call-next", headers=clerk)
    response = client.post(f"{W}/w1/finish", json={"outcome": "maybe"}, headers=clerk)
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "invalid_outcome"
    assert client.post(f"{W}/w1/finish", json={}, headers=clerk).status_code == 400
    assert client.get(f"{W}/w1").get_json()["current"]["status"] == "called"


def test_paused_window_does_not_call_but_can_finish(client, clerk):
    issue(client), issue(client)
    client.post(f"{W}/w1/open", headers=clerk)
    client.post(f"{W}/w1/call-next", headers=clerk)
    paused = client.post(f"{W}/w1/pause", json={"reason": "会议"}, headers=clerk).get_json()
    assert paused["state"] == "paused" and paused["reason"] == "会议"
    assert client.post(f"{W}/w1/finish", json={"outcome": "notified"}, headers=clerk).status_code == 200
    response = client.post(f"{W}/w1/call-next", headers=clerk)
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "window_paused"
    assert client.post(f"{W}/w1/open", headers=clerk).get_json()["state"] == "open"


def test_a_second_clerk_cannot_take_an_occupied_window(app, client, clerk):
    other = create_staff(app, "clerk2", "another-pass-2")
    client.post(f"{W}/w1/open", headers=clerk)
    response = client.post(f"{W}/w1/open", headers=other)
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "window_taken"
    assert client.post(f"{W}/w1/call-next", headers=other).status_code == 409
    client.post(f"{W}/w1/close", headers=clerk)
    assert client.post(f"{W}/w1/open", headers=other).status_code == 200


def test_close_with_a_ticket_at_the_window_is_refused(client, clerk):
    issue(client)
    client.post(f"{W}/w1/open", headers=clerk)
    client.post(f"{W}/w1/call-next", headers=clerk)
    assert client.post(f"{W}/w1/close", headers=clerk).get_json()["error"]["code"] == "current_ticket_open"


def test_transfer_keeps_number_and_original_place_in_time(client, clerk):
    early = issue(client)  # A001 at 企业登记
    later_estate = issue(client, "estate-first")  # B001, issued after A001
    client.post(f"{W}/w1/open", headers=clerk)
    client.post(f"{W}/w1/call-next", headers=clerk)
    moved = client.post(f"{W}/w1/transfer", json={"service": "estate-first"}, headers=clerk)
    assert moved.status_code == 200
    body = moved.get_json()
    assert body["status"] == "transferred" and body["transferred_to"]
    successor = body["transferred_ticket"]
    assert successor["number"] == "A001" and successor["queue"] == "estate" and successor["status"] == "waiting"
    assert successor["issued_at"] == early["issued_at"]
    assert client.get(f"/api/v1/tickets/{early['id']}").get_json()["status"] == "transferred"
    estate_clerk = create_staff(client.application, "clerk3", "third-pass-3")
    client.post(f"{W}/w3/open", headers=estate_clerk)
    first_at_estate = client.post(f"{W}/w3/call-next", headers=estate_clerk).get_json()
    assert first_at_estate["id"] == successor["id"], "the transferred ticket keeps its earlier place"
    assert later_estate["number"] == "B001"


def test_transfer_to_an_unknown_item_is_404_and_loses_nothing(client, clerk):
    issue(client)
    client.post(f"{W}/w1/open", headers=clerk)
    client.post(f"{W}/w1/call-next", headers=clerk)
    assert client.post(f"{W}/w1/transfer", json={"service": "nope"}, headers=clerk).status_code == 404
    assert client.get(f"{W}/w1").get_json()["current"]["status"] == "called"


def test_priority_tickets_interleave_two_to_one(client, clerk):
    normal = [issue(client)["id"] for _ in range(3)]
    elderly = [issue(client, priority="elderly")["id"] for _ in range(3)]
    client.post(f"{W}/w1/open", headers=clerk)
    order = []
    for _ in range(6):
        order.append(client.post(f"{W}/w1/call-next", headers=clerk).get_json()["id"])
        client.post(f"{W}/w1/finish", json={"outcome": "accepted"}, headers=clerk)
    assert order == [elderly[0], elderly[1], normal[0], elderly[2], normal[1], normal[2]]


def test_unknown_window_is_404(client, clerk):
    response = client.post(f"{W}/w77/open", headers=clerk)
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "unknown_window"


def test_user_add_cli_reads_the_password_from_stdin(app, runner):
    result = runner.invoke(args=["user", "add", "anna", "--role", "admin"], input="long-password-9\nlong-password-9\n")
    assert result.exit_code == 0, result.output
    login = app.test_client().post("/api/v1/auth/login", json={"username": "anna", "password": "long-password-9"})
    assert login.status_code == 200 and login.get_json()["role"] == "admin"
    mismatch = runner.invoke(args=["user", "add", "bob"], input="long-password-9\nother-password\n")
    assert mismatch.exit_code != 0 and "confirmation" in mismatch.output
