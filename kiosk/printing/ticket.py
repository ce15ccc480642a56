"""What a printed ticket says, and its layout as data.

``ticket_lines`` is the single description of the ticket. The ESC/POS renderer and the PNG
preview both draw these lines, so the screen preview and the paper always agree.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, fields
from typing import Literal

from kiosk.printing.text_width import balanced_wrap, display_width, wrap

PaperWidth = Literal[58, 80]
Align = Literal["left", "center", "right"]
LineKind = Literal["text", "rule", "qr"]

# Half-width columns of font A (12 x 24 dots) across the printable width of a 203 dpi head.
COLUMNS: dict[int, int] = {58: 32, 80: 48}
PAPER_PIXELS: dict[int, int] = {58: 384, 80: 576}
# The ticket number is the one thing read from across the hall; the 58 mm roll gets a smaller
# multiplier so that a two-letter prefix and four digits still fit on a line.
NUMBER_SIZE: dict[int, int] = {58: 3, 80: 4}
# QR module size in dots: about 25 mm wide for a status URL on 80 mm paper, 20 mm on 58 mm.
QR_MODULE_DOTS: dict[int, int] = {58: 5, 80: 6}


@dataclass(frozen=True)
class Place:
    """Windows that may call the ticket on one floor: ("三楼", ("31", "32")); ``helping``: by overflow."""

    floor: str  # the floor's name (or the zone's, where the layout names no floor); "" for none
    windows: tuple[str, ...]
    helping: bool = False


@dataclass(frozen=True)
class TicketPrint:
    """Everything printed on one ticket (号票)."""

    hall_name: str
    number: str  # "A012"
    service_name: str
    zone_name: str
    windows: tuple[str, ...]  # window numbers as shown: ("3", "5", "7")
    ahead: int
    eta_minutes: int | None  # None: no window serving the queue is open yet
    issued_at: dt.datetime  # local time of the site, timezone-aware
    notice: str  # "过号请重新取号"
    qr_url: str
    priority_name: str | None = None
    english: bool = False  # add a short English line under the Chinese ones
    hall_name_en: str = ""
    service_name_en: str = ""
    zone_name_en: str = ""
    notice_en: str = ""
    places: tuple[Place, ...] = ()  # where to go, floor by floor; empty: ``windows`` without a floor

    def __post_init__(self) -> None:
        if not self.number.strip():
            raise ValueError("ticket number is empty")
        if not self.qr_url.strip():
            raise ValueError("ticket qr_url is empty")
        if self.ahead < 0:
            raise ValueError(f"ahead must not be negative, got {self.ahead}")
        if self.eta_minutes is not None and self.eta_minutes < 0:
            raise ValueError(f"eta_minutes must not be negative, got {self.eta_minutes}")
        if self.issued_at.tzinfo is None or self.issued_at.utcoffset() is None:
            raise ValueError("issued_at must be timezone-aware (the site's local time)")
        if isinstance(self.windows, str):
            raise ValueError("windows must be a tuple of window numbers, not one string")
        for field in fields(self):
            value = getattr(self, field.name)
            texts = value if isinstance(value, tuple) else (value,)
            for text in texts:
                if isinstance(text, Place):
                    for part in (text.floor, *text.windows):
                        _refuse_control_characters(field.name, part)
                elif isinstance(text, str):
                    _refuse_control_characters(field.name, text)


def _refuse_control_characters(name: str, text: str) -> None:
    # A stray ESC or GS in a name would be read by the printer as a command.
    allowed = "\n" if name in ("notice", "notice_en") else ""
    for char in text:
        if unicodedata.category(char) == "Cc" and char not in allowed:
            raise ValueError(f"{name} contains the control character {char!r}: {text!r}")


@dataclass(frozen=True)
class Line:
    """One printed line. ``size`` multiplies both width and height (1 to 8)."""

    text: str = ""
    size: int = 1
    align: Align = "left"
    bold: bool = False
    kind: LineKind = "text"


def columns_for(paper_mm: int, size: int = 1) -> int:
    """Half-width columns a line of the given character size can hold."""
    if paper_mm not in COLUMNS:
        raise ValueError(f"paper width must be 58 or 80 mm, got {paper_mm!r}")
    return COLUMNS[paper_mm] // size


def windows_text(windows: tuple[str, ...]) -> str:
    """The window line, e.g. 请到 3、5、7号窗口; with no window it asks to watch the call screens."""
    if not windows:
        return "请留意叫号屏"
    return f"请到 {'、'.join(windows)}号窗口"


def place_text(place: Place) -> str:
    """三楼 31、32号窗口."""
    return f"{place.floor} {'、'.join(place.windows)}号窗口".strip()


def where_lines(ticket: TicketPrint) -> tuple[str, str, str]:
    """(where to go, the windows that may also call, its English): 请到 三楼 31、32号窗口 / 人多时 一楼
    3号窗口 也会叫号. Without places, the window numbers alone, as before floors were printed."""
    own = [place for place in ticket.places if not place.helping]
    helping = [place for place in ticket.places if place.helping]
    if not ticket.places:
        english = f"Go to window {', '.join(ticket.windows)}" if ticket.windows else "Watch the call screens"
        return windows_text(ticket.windows), "", english
    main = f"请到 {'；'.join(place_text(place) for place in own)}" if own else "请留意叫号屏"
    also = f"人多时 {'；'.join(place_text(place) for place in helping)} 也会叫号" if helping else ""
    numbers = [number for place in own for number in place.windows]
    english = f"Go to window {', '.join(numbers)}" if numbers else "Watch the call screens"
    return main, also, english


def eta_text(ticket: TicketPrint) -> tuple[str, str]:
    if ticket.eta_minutes is None:
        return "暂无窗口开放，请留意叫号", "No window is open yet: watch for your call"
    return f"预计等候约 {ticket.eta_minutes} 分钟", f"Estimated wait: about {ticket.eta_minutes} min"


def ticket_lines(ticket: TicketPrint, paper_mm: int = 80) -> list[Line]:
    """The ticket laid out for the paper width, wrapped by display width."""
    width = columns_for(paper_mm)
    english = ticket.english
    lines: list[Line] = []

    def centered(text: str, size: int = 1, bold: bool = False) -> None:
        for part in balanced_wrap(text, columns_for(paper_mm, size)):
            lines.append(Line(part, size=size, align="center", bold=bold))

    def title(text: str) -> None:
        # Double size only when the hall name fits on one line; a long name stays readable at normal size.
        fits = display_width(text) <= columns_for(paper_mm, 2)
        centered(text, size=2 if fits else 1, bold=True)

    def labelled(label: str, value: str, bold: bool = False) -> None:
        for part in balanced_wrap(label + value, width, indent=display_width(label)):
            lines.append(Line(part, bold=bold))

    def english_line(text: str, align: Align = "left") -> None:
        if not (english and text):
            return
        parts = balanced_wrap(text, width) if align == "center" else wrap(text, width, indent=2)
        lines.extend(Line(part, align=align) for part in parts)

    rule = Line("-" * width, kind="rule")

    title(ticket.hall_name)
    if english and ticket.hall_name_en:
        centered(ticket.hall_name_en)
    lines.append(rule)
    centered("您的号码")
    english_line("Your number", align="center")
    centered(ticket.number, size=NUMBER_SIZE[paper_mm], bold=True)
    if ticket.priority_name:
        centered(f"【{ticket.priority_name}优先】", bold=True)
        english_line("Priority ticket", align="center")
    lines.append(rule)
    labelled("业务：", ticket.service_name, bold=True)
    english_line(ticket.service_name_en)
    labelled("区域：", ticket.zone_name)
    english_line(ticket.zone_name_en)
    main, also, where_en = where_lines(ticket)
    labelled("", main, bold=True)
    if also:
        labelled("", also)
    english_line(where_en)
    labelled("", f"前面还有 {ticket.ahead} 人")
    english_line(f"{ticket.ahead} ahead of you")
    wait, wait_en = eta_text(ticket)
    labelled("", wait)
    english_line(wait_en)
    issued = ticket.issued_at.strftime("%Y-%m-%d %H:%M")
    labelled("取号时间：", issued)
    english_line(f"Issued {issued}")
    lines.append(rule)
    if ticket.notice:
        centered(ticket.notice, bold=True)
    english_line(ticket.notice_en, align="center")
    lines.append(Line(ticket.qr_url, align="center", kind="qr"))
    centered("扫码查看排队进度")
    english_line("Scan to track your ticket", align="center")
    return lines
