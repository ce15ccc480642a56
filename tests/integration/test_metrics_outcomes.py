"""/metrics counts how today's tickets ended (yichuang_outcomes_total) and how long their service took, from
the first call to the finish (yichuang_service_seconds), read from the tickets at scrape time."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import create_engine, text

from tests.integration.test_ops import parse_metrics

W = "/api/v1/sites/hall/windows/w1"


def issue(client, service: str = "company-setup") -> str:
    response = client.post("/api/v1/sites/hall/tickets", json={"service": service})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def call(client, clerk) -> str:
    response = client.post(f"{W}/call-next", headers=clerk)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["id"]


def act(client, clerk, action: str, **body) -> None:
    response = client.post(f"{W}/{action}", headers=clerk, json=body or None)
    assert response.status_code == 200, response.get_json()


def set_times(database_url: str, ticket_id: str, **times: dt.datetime) -> None:
    engine = create_engine(database_url)
    try:
        with engine.begin() as connection:
            assignments = ", ".join(f"{column} = :{column}" for column in times)
            connection.execute(text(f"UPDATE tickets SET {assignments} WHERE id = :id"), {"id": ticket_id, **times})
    finally:
        engine.dispose()


def test_outcomes_and_service_times_of_todays_tickets(database_url, app, client, clerk):
    for _ in range(4):
        issue(client)
    issue(client, "estate-first")
    act(client, clerk, "open")

    accepted = call(client, clerk)
    act(client, clerk, "finish", outcome="accepted")
    handled = call(client, clerk)
    act(client, clerk, "start")
    act(client, clerk, "finish", outcome="handled")
    call(client, clerk)
    act(client, clerk, "no-show")
    call(client, clerk)
    act(client, clerk, "transfer", service="estate-first")

    # Service times the test can state exactly: 90 s and 400 s from the first call to the finish.
    called = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0) - dt.timedelta(minutes=10)
    set_times(database_url, accepted, called_at=called, finished_at=called + dt.timedelta(seconds=90))
    set_times(database_url, handled, called_at=called, finished_at=called + dt.timedelta(seconds=400))

    response = client.get("/metrics")
    assert response.status_code == 200
    assert "# TYPE yichuang_outcomes_total counter" in response.text
    assert "# TYPE yichuang_service_seconds histogram" in response.text
    samples = parse_metrics(response.text)
    outcome = 'yichuang_outcomes_total{{site="hall",queue="{}",outcome="{}"}}'.format
    assert samples[outcome("biz", "accepted")] == 1
    assert samples[outcome("biz", "handled")] == 1
    assert samples[outcome("biz", "no_show")] == 1
    assert samples[outcome("biz", "transferred")] == 1
    assert outcome("biz", "notified") not in samples, "only outcomes that happened are listed"
    assert not any(name.startswith("yichuang_outcomes_total") and 'queue="estate"' in name for name in samples), \
        "waiting tickets, the transferred one's successor included, have no outcome yet"

    service = 'yichuang_service_seconds_{}{{site="hall",queue="biz"{}}}'.format
    assert samples[service("count", "")] == 2
    assert samples[service("sum", "")] == 490
    assert samples[service("bucket", ',le="60"')] == 0
    assert samples[service("bucket", ',le="120"')] == 1
    assert samples[service("bucket", ',le="300"')] == 1
    assert samples[service("bucket", ',le="600"')] == 2
    assert samples[service("bucket", ',le="+Inf"')] == 2


def test_tickets_of_earlier_days_are_not_counted_today(database_url, app, client, clerk):
    issue(client)
    act(client, clerk, "open")
    ticket = call(client, clerk)
    act(client, clerk, "finish", outcome="notified")
    assert parse_metrics(client.get("/metrics").text)[
        'yichuang_outcomes_total{site="hall",queue="biz",outcome="notified"}'] == 1

    engine = create_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(text("UPDATE tickets SET day = :day WHERE id = :id"),
                               {"day": dt.date.today() - dt.timedelta(days=3), "id": ticket})
    finally:
        engine.dispose()
    samples = parse_metrics(client.get("/metrics").text)
    assert not any(name.startswith(("yichuang_outcomes_total", "yichuang_service_seconds_count"))
                   for name in samples), samples
