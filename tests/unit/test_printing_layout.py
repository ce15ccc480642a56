"""The ticket layout as data: widths as the printer counts them, and wrapping that loses nothing."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.printing import ticket_lines
from kiosk.printing.text_width import balanced_wrap, display_width, wrap
from tests.support.tickets import sample_print

TICKET = sample_print(service_name="企业设立登记", windows=("3",), ahead=0, eta_minutes=0,
                      qr_url="https://hall.example.cn/t/x")

ticket_text = st.text(
    alphabet=st.sampled_from(list("政务服务中心企业登记不动产（），。：、 ABCxyz0123-/䶮𠀀")), max_size=120
)


def test_a_character_is_as_wide_as_its_gb18030_bytes_print():
    assert display_width("A012") == 4
    assert display_width("号") == 2
    # East Asian Width calls these ambiguous; a Chinese printer prints them full width.
    assert display_width("…—“") == 6
    assert display_width("𠀀") == 2


@given(text=ticket_text, width=st.integers(min_value=8, max_value=48), indent=st.integers(0, 6))
def test_wrapped_lines_never_exceed_the_width_and_lose_no_character(text, width, indent):
    lines = wrap(text, width, indent)
    assert all(display_width(line) <= width for line in lines)
    assert all(line.startswith(" " * indent) for line in lines[1:])
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


@given(text=ticket_text, width=st.integers(min_value=8, max_value=48))
def test_balanced_wrapping_uses_no_more_lines_than_plain_wrapping(text, width):
    lines = balanced_wrap(text, width)
    assert len(lines) == len(wrap(text, width))
    assert all(display_width(line) <= width for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def test_closing_punctuation_does_not_start_a_line():
    assert wrap("一二三四五六七八九十一二。三", 24) == ["一二三四五六七八九十一", "二。三"]


def test_a_long_item_name_wraps_under_itself_after_its_label():
    name = "企业设立登记（含名称自主申报）、股权变更登记与营业执照换发"
    lines = [
        line
        for line in ticket_lines(replace(TICKET, service_name=name), 58)
        if "业务" in line.text or line.text.startswith(" ")
    ]
    assert len(lines) >= 2
    assert lines[0].text.startswith("业务：企业")
    assert all(line.text.startswith("      ") and line.text[6] != " " for line in lines[1:])
    assert "".join(line.text.strip() for line in lines) == "业务：" + name


@pytest.mark.parametrize("paper_mm", [58, 80])
def test_every_text_line_fits_the_paper_at_its_size(paper_mm):
    ticket = replace(
        TICKET,
        hall_name="经济技术开发区企业服务中心政务服务大厅",
        service_name="建设工程规划许可证核发（建筑类）及其变更、延续",
        notice="过号请重新取号；超过三十分钟未到窗口的号票自动作废。",
        english=True,
        hall_name_en="Economic and Technological Development Zone Enterprise Service Centre",
        priority_name="军人",
    )
    columns = {58: 32, 80: 48}[paper_mm]
    for line in ticket_lines(ticket, paper_mm):
        if line.kind != "qr":
            assert display_width(line.text) * line.size <= columns, line


def test_the_ticket_number_is_the_biggest_thing_on_the_ticket():
    lines = ticket_lines(TICKET, 80)
    number = next(line for line in lines if line.text == "A012")
    assert number.size == max(line.size for line in lines) == 4
    assert number.bold and number.align == "center"


def test_the_qr_line_carries_the_status_url():
    qr_lines = [line for line in ticket_lines(TICKET) if line.kind == "qr"]
    assert [line.text for line in qr_lines] == ["https://hall.example.cn/t/x"]
