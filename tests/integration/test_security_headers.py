"""Every page and API answer carries the hardening headers (server/security.py): a Content-Security-Policy that
runs only the hall's own scripts and styles, no framing, no MIME sniffing, a referrer policy (the phone page
keeps its stricter no-referrer); and a request body over MAX_CONTENT_LENGTH gets a 413 JSON error, unread."""

from __future__ import annotations

import base64
import hashlib
import io
import re

import pytest

from server.config import DEFAULT_MAX_CONTENT_LENGTH, from_environment
from tests.conftest import make_app

TICKETS = "/api/v1/sites/hall/tickets"


@pytest.fixture
def database_url(tmp_path):
    return f"sqlite:///{tmp_path / 'hall.db'}"


def policy_of(response) -> dict[str, list[str]]:
    directives = {}
    for part in response.headers["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def issue(client) -> str:
    response = client.post(TICKETS, json={"service": "company-setup"})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def pages(client) -> dict[str, int]:
    ticket = issue(client)
    return {"/kiosk/hall/k1": 200, f"/t/{ticket}": 200, f"/t/{ticket}/qr.svg": 200, "/counter/hall": 200,
            "/display/hall": 200, "/display/hall/lobby": 200, "/display/hall/window/w1": 200,
            "/no-such-page": 404, "/api/v1/sites": 200, "/api/v1/sites/hall/queues": 200,
            "/api/v1/tickets/no-such-ticket": 404, "/healthz": 200, "/metrics": 200,
            "/vendor/socket.io.min.js": 200}


def test_every_page_and_api_answer_carries_the_hardening_headers(client):
    for path, status in pages(client).items():
        response = client.get(path)
        assert response.status_code == status, path
        policy = policy_of(response)
        assert policy["default-src"] == ["'self'"], path
        assert policy["script-src"] == ["'self'"], f"{path}: no inline or foreign script may run"
        assert policy["frame-ancestors"] == ["'none'"] and policy["object-src"] == ["'none'"], path
        assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"], path
        assert "'unsafe-eval'" not in response.headers["Content-Security-Policy"], path
        assert response.headers["X-Frame-Options"] == "DENY", path
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        expected_referrer = "no-referrer" if path.startswith("/t/") and path.count("/") == 2 else "same-origin"
        assert response.headers["Referrer-Policy"] == expected_referrer, path


def test_errors_and_posts_carry_the_headers_too(client, clerk):
    created = client.post(TICKETS, json={"service": "company-setup"})
    refused = client.post(TICKETS, json={"service": "no-such-item"})
    unauthorised = client.post("/api/v1/sites/hall/windows/w1/open")
    for response in (created, refused, unauthorised):
        assert response.status_code in (201, 401, 404)
        assert response.headers["X-Frame-Options"] == "DENY"
        assert policy_of(response)["frame-ancestors"] == ["'none'"]


def test_the_phone_page_keeps_its_stricter_referrer_policy(client):
    response = client.get(f"/t/{issue(client)}")
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers.getlist("Referrer-Policy") == ["no-referrer"], "set once, not overridden"


def test_the_inline_style_of_the_error_page_is_allowed_by_its_hash(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    blocks = re.findall(r"<style>(.*?)</style>", response.get_data(as_text=True), re.DOTALL)
    assert blocks, "the 404 page has its own inline style"
    allowed = policy_of(response)["style-src"]
    for block in blocks:
        digest = base64.b64encode(hashlib.sha256(block.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in allowed


def test_every_script_and_style_sheet_the_pages_load_is_served_with_its_own_type(client):
    """nosniff makes browsers refuse a script or style sheet served with another type."""
    loaded: dict[str, str] = {}
    for path in ("/kiosk/hall/k1", f"/t/{issue(client)}", "/counter/hall", "/display/hall/lobby",
                 "/display/hall/window/w1"):
        html = client.get(path).get_data(as_text=True)
        for source in re.findall(r'<script[^>]*\ssrc="([^"]+)"', html):
            loaded[source] = "javascript"
        for source in re.findall(r'<link[^>]*rel="stylesheet"[^>]*href="([^"]+)"', html):
            loaded[source] = "text/css"
    assert any(kind == "javascript" for kind in loaded.values()) and "text/css" in loaded.values()
    for source, kind in loaded.items():
        assert source.startswith("/"), f"{source}: only same-origin files"
        response = client.get(source)
        assert response.status_code == 200, source
        assert kind in response.content_type, f"{source} is served as {response.content_type}"


def templates(app) -> dict[str, str]:
    environment = app.jinja_env
    return {name: environment.loader.get_source(environment, name)[0]
            for name in environment.list_templates(filter_func=lambda name: name.endswith(".html"))}


def test_the_templates_hold_nothing_the_policy_would_block(app):
    found = templates(app)
    assert {"error.html", "kiosk/kiosk.html", "counter/counter.html", "display/lobby.html"} <= set(found)
    for name, source in found.items():
        assert not re.search(r"\sstyle\s*=", source), f"{name}: a style= attribute (use a class)"
        assert not re.search(r"\son[a-z]+\s*=", source, re.IGNORECASE), f"{name}: an inline event handler"
        assert "javascript:" not in source.lower(), f"{name}: a javascript: URL"
        for attributes in re.findall(r"<script([^>]*)>", source):
            assert "src=" in attributes or 'type="application/json"' in attributes, \
                f"{name}: an inline script (<script{attributes}>) would not run"


# -- request bodies ---------------------------------------------------------------------------------------
def waiting(client) -> int:
    queues = client.get("/api/v1/sites/hall/queues").get_json()
    return sum(queue["waiting"] for queue in queues)


def assert_payload_too_large(response, limit: int = DEFAULT_MAX_CONTENT_LENGTH) -> None:
    assert response.status_code == 413
    error = response.get_json()["error"]
    assert error["code"] == "payload_too_large"
    assert str(limit) in error["message"] and " / " in error["message"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_ten_megabyte_ticket_request_is_refused_and_issues_nothing(client):
    body = b'{"service": "company-setup", "note": "' + b"x" * (10 * 1024 * 1024) + b'"}'
    assert_payload_too_large(client.post(TICKETS, data=body, content_type="application/json"))
    assert waiting(client) == 0


def test_a_large_body_is_refused_even_where_the_view_never_reads_it(client, clerk):
    response = client.post("/api/v1/sites/hall/windows/w1/open", data=b"x" * (DEFAULT_MAX_CONTENT_LENGTH + 1),
                           content_type="application/json", headers=clerk)
    assert_payload_too_large(response)
    assert client.get("/api/v1/sites/hall/windows/w1").get_json()["state"] == "closed"


def test_a_large_body_without_a_length_is_cut_off_while_it_is_read(client):
    body = b'{"service": "company-setup", "note": "' + b"x" * (2 * DEFAULT_MAX_CONTENT_LENGTH) + b'"}'
    response = client.post(TICKETS, input_stream=io.BytesIO(body), content_type="application/json",
                           headers={"Transfer-Encoding": "chunked"},
                           environ_overrides={"wsgi.input_terminated": True})  # as gunicorn says of a chunked body
    assert_payload_too_large(response)
    assert waiting(client) == 0


def test_a_small_body_without_a_length_is_served(client):
    response = client.post(TICKETS, input_stream=io.BytesIO(b'{"service": "company-setup"}'),
                           content_type="application/json", headers={"Transfer-Encoding": "chunked"},
                           environ_overrides={"wsgi.input_terminated": True})
    assert response.status_code == 201, response.get_json()


def test_a_body_under_the_limit_is_served(client):
    body = b'{"service": "company-setup", "note": "' + b"x" * (DEFAULT_MAX_CONTENT_LENGTH - 100) + b'"}'
    response = client.post(TICKETS, data=body, content_type="application/json")
    assert response.status_code == 201, response.get_json()


def test_the_limit_is_configurable(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'small.db'}", MAX_CONTENT_LENGTH=2048)
    client = app.test_client()
    assert_payload_too_large(client.post(TICKETS, data=b"x" * 3000, content_type="application/json"), limit=2048)
    assert client.post(TICKETS, json={"service": "company-setup"}).status_code == 201


@pytest.mark.parametrize(("value", "accepted"), [("131072", 131072), ("abc", None), ("0", None), ("-5", None),
                                                  ("512", None)])
def test_hall_max_content_length_from_the_environment(monkeypatch, tmp_path, value, accepted):
    monkeypatch.delenv("HALL_SECRET_KEY", raising=False)
    monkeypatch.setenv("HALL_MAX_CONTENT_LENGTH", value)
    if accepted is None:
        with pytest.raises(ValueError, match="HALL_MAX_CONTENT_LENGTH"):
            from_environment(tmp_path)
    else:
        assert from_environment(tmp_path)["MAX_CONTENT_LENGTH"] == accepted


def test_without_the_variable_the_limit_is_64_kib(monkeypatch, tmp_path):
    monkeypatch.delenv("HALL_MAX_CONTENT_LENGTH", raising=False)
    monkeypatch.delenv("HALL_SECRET_KEY", raising=False)
    assert from_environment(tmp_path)["MAX_CONTENT_LENGTH"] == DEFAULT_MAX_CONTENT_LENGTH == 64 * 1024
