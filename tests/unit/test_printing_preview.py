"""The PNG preview of a ticket: as wide as the print head, really drawn, and honest about fonts."""

from __future__ import annotations

import io
from dataclasses import replace

import pytest
from PIL import Image

from kiosk.printing import FontNotFoundError, preview, sample, ticket_png
from tests.support.tickets import sample_print

TICKET = sample_print(qr_url="https://hall.example.cn/t/Qm9vZnVkZ2VzQW5kQ3JlYW0x")


def open_png(data: bytes) -> Image.Image:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    return Image.open(io.BytesIO(data)).convert("L")


@pytest.mark.parametrize(("paper_mm", "width"), [(80, 576), (58, 384)])
def test_the_preview_is_as_wide_as_the_print_head_and_taller_than_wide(paper_mm, width):
    image = open_png(ticket_png(TICKET, paper_mm))
    assert image.width == width
    assert image.height > image.width


def test_the_preview_is_not_blank_but_mostly_white_paper():
    image = open_png(ticket_png(TICKET))
    histogram = image.histogram()
    dark = sum(histogram[:128]) / (image.width * image.height)
    assert 0.03 < dark < 0.5
    # Ink in the top third (hall name, number) and the bottom third (QR code) alike.
    third = image.height // 3
    assert image.crop((0, 0, image.width, third)).getextrema()[0] == 0
    assert image.crop((0, 2 * third, image.width, image.height)).getextrema()[0] == 0


def test_the_big_number_is_drawn_in_the_middle_of_the_paper():
    image = open_png(ticket_png(TICKET))
    # Margin 24 + title 54 + rule 30 + label 30 dots: the quadruple-size number fills rows 138 to 240.
    band = image.crop((0, 140, image.width, 236))
    left, top, right, bottom = band.point(lambda value: 255 if value < 128 else 0).getbbox()
    assert bottom - top > 60  # glyphs 96 dots tall, not a line of small text
    assert right - left > 150  # four characters of 48 dots
    assert abs((left + right) / 2 - image.width / 2) < 12


def test_more_lines_make_a_longer_ticket():
    short = open_png(ticket_png(TICKET))
    long = open_png(ticket_png(replace(TICKET, english=True, priority_name="老年人")))
    assert long.height > short.height


def test_without_any_chinese_font_the_preview_says_what_to_install(monkeypatch):
    monkeypatch.setattr(preview, "_candidate_paths", lambda bold: ["/nonexistent/font.ttc"])
    preview.find_cjk_font.cache_clear()
    preview._font.cache_clear()
    try:
        with pytest.raises(FontNotFoundError, match="fonts-noto-cjk"):
            ticket_png(TICKET)
    finally:
        preview.find_cjk_font.cache_clear()
        preview._font.cache_clear()


def test_the_sample_command_writes_both_paper_widths(tmp_path):
    assert sample.main([str(tmp_path)]) == 0
    assert open_png((tmp_path / "ticket-80mm.png").read_bytes()).width == 576
    assert open_png((tmp_path / "ticket-58mm.png").read_bytes()).width == 384
