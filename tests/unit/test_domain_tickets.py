import datetime as dt

import pytest

from server.domain.errors import BadRequest, IllegalTransition, InvalidOutcome, ReasonRequired
from server.domain.tickets import (
    ACTIONS,
    FINAL_STATUSES,
    OUTCOME_NAMES,
    OUTCOMES,
    STATUSES,
    allowed_actions,
    check_outcome,
    effective_status,
    finish_record,
    next_status,
)

LEGAL = [
    ("waiting", "call", "called"),
    ("called", "recall", "called"),
    ("called", "start", "serving"),
    ("called", "finish", "done"),
    ("serving", "finish", "done"),
    ("called", "no_show", "no_show"),
    ("called", "transfer", "transferred"),
    ("serving", "transfer", "transferred"),
    ("waiting", "cancel", "cancelled"),
    ("no_show", "requeue", "waiting"),
]
LEGAL_PAIRS = {(status, action) for status, action, _ in LEGAL}
ILLEGAL = [
    (status, action) for status in STATUSES for action in ACTIONS if (status, action) not in LEGAL_PAIRS
]


def test_statuses_are_the_seven_of_the_public_contract():
    assert STATUSES == ("waiting", "called", "serving", "done", "no_show", "transferred", "cancelled")


@pytest.mark.parametrize(("status", "action", "expected"), LEGAL)
def test_each_legal_transition_reaches_its_status(status, action, expected):
    assert next_status(status, action) == expected


@pytest.mark.parametrize(("status", "action"), ILLEGAL)
def test_each_illegal_transition_raises_illegal_transition_naming_status_and_action(status, action):
    with pytest.raises(IllegalTransition) as raised:
        next_status(status, action)
    assert raised.value.code == "illegal_transition"
    assert status in raised.value.message
    assert action in raised.value.message


def test_recall_and_no_show_are_refused_once_service_has_started():
    with pytest.raises(IllegalTransition):
        next_status("serving", "recall")
    with pytest.raises(IllegalTransition):
        next_status("serving", "no_show")


def test_final_statuses_allow_no_action_but_a_missed_ticket_may_be_put_back_in_line():
    for status in FINAL_STATUSES - {"no_show"}:
        assert allowed_actions(status) == ()
    assert allowed_actions("no_show") == ("requeue",)


def test_allowed_actions_of_a_called_ticket_are_what_the_counter_offers():
    assert allowed_actions("called") == ("recall", "start", "finish", "no_show", "transfer")


def test_an_unknown_status_or_action_is_a_programming_error_with_a_clear_message():
    with pytest.raises(ValueError, match="unknown ticket status 'lost'"):
        next_status("lost", "call")
    with pytest.raises(ValueError, match="unknown ticket action 'skip'"):
        next_status("waiting", "skip")


def test_the_four_outcomes_have_chinese_names():
    assert OUTCOMES == ("accepted", "notified", "rejected", "handled")
    assert OUTCOME_NAMES == {
        "accepted": "受理通知书",
        "notified": "一次性告知书",
        "rejected": "不予受理凭证",
        "handled": "即办",
    }


@pytest.mark.parametrize("outcome", OUTCOMES)
def test_check_outcome_returns_a_valid_outcome_unchanged(outcome):
    assert check_outcome(outcome) == outcome


@pytest.mark.parametrize("outcome", ["", "done", "Accepted", None, 1])
def test_check_outcome_rejects_anything_else_listing_the_choices(outcome):
    with pytest.raises(InvalidOutcome) as raised:
        check_outcome(outcome)
    assert raised.value.code == "invalid_outcome"
    assert "accepted" in raised.value.message and "受理通知书" in raised.value.message


MONDAY, TUESDAY = dt.date(2026, 1, 5), dt.date(2026, 1, 6)
CHECKLIST = ("营业执照申请书", "身份证明")


@pytest.mark.parametrize("status", ["waiting", "called", "serving"])
def test_a_ticket_an_earlier_day_left_open_reads_as_cancelled_by_the_day_closing(status):
    assert effective_status(status, None, MONDAY, TUESDAY) == ("cancelled", "day_closed")
    assert effective_status(status, None, TUESDAY, TUESDAY) == (status, None)


@pytest.mark.parametrize("status", ["done", "no_show", "transferred", "cancelled"])
def test_a_ticket_that_ended_keeps_how_it_ended_on_later_days(status):
    assert effective_status(status, "citizen" if status == "cancelled" else None, MONDAY, TUESDAY)[0] == status


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_a_rejection_needs_a_reason(reason):
    with pytest.raises(ReasonRequired) as raised:
        finish_record("rejected", reason, None, CHECKLIST)
    assert raised.value.code == "reason_required" and raised.value.status == 400


def test_a_rejection_keeps_its_reason_and_a_notice_its_missing_entries_of_the_checklist():
    assert finish_record("rejected", "  不属于本机关职权范围 ", None, CHECKLIST) == ("不属于本机关职权范围", None)
    assert finish_record("notified", None, ["身份证明"], CHECKLIST) == (None, ["身份证明"])
    assert finish_record("notified", None, None, CHECKLIST) == (None, None)
    assert finish_record("accepted", None, None, CHECKLIST) == (None, None)


@pytest.mark.parametrize(("outcome", "reason", "missing"), [
    ("notified", None, ["户口本"]),  # not on the item's checklist
    ("notified", None, ["身份证明", "身份证明"]),
    ("notified", None, "身份证明"),  # one string, not a list
    ("notified", None, [3]),
    ("notified", None, ["身份证明"] * 51),
    ("accepted", None, ["身份证明"]),  # missing belongs to a one-time notice only
    ("handled", "理由", None),  # a reason belongs to a rejection only
])
def test_a_finish_record_of_the_wrong_shape_is_a_bad_request(outcome, reason, missing):
    with pytest.raises(BadRequest) as raised:
        finish_record(outcome, reason, missing, CHECKLIST)
    assert raised.value.status == 400 and raised.value.code == "invalid_field"
