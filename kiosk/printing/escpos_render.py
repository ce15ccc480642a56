"""Ticket layout to ESC/POS bytes, through ``printer._raw`` (python-escpos's transport)."""

from __future__ import annotations

import copy
from typing import Literal

from escpos.capabilities import Profile, get_profile
from escpos.escpos import Escpos
from escpos.printer import Dummy

from kiosk.printing.escpos_commands import (
    CHINESE_MODE_ON,
    FULL_CUT,
    INITIALIZE,
    LF,
    align,
    bold,
    character_size,
    chinese_text,
    feed_lines,
    qr_native,
)
from kiosk.printing.qr_image import centered_on_width, qr_image
from kiosk.printing.ticket import PAPER_PIXELS, QR_MODULE_DOTS, Line, TicketPrint, ticket_lines

QrMode = Literal["native", "image"]
# Lines fed before the cut, so the last printed line clears the cutter above the print head.
FEED_BEFORE_CUT = 5


def paper_profile(paper_mm: int) -> Profile:
    """python-escpos's default profile with the roll's pixel width filled in, so that
    ``printer.image`` knows the printable width (and does not warn on stdout that it is unknown)."""
    _check_paper(paper_mm)
    data = copy.deepcopy(get_profile().profile_data)
    data["media"] = {"dpi": 203, "width": {"mm": paper_mm, "pixels": PAPER_PIXELS[paper_mm]}}
    profile = Profile(features=dict(data.get("features", {})))
    profile.profile_data = data
    return profile


def _check_paper(paper_mm: int) -> None:
    if paper_mm not in PAPER_PIXELS:
        raise ValueError(f"paper width must be 58 or 80 mm, got {paper_mm!r}")


def _printable_pixels(printer: Escpos, paper_mm: int) -> int:
    # A profile may know a narrower head than the roll (e.g. 512 dots at 180 dpi on 80 mm).
    try:
        known = int(printer.profile.profile_data["media"]["width"]["pixels"])
    except (AttributeError, KeyError, TypeError, ValueError):
        return PAPER_PIXELS[paper_mm]
    return min(known, PAPER_PIXELS[paper_mm])


def _text_line(line: Line) -> bytes:
    return align(line.align) + bold(line.bold) + character_size(line.size) + chinese_text(line.text) + LF


def render_ticket(
    printer: Escpos, ticket: TicketPrint, paper_mm: int = 80, qr_mode: QrMode = "native"
) -> None:
    """Write the whole ticket to ``printer``: init, Chinese mode, lines, QR, feed and cut."""
    _check_paper(paper_mm)
    if qr_mode not in ("native", "image"):
        raise ValueError(f"qr_mode must be 'native' or 'image', got {qr_mode!r}")
    # Encode every line before the first byte goes out, so a bad line never leaves half a ticket.
    lines = ticket_lines(ticket, paper_mm)
    encoded = [None if line.kind == "qr" else _text_line(line) for line in lines]
    printer._raw(INITIALIZE + CHINESE_MODE_ON)
    for line, data in zip(lines, encoded, strict=True):
        if data is not None:
            printer._raw(data)
            continue
        write_qr(printer, line.text, paper_mm, qr_mode)
    printer._raw(align("left") + bold(False) + character_size(1) + feed_lines(FEED_BEFORE_CUT) + FULL_CUT)


def write_qr(printer: Escpos, url: str, paper_mm: int, qr_mode: QrMode) -> None:
    """A centred QR code of ``url`` on its own line, at the paper's module size: the printer's own QR command
    (``native``) or a raster image of it (``image``, for printers without the command)."""
    if qr_mode not in ("native", "image"):
        raise ValueError(f"qr_mode must be 'native' or 'image', got {qr_mode!r}")
    printer._raw(align("center") + bold(False) + character_size(1))
    if qr_mode == "native":
        printer._raw(qr_native(url, QR_MODULE_DOTS[paper_mm]))
    else:
        # Padded to the printable width: centred even on printers that ignore ESC a for images.
        image = centered_on_width(qr_image(url, QR_MODULE_DOTS[paper_mm]), _printable_pixels(printer, paper_mm))
        printer.image(image, impl="bitImageRaster", center=False)
    printer._raw(LF)


def ticket_bytes(ticket: TicketPrint, paper_mm: int = 80, qr_mode: QrMode = "native") -> bytes:
    """The exact bytes a printer receives for this ticket."""
    printer = Dummy(profile=paper_profile(paper_mm))
    render_ticket(printer, ticket, paper_mm, qr_mode)
    return printer.output
