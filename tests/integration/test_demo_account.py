"""`make run`'s demo account: a clerk (its password is published), made only on SQLite, the demo's database."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from server.app import stop
from server.demo import DEMO_PASSWORD, DEMO_USER, demo_account
from server.models import User
from server.wiring import hall
from tests.conftest import create_staff, make_app


@pytest.fixture
def app(database_url):
    app = make_app(database_url)
    yield app
    stop(app)


def roles(app) -> dict[str, str]:
    with hall(app).db.read() as session:
        return {user.username: user.role for user in session.scalars(select(User))}


def test_the_demo_account_is_a_clerk_made_only_on_sqlite(app):
    said = " ".join(demo_account(app))
    if hall(app).db.is_sqlite:
        assert roles(app) == {DEMO_USER: "clerk"} and DEMO_PASSWORD in said
        login = app.test_client().post("/api/v1/auth/login", json={"username": DEMO_USER, "password": DEMO_PASSWORD})
        assert login.get_json()["role"] == "clerk"
    else:
        assert roles(app) == {} and "No demo account on PostgreSQL" in said


def test_no_demo_account_joins_a_database_that_has_accounts(app):
    create_staff(app, "anna")
    demo_account(app)
    assert roles(app) == {"anna": "clerk"}


def test_an_admin_demo_account_of_an_earlier_version_becomes_a_clerk(app):
    if not hall(app).db.is_sqlite:
        pytest.skip("the demo account exists only on SQLite")
    old = create_staff(app, DEMO_USER, DEMO_PASSWORD, role="admin")
    assert "clerk now" in " ".join(demo_account(app))
    assert roles(app) == {DEMO_USER: "clerk"}
    assert app.test_client().get("/api/v1/auth/me", headers=old).status_code == 401, "its admin token ended"
    with hall(app).db.read() as session:
        assert session.execute(text("SELECT token_version FROM users")).scalar() == 1


def test_no_demo_account_on_a_halls_installed_server(app, tmp_path):
    if not hall(app).db.is_sqlite:
        pytest.skip("the demo account exists only on SQLite")
    installed = tmp_path / "yichuang.env"
    installed.write_text("HALL_SECRET_KEY=x\n", encoding="utf-8")
    said = " ".join(demo_account(app, server_env=installed))
    assert roles(app) == {} and "hall's server" in said and DEMO_PASSWORD not in said
