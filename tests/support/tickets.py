"""The tests' printed ticket: the shipped sample (``kiosk.printing.sample``), in Chinese only and without a
priority line, with whatever a test changes."""

from __future__ import annotations

from dataclasses import replace

from kiosk.printing.sample import sample_ticket
from kiosk.printing.ticket import TicketPrint


def sample_print(**changes) -> TicketPrint:
    return replace(sample_ticket(hall_name="清河县政务服务中心"), priority_name=None, **changes)
