"""Every field the API answers for a ticket (the holder's and the staff's view, its places by floor, the
successor of a transfer) and for a queue is described in server/api/openapi.yaml, and every field the
description requires is there."""

from __future__ import annotations

from server.api.openapi import description
from tests.conftest import create_staff

SITE = "/api/v1/sites/hall"


def schema(name: str) -> dict:
    return description()["components"]["schemas"][name]


def undescribed(answer: dict, name: str) -> set[str]:
    """Keys of ``answer`` the schema does not describe, and required keys it lacks."""
    described = schema(name)
    return (set(answer) - set(described["properties"])) | (set(described.get("required", ())) - set(answer))


def test_every_ticket_and_queue_field_is_described(app, client):
    clerk = create_staff(app)
    issued = client.post(f"{SITE}/tickets", json={"service": "company-setup"}).get_json()
    waiting = client.get(f"/api/v1/tickets/{issued['id']}").get_json()
    client.post(f"{SITE}/windows/w1/open", headers=clerk)
    called = client.post(f"{SITE}/windows/w1/call-next", headers=clerk).get_json()
    moved = client.post(f"{SITE}/windows/w1/transfer", json={"service": "estate-first"}, headers=clerk).get_json()
    answers = [issued, waiting, called, moved, moved["transferred_ticket"]]
    assert {"where", "overflow_windows", "eta_note", "requeued_at"} <= set(waiting)
    assert [undescribed(answer, "Ticket") for answer in answers] == [set()] * len(answers)
    places = [place for answer in answers for place in answer["where"]]
    assert places and all(undescribed(place, "TicketPlace") == set() for place in places)
    queues = client.get(f"{SITE}/queues").get_json()
    assert queues and all(undescribed(queue, "QueueStatus") == set() for queue in queues)
