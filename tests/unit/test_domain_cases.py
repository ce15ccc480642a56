"""The rules of cases (办件): numbers, what a kiosk scanned or a citizen typed, decisions, hand-out, overdue."""

from __future__ import annotations

import datetime as dt

import pytest

from server.domain import cases
from server.domain.commands import Actor
from server.domain.errors import AuthError, BadRequest, DomainError


def test_a_case_number_is_the_day_and_its_sequence():
    assert cases.case_number(dt.date(2026, 12, 1), 7) == "202612010007"


@pytest.mark.parametrize(("raw", "expected"), [
    ("202612010007", ("number", "202612010007")),
    (" 2026-1201-0007 ", ("number", "202612010007")),
    ("https://hall.example/c/DXta9kL9aec-QNB9D_1yww", ("id", "DXta9kL9aec-QNB9D_1yww")),
    ("http://10.0.0.5/c/DXta9kL9aec-QNB9D_1yww/", ("id", "DXta9kL9aec-QNB9D_1yww")),
])
def test_what_a_kiosk_reads_names_a_case_by_number_or_id(raw, expected):
    assert cases.parse_case_reference(raw) == expected


@pytest.mark.parametrize("raw", ["abc", "12", "https://elsewhere/t/x", ""])
def test_anything_else_is_not_a_case_number(raw):
    with pytest.raises(BadRequest) as refused:
        cases.parse_case_reference(raw)
    assert refused.value.code == "invalid_case_number"


def test_a_decision_is_once_and_a_rejection_needs_a_reason():
    assert cases.check_decision("accepted", "approved", "  ") == ("approved", None)
    assert cases.check_decision("accepted", "rejected", " 不符合条件 ") == ("rejected", "不符合条件")
    with pytest.raises(DomainError) as no_reason:
        cases.check_decision("accepted", "rejected", None)
    assert (no_reason.value.code, no_reason.value.status) == ("reason_required", 400)
    with pytest.raises(DomainError) as twice:
        cases.check_decision("approved", "approved", None)
    assert (twice.value.code, twice.value.status) == ("case_decided", 409)
    with pytest.raises(BadRequest):
        cases.check_decision("accepted", "maybe", None)


def test_hand_out_follows_the_decision_and_the_items_delivery():
    cases.check_ready("approved", ("pickup",))
    for status in ("accepted", "ready", "delivered"):
        with pytest.raises(DomainError):
            cases.check_ready(status, ("pickup",))
    with pytest.raises(DomainError) as mail_only:
        cases.check_ready("approved", ("mail",))
    assert mail_only.value.code == "delivery_not_offered"
    assert cases.check_mail("ready", ("pickup", "mail"), " SF123 ") == "SF123"
    with pytest.raises(BadRequest) as no_tracking:
        cases.check_mail("approved", ("mail",), "")
    assert no_tracking.value.code == "tracking_required"


def test_only_a_ready_case_is_picked_up():
    cases.check_pickup("ready")
    for status in ("accepted", "approved", "delivered", "mailed"):
        with pytest.raises(DomainError) as refused:
            cases.check_pickup(status)
        assert (refused.value.code, refused.value.status) == ("case_not_ready", 409)


def test_a_backoffice_account_works_its_own_department_only():
    office = Actor(1, "amr1", "backoffice", department="amr")
    cases.check_department(office, "amr")
    cases.check_department(Actor(2, "boss", "manager"), "nr")
    with pytest.raises(AuthError) as refused:
        cases.check_department(office, "nr")
    assert (refused.value.code, refused.value.status) == ("forbidden_department", 403)


def test_a_case_is_overdue_after_its_deadline_day_while_undecided():
    deadline = dt.date(2026, 12, 8)
    assert not cases.is_overdue("accepted", deadline, deadline)
    assert cases.is_overdue("accepted", deadline + dt.timedelta(days=1), deadline)
    assert not cases.is_overdue("approved", deadline + dt.timedelta(days=9), deadline)
    found = cases.overdue_findings([("202612010001", "企业设立登记", "县市场监管局", deadline)])
    assert [(f.kind, f.subject) for f in found] == [("case_overdue", "202612010001")]
