"""Accounts (contract v1.1): roles, the sites an account serves, and tokens that end at once when the account
is disabled or its password changes. Through the Flask test client and the CLI, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace

import pytest

from layout.model import Layout
from server.app import stop
from server.extensions import socketio
from tests.conftest import make_app
from tests.support.small_hall import small_hall

HALL, BRANCH = "/api/v1/sites/hall", "/api/v1/sites/branch"


def two_sites() -> Layout:
    hall_site = small_hall().sites[0]
    return Layout(sites=(hall_site, replace(hall_site, id="branch", name="测试县分中心")))


@pytest.fixture
def app(database_url):
    app = make_app(database_url, two_sites())
    yield app
    stop(app)


def add(app, name: str, *options: str, password: str = "long-password-1"):
    return app.test_cli_runner().invoke(args=["user", "add", name, *options], input=f"{password}\n")


def login(app, name: str, password: str = "long-password-1") -> dict:
    response = app.test_client().post("/api/v1/auth/login", json={"username": name, "password": password})
    assert response.status_code == 200, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def account(app, name: str, *options: str) -> dict:
    result = add(app, name, *options)
    assert result.exit_code == 0, result.output
    return login(app, name)


def error_code(response) -> str:
    return response.get_json()["error"]["code"]


def test_user_add_takes_sites_and_a_department_and_user_list_shows_them_without_hashes(app):
    assert add(app, "anna", "--role", "clerk", "--site", "hall").exit_code == 0
    assert add(app, "mei", "--role", "manager", "--site", "hall", "--site", "branch").exit_code == 0
    assert add(app, "bo", "--role", "backoffice", "--department", "amr").exit_code == 0
    assert add(app, "root", "--role", "admin").exit_code == 0
    listing = app.test_cli_runner().invoke(args=["user", "list"])
    assert listing.exit_code == 0, listing.output
    lines = {line.split()[0]: line.split() for line in listing.output.splitlines()[1:]}
    assert lines["anna"] == ["anna", "clerk", "hall", "-", "yes"]
    assert lines["mei"] == ["mei", "manager", "hall,branch", "-", "yes"]
    assert lines["bo"] == ["bo", "backoffice", "*", "amr", "yes"]
    assert lines["root"] == ["root", "admin", "*", "-", "yes"]
    assert "scrypt" not in listing.output and "long-password" not in listing.output


def test_a_backoffice_account_without_a_department_is_refused(app):
    result = add(app, "bo", "--role", "backoffice")
    assert result.exit_code != 0 and "--department" in result.output
    assert "bo" not in app.test_cli_runner().invoke(args=["user", "list"]).output


@pytest.mark.parametrize("options, said", [
    (("--site", "nowhere"), "unknown site"),
    (("--role", "backoffice", "--department", "tax"), "unknown department"),
    (("--role", "admin", "--site", "hall"), "every site"),
    (("--role", "boss",), "Invalid value"),
])
def test_user_add_refuses_what_the_layout_or_the_roles_do_not_have(app, options, said):
    result = add(app, "someone", *options)
    assert result.exit_code != 0 and said in result.output, result.output


def test_a_disabled_account_s_token_is_refused_on_the_very_next_request(app):
    client, clerk = app.test_client(), account(app, "anna")
    assert client.post(f"{HALL}/windows/w1/open", headers=clerk).status_code == 200
    result = app.test_cli_runner().invoke(args=["user", "disable", "anna"])
    assert result.exit_code == 0 and "disabled" in result.output
    refused = client.post(f"{HALL}/windows/w1/pause", headers=clerk)
    assert refused.status_code == 401 and error_code(refused) == "invalid_token"
    assert client.post("/api/v1/auth/login", json={"username": "anna", "password": "long-password-1"}
                       ).status_code == 401


def test_enabling_an_account_again_does_not_revive_its_old_tokens(app):
    client, clerk = app.test_client(), account(app, "anna")
    app.test_cli_runner().invoke(args=["user", "disable", "anna"])
    assert app.test_cli_runner().invoke(args=["user", "enable", "anna"]).exit_code == 0
    assert client.get("/api/v1/auth/me", headers=clerk).status_code == 401
    assert client.get("/api/v1/auth/me", headers=login(app, "anna")).status_code == 200


def test_passwd_ends_the_old_tokens_and_the_new_password_logs_in(app):
    client, clerk = app.test_client(), account(app, "anna")
    assert client.get("/api/v1/auth/me", headers=clerk).status_code == 200
    result = app.test_cli_runner().invoke(args=["user", "passwd", "anna"], input="new-password-22\nnew-password-22\n")
    assert result.exit_code == 0, result.output
    refused = client.get("/api/v1/auth/me", headers=clerk)
    assert refused.status_code == 401 and error_code(refused) == "invalid_token"
    assert client.post("/api/v1/auth/login", json={"username": "anna", "password": "long-password-1"}
                       ).status_code == 401
    assert client.get("/api/v1/auth/me", headers=login(app, "anna", "new-password-22")).status_code == 200


def test_passwd_refuses_an_unknown_account_and_a_short_password(app):
    account(app, "anna")
    runner = app.test_cli_runner()
    unknown = runner.invoke(args=["user", "passwd", "nobody"], input="new-password-22\n")
    assert unknown.exit_code != 0 and "no user" in unknown.output
    short = runner.invoke(args=["user", "passwd", "anna"], input="short\n")
    assert short.exit_code != 0 and "at least 8" in short.output


def test_a_clerk_of_one_site_gets_403_forbidden_site_at_another_site(app):
    client, clerk = app.test_client(), account(app, "anna", "--site", "hall")
    assert client.post(f"{HALL}/windows/w1/open", headers=clerk).status_code == 200
    staff_routes = [("post", f"{BRANCH}/windows/w1/open"), ("post", f"{BRANCH}/windows/w1/call-next"),
                    ("get", f"{BRANCH}/windows/w1"), ("get", f"{BRANCH}/print-jobs"),
                    ("post", f"{BRANCH}/print-jobs/1/reprint"), ("get", f"{BRANCH}/screens")]
    for method, path in staff_routes:
        response = getattr(client, method)(path, headers=clerk)
        assert response.status_code == 403 and error_code(response) == "forbidden_site", (path, response.get_json())
    assert client.get(f"{BRANCH}/windows/w1").status_code == 200, "the public view needs no login"
    ticket = client.post(f"{BRANCH}/tickets", json={"service": "company-setup", "kiosk": "k1"}).get_json()
    reprint = client.post(f"/api/v1/tickets/{ticket['id']}/reprint", headers=clerk)
    assert reprint.status_code == 403 and error_code(reprint) == "forbidden_site"


def test_an_unknown_site_is_still_a_404_for_a_clerk_of_another_site(app):
    response = app.test_client().post("/api/v1/sites/nowhere/windows/w1/open",
                                      headers=account(app, "anna", "--site", "hall"))
    assert response.status_code == 404 and error_code(response) == "unknown_site"


def test_a_backoffice_account_gets_403_forbidden_role_at_a_window(app):
    client = app.test_client()
    backoffice = account(app, "bo", "--role", "backoffice", "--department", "amr")
    for action in ("open", "call-next", "close"):
        response = client.post(f"{HALL}/windows/w1/{action}", headers=backoffice)
        assert response.status_code == 403 and error_code(response) == "forbidden_role", action


def test_a_manager_acts_at_the_windows_of_its_sites_and_an_admin_at_every_site(app):
    client = app.test_client()
    manager = account(app, "mei", "--role", "manager", "--site", "branch")
    admin = account(app, "root", "--role", "admin")
    assert client.post(f"{BRANCH}/windows/w1/open", headers=manager).status_code == 200
    assert client.post(f"{HALL}/windows/w1/open", headers=manager).status_code == 403
    assert client.post(f"{HALL}/windows/w2/open", headers=admin).status_code == 200
    assert client.post(f"{BRANCH}/windows/w2/open", headers=admin).status_code == 200


def test_a_clerk_without_sites_serves_every_site(app):
    client, clerk = app.test_client(), account(app, "anna")
    assert client.post(f"{HALL}/windows/w1/open", headers=clerk).status_code == 200
    assert client.post(f"{BRANCH}/windows/w2/open", headers=clerk).status_code == 200


def test_the_staff_stream_of_another_site_is_refused_with_forbidden_site(app):
    clerk = account(app, "anna", "--site", "hall")
    token = clerk["Authorization"].removeprefix("Bearer ")
    sio = socketio.test_client(app)
    answer = sio.emit("subscribe", {"site": "branch", "token": token}, callback=True)
    received = sio.get_received()
    assert answer["error"]["code"] == "forbidden_site"
    assert [event["name"] for event in received] == ["subscribe_error"]
    assert received[0]["args"][0]["error"]["code"] == "forbidden_site"
    assert sio.emit("subscribe", {"site": "hall", "token": token}, callback=True)["audience"] == "staff"
    sio.disconnect()


def test_staff_of_another_site_may_not_cancel_a_ticket_and_a_backoffice_account_may_not_requeue(app):
    client = app.test_client()
    ticket = client.post(f"{BRANCH}/tickets", json={"service": "company-setup"}).get_json()
    other_site = account(app, "anna", "--site", "hall")
    refused = client.post(f"/api/v1/tickets/{ticket['id']}/cancel", headers=other_site)
    assert refused.status_code == 403 and error_code(refused) == "forbidden_site"
    backoffice = account(app, "bo", "--role", "backoffice", "--department", "amr")
    requeue = client.post(f"{BRANCH}/tickets/{ticket['id']}/requeue", headers=backoffice)
    assert requeue.status_code == 403 and error_code(requeue) == "forbidden_role"
    branch_clerk = account(app, "mei", "--site", "branch")
    cancelled = client.post(f"/api/v1/tickets/{ticket['id']}/cancel", headers=branch_clerk)
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"
