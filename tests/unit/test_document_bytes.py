"""The window's documents on its receipt printer (kiosk/document_print.py): typed text prints as text."""

from __future__ import annotations

from types import SimpleNamespace

from kiosk.document_print import document_bytes
from kiosk.printing.escpos_commands import CHINESE_MODE_ON, FULL_CUT, INITIALIZE, chinese_text, qr_native
from kiosk.printing.ticket import QR_MODULE_DOTS

RASTER = b"\x1dv0"  # GS v 0: a raster bit image


def rejection(reason: str) -> dict:
    return {"kind": "rejected", "site": SimpleNamespace(name="固镇县政务服务中心"), "title": "不予受理凭证",
            "service_name": "企业设立登记", "reason": reason, "window_name": "3号窗口", "ticket_number": "A012",
            "at": "2026-12-01 10:30"}


def test_a_typed_reason_with_printer_commands_in_it_prints_them_as_spaces():
    # ESC @ would reset the printer out of Chinese mode; GS V 1 would cut the paper in the middle
    printed = document_bytes(rejection("材料不全\x1b@\x1dV1 缺营业执照\r"))
    assert printed.startswith(INITIALIZE + CHINESE_MODE_ON) and printed.endswith(FULL_CUT)
    body = printed[len(INITIALIZE):-len(FULL_CUT)]
    assert INITIALIZE not in body and FULL_CUT[:2] not in body and b"\r" not in body
    assert chinese_text("材料不全 @ V1 缺营业执照") in body


def test_chinese_text_keeps_line_feeds_and_every_printable_character():
    assert chinese_text("第一行\n第二行 ·𠮷") == "第一行\n第二行 ·𠮷".encode("gb18030")
    assert chinese_text("a\x00b\x07c\x9bd") == b"a b c d"


def acceptance(url: str) -> dict:
    return {**rejection(""), "kind": "notified", "title": "一次性告知书", "missing": ["营业执照"], "tracking_url": url}


def test_the_tracking_qr_is_printed_as_the_window_printer_is_set_up_to_print_one():
    url = "https://hall.example.cn/c/Qm9vZnVkZ2VzQW5kQ3JlYW0x"
    native = document_bytes(acceptance(url), 58, "native")
    assert qr_native(url, QR_MODULE_DOTS[58]) in native and RASTER not in native  # the 58 mm module size
    image = document_bytes(acceptance(url), 80, "image")
    assert qr_native(url, QR_MODULE_DOTS[80]) not in image and RASTER in image  # a printer without QR codes
    assert image.endswith(FULL_CUT)
