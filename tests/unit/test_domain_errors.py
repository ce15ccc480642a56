import pytest

from server.domain import errors

EXPECTED_CODES = {
    errors.IllegalTransition: "illegal_transition",
    errors.InvalidOutcome: "invalid_outcome",
    errors.ServiceUnavailable: "service_unavailable",
    errors.DailyCapReached: "daily_cap_reached",
    errors.HallClosed: "hall_closed",
    errors.WindowNotOpen: "window_not_open",
    errors.WindowPaused: "window_paused",
    errors.NoCurrentTicket: "no_current_ticket",
    errors.CurrentTicketOpen: "current_ticket_open",
    errors.WindowTaken: "window_taken",
    errors.NoPrinter: "no_printer",
}


@pytest.mark.parametrize(("error_class", "code"), EXPECTED_CODES.items())
def test_every_domain_error_has_its_snake_case_code_and_a_chinese_default_message(error_class, code):
    error = error_class()
    assert isinstance(error, errors.DomainError)
    assert error.code == code
    assert any("\u4e00" <= char <= "\u9fff" for char in error.message)
    assert str(error) == error.message


@pytest.mark.parametrize(
    ("error_class", "chinese"),
    [
        (errors.ServiceUnavailable, "该事项今日暂不办理"),
        (errors.DailyCapReached, "今日号已取完"),
        (errors.HallClosed, "当前不在办公时间"),
        (errors.WindowNotOpen, "窗口未开放"),
        (errors.NoCurrentTicket, "当前没有正在办理的号"),
        (errors.CurrentTicketOpen, "请先办结或标记过号当前号票"),
        (errors.WindowTaken, "该窗口已由其他工作人员登录"),
    ],
)
def test_default_messages_start_with_the_agreed_chinese_text(error_class, chinese):
    assert error_class().message.startswith(chinese)


def test_a_specific_message_replaces_the_default_but_keeps_the_code():
    error = errors.DailyCapReached("不动产首次登记今日号已取完")
    assert error.message == "不动产首次登记今日号已取完"
    assert error.code == "daily_cap_reached"
    with pytest.raises(errors.DomainError, match="不动产首次登记"):
        raise error
