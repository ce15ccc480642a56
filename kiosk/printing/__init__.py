"""Ticket printing: the ticket layout, ESC/POS bytes, printers, their status, and a PNG preview."""

import logging

# python-escpos calls logging.basicConfig() on import, which would turn the server's own logging
# set-up into a no-op; take back the root handler it adds.
_root_handlers = list(logging.getLogger().handlers)
import escpos.capabilities  # noqa: E402, F401

for _handler in list(logging.getLogger().handlers):
    if _handler not in _root_handlers:
        logging.getLogger().removeHandler(_handler)

from kiosk.printing.escpos_render import render_ticket, ticket_bytes  # noqa: E402
from kiosk.printing.preview import FontNotFoundError, ticket_png  # noqa: E402
from kiosk.printing.printers import PrinterError, open_printer, print_ticket, send_ticket  # noqa: E402
from kiosk.printing.status import PrinterMonitor  # noqa: E402
from kiosk.printing.status_query import PrinterState, query_status  # noqa: E402
from kiosk.printing.ticket import Line, TicketPrint, ticket_lines  # noqa: E402

__all__ = [
    "FontNotFoundError",
    "Line",
    "PrinterError",
    "PrinterMonitor",
    "PrinterState",
    "TicketPrint",
    "open_printer",
    "print_ticket",
    "query_status",
    "render_ticket",
    "send_ticket",
    "ticket_bytes",
    "ticket_lines",
    "ticket_png",
]
