"""How calls are read aloud: ticket numbers digit by digit, window numbers as numbers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from display.voice.speech import (
    DEFAULT_TEMPLATE,
    TemplateError,
    call_text,
    parse_template,
    ticket_reading,
    window_reading,
)

DIGIT_VALUES = {character: value for value, character in enumerate("零一二三四五六七八九")}
PLACE_VALUES = {"十": 10, "百": 100, "千": 1000}


def chinese_number_value(text: str) -> int:
    """An independent reader of Chinese numerals, to check readings against."""
    total, digit = 0, None
    for character in text:
        if character in DIGIT_VALUES:
            digit = DIGIT_VALUES[character]
        else:
            total += (1 if digit is None else digit) * PLACE_VALUES[character]
            digit = None
    return total + (digit or 0)


@pytest.mark.parametrize(
    ("number", "spoken"),
    [
        ("A012", "A零一二"),
        ("A001", "A零零一"),
        ("B100", "B一零零"),
        ("Z999", "Z九九九"),
        ("AB1000", "AB一零零零"),
        ("a7", "A七"),
        (" C05 ", "C零五"),
        ("0123456789", "零一二三四五六七八九"),
    ],
)
def test_a_ticket_number_is_read_letter_by_letter_and_digit_by_digit(number: str, spoken: str) -> None:
    assert ticket_reading(number) == spoken


@pytest.mark.parametrize("number", ["", "   ", "A-12", "A 12", "Ａ12", "A12号"])
def test_a_ticket_number_with_anything_but_letters_and_digits_is_refused(number: str) -> None:
    with pytest.raises(ValueError, match="ticket number"):
        ticket_reading(number)


@pytest.mark.parametrize(
    ("number", "spoken"),
    [
        ("1", "一"),
        ("5", "五"),
        ("10", "十"),
        ("12", "十二"),
        ("19", "十九"),
        ("20", "二十"),
        ("21", "二十一"),
        ("99", "九十九"),
        ("100", "一百"),
        ("101", "一百零一"),
        ("110", "一百一十"),
        ("111", "一百一十一"),
        ("199", "一百九十九"),
        ("200", "二百"),
        ("1000", "一千"),
        ("1001", "一千零一"),
        ("1010", "一千零一十"),
        ("9999", "九千九百九十九"),
        ("0", "零"),
    ],
)
def test_a_window_number_is_read_as_a_chinese_number(number: str, spoken: str) -> None:
    assert window_reading(number) == spoken


@pytest.mark.parametrize(
    ("number", "spoken"),
    [
        ("B3", "B三"),
        ("b12", "B十二"),
        ("3B", "三B"),
        ("A1B2", "A一B二"),
        (" 7 ", "七"),
        ("综合1", "综合一"),
    ],
)
def test_letters_in_a_window_number_are_read_as_letters_and_digit_runs_as_numbers(
    number: str, spoken: str
) -> None:
    assert window_reading(number) == spoken


@pytest.mark.parametrize(("number", "spoken"), [("05", "零五"), ("007", "零零七"), ("10001", "一零零零一")])
def test_a_window_number_with_a_leading_zero_or_five_digits_is_read_digit_by_digit(
    number: str, spoken: str
) -> None:
    assert window_reading(number) == spoken


@pytest.mark.parametrize("number", ["", " ", "5-1", "5.1", "5/1", "#5"])
def test_a_window_number_with_other_characters_is_refused(number: str) -> None:
    with pytest.raises(ValueError, match="window number"):
        window_reading(number)


@given(st.integers(min_value=1, max_value=9999))
def test_every_window_number_up_to_9999_reads_back_to_its_value(value: int) -> None:
    spoken = window_reading(str(value))

    assert chinese_number_value(spoken) == value
    assert "零零" not in spoken
    assert not spoken.endswith("零")
    assert not spoken.startswith("一十")


def test_the_default_call_reads_like_a_hall_announcement() -> None:
    assert call_text(DEFAULT_TEMPLATE, "A012", "5") == "请A零一二号到五号窗口办理"
    assert call_text(DEFAULT_TEMPLATE, "B003", "12") == "请B零零三号到十二号窗口办理"
    assert call_text(DEFAULT_TEMPLATE, "C120", "101") == "请C一二零号到一百零一号窗口办理"


def test_a_template_may_leave_the_window_out_and_then_ignores_it() -> None:
    assert call_text("请{ticket}号到本窗口办理", "A012", "") == "请A零一二号到本窗口办理"


def test_a_template_may_say_the_ticket_twice_and_use_literal_braces() -> None:
    assert call_text("{ticket}，{{重复}}{ticket}", "A1", "1") == "A一，{重复}A一"


def test_a_template_is_split_into_fixed_phrases_and_slots() -> None:
    parts = parse_template(DEFAULT_TEMPLATE)

    assert [(part.text, part.slot) for part in parts] == [
        ("请", None),
        ("", "ticket"),
        ("号到", None),
        ("", "window"),
        ("号窗口办理", None),
    ]


@pytest.mark.parametrize(
    ("template", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("请{who}号", "unknown placeholder"),
        ("请{}号", "unknown placeholder"),
        ("请{ticket:>4}号", "unknown placeholder"),
        ("请{ticket!r}号", "unknown placeholder"),
        ("请{ticket号", "unbalanced"),
        ("请{ticket}号}", "unbalanced"),
        ("到{window}号窗口办理", "must say the ticket"),
    ],
)
def test_a_template_that_cannot_be_spoken_is_refused_with_the_reason(template: str, reason: str) -> None:
    with pytest.raises(TemplateError, match=reason):
        call_text(template, "A012", "5")


def test_a_bad_window_is_refused_even_when_the_ticket_is_fine() -> None:
    with pytest.raises(ValueError, match="window number"):
        call_text(DEFAULT_TEMPLATE, "A012", "5-1")
