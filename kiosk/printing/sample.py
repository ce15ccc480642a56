"""A sample ticket: for a printer test page, and for the pictures in docs/.

``python -m kiosk.printing.sample docs/`` writes docs/ticket-80mm.png and docs/ticket-58mm.png.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

from kiosk.printing.preview import ticket_png
from kiosk.printing.ticket import TicketPrint


def sample_ticket(english: bool = False, hall_name: str = "固镇县政务服务中心") -> TicketPrint:
    return TicketPrint(
        hall_name=hall_name,
        number="A012",
        service_name="企业设立登记（含名称自主申报）",
        zone_name="综合受理区",
        windows=("3", "5", "7"),
        ahead=4,
        eta_minutes=18,
        issued_at=dt.datetime(2026, 11, 26, 9, 5, tzinfo=ZoneInfo("Asia/Shanghai")),
        notice="过号请重新取号",
        qr_url="https://hall.example.gov.cn/t/Qm9vZnVkZ2VzQW5kQ3JlYW0x",
        priority_name="老年人",
        english=english,
        hall_name_en="Guzhen County Government Service Centre",
        service_name_en="Company registration",
        zone_name_en="General acceptance area",
        notice_en="Missed your call? Please take a new ticket.",
    )


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m kiosk.printing.sample OUTPUT_DIRECTORY", file=sys.stderr)
        return 2
    directory = Path(argv[0])
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "ticket-80mm.png").write_bytes(ticket_png(sample_ticket(english=True), paper_mm=80))
    (directory / "ticket-58mm.png").write_bytes(ticket_png(sample_ticket(), paper_mm=58))
    print(f"wrote {directory / 'ticket-80mm.png'} and {directory / 'ticket-58mm.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
