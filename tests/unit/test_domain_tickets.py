import pytest

from server.domain.errors import IllegalTransition, InvalidOutcome
from server.domain.tickets import (
    ACTIONS,
    FINAL_STATUSES,
    OUTCOME_NAMES,
    OUTCOMES,
    STATUSES,
    allowed_actions,
    check_outcome,
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


def test_final_statuses_allow_no_action_at_all():
    for status in FINAL_STATUSES:
        assert allowed_actions(status) == ()


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
