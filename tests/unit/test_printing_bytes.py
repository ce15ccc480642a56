"""The exact bytes a ticket sends to an ESC/POS printer, spelled out from the command reference."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest

from kiosk.printing import render_ticket, ticket_bytes
from kiosk.printing.escpos_render import paper_profile
from tests.support.tickets import sample_print

ESC, GS, FS, LF = b"\x1b", b"\x1d", b"\x1c", b"\n"
SHANGHAI = ZoneInfo("Asia/Shanghai")
URL = "https://hall.example.cn/t/Qm9vZnVkZ2VzQW5kQ3JlYW0x"

TICKET = sample_print(service_name="企业设立登记", qr_url=URL)


def line(text: str, align: int = 0, bold: int = 0, size: int = 0x00) -> bytes:
    """ESC a n (0 left, 1 centre), ESC E n, GS ! n (high nibble width - 1, low nibble height - 1), text, LF."""
    return b"".join(
        [
            ESC,
            b"a",
            bytes([align]),
            ESC,
            b"E",
            bytes([bold]),
            GS,
            b"!",
            bytes([size]),
            text.encode("gb18030"),
            LF,
        ]
    )


def qr_model_2(data: str, module_dots: int) -> bytes:
    """GS ( k pL pH cn=49 fn ...: model 2, module size, error level M, store, print."""
    payload = data.encode("ascii")
    store_length = len(payload) + 3
    functions = [
        bytes([4, 0, 49, 65, 50, 0]),  # fn 65: model 2
        bytes([3, 0, 49, 67, module_dots]),  # fn 67: module size
        bytes([3, 0, 49, 69, 49]),  # fn 69: error correction M
        bytes([store_length % 256, store_length // 256, 49, 80, 48]) + payload,  # fn 80: store
        bytes([3, 0, 49, 81, 48]),  # fn 81: print
    ]
    return b"".join(GS + b"(k" + function for function in functions)


def expected_ticket(columns: int, title_size: int, number_size: int, module_dots: int) -> bytes:
    rule = line("-" * columns)
    plain_centred = ESC + b"a\x01" + ESC + b"E\x00" + GS + b"!\x00"
    plain_left = ESC + b"a\x00" + ESC + b"E\x00" + GS + b"!\x00"
    return b"".join(
        [
            ESC + b"@",  # initialize
            FS + b"&",  # Chinese (Kanji) mode
            line("清河县政务服务中心", align=1, bold=1, size=title_size),
            rule,
            line("您的号码", align=1),
            line("A012", align=1, bold=1, size=number_size),
            rule,
            line("业务：企业设立登记", bold=1),
            line("区域：综合受理区"),
            line("请到 3、5、7号窗口", bold=1),
            line("前面还有 4 人"),
            line("预计等候约 18 分钟"),
            line("取号时间：2026-11-26 09:05"),
            rule,
            line("过号请重新取号", align=1, bold=1),
            plain_centred + qr_model_2(URL, module_dots) + LF,
            line("扫码查看排队进度", align=1),
            plain_left,
            ESC + b"d\x05",  # feed 5 lines past the cutter
            GS + b"V\x00",  # full cut
        ]
    )


def test_an_80_mm_ticket_is_exactly_init_chinese_mode_gb18030_lines_a_native_qr_and_a_cut():
    # 48 columns; the hall name fits at double size; the number is printed at quadruple size.
    assert ticket_bytes(TICKET, paper_mm=80) == expected_ticket(48, 0x11, 0x33, 6)


def test_a_58_mm_ticket_uses_32_columns_a_triple_size_number_and_keeps_a_long_hall_name_at_normal_size():
    # Nine characters at double size would need 36 of the 32 columns.
    assert ticket_bytes(TICKET, paper_mm=58) == expected_ticket(32, 0x00, 0x22, 5)


def test_full_width_punctuation_and_rare_characters_survive_as_gb18030():
    name = "企业登记（含变更），注销：䶮𠀀"
    output = ticket_bytes(replace(TICKET, service_name=name, notice="过号请重新取号！"))
    assert b"?" not in output
    assert "业务：企业登记（含变更），注销：䶮𠀀".encode("gb18030") in output
    assert b"\x95\x32\x82\x36" in output  # 𠀀 (U+20000) is a four-byte GB18030 sequence
    start = output.index("业务".encode("gb18030"))
    printed = output[start : output.index(LF, start)].decode("gb18030")
    assert printed == "业务：企业登记（含变更），注销：䶮𠀀"


def test_image_qr_mode_sends_a_raster_bit_image_instead_of_the_native_qr_command():
    output = ticket_bytes(TICKET, paper_mm=80, qr_mode="image")
    assert b"\x1d(k" not in output
    header = output.index(GS + b"v0")
    # GS v 0 m xL xH yL yH: the image is padded to the 576-dot head, 72 bytes a row.
    assert output[header + 4 : header + 6] == bytes([72, 0])
    assert output.endswith(GS + b"V\x00")


def test_image_qr_mode_on_58_mm_paper_is_48_bytes_a_row():
    output = ticket_bytes(TICKET, paper_mm=58, qr_mode="image")
    header = output.index(GS + b"v0")
    assert output[header + 4 : header + 6] == bytes([48, 0])


def test_render_ticket_writes_through_the_given_printer():
    from escpos.printer import Dummy

    printer = Dummy(profile=paper_profile(80))
    render_ticket(printer, TICKET, paper_mm=80, qr_mode="native")
    assert printer.output == ticket_bytes(TICKET)


def test_a_priority_ticket_says_so_under_the_number():
    output = ticket_bytes(replace(TICKET, priority_name="老年人"))
    assert line("【老年人优先】", align=1, bold=1) in output


def test_english_adds_a_short_line_under_the_chinese_ones():
    output = ticket_bytes(replace(TICKET, english=True, service_name_en="Company registration"))
    assert line("您的号码", align=1) + line("Your number", align=1) in output
    assert line("业务：企业设立登记", bold=1) + line("Company registration") in output
    assert line("Go to window 3, 5, 7") in output
    assert line("4 ahead of you") in output


def test_a_ticket_without_windows_asks_to_watch_the_call_screens():
    assert line("请留意叫号屏", bold=1) in ticket_bytes(replace(TICKET, windows=()))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"issued_at": dt.datetime(2026, 11, 26, 9, 5)}, "timezone-aware"),
        ({"ahead": -1}, "ahead"),
        ({"number": " "}, "number"),
        ({"qr_url": ""}, "qr_url"),
        ({"service_name": "企业\x1b@登记"}, "control character"),
        ({"windows": "357"}, "windows"),
    ],
)
def test_a_ticket_with_bad_content_is_refused_with_a_clear_error(changes, message):
    with pytest.raises(ValueError, match=message):
        replace(TICKET, **changes)


def test_an_unknown_paper_width_or_qr_mode_is_refused():
    with pytest.raises(ValueError, match="58 or 80"):
        ticket_bytes(TICKET, paper_mm=72)
    with pytest.raises(ValueError, match="qr_mode"):
        ticket_bytes(TICKET, qr_mode="svg")
