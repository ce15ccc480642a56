"""The queues' wait estimates read every queue's figures at once: they are what the one-queue statements
answer — the open windows of the day, each queue's last 20 service times, newest first."""

from __future__ import annotations

from server import store
from server.service_layer.queue_figures import QueueFigures
from server.wiring import hall
from tests.conftest import create_staff

SITE = "/api/v1/sites/hall"


def test_all_queues_at_once_answer_what_each_queue_alone_does(app, client):
    clerk = create_staff(app)
    for _ in range(23):
        assert client.post(f"{SITE}/tickets", json={"service": "company-setup"}).status_code == 201
    client.post(f"{SITE}/tickets", json={"service": "estate-first"})
    client.post(f"{SITE}/windows/w1/open", headers=clerk), client.post(f"{SITE}/windows/w3/open", headers=clerk)
    for _ in range(22):
        assert client.post(f"{SITE}/windows/w1/call-next", headers=clerk).status_code == 200
        assert client.post(f"{SITE}/windows/w1/finish", json={"outcome": "accepted"}, headers=clerk).status_code == 200
    client.post(f"{SITE}/windows/w1/call-next", headers=clerk)  # called, not done
    services = hall(app)
    site = services.layout.site("hall")
    day = services.context.today(site)
    with services.db.read() as session:
        figures = QueueFigures(session, "hall", day, [queue.id for queue in site.queues])
        for queue in site.queues:
            one = store.recent_durations(session, "hall", queue.id, day)
            assert figures.recent_durations("hall", queue.id, day) == one
            for windows in ([w.id for w in site.windows], ["w1"], ["w1", "w1", "w3"], ["w2"], []):
                assert figures.count_open_windows("hall", windows, day) == store.count_open_windows(
                    session, "hall", windows, day)
        assert len(figures.recent_durations("hall", "biz", day)) == 20
        assert figures.count_open_windows("hall", ["w1", "w3", "w5"], day) == 2
