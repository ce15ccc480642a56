"""Bad input over HTTP gets a 4xx JSON error, never a 5xx, on both databases: lone surrogates and NULs in
bodies, paths and query strings, JSON nested too deep, ids too large for an INTEGER column."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy.exc import DataError

from server.app import stop
from tests.conftest import create_staff, fresh_postgres_schema, make_app

JSON = {"Content-Type": "application/json"}
SURROGATE = "%ED%A0%80"  # the UTF-8 bytes of U+D800, which UTF-8 forbids
# Deeper than Python's recursion limit, but well under the 64 KiB body limit.
DEEP_ARRAY = "[" * 5000 + "]" * 5000
DEEP_OBJECT = '{"a":' * 5000 + "1" + "}" * 5000


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def shared_app(request, tmp_path_factory):
    """One app per database for the module: these requests change nothing that another one reads."""
    if request.param == "sqlite":
        schemas = iter([f"sqlite:///{tmp_path_factory.mktemp('bad-input') / 'hall.db'}"])
    else:
        schemas = fresh_postgres_schema()
    app = make_app(next(schemas))
    yield app
    stop(app)
    next(schemas, None)  # drops the PostgreSQL schema


@pytest.fixture
def client(shared_app):
    return shared_app.test_client()


@pytest.fixture(scope="module")
def clerk(shared_app) -> dict:
    return create_staff(shared_app)


def assert_error(response, status: int | tuple[int, ...], code: str | None = None) -> dict:
    statuses = status if isinstance(status, tuple) else (status,)
    assert response.status_code in statuses, (response.status_code, response.get_data(as_text=True)[:300])
    assert response.is_json, response.content_type
    error = response.get_json()["error"]
    assert set(error) == {"code", "message"}
    if code is not None:
        assert error["code"] == code
    return error


def prepared(client, clerk, path: str) -> str:
    """``path`` with ``{ticket}`` filled in by a new ticket's id, after opening window w1."""
    assert client.post("/api/v1/sites/hall/windows/w1/open", headers=clerk).status_code == 200
    ticket = client.post("/api/v1/sites/hall/tickets", json={"service": "company-setup"}).get_json()
    return path.format(ticket=ticket["id"])


@pytest.mark.parametrize(("path", "body"), [
    ("/api/v1/sites/hall/tickets", '{"service": "\\ud800"}'),
    ("/api/v1/sites/hall/tickets", '{"service": "company-setup", "kiosk": "\\udfff"}'),
    ("/api/v1/sites/hall/tickets", '{"service": "company-setup", "priority": "x\\ud800"}'),
    ("/api/v1/auth/login", '{"username": "\\ud800", "password": "secret-pass-1"}'),
    ("/api/v1/auth/login", '{"username": "clerk1", "password": "\\ud800secret"}'),
])
def test_a_lone_surrogate_in_a_public_body_is_a_400_naming_the_field(client, path, body):
    error = assert_error(client.post(path, data=body, headers=JSON), 400, "invalid_field")
    assert "invalid characters" in error["message"]


@pytest.mark.parametrize(("path", "body"), [
    ("/api/v1/sites/hall/windows/w1/pause", '{"reason": "\\ud800"}'),
    ("/api/v1/sites/hall/windows/w1/transfer", '{"service": "\\ud800"}'),
    ("/api/v1/sites/hall/windows/w1/finish", '{"outcome": "\\ud800"}'),
    ("/api/v1/tickets/{ticket}/reprint", '{"kiosk": "\\ud800"}'),
])
def test_a_lone_surrogate_in_a_clerk_body_is_a_400(client, clerk, path, body):
    response = client.post(prepared(client, clerk, path), data=body, headers={**clerk, **JSON})
    assert_error(response, 400, "invalid_field")


def test_a_nul_in_a_username_is_a_400_and_raises_no_database_alarm(client, caplog):
    caplog.set_level(logging.INFO)
    response = client.post("/api/v1/auth/login", data='{"username": "clerk\\u0000", "password": "secret-pass-1"}',
                           headers=JSON)
    assert_error(response, 400, "invalid_field")
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize("path", [
    f"/api/v1/sites/{SURROGATE}/layout", f"/api/v1/sites/{SURROGATE}/queues", f"/api/v1/tickets/{SURROGATE}",
    f"/api/v1/sites/hall/windows/{SURROGATE}", f"/api/v1/sites/{SURROGATE}/printers",
    f"/api/v1/sites/{SURROGATE}/screens", "/api/v1/tickets/%FF%FE", "/api/v1/tickets/%00",
    "/api/v1/sites/%00/layout", "/api/v1/sites/hall/windows/%00", "/api/v1/tickets/a%01b",
])
def test_an_id_in_the_path_that_is_not_text_names_nothing_and_is_a_json_404(client, path):
    error = assert_error(client.get(path), 404)
    error["message"].encode("utf-8")  # what the answer shows can be sent


@pytest.mark.parametrize("path", [f"/api/v1/sites/hall/windows/{SURROGATE}/open", "/api/v1/sites/%00/windows/w1/open",
                                  f"/api/v1/tickets/{SURROGATE}/reprint", "/api/v1/tickets/%00/reprint"])
def test_a_bad_id_in_a_clerk_path_is_a_json_404(client, clerk, path):
    assert_error(client.post(path, headers=clerk), 404)


@pytest.mark.parametrize("path", ["/t/%00", "/t/%00/qr.svg", "/t/%00/ticket.png", "/kiosk/hall/k1/tickets/%00.png",
                                  f"/t/{SURROGATE}", f"/kiosk/hall/{SURROGATE}"])
def test_a_page_for_an_id_that_is_not_text_is_a_404(client, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("query", [f"kiosk={SURROGATE}", "kiosk=%00", "status=%00", f"limit={SURROGATE}",
                                   "limit=%00", f"{SURROGATE}=1", "x=a%00b"])
def test_a_query_string_that_is_not_text_is_a_400(client, clerk, query):
    assert_error(client.get(f"/api/v1/sites/hall/print-jobs?{query}", headers=clerk), 400)


@pytest.mark.parametrize(("path", "staff"), [
    ("/api/v1/sites/hall/tickets", False), ("/api/v1/auth/login", False),
    ("/api/v1/sites/hall/windows/w1/pause", True), ("/api/v1/sites/hall/windows/w1/finish", True),
    ("/api/v1/tickets/{ticket}/reprint", True),
])
@pytest.mark.parametrize("body", [DEEP_ARRAY, DEEP_OBJECT], ids=["array", "object"])
def test_json_nested_too_deep_is_malformed_json(client, clerk, path, staff, body):
    response = client.post(prepared(client, clerk, path), data=body, headers={**JSON, **(clerk if staff else {})})
    assert_error(response, 400, "malformed_json")


def test_the_server_still_answers_after_a_deeply_nested_body(client):
    client.post("/api/v1/sites/hall/tickets", data=DEEP_ARRAY, headers=JSON)
    assert client.post("/api/v1/sites/hall/tickets", json={"service": "company-setup"}).status_code == 201


@pytest.mark.parametrize("job", ["2147483648", "99999999999999999999", "0", "00", "٣"])
def test_a_print_job_id_outside_an_integer_column_names_nothing(client, clerk, job):
    assert_error(client.get(f"/api/v1/print-jobs/{job}"), 404)
    assert_error(client.post(f"/api/v1/sites/hall/print-jobs/{job}/reprint", headers=clerk), 404)


def test_the_largest_integer_id_is_still_looked_up(client):
    assert_error(client.get("/api/v1/print-jobs/2147483647"), 404, "unknown_print_job")


def test_a_value_the_database_refuses_is_a_400_not_a_database_alarm(database_url, caplog):
    app = make_app(database_url)

    def refused():
        raise DataError("SELECT 1", {}, Exception("integer out of range"))

    app.add_url_rule("/api/v1/test-refused-value", "refused", refused)
    try:
        caplog.set_level(logging.INFO)
        assert_error(app.test_client().get("/api/v1/test-refused-value"), 400, "invalid_value")
        assert not [r for r in caplog.records if "database unavailable" in r.getMessage()]
    finally:
        stop(app)
